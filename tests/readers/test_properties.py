"""Property: any input gives a valid document or a PubconvError with a position, nothing else."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pubconv import document
from pubconv.errors import Collector, PubconvError
from pubconv.readers import read_bytes

PIECES = [
    "## COMMENT 12 - A title", "## FOCUS 3: Other", "# Plain title", "By **Ann Lee**", "By **A B** and **C D**\\*",
    "3 March 2021 – DOI: [10.1234/x.1](https://doi.org/10.1234/x.1)", "Spring 2019", "DOI: nonsense",
    "**Dr. Ann Lee**, fellow.", "---", "<sup>1</sup> A note", "<sup>2</sup> unfinished note", "text<sup>1</sup>",
    "text<sup>7</sup> more", "**References:**", "## References", "Lee, A. (2020). Title. Pub.",
    "<https://example.org/a>", "[https://e.org/a\\_b](https://e.org/a_b)", "[lost](#)", "(Lee, 2020)",
    "Lee (2020) says", "> quoted", "- item", "1. item", "| a | b |", "|---|---|", "```", "    code",
    "![alt](img.png)", "<script>x</script>", "[^1]", "[^1]: def", "    continued", "{{ x }}", "\\*",
    "---\ntitle: T\n---", "---\ntitle: [\n---", "title: x", "\t", "é – ‘quote’", "",
]
lines = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=40)), max_size=40)


def check(text: str, path: str, form=None) -> None:
    try:
        doc = read_bytes(text.encode("utf-8", "surrogatepass"), path, Collector(), form=form)
    except PubconvError as exc:
        assert exc.pos is not None and exc.pos.path == path
        assert exc.code and exc.message
        return
    document.validate(doc)
    document.parse(doc.to_bytes(), path)  # and it round-trips through the XML reader


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(lines)
def test_any_markdown(pieces):
    check("\n\n".join(pieces), "random.md")


@settings(max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(lines)
def test_any_extracted(pieces):
    check("## COMMENT 1 - Title\n\n" + "\n\n".join(pieces), "random.txt", form="extracted")


@settings(max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(lines)
def test_any_authoring(pieces):
    check("---\ntitle: T\n---\n\n" + "\n".join(pieces), "random.md", form="authoring")


@settings(max_examples=100, deadline=2000)
@given(st.binary(max_size=300))
def test_any_bytes(data):
    try:
        doc = read_bytes(data, "blob.md", Collector())
    except PubconvError as exc:
        assert exc.pos is not None
        return
    document.validate(doc)


@settings(max_examples=100, deadline=2000)
@given(st.text(max_size=300))
def test_any_xml_source(text):
    try:
        read_bytes(('<?xml version="1.0"?>' + text).encode(), "x.pubconv.xml", Collector())
    except PubconvError as exc:
        assert exc.pos is not None

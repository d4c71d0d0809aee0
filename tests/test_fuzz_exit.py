"""Issue 14, class 3: bad input never ends in exit 3 (pubconv's own bug), whatever its values.

Hypothesis writes front matter with values of every type (text with any character, huge
and negative numbers, floats, dates, lists, mappings, nulls) under every key, extracted-form
documents from header and body pieces, and ``.pubconv.xml`` documents whose attribute
values are replaced by arbitrary text; each goes through ``pubconv check`` (read, transform,
schema, EPUB and JATS in memory), which must answer 0 or 1.  Examples are few and bounded,
so the whole file stays within a few seconds of CI time per test.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
from xml.sax.saxutils import quoteattr

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pubconv.cli import main
from pubconv.readers.authoring import AUTHOR_KEYS, KEYS

SETTINGS = settings(max_examples=40, deadline=10000, suppress_health_check=list(HealthCheck), derandomize=True)

scalars = st.one_of(
    st.text(max_size=30), st.integers(), st.integers(min_value=10 ** 40, max_value=10 ** 80), st.floats(),
    st.booleans(), st.none(), st.dates(min_value=dt.date(1, 1, 1)), st.datetimes(),
    st.sampled_from(["2021-02-30", "0000-00-00", "Spring 0", "10.1234/x", "0000-0002-1825-0097", "2406-5617",
                     "http://[::1", "\x07", "\ud800", "a\nb", "CC BY 4.0", "en", "x y", "<sup>" * 60]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.sampled_from(sorted(AUTHOR_KEYS)), inner,
                                                                        max_size=3)), max_leaves=6)
authors = st.lists(st.one_of(st.text(max_size=20), st.dictionaries(st.sampled_from(sorted(AUTHOR_KEYS)), values,
                                                                   max_size=5)), max_size=3)
front = st.dictionaries(st.sampled_from(sorted(KEYS)), values, max_size=8)
RAW = ["date: 2021-02-30", "number: " + "9" * 5000, "a: &x [1, 2]\nb: *x", "title: x\ntitle: y", 'title: "\\x07"',
       'title: "\\ud800"', "date: 2021-02-03 25:61:00", "date: 1e999", "lang: '\\u0085'", "keywords: !!binary aGk="]


def _check(tmp_path, name: str, data: bytes) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", str(src), "-j", "1"])
    assert code in (0, 1), err.getvalue()
    for line in err.getvalue().splitlines():
        assert "internal error" not in line and "Traceback" not in line, line


@SETTINGS
@given(front, authors, st.lists(st.sampled_from(RAW), max_size=2))
def test_front_matter_of_any_type(tmp_path_factory, meta, people, raw):
    meta = dict(meta, title=meta.get("title", "A title"))
    if people:
        meta["authors"] = people
    try:
        text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=True)
    except (yaml.YAMLError, UnicodeEncodeError):
        return
    text = text + "".join(r + "\n" for r in raw)
    doc = f"---\n{text}---\n\nBody text (Lee, 2020).\n\n## References\n\nLee, A. (2020). *T*. P.\n"
    _check(tmp_path_factory.mktemp("fm"), "doc.md", doc.encode("utf-8", "surrogatepass"))


PIECES = ["## COMMENT 12 - A title", "## POLICY BRIEF #5 - T", "By **Ann Lee**", "by Ann Lee and Bo Chen",
          "3 March 2021 – DOI: 10.1234/x.1", "Spring 0000", "0000", "30 February 2021", "Published: 2021-02-30",
          "<sup>1</sup> A note", "text<sup>1</sup>", "text<sup>" + "9" * 50 + "</sup>", "---", "**References:**",
          "Lee, A. (2020). Title. Pub.", "(London: Routledge, 2019)", "(March 2022)", "[x](http://[::1)",
          "<sup>" * 45 + "x", "(" * 500, "A. " * 200, " " * 300 + "1"]
header = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=12)


@SETTINGS
@given(header)
def test_extracted_documents(tmp_path_factory, pieces):
    text = "\n\n".join(["## COMMENT 1 - Title", *pieces, "The body ends here."])
    _check(tmp_path_factory.mktemp("ex"), "doc.txt", text.encode("utf-8", "surrogatepass"))


BASE = """<?xml version='1.0' encoding='UTF-8'?>
<document xmlns="https://pubconv.org/ns/document/1" xmlns:src="https://pubconv.org/ns/source/1" version="1"
 xml:lang={lang} src:file={file} src:form="authoring">
  <meta>
    <series src:line={line}><label>COMMENT</label><number>1</number></series>
    <title src:line="4">A test</title>
    <date iso={iso} src:line="5"/>
    <license href={lic}>CC BY 4.0</license>
  </meta>
  <body>
    <section id="sec-1" level={level} src:line="7"><heading>H</heading>
    <p src:line="9">See <link href={href}>the site</link>.<note id="fn-1" n={n}><p>N.</p></note></p>
    </section>
  </body>
</document>
"""
attr = st.one_of(st.text(max_size=25), st.sampled_from(["2021-02-30", "0000-00-00", "http://[::1", "9" * 5000,
                                                        "-1", "", "2", "en", "https://e.org"]))


VALID = {"lang": "en", "file": "doc.md", "line": "2", "iso": "2021-03-03", "lic": "https://e.org/l",
         "level": "2", "href": "https://e.org", "n": "1"}


@SETTINGS
@given(st.dictionaries(st.sampled_from(sorted(VALID)), attr, min_size=1, max_size=2))
def test_intermediate_attributes(tmp_path_factory, changed):
    # one or two values changed in an otherwise valid document, so the writers see most of them
    xml = BASE.format(**{k: quoteattr(v) for k, v in dict(VALID, **changed).items()})
    _check(tmp_path_factory.mktemp("xml"), "doc.pubconv.xml", xml.encode("utf-8", "surrogatepass"))

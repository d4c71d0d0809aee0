"""The authoring form: front matter, footnotes, references, and what bad front matter gives."""
from __future__ import annotations

import pytest

from pubconv.document import XPATH_NS, text_of
from pubconv.errors import Collector, PubconvError
from pubconv.readers import read_bytes

GOOD = """\
---
series: COMMENT
number: 12
title: "A *small* test"
authors:
  - name: Jane van der Berg
    orcid: https://orcid.org/0000-0002-1825-0097
    bio: "**Jane van der Berg** is a fellow."
  - given: Rahul
    family: Mehta
date: Spring 2020
doi: 10.1234/abc.12
keywords: [water, trade]
license: {name: CC BY 4.0, url: "https://creativecommons.org/licenses/by/4.0/"}
---

Intro with a note.[^a] And a citation (Mehta, 2019).

## Part one

- item one[^b]
- item two

[^a]: First paragraph.

    Second paragraph.

[^b]: Note b.

## References

Mehta, R. (2019). *Rivers*. Delhi: Press. <https://example.org/rivers>
"""


def read(text: str, found=None):
    return read_bytes(text.encode(), "t.md", found if found is not None else Collector())


def test_front_matter_and_body():
    doc = read(GOOD)
    assert doc.root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert text_of(doc.find("p:meta/p:title")) == "A small test"
    assert doc.find("p:meta/p:title/p:em") is not None
    first = doc.find("p:meta/p:authors/p:author")
    assert first.findtext("p:name/p:family", namespaces=XPATH_NS) == "van der Berg"
    assert first.findtext("p:orcid", namespaces=XPATH_NS) == "0000-0002-1825-0097"
    assert doc.find("p:meta/p:date").get("iso") == "2020" and doc.find("p:meta/p:date").get("season") == "Spring"
    notes = doc.xpath("//p:note")
    assert [n.get("n") for n in notes] == ["1", "2"] and len(notes[0]) == 2
    assert notes[1].getparent().tag.endswith("p")  # inside the list item's paragraph
    ref = doc.find("p:references/p:ref")
    assert ref.findtext("p:url", namespaces=XPATH_NS) == "https://example.org/rivers"
    assert "example.org" not in text_of(ref.find("p:text", XPATH_NS))
    assert [c.get("ref") for c in doc.xpath("//p:cite")] == ["ref-1"]
    assert doc.find("p:body/p:section").get("level") == "2"


@pytest.mark.parametrize("front, code, line", [
    ("title: ok\n- item\n", "bad-yaml", 3),
    ("title: ok\ndate: 31 Febtember 2020\n", "bad-date", 3),
    ("title: ok\nauthors: 42\n", "bad-front-matter", 3),
    ("title: ok\ncolour: blue\n", "bad-front-matter", 3),
    ("subtitle: only\n", "no-title", 1),
    ("title: ok\nissn: 12345\n", "bad-front-matter", 3),
])
def test_bad_front_matter(front, code, line):
    with pytest.raises(PubconvError) as err:
        read(f"---\n{front}---\n\nBody.\n")
    assert err.value.code == code
    assert err.value.pos.line == line


def test_unterminated_front_matter():
    with pytest.raises(PubconvError) as err:
        read("---\ntitle: x\n\nBody text\n")
    assert err.value.code in ("bad-front-matter", "no-title")


def test_malformed_doi_is_a_warning_and_left_out():
    found = Collector()
    doc = read("---\ntitle: t\ndoi: 10.12/x\n---\n\nBody.\n", found)
    assert doc.find("p:meta/p:doi") is None
    assert [d.code for d in found.items] == ["bad-doi"]
    assert found.items[0].pos.line == 3


def test_diagnostics_for_notes():
    found = Collector()
    read("---\ntitle: t\n---\n\nCall[^x] and call[^y].\n\n[^y]: Y.\n\n[^z]: never called.\n", found)
    codes = sorted(d.code for d in found.items)
    assert codes == ["missing-note", "uncalled-note"]
    assert all(d.pos.line is not None for d in found.items)


def test_raw_html_is_never_markup():
    found = Collector()
    doc = read("---\ntitle: t\n---\n\nHi <script>alert(1)</script> <b>bold</b> x<sup>2</sup>\n", found)
    p = doc.find("p:body/p:p")
    assert "<script>" in text_of(p)
    assert p.find("p:strong", XPATH_NS) is not None and p.find("p:sup", XPATH_NS) is not None
    assert [d.code for d in found.items] == ["raw-html"]


def test_template_syntax_is_literal_text():
    doc = read('---\ntitle: "{{ 7*7 }} and {% if x %}"\n---\n\nBody {{ x }}.\n')
    assert text_of(doc.find("p:meta/p:title")) == "{{ 7*7 }} and {% if x %}"


def test_an_unmatched_citation_after_a_linked_one_is_reported_once(tmp_path):
    from pubconv.api import read

    source = tmp_path / "c.md"
    source.write_text("---\ntitle: T\n---\n\nAs (Alpha, 2020) and (Nobody, 1999) said.\n\n## References\n\n"
                      "Alpha, A. (2020). First report. Vienna.\n", encoding="utf-8")
    found = Collector()
    read(source, report=found)
    assert [(d.code, d.pos.line) for d in found.items] == [("unmatched-citation", 5)]

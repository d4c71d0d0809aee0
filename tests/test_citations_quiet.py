"""Issue 13, class 10: the author-date linker is quiet on footnote-style documents and takes no date,
place or publisher for a citation (invented fixtures in ``fixtures/citations``)."""
from __future__ import annotations

from pubconv.document import q, text_of
from pubconv.errors import Collector
from pubconv.readers import read_source
from pubconv.transforms.citations import _matches

from conftest import FIXTURES

CITES = FIXTURES / "citations"


def test_footnote_style_document_gives_no_citation_warning():
    found = Collector()
    doc = read_source(CITES / "footnote-style.txt", found)
    assert len(list(doc.root.iter(q("note")))) == 3
    assert not [d for d in found.items if "citation" in d.code], found.items
    assert not list(doc.root.iter(q("cite")))


def test_dates_places_and_publishers_are_not_citations():
    for text in ("(London: Routledge, 2019)", "(March 2022)", "(Spring 1958)", "(2019)", "(Autumn 2016)",
                 "(New York: Basin Press, 2020)", "(September 2020)", "(12 March 2022)", "(Jan. 2020)"):
        assert _matches(text) == [], text
    assert [m[2:] for m in _matches("as shown (Keller & Brandt, 2020, p. 4) and (see Marsh 2019a)")] == \
        [("Keller & Brandt", "2020"), ("Marsh", "2019a")]


def test_author_date_document_links_real_citations_and_reports_only_unknown_ones():
    found = Collector()
    doc = read_source(CITES / "author-date.md", found)
    cites = [(text_of(c), c.get("ref")) for c in doc.root.iter(q("cite"))]
    assert cites == [("Marsh, 2019", "ref-1"), ("Keller & Brandt, 2020, p. 4", "ref-2")]
    warned = [d.message for d in found.items if "citation" in d.code]
    assert warned == ["citation 'Nobody, 2018': no reference entry matches"]

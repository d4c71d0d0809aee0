"""Reading reference entries (readers/_refparse.py) and tagging them in place (writers/jats/refs.py).

Each case is an invented entry in one of the styles policy writing uses, with the parts it must give, in
printed order; the JATS ``mixed-citation`` must keep the printed text exactly and wrap those parts.  A part
that cannot be read with certainty must be absent (left as text), never guessed.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from pubconv import document
from pubconv.document import E, q
from pubconv.errors import Collector
from pubconv.readers import _refparse
from pubconv.readers._refs import build_reference
from pubconv.writers import WriteOptions, jats

# (entry, kind, [(part, value)] in printed order; a name is "family|given", an organisation "=name")
CASES = [
    # APA author-date, newspaper (a day-precise date and a container)
    ("Okafor, N. (2021, March 2). River ports brace for a dry summer. The Lagos Courier.",
     "newspaper", [("person-group", ["Okafor|N."]), ("year", "2021"), ("month", "March"), ("day", "2"),
                   ("title", "River ports brace for a dry summer"), ("source", "The Lagos Courier")]),
    # APA journal article with volume, issue and pages; four authors with "&"
    ("Lind, A., Varga, P., Nowak, K., & Rossi, E. (2019). Forecasting floods: Ten years on. "
     "Journal of Water Practice, 11(3), 41–63.",
     "journal", [("person-group", ["Lind|A.", "Varga|P.", "Nowak|K.", "Rossi|E."]), ("year", "2019"),
                 ("title", "Forecasting floods: Ten years on"), ("source", "Journal of Water Practice"),
                 ("volume", "11"), ("issue", "3"), ("fpage", "41"), ("lpage", "63")]),
    # APA book: its title is the source; imprint
    ("Mensah, K. O. (2018). The delta and the state. Accra: Harbour Press.",
     "book", [("person-group", ["Mensah|K. O."]), ("year", "2018"), ("source", "The delta and the state"),
              ("publisher-loc", "Accra"), ("publisher-name", "Harbour Press")]),
    # APA report in a numbered series, organisation as author
    ("Riverine Policy Institute (2020). Dredging without drama. RPI Working Paper, No. 12. "
     "Lyon: Riverine Policy Institute.",
     "report", [("person-group", ["=Riverine Policy Institute"]), ("year", "2020"),
                ("source", "Dredging without drama"), ("series", "RPI Working Paper"),
                ("publisher-loc", "Lyon"), ("publisher-name", "Riverine Policy Institute")]),
    # Harvard without parentheses; a year with a letter
    ("Okafor, N. 2019b. Low water and high prices. London: Quay Books.",
     "book", [("person-group", ["Okafor|N."]), ("year", "2019b"), ("source", "Low water and high prices"),
              ("publisher-loc", "London"), ("publisher-name", "Quay Books")]),
    # web page with an access date
    ("Tamm, L. (2022). Gauges on the lower river. Retrieved May 3, 2023, from https://gauges.example.org/x",
     "web", [("person-group", ["Tamm|L."]), ("year", "2022"), ("title", "Gauges on the lower river"),
             ("accessed", "May 3, 2023")]),
    # Chicago bibliography: book, year at the end of the imprint
    ("Mensah, Kofi O. The Delta and the State. Accra: Harbour Press, 2018.",
     "book", [("person-group", ["Mensah|Kofi O."]), ("source", "The Delta and the State"),
              ("publisher-loc", "Accra"), ("publisher-name", "Harbour Press"), ("year", "2018")]),
    # Chicago bibliography: journal article, second author in natural order, year before the pages
    ("Lind, Anna, and Paul Varga. “Floods and Forecasts.” Journal of Water Practice 11, no. 3 (2019): 41–63.",
     "journal", [("person-group", ["Lind|Anna", "Varga|Paul"]), ("title", "Floods and Forecasts"),
                 ("source", "Journal of Water Practice"), ("volume", "11"), ("issue", "3"), ("year", "2019"),
                 ("fpage", "41"), ("lpage", "63")]),
    # Chicago bibliography: newspaper
    ("Okafor, Ngozi. “River Ports Brace for a Dry Summer.” The Lagos Courier, March 2, 2021.",
     "newspaper", [("person-group", ["Okafor|Ngozi"]), ("title", "River Ports Brace for a Dry Summer"),
                   ("source", "The Lagos Courier"), ("year", "2021")]),
    # numbered lists: the label is not part of any field
    ("[7] Tamm, L. (2022). Gauges on the lower river. Riga: Baltic Hydro.",
     "book", [("person-group", ["Tamm|L."]), ("year", "2022"), ("source", "Gauges on the lower river"),
              ("publisher-loc", "Riga"), ("publisher-name", "Baltic Hydro")]),
    ("12. Lind, A., & Varga, P. (2019). Floods. Water Review, 4(1), 1–9.",
     "journal", [("person-group", ["Lind|A.", "Varga|P."]), ("year", "2019"), ("title", "Floods"),
                 ("source", "Water Review"), ("volume", "4"), ("issue", "1"), ("fpage", "1"), ("lpage", "9")]),
    # abbreviations do not end the title ("Gen.", "U.S.")
    ("Harbour Authority (2021, 4 May). Readout of Gen. Adeyemi's visit to the U.S. Coast Guard. Port News.",
     "newspaper", [("person-group", ["=Harbour Authority"]), ("year", "2021"), ("day", "4"), ("month", "May"),
                   ("title", "Readout of Gen. Adeyemi's visit to the U.S. Coast Guard"), ("source", "Port News")]),
]

# Entries whose parts cannot all be read with certainty: only the listed parts, the rest stays text.
UNCERTAIN = [
    # no date at all: nothing to anchor the parts on
    ("Something printed without any structure at all", []),
    # authors that are not a list of names: the author list stays text, the rest is still read
    ("Lind A, Varga P, et alia, various (2019). Floods. Water Review, 4(1), 1–9.",
     ["year", "title", "source", "volume", "issue", "fpage", "lpage"]),
    # a tail after the container's comma that is neither a date nor a number: no container
    ("Okafor, N. (2021). River ports. Lagos Courier, weekend edition.", ["person-group", "year", "title"]),
    # an edited volume: the chapter title is read, the book and its editors are not guessed
    ("Lind, A. (2019). Ports and rivers. In P. Varga (Ed.), Handbook of water (pp. 3–20). Riga: Baltic Hydro.",
     ["person-group", "year", "title"]),
]


def _entry(text: str):
    return E("text", text)


def _described(parsed) -> list:
    out = []
    for part in (parsed if parsed is not None else []):
        name = etree.QName(part).localname
        if name == "person-group":
            out.append((name, [f"={p.text}" if etree.QName(p).localname == "collab" else
                               f"{p.findtext(q('family'))}|{p.findtext(q('given'))}" for p in part]))
        else:
            out.append((name, part.text))
    return out


@pytest.mark.parametrize("entry, kind, parts", CASES, ids=[c[0][:40] for c in CASES])
def test_entry_is_read(entry, kind, parts):
    parsed, got_kind = _refparse.parse(entry, _entry(entry))
    assert _described(parsed) == parts
    assert got_kind == kind


@pytest.mark.parametrize("entry, names", UNCERTAIN, ids=[c[0][:40] for c in UNCERTAIN])
def test_uncertain_parts_are_left_as_text(entry, names):
    parsed, _ = _refparse.parse(entry, _entry(entry))
    assert [n for n, _ in _described(parsed)] == names


def _jats_citation(entry: str, url: str | None = None):
    ref = build_reference(1, _entry(entry), url, 5)
    root = document.new_document("en", src_file="r.md", form="authoring")
    root.append(E("meta", E("title", "T", line=1), line=1))
    root.append(E("body", E("p", "x", line=2)))
    root.append(E("references", E("heading", "References"), ref, line=4))
    doc = document.Document(root, "r.md")
    document.validate(doc)  # the parsed parts fit the schema
    tree = etree.fromstring(jats.write(doc, WriteOptions(), Collector()).split(b"\n", 2)[2])
    return tree.find("back/ref-list/ref/mixed-citation")


JATS_TAG = {"title": ("article-title", "chapter-title", "source"), "accessed": ("date-in-citation",)}


@pytest.mark.parametrize("entry, kind, parts", CASES, ids=[c[0][:40] for c in CASES])
def test_entry_is_tagged_in_place(entry, kind, parts):
    mc = _jats_citation(entry)
    assert "".join(mc.itertext()) == entry  # the printed text, exactly
    assert mc.get("publication-type") == {"web": "webpage"}.get(kind, kind)
    tagged = [(c.tag, "".join(c.itertext())) for c in mc]
    for name, value in parts:
        if name == "person-group":
            group = mc.find("person-group")
            assert group is not None and group.get("person-group-type") == "author"
            assert len(group) == len(value)
            for member, want in zip(group, value):
                if want.startswith("="):
                    assert (member.tag, member.text) == ("collab", want[1:])
                else:
                    family, given_ = want.split("|")
                    assert (member.findtext("surname"), member.findtext("given-names")) == (family, given_)
            continue
        tags = JATS_TAG.get(name, (name,))
        assert any(tag in tags and text == value for tag, text in tagged), (name, value, tagged)


def test_doi_and_url_are_tagged_where_printed():
    entry = "Lind, A. (2019). Floods. Water Review, 4(1), 1–9. https://doi.org/10.5555/wr.2019.4.1"
    mc = _jats_citation(entry, "https://doi.org/10.5555/wr.2019.4.1")
    assert "".join(mc.itertext()) == entry
    assert mc.findtext("pub-id[@pub-id-type='doi']") == "10.5555/wr.2019.4.1"


_word = st.text(alphabet="AbcdeXyz .,:;()&“”0123456789-", min_size=0, max_size=30)


@settings(max_examples=150, deadline=None)
@given(st.lists(_word, min_size=1, max_size=8).map("".join))
def test_any_entry_keeps_its_text_and_every_part_is_verbatim(entry):
    parsed, kind = _refparse.parse(entry, _entry(entry))
    assert kind in ("book", "journal", "web", "report", "other", "newspaper", "chapter")
    for name, value in _described(parsed):
        if name != "person-group":
            assert value and value in entry
    if entry.strip():
        mc = _jats_citation(entry)
        assert "".join(mc.itertext()) == entry


def test_italics_are_wrapped_whole_or_left_alone():
    """APA prints the journal and volume in italics: the source wraps its italic; a volume may not hold
    one, so it stays text rather than tagging the "1" of the issue or pages."""
    text = E("text", "Lind, A. (2019). Floods. ", E("em", "Water Review"), ", ", E("em", "1"), "(1), 1–9.")
    ref = build_reference(1, text, None, 5)
    root = document.new_document("en", src_file="r.md", form="authoring")
    root.append(E("meta", E("title", "T", line=1), line=1))
    root.append(E("body", E("p", "x", line=2)))
    root.append(E("references", E("heading", "References"), ref, line=4))
    doc = document.Document(root, "r.md")
    document.validate(doc)
    tree = etree.fromstring(jats.write(doc, WriteOptions(), Collector()).split(b"\n", 2)[2])
    mc = tree.find("back/ref-list/ref/mixed-citation")
    assert "".join(mc.itertext()) == "Lind, A. (2019). Floods. Water Review, 1(1), 1–9."
    assert mc.find("source/italic").text == "Water Review"
    assert mc.find("volume") is None
    assert [(c.tag, c.text) for c in mc if c.tag in ("issue", "fpage", "lpage")] == \
        [("issue", "1"), ("fpage", "1"), ("lpage", "9")]

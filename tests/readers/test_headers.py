"""Extracted headers read by role (issue 13): one test per class of the issue, and nothing lost.

The fixtures are under ``fixtures/extracted/<case>/``; their ground truth (title, authors, date, notes,
paragraphs) is checked by ``test_reader_corpus.py`` from each ``expected.json``; the tests here check the
header fields that file does not cover, and the warnings.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

import pubconv
from pubconv import document
from pubconv.document import XPATH_NS, q, text_of
from pubconv.errors import Collector
from pubconv.readers import read_bytes, read_source
from pubconv.readers import _fields

from conftest import FIXTURES

EXTRACTED = sorted(p for p in (FIXTURES / "extracted").glob("*/*.md"))


def read(path: Path):
    found = Collector()
    doc = read_source(path, found)
    document.validate(doc)
    return doc, found


def case(name: str):
    return read(FIXTURES / "extracted" / name / f"{name}.md")


def read_text(text: str, name: str = "doc.md", **kw):
    found = Collector()
    doc = read_bytes(text.encode(), name, found, base_dir=Path.cwd(), **kw)
    return doc, found


def codes(found) -> list[str]:
    return sorted(d.code for d in found.items if d.code != "dead-link")


def x(doc, path: str) -> list[str]:
    return [" ".join(text_of(el).split()) for el in doc.xpath(path)]


# ---------------------------------------------------------------- class 1: the header does not stop at an unknown block


def test_unread_header_block_warns_with_its_line_and_the_header_goes_on():
    doc, found = case("unread-blocks")
    unread = [d for d in found.items if d.code == "unread-header"]
    assert [(d.pos.line, d.message.split("paragraph: ")[-1]) for d in unread] == [(3, "'Reading time: 6 minutes'")]
    # the byline and the bio after the unread block are still header fields
    assert x(doc, "//p:author/p:name/p:family") == ["Lind"]
    assert x(doc, "//p:author/p:bio")[0].startswith("Eva Lind, Research Fellow")
    # and the unread block is kept, as body text
    assert x(doc, "/p:document/p:body/p:p")[:2] == ["Reading time: 6 minutes", "03/04/2021"]


def test_ambiguous_date_is_refused_with_a_warning_and_kept():
    doc, found = case("unread-blocks")
    bad = [d for d in found.items if d.code == "bad-date"]
    assert len(bad) == 1 and bad[0].pos.line == 7 and "ambiguous" in bad[0].message
    assert doc.find("p:meta/p:date") is None


# ---------------------------------------------------------------- class 2: date/venue/DOI lines as fields


@pytest.mark.parametrize("printed, iso, season", [
    ("10 July 2022", "2022-07-10", None),
    ("August 25, 2022", "2022-08-25", None),
    ("Summer 2022", "2022", "Summer"),
    ("Published: 13 May 2021", "2021-05-13", None),
    ("Posted: 12 May 2020", "2020-05-12", None),
    ("30.03.2022", "2022-03-30", None),
    ("2021-08-25", "2021-08-25", None),
    ("25/08/2021", "2021-08-25", None),
    ("May 2020", "2020-05", None),
    ("3rd March 2021", "2021-03-03", None),
])
def test_date_forms(printed, iso, season):
    d = _fields.parse_date(printed)
    assert (d.iso, d.season, d.problem) == (iso, season, None)


@pytest.mark.parametrize("printed, problem", [
    ("03/04/2021", "ambiguous"), ("2021-02-30", "not a calendar date"), ("31.02.2022", "not a calendar date"),
    ("30 February 2021", "not a calendar date"),
])
def test_dates_that_cannot_be_taken_are_problems_not_crashes(printed, problem):
    d = _fields.parse_date(printed)
    assert d.iso is None and problem in d.problem


@pytest.mark.parametrize("printed", [
    "doi:10.5555/jwa.2022.52.3.7", "DOI: 10.5555/jwa.2022.52.3.7", "https://doi.org/10.5555/jwa.2022.52.3.7",
    "<https://doi.org/10.5555/jwa.2022.52.3.7>", "[10.5555/jwa.2022.52.3.7](https://doi.org/10.5555/jwa.2022.52.3.7)",
    "https://dx.doi.org/10.5555/jwa.2022.52.3.7", "DOI 10.5555/jwa.2022.52.3.7",
])
def test_doi_forms_are_kept_bare(printed):
    assert _fields.parse_doi(printed) == "10.5555/jwa.2022.52.3.7"


@pytest.mark.parametrize("line, fields", [
    ("10 July 2022 – Journal of X, Vol. 34, Iss. 1", ("2022-07-10", None, "Journal of X", "34", "1", None)),
    ("August 25, 2022 – Journal 52, no. 3 (Autumn 2022) – doi:10.5555/a.b",
     ("2022-08-25", "10.5555/a.b", "Journal", "52", "3", None)),
    ("Summer 2022 – Journal 52, no. 2", ("2022", None, "Journal", "52", "2", None)),
    ("2021-08-25 | Journal 10(2)", ("2021-08-25", None, "Journal", "10", "2", None)),
    ("Review of Things 7(1): 33–58 • 2 May 2019", ("2019-05-02", None, "Review of Things", "7", "1", "33")),
    ("03 March 2021– DOI: [10.5555/X.Y](https://doi.org/10.5555/X.Y)", ("2021-03-03", "10.5555/X.Y", None, None, None, None)),
])
def test_meta_lines_split_into_fields(line, fields):
    r = _fields.parse_meta_line(line)
    v = r.venue
    got = (r.date.iso if r.date else None, r.doi, v.journal if v else None, v.volume if v else None,
           v.issue if v else None, v.fpage if v else None)
    assert got == fields and r.unread == []


def test_prose_and_bylines_are_not_meta_lines():
    for line in ("By John Smith", "In 2021 the government changed its mind about the reform.",
                 "Since 2012, most agreements have used the convention."):
        assert _fields.parse_meta_line(line) is None


def test_venue_line_fills_date_and_source():
    doc, found = case("journal-doi")
    assert doc.find("p:meta/p:date").get("iso") == "2022-08-25"
    assert x(doc, "p:meta/p:doi") == ["10.5555/jwa.2022.52.3.7"]
    src = doc.find("p:meta/p:source")
    assert [(document.local(c), c.text) for c in src if c.text] == [
        ("journal", "Journal of Water Affairs"), ("volume", "52"), ("issue", "3")]
    assert (src.find(q("date")).get("iso"), src.find(q("date")).get("season")) == ("2022", "Autumn")
    assert "unread-header" not in codes(found)


# ---------------------------------------------------------------- class 3: series labels with or without a number


@pytest.mark.parametrize("heading, label, number, title", [
    ("## COMMENT - Tides", "COMMENT", None, "Tides"),
    ("## SPECIAL COMMENTARY - Tides", "SPECIAL COMMENTARY", None, "Tides"),
    ("## FEATURE: Tides", "FEATURE", None, "Tides"),
    ("## POLICY BRIEF #5 - Tides", "POLICY BRIEF", "5", "Tides"),
    ("## COMMENT 207 - Tides: a study", "COMMENT", "207", "Tides: a study"),
    ("## WORKING PAPER No. 12 - Tides", "WORKING PAPER", "12", "Tides"),
])
def test_series_label_with_or_without_number(heading, label, number, title):
    doc, found = read_text(f"{heading}\n\nBy **Ann Lee**\n\nSome body text that is long enough to be prose, "
                           "with a full sentence in it.\n")
    assert doc.root.findtext("p:meta/p:series/p:label", namespaces=XPATH_NS) == label
    assert doc.root.findtext("p:meta/p:series/p:number", namespaces=XPATH_NS) == number
    assert doc.title == title
    assert ("inferred-series" in codes(found)) == (number is None)


def test_an_acronym_stays_in_the_title_unless_the_configuration_lists_it(tmp_path):
    doc, found = case("acronym-title")
    assert doc.title == "NATO - Burden sharing after the summit" and doc.find("p:meta/p:series") is None
    assert [d.pos.line for d in found.items if d.code == "title-label"] == [1]
    src = FIXTURES / "extracted" / "acronym-title" / "acronym-title.md"
    (tmp_path / "a.md").write_bytes(src.read_bytes())
    (tmp_path / "pubconv.toml").write_text('[series.NATO]\ntitle = "NATO Watch"\n', encoding="utf-8")
    found = Collector()
    doc = pubconv.read(tmp_path / "a.md", report=found)
    assert doc.title == "Burden sharing after the summit"
    assert x(doc, "p:meta/p:series/p:label") == ["NATO"] and x(doc, "p:meta/p:series/p:title") == ["NATO Watch"]
    assert codes(found) == []


# ---------------------------------------------------------------- class 4: bios


def test_bios_go_to_the_author_whose_whole_name_opens_them():
    doc, _ = case("journal-doi")  # authors Wei Li and William Smith; Smith's bio comes first
    bios = {a.findtext("p:name/p:family", namespaces=XPATH_NS): text_of(a.find("p:bio", XPATH_NS))
            for a in doc.xpath("//p:author")}
    assert bios["Li"].startswith("Wei Li is") and bios["Smith"].startswith("William Smith is")


def test_italic_bios_lose_their_emphasis_and_keep_their_text():
    doc, _ = case("venue-line")
    bios = doc.xpath("//p:author/p:bio/p:p")
    assert [text_of(p)[:14] for p in bios] == ["Anna Berg is a", "Tomás Ruiz Jr."]
    assert not doc.xpath("//p:author/p:bio/p:p/p:em")


def test_about_the_authors_at_the_end_moves_to_the_bios_best_whole_word_match():
    doc, _ = case("about-authors")
    bios = {a.findtext("p:name/p:family", namespaces=XPATH_NS): text_of(a.find("p:bio", XPATH_NS))
            for a in doc.xpath("//p:author")}
    assert bios == {"Jung": "Clara Jung is a researcher at CRPS working on tourism and regional development.",
                    "Haddad": "Omar Haddad is a data scientist and lecturer in applied statistics.",
                    "Jungwirth": "Clara Jungwirth is a statistician at the regional statistical office in Salzburg."}
    assert not any("About the authors" in t for t in x(doc, "//p:heading"))


def test_a_second_bio_for_one_author_is_kept_and_a_joint_bio_is_not_dropped():
    text = ("## Tides\n\nBy **Ann Lee** and **Bo Chan**\n\n**Ann Lee** is a fellow at the centre and writes on ports.\n\n"
            "Ann Lee and Bo Chan have worked together on harbour finance since 2015.\n\n"
            "The body begins here with a long enough sentence to be prose in every sense of the word.\n")
    doc, found = read_text(text)
    bio = text_of(doc.find("p:meta/p:authors/p:author/p:bio"))
    assert "writes on ports" in bio and "worked together" in bio
    assert "unread-header" not in codes(found)


# ---------------------------------------------------------------- class 5: name suffixes


def test_suffixes_in_the_extracted_byline():
    doc, _ = case("venue-line")
    a = doc.xpath("//p:author")[1]
    assert [a.findtext(f"p:name/p:{k}", namespaces=XPATH_NS) for k in ("given", "family", "suffix")] == \
        ["Tomás", "Ruiz", "Jr."]
    doc, _ = case("one-per-line")
    assert doc.xpath("//p:author")[1].findtext("p:name/p:suffix", namespaces=XPATH_NS) == "III"


def test_suffixes_in_the_authoring_front_matter():
    text = ('---\ntitle: "T"\nauthors:\n  - name: "Antulio J. Echevarria II"\n  - name: "John Smith, Jr."\n'
            '  - given: Ann\n    family: Lee\n    suffix: Sr.\n---\n\nBody.\n')
    doc, _ = read_text(text)
    names = [[a.findtext(f"p:name/p:{k}", namespaces=XPATH_NS) for k in ("given", "family", "suffix")]
             for a in doc.xpath("//p:author")]
    assert names == [["Antulio J.", "Echevarria", "II"], ["John", "Smith", "Jr."], ["Ann", "Lee", "Sr."]]


def test_authoring_front_matter_fills_source_and_affiliations():
    text = ('---\ntitle: "T"\nauthors:\n  - name: "Ann Lee"\n    affiliation: "University of Porto, Porto, Portugal"\n'
            '  - name: "Bo Chan"\n    affiliation: "University of Porto, Porto, Portugal"\n'
            'source:\n  journal: "Journal of Regional Affairs"\n  volume: 34\n  fpage: 12\n  lpage: 19\n---\n\nBody.\n')
    doc, _ = read_text(text)
    assert [(document.local(c), c.text) for c in doc.find("p:meta/p:source")] == [
        ("journal", "Journal of Regional Affairs"), ("volume", "34"), ("fpage", "12"), ("lpage", "19")]
    assert [a.get("affs") for a in doc.xpath("//p:author")] == ["aff-1", "aff-1"]
    assert x(doc, "//p:aff/p:institution") == ["University of Porto"]
    assert x(doc, "//p:aff/p:country") == ["Portugal"]


# ---------------------------------------------------------------- class 6 is in the writers' tests; 7: bylines


def test_lowercase_by_and_names_without_bold():
    doc, _ = case("venue-line")
    assert [a.findtext("p:name/p:family", namespaces=XPATH_NS) for a in doc.xpath("//p:author")] == ["Berg", "Ruiz"]


def test_superscript_affiliations_with_numbered_lines_below():
    doc, found = case("superscript-affs")
    assert doc.title == "Seaweed farming and the future of coastal livelihoods in the North Atlantic"
    assert [a.get("affs") for a in doc.xpath("//p:author")] == ["aff-1", "aff-1 aff-2", "aff-2"]
    affs = [(a.get("label"), a.findtext("p:institution", namespaces=XPATH_NS),
             a.findtext("p:city", namespaces=XPATH_NS), a.findtext("p:country", namespaces=XPATH_NS))
            for a in doc.xpath("//p:affiliations/p:aff")]
    assert affs == [("1", "Institute for Coastal Studies", "Kiel", "Germany"),
                    ("2", "University of Porto", "Porto", "Portugal")]
    # the numbered affiliation lines are not footnotes
    assert [n.get("n") for n in doc.xpath("//p:note")] == ["1", "2"]
    assert codes(found) == []


def test_one_author_per_line_with_an_affiliation_under_each():
    doc, _ = case("one-per-line")
    got = [(a.findtext("p:name/p:family", namespaces=XPATH_NS), a.get("affs")) for a in doc.xpath("//p:author")]
    assert got == [("Marin", "aff-1"), ("Lang", "aff-2")]
    assert x(doc, "//p:aff/p:institution") == ["Centre for Energy Policy", "Department of Economics, University of Graz"]


def test_title_with_a_subtitle_after_a_colon():
    doc, _ = case("italic-abstract")
    assert doc.title == "Languages of the border"
    assert x(doc, "p:meta/p:subtitle") == ["schooling in the minority regions of the Danube basin"]


# ---------------------------------------------------------------- class 8: abstract and keywords


def test_labelled_abstract_and_keywords():
    doc, _ = case("superscript-affs")
    assert x(doc, "p:meta/p:abstract")[0].startswith("Seaweed farming is often presented")
    assert x(doc, "p:meta/p:keywords/p:keyword") == ["aquaculture", "coastal communities", "licensing"]
    assert not any("Keywords" in t or "Abstract" in t for t in x(doc, "//p:body//p:p"))


def test_unlabelled_italic_abstract():
    doc, _ = case("italic-abstract")
    assert x(doc, "p:meta/p:abstract")[0].startswith("Minority-language schools in the Danube basin are squeezed")
    assert not doc.xpath("//p:abstract//p:em")


# ---------------------------------------------------------------- class 9: author notes


def test_symbol_author_notes_belong_to_their_authors():
    doc, found = case("symbol-notes")
    notes = {n.get("id"): (n.get("symbol"), text_of(n)[:9]) for n in doc.xpath("//p:author-note")}
    assert notes == {"an-1": ("*", "Ruth Adle"), "an-2": ("**", "Tom Baker")}
    assert [a.get("notes") for a in doc.xpath("//p:author")] == ["an-1", "an-2"]
    assert "author-note" not in codes(found)


def test_numbered_notes_on_the_byline_are_author_notes_and_the_articles_keep_their_numbers():
    doc, found = case("numbered-author-notes")
    assert [a.get("notes") for a in doc.xpath("//p:author")] == ["an-1", "an-2"]
    assert [n.get("symbol") for n in doc.xpath("//p:author-note")] == ["1", "2"]
    assert [n.get("n") for n in doc.xpath("//p:note")] == ["3", "4"]
    assert "uncalled-note" not in codes(found)


# ---------------------------------------------------------------- class 11: notes on titles and headings


def test_extracted_title_and_heading_notes_are_kept_in_order():
    doc, found = case("title-note")
    assert doc.title == "Waiting lists and the two-tier hospital"  # text_of leaves the note out
    title_note = doc.find("p:meta/p:title/p:note")
    assert title_note is not None and text_of(title_note).startswith("This comment draws on a talk")
    assert doc.xpath("//p:section/p:heading/p:note/@n") == ["3"]
    assert [n.get("n") for n in doc.xpath("//p:note")] == ["1", "2", "3", "4"]
    assert "[^" not in doc.to_bytes().decode() and codes(found) == []


def test_authoring_title_and_heading_notes_are_kept_and_numbered_1_to_n():
    text = ('---\ntitle: "Tides and ports[^t]"\n---\n\nFirst paragraph.[^a]\n\n## A heading[^h]\n\nMore.[^b]\n\n'
            '[^t]: On the title.\n\n[^a]: First.\n\n[^h]: On the heading.\n\n[^b]: Last.\n')
    doc, found = read_text(text)
    assert doc.title == "Tides and ports"
    assert text_of(doc.find("p:meta/p:title/p:note")) == "On the title."
    assert text_of(doc.find("//p:section/p:heading/p:note".replace("//", "p:body//"))) == "On the heading."
    assert [(n.get("n"), text_of(n)) for n in doc.xpath("//p:note")] == [
        ("1", "On the title."), ("2", "First."), ("3", "On the heading."), ("4", "Last.")]
    assert codes(found) == [] and "[^" not in doc.to_bytes().decode()


def test_title_notes_reach_jats_epub_and_pdf_metadata_without_a_literal_call():
    from pubconv.writers import WriteOptions, jats
    from pubconv.writers.xhtml import short_title

    doc, _ = case("title-note")
    data = jats.write(doc, WriteOptions(), Collector()).decode()
    assert re.search(r"<article-title>Waiting lists and the two-tier hospital<xref ref-type=\"fn\" rid=\"fn-1\">1"
                     r"</xref></article-title>", data)
    assert short_title(doc.title) == "Waiting lists and the two-tier hospital"


# ---------------------------------------------------------------- no header text is lost

#: Words a header prints as labels or glue, which the intermediate holds as structure instead.
LABEL_WORDS = {"by", "and", "vol", "volume", "iss", "issue", "no", "pp", "published", "posted", "doi", "https",
               "http", "org", "dx", "keywords", "abstract", "about", "the", "authors", "author"}
_URL = re.compile(r"\]\([^)\s]*\)|<https?://[^>\s]+>|https?://\S+")
_SUP = re.compile(r"<sup>[^<]{0,12}</sup>")
_LIST_MARK = re.compile(r"^[ \t]{0,3}\d{1,9}[.)][ \t]", re.M)
_MONTHS = "january february march april may june july august september october november december".split()


def _source_words(text: str) -> Counter:
    text = _URL.sub(lambda m: "]" if m.group(0).startswith("]") else " ", text)
    text = _SUP.sub(" ", text)
    text = _LIST_MARK.sub("", text)  # an ordered list's numbers are structure (list/@start)
    return Counter(_norm(w) for w in re.findall(r"\w+", text.lower()))


def _norm(w: str) -> str:
    return str(int(w)) if w.isdigit() else w


def _intermediate_words(doc) -> tuple[Counter, set]:
    parts = []
    # what the reference parser derives from an entry (parsed parts, the DOI) repeats the entry's own text
    derived_els = {q("parsed"), q("url")}

    def walk(el):
        if el.tag in derived_els or (el.tag == q("doi") and el.getparent().tag == q("ref")):
            return
        if el.text:
            parts.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(doc.root)
    derived = Counter()
    for date in doc.xpath("//p:date"):
        bits = date.get("iso").split("-")
        derived.update(_norm(b) for b in bits)
        if len(bits) > 1:
            derived[_MONTHS[int(bits[1]) - 1]] += 1
        if date.get("season"):
            derived[date.get("season").lower()] += 1
    words = Counter(_norm(w) for w in re.findall(r"\w+", _URL.sub(" ", " ".join(parts)).lower()))
    words.update(derived)
    return words, set(derived)


@pytest.mark.parametrize("path", EXTRACTED, ids=lambda p: p.parent.name)
def test_no_header_text_is_lost(path):
    doc, _ = read(path)
    source = _source_words(path.read_text(encoding="utf-8"))
    inter, derived = _intermediate_words(doc)
    missing = source - inter
    extra = inter - source
    assert set(missing) <= LABEL_WORDS, f"lost: {dict(missing)}"
    assert set(extra) <= derived, f"added: {dict(extra)}"


def test_the_seed_header_reads_as_before(seed_path):
    doc, found = read(seed_path)
    assert (x(doc, "p:meta/p:series/p:label"), x(doc, "p:meta/p:series/p:number")) == (["COMMENT"], ["207"])
    assert len(doc.xpath("//p:author")) == 1 and doc.find("p:meta/p:authors/p:author/p:bio") is not None
    assert doc.find("p:meta/p:date").get("iso") == "2021-03-03"
    assert doc.find("p:meta/p:source") is None and doc.find("p:meta/p:affiliations") is None
    assert [d.code for d in found.items if d.code in ("unread-header", "bad-date", "inferred-series")] == []
    inter, derived = _intermediate_words(doc)
    missing = _source_words(seed_path.read_text(encoding="utf-8")) - inter
    assert set(missing) <= LABEL_WORDS, f"lost: {dict(missing)}"


def test_bylines_in_other_shapes_and_lines_that_are_not_bylines():
    body = "\n\nThe body begins here with a long enough sentence to be prose in every sense of the word.\n"
    doc, found = read_text("## Tides\n\n**By Jane Doe and John Roe**\n\nUpdated on 3 May 2021" + body)
    assert x(doc, "//p:author/p:name/p:family") == ["Doe", "Roe"]
    assert doc.find("p:meta/p:date").get("iso") == "2021-05-03" and doc.find("p:meta/p:source") is None
    doc, found = read_text("## Tides\n\nBy Dr. Jane Doe, Senior Fellow at the Centre for Ports" + body)
    assert x(doc, "//p:author/p:name/p:family") == ["Doe"]
    assert x(doc, "//p:aff/p:institution") == ["Senior Fellow at the Centre for Ports"]
    doc, found = read_text("## Tides\n\n**Key Findings**\n\nBy **Ann Lee**" + body)
    assert x(doc, "//p:author/p:name/p:family") == ["Lee"]
    assert [d.pos.line for d in found.items if d.code == "unread-header"] == [3]


@pytest.mark.parametrize("line, fields", [
    ("Journal of Nordic Studies, 12", ("Journal of Nordic Studies", "12", None, None)),
    ("In: Review of Ports Vol. 3 No. 2, pp. 15–29", ("Review of Ports", "3", "2", "15")),
    ("Issue 12", (None, None, "12", None)),
    ("Annals of November Studies 9(4)", ("Annals of November Studies", "9", "4", None)),
])
def test_venue_forms(line, fields):
    v = _fields.parse_venue(line)
    assert (v.journal, v.volume, v.issue, v.fpage) == fields


def test_an_unread_part_of_a_date_line_is_kept():
    doc, found = read_text("## Tides\n\nBy **Ann Lee**\n\n12 March 2021 | 5 min read\n\nThe body begins here with a "
                           "long enough sentence to be prose in every sense of the word.\n")
    assert doc.find("p:meta/p:date").get("iso") == "2021-03-12"
    assert x(doc, "/p:document/p:body/p:p")[0] == "5 min read"
    assert [d.pos.line for d in found.items if d.code == "unread-header"] == [5]


def test_a_second_date_is_kept_not_dropped():
    doc, found = read_text("## Tides\n\nBy **Ann Lee**\n\nPublished: 1 May 2021\n\nUpdated: 3 June 2021\n\nThe body "
                           "begins here with a long enough sentence to be prose in every sense of the word.\n")
    assert doc.find("p:meta/p:date").get("iso") == "2021-05-01"
    assert x(doc, "/p:document/p:body/p:p")[0] == "Updated: 3 June 2021"
    assert [d.pos.line for d in found.items if d.code == "unread-header"] == [7]


def test_a_numbered_affiliation_printed_as_a_footnote_is_an_affiliation():
    doc, found = read_text("## Tides\n\nBy **Jane Doe**<sup>1</sup> and **John Roe**<sup>2</sup>\n\nThe body begins "
                           "here with a sentence long enough to be prose.<sup>3</sup>\n\n---\n\n"
                           "<sup>1</sup> Institute of Maritime Law, Hamburg, Germany\n\n"
                           "<sup>2</sup> John Roe thanks the port authority; the views expressed are his own.\n\n"
                           "<sup>3</sup> A real note.\n")
    assert [(a.get("affs"), a.get("notes")) for a in doc.xpath("//p:author")] == [("aff-1", None), (None, "an-1")]
    assert x(doc, "//p:aff/p:institution") == ["Institute of Maritime Law"]
    assert [n.get("n") for n in doc.xpath("//p:note")] == ["3"]
    assert codes(found) == []


def test_a_list_or_quote_after_the_header_starts_the_body_quietly():
    for first in ("- one point\n- another point", "> A quoted line.", "1. first\n2. second"):
        doc, found = read_text(f"## Tides\n\nBy **Ann Lee**\n\n12 May 2021\n\n{first}\n\nThe body goes on here.\n")
        assert codes(found) == [] and doc.find("p:meta/p:date") is not None


@pytest.mark.parametrize("path", EXTRACTED, ids=lambda p: p.parent.name)
def test_new_header_elements_round_trip_through_the_xml(path):
    doc, _ = read(path)
    data = doc.to_bytes()
    assert document.parse(data, str(path)).to_bytes() == data


def test_a_series_line_above_the_title_in_any_case():
    doc, found = read_text("Policy Brief No. 12 | March 2021\n\n## Tides\n\nBy **Ann Lee**\n\nThe body begins here "
                           "with a long enough sentence to be prose in every sense of the word.\n")
    assert (x(doc, "p:meta/p:series/p:label"), x(doc, "p:meta/p:series/p:number")) == (["Policy Brief"], ["12"])
    assert doc.find("p:meta/p:date").get("iso") == "2021-03" and codes(found) == []

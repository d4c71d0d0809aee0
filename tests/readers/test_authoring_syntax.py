"""The authoring form's syntax beyond CommonMark: inline markup, ids and cross-references, definition
lists, captions, smart punctuation, HTML comments and math (``docs/authoring.md``)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pubconv.document import LANG, XPATH_NS, local, text_of
from pubconv.errors import Collector, PubconvError
from pubconv.readers import read_bytes

ROOT = Path(__file__).resolve().parents[2]
KITCHEN_SINK = ROOT / "fixtures" / "authoring" / "kitchen-sink" / "kitchen-sink.md"


def read(body: str, front: str = "title: T", found=None, path: str = "t.md"):
    text = f"---\n{front}\n---\n\n{body}"
    return read_bytes(text.encode(), path, found if found is not None else Collector())


def first_p(doc):
    return doc.find("p:body//p:p")


def test_sub_sup_strike_and_language_spans():
    p = first_p(read("H~2~O, m^3^, ~~old~~ new, [la pluie]{lang=fr}.\n"))
    assert [(local(c), text_of(c)) for c in p] == [("sub", "2"), ("sup", "3"), ("strike", "old"), ("span", "la pluie")]
    assert p[3].get(LANG) == "fr"


def test_a_span_without_a_language_keeps_its_text_and_warns():
    found = Collector()
    p = first_p(read("a [word]{.fancy} here\n", found=found))
    assert text_of(p) == "a word here" and not len(p)
    assert [d.code for d in found.items] == ["unknown-attribute"]


def test_extracted_form_keeps_tildes_and_carets_as_characters():
    doc = read_bytes(b"## Title\n\nAbout ~50 km, H~2~O and x^2^, ~~not struck~~.\n", "x.txt", Collector())
    p = first_p(doc)
    assert text_of(p) == "About ~50 km, H~2~O and x^2^, ~~not struck~~." and not len(p)


def test_ids_and_cross_references_resolve_to_numbers_and_headings():
    body = """# Method {#method}

See @fig:map, @tbl:data, @sec:method and [this part](#method).

![A map](map.png "The map"){#fig:map}

| a |
|---|
| 1 |

Table: The data {#tbl:data}
"""
    doc = read(body)
    section = doc.find("p:body/p:section")
    assert section.get("id") == "method" and text_of(section.find("p:heading", namespaces=XPATH_NS)) == "Method"
    xrefs = [(x.get("type"), x.get("ref"), text_of(x)) for x in doc.xpath("//p:xref")]
    assert xrefs == [("fig", "fig-map", "Figure\u00a01"), ("table", "tbl-data", "Table\u00a01"), ("sec", "method", "Method"),
                     ("sec", "method", "this part")]
    table = doc.find("p:body//p:table")
    caption = table.find("p:caption", namespaces=XPATH_NS)
    assert (table.get("id"), table.get("n"), text_of(caption)) == ("tbl-data", "1", "The data")
    assert doc.find("p:body//p:figure").get("n") == "1"


def test_cross_reference_labels_follow_the_document_language():
    doc = read("See @fig:a.\n\n![x](a.png){#fig:a}\n", front="title: T\nlang: de")
    assert text_of(doc.find("p:body//p:xref")) == "Abbildung\u00a01"


@pytest.mark.parametrize("body, line", [("Go to [nowhere](#nowhere).\n", 5), ("\n\nSee @fig:missing here.\n", 7)])
def test_a_reference_to_an_unknown_id_is_an_error_with_its_line(body, line):
    with pytest.raises(PubconvError) as info:
        read(body)
    assert info.value.code == "unknown-target" and info.value.pos.line == line


def test_a_reference_of_the_wrong_kind_is_an_error():
    with pytest.raises(PubconvError) as info:
        read("See @tbl:map.\n\n![x](map.png){#fig:map}\n")
    assert info.value.code == "unknown-target"


def test_an_email_address_is_not_a_reference():
    doc = read("Write to someone@fig:example.org or a@b.org.\n")
    assert doc.xpath("//p:xref") == []


def test_html_comments_are_dropped_silently():
    found = Collector()
    doc = read("<!-- block comment\nover two lines -->\n\nText <!-- inline --> here.\n", found=found)
    assert [text_of(p) for p in doc.xpath("//p:body//p:p")] == ["Text  here."]
    assert found.items == []


def test_other_raw_html_keeps_todays_rule():
    found = Collector()
    doc = read("Text <span>kept</span>.\n", found=found)
    assert "<span>" in text_of(first_p(doc))
    assert [d.code for d in found.items] == ["raw-html"]


@pytest.mark.parametrize("body, line", [("Energy: $E=mc^2$.\n", 5), ("Text.\n\n$$\nx^2\n$$\n", 7)])
def test_tex_math_is_refused_with_its_line(body, line):
    with pytest.raises(PubconvError) as info:
        read(body)
    assert info.value.code == "math-unsupported" and info.value.pos.line == line


def test_prices_are_not_math():
    assert text_of(first_p(read("It cost $5 and then $10.\n"))) == "It cost $5 and then $10."


@pytest.mark.parametrize("lang, expected", [
    ("en", "“quoted” and ‘single’, it’s"),
    ("de", "„quoted“ and ‚single‘, it’s"),
    ("fr", "«\u202fquoted\u202f» and “single”, it’s"),
])
def test_smart_quotes_follow_the_language(lang, expected):
    doc = read("\"quoted\" and 'single', it's\n", front=f"title: T\nlang: {lang}")
    assert text_of(first_p(doc)) == expected


def test_dashes_and_ellipses_but_not_code_or_list_labels():
    p = first_p(read("1990--2000 --- then... `a--b...` and (c) stays.\n"))
    assert text_of(p) == "1990–2000 — then… a--b... and (c) stays."


def test_smart_false_keeps_what_was_typed():
    text = "\"quoted\" -- it's...\n"
    assert text_of(first_p(read(text, front="title: T\nsmart: false"))) == "\"quoted\" -- it's..."


def test_smart_must_be_a_boolean():
    with pytest.raises(PubconvError) as info:
        read("x\n", front="title: T\nsmart: maybe")
    assert info.value.code == "bad-front-matter" and info.value.pos.line == 3


def test_definition_lists():
    doc = read("Term\n: Definition one.\n\n  More.\n")
    deflist = doc.find("p:body/p:deflist")
    assert [local(c) for c in deflist] == ["term", "def"]
    assert [text_of(p) for p in deflist.find("p:def", namespaces=XPATH_NS)] == ["Definition one.", "More."]


def test_unknown_front_matter_key_points_to_the_reference():
    with pytest.raises(PubconvError) as info:
        read("x\n", front="title: T\ntitel: oops")
    assert "docs/authoring.md" in str(info.value) and info.value.pos.line == 3


# ---------------------------------------------------------------- the kitchen sink, in every output


@pytest.fixture(scope="module")
def kitchen_sink():
    import pubconv

    return pubconv.convert(KITCHEN_SINK, to=["xml", "jats", "epub", "pdf"], write=False)


def test_kitchen_sink_intermediate(kitchen_sink):
    from pubconv import document

    doc = document.parse(kitchen_sink.data["xml"], str(KITCHEN_SINK), KITCHEN_SINK.parent)
    assert [d.code for d in kitchen_sink.diagnostics if d.severity == "error"] == []
    assert {local(el) for el in doc.root.iter() if isinstance(el.tag, str)} >= {
        "sub", "sup", "strike", "span", "xref", "deflist", "term", "def", "figure", "table", "caption", "note"}
    assert "Editor" not in text_of(doc.root, notes=True)  # the HTML comment
    assert "“lost”" in text_of(doc.find("p:meta/p:title"))


def test_kitchen_sink_jats_is_dtd_valid_with_labels_and_xrefs(kitchen_sink):
    import jats_validate

    data = kitchen_sink.data["jats"]
    assert jats_validate.dtd_errors(data, ROOT / "src" / "pubconv" / "schema" / "jats") == []
    root = jats_validate.parse(data)
    assert jats_validate.dangling_rids(root) == []
    assert root.xpath("//fig/label/text()") == ["Figure 1"] and root.xpath("//table-wrap/label/text()") == ["Table 1"]
    assert sorted(set(root.xpath("//xref/@ref-type"))) == ["fig", "fn", "sec", "table"]
    assert root.xpath("//named-content[@content-type='foreign-language']/@xml:lang") == ["fr"]
    assert root.xpath("count(//def-list/def-item)") == 2 and root.xpath("count(//strike)") == 1
    assert root.xpath("//trans-title-group/@xml:lang") == ["de"]
    assert root.xpath("string(//trans-title-group/trans-title)") == "Die „verlorene“ Fracht zählen"
    assert root.xpath("//funding-group/award-group/award-id/text()") == ["101003590"]


def test_kitchen_sink_epub_is_valid(kitchen_sink, assert_valid):
    import zipfile
    from io import BytesIO

    from lxml import etree

    assert_valid(kitchen_sink.data["epub"])
    with zipfile.ZipFile(BytesIO(kitchen_sink.data["epub"])) as z:
        page = etree.fromstring(z.read("EPUB/content.xhtml"))
    translated = page.xpath("//*[@class='trans-title']")
    assert [(el.get("lang"), el.get("{http://www.w3.org/XML/1998/namespace}lang")) for el in translated] == \
        [("de", "de")]


def test_kitchen_sink_pdf_prints_numbers_captions_and_resolved_references(kitchen_sink, tmp_path):
    from pdf_reading import need

    path = tmp_path / "ks.pdf"
    path.write_bytes(kitchen_sink.data["pdf"])
    import subprocess

    text = " ".join(subprocess.run([need("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.replace("\u00a0", " ").split())
    for wanted in ("Figure 1. Gauges of the upper basin, 2022", "Table 1. Cargo on the upper river by year",
                   "explained in The method", "shown in Figure 1 and Table 1", "Tonne-kilometre",
                   "Die „verlorene“ Fracht zählen: Flussfracht nach der Dürre"):
        assert wanted in text, wanted
    assert "@fig" not in text and "{#" not in text and "~~" not in text and "$" not in text


# ---------------------------------------------------------------- validation feedback


def test_an_orcid_with_a_wrong_check_digit_is_an_error_at_the_orcid_itself():
    with pytest.raises(PubconvError) as info:
        read("x\n", front="title: T\nauthors:\n  - name: Ann Author\n  - name: Ben Writer\n"
                          "    orcid: 0000-0002-1825-0098")
    assert info.value.code == "bad-orcid" and "check digit" in str(info.value)
    assert (info.value.pos.line, info.value.pos.column) == (6, 12)  # the value, not the 'authors:' line


def test_a_bad_email_names_the_field_at_its_line():
    with pytest.raises(PubconvError) as info:
        read("x\n", front="title: T\nauthors:\n  - name: Ann Author\n    email: ann.example.org")
    assert "'email'" in str(info.value) and info.value.code == "bad-front-matter"
    assert (info.value.pos.line, info.value.pos.column) == (5, 12)


@pytest.mark.parametrize("front, line, col", [
    # every nested front-matter value is reported where it is written (the YAML node's position)
    ("authors:\n  - Ann Author\n  - {name: Ben Writer, mail: b@x.org}", 5, 30),  # an unknown author key
    ("authors:\n  - name: Ann\n    affiliation:\n      - Uni\n      - {a: 1}", 7, 9),  # a list of affiliations
    ("authors:\n  name: Ann\n  orcid: 0000-0002-1825-0098", 5, 10),  # one author, not a list
    ("funding:\n  - EU\n  - funder: X\n    funder-id: 12.34/x", 6, 16),
    ("funding:\n  - EU\n  - {funder: X, grant: 1}", 5, 24),
    ("title-translations:\n  de: Titel\n  xx_1: Titre", 5, 9),
    ("title-translations:\n  de: [a, b]", 4, 7),
    ("publisher:\n  name: P\n  town: V", 5, 9),
    ("license: {name: CC BY, link: x}", 3, 30),
    ("keywords:\n  - a\n  - [b]", 5, 5),
    ("source:\n  journal: J\n  page: 3", 5, 9),
])
def test_a_nested_front_matter_error_points_at_the_value(front, line, col):
    with pytest.raises(PubconvError) as info:
        read("x\n", front="title: T\n" + front)
    assert info.value.code in ("bad-front-matter", "bad-orcid")
    assert (info.value.pos.line, info.value.pos.column) == (line, col), str(info.value)


@pytest.mark.parametrize("written", ["https://doi.org/10.5555/x.1", "doi:10.5555/x.1", "DOI: 10.5555/x.1",
                                     "http://dx.doi.org/10.5555/x.1", "10.5555/x.1"])
def test_a_doi_in_any_common_form_is_stored_bare(written):
    doc = read("x\n", front=f"title: T\ndoi: \"{written}\"")
    assert doc.find("p:meta/p:doi").text == "10.5555/x.1"


def test_a_note_call_in_the_subtitle_is_not_silent():
    found = Collector()
    doc = read("x\n\n[^s]: The note.\n", front='title: T\nsubtitle: "Sub[^s]"', found=found)
    assert text_of(doc.find("p:meta/p:subtitle")) == "Sub[^s]"  # printed as written...
    assert [(d.code, d.pos.line) for d in found.items if d.code == "subtitle-note"] == [("subtitle-note", 3)]


def test_a_call_in_the_title_without_a_note_is_not_silent():
    found = Collector()
    read("x\n", front='title: "T[^1]"', found=found)
    assert [(d.code, d.pos.line) for d in found.items] == [("missing-note", 2)]

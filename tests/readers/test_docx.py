"""The Word reader: committed fixtures from two producers, tiny hand-made packages, the seed through Pandoc."""
from __future__ import annotations

import importlib.util
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from docx_build import NSDECL, notes, p, package, r, style, styles
from pubconv import api
from pubconv.cli import find_sources, main
from pubconv.document import SRC_NS, XPATH_NS, serialize, text_of
from pubconv.errors import Collector, PubconvError, SourcePos
from pubconv.readers import read_bytes, read_source

from conftest import FIXTURES

DOCX = FIXTURES / "docx"
_spec = importlib.util.spec_from_file_location("docx_make", DOCX / "make.py")
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)


def read(data: bytes, tmp_path: Path, name: str = "c208.docx"):
    found = Collector()
    path = tmp_path / name
    path.write_bytes(data)
    return read_source(path, found), found


def codes(found: Collector) -> list[str]:
    return [d.code for d in found.items]


def without_positions(el) -> str:
    el = etree.fromstring(etree.tostring(el, with_tail=False))
    for e in el.iter():
        for key in [k for k in e.attrib if k.startswith(f"{{{SRC_NS}}}")]:
            del e.attrib[key]
    return etree.tostring(el, method="c14n2").decode()


def need(tool: str, path: str | None) -> str:
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is needed to regenerate the .docx fixtures")
        pytest.skip(f"{tool} is not installed")
    return path


# ---------------------------------------------------------------- the committed fixtures


def test_pandoc_fixture():
    found = Collector()
    doc = read_source(DOCX / "pandoc-notes.docx", found)
    assert doc.root.get(f"{{{SRC_NS}}}form") == "docx"
    assert without_positions(doc.find("p:meta/p:title")).endswith(
        ">Harbour levies and the <em>Adriatic</em> ports</title>")
    assert text_of(doc.find("p:meta/p:subtitle")) == "A note on port finance"
    assert [(a.findtext("p:name/p:given", namespaces=XPATH_NS), a.findtext("p:name/p:family", namespaces=XPATH_NS))
            for a in doc.xpath("//p:author")] == [("Mirela", "Kovač"), ("Tomás", "van der Berg")]
    assert doc.find("p:meta/p:date").get("iso") == "2024-05-14"
    notes_ = doc.xpath("//p:note")
    assert [n.get("n") for n in notes_] == ["1", "2", "3"]
    assert [len(n) for n in notes_] == [3, 1, 1]  # the first note keeps its three paragraphs
    first = doc.xpath("//p:body/p:p")[0]
    assert without_positions(first).count("<strong>three</strong> kinds") == 1
    assert "10<sup>4</sup> tonnes" in without_positions(first) and "CO<sub>2</sub>" in without_positions(first)
    assert [(lst.get("type"), len(lst.findall("p:item", XPATH_NS))) for lst in doc.xpath("//p:list")] == [
        ("bullet", 3), ("ordered", 2)]
    assert len(doc.xpath("//p:quote")) == 1
    table = doc.find(".//p:table")
    assert text_of(table.find("p:caption", XPATH_NS)) == "Berth levies for a 10,000-tonne vessel"
    assert [text_of(c) for c in table.xpath("p:thead/p:row/p:cell", namespaces=XPATH_NS)] == ["Port", "Levy (EUR)"]
    assert table.xpath("p:tbody/p:row/p:cell", namespaces=XPATH_NS)[1].get("align") == "right"
    assert [link.get("href") for link in doc.xpath("//p:body//p:link")] == ["https://ports.example.org/tariff"]
    # the internal link points at its section: a cross-reference once the transform stage resolved it
    assert [(x.get("type"), x.get("ref")) for x in doc.xpath("//p:body//p:xref")] == [("sec", "sec-1")]
    refs = doc.xpath("//p:ref")
    assert [r_.findtext("p:url", namespaces=XPATH_NS) for r_ in refs] == [
        "https://books.example.org/port-finance", "https://doi.org/10.5555/crps.2023.7"]
    assert refs[1].findtext("p:doi", namespaces=XPATH_NS) == "10.5555/crps.2023.7"
    assert len(doc.xpath("//p:cite")) == 2
    assert found.items == []


def test_libreoffice_fixture():
    found = Collector()
    doc = read_source(DOCX / "writer-features.docx", found)
    # the Title paragraph wins over the stale title in docProps/core.xml; authors from the "By" line
    assert text_of(doc.find("p:meta/p:title")) == "Grain corridors after the Black Sea deal"
    assert [a.findtext("p:name/p:family", namespaces=XPATH_NS) for a in doc.xpath("//p:author")] == [
        "Sá", "Lindqvist"]
    assert doc.find("p:meta/p:date").get("iso") == "2023-09"
    # footnotes and the endnote numbered together in call order, every paragraph kept
    notes_ = doc.xpath("//p:note")
    assert [n.get("n") for n in notes_] == ["1", "2", "3", "4"]
    assert [len(n) for n in notes_] == [2, 1, 3, 1]
    assert text_of(notes_[1]).startswith("An endnote")
    # custom heading styles based on Heading 1 / Heading 2
    assert [(s.get("level"), text_of(s.find("p:heading", XPATH_NS))) for s in doc.xpath("//p:section")] == [
        ("2", "Three corridors"), ("3", "Costs in numbers")]
    # tracked changes accepted: the insertion kept, the deletion dropped
    body = " ".join(text_of(x) for x in doc.xpath("//p:body//p:p"))
    assert "The change was largely permanent" in body and "quite possibly" not in body
    para = doc.xpath("//p:body/p:p")[0]
    xml = without_positions(para)
    assert "<strong>Solidarity Lanes</strong>" in xml and "<em>most</em>" in xml and "10<sup>6</sup>" in xml
    assert "NO<sub>x</sub>" in xml and "<em>waived</em>" in xml  # underline is emphasis
    table = doc.find(".//p:table")
    assert text_of(table.find("p:caption", XPATH_NS)) == "Cost per tonne by corridor"  # "Table 1: " is printed by pubconv
    assert len(table.xpath("p:thead/p:row", namespaces=XPATH_NS)) == 1
    figure = doc.find(".//p:figure")
    assert figure.find("p:image", XPATH_NS).get("alt") == "Map of the three grain corridors from Odesa"
    assert text_of(figure.find("p:caption", XPATH_NS)) == "The corridors"
    assert (doc.base_dir / figure.find("p:image", XPATH_NS).get("src")).read_bytes().startswith(b"\x89PNG")
    assert [(lst.get("type"), len(lst)) for lst in doc.xpath("//p:list")] == [("bullet", 3), ("ordered", 2)]
    assert len(doc.xpath("//p:quote")) == 1 and len(doc.xpath("//p:ref")) == 2
    messages = [str(d).replace(str(DOCX) + "/", "") for d in found.items]
    assert messages == [
        "writer-features.docx: paragraph 6: warning: comment 0 is dropped (by Reviewer: 'Is this still true in "
        "2024?') [docx-comment]",
        "writer-features.docx: paragraph 6: warning: the document has 2 unaccepted tracked changes (1 insertion(s) "
        "kept, 1 deletion(s) dropped); accept or reject them in Word to decide yourself [docx-revisions]",
        "writer-features.docx: docProps/core.xml: warning: the keywords and abstract come from the file's properties "
        "(docProps/core.xml), which Word often fills in by itself; check them, or give them in the document or in "
        "writer-features.yaml [docx-core-metadata]",
    ]


@pytest.mark.parametrize("producer,tool", [("pandoc", make.pandoc_path), ("writer", make.soffice_path)])
def test_a_fresh_docx_from_each_producer_reads_the_same(producer, tool, tmp_path):
    need(producer, tool())
    fresh = make.make_docx(producer, tmp_path)
    committed = read_source(DOCX / fresh.name, Collector())
    again = read_source(fresh, Collector())
    assert without_positions(again.root) == without_positions(committed.root)


def test_all_three_outputs_from_one_docx(assert_valid, tmp_path):
    from jats_validate import dtd_errors, parse

    src = tmp_path / "writer-features.docx"
    shutil.copyfile(DOCX / "writer-features.docx", src)
    (tmp_path / "pubconv.toml").write_text('[publisher]\nname = "Centre for Regional Policy Studies"\n'
                                           'issn = "2791-4410"\n[document]\nlicense = "CC BY 4.0"\n',
                                           encoding="utf-8")
    doc = api.read(src)  # pubconv.toml fills what the document leaves out
    assert doc.root.findtext("p:meta/p:publisher/p:name", namespaces=XPATH_NS) == "Centre for Regional Policy Studies"
    assert doc.root.findtext("p:meta/p:license", namespaces=XPATH_NS) == "CC BY 4.0"
    result = api.convert(src, to=["pdf", "epub", "jats"], write=False)
    assert_valid(result.data["epub"])
    dtd_root = Path(api.__file__).parent / "schema" / "jats"
    assert dtd_errors(result.data["jats"], dtd_root) == []
    jats = parse(result.data["jats"])
    assert len(jats.xpath("//fn")) == 4 and jats.xpath("//graphic")
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(result.data["pdf"])).pages)
    assert "Izmail and Reni" in text and "averages for 2023" in text


# ---------------------------------------------------------------- the seed, through Pandoc


def _parts(d) -> dict:
    """What a commentary written to .docx must keep: title, authors, date, paragraphs, notes, references."""
    date = d.find("p:meta/p:date")
    return {
        "title": without_positions(d.find("p:meta/p:title")),
        "authors": [without_positions(a.find("p:name", XPATH_NS)) for a in d.xpath("//p:author")],
        "date": without_positions(date) if date is not None else None,
        "paragraphs": [without_positions(x) for x in d.xpath("//p:body//p:p[not(ancestor::p:note)]")],
        "notes": [without_positions(n) for n in d.xpath("//p:note")],
        "references": [without_positions(x) for x in d.xpath("//p:ref")],
        "headings": [without_positions(h) for h in d.xpath("//p:section/p:heading")],
        "lists": [(x.get("type"), len(x)) for x in d.xpath("//p:list")],
    }


def _through_pandoc(source: Path, tmp_path: Path):
    need("pandoc", make.pandoc_path())
    original = read_source(source, Collector())
    found = Collector()
    docx = make.markdown_to_docx(make.markdown_from(original.root), tmp_path / (source.stem + ".docx"))
    return _parts(original), _parts(read_source(docx, found)), found


def test_seed_as_docx_reads_like_the_seed(seed_path, tmp_path):
    expected, got, found = _through_pandoc(seed_path, tmp_path)
    assert len(got["notes"]) == 11 and len(got["references"]) == 24
    for key in expected:
        assert got[key] == expected[key], key
    assert found.items == []


# The kitchen sink and the PDF's floats fixture use the authoring form's own syntax (@fig: references, {#id},
# spans with a language, smart punctuation), which Pandoc's Word writer renders as text: it cannot be the same
# document twice.
# Header shapes that exist only in text extracted from a PDF (a note mark on the title, numbered author notes
# under the byline, one author per line with an affiliation under each, a venue line, a name suffix): Pandoc
# writes them to Word as plain paragraphs, and a Word title page does not say them that way.
EXTRACTED_ONLY = {"kitchen-sink", "floats", "numbered-author-notes", "one-per-line", "title-note", "venue-line"}
MARKDOWN_FIXTURES = [p for p in sorted(FIXTURES.glob("*/*/*.md"))
                     if p.parent.name not in EXTRACTED_ONLY and p.name != "README.md" and "bad" not in p.parts] + [
    FIXTURES / "sample" / "comment-118.md"]


@pytest.mark.parametrize("source", MARKDOWN_FIXTURES, ids=[f"{p.parent.name}/{p.name}" for p in MARKDOWN_FIXTURES])
def test_every_markdown_fixture_as_docx_reads_the_same(source, tmp_path):
    expected, got, found = _through_pandoc(source, tmp_path)
    if expected["date"] is None:  # Pandoc's docProps/core.xml always has a creation date: the reader warns
        assert got.pop("date") is not None and "docx-core-metadata" in [d.code for d in found.items]
        expected.pop("date")
    for key in expected:
        assert got[key] == expected[key], key


# ---------------------------------------------------------------- styles, lists, notes


def test_localised_and_custom_heading_styles(tmp_path):
    st = styles(style("berschrift2", "heading 2"), style("MeinAbschnitt", "Mein Abschnitt", "berschrift2"),
                style("Deep", "Deeper still", "MeinAbschnitt"), style("Titel", "Title"),
                style("Out", "Outlined", extra='<w:pPr><w:outlineLvl w:val="2"/></w:pPr>'))
    data = package(p("A title", style="Titel") + p("Intro.") + p("Part one", style="MeinAbschnitt") + p("Text.")
                   + p("Part two", style="Deep") + p("Sub", style="Out") + p("More."), parts={"styles": st})
    doc, _ = read(data, tmp_path)
    assert text_of(doc.find("p:meta/p:title")) == "A title"
    assert [(s.get("level"), text_of(s.find("p:heading", XPATH_NS))) for s in doc.xpath("//p:section")] == [
        ("2", "Part one"), ("2", "Part two"), ("3", "Sub")]


def test_notes_numbered_in_call_order_separators_skipped(tmp_path):
    fn = notes("footnote", ("7", p("Seven, first paragraph.") + p("Seven, second.")), ("3", p("Three.")),
               ("9", p("Never called.")))
    en = notes("endnote", ("2", p("An endnote.")))
    call = lambda kind, i: f'<w:r><w:{kind}Reference w:id="{i}"/></w:r>'  # noqa: E731
    data = package(p("T", style="Title") + p("One", call("footnote", 7), " two", call("endnote", 2), " three",
                                             call("footnote", 3)),
                   parts={"styles": styles(style("Title", "Title")), "footnotes": fn, "endnotes": en})
    doc, found = read(data, tmp_path)
    assert [(n.get("n"), text_of(n)) for n in doc.xpath("//p:note")] == [
        ("1", "Seven, first paragraph.Seven, second."), ("2", "An endnote."), ("3", "Three.")]
    assert [len(n) for n in doc.xpath("//p:note")] == [2, 1, 1]
    assert [(d.code, str(d.pos)) for d in found.items] == [("uncalled-note", str(tmp_path / "c208.docx"))]
    assert doc.pos(doc.xpath("//p:note/p:p")[1]) == SourcePos(str(tmp_path / "c208.docx"),
                                                              where="note 1, paragraph 2")


def test_lists_from_numbering(tmp_path):
    numbering = (f'<w:numbering {NSDECL}>'
                 '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
                 '</w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/></w:lvl></w:abstractNum>'
                 '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="decimal"/></w:lvl></w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
                 '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
                 '<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/>'
                 '</w:lvlOverride></w:num></w:numbering>')

    def item(text, num, lvl=0):
        return p(text, ppr=f'<w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{num}"/></w:numPr>')

    data = package(p("T", style="Title") + item("a", 1) + item("a.i", 1, 1) + item("a.ii", 1, 1) + item("b", 1)
                   + item("one", 2) + item("two", 2) + p("Interruption.") + item("three", 2) + item("five", 3),
                   parts={"styles": styles(style("Title", "Title")), "numbering": numbering})
    doc, _ = read(data, tmp_path)
    lists = [(x.get("type"), x.get("start"), [text_of(i.find("p:p", XPATH_NS)) for i in x.findall("p:item", XPATH_NS)])
             for x in doc.xpath("//p:list")]
    assert lists == [("bullet", None, ["a", "b"]), ("ordered", "1", ["a.i", "a.ii"]), ("ordered", "1", ["one", "two"]),
                     ("ordered", "3", ["three"]), ("ordered", "5", ["five"])]


def test_quotes_by_style_and_by_indentation(tmp_path):
    data = package(p("T", style="Title") + p("Said once.", style="Quote") + p("Said twice.", style="Quote")
                   + p("Body.") + p("Indented.", ppr='<w:ind w:left="1134"/>') + p("First-line only.",
                                                                                   ppr='<w:ind w:firstLine="720"/>'),
                   parts={"styles": styles(style("Title", "Title"), style("Quote", "Quote"))})
    doc, _ = read(data, tmp_path)
    assert [[text_of(x) for x in q_] for q_ in doc.xpath("//p:quote")] == [["Said once.", "Said twice."],
                                                                           ["Indented."]]
    assert [text_of(x) for x in doc.xpath("//p:body/p:p")] == ["Body.", "First-line only."]


def test_runs_merge_and_breaks(tmp_path):
    st = styles(style("Title", "Title"), style("Strong", "Strong", kind="character", extra="<w:rPr><w:b/></w:rPr>"))
    body = p("T", style="Title") + p(r("bo", "<w:b/>"), r("ld", "<w:b/>"), r(" ", "<w:b/>"), r("on", '<w:b/>'),
                                     " plain ", r("strong", '<w:rStyle w:val="Strong"/>'),
                                     r("not bold", '<w:b w:val="0"/>'),
                                     '<w:r><w:br w:type="page"/><w:t>after page</w:t><w:br/><w:t>line</w:t></w:r>')
    doc, _ = read(package(body, parts={"styles": st}), tmp_path)
    xml = without_positions(doc.find(".//p:body/p:p"))
    assert "<strong>bold on</strong> plain <strong>strong</strong>not boldafter page<br></br>line" in xml


def test_tracked_changes_and_deleted_paragraph_marks(tmp_path):
    body = (p("T", style="Title")
            + '<w:p><w:r><w:t xml:space="preserve">Kept </w:t></w:r><w:ins w:id="1" w:author="E"><w:r><w:t>new'
              '</w:t></w:r></w:ins><w:del w:id="2" w:author="E"><w:r><w:delText> old</w:delText></w:r></w:del>'
              '<w:moveFrom w:id="3"><w:r><w:t> moved away</w:t></w:r></w:moveFrom></w:p>'
            + '<w:p><w:pPr><w:rPr><w:del w:id="4" w:author="E"/></w:rPr></w:pPr><w:r><w:t xml:space="preserve">'
              'Joined </w:t></w:r></w:p>' + p("with the next."))
    doc, found = read(package(body, parts={"styles": styles(style("Title", "Title"))}), tmp_path)
    assert [text_of(x) for x in doc.xpath("//p:body/p:p")] == ["Kept new", "Joined with the next."]
    assert [str(d) for d in found.items] == [
        f"{tmp_path / 'c208.docx'}: paragraph 2: warning: the document has 4 unaccepted tracked changes "
        "(1 insertion(s) kept, 3 deletion(s) dropped); accept or reject them in Word to decide yourself "
        "[docx-revisions]"]


def test_comments_dropped_with_their_paragraph(tmp_path):
    comments = (f'<w:comments {NSDECL}><w:comment w:id="5" w:author="Ed"><w:p><w:r><w:t>Source?</w:t></w:r></w:p>'
                '</w:comment></w:comments>')
    body = p("T", style="Title") + p("One.") + p('<w:commentRangeStart w:id="5"/>', "Two.",
                                                 '<w:commentRangeEnd w:id="5"/>',
                                                 '<w:r><w:commentReference w:id="5"/></w:r>')
    doc, found = read(package(body, parts={"styles": styles(style("Title", "Title")), "comments": comments}),
                      tmp_path, "x.docx")
    assert [text_of(x) for x in doc.xpath("//p:body/p:p")] == ["One.", "Two."]
    assert [str(d).replace(str(tmp_path) + "/", "") for d in found.items] == [
        "x.docx: paragraph 3: warning: comment 5 is dropped (by Ed: 'Source?') [docx-comment]"]


def test_hyperlink_fields_and_toc_fields(tmp_path):
    def fld(kind):
        return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'

    body = (p("T", style="Title")
            + p(fld("begin"), '<w:r><w:instrText> TOC \\o "1-3" </w:instrText></w:r>', fld("separate"), "Part one 2",
                style="TOC1")
            + p("Part two 3", fld("end"), style="TOC1")
            + p("See ", fld("begin"), '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.org/x" '
                '</w:instrText></w:r>', fld("separate"), "the page", fld("end"), "."))
    doc, found = read(package(body, parts={"styles": styles(style("Title", "Title"), style("TOC1", "toc 1"))}),
                      tmp_path)
    assert without_positions(doc.find(".//p:body/p:p")).endswith(
        'See <link href="https://example.org/x">the page</link>.</p>')
    assert codes(found) == ["docx-toc"]


def test_images_alt_text_caption_and_extraction(tmp_path):
    png = make.png(8, 6)
    rels = ('<Relationship Id="rIdImg" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'image" Target="media/chart.png"/>')
    drawing = ('<w:r><w:drawing><wp:inline><wp:extent cx="1" cy="1"/><wp:docPr id="1" name="Picture 1" '
               'descr="Exports by month, 2020-2023"/><a:graphic><a:graphicData><pic:pic><pic:blipFill>'
               '<a:blip r:embed="rIdImg"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline>'
               '</w:drawing></w:r>')
    data = package(p("T", style="Title") + p(drawing) + p("Figure 1. Exports", style="Caption"),
                   parts={"styles": styles(style("Title", "Title"), style("Caption", "caption"))}, rels=rels,
                   members={"word/media/chart.png": png})
    doc, found = read(data, tmp_path)
    fig = doc.find(".//p:figure")
    img = fig.find("p:image", XPATH_NS)
    assert (img.get("src"), img.get("alt")) == ("media/chart.png", "Exports by month, 2020-2023")
    assert text_of(fig.find("p:caption", XPATH_NS)) == "Exports"  # Word's own label goes: pubconv prints "Figure 1."
    assert (doc.base_dir / "media/chart.png").read_bytes() == png and doc.base_dir != tmp_path
    assert found.items == []
    folder = doc.base_dir
    del doc, fig, img
    import gc

    gc.collect()
    assert not folder.exists()  # the extracted pictures go with the document


def test_title_from_the_only_top_heading_and_core_properties(tmp_path):
    core = ('<dc:title>Core title</dc:title><dc:creator>Ana Sá; Jonas Lindqvist</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2022-02-03T10:00:00Z</dcterms:created>'
            '<cp:keywords>grain, rail</cp:keywords>')
    st = styles(style("H1", "heading 1"), style("H2", "heading 2"))
    doc, _ = read(package(p("The real title", style="H1") + p("Body.") + p("Section", style="H2") + p("More."),
                          parts={"styles": st}, core=core), tmp_path)
    assert text_of(doc.find("p:meta/p:title")) == "The real title"
    assert [a.findtext("p:name/p:family", namespaces=XPATH_NS) for a in doc.xpath("//p:author")] == ["Sá",
                                                                                                     "Lindqvist"]
    assert doc.find("p:meta/p:date").get("iso") == "2022-02-03"
    assert [k.text for k in doc.xpath("//p:keyword")] == ["grain", "rail"]
    doc, _ = read(package(p("Body only."), core=core), tmp_path)
    assert text_of(doc.find("p:meta/p:title")) == "Core title"


def test_no_title_is_an_error_at_paragraph_1(tmp_path):
    with pytest.raises(PubconvError) as err:
        read(package(p("Just a paragraph.")), tmp_path)
    assert err.value.code == "no-title" and str(err.value.pos).endswith("c208.docx: paragraph 1")


def test_sidecar_yaml_wins(tmp_path):
    (tmp_path / "c208.yaml").write_text("series: COMMENT\nnumber: 208\ntitle: From the sidecar\n"
                                        "authors:\n  - name: Ana Sá\n    orcid: 0000-0002-1825-0097\n"
                                        "doi: 10.5555/c208\n", encoding="utf-8")
    doc, _ = read(package(p("From the document", style="Title") + p("By Someone Else") + p("Body."),
                          parts={"styles": styles(style("Title", "Title"))}), tmp_path)
    assert text_of(doc.find("p:meta/p:title")) == "From the sidecar"
    assert doc.root.findtext("p:meta/p:series/p:number", namespaces=XPATH_NS) == "208"
    assert doc.root.findtext("p:meta/p:doi", namespaces=XPATH_NS) == "10.5555/c208"
    assert [a.findtext("p:orcid", namespaces=XPATH_NS) for a in doc.xpath("//p:author")] == ["0000-0002-1825-0097"]
    assert str(doc.pos(doc.find("p:meta/p:doi"))).endswith("c208.docx: c208.yaml line 7")
    (tmp_path / "c208.yaml").write_text("title: ok\nwhat: no\n", encoding="utf-8")
    with pytest.raises(PubconvError) as err:
        read(package(p("x")), tmp_path)
    assert err.value.code == "bad-front-matter" and str(err.value.pos).endswith("c208.yaml:2")


# ---------------------------------------------------------------- safety


def test_zip_bomb_refused(tmp_path):
    data = package(p("T"), members={"word/media/zeros.bin": b"\0" * (4 * 1024 * 1024)})
    with pytest.raises(PubconvError) as err:
        read(data, tmp_path)
    assert err.value.code == "zip-bomb"


def test_paths_outside_the_package_refused(tmp_path):
    with pytest.raises(PubconvError) as err:
        read(package(p("T"), members={"../evil.xml": "<x/>"}), tmp_path)
    assert err.value.code == "docx-path"
    rels = ('<Relationship Id="rIdImg" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'image" Target="../../../etc/passwd"/>')
    with pytest.raises(PubconvError) as err:
        read(package(p("T", '<w:r><w:drawing><wp:inline><wp:docPr id="1" name="x"/><a:blip r:embed="rIdImg"/>'
                          '</wp:inline></w:drawing></w:r>'), rels=rels), tmp_path)
    assert err.value.code == "docx-path"


@pytest.mark.parametrize("prolog", ['<!DOCTYPE w:document [<!ENTITY x "boom">]>',
                                    '<!DOCTYPE w:document SYSTEM "file:///etc/passwd">'])
def test_doctype_and_entities_refused(prolog, tmp_path):
    document = f'<?xml version="1.0"?>{prolog}<w:document {NSDECL}><w:body>{p("T")}</w:body></w:document>'
    with pytest.raises(PubconvError) as err:
        read(package("", document=document), tmp_path)
    assert err.value.code == "xml-doctype"


def test_external_relationships_never_fetched_and_macros_ignored(tmp_path):
    rels = ('<Relationship Id="rIdL" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"'
            ' Target="http://127.0.0.1:9/tracker.png" TargetMode="External"/>')
    drawing = ('<w:r><w:drawing><wp:inline><wp:docPr id="1" name="x" descr="A remote chart"/><a:graphic>'
               '<a:graphicData><pic:pic><pic:blipFill><a:blip r:link="rIdL"/></pic:blipFill></pic:pic>'
               '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')
    data = package(p("T", style="Title") + p("Before ", drawing),
                   parts={"styles": styles(style("Title", "Title"))}, rels=rels,
                   members={"word/vbaProject.bin": b"macro"})
    doc, found = read(data, tmp_path)
    assert codes(found) == ["docx-external", "docx-macros", "docx-linked-image"]
    assert text_of(doc.find(".//p:body/p:p")) == "Before A remote chart"


@pytest.mark.parametrize("data,code", [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "docx-format"),
                                       (b"PK\x03\x04 not really", "docx-format"),
                                       (b"plain text", "docx-format")])
def test_not_a_docx(data, code, tmp_path):
    with pytest.raises(PubconvError) as err:
        read(data, tmp_path)
    assert err.value.code == code


# ---------------------------------------------------------------- positions, registry, CLI


def test_where_positions_print_as_path_colon_label():
    assert str(SourcePos("c208.docx", where="paragraph 12")) == "c208.docx: paragraph 12"
    assert str(SourcePos("c207.md", 12, 3)) == "c207.md:12:3"


def test_from_docx_and_folders(tmp_path, capsys):
    folder = tmp_path / "comments"
    folder.mkdir()
    shutil.copyfile(DOCX / "pandoc-notes.docx", folder / "c1.DOCX")
    (folder / "~$c1.DOCX").write_bytes(b"\0lock")
    (folder / "c2.md").write_text("---\ntitle: x\n---\n\nText.\n", encoding="utf-8")
    found, problems = find_sources([str(folder)])
    assert [f.name for f in found] == ["c1.DOCX", "c2.md"] and problems == []
    assert main(["check", str(folder / "c1.DOCX")]) == 0
    assert main(["check", "--from", "docx", str(folder / "c2.md")]) == 1
    assert "not a .docx" in capsys.readouterr().err
    doc = read_bytes((DOCX / "pandoc-notes.docx").read_bytes(), str(tmp_path / "c.bin"), Collector(), form="docx")
    assert len(doc.xpath("//p:note")) == 3


def test_byline_custom_marks_text_boxes_and_merged_cells(tmp_path):
    fn = notes("footnote", ("1", p("Views are the authors’ own.")))
    st = styles(style("Title", "Title"), style("Hyperlink", "Hyperlink", kind="character",
                                                extra='<w:rPr><w:u w:val="single"/></w:rPr>'))
    box = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="2" name="Box"/>'
           '<a:graphic><a:graphicData><w:txbxContent>' + p("Boxed text.") + '</w:txbxContent></a:graphicData>'
           '</a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>' + p("Boxed text.")
           + '</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>')
    table = ('<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>' + p("Wide") + '</w:tc></w:tr>'
             '<w:tr><w:tc>' + p("a") + '</w:tc><w:tc>' + p("b") + p("b2") + '</w:tc></w:tr>'
             '<w:tr><w:trPr><w:del w:id="9" w:author="E"/></w:trPr><w:tc>' + p("gone") + '</w:tc></w:tr></w:tbl>')
    body = (p("T", style="Title") + p("By Ana Sá, Director of Studies and Jonas Lindqvist")
            + p("Text", '<w:r><w:footnoteReference w:customMarkFollows="1" w:id="1"/><w:t>*</w:t></w:r>', " on.",
                r("plain link look", '<w:rStyle w:val="Hyperlink"/>'))
            + p("Anchor.", box) + table)
    doc, found = read(package(body, parts={"styles": st, "footnotes": fn}), tmp_path)
    assert [a.findtext("p:name/p:family", namespaces=XPATH_NS) for a in doc.xpath("//p:author")] == ["Sá",
                                                                                                     "Lindqvist"]
    first = doc.xpath("//p:body/p:p")[0]
    assert text_of(first) == "Text on.plain link look" and text_of(first, notes=True).count("*") == 0
    assert [text_of(x) for x in doc.xpath("//p:body/p:p")][1:] == ["Anchor.", "Boxed text."]
    assert without_positions(doc.find(".//p:tbody")).count("b<br></br>b2") == 1
    assert len(doc.xpath("//p:row")) == 2  # the deleted row is gone
    assert codes(found) == ["docx-text-box", "docx-merged-cells", "docx-revisions", "docx-author"]


def test_strict_ooxml_namespaces(tmp_path):
    strict = NSDECL.replace("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                            "http://purl.oclc.org/ooxml/wordprocessingml/main")
    document = f'<?xml version="1.0"?><w:document {strict}><w:body>{p("Strict body.")}</w:body></w:document>'
    doc, _ = read(package("", document=document, core="<dc:title>Strict</dc:title>"), tmp_path)
    assert text_of(doc.find(".//p:body/p:p")) == "Strict body."


def test_a_zip_bomb_on_the_command_line(tmp_path, capsys):
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(package(p("T"), members={"word/media/zeros.bin": b"\0" * (4 * 1024 * 1024)}))
    assert main(["convert", str(bomb), "--to", "xml", "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"{bomb}: error: package member 'word/media/zeros.bin' inflates" in err
    assert "[zip-bomb]" in err and not (tmp_path / "out" / "bomb.pubconv.xml").exists()


def test_empty_notes_are_kept_with_a_warning(tmp_path):
    fn = notes("footnote", ("1", '<w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r></w:p>'),
               ("2", ""))
    body = p("T", style="Title") + p("a", '<w:r><w:footnoteReference w:id="1"/></w:r>',
                                     '<w:r><w:footnoteReference w:id="2"/></w:r>')
    doc, found = read(package(body, parts={"styles": styles(style("Title", "Title")), "footnotes": fn}), tmp_path)
    assert [len(n) for n in doc.xpath("//p:note")] == [1, 1]
    assert [(d.code, d.pos.where) for d in found.items] == [("empty-note", "note 1"), ("empty-note", "note 2")]


def test_series_date_and_doi_lines_above_the_body(tmp_path):
    body = (p("WORKING PAPER 37") + p("Grain and gauges", style="Title") + p("By Ana Sá")
            + p("3 March 2021 – DOI: 10.5555/crps.wp37") + p("Body.")
            + p("Hanging entry, not a quote.", ppr='<w:ind w:left="720" w:hanging="720"/>'))
    doc, found = read(package(body, parts={"styles": styles(style("Title", "Title"))}), tmp_path)
    meta = doc.find("p:meta")
    assert (meta.findtext("p:series/p:label", namespaces=XPATH_NS),
            meta.findtext("p:series/p:number", namespaces=XPATH_NS)) == ("WORKING PAPER", "37")
    assert meta.find("p:date", XPATH_NS).get("iso") == "2021-03-03"
    assert meta.findtext("p:doi", namespaces=XPATH_NS) == "10.5555/crps.wp37"
    assert [text_of(x) for x in doc.xpath("//p:body/p:p")] == ["Body.", "Hanging entry, not a quote."]
    assert found.items == []


def test_the_sidecar_is_part_of_the_build_key(tmp_path):
    from pubconv import build

    src = tmp_path / "c.docx"
    shutil.copyfile(DOCX / "pandoc-notes.docx", src)
    job = build.Job(src, ("xml",), tmp_path / "out")
    before = build.KeyMaker().key(job)
    (tmp_path / "c.yaml").write_text("doi: 10.5555/x\n", encoding="utf-8")
    assert build.KeyMaker().key(job) != before


def test_outputs_are_the_same_bytes_every_time_and_the_pictures_folder_goes(tmp_path):
    import gc
    import glob
    import tempfile

    before = set(glob.glob(str(Path(tempfile.gettempdir()) / "pubconv-docx-*")))
    runs = [api.convert(DOCX / "writer-features.docx", to=["epub", "jats", "xml"], write=False).data for _ in range(2)]
    assert runs[0] == runs[1]
    gc.collect()
    assert set(glob.glob(str(Path(tempfile.gettempdir()) / "pubconv-docx-*"))) <= before


def test_notes_on_the_title_and_author_lines_become_author_notes(tmp_path):
    fn = notes("footnote", ("1", p("The views are the authors’ own.")), ("2", p("Ana Sá directs CRPS.")),
               ("3", p("A body note.")))
    call = lambda i: f'<w:r><w:footnoteReference w:id="{i}"/></w:r>'  # noqa: E731
    body = (p("Grain", call(1), style="Title") + p("By Ana Sá", call(2), " and Jonas Lindqvist")
            + p("Body", call(3), "."))
    doc, found = read(package(body, parts={"styles": styles(style("Title", "Title")), "footnotes": fn}), tmp_path)
    assert without_positions(doc.find("p:meta/p:title")).endswith(">Grain</title>")
    assert [(a.get("id"), a.get("notes")) for a in doc.xpath("//p:author")] == [("author-1", "an-1 an-2"),
                                                                                ("author-2", None)]
    assert [(n.get("symbol"), text_of(n)) for n in doc.xpath("//p:author-note")] == [
        ("*", "The views are the authors’ own."), ("**", "Ana Sá directs CRPS.")]
    body_notes = doc.xpath("//p:note")
    assert [(n.get("id"), n.get("n"), text_of(n)) for n in body_notes] == [("fn-1", "1", "A body note.")]
    assert doc.pos(body_notes[0]).where == "note 1" and found.items == []


def test_a_bold_references_paragraph_heads_the_reference_list(tmp_path):
    body = (p("T", style="Title") + p("Text (Kovač, 2019).") + p(r("References:", "<w:b/>"))
            + p("Kovač, M. (2019). Ports. ", '<w:hyperlink r:id="rIdL"><w:r><w:t>https://ports.example.org/k</w:t>'
                '</w:r></w:hyperlink>') + p("Roe, R. (2020). Other.") + p("Annex", style="H1") + p("After."))
    rels = ('<Relationship Id="rIdL" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'hyperlink" Target="https://ports.example.org/k" TargetMode="External"/>')
    doc, _ = read(package(body, parts={"styles": styles(style("Title", "Title"), style("H1", "heading 1"))},
                          rels=rels), tmp_path)
    refs = doc.xpath("//p:ref")
    assert [text_of(r_.find("p:text", XPATH_NS)) for r_ in refs] == ["Kovač, M. (2019). Ports.", "Roe, R. (2020). Other."]
    assert refs[0].findtext("p:url", namespaces=XPATH_NS) == "https://ports.example.org/k"
    assert text_of(doc.find("p:references/p:heading")) == "References"
    assert len(doc.xpath("//p:cite")) == 1 and text_of(doc.find(".//p:section/p:p")) == "After."


def test_title_page_lines_after_a_late_title_or_a_heading_title(tmp_path):
    st = styles(style("Title", "Title"), style("Sub", "Subtitle"), style("H1", "heading 1"), style("H2", "heading 2"))
    doc, _ = read(package(p("DRAFT – not for circulation") + p("The title", style="Title") + p("The sub", style="Sub")
                          + p("By Ana Sá") + p("Body."), parts={"styles": st}), tmp_path)
    assert (text_of(doc.find("p:meta/p:title")), text_of(doc.find("p:meta/p:subtitle"))) == ("The title", "The sub")
    assert [text_of(x) for x in doc.xpath("//p:body/p:p")] == ["DRAFT – not for circulation", "Body."]
    doc, _ = read(package(p("Heading title", style="H1") + p("By Ana Sá and Jonas Lindqvist") + p("May 2024")
                          + p("Body.") + p("Part", style="H2") + p("More."), parts={"styles": st}), tmp_path)
    assert text_of(doc.find("p:meta/p:title")) == "Heading title" and len(doc.xpath("//p:author")) == 2
    assert doc.find("p:meta/p:date").get("iso") == "2024-05"
    assert [text_of(x) for x in doc.xpath("//p:body//p:p")] == ["Body.", "More."]


def test_a_damaged_package_is_an_error_not_a_crash(tmp_path):
    data = bytearray((DOCX / "writer-features.docx").read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 40, start + 60):  # the deflate stream of the main part, not its header
        data[i] ^= 0x5A
    with pytest.raises(PubconvError) as err:
        read(bytes(data), tmp_path)
    assert err.value.code == "docx-format" and "word/document.xml" in err.value.message


def test_an_abstract_heading_and_a_bold_header_row(tmp_path):
    st = styles(style("Title", "Title"), style("H1", "heading 1"))
    table = ('<w:tbl><w:tr><w:tc>' + p(r("Port", "<w:b/>")) + '</w:tc><w:tc>' + p(r("Levy", "<w:b/>")) + '</w:tc></w:tr>'
             '<w:tr><w:tc>' + p("Koper") + '</w:tc><w:tc>' + p("385") + '</w:tc></w:tr></w:tbl>')
    body = (p("T", style="Title") + p("Abstract", style="H1") + p("What this is about.") + p("Second.")
            + p("Introduction", style="H1") + p("Body.") + table)
    doc, _ = read(package(body, parts={"styles": st}), tmp_path)
    assert [text_of(x) for x in doc.xpath("//p:abstract/p:p")] == ["What this is about.", "Second."]
    assert [text_of(s_.find("p:heading", XPATH_NS)) for s_ in doc.xpath("//p:section")] == ["Introduction"]
    assert [text_of(c) for c in doc.xpath("//p:thead/p:row/p:cell")] == ["Port", "Levy"]
    assert len(doc.xpath("//p:tbody/p:row")) == 1


@pytest.mark.parametrize("name", ["pandoc-notes", "writer-features"])
def test_fixture_intermediates_match_their_goldens(name, update_goldens):
    """The whole intermediate of each committed .docx, positions included (``--update-goldens`` rewrites)."""
    doc = read_source(DOCX / f"{name}.docx", Collector())
    got = serialize(doc.root).decode()
    golden = DOCX / f"{name}.expected.pubconv.xml"
    if update_goldens or not golden.exists():
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_a_typed_url_at_the_end_of_an_entry_is_its_url(tmp_path):
    body = (p("T", style="Title") + p("Body.") + p("References", style="H1")
            + p("Roe, R. (2020). ", r("Other", "<w:i/>"), ". https://papers.example.org/roe.") + p("Doe, J. (2021). Plain."))
    doc, _ = read(package(body, parts={"styles": styles(style("Title", "Title"), style("H1", "heading 1"))}), tmp_path)
    refs = doc.xpath("//p:ref")
    assert [r_.findtext("p:url", namespaces=XPATH_NS) for r_ in refs] == ["https://papers.example.org/roe", None]
    assert without_positions(refs[0].find("p:text", XPATH_NS)).endswith("<em>Other</em>.</text>")

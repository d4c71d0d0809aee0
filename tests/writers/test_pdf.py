"""The PDF writer, checked through readers of the PDF it writes.

Notes and calls are read back page by page with ``tests/pdf_reading.py``
(poppler's ``pdftotext -bbox`` and the calls' links); fonts, metadata, outline,
XMP and structure come from pikepdf.
"""
from __future__ import annotations

import copy
import os
import re
import subprocess
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from pubconv import document
from pubconv.document import q, text_of
from pubconv.errors import Collector, PubconvError
from pubconv.writers import WriteOptions, pdf
from pdf_reading import PT_PER_MM, check_notes, need, note_text_by_page, squeeze, words_by_page

ROOT = Path(__file__).resolve().parents[2]
LONG_NOTES = ROOT / "fixtures" / "intermediate" / "long-notes" / "long-notes.pubconv.xml"


def load(path: Path) -> document.Document:
    return document.parse(path.read_bytes(), str(path), path.parent)


def write(doc, **options) -> bytes:
    found = Collector()
    data = pdf.write(doc, WriteOptions(**options), found)
    assert not found.errors
    return data


@pytest.fixture(scope="module")
def long_notes():
    return load(LONG_NOTES)


@pytest.fixture(scope="module")
def complete_pdf(complete_intermediate):
    return write(complete_intermediate)


@pytest.fixture(scope="module")
def long_pdf(long_notes):
    return write(long_notes)


# ---------------------------------------------------------------- footnotes


def test_complete_notes_at_the_foot_of_their_pages(complete_intermediate, complete_pdf, tmp_path):
    check_notes(complete_intermediate, complete_pdf, tmp_path)


def test_long_notes_lose_nothing(long_notes, long_pdf, tmp_path):
    where = check_notes(long_notes, long_pdf, tmp_path)
    # The long note is longer than a page: it starts below its call and runs on over two more pages.
    assert len(where["3"]) >= 3


def test_three_paragraph_note_stays_whole(long_notes, long_pdf, tmp_path):
    note = long_notes.xpath("//p:note[@n='2']")[0]
    assert len(note.findall(q("p"))) == 3
    per_page = [squeeze(t) for t in note_text_by_page(long_pdf, tmp_path)]
    text = squeeze("2" + text_of(note, notes=True))
    assert sum(t.count(text) for t in per_page) == 1
    assert len(check_notes(long_notes, long_pdf, tmp_path)["2"]) == 1


@pytest.fixture(scope="module")
def extracted_pdf(extracted_commentary):
    """(document, PDF bytes) of an extracted-form commentary: the project's own, then the seed if present."""
    from pubconv import api

    doc = api.read(extracted_commentary)
    return doc, write(doc)


def test_extracted_notes_on_the_page_of_their_call(extracted_pdf, tmp_path):
    doc, data = extracted_pdf
    expected = {"two-authors.md": 10, "000_bf325db2ee15cea7.txt": 11}[Path(doc.path).name]
    assert len(doc.xpath("//p:note")) == expected
    check_notes(doc, data, tmp_path)


def test_sample_commentary_notes_and_hyphenation(tmp_path):
    from pubconv import api

    doc = api.read(ROOT / "fixtures" / "sample" / "comment-118.md")
    data = write(doc)
    check_notes(doc, data, tmp_path)
    # hyphens: auto with the document's language: some lines end in a hyphenation point.
    words = [w[0] for page in words_by_page(data, tmp_path) for w in page]
    assert any(w.endswith("\u2010") and len(w) > 3 for w in words)


def test_extracted_glyphs_are_all_there(extracted_pdf, tmp_path):
    """Every character beyond ASCII in the body text (accents, curly quotes, dashes) is printed."""
    doc, data = extracted_pdf
    wanted = {ch for ch in text_of(doc.find("p:body"), notes=True) if ord(ch) > 127 and not ch.isspace()}
    assert wanted & set("‘’“”–")
    text = "".join(w[0] for page in words_by_page(data, tmp_path) for w in page)
    assert sorted(wanted - set(text)) == []


def test_a_note_of_several_pages_is_split_over_them(long_notes, tmp_path):
    doc = document.Document(copy.deepcopy(long_notes.root), long_notes.path, long_notes.base_dir)
    note = doc.xpath("//p:note[@n='1']")[0]
    note[0].text = " ".join(f"w{i}" for i in range(2500))  # about three pages of note
    where = check_notes(doc, write(doc), tmp_path)
    assert len(where["1"]) >= 3


# ---------------------------------------------------------------- the rest of the page


def test_fonts_embedded_and_subset(complete_pdf):
    names = set()
    with pikepdf.open(BytesIO(complete_pdf)) as pdf_file:
        for page in pdf_file.pages:
            for font in page.resources.get("/Font", {}).values():
                descendants = font.get("/DescendantFonts")
                target = descendants[0] if descendants is not None else font
                descriptor = target.get("/FontDescriptor")
                assert descriptor is not None
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.get("/BaseFont")
                base = str(target.get("/BaseFont"))
                assert re.match(r"/[A-Z]{6}\+", base), f"{base} is not a subset"
                names.add(base.split("+", 1)[1])
    assert "TeX-Gyre-Pagella" in names and "TeX-Gyre-Pagella-Italic" in names, names


def test_metadata_and_outline(complete_pdf, monkeypatch):
    with pikepdf.open(BytesIO(complete_pdf)) as pdf_file:
        info = pdf_file.docinfo
        assert str(info["/Title"]) == "Water, power and the Indus basin: a reassessment"
        assert str(info["/Author"]) == "Ana Gonçalves-Pérez, Rahul van der Berg"
        assert str(info["/Keywords"]) == "Indus Waters Treaty, water security"
        assert str(info["/Subject"]) == "Notes on a treaty under strain"
        assert str(info["/CreationDate"]).startswith("D:20220517")
        assert str(info["/ModDate"]).startswith("D:20220517")
        assert str(pdf_file.Root.Lang) == "en"
        with pdf_file.open_outline() as outline:
            top = [item.title for item in outline.root]
            assert top == ["Water, power and the Indus basin: a reassessment"]
            second = [item.title for item in outline.root[0].children]
            assert second == ["A treaty under strain", "Conclusion", "References"]
            assert [i.title for i in outline.root[0].children[0].children] == ["Flows in numbers"]


def test_source_date_epoch_sets_the_modification_date(complete_intermediate, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with pikepdf.open(BytesIO(write(complete_intermediate))) as pdf_file:
        assert str(pdf_file.docinfo["/ModDate"]).startswith("D:20231114")
        assert str(pdf_file.docinfo["/CreationDate"]).startswith("D:20220517")


def test_header_and_page_numbers(long_pdf, tmp_path):
    pages = words_by_page(long_pdf, tmp_path)
    assert "Spring 2024" in " ".join(w[0] for w in pages[0])  # a season date, as printed
    assert len(pages) >= 3
    top = 24 * PT_PER_MM
    first_header = [w[0] for w in pages[0] if w[2] < top]
    assert first_header == []  # page 1 carries the title block, not the header
    for index, words in enumerate(pages[1:], start=2):
        header = squeeze("".join(w[0] for w in words if w[2] < top))  # letter-spaced: words come apart
        assert "TEST3" in header and "Longnotes" in header, header
        foot = [w[0] for w in words if w[1] > 842 - 26 * PT_PER_MM]
        assert foot == [str(index)]


def test_title_block_on_page_one(complete_pdf, tmp_path):
    words = " ".join(w[0] for w in words_by_page(complete_pdf, tmp_path)[0])
    for part in ("SADF FOCUS NO. 85", "Water, power and the", "Notes on a treaty under strain", "17 May 2022",
                 "10.48251/SADF.ISSN.2406-5617.F85", "Senior Fellow at SADF"):
        assert part in words, part
    with pikepdf.open(BytesIO(complete_pdf)) as pdf_file:
        uris = [str(a.A.URI) for a in pdf_file.pages[0].obj.get("/Annots", []) if "/A" in a]
    assert "https://doi.org/10.48251/SADF.ISSN.2406-5617.F85" in uris


def test_reference_links_and_citations(complete_pdf):
    with pikepdf.open(BytesIO(complete_pdf)) as pdf_file:
        uris, dests = set(), set()
        for page in pdf_file.pages:
            for annot in page.obj.get("/Annots", []):
                if "/A" in annot and "/URI" in annot.A:
                    uris.add(str(annot.A.URI))
                if "/Dest" in annot:
                    dests.add(str(annot.Dest))
    assert {"https://doi.org/10.2166/wp.2019.001", "https://www.dawn.com/news/1608342"} <= uris
    assert {"ref-1", "ref-2", "fn-1", "fnref-1"} <= dests


# ---------------------------------------------------------------- options


def boxes_of(data: bytes, name: str) -> list[float]:
    with pikepdf.open(BytesIO(data)) as pdf_file:
        return [float(v) for v in pdf_file.pages[0].obj[name]]


@pytest.mark.parametrize("paper, size", [("A4", (595.28, 841.89)), ("Letter", (612, 792)),
                                         ("170mm 240mm", (481.89, 680.31))])
def test_paper(complete_intermediate, paper, size):
    box = boxes_of(write(complete_intermediate, paper=paper), "/MediaBox")
    assert box[2] - box[0] == pytest.approx(size[0], abs=0.1)
    assert box[3] - box[1] == pytest.approx(size[1], abs=0.1)


@pytest.mark.parametrize("paper", ["A4; } body { display: none", "huge", "10mm"])
def test_bad_paper_is_an_option_error(complete_intermediate, paper):
    with pytest.raises(PubconvError) as err:
        pdf.write(complete_intermediate, WriteOptions(paper=paper), Collector())
    assert err.value.code == "bad-option"


def test_bleed_and_crop_marks(complete_intermediate, tmp_path):
    data = write(complete_intermediate, bleed="3mm", crop_marks=True)
    media, trim, bleed = boxes_of(data, "/MediaBox"), boxes_of(data, "/TrimBox"), boxes_of(data, "/BleedBox")
    assert trim[2] - trim[0] == pytest.approx(595.28, abs=0.2)
    # The bleed asked for, and room for the marks outside it (the marks must not print in the bleed).
    assert bleed[2] - bleed[0] == pytest.approx(595.28 + 2 * 3 * PT_PER_MM, abs=0.2)
    assert media[2] - media[0] == pytest.approx(595.28 + 2 * (2 * 3 + 6) * PT_PER_MM, abs=0.2)
    # Crop marks are drawn in the bleed: the corner outside the trim box is not blank.
    need("pdftoppm")
    (tmp_path / "b.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(tmp_path / "b.pdf"),
                    str(tmp_path / "p")], check=True)
    from PIL import Image

    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    # The sheet's corner outside the trim box (12mm of bleed and slug) holds the marks; the
    # horizontal crop mark runs along the trim box's top edge, from the sheet's edge.
    side = image.width * 12 / (210 + 24)
    corner = image.crop((0, 0, int(side) - 1, int(side) + 3))
    assert corner.getextrema()[0] < 200


def test_pdf_a_3b(complete_intermediate):
    data = write(complete_intermediate, pdf_variant="pdf/a-3b")
    with pikepdf.open(BytesIO(data)) as pdf_file:
        meta = pdf_file.open_metadata()
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"
        assert "/OutputIntents" in pdf_file.Root
        # PDF/A forbids a filtered metadata stream (veraPDF 6.6.2.1).
        assert "/Filter" not in pdf_file.Root.Metadata


def test_pdf_ua_1_is_tagged(complete_intermediate):
    data = write(complete_intermediate, pdf_variant="pdf/ua-1")
    with pikepdf.open(BytesIO(data)) as pdf_file:
        meta = pdf_file.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        assert "/StructTreeRoot" in pdf_file.Root
        assert bool(pdf_file.Root.MarkInfo.Marked)
        assert str(pdf_file.Root.Lang) == "en"


def test_unknown_variant_is_an_option_error(complete_intermediate):
    with pytest.raises(PubconvError) as err:
        pdf.write(complete_intermediate, WriteOptions(pdf_variant="pdf/z-9"), Collector())
    assert err.value.code == "bad-option"


@pytest.mark.parametrize("variant", [None, "pdf/a-3b", "pdf/ua-1", "pdf/x-4"])
def test_two_runs_same_bytes(complete_intermediate, variant):
    assert write(complete_intermediate, pdf_variant=variant) == write(complete_intermediate, pdf_variant=variant)


# ---------------------------------------------------------------- resources


def with_image(tmp_path: Path, src: str) -> document.Document:
    doc = load(ROOT / "fixtures" / "intermediate" / "complete" / "complete.pubconv.xml")
    root = copy.deepcopy(doc.root)
    root.xpath("//p:image", namespaces=document.XPATH_NS)[0].set("src", src)
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    (folder / "basin.png").write_bytes((ROOT / "fixtures/intermediate/complete/basin.png").read_bytes())
    return document.Document(root, "c207.md", folder)


@pytest.mark.parametrize("src, code", [
    ("http://example.org/map.png", "remote-resource"),
    ("https://example.org/map.png", "remote-resource"),
    ("//example.org/map.png", "remote-resource"),
    ("../secret.png", "outside-resource"),
    ("/etc/hostname", "outside-resource"),
    ("file:///etc/hostname", "outside-resource"),
    ("missing.png", "missing-resource"),
    ("data:image/png;base64,AAAA", "unsupported-resource"),
])
def test_bad_images_are_refused_before_rendering(tmp_path, monkeypatch, src, code):
    import weasyprint

    def no_render(*args, **kwargs):
        raise AssertionError("WeasyPrint must not be reached")

    monkeypatch.setattr(weasyprint.HTML, "render", no_render)
    (tmp_path / "secret.png").write_bytes(b"x")
    doc = with_image(tmp_path, src)
    with pytest.raises(PubconvError) as err:
        pdf.write(doc, WriteOptions(), Collector())
    assert err.value.code == code
    assert str(err.value.pos) == "c207.md:50"


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    doc = with_image(tmp_path, "link.png")
    (tmp_path / "outside.png").write_bytes((ROOT / "fixtures/intermediate/complete/basin.png").read_bytes())
    (doc.base_dir / "link.png").symlink_to(tmp_path / "outside.png")
    with pytest.raises(PubconvError) as err:
        pdf.write(doc, WriteOptions(), Collector())
    assert err.value.code == "outside-resource"


def test_fetcher_refuses_without_a_request(tmp_path, monkeypatch):
    from urllib.request import OpenerDirector

    from weasyprint.urls import URLFetcher

    from pubconv.writers.pdf.fetch import SafeFetcher

    opened = []
    monkeypatch.setattr(OpenerDirector, "open", lambda self, *a, **k: opened.append(a))
    monkeypatch.setattr(URLFetcher, "fetch", lambda self, url, headers=None: opened.append(url))
    inside = tmp_path / "doc"
    inside.mkdir()
    (inside / "ok.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("secret")
    fetcher = SafeFetcher({inside / "ok.png"}, [])
    for url in ("http://example.org/x.png", "https://example.org/x.png", "ftp://example.org/x",
                (inside / ".." / "secret.txt").as_uri(), inside.as_uri() + "/../secret.txt",
                (tmp_path / "secret.txt").as_uri(), "data:text/plain,hi"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert opened == []
    assert len(fetcher.refused) == 7
    assert fetcher.fetch((inside / "ok.png").as_uri()).read() == b"png"


def test_theme_css_cannot_reach_outside(complete_intermediate, tmp_path):
    theme_dir = tmp_path / "theme"
    (theme_dir / "styles").mkdir(parents=True)
    (tmp_path / "secret.png").write_bytes((ROOT / "fixtures/intermediate/complete/basin.png").read_bytes())
    css = (ROOT / "styles" / "print.css").read_text()
    css += f"\nbody {{ background: url({(tmp_path / 'secret.png').as_uri()}); }}\n"
    (theme_dir / "styles" / "print.css").write_text(css)
    with pytest.raises(PubconvError) as err:
        pdf.write(complete_intermediate, WriteOptions(theme_dir=theme_dir), Collector())
    # refused before WeasyPrint runs, at the stylesheet's line (issue 14, class 10)
    assert err.value.code == "theme-remote" and err.value.pos.line == css.count("\n")


# ---------------------------------------------------------------- cutting a note


def test_cut_notes_keep_every_character_once(complete_intermediate):
    from pubconv.writers import xhtml as _xhtml
    from pubconv.writers.pdf.split import Note

    html = _xhtml.render(complete_intermediate, WriteOptions(), Collector(), target="pdf")
    tree = etree.fromstring(html.encode("utf-8"))
    ns = {"h": _xhtml.XHTML}
    span = tree.find(".//h:span[@id='fn-2']", ns)
    note = Note(span)
    text = note.text
    second_paragraph = text.index("The second")
    assert note.cut(0, text.index("first one")) and note.cut(1, second_paragraph + 4)
    assert note.cuts == [text.index("first one"), second_paragraph + 4]  # mid-paragraph, twice
    note.place(tree)
    parts = [s for s in tree.iter(f"{{{_xhtml.XHTML}}}span") if s.get("id", "").startswith("fn-2")]
    assert [p.get("id") for p in parts] == ["fn-2", "fn-2-part2", "fn-2-part3"]
    assert "".join("".join(p.itertext()) for p in parts) == text
    # The parts follow the call, one after the other, and the paragraph's tail text is kept.
    call = tree.find(".//h:a[@id='fnref-2']", ns)
    assert call.getnext() is parts[0] and parts[0].getnext() is parts[1] and parts[1].getnext() is parts[2]
    # A paragraph cut in two: the first piece is set full, the rest starts without indent.
    first_p = parts[0].findall("h:span", ns)
    assert "fn-split" in first_p[-1].get("class")
    assert "fn-cont-p" in parts[1].find("h:span", ns).get("class")
    assert parts[1].get("class") == "footnote fn-cont" and parts[1].get("role") is None
    # Re-cutting the first part shorter hands the text to the next part, never loses it.
    assert note.cut(0, text.index("has three"))
    note.place(tree)
    parts = [s for s in tree.iter(f"{{{_xhtml.XHTML}}}span") if s.get("id", "").startswith("fn-2")]
    assert len(parts) == 3 and "".join("".join(p.itertext()) for p in parts) == text
    assert not note.cut(0, 0) and not note.cut(0, len(text) + 5)


def test_cut_offsets_follow_the_laid_out_lines():
    from pubconv.writers.pdf.split import offset_after_lines

    text = "2 This note has three para­graphs. The first one sets the scene."
    # The layout collapses spaces and hyphenates "para-graphs" at a line end: the word moves whole.
    assert offset_after_lines(text, set(), 0, ["2 This note has three para\u2010"]) == text.index("para")
    assert offset_after_lines(text, set(), 0, ["2 This note", "has three"]) == text.index("para")
    assert offset_after_lines(text, set(), 0, ["something else"]) is None
    assert offset_after_lines(text, set(), 0, [text]) is None  # nothing left to carry over


# ---------------------------------------------------------------- starting a pushed note in the gap


def _note(n: int):
    from pubconv.writers.pdf.split import Note

    span = etree.fromstring(f'<span xmlns="http://www.w3.org/1999/xhtml" class="footnote" id="fn-{n}">'
                            f'<span class="fn-p">{" ".join(["word"] * 80)}</span></span>')
    return Note(span)


def _pushed_layout(calls_on_page_two: dict[int, float]):
    """Page 1 ends in a gap of ~7 note lines; notes called at the given heights of page 2, 10 lines each."""
    from pubconv.writers.pdf.placement import Layout, PageInfo, Piece

    pages = [PageInfo(0.0, 900.0, [], 20.0, 700.0), PageInfo(0.0, 900.0, [], 20.0, 900.0)]
    pieces, anchors = {}, {}
    for n, y in calls_on_page_two.items():
        pieces[f"fn-{n}"] = Piece(f"fn-{n}", 1, 600.0 + 30 * n, 750.0 + 30 * n, ["line"] * 10, 15.0)
        pages[1].pieces.append(f"fn-{n}")
        anchors[f"fnref-{n}"] = (1, (0.0, y, 10.0, y + 12.0))
    return Layout(pages, pieces, anchors, 20.0, 720.0)


def test_a_note_pushed_overleaf_alone_is_tried_in_the_gap_it_left():
    from pubconv.writers.pdf.repair import pushed_note as _pushed_note

    note = _note(1)
    found = _pushed_note({"fn-1": note}, _pushed_layout({1: 5.0}))
    assert found is not None and found[0] is note and 3 <= found[1] < 10


def test_no_try_when_another_note_called_after_it_was_pushed_with_it():
    # That note would follow the cut part overleaf, and the layout would push the line back: a wasted layout.
    from pubconv.writers.pdf.repair import pushed_note as _pushed_note

    notes = {"fn-1": _note(1), "fn-2": _note(2)}
    assert _pushed_note(notes, _pushed_layout({1: 5.0, 2: 5.0})) is None
    # Called further down the page, the second note was not pushed with it: the first is tried.
    assert _pushed_note(notes, _pushed_layout({1: 5.0, 2: 300.0}))[0] is notes["fn-1"]


def test_title_block_shows_the_journal_issue_and_a_title_note_without_a_literal_call(tmp_path):
    """Extracted headers (issue 13): venue line on the title page, title note called there, clean /Title."""
    from pubconv.api import read

    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "extracted"
    doc = read(fixtures / "title-note" / "title-note.md")
    # give it a journal issue too
    doc.find("p:meta").append(document.E("source", document.E("journal", "Health Policy Review"),
                                         document.E("volume", "9"), document.E("fpage", "12"),
                                         document.E("lpage", "19")))
    document.validate(doc)
    data = write(doc)
    with pikepdf.open(BytesIO(data)) as p:
        assert str(p.docinfo["/Title"]) == "Waiting lists and the two-tier hospital"
    first = squeeze(" ".join(w[0] for w in words_by_page(data, tmp_path)[0]))
    assert squeeze("Health Policy Review 9: 12–19") in first
    assert "[^" not in first and squeeze("two-tier hospital1") in first  # the title's note call
    check_notes(doc, data, tmp_path)


TRANSLATED = '''---
title: "Low water on the Danube"
subtitle: "What the drought cost"
title-translations:
  de: {title: 'Niedrigwasser auf der "Donau"', subtitle: "Was die Dürre kostete"}
  fr: "Les basses eaux du Danube?"
lang: en
---

The text.
'''


def test_the_title_page_prints_the_title_in_other_languages_in_their_language(tmp_path):
    """Issue 19: ``title-translations`` under the title, each with its language (quotes, hyphenation)."""
    from pubconv.api import read
    from pubconv.writers import xhtml

    (tmp_path / "t.md").write_text(TRANSLATED, encoding="utf-8")
    doc = read(tmp_path / "t.md")
    first = " ".join(w[0] for w in words_by_page(write(doc), tmp_path)[0])
    assert "Niedrigwasser auf der „Donau“: Was die Dürre kostete" in first
    assert "Les basses eaux du Danube?" in first and "Danube?:" not in first
    assert first.index("What the drought cost") < first.index("Niedrigwasser") < first.index("Les basses")
    page = etree.fromstring(xhtml.render(doc, WriteOptions(), Collector(), target="pdf").encode())
    langs = [(p.get("lang"), p.get("{http://www.w3.org/XML/1998/namespace}lang"))
             for p in page.iter("{http://www.w3.org/1999/xhtml}p") if p.get("class") == "trans-title"]
    assert langs == [("de", "de"), ("fr", "fr")]


# ---------------------------------------------------------------- a batch: the stylesheet is parsed once


def test_a_stylesheet_kept_for_the_next_document_gives_the_same_bytes(complete_intermediate, long_notes,
                                                                      monkeypatch):
    """Two different documents (and the first again) in one process, with and without the kept stylesheet."""
    from weasyprint import CSS

    from pubconv.writers.pdf import notes as _pdf_notes

    parsed = []

    def counting(*args, **kwargs):
        parsed.append(1)
        return CSS(*args, **kwargs)

    monkeypatch.setattr(_pdf_notes, "CSS", counting)
    monkeypatch.setattr(_pdf_notes._SHEETS, "kept", None, raising=False)  # none from earlier tests
    docs = [complete_intermediate, long_notes, complete_intermediate]
    monkeypatch.setattr(_pdf_notes, "SHEETS_KEPT", 0)  # each document parses it, with its own fonts
    alone = [write(doc) for doc in docs]
    assert len(parsed) == 3
    parsed.clear()
    monkeypatch.setattr(_pdf_notes, "SHEETS_KEPT", 4)
    kept = [write(doc) for doc in docs]
    assert len(parsed) == 1  # parsed once, for three documents
    assert kept == alone
    assert alone[0] != alone[1]


def test_a_stylesheet_is_kept_only_for_the_same_text_and_files(tmp_path, monkeypatch):
    from pubconv.writers.pdf import fetch as _fetch, notes as _pdf_notes

    monkeypatch.setattr(_pdf_notes._SHEETS, "kept", None, raising=False)

    styles = tmp_path / "styles"
    styles.mkdir()
    (styles / "face.css").write_text("p { color: red }", encoding="utf-8")
    base = styles.as_uri() + "/"
    a = _fetch.make_fetcher({}, [styles], False, source_dir=tmp_path / "a")
    b = _fetch.make_fetcher({}, [styles], False, source_dir=tmp_path / "b")
    plain = _pdf_notes.stylesheet("p { color: blue }", base, a)
    assert _pdf_notes.stylesheet("p { color: blue }", base, b) == plain  # nothing fetched: any fetcher
    assert _pdf_notes.stylesheet("p { color: green }", base, a) != plain
    assert _pdf_notes.stylesheet("p { color: blue }", base + "x/", a) != plain
    imports = '@import "face.css";\np { color: blue }'
    with_a = _pdf_notes.stylesheet(imports, base, a)
    assert a.asked  # the import was fetched through a
    assert _pdf_notes.stylesheet(imports, base, a) == with_a
    assert _pdf_notes.stylesheet(imports, base, b) != with_a  # b might serve another file: parsed again
    with_b = _pdf_notes.stylesheet(imports, base, b)
    # A file it read that changed since (a theme edited in a long-running process) is read again.
    face = styles / "face.css"
    face.write_text("p { color: maroon }", encoding="utf-8")
    os.utime(face, ns=(face.stat().st_atime_ns, face.stat().st_mtime_ns + 1_000_000))
    changed = _pdf_notes.stylesheet(imports, base, b)
    assert changed != with_b
    assert _pdf_notes.stylesheet(imports, base, b) == changed  # and kept again

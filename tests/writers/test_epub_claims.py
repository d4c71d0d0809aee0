"""The EPUB's accessibility claims, print page numbers, cover and identifiers (issue 18).

Claims rest on checks made during the build: a test breaks each check and expects the claim to go,
with a warning that names the WCAG criterion and the source line.  The page list is checked against
the PDF itself: one entry per PDF page, each marker right before the first word poppler reads on that
page (after the running header).
"""
from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import pytest
from lxml import etree

from pubconv import document
from pubconv.api import options_for, read
from pubconv import config as config_mod
from pubconv.document import Document
from pubconv.errors import Collector, PubconvError
from pubconv.writers import WriteOptions, epub, pdf
from pubconv.writers import archive as _zip

from pdf_reading import PT_PER_MM, words_by_page

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
SAMPLE = FIXTURES / "sample" / "comment-118.md"
LONG_URLS = FIXTURES / "epub" / "long-urls" / "long-urls.md"
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
CONFORMS = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
NO_PAGES = WriteOptions(page_list=False)


def build(doc: Document, options: WriteOptions = NO_PAGES) -> tuple[bytes, Collector]:
    found = Collector()
    return epub.write(doc, options, found), found


def files(data: bytes) -> dict[str, bytes]:
    return _zip.read_members(data)


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))


def meta(data: bytes, prop: str) -> list[str]:
    return [m.text for m in xml(files(data)["EPUB/content.opf"]).xpath(f"//opf:meta[@property='{prop}']",
                                                                       namespaces=NS)]


def copy_doc(doc: Document) -> Document:
    return Document(copy.deepcopy(doc.root), doc.path, doc.base_dir)


# ---------------------------------------------------------------- headings (transform)


def test_a_skipped_heading_level_is_renumbered_with_a_warning(tmp_path):
    source = tmp_path / "skip.md"
    source.write_text("---\ntitle: Skips\n---\n\nText.\n\n## One\n\nText.\n\n#### Deep\n\nText.\n\n"
                      "##### Deeper\n\nText.\n\n## Two\n\nText.\n", encoding="utf-8")
    found = Collector()
    doc = read(source, report=found)
    assert [int(s.get("level")) for s in doc.xpath("//p:section")] == [2, 3, 4, 2]
    assert [(d.code, d.pos.line) for d in found.warnings] == [("heading-skip", 11)]
    assert "level 4 after level 2" in found.warnings[0].message
    content = xml(files(build(doc)[0])["EPUB/content.xhtml"])
    assert [h.tag.split("}")[1] for h in content.iter("{*}h1", "{*}h2", "{*}h3", "{*}h4")] == [
        "h1", "h2", "h3", "h4", "h2"]


def test_a_source_without_skips_gets_no_heading_warning(complete_intermediate):
    from pubconv.transforms import headings

    found = Collector()
    assert headings.normalise(copy_doc(complete_intermediate), found) == 0 and found.items == []


# ---------------------------------------------------------------- claims follow the checks


def _skip_a_level(doc: Document) -> Document:
    doc = copy_doc(doc)
    doc.find(".//p:section/p:section").set("level", "4")  # sec-2 under a level-2 section
    return doc


def test_no_claim_when_the_heading_check_fails(complete_intermediate):
    data, found = build(_skip_a_level(complete_intermediate))
    warnings = [(d.code, d.pos.line) for d in found.warnings]
    assert warnings == [("a11y-check", 43)]  # the heading's line in the intermediate
    assert "1.3.1" in found.warnings[0].message and "h4 after h2" in found.warnings[0].message
    assert meta(data, "dcterms:conformsTo") == [] and meta(data, "a11y:certifiedBy") == []
    assert "structuralNavigation" not in meta(data, "schema:accessibilityFeature")
    assert "does not claim conformance" in meta(data, "schema:accessibilitySummary")[0]


def test_no_claim_when_the_reflow_check_fails(complete_intermediate, tmp_path):
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "epub.css").write_text("body { margin: 0 }\nimg { max-width: 100% }\n"
                                                  "div.table-wrap { overflow-x: auto }\n", encoding="utf-8")
    data, found = build(complete_intermediate, WriteOptions(theme_dir=tmp_path, page_list=False))
    assert [d.code for d in found.warnings] == ["a11y-check"]
    assert "1.4.10 Reflow" in found.warnings[0].message and "overflow-wrap" in found.warnings[0].message
    assert meta(data, "dcterms:conformsTo") == []
    assert "displayTransformability" not in meta(data, "schema:accessibilityFeature")


def test_no_claim_when_a_language_is_not_well_formed(complete_intermediate):
    doc = copy_doc(complete_intermediate)
    doc.root.set("{http://www.w3.org/XML/1998/namespace}lang", "english please")
    data, found = build(doc)
    assert "a11y-check" in [d.code for d in found.warnings]
    assert any("3.1.1" in d.message for d in found.warnings)
    assert meta(data, "dcterms:conformsTo") == []


def test_no_claim_without_anyone_to_certify_it(complete_intermediate):
    doc = copy_doc(complete_intermediate)
    publisher = doc.find("p:meta/p:publisher")
    publisher.getparent().remove(publisher)
    data, found = build(doc)
    assert [d.code for d in found.warnings] == ["a11y-check"] and "certifiedBy" in found.warnings[0].message
    assert meta(data, "dcterms:conformsTo") == []
    data, found = build(doc, WriteOptions(page_list=False, certified_by="Accessible Books Lab"))
    assert found.items == []
    assert meta(data, "dcterms:conformsTo") == [CONFORMS]
    assert meta(data, "a11y:certifiedBy") == ["Accessible Books Lab"]


def test_certifier_credential_and_report_and_unlocked_come_from_the_configuration(complete_intermediate):
    options = WriteOptions(page_list=False, certifier_credential="Certified Accessible Publisher",
                           certifier_report="https://a11y.example.org/reports/f85.html", unlocked=True)
    data, _ = build(complete_intermediate, options)
    opf = xml(files(data)["EPUB/content.opf"])
    certifier = opf.xpath("//opf:meta[@property='a11y:certifiedBy']", namespaces=NS)[0]
    ref = "#" + certifier.get("id")
    assert opf.xpath(f"//opf:meta[@property='a11y:certifierCredential'][@refines='{ref}']/text()",
                     namespaces=NS) == ["Certified Accessible Publisher"]
    assert opf.xpath(f"//opf:link[@rel='a11y:certifierReport'][@refines='{ref}']/@href", namespaces=NS) == [
        "https://a11y.example.org/reports/f85.html"]
    assert "unlocked" in meta(data, "schema:accessibilityFeature")


def test_the_epub_settings_are_read_from_pubconv_toml(tmp_path):
    (tmp_path / "pubconv.toml").write_text('[publisher]\nname = "CRPS"\n[epub]\ncertified-by = "A11y Lab"\n'
                                           'unlocked = true\npage-list = false\n', encoding="utf-8")
    source = tmp_path / "c.md"
    source.write_text("---\ntitle: T\n---\n\nText.\n", encoding="utf-8")
    cfg = config_mod.for_source(source)
    options = options_for(read(source, config=cfg), cfg)
    assert (options.certified_by, options.unlocked, options.page_list) == ("A11y Lab", True, False)


def _corpus() -> list[Path]:
    return sorted([*(p for p in FIXTURES.glob("**/*.pubconv.xml") if "bad" not in p.parts
                     and "expected" not in str(p)), SAMPLE, LONG_URLS])


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_certified_by_whenever_conformance_is_claimed(path):
    doc = read(path) if path.suffix == ".md" else document.parse(path.read_bytes(), str(path), path.parent)
    data, found = build(doc)
    claimed = meta(data, "dcterms:conformsTo")
    assert claimed in ([], [CONFORMS])
    if claimed:
        assert [c for c in meta(data, "a11y:certifiedBy") if c.strip()] != []
        assert "a11y-check" not in [d.code for d in found.warnings]
    else:
        assert [d for d in found.warnings if d.code in ("a11y-check", "missing-alt")]


# ---------------------------------------------------------------- identifiers, dates, cover


def test_isbn_is_the_unique_identifier_and_the_doi_follows(complete_intermediate):
    doc = copy_doc(complete_intermediate)
    doc.find("p:meta").append(document.E("isbn", "978-3-16-148410-0"))
    opf = xml(files(build(doc)[0])["EPUB/content.opf"])
    uid = opf.get("unique-identifier")
    assert opf.xpath(f"//dc:identifier[@id='{uid}']/text()", namespaces=NS) == ["urn:isbn:9783161484100"]
    assert opf.xpath(f"//opf:meta[@refines='#{uid}'][@property='identifier-type']/text()", namespaces=NS) == ["15"]
    assert "urn:doi:10.48251/SADF.ISSN.2406-5617.F85" in opf.xpath("//dc:identifier/text()", namespaces=NS)


def test_a_bad_isbn_in_the_front_matter_is_an_error_at_its_line(tmp_path):
    source = tmp_path / "c.md"
    source.write_text("---\ntitle: T\nisbn: 978-3-16-148410-1\n---\n\nText.\n", encoding="utf-8")
    with pytest.raises(PubconvError) as caught:
        read(source)
    assert (caught.value.code, caught.value.pos.line) == ("bad-front-matter", 3)


def test_modified_changes_with_the_content_and_only_with_it(complete_intermediate, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = meta(build(complete_intermediate)[0], "dcterms:modified")
    again = meta(build(copy_doc(complete_intermediate))[0], "dcterms:modified")
    edited = copy_doc(complete_intermediate)
    edited.find(".//p:body/p:p").text = "Since 1961"
    changed = meta(build(edited)[0], "dcterms:modified")
    assert first == again and changed != first
    assert first[0].startswith("2022-05-17T") and changed[0].startswith("2022-05-17T")


def test_generated_cover_is_a_store_sized_png_with_the_conventions(complete_intermediate):
    from PIL import Image

    data = build(complete_intermediate)[0]
    members = files(data)
    with Image.open(io.BytesIO(members["EPUB/images/cover.png"])) as img:
        assert (img.format, img.size) == ("PNG", (1600, 2560))
    opf = xml(members["EPUB/content.opf"])
    item = opf.xpath("//opf:item[contains(@properties, 'cover-image')]", namespaces=NS)[0]
    assert item.get("href") == "images/cover.png"
    assert opf.xpath("//opf:meta[@name='cover']/@content", namespaces=NS) == [item.get("id")]
    assert opf.xpath("//opf:spine/opf:itemref[1]/@idref", namespaces=NS) == ["cover"]
    cover = xml(members["EPUB/cover.xhtml"])
    assert cover.xpath("//h:img/@alt", namespaces=NS)[0].startswith("Cover: Water, power")


def test_the_generated_cover_is_drawn_in_the_theme_colours_and_shows_a_logo(complete_intermediate, tmp_path):
    """Palette indices for the band and the page (8-bit PNG); with a logo of any colours, RGB and the logo."""
    from PIL import Image, ImageDraw

    from pubconv.writers.epub import cover as _cover

    with Image.open(io.BytesIO(_cover.generate(complete_intermediate, None, None))) as img:
        assert img.mode == "P"
        rgb = img.convert("RGB")
    band, page = _cover.COLOURS["band"], _cover.COLOURS["background"]
    assert rgb.getpixel((5, 5)) == Image.new("RGB", (1, 1), band).getpixel((0, 0))
    assert rgb.getpixel((5, 2500)) == Image.new("RGB", (1, 1), page).getpixel((0, 0))
    assert len(rgb.getcolors(1 << 16)) > 20  # anti-aliased letters: steps between page and ink
    logo = tmp_path / "logo.png"
    mark = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(mark).rectangle((0, 0, 400, 200), fill=(180, 20, 20, 255))
    mark.save(logo)
    with Image.open(io.BytesIO(_cover.generate(complete_intermediate, logo, None))) as img:
        assert img.mode == "RGB"
        assert (180, 20, 20) in {colour for _, colour in img.getcolors(1 << 16)}


def test_the_users_cover_from_the_front_matter_is_used(complete_intermediate, assert_valid):
    doc = copy_doc(complete_intermediate)
    doc.find("p:meta").append(document.E("cover", src="basin.png"))
    data, found = build(doc)
    members = files(data)
    assert members["EPUB/images/cover.png"] == (FIXTURES / "intermediate/complete/basin.png").read_bytes()
    assert found.items == []
    assert_valid(data)


# ---------------------------------------------------------------- page list against the PDF


_BLOCKS = frozenset("p li td th caption figcaption h1 h2 h3 h4 h5 h6 dt dd aside section div blockquote "
                    "tr table header main pre".split())


def _epub_words_after(marker: etree._Element, n: int = 2) -> list[str]:
    """The first ``n`` words after ``marker``: text glued across inline elements, split at blocks (as printed)."""
    chunks = []
    for t in marker.xpath("following::text()"):
        owner = t.getparent()
        if etree.QName(owner).localname in _BLOCKS:
            chunks.append(" ")
        chunks.append(str(t))
        if len("".join(chunks).split()) > n:
            break
    return "".join(chunks).split()[:n]


def _pdf_first_words(page: list, number: int, height: float) -> list[str]:
    """The words of a PDF page in reading order, without the running header (pages after the first)."""
    top = 24 * PT_PER_MM if number > 1 else 0
    bottom = height - 20 * PT_PER_MM
    return [w[0] for w in page if w[1] >= top - 1 and w[2] <= bottom]


def _check_page_list(doc: Document, options: WriteOptions, tmp_path: Path) -> int:
    found = Collector()
    pdf_bytes = pdf.write(doc, options, found)
    data = epub.write(doc, options, found)
    assert [d for d in found.items if d.code in ("no-page-list", "a11y-check")] == []
    members = files(data)
    nav = xml(members["EPUB/nav.xhtml"])
    entries = nav.xpath("//h:nav[@epub:type='page-list']//h:a", namespaces=NS)
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf_file:
        heights = [float(p.mediabox[3]) - float(p.mediabox[1]) for p in pdf_file.pages]
    pages = words_by_page(pdf_bytes, tmp_path)
    assert [a.text for a in entries] == [str(n) for n in range(1, len(pages) + 1)]
    content = xml(members["EPUB/content.xhtml"])
    from pubconv.writers import xhtml as _xhtml

    html = etree.fromstring(_xhtml.render(doc, options, Collector(), target="pdf").encode())
    imprint_text = " ".join(" ".join("".join(el.itertext()) for el in html.xpath(
        "//x:*[contains(concat(' ', @class, ' '), ' imprint ')]", namespaces={"x": NS["h"]})).split())
    for number, (entry, page, height) in enumerate(zip(entries, pages, heights), start=1):
        target = entry.get("href").split("#")[1]
        marker = content.xpath(f"//*[@id='{target}']")[0]
        assert (marker.get("{%s}type" % NS["epub"]), marker.get("role"), marker.get("aria-label")) == (
            "pagebreak", "doc-pagebreak", str(number))
        # Never inside a word: what precedes the marker ends a word, what follows starts one.
        before = marker.getprevious().tail if marker.getprevious() is not None else marker.getparent().text
        assert not (before or " ")[-1:].isalnum() or before is None, (number, before)
        # The page's first word, or the one after it when the PDF hyphenated a word across the break.
        def glued(a: str, b: str) -> bool:  # a note call may be glued to its word ("1940s.1"); "Sec‐" "tion"
            b = b.rstrip("\u2010\u00ad-") or b
            return a == b or a.startswith(b) or b.startswith(a)
        after = _epub_words_after(marker)
        printed = _pdf_first_words(page, number, height)
        if not after or not any(glued(after[0], w) for w in printed[:2]):
            # A page whose main text is the PDF's closing imprint (left out of the page count: the EPUB has its
            # imprint after the title page) begins with what follows it, in a note or nowhere.
            while printed and printed[0].replace("\u00a0", " ") in imprint_text:
                printed = printed[1:]

        if not after:
            # The last page holds only what the PDF adds at its end (the imprint, which the EPUB prints after
            # its title page instead): marked after everything.
            assert number == len(pages) and not printed, (number, printed[:6])
            continue
        assert glued(after[0], printed[0]) or glued(after[0], printed[1]), (number, after, printed[:6])
    assert meta(data, "pageBreakSource") == ["urn:doi:" + " ".join(doc.find("p:meta/p:doi").text.split())]
    assert {"pageBreakMarkers", "pageNavigation"} <= set(meta(data, "schema:accessibilityFeature"))
    return len(entries)


@pytest.mark.parametrize("source", [SAMPLE, LONG_URLS], ids=["sample", "long-urls"])
def test_page_list_marks_where_each_pdf_page_begins(source, tmp_path, assert_valid):
    doc = read(source)
    cfg = config_mod.for_source(source)
    options = options_for(doc, cfg)
    assert _check_page_list(doc, options, tmp_path) >= 2
    assert_valid(epub.write(doc, options, Collector()))


def test_page_list_of_the_seed(seed_path, tmp_path):
    doc = read(seed_path)
    assert _check_page_list(doc, WriteOptions(certified_by="The publisher"), tmp_path) >= 2


def test_a_page_that_begins_inside_a_note_is_marked_in_the_note():
    from pubconv.writers.epub import pagebreaks
    from pubconv.writers.pdf.pages import PrintPages

    body = xml(b'<body xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
               b'<p>One two three.<a class="fn-call" href="#fn-1">1</a></p>'
               b'<aside id="fn-1" class="footnote" epub:type="footnote"><p>1 Alpha beta gamma delta.</p></aside>'
               b'<p>Four five hyphenated six.</p></body>')
    pages = PrintPages(words={"main": "One two three.1 Four five hy- phenated six.".split(),
                              "fn-1": "1 Alpha beta gamma delta.".split()},
                       starts=[("main", 0), ("fn-1", 3), ("main", 6)])
    assert pagebreaks.mark(body, pages) == [(1, "page-1"), (2, "page-2"), (3, "page-3")]
    text = etree.tostring(body, encoding="unicode")
    assert re.search(r'<span id="page-2"[^>]*></span>gamma delta', text)
    # page 3 begins inside "hy-phenated": marked after the word, never inside it
    assert re.search(r'hyphenated <span id="page-3"[^>]*></span>six', text)
    assert re.search(r'<p><span id="page-1"[^>]*></span>One two', text)


def test_numeric_citations_link_to_a_numbered_reference_list(tmp_path):
    source = tmp_path / "num.md"
    source.write_text("---\ntitle: Numbers\n---\n\nLow water is frequent [1], and costly [2, 3]; see [1–3] and [9].\n\n"
                      "## References\n\n[1] Alpha, A. (2020). First report. Vienna.\n\n"
                      "[2] Beta, B. (2021). Second report. Vienna.\n\n[3] Gamma, C. (2022). Third report. Vienna.\n",
                      encoding="utf-8")
    found = Collector()
    doc = read(source, report=found)
    assert [(d.code, d.pos.line) for d in found.warnings] == [("unmatched-citation", 5)]
    content = xml(files(build(doc)[0])["EPUB/content.xhtml"])
    cites = content.xpath("//h:a[@role='doc-biblioref']", namespaces=NS)
    assert [(a.text, a.get("href")) for a in cites] == [("1", "#ref-1"), ("2", "#ref-2"), ("3", "#ref-3"),
                                                        ("1", "#ref-1"), ("3", "#ref-3")]
    assert "[9]" in "".join(content.itertext())


def test_brackets_are_not_citations_when_the_list_is_not_numbered(tmp_path):
    source = tmp_path / "plain.md"
    source.write_text("---\ntitle: Plain\n---\n\nThe text [1] says.\n\n## References\n\n"
                      "Alpha, A. (2020). First report. Vienna.\n", encoding="utf-8")
    doc = read(source)
    assert doc.xpath("//p:cite") == []


def test_epubcheck_with_usage_reports_nothing_on_the_sample_seed_and_long_urls(epubchecker, tmp_path, request):
    """``epubcheck -u``: not even a usage hint, on the books with their page lists and covers."""
    sources = [SAMPLE, LONG_URLS]
    try:
        sources.append(request.getfixturevalue("seed_path"))
    except pytest.skip.Exception:
        pass
    reports = {}
    for source in sources:
        doc = read(source)
        options = options_for(doc, config_mod.for_source(source))
        path = tmp_path / f"{source.stem}.epub"
        path.write_bytes(epub.write(doc, options, Collector()))
        report = epubchecker.check(path, usage=True)
        reports[source.name] = [f"{m['severity']} {m['ID']}: {m['message']}" for m in report["messages"]]
    assert reports == {s.name: [] for s in sources}
    # The control: a usage message (a font-face rule, CSS-028) is seen only with -u.
    members = files(path.read_bytes())
    members["EPUB/epub.css"] += b'\n@font-face { font-family: "X"; src: local("X"); }\n'
    control = tmp_path / "control.epub"
    control.write_bytes(_zip.write_container(members, None, opf_path="EPUB/content.opf"))
    assert "CSS-028" in {m["ID"] for m in epubchecker.check(control, usage=True)["messages"]}
    assert "CSS-028" not in {m["ID"] for m in epubchecker.check(control)["messages"]}


def test_pages_that_begin_inside_a_long_note_are_marked_in_the_note(tmp_path):
    """A note three pages long after a short text: pages 2 and 3 hold nothing but the note."""
    import random

    rng = random.Random(7)
    words = ("river barge lock gauge drought water level cargo port quay shipping forecast basin season "
             "summer winter flow dredging fairway convoy grain ore fuel").split()

    def sentence(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."

    source = tmp_path / "note-pages.md"
    source.write_text(f"---\ntitle: A note that runs over pages\ndoi: 10.5555/test.2\n---\n\n"
                      f"{' '.join(sentence(12) for _ in range(10))}[^long]\n\n"
                      f"[^long]: {' '.join(sentence(14) for _ in range(160))}\n", encoding="utf-8")
    doc = read(source)
    options = WriteOptions(certified_by="The publisher")
    count = _check_page_list(doc, options, tmp_path)
    assert count >= 3
    content = xml(files(epub.write(doc, options, Collector()))["EPUB/content.xhtml"])
    in_note = content.xpath("//h:aside[@id='fn-1']//*[@role='doc-pagebreak']/@aria-label", namespaces=NS)
    assert in_note[:2] == ["2", "3"] and set(in_note) <= {str(n) for n in range(2, count + 1)}

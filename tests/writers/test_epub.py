"""The EPUB writer: EPUBCheck, notes, metadata, navigation, images, reproducible bytes."""
from __future__ import annotations

import copy
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import etree

from pubconv import document
from pubconv.api import read
from pubconv.document import Document, q
from pubconv.errors import Collector, PubconvError
from pubconv.writers import WriteOptions, epub
from pubconv.writers import archive as _zip

from epubcheck_client import EpubChecker

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "h": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


# ---------------------------------------------------------------- helpers


#: Most tests look at something else than the print page numbers: they skip the PDF layout behind them.
NO_PAGES = WriteOptions(page_list=False)


def build(doc: Document, options: WriteOptions | None = None) -> tuple[bytes, Collector]:
    found = Collector()
    return epub.write(doc, options or NO_PAGES, found), found


def members(data: bytes) -> dict[str, bytes]:
    return _zip.read_members(data)


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))


def opf(data: bytes) -> etree._Element:
    return xml(members(data)["EPUB/content.opf"])


def copy_doc(doc: Document, base_dir: Path | None = None) -> Document:
    return Document(copy.deepcopy(doc.root), doc.path, base_dir or doc.base_dir)


def broken(data: bytes) -> bytes:
    """``data`` with a link to a missing fragment and a stray end tag: EPUBCheck must object."""
    files = members(data)
    files["EPUB/content.xhtml"] = files["EPUB/content.xhtml"].replace(
        b"</main>", b'<p><a href="#no-such-id">x</a></p></main>')
    files["EPUB/nav.xhtml"] = files["EPUB/nav.xhtml"].replace(b"</body>", b"</p></body>")
    return _zip.write_container(files, None, opf_path="EPUB/content.opf")


def _valid_case(path: Path) -> bool:
    """Fixtures meant to convert: not the hostile corpus (fixtures/bad), not expected outputs."""
    parts = path.relative_to(FIXTURES).parts
    return parts[0] != "bad" and not any("expected" in part for part in parts)


def stored_intermediates() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("**/*.pubconv.xml") if _valid_case(p))


def read_stored(path: Path) -> Document:
    return document.parse(path.read_bytes(), str(path), path.parent)


# ---------------------------------------------------------------- validity


@pytest.mark.parametrize("path", stored_intermediates(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_stored_intermediate_passes_epubcheck(path, assert_valid):
    """The complete intermediate among them: every element the schema has, and no warning."""
    data, found = build(read_stored(path), WriteOptions())
    assert found.errors == []
    if path.name == "complete.pubconv.xml":
        assert found.items == []
    assert_valid(data)


def test_seed_passes_epubcheck(seed_path, assert_valid):
    doc = read(seed_path)
    data, found = build(doc, WriteOptions())
    assert found.errors == []
    assert_valid(data)


def source_fixtures() -> list[Path]:
    suffixes = (".md", ".markdown", ".txt")
    return sorted(p for p in FIXTURES.glob("**/*") if p.is_file() and p.suffix in suffixes and _valid_case(p)
                  and p.name != "README.md")


@pytest.mark.parametrize("path", source_fixtures(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_source_fixture_passes_epubcheck(path, assert_valid):
    data, found = build(read(path), WriteOptions())
    assert found.errors == []
    assert_valid(data)


@pytest.mark.parametrize("server", [True, False], ids=["one-jvm", "jvm-per-file"])
def test_epubcheck_as_run_here_reports_a_broken_book(complete_intermediate, epubchecker, tmp_path, server):
    checker = epubchecker if server else EpubChecker(epubchecker.java, server=False)
    path = tmp_path / "broken.epub"
    path.write_bytes(broken(build(complete_intermediate)[0]))
    report = checker.check(path)
    ids = {m["ID"] for m in report["messages"]}
    assert report["checker"]["nFatal"] + report["checker"]["nError"] > 0
    assert "RSC-012" in ids  # the fragment that does not exist


# ---------------------------------------------------------------- notes


def test_note_calls_and_bodies_pop_up_and_link_back(complete_intermediate):
    data, _ = build(complete_intermediate)
    content = xml(members(data)["EPUB/content.xhtml"])
    calls = content.xpath("//h:a[@epub:type='noteref'][@class='fn-call']", namespaces=NS)
    asides = content.xpath("//h:aside[@epub:type='footnote'][@class='footnote']", namespaces=NS)
    expected = [int(n) for n in complete_intermediate.xpath("//p:note/@n")]
    assert expected == list(range(1, len(expected) + 1)) and expected
    assert [int(a.text) for a in calls] == expected
    assert [a.get("id") for a in asides] == [f"fn-{n}" for n in expected]
    order = {el: i for i, el in enumerate(content.iter())}
    for n, call, aside in zip(expected, calls, asides):
        # No element inside the call: a <sup> there breaks Apple Books pop-ups (pandoc #1995).
        assert len(call) == 0
        assert (call.get("id"), call.get("href"), call.get("role")) == (f"fnref-{n}", f"#fn-{n}", "doc-noteref")
        assert aside.get("role") == "doc-footnote"
        back = aside.xpath(".//h:a[@role='doc-backlink']", namespaces=NS)
        assert [b.get("href") for b in back] == [f"#fnref-{n}"]
        # Same document, after the call: what Kobo and Apple Books need for a pop-up.
        assert order[aside] > order[call]
    # The three paragraphs of note 2 are all in its aside.
    assert len(asides[1].findall("h:p", NS)) == 3


def test_content_is_the_shared_rendering_with_only_the_documented_changes(complete_intermediate, monkeypatch):
    """Translate once, package twice: docs/epub.md lists every change the EPUB writer makes."""
    from pubconv.writers import xhtml as _xhtml

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    packaged = members(build(complete_intermediate)[0])["EPUB/content.xhtml"]
    shared = xml(_xhtml.render(complete_intermediate, WriteOptions(), Collector(), target="epub").encode("utf-8"))
    for img in shared.iter("{%s}img" % NS["h"]):
        img.set("src", "images/01-basin.png")
    shared.xpath("//h:section[@epub:type='titlepage']", namespaces=NS)[0].set("id", "titlepage")
    shared.xpath("//h:main", namespaces=NS)[0].set("id", "text")
    for el in shared.xpath("//*[@epub:type='biblioentry']", namespaces=NS):
        del el.attrib[EPUB_TYPE]
    # Author notes become real notes: the call a noteref, the note an aside that links back.
    for n, call in enumerate(shared.xpath("//h:a[@class='author-note-call']", namespaces=NS), start=1):
        call.attrib.update({"id": f"anref-{n}", "role": "doc-noteref", EPUB_TYPE: "noteref"})
    for note in shared.xpath("//h:div[@class='author-note']", namespaces=NS):
        note.tag = "{%s}aside" % NS["h"]
        note.attrib.update({EPUB_TYPE: "footnote", "role": "doc-footnote"})
        mark = note.xpath(".//h:span[@class='fn-back']", namespaces=NS)[0]
        mark.tag = "{%s}a" % NS["h"]
        mark.attrib.update({"href": "#anref-1", "role": "doc-backlink"})
    # Tables scroll in their own box.
    for table in shared.xpath("//h:table", namespaces=NS):
        wrap = etree.Element("{%s}div" % NS["h"], {"class": "table-wrap"})
        table.addprevious(wrap)
        wrap.tail, table.tail = table.tail, None
        wrap.append(table)
    # The imprint follows the title page.
    packaged_root = xml(packaged)
    imprint = packaged_root.xpath("//h:section[@id='imprint']", namespaces=NS)[0]
    assert imprint.get(EPUB_TYPE) == "copyright-page"
    titlepage = shared.xpath("//h:section[@epub:type='titlepage']", namespaces=NS)[0]
    titlepage.addnext(copy.deepcopy(imprint))
    expected = etree.tostring(shared, encoding="unicode")
    assert etree.canonicalize(packaged.decode("utf-8")) == etree.canonicalize(expected)


def test_citations_link_to_reference_entries(complete_intermediate):
    data, _ = build(complete_intermediate)
    content = xml(members(data)["EPUB/content.xhtml"])
    ids = set(content.xpath("//@id"))
    cites = content.xpath("//h:a[@role='doc-biblioref']", namespaces=NS)
    assert len(cites) == len(complete_intermediate.xpath("//p:cite"))
    assert all(c.get("href")[1:] in ids for c in cites)
    refs = content.xpath("//h:section[@role='doc-bibliography']", namespaces=NS)
    assert len(refs) == 1 and refs[0].get(EPUB_TYPE) == "bibliography"
    assert "https://www.dawn.com/news/1608342" in refs[0].xpath(".//h:a/@href", namespaces=NS)


# ---------------------------------------------------------------- metadata


def meta(root: etree._Element, prop: str, refines: str | None = None) -> list[str]:
    expr = f"//opf:meta[@property='{prop}']" + (f"[@refines='{refines}']" if refines else "")
    return [m.text for m in root.xpath(expr, namespaces=NS)]


def test_metadata_read_back_from_the_package_document(complete_intermediate):
    data, _ = build(complete_intermediate)
    root = opf(data)
    assert root.get(XML_LANG) == "en"
    assert root.get("unique-identifier") == "pub-id"
    dc = lambda name: [e.text for e in root.xpath(f"//dc:{name}", namespaces=NS)]  # noqa: E731
    assert dc("identifier") == ["urn:doi:10.48251/SADF.ISSN.2406-5617.F85"]
    assert root.xpath("//dc:identifier/@id", namespaces=NS) == ["pub-id"]
    assert dc("title") == ["Water, power and the Indus basin: a reassessment", "Notes on a treaty under strain"]
    assert dc("language") == ["en"]
    assert dc("creator") == ["Ana Gonçalves-Pérez", "Rahul van der Berg"]
    ids = root.xpath("//dc:creator/@id", namespaces=NS)
    assert [meta(root, "file-as", f"#{i}") for i in ids] == [["Gonçalves-Pérez, Ana"], ["van der Berg, Rahul"]]
    assert [meta(root, "role", f"#{i}") for i in ids] == [["aut"], ["aut"]]
    assert dc("date") == ["2022-05-17"]
    assert dc("publisher") == ["South Asia Democratic Forum"]
    assert dc("rights") == ["CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"]
    assert dc("description") == ["The Indus Waters Treaty has survived three wars. "
                                 "This focus asks whether it survives a changing climate."]
    assert dc("subject") == ["Indus Waters Treaty", "water security"]
    collection = root.xpath("//opf:meta[@property='belongs-to-collection']", namespaces=NS)
    assert [c.text for c in collection] == ["SADF Focus"]
    cid = "#" + collection[0].get("id")
    assert meta(root, "collection-type", cid) == ["series"]
    assert meta(root, "group-position", cid) == ["85"]
    modified = meta(root, "dcterms:modified")
    assert len(modified) == 1 and modified[0].startswith("2022-05-17T")
    assert root.xpath("//opf:meta[@name='generator']/@content", namespaces=NS) == ["pubconv"]
    assert meta(root, "identifier-type", "#pub-id") == ["06"]
    assert meta(root, "dcterms:identifier", cid) == ["urn:issn:2406-5617"]


def test_accessibility_metadata_follows_the_content(complete_intermediate):
    root = opf(build(complete_intermediate)[0])
    assert meta(root, "schema:accessMode") == ["textual", "visual"]
    assert meta(root, "schema:accessModeSufficient") == ["textual", "textual,visual"]
    features = meta(root, "schema:accessibilityFeature")
    for feature in ("structuralNavigation", "tableOfContents", "readingOrder", "alternativeText",
                    "displayTransformability"):
        assert feature in features
    assert "pageBreakMarkers" not in features and "printPageNumbers" not in features
    assert meta(root, "schema:accessibilityHazard") == ["none"]
    assert "3 footnotes" in meta(root, "schema:accessibilitySummary")[0]
    assert meta(root, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    # EPUB Accessibility 1.1: whoever claims conformance is named; by default the publisher.
    assert meta(root, "a11y:certifiedBy") == ["South Asia Democratic Forum"]
    assert "unlocked" not in features  # a setting, not a default


def test_image_without_alt_warns_and_drops_the_conformance_claim(complete_intermediate, assert_valid):
    doc = copy_doc(complete_intermediate)
    doc.find(".//p:image").set("alt", "")
    data, found = build(doc)
    assert [(d.code, d.pos.line) for d in found.warnings] == [("missing-alt", 50)]
    root = opf(data)
    assert meta(root, "dcterms:conformsTo") == []
    assert "alternativeText" not in meta(root, "schema:accessibilityFeature")
    assert meta(root, "schema:accessModeSufficient") == ["textual,visual"]
    assert_valid(data)


def test_a_gif_makes_the_flashing_hazard_unknown(complete_intermediate, tmp_path):
    (tmp_path / "basin.gif").write_bytes(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04"
                                         b"\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
    doc = copy_doc(complete_intermediate, tmp_path)
    doc.find(".//p:image").set("src", "basin.gif")
    assert meta(opf(build(doc)[0]), "schema:accessibilityHazard") == ["unknown"]


def test_document_without_images_is_textual_only(complete_intermediate):
    doc = copy_doc(complete_intermediate)
    figure = doc.find(".//p:figure")
    figure.getparent().remove(figure)
    root = opf(build(doc)[0])
    assert meta(root, "schema:accessMode") == ["textual"]
    assert meta(root, "schema:accessModeSufficient") == ["textual"]
    assert "alternativeText" not in meta(root, "schema:accessibilityFeature")
    assert [n for n in members(build(doc)[0]) if n.startswith("EPUB/images/")] == ["EPUB/images/cover.png"]


def test_modified_comes_from_source_date_epoch(complete_intermediate, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data, _ = build(complete_intermediate)
    assert meta(opf(data), "dcterms:modified") == ["2023-11-14T22:13:20Z"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_bad_source_date_epoch_is_an_error(complete_intermediate, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(PubconvError) as caught:
        build(complete_intermediate)
    assert caught.value.code == "bad-source-date-epoch"


def test_identifier_without_doi_is_a_stable_uuid_of_the_metadata(complete_intermediate, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)

    def uid(doc):
        return opf(build(doc)[0]).xpath("//dc:identifier/text()", namespaces=NS)[0]

    doc = copy_doc(complete_intermediate)
    doi = doc.find("p:meta/p:doi")
    doi.getparent().remove(doi)
    first = uid(doc)
    assert first.startswith("urn:uuid:") and first == uid(copy_doc(doc))
    edited = copy_doc(doc)  # a body edit keeps the identity ...
    edited.find(".//p:body/p:p").text = "Since 1961"
    assert uid(edited) == first
    retitled = copy_doc(doc)  # ... a new title does not
    retitled.find("p:meta/p:title").text = "Another title"
    assert uid(retitled) != first


def test_document_without_date_uses_the_zip_epoch(complete_intermediate, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    doc = copy_doc(complete_intermediate)
    date = doc.find("p:meta/p:date")
    date.getparent().remove(date)
    data, _ = build(doc)
    assert meta(opf(data), "dcterms:modified")[0].startswith("1980-01-01T")


# ---------------------------------------------------------------- navigation


def test_nav_has_nested_toc_and_landmarks_and_no_page_list_unless_asked(complete_intermediate):
    files = members(build(complete_intermediate)[0])
    nav = xml(files["EPUB/nav.xhtml"])
    assert nav.get(XML_LANG) == "en"
    toc = nav.xpath("//h:nav[@epub:type='toc']", namespaces=NS)[0]
    top = [a.get("href") for a in toc.xpath("h:ol/h:li/h:a", namespaces=NS)]
    assert top == ["content.xhtml", "content.xhtml#sec-1", "content.xhtml#sec-3", "content.xhtml#references"]
    assert toc.xpath("h:ol/h:li[2]/h:ol/h:li/h:a/@href", namespaces=NS) == ["content.xhtml#sec-2"]
    marks = {a.get(EPUB_TYPE): a.get("href") for a in
             nav.xpath("//h:nav[@epub:type='landmarks']//h:a", namespaces=NS)}
    assert set(marks) == {"cover", "titlepage", "bodymatter", "bibliography"}
    content = xml(files["EPUB/content.xhtml"])
    for href in marks.values():
        name, fragment = href.split("#")
        target = xml(files[f"EPUB/{name}"]).xpath(f"//*[@id='{fragment}']")
        assert len(target) == 1
    assert content.xpath(f"//*[@id='{marks['titlepage'].split('#')[1]}']/@epub:type", namespaces=NS) == ["titlepage"]
    assert nav.xpath("//h:nav[@epub:type='page-list']", namespaces=NS) == []
    package = xml(files["EPUB/content.opf"])
    assert package.xpath("//opf:item[@properties='nav']/@href", namespaces=NS) == ["nav.xhtml"]


def test_toc_labels_leave_out_note_calls(complete_intermediate):
    doc = copy_doc(complete_intermediate)
    heading = doc.find(".//p:section/p:heading")
    note = etree.SubElement(heading, q("note"), id="fn-h", n="4")
    etree.SubElement(note, q("p")).text = "A note on the heading."
    nav = xml(members(build(doc)[0])["EPUB/nav.xhtml"])
    assert nav.xpath("//h:nav[@epub:type='toc']/h:ol/h:li[2]/h:a/text()", namespaces=NS) == ["A treaty under strain"]


def test_language_reaches_package_content_and_nav(complete_intermediate):
    doc = copy_doc(complete_intermediate)
    doc.root.set(XML_LANG, "de")
    doc.find("p:meta/p:series/p:number").text = "12a"
    files = members(build(doc)[0])
    root = xml(files["EPUB/content.opf"])
    assert root.get(XML_LANG) == "de"
    assert root.xpath("//dc:language/text()", namespaces=NS) == ["de"]
    # A series number that is not a number is not a group-position.
    assert meta(root, "group-position") == []
    summary = root.xpath("//opf:meta[@property='schema:accessibilitySummary']", namespaces=NS)[0]
    assert summary.get(XML_LANG) == "en"
    assert xml(files["EPUB/content.xhtml"]).get(XML_LANG) == "de"
    nav = xml(files["EPUB/nav.xhtml"])
    assert nav.get(XML_LANG) == "de"
    assert nav.xpath("//h:nav[@epub:type='toc']/h:h1/text()", namespaces=NS) == ["Inhalt"]


def test_content_document_has_language_stylesheet_and_title_page(complete_intermediate):
    files = members(build(complete_intermediate)[0])
    content = xml(files["EPUB/content.xhtml"])
    assert content.get(XML_LANG) == "en" and content.get("lang") == "en"
    assert content.xpath("//h:link[@rel='stylesheet']/@href", namespaces=NS) == ["epub.css"]
    assert files["EPUB/epub.css"] == (ROOT / "styles" / "epub.css").read_bytes()
    titlepage = content.xpath("//h:section[@epub:type='titlepage']", namespaces=NS)[0]
    text = " ".join("".join(titlepage.itertext()).split())
    for part in ("FOCUS", "85", "Indus", "Gonçalves-Pérez", "van der Berg", "2022", "SADF.ISSN.2406-5617.F85",
                 "Senior Fellow"):
        assert part in text
    assert "https://doi.org/10.48251/SADF.ISSN.2406-5617.F85" in titlepage.xpath(".//h:a/@href", namespaces=NS)


def test_theme_override_supplies_the_stylesheet(complete_intermediate, tmp_path):
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "epub.css").write_text("body { margin: 0 }\n", encoding="utf-8")
    files = members(build(complete_intermediate, WriteOptions(theme_dir=tmp_path))[0])
    assert files["EPUB/epub.css"] == b"body { margin: 0 }\n"


# ---------------------------------------------------------------- images


def test_image_is_packaged_and_referenced(complete_intermediate):
    files = members(build(complete_intermediate)[0])
    content = xml(files["EPUB/content.xhtml"])
    srcs = content.xpath("//h:img/@src", namespaces=NS)
    assert srcs == ["images/01-basin.png"]
    assert files["EPUB/images/01-basin.png"] == (FIXTURES / "intermediate/complete/basin.png").read_bytes()
    assert content.xpath("//h:img/@alt", namespaces=NS) == ["Map of the Indus basin with the six rivers"]


@pytest.mark.parametrize("src, code", [
    ("../complete.pubconv.xml", "outside-resource"),
    ("/etc/hostname", "outside-resource"),
    ("https://example.org/map.png", "remote-resource"),
    ("data:image/png;base64,AAAA", "unsupported-resource"),
    ("nowhere.png", "missing-resource"),
])
def test_bad_image_is_an_error_at_its_source_line(complete_intermediate, tmp_path, src, code):
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(FIXTURES / "intermediate/complete/basin.png", folder / "basin.png")
    doc = copy_doc(complete_intermediate, folder)
    doc.find(".//p:image").set("src", src)
    with pytest.raises(PubconvError) as caught:
        build(doc)
    assert caught.value.code == code
    assert (caught.value.pos.path, caught.value.pos.line) == (doc.path, 50)


def test_one_file_shown_twice_is_packaged_once_and_odd_names_are_made_safe(complete_intermediate, tmp_path):
    shutil.copy(FIXTURES / "intermediate/complete/basin.png", tmp_path / "Indus map (2022).png")
    doc = copy_doc(complete_intermediate, tmp_path)
    figure = doc.find(".//p:figure")
    figure.find("p:image", {"p": document.NS}).set("src", "Indus%20map%20(2022).png")
    twin = copy.deepcopy(figure)
    twin.attrib.pop("id")
    twin.find("p:image", {"p": document.NS}).set("src", "./Indus map (2022).png")
    figure.addnext(twin)
    files = members(build(doc)[0])
    assert [n for n in files if n.startswith("EPUB/images/")] == ["EPUB/images/01-Indus-map-2022.png",
                                                                 "EPUB/images/cover.png"]
    content = xml(files["EPUB/content.xhtml"])
    assert content.xpath("//h:img/@src", namespaces=NS) == ["images/01-Indus-map-2022.png"] * 2
    package = xml(files["EPUB/content.opf"])
    assert package.xpath("//opf:item[@media-type='image/png'][not(@properties)]/@href", namespaces=NS) == [
        "images/01-Indus-map-2022.png"]


def test_svg_image_is_packaged(complete_intermediate, tmp_path, assert_valid):
    (tmp_path / "basin.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'>"
                                         b"<rect width='1' height='1'/></svg>")
    doc = copy_doc(complete_intermediate, tmp_path)
    doc.find(".//p:image").set("src", "basin.svg")
    data = build(doc)[0]
    package = opf(data)
    assert package.xpath("//opf:item[@href='images/01-basin.svg']/@media-type", namespaces=NS) == ["image/svg+xml"]
    assert_valid(data)


@pytest.mark.parametrize("svg", [
    b"<html>not svg</html>",
    b"<svg xmlns='http://www.w3.org/2000/svg'><unclosed></svg>",
    b"<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><svg xmlns='http://www.w3.org/2000/svg'>&x;</svg>",
])
def test_broken_or_hostile_svg_is_refused(complete_intermediate, tmp_path, svg):
    (tmp_path / "basin.svg").write_bytes(svg)
    doc = copy_doc(complete_intermediate, tmp_path)
    doc.find(".//p:image").set("src", "basin.svg")
    with pytest.raises(PubconvError) as caught:
        build(doc)
    assert (caught.value.code, caught.value.pos.line) == ("bad-image", 50)


def test_symlink_out_of_the_source_folder_is_refused(complete_intermediate, tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    secret = tmp_path / "secret.png"
    shutil.copy(FIXTURES / "intermediate/complete/basin.png", secret)
    (folder / "basin.png").symlink_to(secret)
    with pytest.raises(PubconvError) as caught:
        build(copy_doc(complete_intermediate, folder))
    assert caught.value.code == "outside-resource"


def test_image_format_epub_readers_do_not_know_is_refused(complete_intermediate, tmp_path):
    (tmp_path / "basin.tiff").write_bytes(b"II*\x00")
    doc = copy_doc(complete_intermediate, tmp_path)
    doc.find(".//p:image").set("src", "basin.tiff")
    with pytest.raises(PubconvError) as caught:
        build(doc)
    assert (caught.value.code, caught.value.pos.line) == ("unsupported-image", 50)


def test_image_whose_content_is_not_its_type_is_refused(complete_intermediate, tmp_path):
    (tmp_path / "basin.png").write_bytes(b"GIF89a not a png")
    with pytest.raises(PubconvError) as caught:
        build(copy_doc(complete_intermediate, tmp_path))
    assert (caught.value.code, caught.value.pos.line) == ("bad-image", 50)


def test_relative_link_to_a_file_is_unlinked_with_a_warning(complete_intermediate):
    doc = copy_doc(complete_intermediate)
    para = doc.find(".//p:section/p:p")
    link = etree.SubElement(para, q("link"), href="annex.pdf")
    link.text = "the annex"
    data, found = build(doc)
    assert [(d.code, d.pos.line) for d in found.warnings] == [("local-link", 35)]
    content = xml(members(data)["EPUB/content.xhtml"])
    assert content.xpath("//h:a[@href='annex.pdf']", namespaces=NS) == []
    assert "the annex" in "".join(content.itertext())


# ---------------------------------------------------------------- reproducible container


def test_two_runs_give_the_same_bytes(complete_intermediate, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first, _ = build(complete_intermediate)
    second, _ = build(read_stored(FIXTURES / "intermediate/complete/complete.pubconv.xml"))
    assert first == second


def test_separate_processes_give_the_same_bytes(tmp_path):
    """Hash seeds differ between the two interpreters: no set or dict order may leak into the file."""
    source = FIXTURES / "intermediate/complete/complete.pubconv.xml"
    script = ("import sys; from pathlib import Path; from pubconv import document;"
              "from pubconv.errors import Collector; from pubconv.writers import WriteOptions, epub;"
              "p = Path(sys.argv[1]);"
              "d = document.parse(p.read_bytes(), str(p), p.parent);"
              "Path(sys.argv[2]).write_bytes(epub.write(d, WriteOptions(), Collector()))")
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"run-{seed}.epub"
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | {"PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(source), str(out)], check=True, env=env)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_ncx_has_the_real_depth_and_language(complete_intermediate):
    ncx = xml(members(build(complete_intermediate)[0])["EPUB/toc.ncx"])
    ns = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
    assert ncx.get(XML_LANG) == "en"
    assert ncx.xpath("n:head/n:meta[@name='dtb:depth']/@content", namespaces=ns) == ["2"]
    assert ncx.xpath("n:head/n:meta[@name='dtb:uid']/@content", namespaces=ns) == [
        "urn:doi:10.48251/SADF.ISSN.2406-5617.F85"]
    ids = ncx.xpath("//n:navPoint/@id", namespaces=ns)
    assert len(ids) == len(set(ids)) == 5


def test_mimetype_is_first_and_stored_and_entries_are_fixed(complete_intermediate, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data, _ = build(complete_intermediate)
    # OCF: the first local header is "mimetype", uncompressed, no extra field, at byte 30 its content.
    assert data[:4] == b"PK\x03\x04" and data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert infos[0].extra == b""
        assert [i.filename for i in infos[1:3]] == ["META-INF/container.xml", "EPUB/content.opf"]
        rest = [i.filename for i in infos[3:]]
        assert rest == sorted(rest)
        stamp = meta(xml(archive.read("EPUB/content.opf")), "dcterms:modified")[0]
        assert {i.date_time for i in infos} == {tuple(int(x) for x in re.findall(r"\d+", stamp))}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_zip_time_is_clamped_to_what_zip_can_store():
    assert _zip.zip_time(None) == _zip.ZIP_EPOCH
    assert _zip.zip_time(datetime(1970, 1, 1, tzinfo=timezone.utc)) == _zip.ZIP_EPOCH
    assert _zip.zip_time(datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)) == (2021, 3, 4, 5, 6, 6)


def test_normalize_is_idempotent(complete_intermediate):
    data, _ = build(complete_intermediate)
    stamp = meta(opf(data), "dcterms:modified")[0]
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert _zip.normalize(data, when, opf_path="EPUB/content.opf") == data



# ---------------------------------------------------------------- golden


GOLDEN = FIXTURES / "intermediate" / "complete" / "complete.expected-epub"


def test_complete_matches_golden_member_by_member(complete_intermediate, update_goldens, monkeypatch):
    """Each member of the EPUB against ``complete.expected-epub/``: XML after C14N 2.0, the rest as bytes.

    Images and the stylesheet are compared with their sources elsewhere, and the content document with the
    shared XHTML rendering (which has its own tests), so none of them is stored again here.  For the same
    reason the time of day of ``dcterms:modified`` (a digest of every member, the stylesheet included) is
    compared as ``00:00:00``; the tests of ``modified`` above check it.
    """
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    files = members(build(complete_intermediate)[0])
    files["EPUB/content.opf"] = re.sub(rb"(dcterms:modified\">\d{4}-\d\d-\d\dT)[\d:]{8}Z", rb"\g<1>00:00:00Z",
                                       files["EPUB/content.opf"])
    listing = "".join(f"{name}\n" for name in files).encode("utf-8")
    texts = {name: data for name, data in files.items()
             if not name.startswith("EPUB/images/") and name not in ("EPUB/epub.css", "EPUB/content.xhtml")}
    if update_goldens or not GOLDEN.exists():
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in texts.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
        (GOLDEN / "members.txt").write_bytes(listing)
        if not update_goldens:
            pytest.fail(f"golden files were missing and have been written for review: {GOLDEN}")
    assert listing == (GOLDEN / "members.txt").read_bytes()  # names and order
    for name, data in texts.items():
        expected = (GOLDEN / name).read_bytes()
        if name.endswith((".opf", ".xhtml", ".ncx", ".xml")):
            assert etree.canonicalize(data.decode("utf-8")) == etree.canonicalize(expected.decode("utf-8")), name
        else:
            assert data == expected, name


def test_journal_issue_suffix_and_affiliations_in_the_epub(assert_valid):
    """Extracted headers (issue 13): dc:source, the suffix in creator and file-as, the title page's
    affiliations and journal line; EPUBCheck accepts the book."""
    doc = read(FIXTURES / "extracted" / "venue-line" / "venue-line.md")
    data, found = build(doc)
    assert found.errors == []
    assert_valid(data)
    root = opf(data)
    assert [e.text for e in root.xpath("//dc:source", namespaces=NS)] == ["Journal of Regional Affairs 34(1)"]
    assert [e.text for e in root.xpath("//dc:creator", namespaces=NS)] == ["Anna Berg", "Tomás Ruiz Jr."]
    ids = root.xpath("//dc:creator/@id", namespaces=NS)
    assert meta(root, "file-as", f"#{ids[1]}") == ["Ruiz, Tomás, Jr."]
    page = xml(members(data)["EPUB/content.xhtml"])
    assert [" ".join("".join(p.itertext()).split()) for p in page.iterfind(".//h:p[@class='source']", NS)] == \
        ["Journal of Regional Affairs 34(1)"]
    doc = read(FIXTURES / "extracted" / "superscript-affs" / "superscript-affs.md")
    data, found = build(doc)
    assert_valid(data)
    page = xml(members(data)["EPUB/content.xhtml"])
    affs = [" ".join("".join(li.itertext()).split()) for li in page.iterfind(".//h:ul[@class='affiliations']/h:li", NS)]
    assert affs == ["1 Institute for Coastal Studies, Kiel, Germany", "2 University of Porto, Porto, Portugal"]
    calls = ["".join(s.itertext()) for s in page.iterfind(".//h:sup[@class='aff-call']", NS)]
    assert calls == ["1", "1,2", "2"]


def test_the_title_page_gives_the_title_in_other_languages_with_their_language(tmp_path, assert_valid):
    """Issue 19: ``title-translations`` on the EPUB's title page, with ``lang`` and ``xml:lang``."""
    from test_pdf import TRANSLATED

    (tmp_path / "t.md").write_text(TRANSLATED, encoding="utf-8")
    data, found = build(read(tmp_path / "t.md"))
    assert found.errors == []
    assert_valid(data)
    page = next(xml(body) for name, body in members(data).items()
                if name.endswith(".xhtml") and b"trans-title" in body)
    titles = [p for p in page.iter("{http://www.w3.org/1999/xhtml}p") if p.get("class") == "trans-title"]
    assert [(p.get("lang"), p.get("{http://www.w3.org/XML/1998/namespace}lang"), "".join(p.itertext()))
            for p in titles] == [("de", "de", "Niedrigwasser auf der „Donau“: Was die Dürre kostete"),
                                 ("fr", "fr", "Les basses eaux du Danube?")]

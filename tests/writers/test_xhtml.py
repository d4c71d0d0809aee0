"""The shared XHTML rendering (pubconv.writers.xhtml) for the PDF and EPUB writers."""
from __future__ import annotations

import copy

import pytest
from lxml import etree

from pubconv import document
from pubconv.document import E, q
from pubconv.errors import Collector, PubconvError
from pubconv.writers import WriteOptions
from pubconv.writers.xhtml import OPS, XHTML, format_date, render, safe_href, short_title

NS = {"h": XHTML, "epub": OPS}


def xhtml(doc, target, report=None):
    text = render(doc, WriteOptions(), report or Collector(), target=target)
    return text, etree.fromstring(text.encode("utf-8"))


def clone(doc):
    return document.Document(copy.deepcopy(doc.root), doc.path, doc.base_dir)


@pytest.mark.parametrize("target", ["pdf", "epub"])
def test_well_formed_root_and_head(complete_intermediate, target):
    text, root = xhtml(complete_intermediate, target)
    assert root.tag == f"{{{XHTML}}}html"
    assert root.get("lang") == "en" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.nsmap["epub"] == OPS
    assert root.find("h:head/h:meta[@charset='utf-8']", NS) is not None
    assert root.findtext("h:head/h:title", namespaces=NS) == "Water, power and the Indus basin: a reassessment"
    links = root.findall("h:head/h:link", NS)
    assert [l.get("href") for l in links] == (["epub.css"] if target == "epub" else [])
    # The document title is the only h1; sections go h2, h3 by level.
    assert len(root.findall(".//h:h1", NS)) == 1
    assert [h.xpath("string()") for h in root.findall(".//h:h2", NS)] == [
        "A treaty under strain", "Conclusion", "References"]
    assert root.findtext(".//h:section[@id='sec-2']/h:h3", namespaces=NS) == "Flows in numbers"
    # No self-closed non-void element: an HTML parser (WeasyPrint's) would read it as an open tag.
    assert "<td/>" not in text and "<span/>" not in text and "<p/>" not in text


def test_title_page(complete_intermediate):
    _, root = xhtml(complete_intermediate, "epub")
    page = root.find(".//h:section[@class='titlepage']", NS)
    assert page.get(f"{{{OPS}}}type") == "titlepage"
    assert page.findtext(".//h:p[@class='series']", namespaces=NS) is not None
    assert page.find(".//h:p[@class='series']", NS).xpath("string()") == "FOCUS 85"
    assert page.find(".//h:p[@class='subtitle']", NS).get("role") == "doc-subtitle"
    authors = page.find(".//h:p[@class='authors']", NS).xpath("string()")
    assert authors == "Ana Gonçalves-Pérez* and Rahul van der Berg"
    assert page.findtext(".//h:time", namespaces=NS) == "17 May 2022"
    doi = page.find(".//h:span[@class='doi']/h:a", NS)
    assert doi.get("href") == "https://doi.org/10.48251/SADF.ISSN.2406-5617.F85"
    assert "Senior Fellow at SADF" in page.find(".//h:div[@id='bio-author-1']", NS).xpath("string()")
    assert page.find(".//h:section[@role='doc-abstract']", NS) is not None
    assert page.find(".//h:div[@id='an-1']", NS).xpath("string()").strip() == "* The views expressed are the author’s own."


def test_epub_notes_are_asides_after_their_block(complete_intermediate):
    _, root = xhtml(complete_intermediate, "epub")
    calls = root.findall(".//h:a[@class='fn-call']", NS)
    assert [c.text for c in calls] == ["1", "2", "3"]
    for call in calls:
        n = call.text
        assert call.get("id") == f"fnref-{n}" and call.get("href") == f"#fn-{n}"
        assert call.get(f"{{{OPS}}}type") == "noteref" and call.get("role") == "doc-noteref"
        assert len(call) == 0  # no <sup> inside the link (iBooks pop-ups)
        aside = root.find(f".//h:aside[@id='fn-{n}']", NS)
        assert aside.get(f"{{{OPS}}}type") == "footnote" and aside.get("role") == "doc-footnote"
        back = aside.find(".//h:a[@role='doc-backlink']", NS)
        assert back.get("href") == f"#fnref-{n}" and back.text == n
        assert etree.QName(aside.getparent()).localname in ("section", "main")
    assert not root.xpath("//h:p//h:aside | //h:li//h:aside", namespaces=NS)
    # The three-paragraph note keeps its three paragraphs.
    assert len(root.findall(".//h:aside[@id='fn-2']/h:p", NS)) == 3
    # fn-1 follows the paragraph that calls it.
    aside = root.find(".//h:aside[@id='fn-1']", NS)
    assert aside.getprevious().find("h:a[@id='fnref-1']", NS) is not None


def test_pdf_notes_sit_at_the_call(complete_intermediate):
    _, root = xhtml(complete_intermediate, "pdf")
    assert not root.findall(".//h:aside", NS)
    for n, paras in (("1", 1), ("2", 3), ("3", 1)):
        call = root.find(f".//h:a[@id='fnref-{n}']", NS)
        body = call.getnext()
        assert body.tag == f"{{{XHTML}}}span" and body.get("class") == "footnote" and body.get("id") == f"fn-{n}"
        assert len(body.findall("h:span[@class='fn-p']", NS)) == paras
        assert not body.xpath(".//h:p | .//h:div", namespaces=NS)


def test_references_and_citations(complete_intermediate):
    _, root = xhtml(complete_intermediate, "epub")
    refs = root.find(".//h:section[@id='references']", NS)
    assert refs.get("role") == "doc-bibliography" and refs.get(f"{{{OPS}}}type") == "bibliography"
    assert [li.get("id") for li in refs.findall(".//h:li", NS)] == ["ref-1", "ref-2", "ref-3"]
    doi_links = refs.findall(".//h:li[@id='ref-1']//h:a", NS)
    assert [a.get("href") for a in doi_links] == ["https://doi.org/10.2166/wp.2019.001"]
    assert refs.find(".//h:li[@id='ref-1']", NS).xpath("string()").count("https://doi.org/10.2166") == 1
    assert refs.find(".//h:li[@id='ref-3']//h:a", NS).get("href") == "https://www.dawn.com/news/1608342"
    cites = root.findall(".//h:a[@class='citation']", NS)
    assert {c.get("href") for c in cites} == {"#ref-1", "#ref-2"}
    assert all(c.get("role") == "doc-biblioref" for c in cites)


def test_body_elements(complete_intermediate):
    _, root = xhtml(complete_intermediate, "epub")
    assert root.find(".//h:ol", NS).get("start") == "1"
    assert root.find(".//h:sub", NS).text == "2"
    assert root.find(".//h:blockquote/h:p", NS) is not None
    table = root.find(".//h:table[@id='table-1']", NS)
    assert table.find("h:caption", NS) is not None
    assert [th.text for th in table.findall("h:thead/h:tr/h:th", NS)] == ["River", "Flow"]
    assert len(table.findall("h:tbody/h:tr", NS)) == 2
    img = root.find(".//h:figure[@id='figure-1']/h:img", NS)
    assert img.get("src") == "basin.png" and img.get("alt").startswith("Map of the Indus")
    assert root.findtext(".//h:figure/h:figcaption", namespaces=NS) == "The Indus basin."
    assert root.findtext(".//h:code", namespaces=NS) == "Article IX"


def test_user_text_is_never_template_or_markup(complete_intermediate):
    doc = clone(complete_intermediate)
    title = doc.find("p:meta/p:title")
    for child in list(title):
        title.remove(child)
    title.text = "{{ 7*7 }} {% if 1 %}x{% endif %} <script>alert(1)</script> & more"
    doc.find("p:meta/p:authors/p:author/p:name/p:family").text = "{{ config }}"
    text, root = xhtml(doc, "pdf")
    assert root.findtext(".//h:h1", namespaces=NS) == title.text
    assert "{{ config }}" in root.find(".//h:p[@class='authors']", NS).xpath("string()")
    assert "<script>" not in text and "49" not in root.findtext(".//h:h1", namespaces=NS)
    assert not root.findall(".//h:script", NS)


def test_unsafe_link_is_text_with_a_warning(complete_intermediate):
    doc = clone(complete_intermediate)
    para = doc.find("p:body/p:section/p:p")
    para.append(E("link", "click", href=" JavaScript:alert(1)"))
    found = Collector()
    _, root = xhtml(doc, "epub", found)
    assert not root.xpath("//h:a[contains(translate(@href, 'JAVSCRIPT', 'javscript'), 'javascript')]",
                          namespaces=NS)
    assert [d.code for d in found.items] == ["unsafe-link"]
    assert found.items[0].pos == document.SourcePos(doc.path, 35)


def test_unknown_element_names_itself_and_its_line(complete_intermediate):
    doc = clone(complete_intermediate)
    section = doc.find("p:body/p:section")
    bogus = etree.SubElement(section, q("marquee"))
    bogus.set(document.LINE, "99")
    with pytest.raises(PubconvError) as err:
        render(doc, WriteOptions(), Collector(), target="epub")
    assert err.value.code == "unknown-element"
    assert "<marquee>" in err.value.message
    assert err.value.pos.line == 99 and err.value.pos.path == doc.path


def test_nested_note_in_pdf_is_an_error_and_fine_in_epub(complete_intermediate):
    doc = clone(complete_intermediate)
    inner = E("note", E("p", "inner"), id="fn-9", n="9", line=80)
    doc.xpath("//p:note[@n='1']/p:p")[0].append(inner)
    with pytest.raises(PubconvError) as err:
        render(doc, WriteOptions(), Collector(), target="pdf")
    assert err.value.code == "nested-note" and err.value.pos.line == 80
    _, root = xhtml(doc, "epub")
    assert root.find(".//h:aside[@id='fn-9']", NS) is not None
    assert not root.xpath("//h:aside//h:aside", namespaces=NS)


@pytest.mark.parametrize("iso, season, lang, expected", [
    ("2021-03-03", None, "en", "3 March 2021"),
    ("2021-03", None, "en", "March 2021"),
    ("2021", None, "en-GB", "2021"),
    ("2021-04", "Spring", "en", "Spring 2021"),
    ("2021-03-01", None, "fr", "1er mars 2021"),
    ("2021-03-03", None, "de-DE", "3. März 2021"),
    ("2021-03-03", None, "xx", "3 March 2021"),
])
def test_format_date(iso, season, lang, expected):
    assert format_date(iso, season, lang) == expected


def test_short_title_and_safe_href():
    assert short_title("Pakistan's vision: a reset") == "Pakistan's vision: a reset"
    long = "Pakistan's vision to reset its ties with the U.S. and the implications for the Afghan peace negotiations"
    cut = short_title(long)
    assert len(cut) <= 61 and cut.endswith("…") and long.startswith(cut[:-1])
    assert safe_href("https://x.org") and safe_href("#ref-1") and safe_href("mailto:a@b.c")
    assert not safe_href("java\tscript:alert(1)") and not safe_href("data:text/html,x") and not safe_href(" ")


@pytest.mark.parametrize("target", ["pdf", "epub"])
def test_a_link_to_a_local_file_keeps_its_text_only(complete_intermediate, target):
    root = copy.deepcopy(complete_intermediate.root)
    para = root.find(f".//{q('section')}/{q('p')}")
    link = etree.SubElement(para, q("link"), href="annex.pdf")
    link.text = "the annex"
    doc = document.Document(root, path="c.md", base_dir=complete_intermediate.base_dir)
    found = Collector()
    html = render(doc, WriteOptions(), found, target=target)
    assert 'href="annex.pdf"' not in html and "the annex" in html
    assert [(d.code, d.pos.line) for d in found.items] == [("local-link", 35)]

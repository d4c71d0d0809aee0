"""Issue 19: a figure that does not fit at a page foot does not leave half the page blank (``writers/pdf/floats.py``).

``fixtures/pdf/floats/floats.md`` puts a tall figure where WeasyPrint alone pushes it to the next page and
leaves the foot of the page before it blank; the float rule moves it after the text that fills the gap.
Read back from the PDF: the gap, the caption and the reference; the EPUB keeps the order written.
``table.md`` is the same with a captioned table, whose caption WeasyPrint left alone at the page foot.
"""
from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from lxml import etree

from pubconv import api
from pubconv.errors import Collector
from pubconv.writers import WriteOptions, pdf
from pubconv.writers.pdf import floats
from pdf_reading import check_notes, words_by_page

ROOT = Path(__file__).resolve().parents[2]
FLOATS = ROOT / "fixtures" / "pdf" / "floats" / "floats.md"
TABLE = ROOT / "fixtures" / "pdf" / "floats" / "table.md"  # the same text with a captioned table
_H = "{http://www.w3.org/1999/xhtml}"
CAPTION = "Figure 1. Water levels at five gauges on the Danube, August 2022."


def build(path: Path) -> bytes:
    found = Collector()
    data = pdf.write(api.read(path), WriteOptions(), found)
    assert not found.errors
    return data


@pytest.fixture(scope="module")
def settled() -> bytes:
    return build(FLOATS)


@pytest.fixture(scope="module")
def unsettled() -> bytes:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(floats, "GAP_LINES", 10 ** 6)  # the rule off: WeasyPrint's own placement
        return build(FLOATS)


def body_words(page, head: bool = True):
    """The page's words between its running head (the top line; ``head``: the page has one) and its folio."""
    folio, top = max(w[1] for w in page), min(w[1] for w in page)
    return [w for w in page if w[1] < folio - 5 and (not head or w[1] > top + 3)]


def body_text(pages) -> str:
    """The body's text, page after page, without spaces, notes and the figure's caption (smaller type)."""
    size = line_height(pages)
    return "".join(w[0] for index, page in enumerate(pages) for w in body_words(page, head=index > 0)
                   if w[3] > 0.9 * size)


def figure_page(pages) -> int:
    return next(i for i, page in enumerate(pages) if CAPTION in " ".join(w[0] for w in page))


def blank_before(pages, index: int) -> float:
    """How much lower the body of a full page reaches than the body of page ``index``, in points."""
    full = max(max(w[2] for w in body_words(page)) for page in pages)
    return full - max(w[2] for w in body_words(pages[index]))


def line_height(pages) -> float:
    return sorted(w[3] for w in body_words(pages[1]))[len(body_words(pages[1])) // 2]


def test_without_the_rule_the_page_before_the_figure_is_left_half_blank(unsettled, tmp_path):
    pages = words_by_page(unsettled, tmp_path)
    at = figure_page(pages)
    assert at > 0
    assert blank_before(pages, at - 1) > 10 * line_height(pages)


def test_the_figure_is_moved_after_the_text_that_fills_the_gap(settled, unsettled, tmp_path):
    pages = words_by_page(settled, tmp_path)
    before = words_by_page(unsettled, tmp_path)
    at = figure_page(pages)
    # The page before the figure is full, no page before the last ends in a gap the rule would
    # have filled, and no page was added.
    assert blank_before(pages, at - 1) < 2 * line_height(pages)
    for index in range(1, len(pages) - 1):
        assert blank_before(pages, index) < floats.GAP_LINES * line_height(pages), index
    assert len(pages) <= len(before)
    # The figure still comes after its first mention, with its number and caption.
    text = [" ".join(w[0] for w in page) for page in pages]
    mention = next(i for i, t in enumerate(text) if "are shown in Figure 1;" in t)
    assert mention <= at
    assert CAPTION in text[at]
    # Nothing of the text is lost or doubled, and it still reads in order but for the figure.
    assert body_text(pages) == body_text(before)
    check_notes(api.read(FLOATS), settled, tmp_path)


def test_the_epub_keeps_the_order_written(tmp_path):
    result = api.convert(FLOATS, to=["epub"], write=False)
    with zipfile.ZipFile(BytesIO(result.data["epub"])) as z:
        name = next(n for n in z.namelist() if n.endswith(".xhtml") and b"<figure" in z.read(n))
        tree = etree.fromstring(z.read(name))
    figure = next(tree.iter(f"{_H}figure"))
    previous = figure.getprevious()
    assert "are shown in" in "".join(previous.itertext())


def _section(xml: str) -> etree._Element:
    return etree.fromstring(f'<section xmlns="http://www.w3.org/1999/xhtml">{xml}</section>')


def test_a_figure_moves_past_running_text_only():
    section = _section('<figure data-pdf-b="1"/><p/><ul/><blockquote/><h3/><p/>')
    assert [etree.QName(e).localname for e in floats._text_after(section[0])] == ["p", "ul", "blockquote"]
    section = _section('<figure data-pdf-b="1"/><p/><table data-pdf-b="2"><caption/></table><p/>')
    assert len(floats._text_after(section[0])) == 1
    section = _section('<figure data-pdf-b="1"/><p/><section/><p/>')
    assert len(floats._text_after(section[0])) == 1
    section = _section('<figure data-pdf-b="1"/><p/><p class="pdf-break-before"/>')
    assert len(floats._text_after(section[0])) == 1


def test_the_rule_costs_a_layout_only_when_a_figure_left_a_gap(monkeypatch):
    from pubconv.writers.pdf import notes as _pdf_notes

    layouts = []
    render = _pdf_notes._render

    def counting(*args, **kwargs):
        layouts.append(1)
        return render(*args, **kwargs)

    monkeypatch.setattr(_pdf_notes, "_render", counting)
    build(FLOATS)
    assert len(layouts) == 2  # the layout that shows the gap, and the one with the figure moved
    layouts.clear()
    build(ROOT / "fixtures" / "authoring" / "figures-tables" / "figures-tables.md")
    assert len(layouts) == 1  # its figure and table leave no gap: nothing to try


def _build_without_the_rule(path: Path) -> bytes:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(floats, "GAP_LINES", 10 ** 6)
        return build(path)


def test_a_table_caption_stays_with_its_table_and_the_table_floats_too(tmp_path):
    caption = "Table 1. Water levels at the gauges, August 2022."
    for data, moved in ((_build_without_the_rule(TABLE), False), (build(TABLE), True)):
        pages = words_by_page(data, tmp_path)
        text = [" ".join(w[0] for w in page) for page in pages]
        at = next(i for i, t in enumerate(text) if caption in t)
        assert "Gauge 1 107" in text[at]  # the caption is never left alone at a page foot (print.css)
        if moved:
            assert blank_before(pages, at - 1) < 2 * line_height(pages)
            assert next(i for i, t in enumerate(text) if "are shown in Table 1;" in t) <= at
        else:
            assert blank_before(pages, at - 1) > 10 * line_height(pages)

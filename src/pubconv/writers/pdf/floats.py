"""Figures that do not leave half a page blank: the PDF's float rule (issue 19).

What this module owns: :func:`settle`, run by ``notes.render_with_notes`` once a
layout's notes are right.  WeasyPrint 70 has no page floats (``float: top`` and
``float: bottom`` of CSS GCPM are not implemented): a figure, or a table with a
caption, that does not fit at the foot of a page (both are ``break-inside:
avoid``, so the caption stays with the image) goes whole to the next page and
leaves the rest of the page blank.  When that gap is taller than
``GAP_LINES`` body lines, the figure is moved in the print XHTML after the
paragraphs that follow it, as many as fill the gap, so the text runs on and the
figure comes at the top of the next page, as a book would set it.

The rules of a move:

* only forward, past following siblings that are running text (paragraphs,
  lists, block quotes, definition lists, code): never past a heading or a
  section of its own, never past another figure or table (numbers stay in
  order), never past a forced page break; so a figure never comes before its
  own first mention if it was after it;
* the new layout is kept only if every note is still right (``problems``
  finds nothing), it has no more pages, and the blank left at page feet by
  pushed figures is smaller; otherwise the move is undone.

Each try costs one layout, and only a figure that left such a gap is tried.
Only the PDF's XHTML changes: the intermediate, the EPUB and the JATS keep the
order written.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..xhtml import XHTML
from .placement import BLOCK_ATTR, Layout
from .problems import first_problem
from .split import Note

_H = f"{{{XHTML}}}"
#: A pushed figure is moved when the page before it ends in a gap taller than this many body lines.
GAP_LINES = 6
#: What a figure may move past: running text.
_TEXT = frozenset(f"{_H}{name}" for name in "p ul ol blockquote dl pre".split())
#: Moves tried for one figure (the second moves it past one paragraph less).
_TRIES = 2


@dataclass(frozen=True)
class Gap:
    """A figure (or captioned table) that starts page ``page`` after a gap of ``height`` at the page before."""

    block: str  # its data-pdf-b
    page: int
    height: float


def floats(tree: etree._Element) -> list[etree._Element]:
    """The body's figures and captioned tables, in document order."""
    return [el for el in tree.iter(f"{_H}figure", f"{_H}table")
            if el.get(BLOCK_ATTR) is not None and el.getparent() is not None
            and etree.QName(el.getparent()).localname in ("main", "section")
            and (el.tag == f"{_H}figure" or el.find(f"{_H}caption") is not None)]


def gaps(tree: etree._Element, layout: Layout) -> list[Gap]:
    """Every figure that went to the next page and left more than ``GAP_LINES`` lines blank before it."""
    found = []
    for el in floats(tree):
        block = el.get(BLOCK_ATTR)
        page = next((i for i, info in enumerate(layout.pages) if block in info.blocks), None)
        if not page or layout.pages[page].blocks[0] != block or "pdf-break-before" in _classes(el):
            continue
        before = _previous_block(el)
        previous = layout.pages[page - 1]
        if before is None or not previous.blocks or previous.blocks[-1] != before:
            continue  # not pushed from the page before (a page break, the title page...)
        height = previous.floor(layout) - previous.body_bottom
        if height > GAP_LINES * previous.body_line_height:
            found.append(Gap(block, page, height))
    return found


def settle(tree: etree._Element, notes: dict[str, Note], rendered, accepted: set[str], render, read):
    """Move each pushed figure after the text that fills its gap; return the rendering kept.

    ``render()`` lays the tree out, ``read`` makes its ``Layout``; a try is
    kept only if its notes are right, it has no more pages and less blank
    before figures (see the module's docstring).  A document without figures
    costs nothing, not even a reading of its layout.
    """
    if not floats(tree):
        return rendered
    layout = read(rendered)
    tried: set[str] = set()
    while True:
        current = gaps(tree, layout)
        gap = next((g for g in current if g.block not in tried), None)
        if gap is None:
            return rendered
        tried.add(gap.block)
        figure = next(el for el in floats(tree) if el.get(BLOCK_ATTR) == gap.block)
        past = _text_after(figure)
        count = _enough(past, layout, gap.height)
        for _ in range(_TRIES):
            if count < 1:
                break
            parent, index = figure.getparent(), figure.getparent().index(figure)
            _move_after(figure, past[count - 1])
            trial = render()
            trial_layout = read(trial)
            if first_problem(notes, trial_layout, skip=accepted) is None \
                    and len(trial.pages) <= len(rendered.pages) \
                    and _blank(gaps(tree, trial_layout)) < _blank(current):
                rendered, layout = trial, trial_layout
                break
            _move_back(figure, parent, index)
            count -= 1


def _blank(found: list[Gap]) -> float:
    return sum(g.height for g in found)


def _classes(el: etree._Element) -> list[str]:
    return (el.get("class") or "").split()


def _previous_block(el: etree._Element) -> str | None:
    """The data-pdf-b of the last block before ``el`` in document order (its last line's block)."""
    for prev in el.itersiblings(preceding=True):
        if not isinstance(prev.tag, str):
            continue
        inner = [b for b in prev.iter() if isinstance(b.tag, str) and b.get(BLOCK_ATTR) is not None]
        return inner[-1].get(BLOCK_ATTR) if inner else None
    parent = el.getparent()
    if parent is not None and parent.tag == f"{_H}section":
        return _previous_block(parent)
    return None


def _text_after(figure: etree._Element) -> list[etree._Element]:
    """The running text that follows ``figure`` in its section, up to a heading, section, float or break."""
    out = []
    for sibling in figure.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag not in _TEXT or "pdf-break-before" in _classes(sibling):
            break
        out.append(sibling)
    return out


def _enough(past: list[etree._Element], layout: Layout, room: float) -> int:
    """How many of ``past`` it takes to fill ``room`` (all of them if they cannot)."""
    total = 0.0
    for count, el in enumerate(past, start=1):
        blocks = {b.get(BLOCK_ATTR) for b in el.iter() if isinstance(b.tag, str) and b.get(BLOCK_ATTR)}
        total += sum(bottom - top for page in layout.pages
                     for block, (top, bottom) in page.extents.items() if block in blocks)
        if total >= room:
            return count
    return len(past)


def _move_after(figure: etree._Element, anchor: etree._Element) -> None:
    """Put ``figure`` right after ``anchor`` (lxml moves its tail, the whitespace between blocks, with it)."""
    anchor.addnext(figure)


def _move_back(figure: etree._Element, parent: etree._Element, index: int) -> None:
    parent.insert(index, figure)

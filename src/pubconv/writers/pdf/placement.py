"""Reading a WeasyPrint layout back: where every note, part of a note and call landed.

What this module owns: :class:`Layout`, built from WeasyPrint's page boxes
(``Page._page_box``, ``FootnoteAreaBox``; not public API, hence the pin on
WeasyPrint 70.x) after each layout, and the block numbers (``data-pdf-b``) that
let a repair find the body block that ends a page.  It judges nothing
(``problems``) and changes nothing (``repair``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from lxml import etree
from weasyprint.formatting_structure import boxes

from .split import Note

_BLOCK_TAGS = frozenset("p li blockquote h1 h2 h3 h4 h5 h6 figure table pre dd dt".split())
#: The attribute that numbers the body's blocks (:func:`number_blocks`).
BLOCK_ATTR = "data-pdf-b"


@dataclass
class Piece:
    """Where one footnote box (a note or a part of one) landed."""

    id: str
    page: int
    top: float
    bottom: float
    lines: list[str]  # the text of each line, as laid out
    line_height: float


@dataclass
class PageInfo:
    content_top: float
    content_bottom: float
    pieces: list[str] = field(default_factory=list)
    body_line_height: float = 0.0
    body_bottom: float = 0.0  # the bottom of the last body line
    blocks: list[str] = field(default_factory=list)  # data-pdf-b of the body lines, in order
    #: data-pdf-b -> (top of its first line, bottom of its last line) on this page
    extents: dict[str, tuple[float, float]] = field(default_factory=dict)

    def floor(self, layout: "Layout") -> float:
        """Where the body's room ends: the top of the page's note area, or the content box's bottom."""
        area_top = min((layout.pieces[p].top for p in self.pieces), default=None)
        return area_top - layout.area_overhead if area_top is not None else self.content_bottom


@dataclass
class Layout:
    """One layout as pubconv's checks see it."""

    pages: list[PageInfo]
    pieces: dict[str, Piece]
    anchors: dict[str, tuple[int, tuple[float, float, float, float]]]  # first page with each anchor
    area_overhead: float  # margin, border and padding of the note area
    area_limit: float  # the note area's max-height (plus overhead), as laid out
    #: a note (part) that the layout itself ran on overleaf (``weasyprint_fixes``): its id ->
    #: the ids of the pieces on the following pages (``fn-4+2``, ``fn-4+3``...)
    runs: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, rendered) -> "Layout":
        pages, pieces, anchors, runs = [], {}, {}, {}
        overhead, limit = 0.0, math.inf
        for index, page in enumerate(rendered.pages):
            box = page._page_box
            for name, rect in page.anchors.items():
                anchors.setdefault(name, (index, rect))
            top, bottom = box.content_box_y(), box.content_box_y() + box.height
            area = next((c for c in box.children if isinstance(c, boxes.FootnoteAreaBox)), None)
            info = PageInfo(top, bottom)
            if area is not None and area.children:
                overhead = area.margin_height() - area.height
                if isinstance(area.max_height, (int, float)):
                    limit = min(limit, area.max_height + overhead)
                for child in area.children:
                    piece_id = child.element.get("id") if child.element is not None else None
                    if piece_id:
                        if piece_id in pieces:  # run on from an earlier page
                            more = runs.setdefault(piece_id, [])
                            more.append(f"{piece_id}+{len(more) + 2}")
                            piece_id = more[-1]
                        pieces[piece_id] = _piece(piece_id, index, child)
                        info.pieces.append(piece_id)
            info.body_line_height = _body_line_height(box)
            info.body_bottom = max((b.position_y + b.height for b in box.children[0].descendants()
                                    if isinstance(b, boxes.LineBox)), default=top)
            _line_blocks(box.children[0], None, info.blocks, info.extents)
            pages.append(info)
        return cls(pages, pieces, anchors, overhead, limit, runs)

    def parts(self, note: Note) -> list[str]:
        """Every piece of ``note`` in print order: its parts in the XHTML, each with the pages it ran on."""
        return [p for part in note.part_ids() for p in (part, *self.runs.get(part, ()))]

    def call(self, note: Note) -> tuple[int, tuple[float, float, float, float]] | None:
        """(page index, link box) of the note's call."""
        return self.anchors.get(f"fnref-{note.number}")


def number_blocks(tree: etree._Element) -> None:
    """Give every block an id that the layout reports back (``data-pdf-b``)."""
    blocks = (e for e in tree.iter() if isinstance(e.tag, str) and etree.QName(e).localname in _BLOCK_TAGS)
    for i, el in enumerate(blocks):
        el.set(BLOCK_ATTR, str(i))


def _piece(piece_id: str, page: int, box) -> Piece:
    lines = [b for b in box.descendants() if isinstance(b, boxes.LineBox)]
    texts = ["".join(t.text for t in line.descendants() if isinstance(t, boxes.TextBox)) for line in lines]
    real = [(line, text) for line, text in zip(lines, texts) if text.strip()]
    height = sum(line.height for line, _ in real) / len(real) if real else 0.0
    return Piece(piece_id, page, box.position_y, box.position_y + box.margin_height(),
                 [text for _, text in real], height)


def _line_blocks(box, current: str | None, out: list[str], extents: dict[str, tuple[float, float]]) -> None:
    element = getattr(box, "element", None)
    if element is not None and element.get(BLOCK_ATTR) is not None:
        current = element.get(BLOCK_ATTR)
    if isinstance(box, boxes.LineBox):
        if current is not None:
            if not out or out[-1] != current:
                out.append(current)
            top, bottom = box.position_y, box.position_y + box.height
            if current in extents:
                top, bottom = min(top, extents[current][0]), max(bottom, extents[current][1])
            extents[current] = (top, bottom)
        return
    for child in getattr(box, "children", ()):
        _line_blocks(child, current, out, extents)


def _body_line_height(page_box) -> float:
    for box in page_box.children[0].descendants():
        if isinstance(box, boxes.LineBox) and box.height:
            return box.height
    return 0.0

"""Footnotes that are never lost: WeasyPrint layout, checked and repaired by pubconv.

WeasyPrint 70 lays out ``float: footnote`` notes but does not split one.  Seen
with this project's versions (``docs/pdf.md``):

* a note taller than the room on its page overflows, upwards when it was
  carried over from the page before, and its start is lost (#1833, #2502);
* when a paragraph's first lines reach the foot of a page, WeasyPrint moves
  the page's last notes to the next page rather than the paragraph, so a note
  leaves the page of its call, or a continued note goes out of order;
* a float rounding error (1e-13 px) in its "does the note area overflow" test
  defers notes that fit (print.css gives ``@footnote`` a hair of padding).

``weasyprint_fixes`` mends the first two inside WeasyPrint's layout (notes
run on overleaf; notes stay with their calls), so most documents are right
after one layout.  :func:`render_with_notes` still lays the document out,
reads the page boxes to see where every note and every part of one landed
(:func:`first_problem`), repairs the first problem in the XHTML
(:func:`repair`: move a continuation behind the notes of its page, force a
page break before the paragraph that pushed a note away, or cut a note that is
too long at a word boundary, ``split``) and lays out again, until every
note starts on the page of its call and no part is cut.  If that cannot be
reached it raises ``footnote-overflow`` rather than print a PDF with text
missing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.urls import FatalURLFetchingError

from ...document import Document
from ...errors import PubconvError, Report, SourcePos, warn
from . import weasyprint_fixes as _weasyprint_fixes
from .fetch import SOURCE_URL, SafeFetcher
from .split import Note, add_class, offset_after_lines
from ..xhtml import XHTML

_H = f"{{{XHTML}}}"
_weasyprint_fixes.apply()
#: Lay-outs allowed: a few, plus three per note (each repair costs one).
MAX_PASSES = 6
MAX_TRIES_PER_PROBLEM = 4

#: Layout mechanics the repairs rely on (not theme: a user's print.css cannot drop them).
_MECHANICS = """
.pdf-break-before { break-before: page; }
"""
_BLOCK_TAGS = frozenset("p li blockquote h1 h2 h3 h4 h5 h6 figure table pre dd dt".split())
_BLOCK_ATTR = "data-pdf-b"


def render_with_notes(doc: Document, html: str, css: str, fetcher: SafeFetcher, styles_dir: Path,
                      variant: str | None, report: Report):
    """Lay ``html`` out until every footnote is whole and starts on the page of its call.

    Returns WeasyPrint's rendered ``Document`` (to be written with ``write_pdf``).
    """
    tree = etree.fromstring(html.encode("utf-8"))
    _number_blocks(tree)
    stylesheet = CSS(string=css + _MECHANICS, base_url=styles_dir.as_uri() + "/", url_fetcher=fetcher)
    options = {"pdf_variant": variant, "pdf_tags": bool(variant and "ua" in variant)}
    notes = {span.get("id"): Note(span) for span in tree.iter(f"{_H}span")
             if "footnote" in (span.get("class") or "").split() and span.get("id")}
    attempts: dict[tuple[str, str], int] = {}
    accepted: set[str] = set()  # notes that cannot start beside their call (see below)
    problem = None
    for _ in range(MAX_PASSES + 3 * len(notes)):
        rendered = _render(tree, doc, stylesheet, fetcher, options)
        layout = Layout.read(rendered)
        while True:
            problem = first_problem(notes, layout, skip=accepted)
            if problem is None or repair(tree, notes, problem, layout, attempts):
                break
            if problem[2] not in PLACEMENT:
                _give_up(doc, problem)
            # Nothing of it is lost, but it cannot start on its call's page (the notes
            # before it fill that page, in order): keep it where it is, with a warning.
            accepted.add(problem[0])
        if problem is None:
            rendered = _polish(tree, notes, rendered, layout, accepted,
                               lambda: _render(tree, doc, stylesheet, fetcher, options))
            _warn_moved(doc, notes, Layout.read(rendered), accepted, report)
            return rendered
    _give_up(doc, problem)


#: Problems that misplace a note without losing any of its text.
PLACEMENT = ("moved to another page than its call", "continued out of order")


def _give_up(doc: Document, problem) -> None:
    note_id, _, reason = problem
    n = note_id.removeprefix("fn-")
    raise PubconvError(f"footnote {n} cannot be set whole ({reason})", _note_pos(doc, n), "footnote-overflow")


def _warn_moved(doc: Document, notes: dict[str, "Note"], layout: "Layout", accepted: set[str], report) -> None:
    for note_id in sorted(accepted, key=lambda i: list(notes).index(i)):
        note = notes[note_id]
        piece, call = layout.pieces.get(note.id), layout.call(note)
        if piece is not None and call is not None and piece.page != call[0]:
            warn(report, "footnote-moved",
                 f"footnote {note.number} starts on page {piece.page + 1}, after its call on page {call[0] + 1}: "
                 "the notes before it fill that page", _note_pos(doc, note.number))


def _polish(tree, notes: dict[str, Note], rendered, layout: "Layout", accepted: set[str], render,
            rounds: int = 3):
    """Start a long note on the page before, where its call was pushed from, if it fills the gap left.

    WeasyPrint moves the line that calls a note too tall for the room to the
    next page and leaves the rest of the page blank; a book would begin the
    note there and continue it overleaf.  Each try is kept only if the new
    layout is still free of problems and no longer.
    """
    for _ in range(rounds):
        candidate = _pushed_note(notes, layout)
        if candidate is None:
            break
        note, lines = candidate
        saved = list(note.cuts)
        piece = layout.pieces[note.id]
        offset = offset_after_lines(note.text, note.starts, 0, piece.lines[:lines])
        if offset is None or not note.cut(0, offset):
            break
        note.place(tree)
        trial = render()
        trial_layout = Layout.read(trial)
        if first_problem(notes, trial_layout, skip=accepted) is None and len(trial.pages) <= len(rendered.pages) \
                and trial_layout.call(note)[0] < layout.call(note)[0]:
            rendered, layout = trial, trial_layout
            continue
        note.cuts = saved
        note.place(tree)
        break
    return rendered


def _pushed_note(notes: dict[str, Note], layout: "Layout") -> tuple[Note, int] | None:
    """A note called in the first lines of a page whose page before ends in a gap it could start in."""
    for note in notes.values():
        call = layout.call(note)
        piece = layout.pieces.get(note.id)
        if call is None or piece is None or call[0] == 0 or not piece.lines:
            continue
        page = layout.pages[call[0]]
        if call[1][1] > page.content_top + 2.5 * page.body_line_height:
            continue
        before = layout.pages[call[0] - 1]
        area_top = min((layout.pieces[p].top for p in before.pieces), default=None)
        floor = (area_top - layout.area_overhead) if area_top is not None else before.content_bottom
        overhead = 0.0 if area_top is not None else layout.area_overhead
        gap = floor - before.body_bottom - overhead - 3 * before.body_line_height - 4.0
        # Notes called above it in those lines were pushed with it and would have to come back whole.
        # One called after it would follow its cut part overleaf and push its line back again: no try.
        pushed = _called_in_first_lines(notes, layout, call[0])
        if pushed[-1] is not note:
            continue
        gap -= sum(layout.pieces[other.id].bottom - layout.pieces[other.id].top for other in pushed[:-1])
        lines = int(gap // piece.line_height)
        if lines >= 3 and lines < len(piece.lines):
            return note, lines
    return None


def _called_in_first_lines(notes: dict[str, Note], layout: "Layout", page_index: int) -> list[Note]:
    page = layout.pages[page_index]
    found = []
    for note in notes.values():
        call = layout.call(note)
        if call is not None and call[0] == page_index and note.id in layout.pieces \
                and call[1][1] <= page.content_top + 2.5 * page.body_line_height:
            found.append(note)
    return found


def _render(tree, doc: Document, stylesheet, fetcher: SafeFetcher, options):
    text = etree.tostring(tree, encoding="unicode")
    try:
        html = HTML(string=text, base_url=SOURCE_URL, url_fetcher=fetcher)
        return html.render(stylesheets=[stylesheet], **options)
    except FatalURLFetchingError as exc:
        refused = fetcher.refused[-1] if fetcher.refused else str(exc)
        raise PubconvError(f"the PDF renderer asked for {refused!r}, which pubconv does not serve",
                           SourcePos(doc.path), "refused-resource") from None


def _number_blocks(tree: etree._Element) -> None:
    """Give every block an id that the layout reports back (``data-pdf-b``)."""
    blocks = (e for e in tree.iter() if isinstance(e.tag, str) and etree.QName(e).localname in _BLOCK_TAGS)
    for i, el in enumerate(blocks):
        el.set(_BLOCK_ATTR, str(i))


def _note_pos(doc: Document, n: str) -> SourcePos:
    found = doc.xpath(f"//p:note[@n='{int(n)}']") if n.isdigit() else []
    return doc.pos(found[0]) if found else SourcePos(doc.path)


# ---------------------------------------------------------------- reading the layout


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


@dataclass
class Layout:
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
            _line_blocks(box.children[0], None, info.blocks)
            pages.append(info)
        return cls(pages, pieces, anchors, overhead, limit, runs)

    def parts(self, note: Note) -> list[str]:
        """Every piece of ``note`` in print order: its parts in the XHTML, each with the pages it ran on."""
        return [p for part in note.part_ids() for p in (part, *self.runs.get(part, ()))]

    def call(self, note: Note) -> tuple[int, tuple[float, float, float, float]] | None:
        return self.anchors.get(f"fnref-{note.number}")


def _piece(piece_id: str, page: int, box) -> Piece:
    lines = [b for b in box.descendants() if isinstance(b, boxes.LineBox)]
    texts = ["".join(t.text for t in line.descendants() if isinstance(t, boxes.TextBox)) for line in lines]
    real = [(line, text) for line, text in zip(lines, texts) if text.strip()]
    height = sum(line.height for line, _ in real) / len(real) if real else 0.0
    return Piece(piece_id, page, box.position_y, box.position_y + box.margin_height(),
                 [text for _, text in real], height)


def _line_blocks(box, current: str | None, out: list[str]) -> None:
    element = getattr(box, "element", None)
    if element is not None and element.get(_BLOCK_ATTR) is not None:
        current = element.get(_BLOCK_ATTR)
    if isinstance(box, boxes.LineBox):
        if current is not None and (not out or out[-1] != current):
            out.append(current)
        return
    for child in getattr(box, "children", ()):
        _line_blocks(child, current, out)


def _body_line_height(page_box) -> float:
    for box in page_box.children[0].descendants():
        if isinstance(box, boxes.LineBox) and box.height:
            return box.height
    return 0.0


def first_problem(notes: dict[str, Note], layout: Layout, skip: set[str] = frozenset()
                  ) -> tuple[str, str, str] | None:
    """The first note (in call order) lost, cut, away from its call or out of order; else ``None``.

    Notes in ``skip`` are only checked for lost text, not for placement.
    """
    for note_id, note in notes.items():
        call = layout.call(note)
        previous = None
        for index, piece_id in enumerate(layout.parts(note)):
            piece = layout.pieces.get(piece_id)
            if piece is None:
                return note_id, piece_id, "missing from the pages"
            page = layout.pages[piece.page]
            if piece.top < page.content_top - 0.5 or piece.bottom > page.content_bottom + 0.5:
                return note_id, piece_id, "longer than the room on its page"
            if note_id in skip:
                continue
            if index == 0 and call is not None and piece.page != call[0] and not _after_previous(
                    notes, layout, note, call[0], piece.page):
                return note_id, piece_id, PLACEMENT[0]
            if previous is not None and piece.page not in (previous.page, previous.page + 1):
                return note_id, piece_id, PLACEMENT[1]
            previous = piece
    return None


def _after_previous(notes: dict[str, Note], layout: Layout, note: Note, call_page: int, page: int) -> bool:
    """Whether ``note``, called on ``call_page``, prints on a later ``page`` where the note before it ends.

    Notes print in order and a note's parts follow each other, so a note
    called on a page whose notes run on overleaf starts where the last of them
    ends (as in LaTeX), however many pages that takes: that is its right place.
    """
    order = list(notes.values())
    index = order.index(note)
    if index == 0 or page <= call_page:
        return False
    end = layout.pieces.get(layout.parts(order[index - 1])[-1])
    return end is not None and end.page == page


# ---------------------------------------------------------------- repairs


def repair(tree, notes: dict[str, Note], problem, layout: Layout, attempts: dict) -> bool:
    """Change the XHTML so that the next layout fixes ``problem``; False if out of ideas.

    In order: a note (or part) that would fit on the page where it belongs
    but was pushed on gets a page break before the paragraph that pushed it;
    an earlier note that continues past that page gives up room to it; a note
    too long for its room is cut to fit (the next part takes the rest).
    """
    note_id, piece_id, reason = problem
    key = (piece_id, reason)
    attempts[key] = attempts.get(key, 0) + 1
    tries = attempts[key]
    if tries > MAX_TRIES_PER_PROBLEM:
        return False
    note = notes[note_id]
    piece = layout.pieces.get(piece_id)
    if piece is None or piece_id not in note.part_ids():
        return False  # missing, or a piece the layout ran on itself: nothing to cut in the XHTML
    index = note.part_ids().index(piece_id)
    call = layout.call(note)
    if reason.startswith(("moved", "continued")):
        if index == 0:
            if call is None:
                return False
            expected = call[0]
        else:
            expected = layout.pieces[note.part_ids()[index - 1]].page + 1
        room = _room(layout, notes, note, piece_id, expected, first=index == 0)
        if piece.bottom - piece.top <= room and _break_before_last_block(tree, layout, expected):
            return True
        if index == 0 and tries == 1 and _make_room(tree, notes, note, piece, expected, layout):
            return True
        if reason.startswith("continued"):
            return False
    return _cut(tree, note, index, piece, layout, notes, shrink=2 * (tries - 1))


def _make_room(tree, notes: dict[str, Note], note: Note, piece: Piece, page_index: int, layout: Layout) -> bool:
    """Shorten an earlier note that continues past ``page_index`` so that ``note`` fits there too.

    A note called on a page has a better claim to it than the tail of an
    earlier note, which can continue on the next page anyway.
    """
    order = [p for n in notes.values() for p in n.part_ids()]
    page = layout.pages[page_index]
    for other_id in reversed(page.pieces):
        if other_id not in order or order.index(other_id) > order.index(piece.id):
            continue
        other = next(n for n in notes.values() if other_id in n.part_ids())
        index = other.part_ids().index(other_id)
        if other is note or index == len(other.cuts):
            continue  # a part that ends its note cannot hand text on
        hog = layout.pieces[other_id]
        need = math.ceil((piece.bottom - piece.top) / max(hog.line_height, 1.0)) + 1
        lines = len(hog.lines) - need
        if lines < 1:
            return False
        return _cut_after_lines(tree, other, index, hog.lines[:lines])
    return False


def _room(layout: Layout, notes: dict[str, Note], note: Note, piece_id: str, page_index: int,
          first: bool) -> float:
    """The height a note (part) could take on ``page_index``: below its call's line if ``first``."""
    page = layout.pages[page_index]
    call = layout.call(note)
    if first and call is not None and call[0] == page_index:
        # The call's line and two more: WeasyPrint moves a note away rather
        # than leave the lines after its call without widows.
        body_bottom = call[1][3] + 3 * page.body_line_height
    else:
        body_bottom = page.content_top + 3 * page.body_line_height  # leave the body a few lines
    order = [p for n in notes.values() for p in n.part_ids()]
    used = sum(layout.pieces[p].bottom - layout.pieces[p].top for p in page.pieces
               if p != piece_id and p in order and piece_id in order and order.index(p) < order.index(piece_id))
    room = page.content_bottom - body_bottom
    return min(room, layout.area_limit) - used - layout.area_overhead - 2.0


def _break_before_last_block(tree, layout: Layout, page_index: int) -> bool:
    """Force a page break before the block that starts at the foot of ``page_index``."""
    page = layout.pages[page_index]
    if not page.blocks:
        return False
    last = page.blocks[-1]
    if page_index > 0 and last in layout.pages[page_index - 1].blocks:
        return False  # it started on an earlier page: a break before it would not help
    el = next((e for e in tree.iter() if isinstance(e.tag, str) and e.get(_BLOCK_ATTR) == last), None)
    if el is None:
        return False
    previous = el.getprevious()
    if previous is not None and etree.QName(previous).localname in ("h2", "h3", "h4", "h5", "h6"):
        el = previous  # keep the heading with its paragraph
    if "pdf-break-before" in (el.get("class") or "").split():
        return False
    add_class(el, "pdf-break-before")
    return True


def _cut(tree, note: Note, index: int, piece: Piece, layout: Layout, notes: dict[str, Note],
         shrink: int) -> bool:
    """End part ``index`` of ``note`` after as many lines as fit where it must stand."""
    if not piece.lines or piece.line_height <= 0:
        return False
    call = layout.call(note)
    page_index = call[0] if index == 0 and call is not None else piece.page
    page = layout.pages[page_index]
    room = _room(layout, notes, note, piece.id, page_index, first=index == 0)
    if index > 0 or piece.page == page_index:
        # Already on its page: it may use what lies below its own top.
        room = min(room, page.content_bottom - max(piece.top, page.content_top) - 2.0) \
            if piece.top >= page.content_top else room
    lines = min(int(room // piece.line_height) - shrink, len(piece.lines) - 1)
    if lines < 1 and index == 0:
        # No room beside the call: WeasyPrint will carry the call's line over
        # (footnote-policy: line); cut for a fresh page there.
        fresh = page.content_bottom - page.content_top - 6 * page.body_line_height
        room = min(fresh, layout.area_limit) - layout.area_overhead - 2.0
        lines = min(int(room // piece.line_height) - shrink, len(piece.lines) - 1)
    if lines < 1:
        if index == 0 and shrink == 0:
            # No room beside the call: start the call's paragraph on the next page.
            block = _call_block(tree, note)
            if block is not None and "pdf-break-before" not in (block.get("class") or ""):
                add_class(block, "pdf-break-before")
                return True
        return False
    return _cut_after_lines(tree, note, index, piece.lines[:lines])


def _cut_after_lines(tree, note: Note, index: int, lines) -> bool:
    """Cut part ``index`` of ``note`` after the given laid-out lines and put the pieces in ``tree``."""
    start, _ = note.bounds(index)
    offset = offset_after_lines(note.text, note.starts, start, lines)
    if offset is None or not note.cut(index, offset):
        return False
    note.place(tree)
    return True


def _call_block(tree, note: Note):
    call = next((a for a in tree.iter(f"{_H}a") if a.get("id") == f"fnref-{note.number}"), None)
    while call is not None and call.get(_BLOCK_ATTR) is None:
        call = call.getparent()
    return call

"""Repairing a layout: changes to the XHTML that make the next layout put a note right.

What this module owns: :func:`repair`, which answers one ``problems.Problem``
with one change (a page break before the block that pushed a note away, an
earlier note giving up room, or a note cut at a word boundary with ``split``),
and :func:`polish`, which starts a long note in the gap its pushed call left.
Every change is in the XHTML tree; each costs the caller one more layout.
"""
from __future__ import annotations

import math

from lxml import etree

from ..xhtml import XHTML
from .placement import BLOCK_ATTR, Layout, Piece
from .problems import NoteMoved, NoteOutOfOrder, Problem, first_problem
from .split import Note, add_class, offset_after_lines

_H = f"{{{XHTML}}}"
#: How many times one problem of one piece is answered before the caller gives up on it.
MAX_TRIES_PER_PROBLEM = 4


def repair(tree, notes: dict[str, Note], problem: Problem, layout: Layout, attempts: dict) -> bool:
    """Change the XHTML so that the next layout fixes ``problem``; False if out of ideas.

    In order: a note (or part) that would fit on the page where it belongs
    but was pushed on gets a page break before the paragraph that pushed it;
    an earlier note that continues past that page gives up room to it; a note
    too long for its room is cut to fit (the next part takes the rest).
    """
    key = (problem.piece, type(problem))
    attempts[key] = attempts.get(key, 0) + 1
    tries = attempts[key]
    if tries > MAX_TRIES_PER_PROBLEM:
        return False
    note = notes[problem.note]
    piece = layout.pieces.get(problem.piece)
    if piece is None or problem.piece not in note.part_ids():
        return False  # missing, or a piece the layout ran on itself: nothing to cut in the XHTML
    index = note.part_ids().index(problem.piece)
    call = layout.call(note)
    if isinstance(problem, (NoteMoved, NoteOutOfOrder)):
        if index == 0:
            if call is None:
                return False
            expected = call[0]
        else:
            expected = layout.pieces[note.part_ids()[index - 1]].page + 1
        room = _room(layout, notes, note, problem.piece, expected, first=index == 0)
        if piece.bottom - piece.top <= room and _break_before_last_block(tree, layout, expected):
            return True
        if index == 0 and tries == 1 and _make_room(tree, notes, note, piece, expected, layout):
            return True
        if isinstance(problem, NoteOutOfOrder):
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
    el = next((e for e in tree.iter() if isinstance(e.tag, str) and e.get(BLOCK_ATTR) == last), None)
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
    while call is not None and call.get(BLOCK_ATTR) is None:
        call = call.getparent()
    return call


# ---------------------------------------------------------------- a pushed note, started in the gap


def polish(tree, notes: dict[str, Note], rendered, layout: Layout, accepted: set[str], render, read,
           rounds: int = 3):
    """Start a long note on the page before, where its call was pushed from, if it fills the gap left.

    WeasyPrint moves the line that calls a note too tall for the room to the
    next page and leaves the rest of the page blank; a book would begin the
    note there and continue it overleaf.  Each try (``render()`` lays the tree
    out, ``read`` makes its ``Layout``) is kept only if the new layout is still
    free of problems and no longer.  Returns the rendering kept.
    """
    for _ in range(rounds):
        candidate = pushed_note(notes, layout)
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
        trial_layout = read(trial)
        if first_problem(notes, trial_layout, skip=accepted) is None and len(trial.pages) <= len(rendered.pages) \
                and trial_layout.call(note)[0] < layout.call(note)[0]:
            rendered, layout = trial, trial_layout
            continue
        note.cuts = saved
        note.place(tree)
        break
    return rendered


def pushed_note(notes: dict[str, Note], layout: Layout) -> tuple[Note, int] | None:
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
        # What comes back with the call: the page's body down to the call's line (a heading above it
        # too), and two more lines for the paragraph's widows; at least three lines.
        back = max(3 * before.body_line_height, call[1][3] - page.content_top + 2 * before.body_line_height)
        gap = floor - before.body_bottom - overhead - back - 4.0
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


def _called_in_first_lines(notes: dict[str, Note], layout: Layout, page_index: int) -> list[Note]:
    page = layout.pages[page_index]
    found = []
    for note in notes.values():
        call = layout.call(note)
        if call is not None and call[0] == page_index and note.id in layout.pieces \
                and call[1][1] <= page.content_top + 2.5 * page.body_line_height:
            found.append(note)
    return found

"""Judging a layout: what is wrong with the notes, as typed problems.

What this module owns: the kinds of :class:`Problem` a layout can have and
:func:`first_problem`, which finds the first one in call order from a
``placement.Layout``.  It reads no boxes (``placement``) and changes nothing
(``repair``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .placement import Layout
from .split import Note


@dataclass(frozen=True)
class Problem:
    """Something wrong with one note in a layout."""

    note: str  #: the note's id (``fn-N``)
    piece: str  #: the piece where it shows: ``fn-N``, a part ``fn-N-part2``, or a run-on page ``fn-N+2``
    #: in words, for messages
    reason: ClassVar[str] = ""
    #: True when the note is misplaced but none of its text is lost (it may stay, with a warning)
    placement: ClassVar[bool] = False

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class NoteMissing(Problem):
    """A piece of the note is on no page."""

    reason: ClassVar[str] = "missing from the pages"


@dataclass(frozen=True)
class NoteCut(Problem):
    """A piece of the note sticks out of its page: text is cut off."""

    reason: ClassVar[str] = "longer than the room on its page"


@dataclass(frozen=True)
class NoteMoved(Problem):
    """The note starts on another page than its call (and not where the note before it ends)."""

    reason: ClassVar[str] = "moved to another page than its call"
    placement: ClassVar[bool] = True


@dataclass(frozen=True)
class NoteOutOfOrder(Problem):
    """A later piece of the note is not on the page after the piece before it."""

    reason: ClassVar[str] = "continued out of order"
    placement: ClassVar[bool] = True


def first_problem(notes: dict[str, Note], layout: Layout, skip: set[str] = frozenset()) -> Problem | None:
    """The first note (in call order) lost, cut, away from its call or out of order; else ``None``.

    Notes in ``skip`` are only checked for lost text, not for placement.
    """
    for note_id, note in notes.items():
        call = layout.call(note)
        previous = None
        for index, piece_id in enumerate(layout.parts(note)):
            piece = layout.pieces.get(piece_id)
            if piece is None:
                return NoteMissing(note_id, piece_id)
            page = layout.pages[piece.page]
            if piece.top < page.content_top - 0.5 or piece.bottom > page.content_bottom + 0.5:
                return NoteCut(note_id, piece_id)
            if note_id in skip:
                continue
            if index == 0 and call is not None and piece.page != call[0] and not _after_previous(
                    notes, layout, note, call[0], piece.page):
                return NoteMoved(note_id, piece_id)
            if previous is not None and piece.page not in (previous.page, previous.page + 1):
                return NoteOutOfOrder(note_id, piece_id)
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
    if end is None:
        return False
    if end.page == page:
        return True
    # The notes before it ran on past its call's page, and the last of them ends at the foot of the
    # page before this one, with no room for two of its lines: it starts in the next page's area,
    # where a carried note begins.  (No repair can start it earlier: the notes before it keep their
    # order, and each repair tried would cost a layout.  ``notes`` warns when that is two pages or
    # more after its call.)
    piece = layout.pieces.get(note.id)
    return piece is not None and call_page < end.page == page - 1 \
        and layout.pages[end.page].content_bottom - end.bottom < 2 * piece.line_height

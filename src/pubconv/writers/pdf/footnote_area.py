"""Incremental note-area layout: each note is laid out once per page, not once per note added.

What this module owns: :class:`AreaCache`, which measures a page's note area
for ``weasyprint_fixes.FixedLayoutContext._update_footnote_area`` (its height,
and whether its last note overflows).

WeasyPrint 70 answers "does the note area still fit" by laying the whole
area out again (a deep copy of every note on the page, its anonymous boxes,
its lines) each time a note is added, reported or taken back: a page's cost
grows with the square of its notes, and long notes full of URLs (broken with
``overflow-wrap: anywhere``) make each layout slow.  The area is a block
container whose children are the notes, stacked with WeasyPrint's own
``block_container_layout`` loop; the state of that loop after ``k`` notes
(the position reached, the margins waiting to collapse, the laid-out notes)
depends only on those ``k`` notes.  So this module keeps that state for each
prefix of the page's notes: adding a note runs one step of the loop
(WeasyPrint's ``_in_flow_layout`` for that note alone), taking the last note
away goes back one state, and the area's height is the loop's tail computed
from the state reached.  The arithmetic is WeasyPrint's, in WeasyPrint's
order, so the heights are the same floats as a full layout's.

The final area of each page (the boxes that are drawn) is the measure's own
boxes when it holds all the page's notes (``weasyprint_fixes._final_area``), and
is laid out whole otherwise (a cut area).  Whenever a case is outside what this module
reproduces exactly, :meth:`AreaCache.measure` returns ``None`` and the caller
lays the area out whole, as before: a cut note area (``_pc_cut``), an area
whose top margin collapses with its first note or that starts a formatting
context, a note that is not a plain in-flow block (floats, positioned boxes,
a footnote call inside a note), a float in the page's body, a forced break
between notes, ``max-lines``.  ``weasyprint_fixes.EXPECTED`` guards the
WeasyPrint functions this copies or calls; ``tests/writers/test_weasyprint_fixes.py``
compares the PDFs with the incremental path on and off, and every height
with a full layout's.
"""
from __future__ import annotations

import math

from weasyprint.formatting_structure import boxes, build
from weasyprint.layout import block


class AreaCache:
    """The note area of one page, measured note by note."""

    def __init__(self, context, area):
        self.area = area  # the page's current_footnote_area (identity)
        self.head = context._pc_head
        self.page = context.current_page
        self.forced_break = context.forced_break
        self.box = None  # the laid-out-so-far copy of the area
        self.notes: list = []  # the footnotes (WeasyPrint's boxes) of each step, in order
        self.laid: list = []  # their laid-out boxes
        self.states: list[tuple] = []  # after k notes: (position_y, adjoining margins, next_page)
        self.failed = False

    def fits(self, context) -> bool:
        """Whether this cache belongs to the area ``context`` is laying out now."""
        return (self.area is context.current_footnote_area and self.head is context._pc_head
                and self.page == context.current_page and self.forced_break == context.forced_break)

    def measure(self, context, notes: list):
        """(laid-out area box with its height, last note's laid-out box) for ``notes``; None: lay out whole."""
        if self.failed or context.in_column or not notes or context.excluded_shapes:
            return None
        if self.box is None and not self._begin(context):
            self.failed = True
            return None
        common = 0
        for mine, theirs in zip(self.notes, notes):
            if mine is not theirs:
                break
            common += 1
        del self.notes[common:], self.laid[common:], self.states[common + 1:]
        for footnote in notes[common:]:
            if not self._step(context, footnote):
                self.failed = True
                return None
        return self._finish(), self.laid[-1]

    # ---------------------------------------------------------------- the loop, one note at a time

    def _begin(self, context) -> bool:
        """The area's own layout with no notes yet: what block_level_layout does before its loop."""
        area = self.area
        area.style["box_decoration_break"] = "clone"  # as weasyprint_fixes._layout_area
        box = area.copy()  # as area.deepcopy(), without copying the notes
        box.children = []
        box = build.create_anonymous_boxes(box)
        style = box.style
        if (box.is_table_wrapper or style["position"] != "static" or style["column_width"] != "auto"
                or style["column_count"] != "auto" or style["max_lines"] != "none"
                or style["continue"] == "discard"
                or box.first_line_style is not None or box.first_letter_style is not None
                or box.force_fragmentation):
            return False
        skip = {0: self.head} if self.head is not None else None
        block.block_level_layout(context, box, -math.inf, skip, box.page, True)
        if box.top_margin_collapses() or box.establishes_formatting_context() or box.clearance is not None:
            return False
        self.box = box
        # block_container_layout's state before its first child: the area's margins are settled.
        self.states = [(box.content_box_y(), (), {"break": "any", "page": None})]
        return True

    def _step(self, context, footnote) -> bool:
        """One turn of block_container_layout's loop for ``footnote``; False if not reproducible."""
        if not plain(footnote):
            return False
        index = len(self.notes)
        box = self.box
        child = build.create_anonymous_boxes(footnote.deepcopy())
        if not isinstance(child, boxes.BlockBox) or not child.is_in_normal_flow():
            return False
        position_y, adjoining, next_page = self.states[index]
        new_children = list(self.laid)
        child.position_x = box.content_box_x()
        child.position_y = position_y
        last = block.find_last_class_a_break_point_child(new_children)
        if last is not None:
            page_break = block.block_level_page_break(last, child)
            if block.block_level_page_name(last, child) or block.force_page_break(page_break, context):
                return False
        skip_stack = self.head if index == 0 else None
        absolute, fixed = [], []
        box.children = [*box.children[:index], child]
        (abort, stop, resume_at, position_y, adjoining, next_page, new_children,
         max_lines) = block._in_flow_layout(
            context, box, index, child, new_children, True, absolute, fixed, list(adjoining), -math.inf,
            position_y, skip_stack, None, None, False, dict(next_page), None)
        if abort or stop or resume_at is not None or max_lines is not None or absolute or fixed \
                or context.excluded_shapes or len(new_children) != index + 1:
            return False
        self.notes.append(footnote)
        self.laid = new_children
        self.states.append((position_y, tuple(adjoining), next_page))
        return True

    def _finish(self):
        """The area box as block_container_layout ends it, for the notes stepped so far."""
        box = self.box
        position_y, adjoining, _ = self.states[len(self.notes)]
        adjoining = list(adjoining)
        if box.height != "auto":
            adjoining = []
        if not box.bottom_margin_collapses():
            position_y += block.collapse_margin(adjoining)
        new_box = box.copy_with_children(list(self.laid))
        if new_box.height == "auto":
            new_box.height = max(0, position_y - new_box.content_box_y())
        new_box.height = max(min(new_box.height, new_box.max_height), new_box.min_height)
        return new_box


def plain(footnote) -> bool:
    """Whether a note holds only in-flow content that cannot reach outside its own layout."""
    known = getattr(footnote, "_pc_plain", None)
    if known is None:
        known = footnote.style["position"] == "static" and all(
            not (b.is_floated() or b.is_absolutely_positioned() or b.is_running() or b.is_note()
                 or getattr(b, "footnote", None) is not None)
            and (b is footnote or b.style["position"] in ("static", "relative"))
            for b in footnote.descendants())
        footnote._pc_plain = known  # the box is WeasyPrint's, kept for the whole render
    return known

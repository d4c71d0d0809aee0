"""Two fixes to WeasyPrint 70's footnote layout, applied in pubconv's process.

Both concern notes with ``footnote-policy: line`` (as ``print.css`` sets); notes
with another policy are laid out exactly as WeasyPrint does.  Each used to cost
pubconv a repair and a whole new layout of the document (``notes``), which
is most of what a PDF cost above WeasyPrint's own time (``docs/performance.md``).

1. **A note is never moved off its call's page to make room for body text.**
   When a paragraph's next line overflows the page but breaking there would
   leave fewer than ``orphans`` lines, ``layout.block._linebox_layout``
   *reports* the page's last notes to the next page to squeeze the line in;
   their calls stay behind.  Here the paragraph is broken the ordinary way
   instead (orphans and widows kept, the paragraph moves on).

2. **A note runs on overleaf.**  WeasyPrint cannot split a note: one taller
   than the room below its call moves to the next page with its call's line
   and leaves the page half empty, and one taller than the note area loses its
   start above the page (#1833, #2502).  Here, as in a book, the note starts
   below its call with the lines that fit and continues at the top of the next
   page's note area, for as many pages as it needs.  The split is WeasyPrint's
   own block breaking applied to the note area with a height limit, so the
   note's ``orphans`` and ``widows`` hold (a note that cannot keep two lines on
   the page goes overleaf with its call, as before).  A note called after a
   note that runs on follows it overleaf, and its call's line stays.

   State, on WeasyPrint's ``LayoutContext``: ``_pc_cut`` (note, height): this
   page's note area ends inside its last note, at that margin-box height;
   ``_pc_carry`` (page number, note, skip stack): where that note resumes,
   handed to the next page, which lays its note area out from that skip stack
   (``_pc_head``).  At the end of the page the note goes to the front of
   WeasyPrint's reported notes.

The fixes rewrite a few lines of WeasyPrint's own functions from their source
(``inspect.getsource``), so they follow the installed version exactly, and
replace three small methods of ``LayoutContext``.  If a line is not found
(another WeasyPrint), nothing is changed: ``notes`` still checks every
layout and repairs it in the XHTML, one extra layout at a time.
``tests/writers/test_weasyprint_fixes.py`` shows what each fix changes.
"""
from __future__ import annotations

import inspect
import math
import textwrap
from contextlib import contextmanager

from weasyprint.formatting_structure import boxes, build
from weasyprint.layout import LayoutContext, block, page

#: Fix 1: no "report footnotes" while the page holds a note that must stay with its call.
_REPORT = "report = not context.in_column and can_break_now and not could_break_before"
_REPORT_FIXED = (_REPORT + " and not any(\n"
                 "                f.style['footnote_policy'] == 'line' for f in context.current_page_footnotes)")
#: Fix 2: layout_footnote learns where the call's line ends, to split the note below it.
_LAYOUT_CALL = "overflow = context.layout_footnote(footnote)"
_LAYOUT_CALL_FIXED = ("overflow = context.layout_footnote(\n"
                      "                    footnote, _pc_room_top(new_position_y + offset_y, bottom_space))")
#: Fix 2: a note called after one that runs on overleaf follows it there; its line stays.
_LINE_POLICY = "if footnote.style['footnote_policy'] == 'line':"
_LINE_POLICY_FIXED = "if footnote.style['footnote_policy'] == 'line' and context._pc_cut is None:"
#: Fix 2: the page's final note area is laid out from its continued note and to its cut.
_FINAL_AREA = """    footnote_area = build.create_anonymous_boxes(footnote_area.deepcopy())
    footnote_area = block_level_layout(
        context, footnote_area, bottom_space=-inf, skip_stack=None,
        containing_block=footnote_area.page, page_is_empty=True,
        absolute_boxes=positioned_boxes, fixed_boxes=positioned_boxes)[0]
"""
_FINAL_AREA_FIXED = "    footnote_area = _pc_final_area(context, footnote_area, positioned_boxes)\n"

#: Slack kept between a cut note area and the line above it, in px (float noise).
_EPSILON = 0.01

#: WeasyPrint's own functions and methods, as found at import.
_ORIGINAL = {
    "linebox": block._linebox_layout,
    "make_page": page.make_page,
    "update": LayoutContext._update_footnote_area,
    "layout": LayoutContext.layout_footnote,
    "unlayout": LayoutContext.unlayout_footnote,
}
_FIXED: dict = {}

#: Whether the fixes are in force in this process.
applied = False


# ---------------------------------------------------------------- the note area


def _state(context) -> None:
    if not hasattr(context, "_pc_cut"):
        context._pc_cut = context._pc_head = context._pc_carry = None


def _layout_area(context, area, height: float | None, page_is_empty: bool = True, **kwargs):
    """Lay out a copy of the note area from this page's continued note, stopping at ``height``."""
    _state(context)
    # A continued or cut area keeps its rule, margins and padding on every page (WeasyPrint would
    # slice them off the fragment, and then draw more than the room it reserved).
    area.style["box_decoration_break"] = "clone"
    area = build.create_anonymous_boxes(area.deepcopy())
    skip = {0: context._pc_head} if context._pc_head is not None else None
    bottom_space = -math.inf if height is None else context.page_bottom - (area.position_y + height)
    laid, resume_at, *_ = block.block_level_layout(
        context, area, bottom_space, skip, area.page, page_is_empty, **kwargs)
    return laid, resume_at


def _cut_height(context) -> float | None:
    return context._pc_cut[1] if getattr(context, "_pc_cut", None) else None


def _update_footnote_area(self):
    """``LayoutContext._update_footnote_area``, with the area laid out by :func:`_layout_area`."""
    if self.current_footnote_area.height != "auto" and not self.in_column:
        self.page_bottom += self.current_footnote_area.margin_height()
    self.current_footnote_area.children = self.current_page_footnotes
    if self.current_footnote_area.children:
        footnote_area, _ = _layout_area(self, self.current_footnote_area, _cut_height(self))
        self.current_footnote_area.height = footnote_area.height
        if not self.in_column:
            self.page_bottom -= footnote_area.margin_height()
        last_child = footnote_area.children[-1]
        last_child_bottom = last_child.position_y + last_child.margin_height() - last_child.margin_bottom
        footnote_area_bottom = (footnote_area.position_y + footnote_area.margin_height()
                                - footnote_area.margin_bottom)
        return last_child_bottom > footnote_area_bottom
    self.current_footnote_area.height = 0
    if not self.in_column:
        self.page_bottom -= self.current_footnote_area.margin_height()
    return False


def _layout_footnote(self, footnote, room_top: float | None = None):
    """Add a note to the page's area, cutting it if it does not fit; whether it overflows.

    ``room_top`` is where the area may begin: below the call's line, or
    ``None`` for a note carried to the top of a page.
    """
    _state(self)
    if self._pc_carry is not None and self._pc_carry[1] is footnote and not self.current_page_footnotes:
        self._pc_head = self._pc_carry[2]  # the note that runs on from the page before
    self._pc_carry = None
    self.footnotes.remove(footnote)
    self.current_page_footnotes.append(footnote)
    if self._pc_cut is not None:  # the page's notes already end in a cut: this one follows overleaf
        self._update_footnote_area()
        return True
    overflow = self._update_footnote_area()
    # Too tall for the note area, or pushing the page's foot above the call's line.
    if (overflow or (room_top is not None and self.overflows(self.page_bottom, room_top))) \
            and not self.in_column and footnote.style["footnote_policy"] == "line" \
            and not self.reported_footnotes and _cut_last(self, footnote, room_top):
        return False
    return overflow


def _cut_last(context, footnote, room_top: float | None) -> bool:
    """Cut the page's last note, ``footnote``, where the room ends; whether two lines of it stay."""
    area = context.current_footnote_area
    if area.height == "auto":
        return False
    overhead = area.margin_height() - area.height
    full_bottom = context.page_bottom + area.margin_height()  # the page's foot with no note area
    top = area.page.content_box_y() if room_top is None else room_top
    height = full_bottom - top - _EPSILON
    if isinstance(area.max_height, (int, float)):
        height = min(height, area.max_height + overhead)
    if height <= overhead:
        return False
    laid, resume_at = _layout_area(context, area, height, page_is_empty=False)
    last = len(context.current_page_footnotes) - 1
    if not resume_at or list(resume_at) != [last] or resume_at[last] is None or len(laid.children) != last + 1:
        return False  # an earlier note would be cut, or nothing of this one fits
    lines = [line for line in laid.children[-1].descendants() if isinstance(line, boxes.LineBox)
             and any(isinstance(t, boxes.TextBox) and t.text.strip() for t in line.descendants())]
    if len(lines) < 2:
        return False
    context._pc_cut = (footnote, height, resume_at[last])
    context._update_footnote_area()
    return True


def _unlayout_footnote(self, footnote):
    """``LayoutContext.unlayout_footnote``; a cut note taken off the page is whole again."""
    _state(self)
    if self._pc_cut is not None and self._pc_cut[0] is footnote:
        self._pc_cut = None
    return _ORIGINAL["unlayout"](self, footnote)


def _make_page(context, root_box, page_type, resume_at, page_number, page_state):
    """``layout.page.make_page``, handing a note that runs on to the next page."""
    _state(context)
    carry = context._pc_carry
    if carry is not None and not (carry[0] == page_number - 1 and context.reported_footnotes
                                  and context.reported_footnotes[0] is carry[1]):
        carry = None  # not from the page just made: never resume a note from a stale place
    context._pc_carry, context._pc_cut, context._pc_head = carry, None, None
    try:
        result = _FIXED["make_page"](context, root_box, page_type, resume_at, page_number, page_state)
        if context._pc_cut is not None:
            note, _, skip = context._pc_cut
            context.reported_footnotes.insert(0, note)
            context._pc_carry = (page_number, note, skip)
        else:
            context._pc_carry = None
        return result
    finally:
        context._pc_cut = context._pc_head = None


def _room_top(line_bottom: float, bottom_space: float) -> float:
    """Where the note area may begin below a call's line (infinity: nowhere, do not cut)."""
    return line_bottom + bottom_space if bottom_space > -math.inf else math.inf


def _final_area(context, footnote_area, positioned_boxes):
    laid, _ = _layout_area(context, footnote_area, _cut_height(context), page_is_empty=True,
                           absolute_boxes=positioned_boxes, fixed_boxes=positioned_boxes)
    return laid


# ---------------------------------------------------------------- applying them


def _rewrite(module, function, replacements: list[tuple[str, str]], helpers: dict):
    """``function`` recompiled from its source with ``replacements``; None if one is not found once."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None
    for old, new in replacements:
        if source.count(old) != 1:
            return None
        source = source.replace(old, new)
    namespace = dict(module.__dict__, **helpers)
    exec(compile(source, module.__file__, "exec"), namespace)  # noqa: S102 - WeasyPrint's own source
    return namespace[function.__name__]


def _install(functions: dict) -> None:
    block._linebox_layout = functions["linebox"]
    page.make_page = functions["page"]
    LayoutContext._update_footnote_area = functions["update"]
    LayoutContext.layout_footnote = functions["layout"]
    LayoutContext.unlayout_footnote = functions["unlayout"]


def apply() -> bool:
    """Apply both fixes once per process (both or neither); whether they are in force."""
    global applied
    if applied:
        return True
    linebox = _rewrite(block, _ORIGINAL["linebox"], [(_REPORT, _REPORT_FIXED), (_LAYOUT_CALL, _LAYOUT_CALL_FIXED),
                                                     (_LINE_POLICY, _LINE_POLICY_FIXED)],
                       {"_pc_room_top": _room_top})
    make_page = _rewrite(page, _ORIGINAL["make_page"], [(_FINAL_AREA, _FINAL_AREA_FIXED)],
                         {"_pc_final_area": _final_area})
    if linebox is None or make_page is None:
        return False
    _FIXED.update(linebox=linebox, make_page=make_page)
    _install({"linebox": linebox, "page": _make_page, "update": _update_footnote_area,
              "layout": _layout_footnote, "unlayout": _unlayout_footnote})
    applied = True
    return True


@contextmanager
def suspended():
    """WeasyPrint exactly as released, for the duration (tests and benchmarks compare the two)."""
    if not applied:
        yield
        return
    _install({"linebox": _ORIGINAL["linebox"], "page": _ORIGINAL["make_page"], "update": _ORIGINAL["update"],
              "layout": _ORIGINAL["layout"], "unlayout": _ORIGINAL["unlayout"]})
    try:
        yield
    finally:
        _install({"linebox": _FIXED["linebox"], "page": _make_page, "update": _update_footnote_area,
                  "layout": _layout_footnote, "unlayout": _unlayout_footnote})

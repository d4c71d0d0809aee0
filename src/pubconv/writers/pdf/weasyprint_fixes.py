"""Fixes to WeasyPrint 70's footnote layout, for pubconv's own renders only.

What this module owns: the fixes, the scope they apply in, and the guard that
switches them off when WeasyPrint is not the code they were written against.
``notes`` calls :func:`render`; nothing else in WeasyPrint changes.

The fixes concern notes with ``footnote-policy: line`` (as the writer's
``notes-mechanics.css`` sets); notes with another policy are laid out exactly
as WeasyPrint does.  Each used to cost pubconv a repair and a whole new layout
of the document (``notes``).

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

   State, on :class:`FixedLayoutContext`: ``_pc_cut`` (note, height, skip
   stack): this page's note area ends inside its last note, at that
   margin-box height; ``_pc_carry`` (page number, note, skip stack): where that
   note resumes, handed to the next page, which lays its note area out from
   that skip stack (``_pc_head``).  At the end of the page the note goes to the
   front of WeasyPrint's reported notes.

3. **No float noise in "does the note area overflow".**  WeasyPrint compares
   two sums of the same heights exactly; a difference of 2e-13 px defers a
   note that fits.  Here the comparison has WeasyPrint's own ``overflows``
   tolerance.

4. **No word hyphenated across a page turn** (WeasyPrint has no
   ``hyphenate-limit-last``).  When a page break inside a paragraph (or a note
   cut where the room ends) would leave the page's last line ending in the
   hyphen that hyphenation added, the line goes overleaf too, if the lines
   left on the page still make ``orphans`` (the next page only gains a line,
   so ``widows`` still hold) and the line calls no note (its note would go
   overleaf with it and leave a gap as tall).  Otherwise the hyphen stays (it
   is legal); :func:`hyphenated_feet` counts the pages where it stays.

5. **Incremental note areas** (not a fault, a cost): WeasyPrint lays the
   whole note area out again each time a note is added or taken back;
   :class:`FixedLayoutContext` measures it note by note (``footnote_area``),
   with the same heights, and lays it out whole only where that is not exact;
   an area that ends in a cut note is laid out once per cut, not once per note
   added and reported after it (``_pc_cut_numbers``).

5. **A long note starts in the gap above its call** (fix 2, completed).  A
   note cut just below its call's line left room for that line only; when
   the call's paragraph may not break right after it (its ``widows``: the
   line is one of its last lines; its ``orphans``: one of its first on the
   page), WeasyPrint's ``_break_line`` took the call's line back overleaf, the
   note with it, and the page ended in a gap that ``repair.polish`` filled
   with a second layout.  Here the lines of the paragraph are looked ahead
   (``_Lookahead`` around ``iter_line_boxes``) and the note area begins below
   the first line after which WeasyPrint breaks the paragraph as it is
   (``_kept``).  ``FixedLayoutContext._pc_keep_lines`` switches it off (tests).

**Scope.**  The fixes live in :class:`FixedLayoutContext` (a ``LayoutContext``
subclass) and :class:`FixedDocument` (a ``Document`` subclass that builds
one); :func:`render` lays a document out with them.  Two of WeasyPrint's
module functions have no hook a subclass can reach (``_linebox_layout`` and
``make_page`` are looked up as module globals), so while a pubconv render runs
they are replaced by dispatchers that call pubconv's recompiled version for a
:class:`FixedLayoutContext` and WeasyPrint's original for any other context;
when the last pubconv render ends, the originals are put back.  Importing this
module changes nothing in WeasyPrint; a document that someone else renders in
the same process, even at the same time in another thread, is laid out by
WeasyPrint as released.

**Guard.**  Every WeasyPrint function that the fixes copy, rewrite, override
or call with its internal signature is listed in :data:`EXPECTED` with the
sha256 of its source.  If one differs (another WeasyPrint), or a rewritten line
is not found, the fixes are off: :func:`render` lays out as released,
:func:`problems` says why, and ``notes`` reports a ``weasyprint-fixes-off``
warning with every PDF (the checks and repairs still put every note right, one
extra layout at a time).  ``docs/weasyprint-upstream.md`` is the upstream
report for each fix; ``tests/writers/test_weasyprint_fixes.py`` shows what
each one changes.
"""
from __future__ import annotations

import hashlib
import inspect
import math
import textwrap
import threading
from contextlib import contextmanager

from weasyprint import DEFAULT_OPTIONS, LOGGER
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes, build
from weasyprint.layout import LayoutContext, block, page

from .footnote_area import AreaCache, plain
from .swap import Swap

#: Fix 1: no "report footnotes" while the page holds a note that must stay with its call.
_REPORT = "report = not context.in_column and can_break_now and not could_break_before"
_REPORT_FIXED = (_REPORT + " and not any(\n"
                 "                f.style['footnote_policy'] == 'line' for f in context.current_page_footnotes)")
#: Fix 2: layout_footnote learns where the call's line ends, to split the note below it.
_LAYOUT_CALL = "overflow = context.layout_footnote(footnote)"
_LAYOUT_CALL_FIXED = ("overflow = context.layout_footnote(\n"
                      "                    footnote, _pc_room_top(new_position_y + offset_y, bottom_space),\n"
                      "                    _pc_kept(box, lines_iterator, len(new_children), page_is_empty, max_lines,\n"
                      "                             resume_at, new_position_y + offset_y, offset_y, bottom_space))")
#: Fix 2: a note called after one that runs on overleaf follows it there; its line stays.
_LINE_POLICY = "if footnote.style['footnote_policy'] == 'line':"
_LINE_POLICY_FIXED = "if footnote.style['footnote_policy'] == 'line' and context._pc_cut is None:"
#: Fix 5: the lines of the call's paragraph can be looked ahead (to keep its orphans and widows).
_LINES = "lines_iterator = iter_line_boxes("
_LINES_FIXED = "lines_iterator = _pc_iter_line_boxes("
#: Fix 2: the page's final note area is laid out from its continued note and to its cut.
_FINAL_AREA = """    footnote_area = build.create_anonymous_boxes(footnote_area.deepcopy())
    footnote_area = block_level_layout(
        context, footnote_area, bottom_space=-inf, skip_stack=None,
        containing_block=footnote_area.page, page_is_empty=True,
        absolute_boxes=positioned_boxes, fixed_boxes=positioned_boxes)[0]
"""
_FINAL_AREA_FIXED = "    footnote_area = _pc_final_area(context, footnote_area, positioned_boxes)\n"

#: Fix 4: a page break inside a block of lines (the one where the next line overflows, and the one
#: where a note's call takes its line overleaf) never leaves a hyphenated word at the page's foot.
_HYPHEN_BREAK = ("abort, stop, resume_at = _break_line(\n"
                 "                    context, box, line, new_children, needed, page_is_empty, index,")
_HYPHEN_BREAK_FIXED = _HYPHEN_BREAK.replace("_break_line(", "_pc_break_whole_word(")
_HYPHEN_CALL_BREAK = ("abort, stop, resume_at = _break_line(\n"
                      "                                context, box, line, new_children, needed, page_is_empty,\n"
                      "                                index,")
_HYPHEN_CALL_BREAK_FIXED = _HYPHEN_CALL_BREAK.replace("_break_line(", "_pc_break_whole_word(")

#: Slack kept between a cut note area and the line above it, in px (float noise).
_EPSILON = 0.01

#: The WeasyPrint code the fixes were written against: sha256 of ``inspect.getsource`` of each
#: function they rewrite (R), override or copy (O), or call with its internal signature (C).
EXPECTED = {
    # R: fixes 1 and 2 rewrite three of its lines
    "layout.block._linebox_layout": "e07bbe000974787ee370be1f419a01a21b327a1a1e3025a65afd47589060883d",
    # R: fix 2 rewrites the final note area's layout
    "layout.page.make_page": "656f183328e8b1b56311a342621442056c067422958dcaf6730acdfb6c7b8971",
    # O: copied into FixedLayoutContext with the area laid out by _layout_area (fixes 2, 3)
    "layout.LayoutContext._update_footnote_area":
        "2e317e4b066fb80cb369a41cd6f054a127722f9961c18ef4d6e1eef93673c4c1",
    # O: reimplemented in FixedLayoutContext (fix 2)
    "layout.LayoutContext.layout_footnote": "5075f64aaae4a32d2ad552f8cc2e73e0bb833b79f9d586d7e23ab041b5fe83bd",
    # O: wrapped in FixedLayoutContext (fix 2)
    "layout.LayoutContext.unlayout_footnote": "c7c223cf4a0fda5451c7da9f5a95603c21dda3f8286000c989b942ca71d58bfc",
    # C: how the context is built and a rendering made, reached through FixedDocument
    "document.Document._build_layout_context":
        "2b072254ab89701b33ddec26648e88cf1978480e7fae081b6cfad43b5f1346dc",
    "document.Document._render": "ebaceeb0fa8e79aaeb199a269e2748e2b36f6d95e98b7089e0dbc963bbca54d8",
    # C: the note area is laid out with it, from a skip stack and to a height
    "layout.block.block_level_layout": "c1301dde9284e24519ee0432b508d6cd79768018d2564d4066f0fdf103982dd6",
    # O, C: footnote_area runs this loop one note at a time and copies its tail
    "layout.block.block_container_layout": "65842ca53a8391ebad539e7ff642eec2f429e981df4396590c37c7b0a0e524dc",
    # C: footnote_area lays out each note with these, as the loop above does
    "layout.block._in_flow_layout": "c2537262836dd9812b584633bee887846dba6de921b3b31bff299c5ba29e6dca",
    "layout.block.block_box_layout": "a6279066e3d9ff7d2efe70280d14eddd38bfbfa3f132ebf76011ecc8f4ca5a22",
    # C: footnote_area builds each note's anonymous boxes on its own (the area's, note by note)
    "formatting_structure.build.create_anonymous_boxes":
        "f1e76cc779a8985537b04c91ed408f44ac5c5eb652552898fcb9eb01bf02f033",
    # C: reporting a note takes it out of the area through _update_footnote_area
    "layout.LayoutContext.report_footnote": "f05bad3895c6824c591301212219c70ab11c11df9277695eea639ea80baf1ee0",
    # C: fix 4 breaks the line where WeasyPrint would, then takes one more line overleaf as it does;
    # fix 5 keeps the rules by which it breaks a paragraph (orphans, widows)
    "layout.block._break_line": "2b92255d94ab45f789310b2716ae1bf7d4a178e18636e4fc42cbfa56fbf9fd1a",
    "layout.block.remove_placeholders": "ce16d97a1caacea0b8d73e44a1b54b768e0c76c6d58d4c414e5f10e77859bd08",
    # C: fix 5 looks its lines ahead ((line, resume_at), laid out one after the other)
    "layout.inline.iter_line_boxes": "04aec48abfcad809bc94c54eeba0e23a389e824cec85fe67bc1b21412d29dc3a",
}

_lock = threading.Lock()
_local = threading.local()
#: name -> the function as found in WeasyPrint; filled by _prepare()
_ORIGINAL: dict = {}
#: name -> pubconv's recompiled version; filled by _prepare()
_FIXED: dict = {}
_problems: list[str] | None = None


# ---------------------------------------------------------------- the guard


def _source_hash(obj) -> str | None:
    try:
        return hashlib.sha256(inspect.getsource(obj).encode("utf-8")).hexdigest()
    except (OSError, TypeError):
        return None


def _lookup(name: str):
    """The WeasyPrint object called ``name`` in :data:`EXPECTED` (``layout.block._linebox_layout``)."""
    import importlib

    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module("weasyprint." + ".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = obj.__dict__[attr] if isinstance(obj, type) and attr in obj.__dict__ else getattr(obj, attr, None)
            if isinstance(obj, (classmethod, staticmethod)):
                obj = obj.__func__
        return obj
    return None


def problems() -> list[str]:
    """Why the fixes are off in this process (``[]``: they are in force); computed once."""
    global _problems
    with _lock:
        if _problems is None:
            _problems = _prepare()
        return list(_problems)


def in_force() -> bool:
    """Whether :func:`render` lays documents out with the fixes."""
    return not problems()


def _prepare() -> list[str]:
    found = []
    for name, digest in EXPECTED.items():
        obj = _lookup(name)
        if obj is None:
            found.append(f"{name} is missing")
        elif _source_hash(obj) != digest:
            found.append(f"{name} has changed")
    if found:
        return found
    _ORIGINAL.update(linebox=block._linebox_layout, make_page=page.make_page)
    linebox = _rewrite(block, _ORIGINAL["linebox"], [(_REPORT, _REPORT_FIXED), (_LAYOUT_CALL, _LAYOUT_CALL_FIXED),
                                                     (_LINE_POLICY, _LINE_POLICY_FIXED), (_LINES, _LINES_FIXED),
                                                     (_HYPHEN_BREAK, _HYPHEN_BREAK_FIXED),
                                                     (_HYPHEN_CALL_BREAK, _HYPHEN_CALL_BREAK_FIXED)],
                       {"_pc_room_top": _room_top, "_pc_kept": _kept, "_pc_iter_line_boxes": _iter_line_boxes,
                        "_pc_break_whole_word": _break_whole_word})
    make_page = _rewrite(page, _ORIGINAL["make_page"], [(_FINAL_AREA, _FINAL_AREA_FIXED)],
                         {"_pc_final_area": _final_area})
    if linebox is None:
        found.append("a line of layout.block._linebox_layout is not found")
    if make_page is None:
        found.append("a line of layout.page.make_page is not found")
    if not found:
        _FIXED.update(linebox=linebox, make_page=make_page)
    return found


def _rewrite(module, function, replacements: list[tuple[str, str]], helpers: dict):
    """``function`` recompiled from its source with ``replacements``; None if one is not found once.

    The copy runs in a copy of ``module``'s namespace: WeasyPrint's module is not changed.
    """
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


# ---------------------------------------------------------------- the scope


def _linebox_layout(context, *args, **kwargs):
    """In ``layout.block`` while a pubconv render runs: the fixed version for pubconv's contexts only."""
    if isinstance(context, FixedLayoutContext):
        return _FIXED["linebox"](context, *args, **kwargs)
    return _ORIGINAL["linebox"](context, *args, **kwargs)


def _make_page(context, *args, **kwargs):
    """In ``layout.page`` while a pubconv render runs: the fixed version for pubconv's contexts only."""
    if isinstance(context, FixedLayoutContext):
        return _fixed_make_page(context, *args, **kwargs)
    return _ORIGINAL["make_page"](context, *args, **kwargs)


#: Route WeasyPrint's two module-level calls through the dispatchers while a pubconv render runs.
_entered = Swap((block, "_linebox_layout", _linebox_layout), (page, "make_page", _make_page)).scope


@contextmanager
def suspended():
    """In this thread, :func:`render` lays out as released for the duration (tests, benchmarks)."""
    before = getattr(_local, "suspended", False)
    _local.suspended = True
    try:
        yield
    finally:
        _local.suspended = before


def render(html, font_config=None, color_profiles=None, **options):
    """``html.render(font_config, color_profiles, **options)`` with the fixes when they are in force
    (a :class:`FixedDocument`)."""
    if getattr(_local, "suspended", False) or not in_force():
        return html.render(font_config=font_config, color_profiles=color_profiles, **options)
    for unknown in sorted(set(options) - set(DEFAULT_OPTIONS)):
        LOGGER.error("Unknown rendering option: %s.", unknown)
    merged = DEFAULT_OPTIONS.copy()
    merged.update(options)
    with _entered():
        return FixedDocument._render(html, font_config, None, color_profiles, merged)


class FixedDocument(Document):
    """A WeasyPrint ``Document`` laid out with a :class:`FixedLayoutContext`."""

    @classmethod
    def _build_layout_context(cls, *args, **kwargs):
        context = super()._build_layout_context(*args, **kwargs)
        context.__class__ = FixedLayoutContext  # built by WeasyPrint; only its methods differ
        context._pc_reset()
        return context


# ---------------------------------------------------------------- the note area


class FixedLayoutContext(LayoutContext):
    """WeasyPrint's ``LayoutContext`` with fixes 2 and 3 and incremental note areas (the module docstring)."""

    #: Measure note areas note by note (``footnote_area``); False: lay the whole area out each time.
    _pc_incremental = True
    #: Fix 5: a cut note begins below the lines its call's paragraph keeps on the page (False: tests).
    _pc_keep_lines = True
    #: Tests: also lay each area out whole and append any difference to ``_pc_mismatches``.
    _pc_verify = False
    _pc_mismatches: list = []

    #: Fix 4: take a hyphenated page-foot line overleaf; False: leave it, as WeasyPrint does (tests).
    _pc_whole_words = True

    def _pc_reset(self) -> None:
        self._pc_cut = self._pc_head = self._pc_carry = self._pc_area = self._pc_cut_memo = None

    def _pc_measure(self):
        """(area box with its height, its last note's box) measured incrementally; None: not here."""
        if not self._pc_incremental or self._pc_cut is not None:
            return None
        cache = self._pc_area
        if cache is None or not cache.fits(self):
            cache = self._pc_area = AreaCache(self, self.current_footnote_area)
        measured = cache.measure(self, self.current_page_footnotes)
        if measured is not None and self._pc_verify:
            whole, _ = _layout_area(self, self.current_footnote_area, None)
            mine, last = measured
            theirs = whole.children[-1]
            if (mine.height, mine.margin_height(), mine.position_y, last.position_y, last.margin_height()) != \
                    (whole.height, whole.margin_height(), whole.position_y, theirs.position_y, theirs.margin_height()):
                self._pc_mismatches.append((self.current_page, len(self.current_page_footnotes),
                                            mine.height, whole.height))
        return measured

    def _pc_area_numbers(self) -> tuple[float, float, float, float]:
        """The page's note area as ``_update_footnote_area`` needs it: (height, margin height, bottom of
        its content, bottom of its last note), measured note by note, taken from the cut, or laid out whole."""
        measured = self._pc_measure()
        if measured is None:
            numbers = self._pc_cut_numbers()
            if numbers is not None:
                return numbers
            footnote_area, _ = _layout_area(self, self.current_footnote_area, _cut_height(self))
            last_child = footnote_area.children[-1]
        else:
            footnote_area, last_child = measured
        return _numbers(footnote_area, last_child)

    def _pc_cut_numbers(self):
        """The numbers of an area that ends in a cut note, laid out once per cut (None: not such an area).

        Once a page's note area ends inside a note (fix 2), every note called later on the page is
        added to the area and reported overleaf again, and each add and report laid the area out
        whole: on a page of long notes, dozens of layouts that all stop inside the same note at the
        same height.  The layout stops there whatever follows it, so its numbers depend only on the
        notes up to the cut one, the cut's height, and where the page's foot is; they are kept for
        as long as those stay the same (``_pc_verify`` compares them with a layout each time).
        """
        cut, notes = self._pc_cut, self.current_page_footnotes
        if not self._pc_incremental or cut is None or cut[0] not in notes:
            return None
        upto = notes[:notes.index(cut[0]) + 1]
        memo = self._pc_cut_memo
        key = (self.page_bottom, self.current_footnote_area.position_y, self._pc_head)
        if memo is not None and memo[0] is cut and memo[2] == key and len(memo[1]) == len(upto) \
                and all(a is b for a, b in zip(memo[1], upto)):
            numbers = memo[3]
            if self._pc_verify:
                whole, _ = _layout_area(self, self.current_footnote_area, cut[1])
                if _numbers(whole, whole.children[-1]) != numbers:
                    self._pc_mismatches.append((self.current_page, len(notes), numbers, "cut"))
            return numbers
        if not all(plain(note) for note in upto):
            return None
        laid, resume_at = _layout_area(self, self.current_footnote_area, cut[1])
        last = len(upto) - 1
        numbers = _numbers(laid, laid.children[-1])
        if resume_at and list(resume_at) == [last] and len(laid.children) == len(upto):
            self._pc_cut_memo = (cut, upto, key, numbers)  # it stopped inside the cut note
        return numbers

    def _update_footnote_area(self):
        """``LayoutContext._update_footnote_area``, the area measured note by note or laid out whole."""
        if self.current_footnote_area.height != "auto" and not self.in_column:
            self.page_bottom += self.current_footnote_area.margin_height()
        self.current_footnote_area.children = self.current_page_footnotes
        if self.current_footnote_area.children:
            height, margin_height, area_bottom, last_bottom = self._pc_area_numbers()
            self.current_footnote_area.height = height
            if not self.in_column:
                self.page_bottom -= margin_height
            return self.overflows(area_bottom, last_bottom)  # fix 3
        self.current_footnote_area.height = 0
        if not self.in_column:
            self.page_bottom -= self.current_footnote_area.margin_height()
        return False

    def layout_footnote(self, footnote, room_top: float | None = None, kept=None):
        """Add a note to the page's area, cutting it if it does not fit; whether it overflows.

        ``room_top`` is where the area may begin: below the call's line, or
        ``None`` for a note carried to the top of a page.  ``kept()``, if
        given, is where it may begin below the lines that the call's paragraph
        must keep on the page with the call's line (fix 5).
        """
        if self._pc_carry is not None and self._pc_carry[1] is footnote and not self.current_page_footnotes:
            self._pc_head = self._pc_carry[2]  # the note that runs on from the page before
        self._pc_carry = None
        self.footnotes.remove(footnote)
        self.current_page_footnotes.append(footnote)
        if self._pc_cut is not None:  # the page's notes already end in a cut: this one follows overleaf
            self._update_footnote_area()
            return True
        overflow = self._update_footnote_area()
        if kept is not None and room_top is not None and self._pc_keep_lines and not self.in_column \
                and footnote.style["footnote_policy"] == "line" and not self.reported_footnotes:
            room_top = max(room_top, kept())  # fix 5
        # Too tall for the note area, or pushing the page's foot above the call's line.
        if (overflow or (room_top is not None and self.overflows(self.page_bottom, room_top))) \
                and not self.in_column and footnote.style["footnote_policy"] == "line" \
                and not self.reported_footnotes and _cut_last(self, footnote, room_top):
            return False
        return overflow

    def unlayout_footnote(self, footnote):
        """``LayoutContext.unlayout_footnote``; a cut note taken off the page is whole again."""
        if self._pc_cut is not None and self._pc_cut[0] is footnote:
            self._pc_cut = None
        return super().unlayout_footnote(footnote)


def _layout_area(context, area, height: float | None, page_is_empty: bool = True, **kwargs):
    """Lay out a copy of the note area from this page's continued note, stopping at ``height``."""
    # A continued or cut area keeps its rule, margins and padding on every page (WeasyPrint would
    # slice them off the fragment, and then draw more than the room it reserved).
    area.style["box_decoration_break"] = "clone"
    area = build.create_anonymous_boxes(area.deepcopy())
    skip = {0: context._pc_head} if context._pc_head is not None else None
    bottom_space = -math.inf if height is None else context.page_bottom - (area.position_y + height)
    laid, resume_at, *_ = block.block_level_layout(
        context, area, bottom_space, skip, area.page, page_is_empty, **kwargs)
    return laid, resume_at


def _numbers(area, last_child) -> tuple[float, float, float, float]:
    """(height, margin height, content bottom) of a laid-out note area, and its last note's bottom."""
    return (area.height, area.margin_height(), area.position_y + area.margin_height() - area.margin_bottom,
            last_child.position_y + last_child.margin_height() - last_child.margin_bottom)


def _cut_height(context) -> float | None:
    return context._pc_cut[1] if context._pc_cut else None


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


def _fixed_make_page(context, root_box, page_type, resume_at, page_number, page_state):
    """``layout.page.make_page``, handing a note that runs on to the next page."""
    carry = context._pc_carry
    if carry is not None and not (carry[0] == page_number - 1 and context.reported_footnotes
                                  and context.reported_footnotes[0] is carry[1]):
        carry = None  # not from the page just made: never resume a note from a stale place
    context._pc_reset()
    context._pc_carry = carry
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
        context._pc_cut = context._pc_head = context._pc_area = context._pc_cut_memo = None


def _room_top(line_bottom: float, bottom_space: float) -> float:
    """Where the note area may begin below a call's line (infinity: nowhere, do not cut)."""
    return line_bottom + bottom_space if bottom_space > -math.inf else math.inf


# ---------------------------------------------------------------- fix 5: the call's paragraph keeps its lines


class _Lookahead:
    """WeasyPrint's iterator of ``(line, resume_at)``, whose next lines can be seen before they are used."""

    __slots__ = ("_lines", "_ahead")

    def __init__(self, lines):
        self._lines = lines
        self._ahead: list = []

    def __iter__(self):
        return self

    def __next__(self):
        if self._ahead:
            return self._ahead.pop(0)
        return next(self._lines)

    def peek(self, count: int) -> list:
        """Up to ``count`` of the lines to come (fewer: the paragraph ends), still to be used."""
        while len(self._ahead) < count and not (self._ahead and self._ahead[-1][1] is None):
            try:
                self._ahead.append(next(self._lines))
            except StopIteration:
                break
        return self._ahead[:count]


def _iter_line_boxes(*args):
    """``layout.inline.iter_line_boxes``, looked ahead (in ``_linebox_layout``)."""
    return _Lookahead(block.iter_line_boxes(*args))


def _kept(box, lines, placed: int, page_is_empty: bool, max_lines, resume_at, line_bottom: float,
          offset_y: float, bottom_space: float):
    """``kept()``: where a note called in this line may begin, below the lines its paragraph keeps here.

    A note cut just below its call's line leaves room for that line only; if
    the paragraph's ``orphans`` or ``widows`` forbid a page break right after
    it, WeasyPrint then takes the call's line back overleaf (``_break_line``)
    and the note with it, and the page ends in a gap.  The area begins
    instead below the first line after which the paragraph may break: the
    call's line itself, or a few lines more (the paragraph's end, or as many
    as its orphans need), read ahead from the line iterator.
    """
    def kept() -> float:
        room_top = _room_top(line_bottom, bottom_space)
        if max_lines is not None or resume_at is None or not isinstance(lines, _Lookahead) \
                or not _plain_lines(box):
            return room_top  # the paragraph ends with the call's line (or is clamped, or not plain: as released)
        orphans, widows = box.style["orphans"], box.style["widows"]
        here = placed + 1  # the paragraph's lines on this page, with the call's line
        wanted = max(0, orphans - here) + widows
        ahead = lines.peek(wanted)
        ended = len(ahead) < wanted or (bool(ahead) and ahead[-1][1] is None)
        seen = here + len(ahead)
        # The first line after which WeasyPrint's _break_line breaks as it is: it takes no line
        # back for the widows, and it keeps the orphans (not asked on a page that starts here).
        for end in range(here, seen + 1):
            if ended and end == seen:
                break  # the paragraph ends on this page
            after = (seen - end) if ended else (seen + 1 - end)  # at least, lines left for the next page
            if after >= widows and (end >= orphans or page_is_empty):
                break
        else:
            return room_top  # no break is allowed: WeasyPrint moves the paragraph, as released
        if end == here:
            return room_top
        line = ahead[end - here - 1][0]
        decoration = box.border_bottom_width + box.padding_bottom if (offset_y or (ended and end == seen)) else 0
        return _room_top(line.position_y + line.height + decoration, bottom_space)

    return kept


def _plain_lines(box) -> bool:
    """Whether laying out a line of ``box`` leaves nothing behind (no float, positioned or running box).

    A line read ahead may never be placed (the page ends before it); WeasyPrint takes back what the
    lines it lays out and drops leave (``remove_placeholders``), but only for the lines it asked for.
    """
    known = getattr(box, "_pc_plain_lines", None)
    if known is None:
        known = not any(b.is_floated() or b.is_absolutely_positioned() or b.is_running()
                        for b in box.descendants() if b is not box)
        box._pc_plain_lines = known  # the box is WeasyPrint's, kept for the whole render
    return known


def _final_area(context, footnote_area, positioned_boxes):
    """The page's note area as it is drawn: the incremental measure's boxes if it holds them all."""
    cache = context._pc_area
    if context._pc_incremental and context._pc_cut is None and not context._pc_verify and cache is not None \
            and footnote_area is context.current_footnote_area and cache.fits(context) and footnote_area.children:
        measured = cache.measure(context, context.current_page_footnotes)
        if measured is not None:
            context._pc_area = None  # its boxes are the page's now (translated, drawn): never measured again
            return measured[0]
    laid, _ = _layout_area(context, footnote_area, _cut_height(context), page_is_empty=True,
                           absolute_boxes=positioned_boxes, fixed_boxes=positioned_boxes)
    return laid


# ---------------------------------------------------------------- whole words at the page foot (fix 4)


def _break_whole_word(context, box, line, new_children, needed, page_is_empty, index, skip_stack, resume_at,
                      absolute_boxes, fixed_boxes):
    """``layout.block._break_line``, then no hyphenated word left at the page's foot if ``orphans`` allow.

    WeasyPrint keeps ``new_children`` (the block's lines on this page) and
    resumes after the last of them; a line taken off here goes to the next page
    with the lines after it, as ``_break_line`` takes lines for ``widows``.
    """
    abort, stop, resume_at = block._break_line(
        context, box, line, new_children, needed, page_is_empty, index, skip_stack, resume_at,
        absolute_boxes, fixed_boxes)
    if abort or not stop or not context._pc_whole_words:
        return abort, stop, resume_at
    while new_children and ends_in_added_hyphen(new_children[-1]) \
            and len(new_children) - 1 >= max(1, box.style["orphans"]) and not _calls_a_note(new_children[-1]):
        block.remove_placeholders(context, new_children.pop().children, absolute_boxes, fixed_boxes)
    return abort, stop, resume_at


def _calls_a_note(line) -> bool:
    """A line with a note call keeps its place: overleaf, it would take its note and leave a gap that tall."""
    return any(box.footnote is not None for box in line.descendants())


def ends_in_added_hyphen(line) -> bool:
    """Whether a laid-out line ends in the hyphen that hyphenation added (``hyphenate-character``).

    WeasyPrint appends that character to the text of the line's last text box
    when it breaks a word, automatically or at a soft hyphen.  A hyphen typed
    as ``-`` (``low-water``) is not one: a line may end after it.
    """
    last = None
    for box in line.descendants():
        if isinstance(box, boxes.TextBox) and box.text.strip():
            last = box
    if last is None:
        return False
    mark = last.style["hyphenate_character"]
    return bool(mark) and last.text.rstrip(" ").endswith(mark)


def hyphenated_feet(rendered) -> list[int]:
    """The pages (0-based) of a rendered document whose last line of running text ends in an added hyphen."""
    found = []
    for index, rendered_page in enumerate(rendered.pages):
        lines = [box for box in rendered_page._page_box.children[0].descendants()
                 if isinstance(box, boxes.LineBox)
                 and any(isinstance(t, boxes.TextBox) and t.text.strip() for t in box.descendants())]
        if lines and ends_in_added_hyphen(max(lines, key=lambda line: line.position_y + line.height)):
            found.append(index)
    return found

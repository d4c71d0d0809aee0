"""Fixes to WeasyPrint's layout that pubconv applies in its own process.

One, so far: **a ``footnote-policy: line`` note is never moved off its call's
page to make room for body text.**  WeasyPrint 70's line layout
(``weasyprint.layout.block._linebox_layout``), when a paragraph's next line
overflows the page but breaking there would leave fewer than ``orphans``
lines, *reports* the page's last footnotes to the next page to squeeze the
line in.  Those notes' calls stay behind, so each such page needs a repair and
a whole new layout (``_pdf_notes``): in the benchmark batch, 13 of the 20
extra layouts of 30 commentaries.  For notes whose policy says they go with
their call's line, pubconv makes WeasyPrint break the paragraph the ordinary
way instead (orphans and widows respected, the paragraph moves on), which is
what the repair did, in one layout.  Notes with another policy keep
WeasyPrint's behaviour.

The fix rewrites one condition of that function from WeasyPrint's own source
(``inspect.getsource``), so it follows the installed version exactly; if the
condition is not found (another WeasyPrint), nothing is changed and the
repairs in ``_pdf_notes`` still put every note right, one layout at a time.
``tests/writers/test_weasyprint_fixes.py`` checks that the fix applies to the
pinned WeasyPrint and changes nothing for documents without such notes.
"""
from __future__ import annotations

import inspect
import textwrap

from weasyprint.layout import block

_CONDITION = "report = not context.in_column and can_break_now and not could_break_before"
_FIXED = (_CONDITION + " and not any(\n"
          "                f.style['footnote_policy'] == 'line' for f in context.current_page_footnotes)")

#: Whether the fix is in force in this process.
applied = False
#: WeasyPrint's own function, kept for the tests that show what the fix changes.
original = block._linebox_layout


def apply() -> bool:
    """Apply the fix once per process; whether it is in force."""
    global applied
    if applied:
        return True
    try:
        source = textwrap.dedent(inspect.getsource(block._linebox_layout))
    except (OSError, TypeError):
        return False
    if source.count(_CONDITION) != 1:
        return False
    namespace = block.__dict__
    exec(compile(source.replace(_CONDITION, _FIXED), block.__file__, "exec"), namespace)  # noqa: S102
    applied = True
    return True

"""Heading hierarchy: no section may skip a level (WCAG 1.3.1, EPUB Accessibility "structured headings").

The title is level 1; a section directly in the body is level 2 and a section
inside a section of level *n* is level *n + 1*.  The readers nest sections as
the source's headings say and keep the source's own levels; where a source
skips a level (``##`` followed by ``####``) this transform renumbers the
section (and everything inside it) to the level its nesting implies and warns
``heading-skip`` at the heading's line, naming both levels.  The PDF and the
EPUB both render ``section/@level``, so they agree, and the EPUB's claim of
structured headings rests on a hierarchy this transform made true.

Levels deeper than 6 cannot be written in HTML; such a section keeps level 6
(the schema's limit) with a ``heading-too-deep`` warning.
"""
from __future__ import annotations

from lxml import etree

from ..document import Document, q
from ..errors import Report, warn

#: the level of a section directly in the body (the document title is level 1)
TOP_LEVEL = 2
MAX_LEVEL = 6


def normalise(doc: Document, report: Report) -> int:
    """Renumber ``section/@level`` from the nesting; returns how many sections changed."""
    body = doc.root.find(q("body"))
    if body is None:
        return 0
    changed = 0

    def walk(parent: etree._Element, expected: int, parent_given: int) -> None:
        nonlocal changed
        for sec in parent.iterchildren(q("section")):
            given = int(sec.get("level") or expected)
            level = min(expected, MAX_LEVEL)
            if given != level:
                heading = sec.find(q("heading"))
                where = doc.pos(heading if heading is not None else sec)
                if expected > MAX_LEVEL:
                    warn(report, "heading-too-deep", f"this heading is nested {expected - 1} levels deep; "
                         f"HTML has only 6 heading levels, so it is set as level {MAX_LEVEL}", where)
                elif given > parent_given + 1:  # the source skips here (not merely below an earlier skip)
                    warn(report, "heading-skip", f"this heading skips a level (level {given} after level "
                         f"{parent_given}); it is set as level {level}", where)
                sec.set("level", str(level))
                changed += 1
            walk(sec, expected + 1, given)

    walk(body, TOP_LEVEL, TOP_LEVEL - 1)
    return changed

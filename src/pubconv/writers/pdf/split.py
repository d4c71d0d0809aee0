"""Cutting a PDF footnote (``<span class="footnote">`` of the shared XHTML) into parts.

A note is kept whole, as rendered, in :class:`Note`; a list of cut points
(offsets into its text content) says where it is divided.  :meth:`Note.place`
puts the parts into the XHTML tree, one after the other right after the call:
the first part with the note's own id (``fn-N``, the target of the call's
link), then the continuations (``fn-N-part2``...; class ``fn-cont``,
footnote-policy ``auto``), which WeasyPrint carries to the top of the next
page's note area.
Every character of the note is in exactly one part: a cut only divides text.

Offsets count the characters of the span's text content (``itertext``); a
cut is always at the start of a word or of a paragraph.
"""
from __future__ import annotations

import copy
import re

from lxml import etree

from ...namespaces import OPS
from ..xhtml import XHTML

_H = f"{{{XHTML}}}"
_OPS_TYPE = f"{{{OPS}}}type"
_SPACE = re.compile(r"\s+")
#: What WeasyPrint may add at a line end when it hyphenates (hyphenate-character).
_HYPHENS = "\u2010\u00ad-"
#: Classes of the parts of a note that start a new line of text (paragraphs, items).
_MARKERS = ("fn-back", "fn-marker", "fn-split", "fn-cont-p")


class Note:
    """One footnote and where it is cut."""

    def __init__(self, span: etree._Element):
        self.id = span.get("id")
        self.original = copy.deepcopy(span)
        self.original.tail = None
        self.text = "".join(self.original.itertext())
        self.starts = block_starts(self.original)
        self.cuts: list[int] = []

    @property
    def number(self) -> str:
        return self.id.removeprefix("fn-")

    def part_ids(self) -> list[str]:
        return [self.id] + [f"{self.id}-part{k}" for k in range(2, len(self.cuts) + 2)]

    def bounds(self, index: int) -> tuple[int, int]:
        edges = [0, *self.cuts, len(self.text)]
        return edges[index], edges[index + 1]

    def cut(self, index: int, offset: int) -> bool:
        """End part ``index`` at ``offset`` (into the whole note); the next part takes the rest."""
        start, end = self.bounds(index)
        if not start < offset < end:
            return False
        if index < len(self.cuts):
            self.cuts[index] = offset  # the following part grows
        else:
            self.cuts.append(offset)
        return True

    def parts(self) -> list[etree._Element]:
        spans = []
        ids = self.part_ids()
        for index in range(len(self.cuts) + 1):
            start, end = self.bounds(index)
            span = copy.deepcopy(self.original)
            keep(span, start, end)
            paragraphs = [p for p in span.iter(f"{_H}span") if "fn-p" in _classes(p)]
            if index > 0:
                span.set("id", ids[index])
                span.set("data-note", self.id)
                add_class(span, "fn-cont")
                for attr in ("role", _OPS_TYPE):
                    span.attrib.pop(attr, None)  # one note, one footnote role
                if start not in self.starts and paragraphs:
                    add_class(paragraphs[0], "fn-cont-p")
            if index < len(self.cuts) and end not in self.starts and paragraphs:
                add_class(paragraphs[-1], "fn-split")
            spans.append(span)
        return spans

    def place(self, tree: etree._Element) -> None:
        """Replace whatever parts of this note are in ``tree`` by the current parts."""
        for old in [s for s in tree.iter(f"{_H}span") if s.get("id") == self.id or s.get("data-note") == self.id]:
            remove_keep_tail(old)
        call = next(a for a in tree.iter(f"{_H}a") if a.get("id") == f"fnref-{self.number}")
        anchor = call
        for part in self.parts():
            insert_after(anchor, part)
            anchor = part


def insert_after(anchor: etree._Element, new: etree._Element) -> None:
    new.tail = anchor.tail
    anchor.tail = None
    anchor.addnext(new)


def offset_after_lines(text: str, starts: set[int], base: int, lines: list[str]) -> int | None:
    """The offset in ``text`` (from ``base``) of the word that follows the laid-out ``lines``.

    The lines are compared without whitespace (the layout collapses it) and
    without the hyphen that hyphenation adds at a line end; a word hyphenated
    at the last line's end goes whole to the next part.  ``None`` if the lines
    do not match the text.
    """
    squeezed, index_map = [], []
    for i in range(base, len(text)):
        if not text[i].isspace():
            squeezed.append(text[i])
            index_map.append(i)
    target = "".join(squeezed)
    pos = 0
    for line in lines:
        chunk = _SPACE.sub("", line)
        if target.startswith(chunk, pos):
            pos += len(chunk)
        elif chunk and chunk[-1] in _HYPHENS and target.startswith(chunk[:-1], pos):
            pos += len(chunk) - 1
        else:
            return None
    if pos >= len(target):
        return None
    offset = index_map[pos]
    # Back to the start of the word; a paragraph start is a word start although no space precedes it.
    while offset > base and not text[offset - 1].isspace() and offset not in starts:
        offset -= 1
    return offset if offset > base else None


def block_starts(span: etree._Element) -> set[int]:
    """Offsets where a paragraph-like part of the note (``fn-p``, ``fn-li``...) begins."""
    starts, pos = set(), 0
    for node, slot in slots(span):
        if slot == "text" and node is not span and any(
                c.startswith("fn-") and c not in _MARKERS for c in _classes(node)):
            starts.add(pos)
        pos += len(getattr(node, slot) or "")
    return starts


def slots(root: etree._Element):
    """(element, "text" | "tail") in document order over ``root``'s content (not its own tail)."""
    def walk(node):
        yield node, "text"
        for child in node:
            yield from walk(child)
            yield child, "tail"
    yield from walk(root)


def keep(root: etree._Element, start: int, end: int) -> None:
    """Keep only characters ``start:end`` of ``root``'s text content, dropping emptied elements."""
    pos = 0
    for node, slot in list(slots(root)):
        value = getattr(node, slot)
        if not value:
            continue
        lo, hi = pos, pos + len(value)
        pos = hi
        a, b = max(start, lo) - lo, min(end, hi) - lo
        setattr(node, slot, value[a:b] if b > a else None)
    for node in reversed(list(root.iter())):
        if node is not root and isinstance(node.tag, str) and "".join(node.itertext()) == "" \
                and etree.QName(node).localname not in ("br", "img"):
            remove_keep_tail(node)


def remove_keep_tail(node: etree._Element) -> None:
    """Remove ``node`` but not the text that follows it (lxml drops a removed element's tail)."""
    parent = node.getparent()
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def add_class(el: etree._Element, name: str) -> None:
    classes = _classes(el)
    if name not in classes:
        el.set("class", " ".join([*classes, name]))


def _classes(el: etree._Element) -> list[str]:
    return (el.get("class") or "").split()

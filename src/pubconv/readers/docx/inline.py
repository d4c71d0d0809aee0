"""Runs to inline elements: formatting merged across runs, links, note calls.

:class:`Inline` keeps a stack of open elements under one container; each piece
of text says which formatting it wants (``strong``, ``em``, ``sup``/``sub``,
``code``, inside which link), and the stack is closed and reopened only where
the wanted formatting differs, so Word's many runs of one format become one
element.
"""
from __future__ import annotations

from lxml import etree

from ...document import E, append, remove_keep_tail

_ORDER = ("strong", "em", "sup", "sub", "code")


class Inline:
    """Builds the inline content of one container (a ``p``, ``heading``, ``cell``...).

    Spaces between runs wait for the next text: they stay inside the formatting
    that text shares with the open elements, so ``<strong>a</strong> <strong>b</strong>``
    becomes ``<strong>a b</strong>`` while ``<strong>a</strong> b`` keeps its space outside.
    """

    def __init__(self, container: etree._Element):
        self.container = container
        self.stack: list[tuple[tuple, etree._Element]] = []  # (key, element)
        self.space = ""

    def _want(self, marks: tuple[str, ...], link: str | None) -> list[tuple]:
        keys: list[tuple] = [("link", link)] if link else []
        keys += [(m,) for m in _ORDER if m in marks]
        return keys

    def _sync(self, keys: list[tuple]) -> etree._Element:
        common = 0
        while common < len(self.stack) and common < len(keys) and self.stack[common][0] == keys[common]:
            common += 1
        del self.stack[common:]
        if self.space:
            append(self.top(), self.space)
            self.space = ""
        for key in keys[common:]:
            el = E("link", href=key[1]) if key[0] == "link" else E(key[0])
            self.top().append(el)
            self.stack.append((key, el))
        return self.top()

    def top(self) -> etree._Element:
        return self.stack[-1][1] if self.stack else self.container

    def text(self, s: str, marks: tuple[str, ...] = (), link: str | None = None) -> None:
        if not s:
            return
        if not s.strip() and "code" not in marks:
            self.space += s
            return
        append(self._sync(self._want(marks, link)), s)

    def element(self, el: etree._Element, marks: tuple[str, ...] = (), link: str | None = None) -> None:
        """A ``br`` (inside the current formatting) or a ``note`` (outside all of it)."""
        if el.tag.endswith("}note"):
            self._sync([])
            self.container.append(el)
        else:
            self._sync(self._want(marks, link)).append(el)

    def close(self) -> None:
        self._sync([])


def strip_edges(el: etree._Element) -> None:
    """Remove whitespace at the start and end of an inline container (Word keeps stray spaces there)."""
    node = el
    while True:
        if node.text and node.text.strip():
            node.text = node.text.lstrip()
            break
        node.text = None
        if not len(node) or node[0].tag.endswith(("}note", "}br")):
            break
        node = node[0]
    node = el
    while True:
        if not len(node):
            node.text = (node.text or "").rstrip() or None
            break
        last = node[-1]
        if last.tail and last.tail.strip():
            last.tail = last.tail.rstrip()
            break
        last.tail = None
        if last.tag.endswith(("}note", "}br")):
            break
        node = last


def is_empty(el: etree._Element) -> bool:
    return not (el.text or "").strip() and not len(el)


def drop_empty(el: etree._Element) -> None:
    """Remove formatting elements left with no content (a bold run holding only a bookmark).

    Notes and breaks are content; a note's own blocks are never looked into.
    """
    for child in list(el):
        if child.tag.endswith(("}note", "}br")):
            continue
        drop_empty(child)
        if not len(child) and not child.text:
            remove_keep_tail(child)

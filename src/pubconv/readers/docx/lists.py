"""Word's flat list paragraphs (a numbering id and a level on each) nested into list and item elements."""
from __future__ import annotations

from lxml import etree

from ...document import E


class Lists:
    """Nests list paragraphs: Word's flat (numbering, level) marks become list and item elements.

    As in Word, numbering instances that share an abstract numbering are one list and continue each
    other's numbers, across interruptions, until an instance with a ``startOverride`` restarts a level.
    """

    def __init__(self, out: list):
        self.out = out
        self.stack: list[tuple[int, str, etree._Element]] = []  # (level, list id, list element)
        self.counts: dict[tuple[str, int], int] = {}
        self.restarted: set[tuple[str, int]] = set()

    @property
    def open(self) -> bool:
        return bool(self.stack)

    def end(self) -> None:
        self.stack = []

    def item(self, num_id: str, level: int, info, p: etree._Element, where: str) -> None:
        key = info.list_id or num_id
        restart = info.restart and (num_id, level) not in self.restarted
        if restart:
            self.restarted.add((num_id, level))
            self.counts[(key, level)] = info.start - 1
        while self.stack and self.stack[-1][0] > level:
            self.stack.pop()
        if self.stack and self.stack[-1][0] == level and (self.stack[-1][1] != key or restart):
            self.stack.pop()
        if self.stack and self.stack[-1][0] == level:
            lst = self.stack[-1][2]
        else:
            done = self.counts.get((key, level), info.start - 1)
            lst = E("list", where=where, type="ordered" if info.ordered else "bullet",
                    start=done + 1 if info.ordered else None)
            if self.stack:
                parent = self.stack[-1][2]
                parent[-1].append(lst)
            else:
                self.out.append(lst)
            self.stack.append((level, key, lst))
        for k in [k for k in self.counts if k[0] == key and k[1] > level]:
            del self.counts[k]
        self.counts[(key, level)] = self.counts.get((key, level), info.start - 1) + 1
        lst.append(E("item", p, where=where))

    def continuation(self, p: etree._Element) -> None:
        self.stack[-1][2][-1].append(p)

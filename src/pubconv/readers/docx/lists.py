"""Word's flat list paragraphs (a numbering id and a level on each) nested into list and item elements."""
from __future__ import annotations

from lxml import etree

from ...document import E


class Lists:
    """Nests list paragraphs: Word's flat (numId, level) marks become list and item elements."""

    def __init__(self, out: list):
        self.out = out
        self.stack: list[tuple[int, str, etree._Element]] = []
        self.counts: dict[tuple[str, int], int] = {}

    @property
    def open(self) -> bool:
        return bool(self.stack)

    def end(self) -> None:
        self.stack = []

    def item(self, num_id: str, level: int, info, p: etree._Element, where: str) -> None:
        while self.stack and self.stack[-1][0] > level:
            self.stack.pop()
        if self.stack and self.stack[-1][0] == level and self.stack[-1][1] != num_id:
            self.stack.pop()
        if self.stack and self.stack[-1][0] == level:
            lst = self.stack[-1][2]
        else:
            done = self.counts.get((num_id, level), 0)
            lst = E("list", where=where, type="ordered" if info.ordered else "bullet",
                    start=info.start + done if info.ordered else None)
            if self.stack:
                parent = self.stack[-1][2]
                parent[-1].append(lst)
            else:
                self.out.append(lst)
            self.stack.append((level, num_id, lst))
        for key in [k for k in self.counts if k[0] == num_id and k[1] > level]:
            del self.counts[key]
        self.counts[(num_id, level)] = self.counts.get((num_id, level), 0) + 1
        lst.append(E("item", p, where=where))

    def continuation(self, p: etree._Element) -> None:
        self.stack[-1][2][-1].append(p)

"""Reading a tagged PDF's structure tree back, for the tests (pikepdf for the tree, pypdf for the text).

``structure(path)`` gives the tree as nested :class:`Node` values, each with its
type, ``/ID`` and the text of its own marked content in tree order, so that a test
can read the document as a screen reader walks it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf
import pypdf


@dataclass
class Node:
    type: str
    id: str | None = None
    kids: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        return "".join(k if isinstance(k, str) else k.text() for k in self.kids)

    def walk(self):
        yield self
        for k in self.kids:
            if isinstance(k, Node):
                yield from k.walk()


def marked_text(path) -> tuple[dict[tuple[int, int], str], dict[int, list[str]]]:
    """``{(page index, mcid): text}`` and, per page, the text painted as ``/Artifact``."""
    reader = pypdf.PdfReader(str(path))
    texts: dict[tuple[int, int], str] = {}
    artifacts: dict[int, list[str]] = {}
    for index, page in enumerate(reader.pages):
        stack: list = []

        def before(op, args, cm, tm):
            if op == b"BDC":
                tag = str(args[0])
                props = args[1] if len(args) > 1 else {}
                mcid = props.get("/MCID") if hasattr(props, "get") else None
                stack.append(("artifact", None) if tag == "/Artifact" else ("mcid", mcid))
            elif op == b"BMC":
                stack.append(("artifact", None) if str(args[0]) == "/Artifact" else ("other", None))
            elif op == b"EMC" and stack:
                stack.pop()

        def text(t, cm, tm, font, size):
            if not t:
                return
            for kind, value in reversed(stack):
                if kind == "artifact":
                    artifacts.setdefault(index, []).append(t)
                    return
                if kind == "mcid" and value is not None:
                    texts[(index, int(value))] = texts.get((index, int(value)), "") + t
                    return

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts, artifacts


def structure(path) -> tuple[Node, pikepdf.Pdf]:
    """The structure tree's ``/Document`` element as a :class:`Node` (and the open PDF)."""
    pdf = pikepdf.open(str(path))
    texts, _ = marked_text(path)
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}

    def build(el, page=None) -> Node | str | None:
        if isinstance(el, int):
            return texts.get((page, el), "")
        if not isinstance(el, pikepdf.Dictionary):
            return None
        if el.get("/Type") == "/MCR":
            return texts.get((pages.get(el.Pg.objgen, page), int(el.MCID)), "")
        if el.get("/Type") == "/OBJR":
            return None
        if "/Pg" in el:
            page = pages.get(el.Pg.objgen, page)
        node = Node(str(el.S), str(el.ID) if "/ID" in el else None)
        kids = el.get("/K")
        if kids is None:
            return node
        for k in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            built = build(k, page)
            if built is not None and built != "":
                node.kids.append(built)
        return node

    root = pdf.Root.StructTreeRoot
    top = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
    return build(top), pdf


def dump(node: Node, depth: int = 0) -> str:
    """An indented outline of the tree, for reading in a failing test's output."""
    lines = [f"{'  ' * depth}{node.type}{' #' + node.id if node.id else ''}"]
    for k in node.kids:
        if isinstance(k, Node):
            lines.append(dump(k, depth + 1))
        else:
            lines.append(f"{'  ' * (depth + 1)}{k[:70]!r}")
    return "\n".join(lines)

"""Intermediate blocks and inline content -> JATS 1.3 body elements.

:class:`Converter` holds what the whole JATS translation shares: the document,
the ``report`` sink, the ids already taken, and the footnotes (numbered and
given ids up front, in reading order, so that front matter, body and back all
call the same ``fn``).  It fails loudly, with the source position, on an
intermediate element it does not know (docutils' ``unknown_visit``).

Nothing empty: a paragraph, caption, title or list item without content is not
written, and attributes are only set from non-empty values (:func:`jel`).
"""
from __future__ import annotations

import posixpath

from lxml import etree

from ...document import NS, Document, local, q, text_of
from ...errors import PubconvError, Report, warn

XLINK = "http://www.w3.org/1999/xlink"
ALI = "http://www.niso.org/schemas/ali/1.0/"
MML = "http://www.w3.org/1998/Math/MathML"
XML_NS = "http://www.w3.org/XML/1998/namespace"
HREF = f"{{{XLINK}}}href"
JATS_NSMAP = {"ali": ALI, "mml": MML, "xlink": XLINK}

#: Intermediate inline element -> JATS element with the same meaning.
PHRASE = {"em": "italic", "strong": "bold", "sub": "sub", "sup": "sup"}

#: JATS elements whose content allows ``<break/>`` (JATS 1.3 DTD); elsewhere a
#: line break becomes a newline character, the only thing ``p`` can hold.
BREAK_OK = frozenset({"article-title", "subtitle", "title", "td", "th", "mixed-citation"})

#: Image file suffix -> (mimetype, mime-subtype) for ``graphic``.
MIME = {
    ".png": ("image", "png"), ".jpg": ("image", "jpeg"), ".jpeg": ("image", "jpeg"),
    ".gif": ("image", "gif"), ".svg": ("image", "svg+xml"), ".tif": ("image", "tiff"),
    ".tiff": ("image", "tiff"), ".webp": ("image", "webp"),
}


def jel(tag: str, attrs: dict | None = None, text: str | None = None, parent=None) -> etree._Element:
    """A JATS element; attributes whose value is None or blank are left out."""
    el = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    for key, value in (attrs or {}).items():
        if value is not None and str(value).strip():
            el.set(key, str(value))
    if text:
        el.text = text
    return el


def pubconv_name(el: etree._Element) -> str | None:
    """The local name of an intermediate element; None for anything outside its namespace."""
    return local(el) if etree.QName(el).namespace == NS else None


def has_content(el: etree._Element) -> bool:
    """True when ``el`` has an element child or non-blank text."""
    return len(el) > 0 or bool((el.text or "").strip())


def add_text(el: etree._Element, text: str | None) -> None:
    """Append ``text`` at the end of ``el``'s content (mixed content kept right)."""
    if not text:
        return
    last = next(reversed(el), None)  # not len(): lxml counts children one by one (quadratic)
    if last is not None:
        last.tail = (last.tail or "") + text
    else:
        el.text = (el.text or "") + text


class Converter:
    """Translates the intermediate's content to JATS; one per ``write`` call."""

    def __init__(self, doc: Document, report: Report):
        self.doc = doc
        self.report = report
        self._warned: set[str] = set()
        self.used_ids: set[str] = {
            i for el in doc.root.iter() if isinstance(el.tag, str) and el.tag != q("note")
            for i in [el.get("id")] if i
        }
        self.ref_ids: set[str] = {r.get("id") for r in doc.xpath("/p:document/p:references/p:ref")}
        #: (fn id, label, note element) in reading order.
        self.footnotes: list[tuple[str, str, etree._Element]] = []
        self._fn_by_note: dict[str, tuple[str, str]] = {}
        for note in doc.root.iter(q("note")):
            fn_id = self.unique_id(f"fn-{note.get('n')}")
            self.footnotes.append((fn_id, note.get("n"), note))
            self._fn_by_note[note.get("id")] = (fn_id, note.get("n"))
        self._deferred: list[etree._Element] | None = None

    # ------------------------------------------------------------ helpers

    def unique_id(self, wanted: str) -> str:
        """``wanted``, or ``wanted-2``, ``-3``... if the intermediate already uses it."""
        candidate, k = wanted, 1
        while candidate in self.used_ids:
            k += 1
            candidate = f"{wanted}-{k}"
        self.used_ids.add(candidate)
        return candidate

    def warn_once(self, code: str, message: str, el: etree._Element) -> None:
        if code not in self._warned:
            self._warned.add(code)
            warn(self.report, code, message, self.doc.pos(el))

    def unknown(self, el: etree._Element, where: str) -> PubconvError:
        name = local(el) if isinstance(el.tag, str) else repr(el.tag)
        return PubconvError(f"the JATS writer does not know the element <{name}> in {where}",
                            self.doc.pos(el), "jats-unknown-element")

    # ------------------------------------------------------------ blocks

    def blocks(self, target: etree._Element, srcs, *, para_only: bool = False) -> None:
        """Append the JATS form of each intermediate block in ``srcs`` to ``target``.

        ``para_only``: ``target`` takes only ``p`` (``fn``); other blocks are
        wrapped in a ``p``, which may hold lists, quotes, figures and tables.
        """
        for src in srcs:
            if not isinstance(src.tag, str):
                continue
            if para_only and local(src) != "p":
                holder = jel("p")
                self.block(holder, src)
                if has_content(holder):
                    target.append(holder)
            else:
                self.block(target, src)

    def block(self, target: etree._Element, src: etree._Element) -> None:
        name = pubconv_name(src)
        if name == "p":
            para = jel("p")
            self.inline(para, src)
            if has_content(para):
                target.append(para)
        elif name == "quote":
            quote = jel("disp-quote")
            self.blocks(quote, src)
            if has_content(quote):
                target.append(quote)
        elif name == "list":
            self.list_(target, src)
        elif name == "codeblock":
            text = src.text or ""
            if text.strip():
                lang = src.get("language")
                if lang:  # preformat has no language attribute; code does
                    jel("code", {"language": lang, "code-type": "block"}, text, parent=target)
                else:
                    jel("preformat", {"preformat-type": "code"}, text, parent=target)
        elif name == "figure":
            self.figure(target, src)
        elif name == "table":
            self.table(target, src)
        elif name == "hr":
            self.warn_once("jats-hr", "JATS has no thematic break: the horizontal rule(s) are left out", src)
        else:
            raise self.unknown(src, "a block context")

    def list_(self, target: etree._Element, src: etree._Element) -> None:
        ordered = src.get("type") == "ordered"
        lst = jel("list", {"list-type": "order" if ordered else "bullet"})
        start = int(src.get("start", "1"))
        number = start
        for item in src:
            if not isinstance(item.tag, str):
                continue
            if item.tag != q("item"):
                raise self.unknown(item, "a list")
            li = jel("list-item")
            if ordered and start != 1:  # JATS lists have no start: label each item
                jel("label", None, f"{number}.", parent=li)
            number += 1
            for child in item:
                if not isinstance(child.tag, str):
                    continue
                if child.tag == q("list"):
                    self.list_(li, child)
                else:
                    self.blocks(li, [child], para_only=True)
            if any(c.tag != "label" for c in li):
                lst.append(li)
            else:
                self.warn_once("jats-empty-item", "empty list item(s) left out", item)
        if len(lst):
            target.append(lst)

    def caption(self, target: etree._Element, src: etree._Element | None) -> None:
        if src is None:
            return
        para = jel("p")
        self.inline(para, src)
        if has_content(para):
            jel("caption", parent=target).append(para)

    def figure(self, target: etree._Element, src: etree._Element) -> None:
        fig = jel("fig", {"id": src.get("id")}, parent=target)
        self.caption(fig, src.find(q("caption")))
        image = src.find(q("image"))
        mime = MIME.get(posixpath.splitext(image.get("src").lower())[1], (None, None))
        graphic = jel("graphic", {HREF: image.get("src"), "mimetype": mime[0], "mime-subtype": mime[1]},
                      parent=fig)
        alt = (image.get("alt") or "").strip()
        if alt:  # JATS4R: alt-text inside graphic; an empty alt marks a decorative image
            jel("alt-text", None, alt, parent=graphic)
        for child in src:
            if isinstance(child.tag, str) and local(child) not in ("caption", "image"):
                raise self.unknown(child, "a figure")

    def table(self, target: etree._Element, src: etree._Element) -> None:
        wrap = jel("table-wrap", {"id": src.get("id")}, parent=target)
        self.caption(wrap, src.find(q("caption")))
        table = jel("table", parent=wrap)
        for part in src:
            if not isinstance(part.tag, str) or part.tag == q("caption"):
                continue
            if part.tag not in (q("thead"), q("tbody")):
                raise self.unknown(part, "a table")
            section = jel(local(part), parent=table)
            cell_tag = "th" if part.tag == q("thead") else "td"
            for row in part:
                if row.tag != q("row"):
                    raise self.unknown(row, "a table section")
                tr = jel("tr", parent=section)
                for cell in row:
                    if cell.tag != q("cell"):
                        raise self.unknown(cell, "a table row")
                    # An empty cell is a real cell: the row's shape needs it.
                    td = jel(cell_tag, {"align": cell.get("align")}, parent=tr)
                    self.inline(td, cell)

    # ------------------------------------------------------------ inline

    def inline(self, target: etree._Element, src: etree._Element, ctx: frozenset = frozenset()) -> None:
        """Append the JATS form of ``src``'s inline content to ``target``.

        ``ctx`` holds ``"link"`` inside ``ext-link`` or ``xref``, which may not
        nest links: a nested link keeps its text, and a footnote call inside
        one is written right after it.
        """
        add_text(target, src.text)
        for child in src:
            if not isinstance(child.tag, str):
                continue
            self.inline_el(target, child, ctx)
            add_text(target, child.tail)

    def inline_el(self, target: etree._Element, src: etree._Element, ctx: frozenset) -> None:
        name = pubconv_name(src)
        if name in PHRASE:
            el = jel(PHRASE[name], parent=target)
            self.inline(el, src, ctx)
            if not has_content(el):  # nothing to format: keep any spaces, drop the element
                target.remove(el)
                add_text(target, el.text)
        elif name == "code":
            if (src.text or "").strip():
                jel("monospace", None, src.text, parent=target)
            else:
                add_text(target, src.text)
        elif name == "br":
            if target.tag in BREAK_OK:
                jel("break", parent=target)
            else:
                add_text(target, "\n")
        elif name in ("link", "cite"):
            if "link" in ctx:
                self.warn_once("jats-nested-link", "a link or citation inside another keeps its text only", src)
                self.inline(target, src, ctx)
                return
            if name == "link":
                el = jel("ext-link", {"ext-link-type": "uri", HREF: src.get("href")})
            else:
                if src.get("ref") not in self.ref_ids:
                    raise PubconvError(f"citation points at {src.get('ref')!r}, which is not a reference",
                                       self.doc.pos(src), "jats-bad-cite")
                el = jel("xref", {"ref-type": "bibr", "rid": src.get("ref")})
            outer, self._deferred = self._deferred, []
            self.inline(el, src, ctx | {"link"})
            deferred, self._deferred = self._deferred, outer
            if has_content(el):
                target.append(el)
            else:  # a link with no text: its URL is the text the reader sees
                el.text = src.get("href") if name == "link" else src.get("ref")
                target.append(el)
            for xref in deferred:
                target.append(xref)
        elif name == "note":
            fn_id, label = self._fn_by_note[src.get("id")]
            xref = jel("xref", {"ref-type": "fn", "rid": fn_id}, label)
            if "link" in ctx and self._deferred is not None:
                self._deferred.append(xref)
            else:
                target.append(xref)
        else:
            raise self.unknown(src, "inline content")

    def footnote(self, fn_id: str, label: str, note: etree._Element) -> etree._Element:
        """``fn`` with its ``label`` and paragraphs, for ``back/fn-group``."""
        fn = jel("fn", {"id": fn_id})
        jel("label", None, label, parent=fn)
        self.blocks(fn, note, para_only=True)
        return fn

    def body(self, src: etree._Element) -> etree._Element:
        body = jel("body")
        for child in src:
            if not isinstance(child.tag, str):
                continue
            if child.tag == q("section"):
                self.section(body, child)
            else:
                self.block(body, child)
        return body

    def section(self, target: etree._Element, src: etree._Element) -> None:
        sec = jel("sec", {"id": src.get("id")}, parent=target)
        title = jel("title", parent=sec)
        heading = src.find(q("heading"))
        if heading is not None:
            self.inline(title, heading)
        if not has_content(title):  # sec requires a title: an untitled section keeps its text only
            sec.remove(title)
            sec.tag = "__unwrap__"
        for child in src:
            if not isinstance(child.tag, str) or child.tag == q("heading"):
                continue
            if child.tag == q("section"):
                self.section(sec, child)
            else:
                self.block(sec, child)
        if sec.tag == "__unwrap__":
            index = target.index(sec)
            for moved in list(sec):
                target.insert(index, moved)
                index += 1
            target.remove(sec)
        elif not has_content(sec):
            target.remove(sec)


def plain(el: etree._Element | None) -> str:
    """Whitespace-normalized text of an intermediate element, footnotes left out."""
    return " ".join(text_of(el).split())

"""WordprocessingML body to pubconv blocks: paragraphs, lists, tables, figures, notes.

Positions: every paragraph of ``document.xml`` is counted from the top (empty
ones and those in tables included) and blocks carry ``src:where="paragraph N"``;
a note's blocks carry ``note N`` / ``note N, paragraph K``.

Revisions are read as if accepted: insertions (``w:ins``, ``w:moveTo``) are kept,
deletions (``w:del``, ``w:moveFrom``, deleted paragraph marks) dropped, and the
count goes into one warning.  Comments are dropped, one warning per comment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ...document import E, append, q, text_of
from ...errors import Report, SourcePos, warn
from .inline import Inline, drop_empty, is_empty, strip_edges
from .package import NS, Package, w
from .drawings import DrawingReader
from .lists import Lists
from .styles import Numbering, ParaRole, RunFormat, Styles, run_props
from .tables import TableReader

_MC = NS["mc"]
_R = NS["r"]
_M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
#: descend into these wrappers as if they were not there
_TRANSPARENT = {w("smartTag"), w("customXml"), w("dir"), w("bdo"), w("ins"), w("moveTo")}
#: paragraph content that holds no text of the document
_PARA_IGNORED = {w("pPr"), w("del"), w("moveFrom"), w("commentRangeEnd"), w("bookmarkEnd"), w("proofErr"),
                 w("permStart"), w("permEnd")}
#: run content that holds no text of the document
_RUN_IGNORED = {w("rPr"), w("delText"), w("delInstrText"), w("instrText"), w("footnoteRef"), w("endnoteRef"),
                w("annotationRef"), w("separator"), w("continuationSeparator"), w("lastRenderedPageBreak"),
                w("drawing"), w("pict"), w("object"), f"{{{_MC}}}AlternateContent"}
_HYPERLINK_FIELD = re.compile(r'^\s*HYPERLINK\s+(?:"([^"]*)"|(\S+))?(?:.*?\\l\s+"([^"]*)")?', re.S)
#: quote by indentation: a body paragraph indented at least this much (twips; 567 = 1 cm)
QUOTE_INDENT = 567


@dataclass
class Scope:
    """Where blocks are being read: the body or one note."""

    label: str | None = None  #: "note 3", or None for the body
    count: int = 0

    def peek(self, para_no: int) -> str:
        """Where the next paragraph will be."""
        return Scope(self.label, self.count + 1).where(para_no + 1)

    def where(self, para_no: int) -> str:
        if self.label is None:
            return f"paragraph {para_no}"
        return self.label if self.count <= 1 else f"{self.label}, paragraph {self.count}"


@dataclass
class Front:
    """Title-page paragraphs found before the body starts."""

    title: etree._Element | None = None
    subtitle: etree._Element | None = None
    authors: list[tuple[str, str]] = field(default_factory=list)  # (name, where)
    date: tuple[str, str] | None = None  # (text, where)
    abstract: list[etree._Element] = field(default_factory=list)
    series: tuple[str, str, str] | None = None  # (label, number, where): "WORKING PAPER 37" above the title
    #: notes called in author and date lines: (note, index of the author line or None, where, text before it)
    notes: list[tuple[etree._Element, int | None, str, str]] = field(default_factory=list)
    doi: tuple[str, str] | None = None  # (doi, where)


class BodyReader(TableReader, DrawingReader):
    """Reads the main document part; see the module docstring."""

    def __init__(self, pkg: Package, report: Report, path: str, media_dir):
        self.pkg, self.report, self.path = pkg, report, path
        self.part = pkg.main
        self.styles = Styles(pkg.xml(pkg.related(self.part, "styles")))
        self.numbering = Numbering(pkg.xml(pkg.related(self.part, "numbering")), self.styles)
        self.notes: dict[tuple[str, str], tuple[str, etree._Element]] = {}
        for kind in ("footnote", "endnote"):
            part = pkg.related(self.part, kind + "s")
            root = pkg.xml(part)
            for note in root.iter(w(kind)) if root is not None else ():
                if note.get(w("type")) in (None, "normal"):
                    self.notes[(kind, note.get(w("id")))] = (part, note)
        self.media_dir = media_dir  #: callable giving the folder for extracted images
        self.images: dict[str, str] = {}
        self.para_no = 0
        self.note_count = 0
        self.called: set = set()
        self.scope = Scope()
        self.cur_part = self.part
        self.front = Front()
        self.front_open = True
        self.headings = 0
        self.figures = 0
        self.tables = 0
        self.revisions = {"ins": 0, "del": 0}
        self.revision_where: str | None = None
        self.comments: dict[str, str] = {}
        self.bookmarks: dict[str, etree._Element] = {}
        self.fields: list[dict] = []
        self.once: dict[str, tuple[int, str]] = {}
        self.text_boxes: list[etree._Element] = []
        self.carry: etree._Element | None = None
        self.pending_bookmarks: list[str] = []

    # ------------------------------------------------------------ diagnostics

    def where(self) -> str:
        return self.scope.where(self.para_no)

    def pos(self, where: str | None = None) -> SourcePos:
        return SourcePos(self.path, where=where or self.where())

    def note_once(self, code: str, where: str | None = None) -> None:
        """Count a problem reported once per document, at its first place."""
        n, first = self.once.get(code, (0, where or self.where()))
        self.once[code] = (n + 1, first)

    def _revision(self, kind: str) -> None:
        self.revisions[kind] += 1
        self.revision_where = self.revision_where or self.where()

    # ------------------------------------------------------------ blocks

    def body(self) -> list:
        root = self.pkg.xml(self.part)
        body = root.find(w("body"))
        if body is None:
            return []
        return self.blocks(body, top=True)

    def blocks(self, parent: etree._Element, top: bool = False) -> list:
        """The blocks of a container (the body, a note, a text box), with lists nested."""
        out: list = []
        lists = Lists(out)
        for child in self._block_children(parent):
            tag = child.tag
            if tag == w("p"):
                self._paragraph(child, out, lists, top)
            elif tag == w("tbl"):
                lists.end()
                table = self._table(child)
                for name in self.pending_bookmarks:
                    self.bookmarks[name] = table
                self.pending_bookmarks = []
                if table is not None:
                    out.append(table)
                    self.front_open = False
            elif tag == w("altChunk"):
                self.note_once("docx-altchunk")
        return out

    def _block_children(self, parent: etree._Element):
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            if child.tag in (w("sdt"),):
                content = child.find(w("sdtContent"))
                if content is not None:
                    yield from self._block_children(content)
            elif child.tag in (w("customXml"), w("ins"), w("moveTo")):
                yield from self._block_children(child)
            elif child.tag == f"{{{_MC}}}AlternateContent":
                choice = child.find(f"{{{_MC}}}Choice")
                yield from self._block_children(choice if choice is not None else child)
            elif child.tag == w("bookmarkStart"):  # between blocks: it marks the next one
                self.pending_bookmarks.append(child.get(w("name")) or "")
            else:
                yield child

    def _role(self, p: etree._Element) -> tuple[ParaRole, str | None]:
        ppr = p.find(w("pPr"))
        sid = None
        if ppr is not None and ppr.find(w("pStyle")) is not None:
            sid = ppr.find(w("pStyle")).get(w("val"))
        role = self.styles.role(sid)
        lvl = ppr.find(w("outlineLvl")) if ppr is not None else None
        if role.kind == "body" and lvl is not None and (lvl.get(w("val")) or "").isdigit() and int(
                lvl.get(w("val"))) < 9:
            role = ParaRole("heading", int(lvl.get(w("val"))) + 1)
        return role, sid

    def _numbering(self, p: etree._Element, sid: str | None):
        numpr = p.find(f"{w('pPr')}/{w('numPr')}")
        if numpr is None:
            numpr = self.styles.para_property(sid, "numPr")
        if numpr is None:
            return None
        nid, ilvl = numpr.find(w("numId")), numpr.find(w("ilvl"))
        num_id = nid.get(w("val")) if nid is not None else None
        level = int(ilvl.get(w("val"))) if ilvl is not None and (ilvl.get(w("val")) or "").isdigit() else 0
        if not num_id or num_id == "0":
            return None
        info = self.numbering.level(num_id, level)
        return (num_id, min(level, 8), info) if info is not None else None

    def _indent(self, p: etree._Element, sid: str | None) -> int:
        ind = p.find(f"{w('pPr')}/{w('ind')}")
        if ind is None:
            ind = self.styles.para_property(sid, "ind")
        if ind is None:
            return 0
        def twips(name: str) -> int:
            value = ind.get(w(name)) or "0"
            return int(value) if value.lstrip("-").isdigit() else 0

        # a hanging indent (a bibliography entry, a numbered note) brings the first line back out
        return max(twips("left"), twips("start")) - twips("hanging")

    def _count(self) -> None:
        """One more paragraph: the body's count, or the note's own."""
        if self.scope.label is None:
            self.para_no += 1
        self.scope.count += 1

    def _paragraph(self, p: etree._Element, out: list, lists: Lists, top: bool) -> None:
        self._count()
        where = self.where()
        role, sid = self._role(p)
        mark = p.find(f"{w('pPr')}/{w('rPr')}")
        mark_deleted = mark is not None and (mark.find(w("del")) is not None or mark.find(w("moveFrom")) is not None)
        if mark is not None and (mark.find(w("ins")) is not None or mark.find(w("moveTo")) is not None):
            self._revision("ins")
        container = E("heading" if role.kind == "heading" and top else "p", where=where)
        for name in self.pending_bookmarks:
            self.bookmarks[name] = container
        self.pending_bookmarks = []
        if self.carry is not None:  # the previous paragraph's mark was deleted: the two are one
            append(container, self.carry.text, *list(self.carry))
            self.carry = None
        figures: list[etree._Element] = []
        boxes_before = len(self.text_boxes)
        self._inline(p, container, figures=figures)
        if mark_deleted and not figures:
            self._revision("del")
            self.carry = container
            return
        strip_edges(container)
        drop_empty(container)
        boxes = self.text_boxes[boxes_before:]
        del self.text_boxes[boxes_before:]
        empty = is_empty(container)
        if role.kind == "toc" or (role.kind != "heading" and sid and self.styles.name(sid).lower().startswith("toc")):
            if not empty:
                self.note_once("docx-toc")
            return
        if empty and not figures and not boxes:
            return
        if top and self.front_open and self._front(role, container, where):
            return
        if top and role.kind == "title" and self.front.title is None and not empty:
            # the title after some body text (a cover note, a draft mark): still the title, and the
            # subtitle, author and date lines right after it are still the title page
            container.tag = q("title")
            self.front.title = container
            self.front_open = True
            return
        numbered = self._numbering(p, sid) if role.kind in ("body", "quote") else None
        if not empty:
            if role.kind == "heading" and top:
                lists.end()
                self.headings += 1
                self.front_open = False
                out.append(("heading", role.level, container))
            elif role.kind == "heading" or role.kind in ("title", "subtitle", "author", "date", "abstract"):
                if role.kind == "title" and top:  # a second title-styled paragraph: a top-level heading
                    container.tag = q("heading")
                    lists.end()
                    self.headings += 1
                    out.append(("heading", 1, container))
                else:
                    lists.end()
                    out.append(container)
            elif numbered is not None:
                num_id, level, info = numbered
                lists.item(num_id, level, info, container, where)
            elif role.kind == "code":
                lists.end()
                code = text_of(container)
                if out and not isinstance(out[-1], tuple) and out[-1].tag == q("codeblock"):
                    out[-1].text += "\n" + code
                else:
                    out.append(E("codeblock", code, where=where))
            elif role.kind == "caption":
                lists.end()
                out.append(("caption", 0, container))
            elif lists.open and "list" in self.styles.name(sid).lower():
                lists.continuation(container)
            elif role.kind == "quote" or (role.kind == "body" and self._indent(p, sid) >= QUOTE_INDENT):
                lists.end()
                if out and not isinstance(out[-1], tuple) and out[-1].tag == q("quote"):
                    out[-1].append(container)
                else:
                    out.append(E("quote", container, where=where))
            else:
                lists.end()
                out.append(container)
            self.front_open = False
        if figures:
            lists.end()
            if not empty:
                self.note_once("docx-inline-image")
            out.extend(figures)
            self.front_open = False
        for box in boxes:
            self.note_once("docx-text-box")
            out.extend(self.blocks(box))

    def _front(self, role: ParaRole, container: etree._Element, where: str) -> bool:
        """Take a title-page paragraph into :attr:`front`; False when the body has started."""
        f = self.front
        plain = " ".join(text_of(container).split())
        dated = _DATE_DOI.match(plain) if role.kind in ("body", "date") else None
        if role.kind == "title" and f.title is None:
            container.tag = q("title")
            f.title = container
        elif f.title is None and f.series is None and role.kind == "body" and _SERIES.match(plain):
            m = _SERIES.match(plain)
            f.series = (m.group(1).strip(), m.group(2), where)
        elif f.title is not None and dated and f.doi is None and (not dated.group(1) or _looks_like_date(
                dated.group(1))):
            if dated.group(1):
                f.date = f.date or (dated.group(1), where)
            f.doi = (dated.group(2).rstrip(".,;"), where)
        elif role.kind == "subtitle" and f.subtitle is None:
            container.tag = q("subtitle")
            f.subtitle = container
        elif role.kind == "author" or (f.title is not None and role.kind == "body" and _BYLINE.match(plain)):
            f.notes += [(n, len(f.authors), where, _text_before(container, n)) for n in container.iter(q("note"))]
            f.authors.append((plain, where))
        elif role.kind == "date" or (f.title is not None and role.kind == "body" and f.date is None
                                     and _looks_like_date(plain)):
            f.notes += [(n, None, where, "") for n in container.iter(q("note"))]
            f.date = (plain, where)
        elif role.kind == "abstract":
            f.abstract.append(container)
        else:
            return False
        return True

    # ------------------------------------------------------------ inline

    def _inline(self, p: etree._Element, container: etree._Element, *, figures: list | None) -> None:
        """Fill ``container`` from a paragraph's runs; pictures go to ``figures`` (None: kept as their text)."""
        builder = Inline(container)
        self._walk(p, builder, None, figures, container)
        builder.close()

    def _walk(self, parent: etree._Element, b: Inline, link: str | None, figures, container) -> None:
        for child in parent:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == w("r"):
                self._run(child, b, link, figures, container)
            elif tag in _TRANSPARENT:
                if tag in (w("ins"), w("moveTo")):
                    self._revision("ins")
                self._walk(child, b, link, figures, container)
            elif tag in (w("del"), w("moveFrom")):
                self._revision("del")
            elif tag == w("hyperlink"):
                self._walk(child, b, self._link_target(child) or link, figures, container)
            elif tag == w("fldSimple"):
                m = _HYPERLINK_FIELD.match(child.get(w("instr")) or "")
                target = self._field_link(m) if m else None
                self._walk(child, b, target or link, figures, container)
            elif tag == w("sdt"):
                content = child.find(w("sdtContent"))
                if content is not None:
                    self._walk(content, b, link, figures, container)
            elif tag == f"{{{_MC}}}AlternateContent":
                choice = child.find(f"{{{_MC}}}Choice")
                self._walk(choice if choice is not None else child, b, link, figures, container)
            elif tag == w("bookmarkStart"):
                self.bookmarks[child.get(w("name")) or ""] = container
            elif tag in (w("commentRangeStart"),):
                self.comments.setdefault(child.get(w("id")), self.where())
            elif tag in (f"{{{_M}}}oMath", f"{{{_M}}}oMathPara"):
                self.note_once("docx-math")
                b.text("".join(t.text or "" for t in child.iter(f"{{{_M}}}t")), (), link)
            elif tag not in _PARA_IGNORED and next(child.iter(w("t")), None) is not None:
                self.note_once("docx-unknown")  # markup this reader does not know: its text is kept
                self._walk(child, b, link, figures, container)

    def _link_target(self, hl: etree._Element) -> str | None:
        rid = hl.get(f"{{{_R}}}id")
        anchor = hl.get(w("anchor"))
        if rid:
            rel = self.pkg.rels(self.cur_part).get(rid)
            if rel is not None:
                return rel.target + (f"#{anchor}" if anchor and "#" not in rel.target else "")
        if anchor:
            return "#" + anchor
        return None

    def _field_link(self, m: re.Match) -> str | None:
        url, anchor = m.group(1) or m.group(2), m.group(3)
        if url:
            return url
        return "#" + anchor if anchor else None

    def _run(self, r: etree._Element, b: Inline, link: str | None, figures, container) -> None:
        rpr = r.find(w("rPr"))
        fmt = RunFormat()
        if rpr is not None:
            style = rpr.find(w("rStyle"))
            fmt = self.styles.run_format(style.get(w("val")) if style is not None else None)
            direct = run_props(rpr)
            if direct:
                fmt = RunFormat(**{**fmt.__dict__, **direct})
        custom_mark = False
        for child in r:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == w("fldChar"):
                self._field_char(child)
                continue
            if tag == w("instrText"):
                if self.fields and not self.fields[-1]["shown"]:
                    self.fields[-1]["instr"] += child.text or ""
                continue
            if any(not f["shown"] for f in self.fields):
                continue
            field_link = next((f["link"] for f in reversed(self.fields) if f.get("link")), None)
            here = link or field_link
            marks_t = _marks(fmt, here)
            if tag == w("t"):
                if custom_mark:  # the note's own mark ("*") written after its reference: the note says it
                    custom_mark = False
                    continue
                if fmt.hidden:
                    self.note_once("docx-hidden")
                    continue
                if fmt.strike:
                    self.note_once("docx-strike")
                b.text(child.text or "", marks_t, here)
            elif tag in (w("tab"), w("ptab")):
                b.text(" ", marks_t, here)
            elif tag == w("br"):
                if child.get(w("type")) in (None, "textWrapping"):
                    b.element(E("br"), marks_t, here)
            elif tag == w("cr"):
                b.element(E("br"), marks_t, here)
            elif tag == w("noBreakHyphen"):
                b.text("\u2011", marks_t, here)
            elif tag == w("softHyphen"):
                b.text("\u00ad", marks_t, here)
            elif tag == w("sym"):
                self.note_once("docx-symbol")
            elif tag in (w("footnoteReference"), w("endnoteReference")):
                note = self._note(tag == w("footnoteReference") and "footnote" or "endnote", child.get(w("id")))
                if note is not None:
                    b.element(note)
                custom_mark = (child.get(w("customMarkFollows")) or "0") in ("1", "true", "on")
            elif tag == w("ruby"):  # East Asian annotation: the base text is the text
                base = child.find(w("rubyBase"))
                if base is not None:
                    self._walk(base, b, here, figures, container)
            elif tag not in _RUN_IGNORED and next(child.iter(w("t")), None) is not None:
                self.note_once("docx-unknown")
                self._walk(child, b, here, figures, container)
            elif tag == w("commentReference"):
                self.comments.setdefault(child.get(w("id")), self.where())
            elif tag in (w("drawing"), w("pict"), w("object")):
                self._drawing(child, b, figures, here)
            elif tag == f"{{{_MC}}}AlternateContent":
                choice = child.find(f"{{{_MC}}}Choice")
                wrapper = etree.Element(w("r"))
                if rpr is not None:
                    wrapper.append(etree.fromstring(etree.tostring(rpr)))
                for item in (choice if choice is not None else child):
                    wrapper.append(etree.fromstring(etree.tostring(item)))
                self._run(wrapper, b, link, figures, container)
            elif tag == w("delText"):
                continue

    def _field_char(self, fc: etree._Element) -> None:
        kind = fc.get(w("fldCharType"))
        if kind == "begin":
            self.fields.append({"instr": "", "shown": False, "link": None})
        elif kind == "separate" and self.fields:
            f = self.fields[-1]
            f["shown"] = True
            m = _HYPERLINK_FIELD.match(f["instr"])
            if m:
                f["link"] = self._field_link(m)
        elif kind == "end" and self.fields:
            self.fields.pop()

    # ------------------------------------------------------------ notes

    def _note(self, kind: str, note_id: str) -> etree._Element | None:
        key = (kind, note_id)
        if key in self.called:
            warn(self.report, "duplicate-call", f"{kind} {note_id} is called more than once; only the first call "
                 "gets the note", self.pos())
            return None
        found = self.notes.get(key)
        if found is None:
            warn(self.report, "missing-note", f"a {kind} call points at no {kind} (id {note_id}); left out",
                 self.pos())
            return None
        self.called.add(key)
        part, body = found
        self.note_count += 1
        n = self.note_count
        note = E("note", id=f"fn-{n}", n=n, where=f"note {n}")
        saved = (self.scope, self.cur_part, self.front_open, self.carry)
        self.scope, self.cur_part, self.carry = Scope(f"note {n}"), part, None
        try:
            blocks = self.blocks(body)
        finally:
            self.scope, self.cur_part, self.front_open, self.carry = saved
        for block in blocks:
            if isinstance(block, tuple):  # a caption or heading inside a note: a paragraph
                block = block[2]
                block.tag = q("p")
            note.append(block)
        if not len(note):
            warn(self.report, "empty-note", f"note {n} is empty", SourcePos(self.path, where=f"note {n}"))
            note.append(E("p", ""))
        return note

    def uncalled(self) -> None:
        for (kind, note_id), (_part, body) in self.notes.items():
            if (kind, note_id) not in self.called:
                words = " ".join("".join(t.text or "" for t in body.iter(w("t"))).split())
                warn(self.report, "uncalled-note", f"{kind} {note_id} is never called; it is left out"
                     + (f" ({words[:50]!r})" if words else ""), SourcePos(self.path))

    # ------------------------------------------------------------ finishing

    def report_all(self) -> None:
        messages = {
            "docx-toc": "the table of contents is left out (pubconv makes its own)",
            "docx-altchunk": "content imported into Word as an embedded chunk (altChunk) is left out",
            "docx-inline-image": "pictures inside running text are placed after their paragraph",
            "docx-text-box": "text boxes are read as paragraphs after the paragraph that anchors them",
            "docx-merged-cells": "merged table cells are split (the intermediate has no cell spans)",
            "docx-nested-table": "tables inside table cells are flattened into their cell",
            "docx-math": "equations are kept as plain text",
            "docx-hidden": "hidden text is left out",
            "docx-strike": "struck-through text is kept without the strike",
            "docx-symbol": "symbol characters from symbol fonts are left out",
            "docx-drawing": "shapes, charts and diagrams are left out; insert them as pictures",
            "docx-linked-image": "linked (not embedded) pictures are left out (their description is kept)",
            "docx-cell-image": "pictures inside table cells are kept as their description",
            "docx-unknown": "Word markup this reader does not know is read as plain text",
        }
        for code, (n, first) in self.once.items():
            times = f" ({n} times)" if n > 1 else ""
            warn(self.report, code, messages[code] + times, self.pos(first))
        for cid, where in self.comments.items():
            warn(self.report, "docx-comment", f"comment {cid} is dropped{self._comment_text(cid)}", self.pos(where))
        total = self.revisions["ins"] + self.revisions["del"]
        if total:
            warn(self.report, "docx-revisions",
                 f"the document has {total} unaccepted tracked change{'s' if total != 1 else ''} "
                 f"({self.revisions['ins']} insertion(s) kept, {self.revisions['del']} deletion(s) dropped); "
                 "accept or reject them in Word to decide yourself", self.pos(self.revision_where))
        self.uncalled()

    def _comment_text(self, cid: str) -> str:
        if not hasattr(self, "_comments_root"):
            self._comments_root = self.pkg.xml(self.pkg.related(self.part, "comments"))
        root = self._comments_root
        if root is None:
            return ""
        for c in root.iter(w("comment")):
            if c.get(w("id")) == cid:
                words = " ".join("".join(t.text or "" for t in c.iter(w("t"))).split())
                who = c.get(w("author"))
                return (f" (by {who}" if who else " (") + (f": {words[:60]!r})" if words else ")")
        return ""


def _marks(fmt: RunFormat, link: str | None) -> tuple[str, ...]:
    """The inline elements a run's formatting asks for; underline is emphasis, except on links."""
    marks = []
    if fmt.strong:
        marks.append("strong")
    if fmt.em or (fmt.underline and not link):
        marks.append("em")
    if fmt.vert:
        marks.append(fmt.vert)
    if fmt.code:
        marks.append("code")
    return tuple(marks)


_BYLINE = re.compile(r"^by\s+\S", re.I)
#: a series line above the title: "WORKING PAPER 37", "COMMENT No. 207", "POLICY BRIEF N° 7"
_SERIES = re.compile(r"^([A-Z][A-Z&/ -]{1,40}?)\s+(?:No\.?\s*|N[°º]\s*|#\s*)?(\d{1,5})$")
#: a date and DOI line ("3 March 2021 – DOI: 10.48251/X.C207"), or a DOI line alone
_DATE_DOI = re.compile(r"^(.*?)\s*[–—|-]?\s*\b(?:DOI|doi)\s*:?\s*(?:https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$")


def _text_before(container: etree._Element, target: etree._Element) -> str:
    """The text of ``container`` before ``target`` (other notes' text left out)."""
    out: list[str] = []

    def walk(node: etree._Element) -> bool:
        if node is target:
            return True
        if node.tag != q("note") and node.text:
            out.append(node.text)
        for child in node:
            if node.tag != q("note") and walk(child):
                return True
            if child.tail:
                out.append(child.tail)
        return False

    walk(container)
    return "".join(out)


def _looks_like_date(text: str) -> bool:
    from .._common import parse_date

    return bool(text) and len(text) < 40 and parse_date(text) is not None

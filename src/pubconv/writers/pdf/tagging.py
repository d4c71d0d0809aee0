"""The tagged PDF's structure: footnotes as notes, a reading order, artifacts, link descriptions.

WeasyPrint tags a PDF (``pdf/ua-1``, ``pdf/ua-2``, ``pdf/a-*a``) from HTML element
names alone (``weasyprint/pdf/tags.py``), page by page: a footnote is a ``Span``,
the notes of a page come after the page's body, a paragraph split by a page turn
is two paragraphs, the running heads are tagged content detached from the tree,
and link annotations carry no description.  This module owns the fix:

* **Recording** (during ``write_pdf``): a copy of WeasyPrint's box-tree tagger,
  whose recursion goes through :meth:`Tagger._record`, notes which HTML element
  (and whether a page-margin box) each structure element was made for.  The copy
  runs only for pubconv's own documents: WeasyPrint's module is never changed,
  so another caller in the same process gets WeasyPrint's own tagging.
* **Restructuring** (a ``finisher``, after the tree is built and before the file
  is written):

  - each note (``span.footnote``, its run-on parts included) is one ``Note``
    (``FENote`` in PDF 2.0) with a unique ``/ID`` in the structure tree's
    ``/IDTree``; its number is a ``Lbl``; the call is a ``Reference`` holding the
    ``Link`` (in PDF 2.0 the call also ``/Ref``-erences the note);
  - reading order: a note follows the paragraph (heading, list item, cell) that
    calls it; the pieces of one element split by page turns are joined;
  - running heads and page numbers (page-margin boxes) become ``/Artifact``
    marked content of type ``/Pagination`` (rules and crop marks already are
    artifacts in WeasyPrint);
  - every link annotation gets ``/Contents`` saying where it goes ("Note 3",
    "Back to note 3's call", "Reference: Wolf, 2019 …", the URL's host and path)
    and the Print flag;
  - structure elements left empty are removed.

**Version guard**: the copy depends on WeasyPrint's tagging code being what it
was written against.  :data:`GUARDED` holds a hash of each function's source;
if one differs, the restructuring is off, WeasyPrint's own tagging is used, and
a ``pdf-tags-off`` warning says so (the PDF is still tagged, only less well).
"""
from __future__ import annotations

import hashlib
import inspect
import types
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from ...document import Document
from ...errors import PubconvError, Report, warn

#: (module, qualified name) -> sha256 of the source the copy was written against (WeasyPrint 70.0).
GUARDED = {
    ("weasyprint.pdf.tags", "_build_box_tree"): "f716251a83e7096e9cae972b63e633aab21c664d200582166dd0d5096780f9c4",
    ("weasyprint.pdf.tags", "add_tags"): "f0e74575b0bafaf36458eaac27874e3b80457fba3694058153da514a68933f22",
    ("weasyprint.pdf", "generate_pdf"): "626343ef25c396e8521948cadbe2b7544331c161040da80ed4e338fadac3efa9",
    ("weasyprint.document", "Document.write_pdf"): "086e4a8e99981829749305f70cc00582a6c3c78e8b4eeca60afe71dc53382ae9",
}

#: Structure types a note's call belongs to: the note is placed right after this element (or inside it, last,
#: where the structure rules allow nothing else beside it).
_BLOCKS_AFTER = {"/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/H", "/Caption", "/BlockQuote"}
_BLOCKS_INSIDE = {"/LI", "/LBody", "/TD", "/TH"}
#: Grouping types whose consecutive pieces (one element split by a page turn) are joined.
_JOINABLE = {"/Part", "/Sect", "/Art", "/Div", "/P", "/BlockQuote", "/L", "/LI", "/LBody", "/Table", "/TBody",
             "/THead", "/TFoot", "/TR", "/Note", "/FENote", "/Caption", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"}


def _source_hash(module: str, name: str) -> str:
    import importlib

    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()


def guard_failures() -> list[str]:
    """The guarded WeasyPrint functions whose source is not the one this module was written for."""
    return [f"{m}.{n}" for (m, n), digest in GUARDED.items() if _source_hash(m, n) != digest]


@lru_cache(maxsize=1)
def _guard_failures_once() -> tuple[str, ...]:
    return tuple(guard_failures())  # WeasyPrint's source does not change while a process runs


def _copy(func, globals_: dict):
    """``func`` with the same code, resolving its global names in ``globals_``."""
    new = types.FunctionType(func.__code__, globals_, func.__name__, func.__defaults__, func.__closure__)
    new.__kwdefaults__ = func.__kwdefaults__
    new.__qualname__ = func.__qualname__
    return new


@dataclass
class _Origin:
    element: object  # the lxml element (None for anonymous boxes)
    margin: bool


@dataclass
class Tagger:
    """One document's recording and restructuring (not shared between documents or threads)."""

    doc: Document
    pdf2: bool = False
    #: the writer's own finisher, run once the structure is done
    after: object = None
    origins: dict[int, _Origin] = field(default_factory=dict)
    #: the XHTML root (WeasyPrint's ElementTree element), seen as the tagger walks the boxes
    html_root: object = None
    _margin_depth: int = 0

    # ------------------------------------------------------------ recording

    def _record(self, build, box, *args):
        from weasyprint.formatting_structure import boxes

        margin = isinstance(box, boxes.MarginBox)
        if self.html_root is None and box.element is not None and box.element_tag == "html":
            self.html_root = box.element
        self._margin_depth += margin
        try:
            for element in build(box, *args):
                # The innermost box that yields an element made it; the page, html and body boxes only
                # pass their children's elements on.
                self.origins.setdefault(id(element), _Origin(box.element, self._margin_depth > 0))
                yield element
        finally:
            self._margin_depth -= margin

    def write_pdf(self, rendered, **options) -> bytes:
        """``rendered.write_pdf(**options)`` with the recording tagger and the restructuring finisher."""
        return _scoped_write_pdf(self)(rendered, finisher=self.finish, **options)

    # ------------------------------------------------------------ restructuring

    def finish(self, _document, pdf) -> None:
        tree = _Tree(pdf, self)
        tree.artifacts()
        tree.notes()
        calls = tree.lift_notes()
        tree.prune(tree.document)
        tree.join_pieces(tree.document)
        tree.list_bodies()
        tree.place_notes(calls)
        tree.prune(tree.document)
        tree.describe_links()
        tree.id_tree()
        if self.after is not None:
            self.after(_document, pdf)


@lru_cache(maxsize=1)
def _copies():
    """The copied WeasyPrint functions, made once: (build_box_tree globals, write_pdf)."""
    import weasyprint.document as wp_document
    import weasyprint.pdf as wp_pdf
    from weasyprint.pdf import tags as wp_tags

    tag_globals = dict(vars(wp_tags))
    build = _copy(wp_tags._build_box_tree, tag_globals)
    add_tags = _copy(wp_tags.add_tags, tag_globals)
    generate_pdf = _copy(wp_pdf.generate_pdf, dict(vars(wp_pdf), add_tags=add_tags))
    write_pdf = _copy(wp_document.Document.write_pdf, dict(vars(wp_document), generate_pdf=generate_pdf))
    return build, tag_globals, write_pdf


def _scoped_write_pdf(tagger: Tagger):
    build, tag_globals, write_pdf = _copies()
    # Each call gets its own globals for the recursion, so that documents written at once in
    # several threads record into their own Tagger.
    call_globals = dict(tag_globals)
    own_build = _copy(build, call_globals)
    call_globals["_build_box_tree"] = lambda box, *args: tagger._record(own_build, box, *args)
    add_tags = _copy(tag_globals["add_tags"], call_globals)
    generate_pdf = _copy(write_pdf.__globals__["generate_pdf"],
                         dict(write_pdf.__globals__["generate_pdf"].__globals__, add_tags=add_tags))
    return _copy(write_pdf, dict(write_pdf.__globals__, generate_pdf=generate_pdf))


def write_pdf(rendered, doc: Document, report: Report, finisher=None, **options) -> bytes:
    """The PDF bytes of a laid-out WeasyPrint document, with pubconv's structure when tagged.

    ``options`` are ``write_pdf`` options; the structure is reworked only when
    they (or the variant) ask for tags.  ``finisher`` (the writer's own: boxes,
    XMP) runs after the structure is done.
    """
    from weasyprint.pdf import VARIANTS

    variant = options.get("pdf_variant")
    tagged = options.get("pdf_tags") or (variant and VARIANTS[variant][1].get("pdf_tags"))
    if not tagged:
        return rendered.write_pdf(finisher=finisher, **options)
    for image in doc.xpath("//p:image[not(normalize-space(@alt))]"):
        # PDF/UA (7.3) and the accessible PDF/A levels need alt text on every figure; WeasyPrint would
        # only log it.  An empty alt marks a decorative image in HTML, which a tagged PDF cannot say.
        raise PubconvError(f"the image {image.get('src')!r} has no alt text, which the tagged PDF "
                           f"({variant or 'pdf_tags'}) requires: describe it in the image's alt text",
                           doc.pos(image), "missing-alt")
    off = _guard_failures_once()
    if off:
        warn(report, "pdf-tags-off", "WeasyPrint's tagging code is not the version pubconv's tagging fixes were "
             f"written for ({', '.join(off)}); footnotes are tagged as WeasyPrint does it (no Note elements, "
             "reading order by page)", doc.pos(doc.root))
        return rendered.write_pdf(finisher=finisher, **options)
    pdf2 = str(VARIANTS[variant][1].get("pdf_version", "")) >= "2.0" if variant else False
    return Tagger(doc, pdf2=pdf2, after=finisher).write_pdf(rendered, **options)


# ---------------------------------------------------------------- the tree


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split()) if element is not None else set()


def _number(ref) -> int:
    return int(bytes(ref).split()[0]) if not isinstance(ref, int) else ref


class _Tree:
    """The pydyf structure tree of one PDF, with the origins the recording kept."""

    def __init__(self, pdf, tagger: Tagger):
        import pydyf

        self.pydyf = pydyf
        self.pdf = pdf
        self.tagger = tagger
        self.objects = {o.number: o for o in pdf.objects if hasattr(o, "number") and o.number is not None}
        root = self.obj(pdf.catalog["StructTreeRoot"])
        self.root = root
        self.document = self.obj(root["K"][0])
        self.elements = [o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/StructElem"]
        self.origin = {o.number: tagger.origins.get(id(o)) for o in self.elements}
        self.note_ids: dict[str, object] = {}  # note id -> Note element

    # helpers
    def obj(self, ref):
        return self.objects[_number(ref)]

    def html(self, el):
        origin = self.origin.get(el.number)
        return origin.element if origin is not None else None

    def kids(self, el) -> list:
        return [self.obj(k) for k in el["K"] if not isinstance(k, int) and self.is_struct(k)]

    def is_struct(self, ref) -> bool:
        target = self.objects.get(_number(ref))
        return target is not None and target.get("Type") == "/StructElem"

    def new(self, kind: str, parent, kids: list) -> object:
        el = self.pydyf.Dictionary({"Type": "/StructElem", "S": kind, "K": self.pydyf.Array(kids),
                                    "P": parent.reference})
        if "Pg" in parent:
            el["Pg"] = parent["Pg"]
        self.pdf.add_object(el)
        self.objects[el.number] = el
        for kid in kids:
            if not isinstance(kid, int) and self.is_struct(kid):
                self.obj(kid)["P"] = el.reference
        return el

    def detach(self, el) -> None:
        parent = self.obj(el["P"])
        parent["K"][:] = [k for k in parent["K"] if isinstance(k, int) or _number(k) != el.number]

    def insert(self, parent, index: int, el) -> None:
        parent["K"].insert(index, el.reference)
        el["P"] = parent.reference

    def index_in(self, parent, el) -> int:
        return next(i for i, k in enumerate(parent["K"]) if not isinstance(k, int) and _number(k) == el.number)

    def wrap(self, el, kind: str):
        """Put ``el`` inside a new element of type ``kind`` at its place."""
        parent = self.obj(el["P"])
        at = self.index_in(parent, el)
        wrapper = self.new(kind, parent, [])
        parent["K"][at] = wrapper.reference
        wrapper["K"].append(el.reference)
        el["P"] = wrapper.reference
        return wrapper

    def descendants(self, el):
        yield el
        for kid in self.kids(el):
            yield from self.descendants(kid)

    # running heads and page numbers
    def artifacts(self) -> None:
        """Marked content of page-margin boxes becomes ``/Artifact /Pagination``."""
        mcids: dict[int, set[int]] = {}
        for el in self.elements:
            origin = self.origin.get(el.number)
            if origin is None or not origin.margin:
                continue
            for d in self.descendants(el):
                page = d.get("Pg")
                for k in d["K"]:
                    if isinstance(k, int) and page is not None:
                        mcids.setdefault(_number(page), set()).add(k)
        if not mcids:
            return
        pages = {_number(ref): i for i, ref in enumerate(self.pdf.page_references)}
        parent_tree = self.obj(self.root["ParentTree"])["Nums"]
        for page_ref, ids in mcids.items():
            page = self.obj(page_ref)
            contents = page["Contents"]
            for stream_ref in (contents if isinstance(contents, list) else [contents]):
                stream = self.obj(stream_ref).stream
                for i, item in enumerate(stream):
                    if isinstance(item, self.pydyf.Dictionary) and item.get("MCID") in ids \
                            and i + 1 < len(stream) and stream[i + 1] == b"BDC":
                        stream[i - 1] = "/Artifact"
                        stream[i] = self.pydyf.Dictionary({"Type": "/Pagination"})
            index = pages[page_ref]
            nums = parent_tree[2 * [n for n in parent_tree[::2]].index(index) + 1]
            for mcid in ids:
                if mcid < len(nums):
                    nums[mcid] = "null"

    # notes
    def notes(self) -> None:
        """Each note one ``Note`` with an ``/ID``; its number a ``Lbl``; its call a ``Reference``."""
        note_type = "/FENote" if self.tagger.pdf2 else "/Note"
        paragraph_before = None
        for el in list(self.elements):
            html = self.html(el)
            classes = _classes(html)
            if "footnote" in classes:
                note_id = html.get("data-note") or html.get("id")
                el["S"] = note_type
                first = self.note_ids.get(note_id)
                if first is None:
                    self.note_ids[note_id] = el
                    el["ID"] = self.pydyf.String(note_id)
                else:  # a part run on overleaf: its kids join the note
                    self.detach(el)
                    for kid in list(el["K"]):
                        first["K"].append(kid)
                        if not isinstance(kid, int) and self.is_struct(kid):
                            self.obj(kid)["P"] = first.reference
                    el["K"] = self.pydyf.Array()
            elif "fn-p" in classes:
                el["S"] = "/P"
                if "fn-cont-p" in classes and paragraph_before is not None and paragraph_before.get("S") == "/P":
                    pass  # joined by join_pieces once the parts are in one note
                paragraph_before = el
        for el in list(self.elements):
            html = self.html(el)
            if el.get("S") != "/Link" or html is None:
                continue
            classes = _classes(html)
            if "fn-back" in classes:
                self.wrap(el, "/Lbl")
            elif "fn-call" in classes:
                self.wrap(el, "/Reference")

    def join_pieces(self, el) -> None:
        """Join consecutive kids made for the same HTML element (one element split by page turns)."""
        kids = el["K"]
        out = []
        previous = None
        for ref in list(kids):
            if isinstance(ref, int) or not self.is_struct(ref):
                out.append(ref)
                previous = None
                continue
            kid = self.obj(ref)
            html = self.html(kid)
            same = (previous is not None and html is not None and self.html(previous) is html
                    and previous.get("S") == kid.get("S"))
            split_paragraph = (previous is not None and previous.get("S") == "/P" and kid.get("S") == "/P"
                               and "fn-split" in _classes(self.html(previous))
                               and "fn-cont-p" in _classes(html))
            if (same or split_paragraph) and kid.get("S") in _JOINABLE and not any(isinstance(k, int) for k in kid["K"]) \
                    and not any(isinstance(k, int) for k in previous["K"]):
                for k in list(kid["K"]):
                    previous["K"].append(k)
                    if not isinstance(k, int) and self.is_struct(k):
                        self.obj(k)["P"] = previous.reference
                kid["K"] = self.pydyf.Array()
                continue
            out.append(ref)
            previous = kid
        kids[:] = out
        for ref in out:
            if not isinstance(ref, int) and self.is_struct(ref):
                self.join_pieces(self.obj(ref))

    def lift_notes(self) -> dict[str, object]:
        """Take each note whose call is found out of the page's note area; returns note id -> call."""
        calls = {}
        for el in self.elements:
            html = self.html(el)
            if el.get("S") == "/Link" and "fn-call" in _classes(html):
                calls.setdefault((html.get("href") or "").lstrip("#"), el)
        found = {}
        for note_id, note in self.note_ids.items():
            if note_id in calls:
                self.detach(note)
                found[note_id] = calls[note_id]
        return found

    def list_bodies(self) -> None:
        """A list item's content other than its label goes into an ``LBody`` (WeasyPrint leaves a
        ``<p>`` inside an ``<li>`` directly under ``LI``, which PDF/UA does not allow)."""
        for el in list(self.elements):
            if el.get("S") != "/LI":
                continue
            kids = list(el["K"])
            loose = [k for k in kids if isinstance(k, int) or not self.is_struct(k)
                     or self.obj(k).get("S") not in ("/Lbl", "/LBody")]
            if not loose:
                continue
            body = self.new("/LBody", el, [])
            first = kids.index(loose[0])
            el["K"][:] = [k for k in kids if k not in loose]
            el["K"].insert(min(first, len(el["K"])), body.reference)
            for k in loose:
                body["K"].append(k)
                if not isinstance(k, int) and self.is_struct(k):
                    self.obj(k)["P"] = body.reference

    def place_notes(self, calls: dict[str, object]) -> None:
        """Put each lifted note right after the paragraph (or last into the item or cell) that calls it."""
        after_count: dict[int, int] = {}
        for note_id, note in self.note_ids.items():
            call = calls.get(note_id)
            if call is None:
                continue
            block = self.obj(call["P"])
            while block.get("S") not in _BLOCKS_AFTER | _BLOCKS_INSIDE and block is not self.document:
                block = self.obj(block["P"])
            if block.get("S") in _BLOCKS_INSIDE:
                self.insert(block, len(block["K"]), note)
            elif block is self.document:
                self.insert(block, len(block["K"]), note)
            else:
                parent = self.obj(block["P"])
                at = self.index_in(parent, block) + 1 + after_count.get(block.number, 0)
                self.insert(parent, at, note)
                after_count[block.number] = after_count.get(block.number, 0) + 1
            if self.tagger.pdf2:
                call["Ref"] = self.pydyf.Array([note.reference])

    def prune(self, el) -> bool:
        """Remove kids left with nothing in them; True when ``el`` itself is empty."""
        kept = []
        for ref in el["K"]:
            if isinstance(ref, int) or not self.is_struct(ref):
                kept.append(ref)
            elif not self.prune(self.obj(ref)):
                kept.append(ref)
        el["K"][:] = kept
        return not kept and "Alt" not in el and "ActualText" not in el

    # links
    def describe_links(self) -> None:
        """``/Contents`` and the Print flag on every link annotation."""
        targets = {}
        for el in self.doc_elements_with_ids():
            targets[el.get("id")] = el
        for el in self.elements:
            if el.get("S") != "/Link":
                continue
            html = self.html(el)
            for k in el["K"]:
                if isinstance(k, int) or self.is_struct(k):
                    continue
                objr = self.obj(k)
                if objr.get("Type") != "/OBJR":
                    continue
                annotation = self.obj(objr["Obj"])
                annotation["F"] = 4
                text = self.describe(html, targets)
                if text:
                    annotation["Contents"] = self.pydyf.String(text)
        for obj in self.pdf.objects:  # annotations outside the structure (none expected) still print
            if isinstance(obj, self.pydyf.Dictionary) and obj.get("Type") == "/Annot" and "F" not in obj:
                obj["F"] = 4

    def doc_elements_with_ids(self):
        root = self.tagger.html_root
        return [] if root is None else [e for e in root.iter() if isinstance(e.tag, str) and e.get("id")]

    @staticmethod
    def describe(html, targets) -> str | None:
        if html is None:
            return None
        href = html.get("href") or ""
        label = " ".join("".join(html.itertext()).split())
        classes = _classes(html)
        if "fn-call" in classes:
            return f"Note {label}"
        if "fn-back" in classes:
            return f"Back to the call of note {label}"
        if href.startswith("#"):
            target = targets.get(href[1:])
            what = " ".join("".join(target.itertext()).split()) if target is not None else label
            if len(what) > 90:
                what = what[:90].rsplit(" ", 1)[0] + " …"
            if href[1:].startswith("ref-"):
                return f"Reference: {what}"
            return f"Go to: {what}"
        if href.startswith("mailto:"):
            return f"E-mail {href[len('mailto:'):]}"
        parts = urlsplit(href)
        if parts.netloc:
            return (parts.netloc + parts.path).rstrip("/") or href
        return href or None

    def id_tree(self) -> None:
        """The ``/IDTree`` name tree of the notes' ``/ID``s (sorted, as name trees are)."""
        if not self.note_ids:
            return
        names = self.pydyf.Array()
        for note_id in sorted(self.note_ids):
            names.append(self.pydyf.String(note_id))
            names.append(self.note_ids[note_id].reference)
        tree = self.pydyf.Dictionary({"Names": names})
        self.pdf.add_object(tree)
        self.root["IDTree"] = tree.reference

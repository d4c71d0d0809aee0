"""The EPUB's XHTML: the shared rendering made fit for the package, and the nav document.

:func:`check_images` resolves every image of the intermediate under
``doc.base_dir`` *before* anything is rendered, while the source line is known:
an image outside the source folder, a remote or ``data:`` image, a missing file
or an unsupported format raises :class:`PubconvError`; an image without alt
text is a ``missing-alt`` warning.  Each image gets a package name
``images/NN-name.ext``.

:func:`prepare` takes the XHTML from ``_xhtml.render(..., target="epub")`` and
points its ``img`` at the package names, makes sure the title page, the start
of the body and the references carry ids for the landmarks, drops links that
would point at files outside the package (with a warning), and collects the
table of contents and the facts the accessibility metadata is derived from.

:func:`nav_document` writes ``nav.xhtml``: the table of contents (nested like
the sections) and the landmarks (title page, table of contents, body matter,
bibliography) and, when the writer marked the print pages
(``pagebreaks.py``), the ``page-list``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ... import languages, svg
from ...document import Document, resolve_resource, safe_parser
from ...errors import PubconvError, Report, SourcePos, warn
from ...namespaces import MATHML, OPS, SVG, XHTML, XML_LANG
from .meta import Accessibility

EPUB_TYPE = f"{{{OPS}}}type"
NSMAP = {"h": XHTML, "epub": OPS}

CONTENT = "content.xhtml"
NAV = "nav.xhtml"

#: EPUB 3.3 core media types for images, by file suffix, with the bytes such a file starts with.
IMAGE_TYPES = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".svg": ("image/svg+xml", ()),
}

_PAGES = {"en": "Pages", "fr": "Pages", "de": "Seiten", "es": "Páginas", "it": "Pagine", "pt": "Páginas",
          "nl": "Pagina's"}


def page_label(lang: str) -> str:
    """The page list's heading in ``lang``."""
    return _PAGES.get(lang.split("-")[0].lower(), _PAGES["en"])


def labels(lang: str) -> tuple[str, str, str, str]:
    """(contents, landmarks, title page, start of text) in ``lang``, English if not known."""
    words = languages.labels(lang)
    return words["contents"], words["landmarks"], words["title-page"], words["start-of-text"]


# ---------------------------------------------------------------- images


@dataclass(frozen=True)
class Image:
    """One image file that goes into the package."""

    path: Path  #: resolved, inside ``doc.base_dir``
    name: str  #: path inside the package, relative to the content document
    media_type: str
    data: bytes


def _resolve(src: str, base: Path, pos: SourcePos) -> Path:
    # An EPUB must carry its images: remote ones are refused whatever the options say.
    return resolve_resource(src, base, pos, allow_remote=False)


def _is_svg(data: bytes) -> bool:
    """Well-formed XML with an ``svg`` root, parsed without DTDs, entities or network."""
    parser = safe_parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return False
    return root.tag == f"{{{SVG}}}svg" and root.getroottree().docinfo.doctype == ""


def check_images(doc: Document, report: Report) -> dict[Path, Image]:
    """Every image of ``doc``, checked and read, by resolved path (see the module docstring)."""
    base = Path(doc.base_dir).resolve()
    found: dict[Path, Image] = {}
    for img in doc.xpath("//p:image"):
        src, pos = img.get("src", ""), doc.pos(img)
        target = _resolve(src, base, pos)
        if not (img.get("alt") or "").strip():
            warn(report, "missing-alt", f"image {src!r} has no alt text; the EPUB will not claim WCAG conformance",
                 pos)
        if target not in found:
            found[target] = load_image(target, src, pos, len(found) + 1, report)
    return found


def load_image(target: Path, src: str, pos: SourcePos, number: int, report: Report | None = None) -> Image:
    """Read one image for the package, checking that EPUB readers know its format.

    An SVG is cleaned (``pubconv.svg.sanitize``: no scripts, handlers or outside references),
    with a warning naming what was removed."""
    suffix = target.suffix.lower()
    if suffix not in IMAGE_TYPES:
        raise PubconvError(f"image {src!r}: EPUB readers need PNG, JPEG, GIF, WebP or SVG, "
                           f"not {suffix or 'a file without suffix'}", pos, "unsupported-image")
    media_type, magics = IMAGE_TYPES[suffix]
    data = target.read_bytes()
    if ((magics and not data.startswith(magics)) or (suffix == ".webp" and data[8:12] != b"WEBP")
            or (suffix == ".svg" and not _is_svg(data))):
        raise PubconvError(f"image {src!r} is not a {media_type} file (its content does not match its suffix)",
                           pos, "bad-image")
    if suffix == ".svg":
        try:
            data, removed = svg.sanitize(data)
        except ValueError as exc:
            raise PubconvError(f"image {src!r} cannot be used: {exc}", pos, "bad-image") from None
        if removed and report is not None:
            warn(report, "svg-sanitized", f"image {src!r}: removed {', '.join(removed)}", pos)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", target.stem).strip("-") or "image"
    return Image(target, f"images/{number:02d}-{stem}{suffix}", media_type, data)


# ---------------------------------------------------------------- the content document


@dataclass
class TocEntry:
    title: str
    href: str
    children: list["TocEntry"] = field(default_factory=list)


@dataclass
class Content:
    """The content document, ready to package, and what was learned from it."""

    root: etree._Element  #: the XHTML document (the writer adds the page-break markers)
    toc: list[TocEntry]
    landmarks: list[tuple[str, str, str]]  #: (epub:type, href, label)
    a11y: Accessibility
    properties: list[str]  #: manifest properties (``svg``, ``mathml``) the content needs

    @property
    def xhtml(self) -> bytes:
        return etree.tostring(self.root.getroottree(), xml_declaration=True, encoding="UTF-8",
                              doctype="<!DOCTYPE html>") + b"\n"

    @property
    def body(self) -> etree._Element:
        return self.root.find(_h("body"))


def _h(tag: str) -> str:
    return f"{{{XHTML}}}{tag}"


def _plain(el: etree._Element) -> str:
    """Text of a heading without its note calls."""
    parts = []

    def walk(node):
        if node.text:
            parts.append(node.text)
        for child in node:
            if not (child.get(EPUB_TYPE) or "").split().count("noteref") and child.tag != _h("aside"):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return " ".join("".join(parts).split())


def _ensure_id(el: etree._Element, wanted: str) -> str:
    if not el.get("id"):
        taken = set(el.getroottree().getroot().xpath("//@id"))
        candidate, n = wanted, 1
        while candidate in taken:
            n += 1
            candidate = f"{wanted}-{n}"
        el.set("id", candidate)
    return el.get("id")


def _types(el: etree._Element) -> list[str]:
    return (el.get(EPUB_TYPE) or "").split()


def prepare(html: str, doc: Document, images: dict[Path, Image], report: Report,
            extra: dict[str, Path] | None = None) -> Content:
    """Make the shared XHTML a package's content document (see the module docstring)."""
    parser = safe_parser()
    root = etree.fromstring(html.encode("utf-8"), parser)
    if root.tag != _h("html"):
        raise PubconvError(f"the XHTML rendering is not an XHTML document (root {root.tag!r})", SourcePos(doc.path),
                           "template")
    root.set("lang", doc.lang)
    root.set(XML_LANG, doc.lang)
    head, body = root.find(_h("head")), root.find(_h("body"))
    if head.find(_h("title")) is None or not (head.find(_h("title")).text or "").strip():
        title = head.find(_h("title")) if head.find(_h("title")) is not None else etree.SubElement(head, _h("title"))
        title.text = " ".join(doc.title.split())

    a11y = Accessibility()
    base = Path(doc.base_dir).resolve()
    image_pos = {img.get("src"): doc.pos(img) for img in doc.xpath("//p:image")}
    for img in body.iter(_h("img")):
        src = img.get("src", "")
        pos = image_pos.get(src, SourcePos(doc.path))
        target = (extra or {}).get(src) or _resolve(src, base, pos)
        if target not in images:  # an image the template added itself (a logo, say)
            raise PubconvError(f"the XHTML rendering refers to an image not in the document: {src}", pos,
                               "missing-resource")
        img.set("src", images[target].name)
        a11y.images += 1
        if not (img.get("alt") or "").strip():
            a11y.images_without_alt += 1
        if images[target].media_type == "image/gif":
            a11y.animated_images_possible = True

    _drop_deprecated_types(body)
    _author_notes(body)
    _wrap_tables(body)
    titlepage = next((el for el in body.iter() if "titlepage" in _types(el)), None)
    if titlepage is not None:
        from .imprint import section as imprint_section

        titlepage.addnext(imprint_section(doc))
        titlepage.getnext().tail = "\n"

    a11y.headings = sum(1 for el in body.iter() if el.tag in {_h(f"h{i}") for i in range(1, 7)})
    a11y.aria_roles = any(True for _ in body.iterfind(".//*[@role]"))
    a11y.notes = sum(1 for el in body.iter(_h("aside")) if "footnote" in _types(el)
                     and "footnote" in (el.get("class") or "").split())

    landmarks = _landmarks(body, doc)
    toc = _toc(body, doc)
    properties = []
    if body.find(f".//{{{SVG}}}svg") is not None:
        properties.append("svg")
    if body.find(f".//{{{MATHML}}}math") is not None:
        properties.append("mathml")

    return Content(root, toc, landmarks, a11y, properties)


def _author_notes(body: etree._Element) -> None:
    """Author notes (``*``) as real notes: the call a ``noteref``, the note a footnote ``aside`` that links back."""
    calls: dict[str, str] = {}
    for n, call in enumerate(body.xpath(".//h:a[contains(concat(' ', @class, ' '), ' author-note-call ')]",
                                        namespaces=NSMAP), start=1):
        target = (call.get("href") or "").lstrip("#")
        call.set("id", f"anref-{n}")
        call.set(EPUB_TYPE, "noteref")
        call.set("role", "doc-noteref")
        calls.setdefault(target, f"anref-{n}")
    for note in body.xpath(".//h:div[contains(concat(' ', @class, ' '), ' author-note ')]", namespaces=NSMAP):
        back = calls.get(note.get("id"))
        if back is None:
            continue
        note.tag = _h("aside")
        note.set(EPUB_TYPE, "footnote")
        note.set("role", "doc-footnote")
        for mark in note.xpath(".//h:span[@class='fn-back']", namespaces=NSMAP)[:1]:
            mark.tag = _h("a")
            mark.set("href", f"#{back}")
            mark.set("role", "doc-backlink")


def _wrap_tables(body: etree._Element) -> None:
    """Each table in a ``div.table-wrap`` that scrolls sideways by itself (WCAG 1.4.10 lets tables do so)."""
    for table in list(body.iter(_h("table"))):
        wrap = etree.Element(_h("div"))
        wrap.set("class", "table-wrap")
        table.addprevious(wrap)
        wrap.tail, table.tail = table.tail, None
        wrap.append(table)


#: epub:type values that EPUB 3.3 deprecates (EPUBCheck OPF-086b); the element keeps its role and id.
DEPRECATED_TYPES = frozenset({"biblioentry", "annoref", "annotation", "help", "marginalia", "note", "rearnote",
                              "rearnotes", "sidebar", "subchapter", "warning"})


def _drop_deprecated_types(body: etree._Element) -> None:
    for el in body.iterfind(".//*[@epub:type]", NSMAP):
        kept = [t for t in _types(el) if t not in DEPRECATED_TYPES]
        if kept:
            el.set(EPUB_TYPE, " ".join(kept))
        else:
            del el.attrib[EPUB_TYPE]


#: front matter that the "start of text" landmark skips
FRONT_TYPES = frozenset({"titlepage", "frontmatter", "copyright-page"})


def _landmarks(body: etree._Element, doc: Document) -> list[tuple[str, str, str]]:
    _, _, title_label, start_label = labels(doc.lang)
    found = []
    titlepage = next((el for el in body.iter() if "titlepage" in _types(el)), None)
    if titlepage is not None:
        found.append(("titlepage", f"{CONTENT}#{_ensure_id(titlepage, 'titlepage')}", title_label))
    # No "toc" landmark: the nav document is not in the spine, and a link to it is an EPUBCheck error (RSC-011).
    start = next((el for el in body.iter() if "bodymatter" in _types(el)), None)
    if start is None:
        # The first block of the body: the first element child of body that is not front matter.
        for el in body.iterchildren():
            if not isinstance(el.tag, str) or el is titlepage or set(_types(el)) & FRONT_TYPES:
                continue
            start = el
            break
    if start is not None:
        found.append(("bodymatter", f"{CONTENT}#{_ensure_id(start, 'text')}", start_label))
    refs = next((el for el in body.iter() if "bibliography" in _types(el)
                 or el.get("role") == "doc-bibliography"), None)
    if refs is not None:
        heading = next((h for h in refs if h.tag in {_h(f"h{i}") for i in range(1, 7)}), None)
        label = _plain(heading) if heading is not None else "References"
        found.append(("bibliography", f"{CONTENT}#{_ensure_id(refs, 'references')}", label))
    return found


def _toc(body: etree._Element, doc: Document) -> list[TocEntry]:
    """Sections with an id and a heading, nested as they are nested in the content."""
    headings = {_h(f"h{i}") for i in range(2, 7)}

    def entries(container: etree._Element) -> list[TocEntry]:
        result = []
        for el in container.iterchildren():
            if not isinstance(el.tag, str) or "titlepage" in _types(el):
                continue
            heading = next((h for h in el if h.tag in headings), None) if el.tag == _h("section") else None
            if heading is not None:
                sid = _ensure_id(el, "section")
                result.append(TocEntry(_plain(heading) or sid, f"{CONTENT}#{sid}", entries(el)))
            elif el.tag not in {_h("p"), _h("aside"), _h("table"), _h("figure")}:
                result.extend(entries(el))  # a wrapper such as <main> or <div>: look inside
        return result

    title = TocEntry(" ".join(doc.title.split()) or doc.path, CONTENT)
    return [title, *entries(body)]


# ---------------------------------------------------------------- the cover page

_COVER = {"en": "Cover", "fr": "Couverture", "de": "Umschlag", "es": "Cubierta", "it": "Copertina",
          "pt": "Capa", "nl": "Omslag"}


def cover_label(lang: str) -> str:
    return _COVER.get(lang.split("-")[0].lower(), _COVER["en"])


def cover_document(doc: Document, src: str, alt: str) -> bytes:
    """``cover.xhtml``: the cover image alone, first in the spine (the page Apple, Kobo and Calibre show)."""
    html = etree.Element(_h("html"), nsmap={None: XHTML, "epub": OPS})
    html.set("lang", doc.lang)
    html.set(XML_LANG, doc.lang)
    head = etree.SubElement(html, _h("head"))
    etree.SubElement(head, _h("title")).text = cover_label(doc.lang)
    etree.SubElement(head, _h("link"), rel="stylesheet", type="text/css", href="epub.css")
    body = etree.SubElement(html, _h("body"), {"class": "cover"})
    section = etree.SubElement(body, _h("section"), {EPUB_TYPE: "cover", "id": "cover", "class": "cover",
                                                     "aria-label": cover_label(doc.lang)})
    etree.SubElement(section, _h("img"), src=src, alt=alt)
    return etree.tostring(html.getroottree(), xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE html>",
                          pretty_print=True)


# ---------------------------------------------------------------- the nav document


def nav_document(doc: Document, toc: list[TocEntry], landmarks: list[tuple[str, str, str]],
                 pages: list[tuple[int, str]] = ()) -> bytes:
    """``nav.xhtml``: the table of contents, the (hidden) landmarks and, with ``pages``
    (``(number, id)`` of each page-break marker), the (hidden) page list."""
    contents_label, landmarks_label, _, _ = labels(doc.lang)
    html = etree.Element(_h("html"), nsmap={None: XHTML, "epub": OPS})
    html.set("lang", doc.lang)
    html.set(XML_LANG, doc.lang)
    head = etree.SubElement(html, _h("head"))
    etree.SubElement(head, _h("title")).text = contents_label
    etree.SubElement(head, _h("link"), rel="stylesheet", type="text/css", href="epub.css")
    body = etree.SubElement(html, _h("body"))

    nav = etree.SubElement(body, _h("nav"), {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc"})
    etree.SubElement(nav, _h("h1")).text = contents_label

    def add(parent: etree._Element, items: list[TocEntry]) -> None:
        ol = etree.SubElement(parent, _h("ol"))
        for item in items:
            li = etree.SubElement(ol, _h("li"))
            etree.SubElement(li, _h("a"), href=item.href).text = item.title
            if item.children:
                add(li, item.children)

    add(nav, toc)

    marks = etree.SubElement(body, _h("nav"), {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden"})
    etree.SubElement(marks, _h("h2")).text = landmarks_label
    ol = etree.SubElement(marks, _h("ol"))
    for kind, href, label in landmarks:
        li = etree.SubElement(ol, _h("li"))
        etree.SubElement(li, _h("a"), {EPUB_TYPE: kind, "href": href}).text = label
    if pages:
        page_nav = etree.SubElement(body, _h("nav"), {EPUB_TYPE: "page-list", "id": "page-list",
                                                      "role": "doc-pagelist", "hidden": "hidden"})
        etree.SubElement(page_nav, _h("h2")).text = page_label(doc.lang)
        ol = etree.SubElement(page_nav, _h("ol"))
        for number, anchor in pages:
            li = etree.SubElement(ol, _h("li"))
            etree.SubElement(li, _h("a"), href=f"{CONTENT}#{anchor}").text = str(number)
    tree = html.getroottree()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE html>",
                          pretty_print=True)

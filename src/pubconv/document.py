"""The canonical intermediate: one XML document per commentary.

Readers build it, writers read only it.  This module owns the element
builders (:func:`E`, :func:`append`, :func:`add_text`, the one mixed-content
text appender), the schema check, the one way the XML is serialized (so that a
round trip gives the same bytes), :func:`safe_parser` (the one XML parser
pubconv builds, for untrusted ``.pubconv.xml`` input and its own markup alike),
the resource policy for images (:func:`resolve_resource`), and
:func:`source_pos`, which turns an element back into ``file:line``.  The
namespace URIs themselves are in ``namespaces.py``.

The element vocabulary is documented in ``docs/format.md`` and fixed by
``schema/pubconv.rng``.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator

from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from lxml import etree

from . import namespaces
from .errors import PubconvError, SourcePos

NS = namespaces.PUBCONV
SRC_NS = namespaces.SOURCE
XML_NS = namespaces.XML
NSMAP = {None: NS, "src": SRC_NS}
#: For XPath: ``root.xpath("//p:note", namespaces=XPATH_NS)``.
XPATH_NS = {"p": NS, "src": SRC_NS}

LINE = f"{{{SRC_NS}}}line"
COL = f"{{{SRC_NS}}}col"
FILE = f"{{{SRC_NS}}}file"
FORM = f"{{{SRC_NS}}}form"
#: a place in a source without lines (``paragraph 12``, ``note 3``), printed as ``file: paragraph 12``
WHERE = f"{{{SRC_NS}}}where"
LANG = f"{{{XML_NS}}}lang"

#: Elements whose children are only elements: whitespace inside them is layout,
#: never content, so the serializer indents them and the reader strips it.
BLOCK_CONTAINERS = frozenset(
    "document meta series authors author name author-notes author-note bio abstract "
    "publisher keywords body section quote list item figure table thead tbody row "
    "references ref parsed person-group note deflist def source affiliations aff translations translation funding award".split()
)


def q(tag: str) -> str:
    """The qualified name of a pubconv element: ``q("p")`` -> ``{ns}p``."""
    return f"{{{NS}}}{tag}"


def local(el: etree._Element) -> str:
    """The local name of an element (``p`` for ``{ns}p``)."""
    return etree.QName(el).localname


def E(tag: str, *children, line: int | None = None, where: str | None = None, **attrs) -> etree._Element:
    """Build a pubconv element; strings among ``children`` become text.

    ``line`` (a 1-based source line) or ``where`` (a label such as ``paragraph 12``
    for sources without lines) records the element's source position.
    """
    el = etree.Element(q(tag), nsmap=NSMAP)
    for key, value in attrs.items():
        if value is not None:
            el.set(key.rstrip("_").replace("_", "-"), str(value))
    if line is not None:
        el.set(LINE, str(line))
    if where is not None:
        el.set(WHERE, where)
    append(el, *children)
    return el


def append(el: etree._Element, *children) -> etree._Element:
    """Append elements and strings (as text) to ``el``, keeping mixed content right."""
    for child in children:
        if child is None:
            continue
        if isinstance(child, str):
            add_text(el, child)
        else:
            el.append(child)
    return el


def add_text(el: etree._Element, text: str | None) -> None:
    """Append ``text`` at the end of ``el``'s content: its last child's tail, or its text.

    The one mixed-content text appender, for the intermediate and for the
    writers' XHTML and JATS trees alike.
    """
    if not text:
        return
    last = next(reversed(el), None)  # not len(el): lxml counts children one by one (quadratic in long paragraphs)
    if last is not None:
        last.tail = (last.tail or "") + text
    else:
        el.text = (el.text or "") + text


def affiliations_of(author: etree._Element) -> list[str]:
    """An author's affiliations as printed lines: "Institution, City, Country" for each ``aff`` its ``affs``
    names (``meta/affiliations``), then any older ``affiliation`` text."""
    meta = next((a for a in author.iterancestors() if a.tag == q("meta")), None)
    out = []
    for aff_id in (author.get("affs") or "").split():
        aff = meta.find(f"{q('affiliations')}/{q('aff')}[@id='{aff_id}']") if meta is not None else None
        if aff is not None:
            out.append(", ".join(" ".join((part.text or "").split()) for part in aff if (part.text or "").strip()))
    out += [" ".join((a.text or "").split()) for a in author.findall(q("affiliation")) if (a.text or "").strip()]
    return out


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


def unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content (text, children, tail) at its place in its parent."""
    parent = el.getparent()
    at = parent.index(el)
    previous = el.getprevious()
    moved = (el.text or "") + ("" if len(el) else (el.tail or ""))
    if previous is None:
        parent.text = (parent.text or "") + moved
    else:
        previous.tail = (previous.tail or "") + moved
    kids = list(el)
    if kids:
        kids[-1].tail = (kids[-1].tail or "") + (el.tail or "")
    for kid in kids:
        parent.insert(at, kid)
        at += 1
    parent.remove(el)


def text_of(el: etree._Element | None, *, notes: bool = False) -> str:
    """Plain text of an element, without footnotes unless ``notes`` is true."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if not (child.tag == q("note") and not notes):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def fold(s: str) -> str:
    """``s`` for comparing names: accents removed, lower case, outer spaces stripped."""
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower().strip()


def children(el: etree._Element, tag: str | None = None) -> Iterator[etree._Element]:
    """Element children of ``el`` (comments skipped), optionally of one local name."""
    for child in el:
        if isinstance(child.tag, str) and (tag is None or child.tag == q(tag)):
            yield child


def source_pos(el: etree._Element, path: str | None = None) -> SourcePos:
    """Where ``el`` came from: the nearest ``src:line`` (or ``src:where``) on it or an ancestor.

    ``path`` defaults to the root's ``src:file``.
    """
    line = col = where = None
    node = el
    while node is not None:
        if node.get(LINE) is not None:
            line = int(node.get(LINE))
            col = int(node.get(COL)) if node.get(COL) else None
            break
        if node.get(WHERE) is not None:
            where = node.get(WHERE)
            break
        node = node.getparent()
    if path is None:
        path = el.getroottree().getroot().get(FILE) or "<document>"
    return SourcePos(path, line, col, where)


@dataclass
class Document:
    """A commentary in the canonical form.

    ``root`` is the ``document`` element; ``base_dir`` is the source's folder,
    the only place writers may read resources (images) from; ``path`` is the
    source as the user named it, for messages.
    """

    root: etree._Element
    path: str = "<document>"
    base_dir: Path = field(default_factory=Path.cwd)

    def find(self, path: str) -> etree._Element | None:
        """``find`` with the ``p:`` prefix bound to the pubconv namespace."""
        return self.root.find(path, namespaces=XPATH_NS)

    def xpath(self, expr: str):
        return self.root.xpath(expr, namespaces=XPATH_NS)

    def pos(self, el: etree._Element) -> SourcePos:
        """The source position of ``el``, naming this document's source file."""
        return source_pos(el, self.path)

    @property
    def lang(self) -> str:
        return self.root.get(LANG) or "en"

    @property
    def title(self) -> str:
        return text_of(self.find("p:meta/p:title"))

    def to_bytes(self) -> bytes:
        return serialize(self.root)


# ---------------------------------------------------------------- resources

REMOTE_SCHEMES = ("http", "https", "ftp")


def resolve_resource(src: str, base: Path, pos: SourcePos | None, *, allow_remote: bool = False) -> Path | str:
    """The file inside ``base`` (or, with ``allow_remote``, the http(s) URL) that an image's ``src`` names.

    The one policy for every writer that reads resources: a remote URL, another
    scheme (``data:``, ``javascript:``), a path outside ``base`` (symbolic links
    resolved first) or a missing file raises :class:`PubconvError` with ``pos``
    and the codes ``remote-resource``, ``unsupported-resource``,
    ``outside-resource``, ``missing-resource``.  Messages name no absolute path.
    """
    src = src.strip()
    parts = urlsplit(src)
    scheme = parts.scheme.lower()
    if scheme in REMOTE_SCHEMES or src.startswith("//"):
        if allow_remote and scheme in ("http", "https"):
            return src
        raise PubconvError(f"image {src!r} is remote; pubconv uses only files beside the source "
                           "(download it next to the document)", pos, "remote-resource")
    if len(scheme) > 1 and scheme != "file":  # one letter is a Windows drive
        raise PubconvError(f"image {src!r} uses the unsupported scheme {scheme!r}", pos, "unsupported-resource")
    raw = url2pathname(parts.path) if scheme == "file" else unquote(parts.path)
    base = Path(base).resolve()
    try:
        resolved = (base / raw).resolve()  # an absolute raw path replaces base
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte, a name too long
        raise PubconvError(f"image {src!r} cannot be resolved", pos, "missing-resource") from None
    if not resolved.is_relative_to(base):
        raise PubconvError(f"image {src!r} is outside the source's folder; pubconv reads only files inside it",
                           pos, "outside-resource")
    try:
        found = resolved.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        raise PubconvError(f"image not found: {src}", pos, "missing-resource")
    return resolved


# ---------------------------------------------------------------- schema


@lru_cache(maxsize=1)
def _schema_doc() -> etree._ElementTree:
    data = resources.files("pubconv").joinpath("schema/pubconv.rng").read_bytes()
    return etree.ElementTree(etree.fromstring(data, _safe_parser()))


def schema() -> etree.RelaxNG:
    """A fresh RelaxNG validator (lxml validators keep state: one per caller)."""
    return etree.RelaxNG(_schema_doc())


def validate(doc: Document) -> None:
    """Check ``doc`` against the schema; raise at the first problem, with its source line."""
    rng = schema()
    if rng.validate(doc.root.getroottree()):
        return
    # The log gives a line of the XML text; a tree built in memory has none, so
    # validate its serialized form and find the element on the reported line.
    reparsed = etree.fromstring(serialize(doc.root), _safe_parser())
    rng = schema()
    rng.validate(reparsed.getroottree())
    err = rng.error_log[0]
    el = _element_on_line(reparsed, err.line)
    pos = doc.pos(el) if el is not None else SourcePos(doc.path)
    raise PubconvError(f"intermediate does not match the schema: {err.message}", pos, "schema")


def _element_on_line(root: etree._Element, line: int) -> etree._Element | None:
    best = None
    for el in root.iter():
        if isinstance(el.tag, str) and el.sourceline is not None and el.sourceline <= line:
            best = el
    return best


# ---------------------------------------------------------------- (de)serialization


def serialize(root: etree._Element) -> bytes:
    """The one byte form of the intermediate: UTF-8, indented block structure.

    Only whitespace between block elements is touched; mixed content is kept
    exactly, so that parse(serialize(x)) serializes to the same bytes.
    """
    copy = etree.fromstring(etree.tostring(root))
    _strip_layout(copy)
    indent(copy, _QUALIFIED_CONTAINERS)
    return etree.tostring(copy, xml_declaration=True, encoding="UTF-8") + b"\n"


def _strip_layout(el: etree._Element) -> None:
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if local(node) in BLOCK_CONTAINERS:
            if node.text is not None and not node.text.strip():
                node.text = None
            for child in node:
                if child.tail is not None and not child.tail.strip():
                    child.tail = None


def indent(el: etree._Element, element_only, depth: int = 0) -> None:
    """Indent the element-only parts of a tree for reading; mixed content is never touched.

    ``element_only`` is a set of tags (as they appear in ``el.tag``) whose content is
    elements and layout whitespace only; an element is indented only when it has no
    text of its own.  Shared by the intermediate's and the JATS writer's serializers.
    """
    if el.tag not in element_only or not len(el) or (el.text or "").strip() or any(
            (c.tail or "").strip() for c in el):
        return
    pad = "\n" + "  " * (depth + 1)
    el.text = pad
    for child in el:
        child.tail = pad
        indent(child, element_only, depth + 1)
    el[-1].tail = "\n" + "  " * depth


_QUALIFIED_CONTAINERS = frozenset(q(t) for t in BLOCK_CONTAINERS)


def safe_parser(**options) -> etree.XMLParser:
    """The one XML parser pubconv builds: no entity resolved, no DTD loaded, nothing fetched, no huge trees.

    For untrusted input (``.pubconv.xml`` sources, SVG images) and for pubconv's
    own markup alike; ``options`` adds lxml options (``remove_blank_text=True``).
    Make a new one per document: lxml's ``error_log`` accumulates across parses.
    (Validating JATS against its DTD is the one parser that loads a DTD:
    ``writers/jats/dtd.py``, reading only the DTDs shipped with pubconv.)
    """
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, **options)


def _safe_parser() -> etree.XMLParser:
    # The intermediate: comments and processing instructions are not content.
    return safe_parser(remove_comments=True, remove_pis=True)


def parse(data: bytes, path: str = "<document>", base_dir: Path | None = None) -> Document:
    """Read a ``.pubconv.xml`` source, refusing a DOCTYPE, entities and other namespaces."""
    pos = SourcePos(path)
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise PubconvError("a .pubconv.xml source may not have a DOCTYPE or entity declarations",
                           pos, "xml-doctype")
    parser = _safe_parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        raise PubconvError(f"not well-formed XML: {exc.msg}", SourcePos(path, line, col), "xml-syntax") from None
    if root.getroottree().docinfo.doctype:
        raise PubconvError("a .pubconv.xml source may not have a DOCTYPE", pos, "xml-doctype")
    if root.tag != q("document"):
        raise PubconvError(f"not a pubconv document: root element is {root.tag!r}", SourcePos(path, 1), "xml-root")
    rng = schema()
    if not rng.validate(root.getroottree()):  # positions are this file's own lines here
        err = rng.error_log[0]
        raise PubconvError(f"does not match the pubconv schema: {err.message}", SourcePos(path, err.line or None),
                           "schema")
    _strip_layout(root)
    return Document(root, path=path, base_dir=base_dir or Path(path).resolve().parent)


def new_document(lang: str = "en", *, src_file: str | None = None, form: str | None = None) -> etree._Element:
    """An empty ``document`` root for a reader to fill."""
    root = E("document", version="1")
    root.set(LANG, lang)
    if src_file:
        root.set(FILE, src_file)
    if form:
        root.set(FORM, form)
    return root


def output_stem(path: str | None) -> str | None:
    """The stem outputs are named after: ``c207.md`` -> ``c207``, ``x.pubconv.xml`` -> ``x``."""
    if not path:
        return None
    name = Path(path).name
    return name[: -len(".pubconv.xml")] if name.endswith(".pubconv.xml") else (Path(name).stem or name)

"""The Word form: a ``.docx`` package read straight into the intermediate.

``read(data, path, report, base_dir, lang)`` takes the file's bytes.  What it
reads, in order of precedence for the metadata (the first that gives a value wins):

1. a sidecar ``<stem>.yaml`` beside the document, with the authoring form's
   front-matter keys (see :mod:`pubconv.readers.authoring`);
2. the title page of the document: the first paragraphs styled Title, Subtitle,
   Author (or a ``By ...`` line), Date (or a paragraph that is only a date) and
   Abstract; a document with no Title paragraph whose first paragraph is the only
   heading of the top level takes that heading as its title;
3. ``docProps/core.xml``: title, creator, created, keywords, description, language;
4. ``pubconv.toml`` (applied later by the transform stage).

The body is read by :mod:`.body`; a heading named References or Bibliography
starts the reference list, one entry per paragraph or list item, its URL the
hyperlink at its end.  Embedded pictures are copied to a private temporary
folder, which becomes the document's ``base_dir`` and is removed with the
document.  See ``docs/docx.md``.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from pathlib import Path

from lxml import etree

from ...document import LANG, LINE, E, WHERE, Document, add_text, q, remove_keep_tail, text_of, unwrap
from ...errors import PubconvError, Report, SourcePos, warn
from .. import _common
from .._markdown import Body, _pop_trailing_url, is_reference_heading
from .body import BodyReader
from .styles import ParaRole
from .package import NS, Package

#: meta children in schema order
_META_ORDER = ("series", "title", "subtitle", "authors", "author-notes", "date", "doi", "publisher", "issn",
               "license", "keywords", "abstract")
#: a reference list headed by a plain paragraph ends at the next heading of any level
_PARAGRAPH_LEVEL = 99
# a separator only starts where a run of spaces starts (possessive runs): linear on any input
_SPLIT_AUTHORS = re.compile(r"(?<!\s)\s*+(?:,|;|&|\band\b)\s*+")


def sidecar(path: str | Path) -> Path | None:
    """The ``<stem>.yaml`` (or ``.yml``) beside a .docx, if there is one."""
    p = Path(path)
    for suffix in (".yaml", ".yml"):
        candidate = p.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def read(data: bytes, path: str, report: Report, base_dir: Path, lang: str = "en") -> Document:
    """Read a .docx given as bytes; ``path`` names it in messages."""
    pkg = Package(data, path, report)
    pkg.report_outside()
    media: list[Path] = []

    def media_dir() -> Path:
        if not media:
            media.append(Path(tempfile.mkdtemp(prefix="pubconv-docx-")))
        return media[0]

    try:
        reader = BodyReader(pkg, report, path, media_dir)
        flat = reader.body()
        doc = _build(pkg, reader, flat, path, report, base_dir, lang)
    except BaseException:
        if media:
            shutil.rmtree(media[0], ignore_errors=True)
        raise
    if media:
        doc.base_dir = media[0]
        weakref.finalize(doc, shutil.rmtree, str(media[0]), True)
    return doc


def _build(pkg: Package, reader: BodyReader, flat: list, path: str, report: Report, base_dir: Path,
           lang: str) -> Document:
    flat = _attach_captions(flat)
    front = reader.front
    if front.title is None:
        flat = _title_from_heading(flat, reader)
    if not front.abstract:
        flat = _abstract_section(flat, front)
    body = Body(blocks=[])
    ref_wheres: list[str | None] = []
    in_refs_level = None
    for block in flat:
        # a paragraph that is only "References:" (often bold) heads the list as a heading would
        plain_heading = (not isinstance(block, tuple) and block.tag == q("p") and body.references is None
                         and is_reference_heading(text_of(block)))
        if isinstance(block, tuple) or plain_heading:
            level, heading = (block[1], block[2]) if isinstance(block, tuple) else (_PARAGRAPH_LEVEL, block)
            if in_refs_level is not None and level <= in_refs_level:
                in_refs_level = None
            if in_refs_level is None and is_reference_heading(text_of(heading)) and body.references is None:
                in_refs_level = level
                body.references = E("references", E("heading", text_of(heading).strip().rstrip(":").strip()),
                                    where=heading.get(WHERE))
                continue
        if in_refs_level is not None and isinstance(block, tuple):
            warn(report, "reference-heading", f"the heading {text_of(block[2]).strip()!r} inside the reference "
                 "list is left out (the list has no subsections)", SourcePos(path, where=block[2].get(WHERE)))
        elif in_refs_level is not None:
            _entries(block, body.entries, ref_wheres, report, path)
        else:
            body.blocks.append(block)
    reader.report_all()
    meta, doc_lang = _meta(pkg, reader, path, report, lang)
    if meta.find(q("title")) is None or not text_of(meta.find(q("title"))).strip():
        raise PubconvError("the document has no title: give its first paragraph Word's Title style, or set "
                           f"'title:' in {Path(path).with_suffix('.yaml').name}", SourcePos(path, where="paragraph 1"),
                           "no-title")
    doc = _common.assemble(meta, body, path=path, src_file=Path(path).name, form="docx", lang=doc_lang,
                           report=report, base_dir=base_dir)
    _renumber_notes(doc.root)
    for ref, where in zip(doc.root.iter(q("ref")), ref_wheres):
        if where:
            ref.set(WHERE, where)
    for sec in doc.root.iter(q("section")):
        heading = sec.find(q("heading"))
        if heading is not None and heading.get(WHERE):
            sec.set(WHERE, heading.get(WHERE))
    _internal_links(doc, reader, report, path)
    return doc


#: "Table 1: ", "Figure 2. ", "Fig. 3 – " at the start of a caption
_CAPTION_LABEL = re.compile(r"^\s*(?:Table|Tab\.|Figure|Fig\.|Chart|Map|Graph)\s+\d{1,4}\s*[.:–—-]?\s+", re.I)


def _attach_captions(flat: list) -> list:
    """Caption paragraphs join the figure or table beside them (the one their words name first)."""
    out: list = []
    for i, block in enumerate(flat):
        if not (isinstance(block, tuple) and block[0] == "caption"):
            out.append(block)
            continue
        cap = block[2]
        words = text_of(cap).strip().lower()
        prev = out[-1] if out and not isinstance(out[-1], tuple) else None
        nxt = flat[i + 1] if i + 1 < len(flat) and not isinstance(flat[i + 1], tuple) else None
        candidates = [el for el in (prev, nxt) if el is not None and el.tag in (q("figure"), q("table"))
                      and el.find(q("caption")) is None]
        if words.startswith("tab"):
            candidates.sort(key=lambda el: el.tag != q("table"))
        elif words.startswith(("fig", "image", "picture", "chart", "map", "photo", "graph")):
            candidates.sort(key=lambda el: el.tag != q("figure"))
        if candidates:
            target = candidates[0]
            # Word's caption starts with its own label ("Table 1: ", a SEQ field's result); pubconv numbers
            # figures and tables itself and prints the label, so the typed one goes.
            caption = E("caption", _CAPTION_LABEL.sub("", cap.text or "", count=1) or None, *list(cap))
            if target.tag == q("table"):
                target.insert(0, caption)
            else:
                target.append(caption)
        else:
            cap.tag = q("p")
            out.append(cap)
    return out


def _title_from_heading(flat: list, reader: BodyReader) -> list:
    """No Title paragraph: a first paragraph that is the only heading of the top level is the title.

    The author, date and DOI lines right after it then belong to the title page too.
    """
    front = reader.front
    first = next((i for i, b in enumerate(flat)), None)
    if first is None or not isinstance(flat[first], tuple) or flat[first][0] != "heading":
        return flat
    levels = [b[1] for b in flat if isinstance(b, tuple) and b[0] == "heading"]
    top = flat[first][1]
    if top != min(levels) or levels.count(top) != 1 or len(levels) == 1 and len(flat) == 1:
        return flat
    heading = flat[first][2]
    heading.tag = q("title")
    front.title = heading
    rest = first + 1
    while rest < len(flat) and not isinstance(flat[rest], tuple) and flat[rest].tag == q("p") and reader._front(
            ParaRole(), flat[rest], flat[rest].get(WHERE)):
        rest += 1
    return flat[rest:]


def _abstract_section(flat: list, front) -> list:
    """A first heading (or a paragraph that is only the word) "Abstract": what follows it, to the next
    heading, is the abstract."""
    if not flat:
        return flat
    first = flat[0]
    el = first[2] if isinstance(first, tuple) else first
    if el.tag not in (q("heading"), q("p")) or text_of(el).strip().rstrip(":").strip().lower() != "abstract":
        return flat
    end = 1
    while end < len(flat) and not isinstance(flat[end], tuple):
        end += 1
    blocks = flat[1:end]
    if not blocks:
        return flat
    front.abstract = blocks
    return flat[end:]


_PLAIN_URL = re.compile(r"(?:^|\s)<?(https?://[^\s<>]+?)>?[.,;]?\s*$")


def _pop_plain_url(text: etree._Element) -> str | None:
    """A URL typed (not linked) at the end of an entry: the entry's URL, as a link there would be."""
    holder, attr = (text[-1], "tail") if len(text) else (text, "text")
    value = getattr(holder, attr) or ""
    m = _PLAIN_URL.search(value)
    if not m:
        return None
    setattr(holder, attr, value[: m.start()].rstrip() or None)
    return m.group(1)


def _entries(block, entries: list, wheres: list, report: Report, path: str) -> None:
    if isinstance(block, tuple):
        block = block[2]
    if block.tag == q("list"):
        for item in block.iter(q("item")):
            for child in item:
                if child.tag == q("p"):
                    _entries(child, entries, wheres, report, path)
        return
    if block.tag == q("quote"):
        for child in block:
            _entries(child, entries, wheres, report, path)
        return
    where = block.get(WHERE)
    if block.tag not in (q("p"), q("heading")):
        warn(report, "reference-shape", "a reference entry should be one paragraph; kept as text",
             SourcePos(path, where=where))
        text = E("text", " ".join(text_of(block).split()))
        entries.append((text, None, None))
        wheres.append(where)
        return
    text = E("text")
    text.text = block.text
    for child in list(block):
        if child.tag == q("note"):
            warn(report, "reference-note", "a note inside a reference entry is left out", SourcePos(path, where=where))
            add_text(text, child.tail)  # the text after the note follows what is taken so far
            continue
        text.append(child)
    url = _pop_trailing_url(text) or _pop_plain_url(text)
    if (text.text or len(text)) or url:
        entries.append((text, url, None))
        wheres.append(where)


# ---------------------------------------------------------------- metadata


def _core(pkg: Package) -> dict:
    rel = next((r for r in pkg.rels("").values() if r.kind == "core-properties" and not r.external), None)
    root = pkg.xml(rel.target if rel else "docProps/core.xml")
    if root is None:
        return {}
    found = {}
    for key, tag in (("title", "dc:title"), ("creator", "dc:creator"), ("created", "dcterms:created"),
                     ("keywords", "cp:keywords"), ("description", "dc:description"), ("language", "dc:language"),
                     ("subject", "dc:subject")):
        el = root.find(tag, NS)
        if el is not None and (el.text or "").strip():
            found[key] = " ".join(el.text.split())
    return found


def _meta(pkg: Package, reader: BodyReader, path: str, report: Report, lang: str) -> tuple[etree._Element, str]:
    core = _core(pkg)
    front = reader.front
    parts: dict[str, etree._Element] = {}
    if front.series is not None:
        label, number, where = front.series
        parts["series"] = E("series", E("label", label), E("number", number), where=where)
    if front.doi is not None:
        doi = _common.check_doi(front.doi[0], SourcePos(path, where=front.doi[1]), report)
        if doi:
            parts["doi"] = E("doi", doi, where=front.doi[1])
    if front.title is not None:
        parts["title"] = front.title
    elif core.get("title"):
        parts["title"] = E("title", core["title"], where="docProps/core.xml")
    if front.subtitle is not None:
        parts["subtitle"] = front.subtitle
    names = []  # (name, where, index of its author line)
    names_in_line = []  # each name's place in its line
    for index, (line, where) in enumerate(front.authors):
        for name in _names(line):
            if _is_name(name):
                names_in_line.append(sum(1 for n in names if n[2] == index))
                names.append((name, where, index))
            else:
                warn(report, "docx-author", f"{name!r} in the author line does not look like a name; left out "
                     "(give the authors in a sidecar .yaml to be exact)", SourcePos(path, where=where))
    if not names and core.get("creator"):
        names = [(n, "docProps/core.xml", None) for n in _SPLIT_AUTHORS.split(core["creator"]) if n.strip()]
        names_in_line = list(range(len(names)))
    notes = _author_notes(front)
    if names:
        authors = E("authors")
        for i, (name, where, index) in enumerate(names, 1):
            given, family = _common.split_name(name)
            own = [an.get("id") for an, owner in notes if owner == (index, names_in_line[i - 1])
                   or (owner is None and i == 1)]
            el = _common.author_element(i, given, family, None, notes=" ".join(own) or None)
            el.set(WHERE, where)
            authors.append(el)
        parts["authors"] = authors
    if notes:
        parts["author-notes"] = E("author-notes", *[an for an, _ in notes])
    date = None
    if front.date is not None:
        parsed = _common.parse_date(front.date[0])
        if parsed is None:
            warn(report, "bad-date", f"the date line {front.date[0]!r} is not a date; left out",
                 SourcePos(path, where=front.date[1]))
        else:
            date = E("date", iso=parsed[0], season=parsed[1], where=front.date[1])
    elif core.get("created") and re.match(r"^\d{4}-\d{2}-\d{2}", core["created"]):
        date = E("date", iso=core["created"][:10], where="docProps/core.xml")
    if date is not None:
        parts["date"] = date
    if core.get("keywords"):
        kws = [k.strip() for k in re.split(r"[;,]", core["keywords"]) if k.strip()]
        if kws:
            parts["keywords"] = E("keywords", *[E("keyword", k) for k in kws])
            parts["keywords"].set(_CORE, "1")
    if front.abstract:
        parts["abstract"] = E("abstract", *front.abstract, where=front.abstract[0].get(WHERE))
    elif core.get("description"):
        parts["abstract"] = E("abstract", E("p", core["description"]), where="docProps/core.xml")
    doc_lang = core.get("language") or lang
    side = sidecar(path)
    if side is not None:
        side_meta, side_lang = _sidecar_meta(side, report)
        for child in side_meta:
            name = etree.QName(child).localname
            parts[name] = child
            if name == "authors" and "author-notes" in parts:
                parts.pop("author-notes")
                warn(report, "docx-author-notes", "the sidecar gives the authors, so the notes on the authors "
                     "in the document are left out (give them as 'note:' in the sidecar)", SourcePos(str(side)))
        doc_lang = side_lang or doc_lang
    from_core = [name for name, el in parts.items() if _from_core(el)]
    if from_core:
        listed = " and ".join([", ".join(from_core[:-1]), from_core[-1]] if len(from_core) > 1 else from_core)
        warn(report, "docx-core-metadata", f"the {listed} come{'s' if len(from_core) == 1 else ''} "
             "from the file's properties (docProps/core.xml), which Word often fills in by itself; check "
             f"{'it' if len(from_core) == 1 else 'them'}, or give {'it' if len(from_core) == 1 else 'them'} in the "
             f"document or in {Path(path).with_suffix('.yaml').name}", SourcePos(path, where="docProps/core.xml"))
    meta = E("meta")
    for name in _META_ORDER:
        if name in parts:
            meta.append(parts[name])
    return meta, doc_lang


def _author_notes(front) -> list[tuple[etree._Element, tuple[int, int] | None]]:
    """Notes called in the title, subtitle, author and date lines become notes on the authors (``*``, ``**``).

    Returns ``(author-note, owner)``: owner is (author line, name in that line) for a note called after a
    name, None for the others, which belong to the first author.
    """
    found: list[tuple[etree._Element, int | None, str, str]] = []
    for el in (front.title, front.subtitle):
        if el is not None:
            found += [(n, None, el.get(WHERE), "") for n in el.iter(q("note"))]
    found += front.notes
    out = []
    for i, (note, line, where, before) in enumerate(found, 1):
        if note.getparent() is not None:
            remove_keep_tail(note)
        blocks = [b for b in note if isinstance(b.tag, str)]
        owner = None
        if line is not None:
            owner = (line, max(0, sum(1 for n in _names(before) if _is_name(n)) - 1))
        out.append((E("author-note", *blocks, id=f"an-{i}", symbol="*" * i, where=where), owner))
    return out


def _renumber_notes(root: etree._Element) -> None:
    """Number the notes 1..N again (notes moved to the authors leave gaps), positions included."""
    for i, note in enumerate(root.iter(q("note")), 1):
        old = note.get("n")
        if old == str(i):
            continue
        note.set("n", str(i))
        note.set("id", f"fn-{i}")
        for el in note.iter():
            where = el.get(WHERE) or ""
            if where == f"note {old}" or where.startswith(f"note {old},"):
                el.set(WHERE, f"note {i}" + where[len(f"note {old}"):])


#: marks (until the meta is assembled) an element that has no position but came from docProps/core.xml
_CORE = "_from-core"


def _from_core(el: etree._Element) -> bool:
    if el.attrib.pop(_CORE, None) is not None:
        return True
    first = el if el.get(WHERE) else next((c for c in el if c.get(WHERE)), el)
    return first.get(WHERE) == "docProps/core.xml"


def _names(line: str) -> list[str]:
    line = re.sub(r"^by\s+", "", line.strip(), flags=re.I)
    return [n.strip() for n in _SPLIT_AUTHORS.split(line) if n.strip()]


def _is_name(text: str) -> bool:
    """A person's name: up to six words, each capitalised or a particle (van, de, al...)."""
    words = text.split()
    return 0 < len(words) <= 6 and all(
        w_[0].isupper() or w_.lower() in _common._PARTICLES or w_[0] in "(’'" for w_ in words)


def _sidecar_meta(side: Path, report: Report) -> tuple[etree._Element, str | None]:
    """The metadata a ``<stem>.yaml`` gives, read by the authoring form's own front-matter code."""
    from .. import authoring, decode

    text = decode(side.read_bytes(), str(side))
    m = authoring.FRONT_MATTER.match(text)  # a sidecar written with '---' lines, as front matter
    shift = 1
    if m:
        text, shift = m.group(1) or "", 0
    try:
        data = authoring._load_yaml(text, str(side))
        placeholder = "title" not in data
        body = text if text.endswith("\n") or not text else text + "\n"
        if placeholder:  # the sidecar may give only some keys; authoring.read wants a title
            body += "title: \"-\"\n"
        doc = authoring.read(f"---\n{body}---\n", str(side), report, side.parent)
    except PubconvError as exc:  # its lines count the '---' line the sidecar does not have
        if exc.pos is not None and exc.pos.line and shift:
            exc.pos = SourcePos(exc.pos.path, max(1, exc.pos.line - shift), exc.pos.column)
        raise
    meta = doc.root.find(q("meta"))
    if placeholder:
        meta.remove(meta.find(q("title")))
    for el in meta.iter():
        line = el.attrib.pop(LINE, None)
        if line is not None:
            el.set(WHERE, f"{side.name} line {int(line) - shift}")
    lang = doc.root.get(LANG) if ("lang" in data or "language" in data) \
        else None
    return meta, lang


def _internal_links(doc: Document, reader: BodyReader, report: Report, path: str) -> None:
    """``#bookmark`` links point at the section, figure, table or note holding the bookmark."""
    lost = []
    for link in doc.root.iter(q("link")):
        href = link.get("href", "")
        if not href.startswith("#"):
            continue
        target = reader.bookmarks.get(href[1:])
        ident = None
        node = target
        while node is not None and ident is None:
            tag = node.tag
            if tag in (q("figure"), q("table"), q("note"), q("section")):
                ident = node.get("id")
            elif tag == q("heading") and node.getparent() is not None and node.getparent().tag == q("section"):
                ident = node.getparent().get("id")
            node = node.getparent()
        if ident:
            link.set("href", "#" + ident)
        else:
            lost.append(link)
    first = doc.pos(lost[0]) if lost else None
    for link in lost:
        unwrap(link)
    if lost:
        warn(report, "docx-internal-link", f"{len(lost)} link(s) inside the document point at no heading, figure, "
             "table or note; kept as text", first)



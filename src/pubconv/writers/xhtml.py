"""One XHTML rendering of the intermediate, shared by the PDF and EPUB writers.

Translate once, package twice (Sphinx's EPUB builder subclasses its HTML
builder; Pandoc's EPUB writer calls its HTML writer).  :func:`render` returns a
complete, well-formed XHTML5 document (polyglot: it parses as XML and as HTML)
for the whole commentary; the two targets differ only where the medium does:

``target="pdf"``
    no stylesheet link (the PDF writer hands WeasyPrint its CSS itself); each
    footnote body sits inline at its call, as ``<span class="footnote"
    id="fn-N">`` holding one ``<span class="fn-p">`` per paragraph, for
    ``float: footnote`` (a ``p`` may not hold a ``p``, and an HTML parser would
    close the outer one).
``target="epub"``
    ``<link rel="stylesheet" href="epub.css"/>``; each footnote body is an
    ``<aside id="fn-N" class="footnote" epub:type="footnote"
    role="doc-footnote">`` placed after the top-level block that calls it.

Both: note calls are ``<a class="fn-call" id="fnref-N" href="#fn-N"
epub:type="noteref" role="doc-noteref">N</a>`` (no ``sup`` inside the link: it
breaks iBooks pop-ups; CSS raises the number); citations are ``<a
class="citation" href="#ref-ID" role="doc-biblioref">``; the reference list is
``<section id="references" role="doc-bibliography">`` with entries
``id=<ref id>``.

The body is built as an lxml tree (so every piece of text is escaped by the
serializer) and the page shell and title page come from the theme's Jinja2
templates (``document.xhtml.j2``, ``titlepage.xhtml.j2``) with autoescape on;
user text is only ever a template *value*, never template source.  An element
of the intermediate this module does not know raises :class:`PubconvError`
naming it and its source line, like docutils' ``unknown_visit``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Literal
from urllib.parse import urlsplit

from lxml import etree
from markupsafe import Markup

from .. import theme
from ..document import Document, children, local, text_of
from ..errors import PubconvError, Report, warn
from . import WriteOptions

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS}}}type"
Target = Literal["pdf", "epub"]

#: HTML elements that are written ``<br/>``; every other empty element gets an
#: end tag, since an HTML parser (WeasyPrint's) reads ``<td/>`` as an open tag.
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())

#: Link schemes that may become live links; anything else (``javascript:``,
#: ``data:``, ``vbscript:``...) is printed as text with a warning.
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "ftps", "tel"})

_DOI_RESOLVER = "https://doi.org/"
_ORCID_RESOLVER = "https://orcid.org/"

# ---------------------------------------------------------------- localization

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}
_SEASONS = {
    "en": {"Spring": "Spring", "Summer": "Summer", "Autumn": "Autumn", "Winter": "Winter"},
    "fr": {"Spring": "Printemps", "Summer": "Été", "Autumn": "Automne", "Winter": "Hiver"},
    "de": {"Spring": "Frühjahr", "Summer": "Sommer", "Autumn": "Herbst", "Winter": "Winter"},
    "es": {"Spring": "Primavera", "Summer": "Verano", "Autumn": "Otoño", "Winter": "Invierno"},
    "it": {"Spring": "Primavera", "Summer": "Estate", "Autumn": "Autunno", "Winter": "Inverno"},
    "pt": {"Spring": "Primavera", "Summer": "Verão", "Autumn": "Outono", "Winter": "Inverno"},
    "nl": {"Spring": "Voorjaar", "Summer": "Zomer", "Autumn": "Herfst", "Winter": "Winter"},
}
# day, month name, year -> text
_DATE_PATTERNS: dict[str, Callable[[int, str, int], str]] = {
    "en": lambda d, m, y: f"{d} {m} {y}",
    "fr": lambda d, m, y: f"{'1er' if d == 1 else d} {m} {y}",
    "de": lambda d, m, y: f"{d}. {m} {y}",
    "es": lambda d, m, y: f"{d} de {m} de {y}",
    "it": lambda d, m, y: f"{d} {m} {y}",
    "pt": lambda d, m, y: f"{d} de {m} de {y}",
    "nl": lambda d, m, y: f"{d} {m} {y}",
}
_LABELS = {
    "en": {"abstract": "Abstract", "keywords": "Keywords", "notes": "Notes", "and": "and"},
    "fr": {"abstract": "Résumé", "keywords": "Mots-clés", "notes": "Notes", "and": "et"},
    "de": {"abstract": "Zusammenfassung", "keywords": "Schlagwörter", "notes": "Anmerkungen", "and": "und"},
    "es": {"abstract": "Resumen", "keywords": "Palabras clave", "notes": "Notas", "and": "y"},
    "it": {"abstract": "Sommario", "keywords": "Parole chiave", "notes": "Note", "and": "e"},
    "pt": {"abstract": "Resumo", "keywords": "Palavras-chave", "notes": "Notas", "and": "e"},
    "nl": {"abstract": "Samenvatting", "keywords": "Trefwoorden", "notes": "Noten", "and": "en"},
}


def _base_lang(lang: str) -> str:
    base = lang.split("-")[0].lower()
    return base if base in _MONTHS else "en"


def format_date(iso: str, season: str | None, lang: str) -> str:
    """A date as readers of ``lang`` write it: ``3 March 2021``, ``Spring 2021``, ``2021``.

    ``iso`` has the precision the source gave (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``);
    languages without a table fall back to English names.
    """
    base = _base_lang(lang)
    parts = [int(p) for p in iso.split("-")]
    year = parts[0]
    if season:
        return f"{_SEASONS[base][season]} {year}"
    if len(parts) == 1:
        return str(year)
    month = _MONTHS[base].split()[parts[1] - 1]
    if len(parts) == 2:
        return f"{month[0].upper() + month[1:] if base != 'en' else month} {year}"
    return _DATE_PATTERNS[base](parts[2], month, year)


def label(key: str, lang: str) -> str:
    """A fixed word of the layout (``abstract``, ``keywords``...) in ``lang``."""
    return _LABELS[_base_lang(lang)][key]


def short_title(title: str, limit: int = 60) -> str:
    """A running-header title: the main title before a colon, cut at a word if still long."""
    title = " ".join(title.split())
    if len(title) > limit and ":" in title:
        title = title.split(":", 1)[0].strip()
    if len(title) > limit:
        cut = title[:limit].rsplit(" ", 1)[0].rstrip(",;:–—- ")
        title = cut + "…"
    return title


def safe_href(href: str) -> bool:
    """Whether ``href`` may become a live link: a safe scheme, a fragment or a relative path."""
    href = href.strip()
    if not href:
        return False
    # Browsers strip control characters and whitespace inside schemes ("java\tscript:").
    squeezed = re.sub(r"[\x00-\x20]", "", href)
    scheme = urlsplit(squeezed).scheme.lower()
    return scheme == "" or scheme in SAFE_SCHEMES


# ---------------------------------------------------------------- rendering


def render(doc: Document, options: WriteOptions, report: Report, *, target: Target) -> str:
    """A complete, well-formed XHTML5 document (polyglot: parses as XML) for the whole commentary."""
    if target not in ("pdf", "epub"):
        raise ValueError(f"unknown XHTML target: {target!r}")
    renderer = _Renderer(doc, report, target, logo=options.logo)
    context = renderer.context()
    env = theme.jinja_env(options.theme_dir)
    html = env.get_template("document.xhtml.j2").render(**context)
    try:
        etree.fromstring(html.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:  # a template (perhaps a user's override) wrote bad XHTML
        raise PubconvError(f"the XHTML templates produced malformed XML: {exc}", None, "template") from None
    return html


class _Renderer:
    """Walks the intermediate and builds XHTML elements (docutils' visitor shape)."""

    def __init__(self, doc: Document, report: Report, target: Target, logo: Path | None = None):
        self.doc = doc
        self.logo = logo
        self.report = report
        self.target = target
        self.lang = doc.lang
        self.pending_notes: list[etree._Element] = []  # EPUB asides waiting for their block to end
        self.in_note = False
        self.in_anchor = False
        self.deferred_calls: list[etree._Element] = []  # notes called inside a link
        levels = [int(s.get("level")) for s in doc.xpath("//p:section")]
        self.level_offset = 2 - min(levels) if levels else 0

    # -------------------------------------------------------- helpers

    def el(self, parent: etree._Element | None, tag: str, text: str | None = None, **attrs) -> etree._Element:
        name = f"{{{XHTML}}}{tag}"
        node = etree.Element(name) if parent is None else etree.SubElement(parent, name)
        for key, value in attrs.items():
            if value is None:
                continue
            if key == "epub_type":
                node.set(EPUB_TYPE, value)
            else:
                node.set(key.rstrip("_").replace("_", "-"), str(value))
        if text:
            node.text = text
        return node

    @staticmethod
    def add_text(parent: etree._Element, text: str | None) -> None:
        if not text:
            return
        last = next(reversed(parent), None)  # not len(): lxml counts children one by one (quadratic)
        if last is not None:
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def unknown(self, el: etree._Element, where: str) -> PubconvError:
        return PubconvError(f"the XHTML writer does not know the element <{local(el)}> ({where})",
                            self.doc.pos(el), "unknown-element")

    def fragment(self, build: Callable[[etree._Element], None], *, flush: bool = True) -> Markup:
        """Serialize what ``build`` puts into a scratch container, without the container.

        With ``flush`` the EPUB asides called inside go at the end of the
        fragment; inline fragments (a title) keep them pending instead.
        """
        box = etree.Element(f"{{{XHTML}}}div", nsmap={None: XHTML, "epub": OPS})
        build(box)
        if flush:
            self.flush_notes(box)
        _close_empty(box)
        _break_lines(box)
        if box.text is None and not len(box):
            return Markup("")
        xml = etree.tostring(box, encoding="unicode")
        head = f'<div xmlns="{XHTML}" xmlns:epub="{OPS}">'
        assert xml.startswith(head) and xml.endswith("</div>"), xml[:120]
        return Markup(xml[len(head):-len("</div>")])

    def inline_markup(self, el: etree._Element | None) -> Markup:
        if el is None:
            return Markup("")
        return self.fragment(lambda box: self.inline(el, box), flush=False)

    def blocks_markup(self, el: etree._Element | None) -> Markup:
        if el is None:
            return Markup("")
        return self.fragment(lambda box: self.blocks(el, box))

    # -------------------------------------------------------- context for the templates

    def context(self) -> dict:
        doc = self.doc
        meta = doc.find("p:meta")
        series = meta.find("p:series", namespaces=_P)
        series_label = _t(series, "p:label")
        series_number = _t(series, "p:number")
        running_head = " ".join(p for p in (series_label, series_number) if p)
        date = meta.find("p:date", namespaces=_P)
        authors = []
        author_notes = {}
        for note in meta.iterfind("p:author-notes/p:author-note", namespaces=_P):
            author_notes[note.get("id")] = {
                "id": note.get("id"),
                "symbol": note.get("symbol"),
                "body": self.fragment(lambda box, n=note: self.note_like(n, box, note.get("symbol"))),
            }
        for author in meta.iterfind("p:authors/p:author", namespaces=_P):
            given, family = _t(author, "p:name/p:given"), _t(author, "p:name/p:family")
            authors.append({
                "id": author.get("id"),
                "name": " ".join(p for p in (given, family) if p),
                "given": given,
                "family": family,
                "orcid": _t(author, "p:orcid"),
                "orcid_url": _ORCID_RESOLVER + _t(author, "p:orcid") if _t(author, "p:orcid") else "",
                "email": _t(author, "p:email"),
                "affiliations": [a.text or "" for a in author.iterfind("p:affiliation", namespaces=_P)],
                "notes": [author_notes[i] for i in (author.get("notes") or "").split() if i in author_notes],
                "bio": self.blocks_markup(author.find("p:bio", namespaces=_P)),
            })
        publisher = meta.find("p:publisher", namespaces=_P)
        license_el = meta.find("p:license", namespaces=_P)
        title = self.inline_markup(meta.find("p:title", namespaces=_P))
        subtitle = self.inline_markup(meta.find("p:subtitle", namespaces=_P))
        title_notes = self.fragment(self.flush_notes)  # EPUB asides called in the title
        doi = _t(meta, "p:doi")
        return {
            "target": self.target,
            "lang": self.lang,
            "title_text": " ".join(doc.title.split()),
            "short_title": short_title(doc.title),
            "running_head": running_head,
            "series": {"label": series_label, "number": series_number, "title": _t(series, "p:title")},
            "title": title,
            "subtitle": subtitle,
            "title_notes": title_notes,
            "subtitle_text": " ".join(text_of(meta.find("p:subtitle", namespaces=_P)).split()),
            "authors": authors,
            "author_notes": list(author_notes.values()),
            "date_iso": date.get("iso") if date is not None else "",
            "date_text": format_date(date.get("iso"), date.get("season"), self.lang) if date is not None else "",
            "doi": doi,
            "doi_url": _DOI_RESOLVER + doi if doi else "",
            "publisher": {"name": _t(publisher, "p:name"), "place": _t(publisher, "p:place")},
            # The PDF's fetcher serves the logo under a fixed URL (see writers/pdf/fetch.py).
            "logo": {"src": "file:///pubconv-logo/" + self.logo.name if self.target == "pdf" else str(self.logo),
                     "alt": _t(publisher, "p:name") or "Publisher’s logo"} if self.logo else None,
            "issns": [(i.get("format"), i.text) for i in meta.iterfind("p:issn", namespaces=_P)],
            "license": {"text": license_el.text if license_el is not None else "",
                        "href": license_el.get("href", "") if license_el is not None
                        and safe_href(license_el.get("href", "")) else ""},
            "keywords": [k.text for k in meta.iterfind("p:keywords/p:keyword", namespaces=_P)],
            "abstract": self.blocks_markup(meta.find("p:abstract", namespaces=_P)),
            "labels": _LABELS[_base_lang(self.lang)],
            "body": self.fragment(lambda box: self.body(doc.find("p:body"), box)),
            "references": self.fragment(lambda box: self.references(doc.find("p:references"), box)),
        }

    # -------------------------------------------------------- body and blocks

    def body(self, body: etree._Element, parent: etree._Element) -> None:
        for child in children(body):
            if local(child) == "section":
                self.section(child, parent)
            else:
                self.block(child, parent)
                self.flush_notes(parent)

    def section(self, sec: etree._Element, parent: etree._Element) -> None:
        out = self.el(parent, "section", id=sec.get("id"))
        level = min(6, int(sec.get("level")) + self.level_offset)
        out.set("class", f"level{level}")
        for child in children(sec):
            name = local(child)
            if name == "heading":
                self.inline(child, self.el(out, f"h{level}"))
                self.flush_notes(out)
            elif name == "section":
                self.section(child, out)
            else:
                self.block(child, out)
                self.flush_notes(out)

    def blocks(self, container: etree._Element, parent: etree._Element) -> None:
        for child in children(container):
            self.block(child, parent)

    def block(self, el: etree._Element, parent: etree._Element) -> None:
        name = local(el)
        if name == "p":
            self.inline(el, self.el(parent, "p"))
        elif name == "quote":
            self.blocks(el, self.el(parent, "blockquote"))
        elif name == "list":
            ordered = el.get("type") == "ordered"
            out = self.el(parent, "ol" if ordered else "ul", start=el.get("start") if ordered else None)
            for item in children(el):
                if local(item) != "item":
                    raise self.unknown(item, "in a list")
                self.blocks(item, self.el(out, "li"))
        elif name == "codeblock":
            pre = self.el(parent, "pre")
            lang = el.get("language")
            self.el(pre, "code", el.text or "", class_=f"language-{lang}" if lang else None)
        elif name == "figure":
            self.figure(el, parent)
        elif name == "table":
            self.table(el, parent)
        elif name == "hr":
            self.el(parent, "hr")
        else:
            raise self.unknown(el, "as a block")

    def figure(self, el: etree._Element, parent: etree._Element) -> None:
        out = self.el(parent, "figure", id=el.get("id"))
        for child in children(el):
            name = local(child)
            if name == "image":
                self.el(out, "img", src=child.get("src"), alt=child.get("alt", ""))
            elif name == "caption":
                self.inline(child, self.el(out, "figcaption"))
            else:
                raise self.unknown(child, "in a figure")

    def table(self, el: etree._Element, parent: etree._Element) -> None:
        out = self.el(parent, "table", id=el.get("id"))
        for child in children(el):
            name = local(child)
            if name == "caption":
                self.inline(child, self.el(out, "caption"))
            elif name in ("thead", "tbody"):
                group = self.el(out, name)
                for row in children(child):
                    if local(row) != "row":
                        raise self.unknown(row, f"in a {name}")
                    tr = self.el(group, "tr")
                    for cell in children(row):
                        if local(cell) != "cell":
                            raise self.unknown(cell, "in a table row")
                        align = cell.get("align")
                        td = self.el(tr, "th" if name == "thead" else "td",
                                     scope="col" if name == "thead" else None,
                                     style=f"text-align: {align}" if align else None)
                        self.inline(cell, td)
            else:
                raise self.unknown(child, "in a table")

    # -------------------------------------------------------- inline

    def inline(self, el: etree._Element, out: etree._Element) -> None:
        """Render the mixed content of ``el`` into ``out``."""
        self.add_text(out, el.text)
        for child in el:
            if isinstance(child.tag, str):
                self.inline_element(child, out)
            self.add_text(out, child.tail)

    def inline_element(self, el: etree._Element, out: etree._Element) -> None:
        name = local(el)
        if name in ("em", "strong", "sub", "sup"):
            self.inline(el, self.el(out, name))
        elif name == "code":
            self.el(out, "code", el.text or "")
        elif name == "br":
            self.el(out, "br")
        elif name in ("link", "cite"):
            self.anchor(el, out)
        elif name == "note":
            if self.in_anchor:
                # An <a> may not hold the note call's <a>: call it right after the link.
                self.deferred_calls.append(el)
            else:
                self.note(el, out)
        else:
            raise self.unknown(el, "in running text")

    def anchor(self, el: etree._Element, out: etree._Element) -> None:
        if el.tag.endswith("}link"):
            href = el.get("href", "").strip()
            attrs = {"href": href} if safe_href(href) else None
            if attrs is None:
                warn(self.report, "unsafe-link", f"link target {href!r} is not allowed; printed as text",
                     self.doc.pos(el))
            elif not href.startswith("#") and not urlsplit(href).scheme:
                # A relative file link cannot work in a published PDF or EPUB (and in a PDF it
                # would become a file:// link to the build machine): keep the text, drop the link.
                warn(self.report, "local-link", f"link to the local file {href!r} cannot work in a published "
                     "PDF or EPUB; its text is kept without the link", self.doc.pos(el))
                attrs = None
        else:
            attrs = {"class_": "citation", "href": f"#{el.get('ref')}", "role": "doc-biblioref"}
        if self.in_anchor or attrs is None:
            # Nested anchors are invalid HTML: keep the text, drop the inner link.
            self.inline(el, self.el(out, "span", class_="citation" if "class_" in (attrs or {}) else None))
            return
        self.in_anchor = True
        try:
            self.inline(el, self.el(out, "a", **attrs))
        finally:
            self.in_anchor = False
        deferred, self.deferred_calls = self.deferred_calls, []
        for note in deferred:
            self.note(note, out)

    # -------------------------------------------------------- notes

    def note(self, el: etree._Element, out: etree._Element) -> None:
        n = el.get("n")
        if self.in_note:
            if self.target == "pdf":
                raise PubconvError(f"footnote {n} is inside another footnote; the PDF writer cannot place it",
                                   self.doc.pos(el), "nested-note")
        self.el(out, "a", n, class_="fn-call", id=f"fnref-{n}", href=f"#fn-{n}",
                epub_type="noteref", role="doc-noteref")
        if self.target == "pdf":
            span = self.el(out, "span", class_="footnote", id=f"fn-{n}", epub_type="footnote",
                           role="doc-footnote")
            scratch = self.el(None, "div")
            self.in_note = True
            try:
                self.note_like(el, scratch, n, backlink=f"#fnref-{n}")
            finally:
                self.in_note = False
            _inline_blocks(scratch)
            span.text = scratch.text
            span.extend(list(scratch))
        else:
            aside = self.el(None, "aside", id=f"fn-{n}", class_="footnote", epub_type="footnote",
                            role="doc-footnote")
            self.pending_notes.append(aside)
            outer = self.in_note
            self.in_note = True
            try:
                self.note_like(el, aside, n, backlink=f"#fnref-{n}")
            finally:
                self.in_note = outer

    def note_like(self, el: etree._Element, out: etree._Element, mark: str | None,
                  backlink: str | None = None) -> None:
        """A note's blocks with its number (or symbol) at the start of the first paragraph."""
        self.blocks(el, out)
        if not mark:
            return
        first = out[0] if len(out) and out[0].tag == f"{{{XHTML}}}p" else None
        if first is None:
            first = self.el(None, "p")
            out.insert(0, first)
        if backlink:
            link = self.el(None, "a", mark, class_="fn-back", href=backlink, role="doc-backlink")
        else:
            link = self.el(None, "span", mark, class_="fn-back")
        link.tail = (" " + first.text) if first.text else " "
        first.text = None
        first.insert(0, link)

    def flush_notes(self, parent: etree._Element) -> None:
        """Place the EPUB asides collected in the block just finished (nested ones after their note)."""
        while self.pending_notes:
            pending, self.pending_notes = self.pending_notes, []
            parent.extend(pending)

    # -------------------------------------------------------- references

    def references(self, refs: etree._Element | None, parent: etree._Element) -> None:
        if refs is None:
            return
        out = self.el(parent, "section", id="references", class_="references", role="doc-bibliography",
                      epub_type="bibliography")
        self.inline(refs.find("p:heading", namespaces=_P), self.el(out, "h2"))
        ul = self.el(out, "ul", class_="references")
        for ref in children(refs, "ref"):
            li = self.el(ul, "li", id=ref.get("id"), epub_type="biblioentry")
            text = ref.find("p:text", namespaces=_P)
            self.inline(text, li)
            printed = text_of(text)
            url, doi = _t(ref, "p:url"), _t(ref, "p:doi")
            doi_url = _DOI_RESOLVER + doi if doi else ""
            for link in (doi_url, url):
                if not link:
                    continue
                if link in printed:
                    _linkify(li, link, self)
                elif safe_href(link):
                    self.add_text(li, " ")
                    self.el(li, "a", link, href=link, class_="url")
        for child in children(refs):
            if local(child) not in ("heading", "ref"):
                raise self.unknown(child, "in the references")
        self.flush_notes(out)


_P = {"p": "https://pubconv.org/ns/document/1"}


def _t(el: etree._Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path, namespaces=_P)
    return (found.text or "").strip() if found is not None else ""


def _linkify(li: etree._Element, url: str, renderer: _Renderer) -> None:
    """Turn the first plain-text occurrence of ``url`` in ``li`` (outside any link) into a link."""
    if not safe_href(url):
        return
    anchor = f"{{{XHTML}}}a"

    def inside_a(node: etree._Element) -> bool:
        return node.tag == anchor or any(a.tag == anchor for a in node.iterancestors())

    for node in li.iter():
        slots = []
        if not inside_a(node):
            slots.append("text")
        if node is not li and not inside_a(node.getparent()):
            slots.append("tail")
        for slot in slots:
            value = getattr(node, slot)
            if not value or url not in value:
                continue
            before, after = value.split(url, 1)
            link = renderer.el(None, "a", url, href=url, class_="url")
            link.tail = after
            setattr(node, slot, before)
            if slot == "text":
                node.insert(0, link)
            else:
                parent = node.getparent()
                parent.insert(parent.index(node) + 1, link)
            return


#: Block elements inside a PDF footnote become spans with these classes,
#: since the note itself sits inside a paragraph.
_FN_CLASSES = {"p": "fn-p", "blockquote": "fn-quote", "ul": "fn-ul", "ol": "fn-ol", "li": "fn-li",
               "pre": "fn-pre", "figure": "fn-figure", "figcaption": "fn-caption", "table": "fn-table",
               "caption": "fn-caption", "thead": "fn-thead", "tbody": "fn-tbody", "tr": "fn-tr",
               "th": "fn-th", "td": "fn-td", "hr": "fn-hr", "section": "fn-section"}


def _inline_blocks(root: etree._Element) -> None:
    for node in list(root.iter()):
        if node is root or not isinstance(node.tag, str):
            continue
        name = etree.QName(node).localname
        if name in ("ol", "ul"):
            # A span list has no list markers: write them out.
            start = int(node.get("start", "1"))
            for i, li in enumerate(c for c in node if etree.QName(c).localname == "li"):
                marker = etree.Element(f"{{{XHTML}}}span")
                marker.set("class", "fn-marker")
                marker.text = f"{start + i}." if name == "ol" else "•"
                marker.tail = " "
                target = li[0] if len(li) and etree.QName(li[0]).localname == "p" else li
                marker.tail += target.text or ""
                target.text = None
                target.insert(0, marker)
            node.attrib.pop("start", None)
        if name in _FN_CLASSES:
            node.tag = f"{{{XHTML}}}span"
            node.set("class", " ".join(filter(None, (_FN_CLASSES[name], node.get("class")))))
            node.attrib.pop("scope", None)
        if name == "hr":
            node.text = ""


def _close_empty(root: etree._Element) -> None:
    for node in root.iter():
        if isinstance(node.tag, str) and node.text is None and not len(node):
            if etree.QName(node).localname not in VOID:
                node.text = ""


_BLOCKS = frozenset("section p blockquote ol ul li pre figure table thead tbody tr aside hr h2 h3 h4 h5 h6".split())


def _break_lines(root: etree._Element) -> None:
    """A newline after each block in a block container, so the XHTML reads (and diffs) by line."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node).localname
        parent = node.getparent()
        if name in _BLOCKS and node.tail is None and (
                parent is root or etree.QName(parent).localname in ("section", "blockquote", "ol", "ul", "aside",
                                                                    "table", "thead", "tbody", "figure", "li")):
            if not (etree.QName(parent).localname == "li" and len(parent) == 1):
                node.tail = "\n"

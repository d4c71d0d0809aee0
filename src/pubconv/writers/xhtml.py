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

Both targets get the language's quotation marks (``typography.smarten``); the
PDF also gets the typesetter's line-breaking rules (``print_rules``: calls
glued to their word, URL break points, reference entries' first words, RTL
blocks).  The imprint (series line, publisher, DOI, ISSN, rights, citation) is
``imprint.imprint(doc)``, in the templates' context as ``imprint``.

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
from urllib.parse import unquote, urlsplit

from lxml import etree
from markupsafe import Markup

from .. import languages, theme
from ..document import LANG, NS, Document, add_text, children, local, q, safe_parser, text_of
from ..errors import PubconvError, Report, warn
from ..namespaces import OPS, XHTML
from . import WriteOptions, imprint, print_rules, typography

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
# The tables are in languages.py; these names stay for the templates and the writers.

format_date = languages.format_date
label = languages.label


def source_citation(source: etree._Element | None, lang: str) -> str:
    """Where the piece appeared, in a language-neutral citation form: ``Journal 52(3) (Autumn 2022): 12–20``."""
    if source is None:
        return ""

    def t(tag: str) -> str:
        el = source.find(f"p:{tag}", namespaces=_P)
        return " ".join((el.text or "").split()) if el is not None else ""

    out = t("journal")
    if t("volume"):
        out += f" {t('volume')}"
    if t("issue"):
        out += f"({t('issue')})" if t("volume") else f" ({t('issue')})"
    date = source.find("p:date", namespaces=_P)
    if date is not None:
        out += f" ({format_date(date.get('iso'), date.get('season'), lang)})"
    pages = "–".join(p for p in (t("fpage"), t("lpage")) if p) or t("elocation")
    if pages:
        out += f": {pages}"
    return out.strip()


#: Words a running head may not end on (it would read as cut mid-phrase: "...the U.S. and the...").
_DANGLING = frozenset("""a an and as at by for from in into of on or the to with its their his her our
    versus vs between about under over than that which who whose
    und der die das den dem des ein eine für mit von zu im am auf aus bei
    et le la les un une des du de pour avec sur dans en au aux""".split())


def short_title(title: str, limit: int = 60) -> str:
    """A running-header title: the main title before a colon, cut at a word if still long.

    A cut title ends on a word that closes a phrase: trailing articles,
    conjunctions and prepositions go with the cut, and an ellipsis marks it.
    """
    title = " ".join(title.split())
    if len(title) > limit and ":" in title:
        title = title.split(":", 1)[0].strip()
    if len(title) > limit:
        words = title[:limit + 1].split(" ")[:-1] if title[limit:limit + 1] != " " else title[:limit].split(" ")
        while len(words) > 1 and (words[-1].lower().strip(",;:–—-") in _DANGLING or not words[-1].strip(",;:–—-")):
            words.pop()
        title = " ".join(words).rstrip(",;:–—- ") + "…"
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
        etree.fromstring(html.encode("utf-8"), safe_parser())
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

    add_text = staticmethod(add_text)

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
        typography.smarten(box, self.lang)
        if self.target == "pdf":
            print_rules.apply(box)
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
            suffix = _t(author, "p:name/p:suffix")
            affs = [meta.find(f"p:affiliations/p:aff[@id='{i}']", namespaces=_P)
                    for i in (author.get("affs") or "").split()]
            authors.append({
                "id": author.get("id"),
                "name": " ".join(p for p in (given, family, suffix) if p),
                "aff_labels": [a.get("label") for a in affs if a is not None and a.get("label")],
                "given": given,
                "family": family,
                "orcid": _t(author, "p:orcid"),
                "orcid_url": _ORCID_RESOLVER + _t(author, "p:orcid") if _t(author, "p:orcid") else "",
                "email": _t(author, "p:email"),
                "affiliations": [a.text or "" for a in author.iterfind("p:affiliation", namespaces=_P)] +
                                [", ".join(x.text or "" for x in a) for a in affs if a is not None and not a.get("label")],
                "notes": [author_notes[i] for i in (author.get("notes") or "").split() if i in author_notes],
                "bio": self.blocks_markup(author.find("p:bio", namespaces=_P)),
            })
        publisher = meta.find("p:publisher", namespaces=_P)
        license_el = meta.find("p:license", namespaces=_P)
        title = self.inline_markup(meta.find("p:title", namespaces=_P))
        subtitle = self.inline_markup(meta.find("p:subtitle", namespaces=_P))
        translations = self.translations(meta)
        title_notes = self.fragment(self.flush_notes)  # EPUB asides called in the title
        doi = _t(meta, "p:doi")
        return {
            "target": self.target,
            "lang": self.lang,
            "title_text": " ".join(doc.title.split()),
            "short_title": typography.smarten_text(_t(meta, "p:short-title") or short_title(doc.title), "",
                                                   typography.quotes_for(self.lang)),
            "imprint": imprint.imprint(doc, format_date(date.get("iso"), date.get("season"), self.lang)
                                       if date is not None else ""),
            "running_head": running_head,
            "series": {"label": series_label, "number": series_number, "title": _t(series, "p:title")},
            "title": title,
            "subtitle": subtitle,
            "title_notes": title_notes,
            "translations": translations,
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
            "labels": languages.labels(self.lang),
            "source": source_citation(meta.find("p:source", namespaces=_P), self.lang),
            "numbered_affs": [{"label": a.get("label"), "text": ", ".join(x.text or "" for x in a)}
                              for a in meta.iterfind("p:affiliations/p:aff[@label]", namespaces=_P)],
            "body": self.fragment(lambda box: self.body(doc.find("p:body"), box)),
            "references": self.fragment(lambda box: self.references(doc.find("p:references"), box)),
        }

    def translations(self, meta: etree._Element) -> list[dict]:
        """The title and subtitle in other languages (``title-translations``), each set in its language.

        Quotes are made by the translation's language, and the template puts
        ``lang`` and ``xml:lang`` on it (the PDF's hyphenation, screen readers).
        """
        out = []
        for tr in meta.iterfind("p:translations/p:translation", namespaces=_P):
            lang, self.lang = self.lang, tr.get(LANG) or self.lang
            try:
                title = tr.find("p:title", namespaces=_P)
                out.append({"lang": self.lang, "title": self.inline_markup(title),
                            "subtitle": self.inline_markup(tr.find("p:subtitle", namespaces=_P)),
                            "sep": "" if text_of(title).rstrip()[-1:] in tuple("?!:.") else ":"})
            finally:
                self.lang = lang
        return out

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
        elif name == "deflist":
            out = self.el(parent, "dl")
            for child in children(el):
                if local(child) == "term":
                    self.inline(child, self.el(out, "dt"))
                else:
                    self.blocks(child, self.el(out, "dd"))
        else:
            raise self.unknown(el, "as a block")

    def float_label(self, el: etree._Element, caption_out: etree._Element, followed: bool = True) -> None:
        """"Figure 2." / "Table 1." at the start of a caption (numbered by the transform stage)."""
        if el.get("n"):
            word = languages.label("figure" if local(el) == "figure" else "table", self.doc.lang)
            label = self.el(caption_out, "span", f"{word} {el.get('n')}.", class_="label")
            label.tail = " " if followed else None

    def figure(self, el: etree._Element, parent: etree._Element) -> None:
        out = self.el(parent, "figure", id=el.get("id"))
        for child in children(el):
            name = local(child)
            if name == "image":
                self.el(out, "img", src=child.get("src"), alt=child.get("alt", ""))
            elif name == "caption":
                caption = self.el(out, "figcaption")
                self.float_label(el, caption)
                self.inline(child, caption)
            else:
                raise self.unknown(child, "in a figure")
        if el.get("n") and el.find(q("caption")) is None:
            self.float_label(el, self.el(out, "figcaption"), followed=False)

    def table(self, el: etree._Element, parent: etree._Element) -> None:
        out = self.el(parent, "table", id=el.get("id"))
        for child in children(el):
            name = local(child)
            if name == "caption":
                caption = self.el(out, "caption")
                self.float_label(el, caption)
                self.inline(child, caption)
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
        elif name == "strike":
            self.inline(el, self.el(out, "s"))
        elif name == "span":
            lang = el.get(LANG)
            span = self.el(out, "span", lang=lang)
            span.set(LANG, lang)
            self.inline(el, span)
        elif name == "xref":
            if self.in_anchor:
                self.inline(el, self.el(out, "span"))
            else:
                self.in_anchor = True
                try:
                    self.inline(el, self.el(out, "a", href=f"#{el.get('ref')}", class_=f"xref {el.get('type')}"))
                finally:
                    self.in_anchor = False
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
            if doi and url and _is_doi_link(url, doi):
                url = ""  # the URL is the DOI's own link: print the DOI once
            if doi_url and doi_url not in printed:
                # The DOI printed another way (doi:10..., dx.doi.org/10...): that text becomes the link.
                printed_doi = re.search(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*)?" + re.escape(doi), printed, re.I)
                if printed_doi:
                    _linkify(li, printed_doi.group(0), self, href=doi_url)
                    doi_url = ""
            for link in (doi_url, url):
                if not link:
                    continue
                if link in printed:
                    _linkify(li, link, self)
                elif safe_href(link):
                    self.add_text(li, " ")
                    self.el(li, "a", link, href=link, class_="url")
            if self.target == "pdf":
                print_rules.keep_first_words(li)
        for child in children(refs):
            if local(child) not in ("heading", "ref"):
                raise self.unknown(child, "in the references")
        self.flush_notes(out)


_P = {"p": NS}


def _t(el: etree._Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path, namespaces=_P)
    return (found.text or "").strip() if found is not None else ""


def _is_doi_link(url: str, doi: str) -> bool:
    """Whether ``url`` is a resolver link (doi.org, dx.doi.org) to ``doi``."""
    m = re.match(r"^https?://(?:dx\.)?doi\.org/(.+)$", url.strip(), re.I)
    return bool(m) and unquote(m.group(1)).lower() == doi.lower()


def _linkify(li: etree._Element, url: str, renderer: _Renderer, href: str | None = None) -> None:
    """Turn the first plain-text occurrence of ``url`` in ``li`` (outside any link) into a link to ``href``."""
    href = href or url
    if not safe_href(href):
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
            link = renderer.el(None, "a", url, href=href, class_="url")
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
               "th": "fn-th", "td": "fn-td", "hr": "fn-hr", "section": "fn-section", "dl": "fn-dl",
               "dt": "fn-dt", "dd": "fn-dd"}


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


_BLOCKS = frozenset("section p blockquote ol ul li pre figure table thead tbody tr aside hr h2 h3 h4 h5 h6 dl dt dd"
                    .split())


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

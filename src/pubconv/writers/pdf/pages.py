"""Where each page of the PDF begins, in words: what the EPUB's page list is made from.

:func:`print_pages` returns a :class:`PrintPages`: the words of the PDF as laid
out, in reading order, split into *streams* (``"main"``, the running text with
the title page, headings and note calls; ``"fn-N"``, the text of note *N*,
wherever its parts landed), and for each page the stream and the index of the
word it begins with.  A page begins with the first word of running text on it;
a page with no running text (only the rest of a note carried over) begins in
that note.  A word the PDF hyphenates across two pages counts as beginning on
the earlier page: a marker is never put inside a word.

Words are what the PDF shows, line by line (lines and blocks are separated by a
space; text that the stylesheet generates, such as list markers and the
``::footnote-call``, is left out), so the EPUB writer can align them with its own
text (``writers/epub/pagebreaks.py``).

The layout is the PDF writer's own (``notes.render_with_notes``, the same
repairs); it is read with :func:`from_rendered` when the build writes the PDF
(``pdf.write`` hands the layout to :func:`remember`) and made afresh, without
writing a PDF, when the EPUB is built alone.  Results are kept for a few
documents, keyed by the intermediate and the options that decide the layout,
so a build of both formats lays the document out once.  WeasyPrint is imported
only when a layout has to be made.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from lxml import etree

from ...document import Document
from ...errors import Collector, Report
from .. import WriteOptions

MAIN = "main"
_CACHE_SIZE = 8
_cache: "OrderedDict[str, PrintPages]" = OrderedDict()
_lock = threading.Lock()


@dataclass
class PrintPages:
    """The PDF's words by stream, and where each page begins (page *k* is ``starts[k - 1]``)."""

    words: dict[str, list[str]] = field(default_factory=dict)
    starts: list[tuple[str, int]] = field(default_factory=list)
    #: the first few words of each page as printed (for messages and tests)
    first_words: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.starts)


def _key(doc: Document, options: WriteOptions) -> str:
    h = hashlib.sha256(etree.tostring(doc.root, method="c14n"))
    for name in ("paper", "pdf_variant", "bleed", "crop_marks", "theme_dir", "allow_remote", "logo"):
        h.update(f"\0{name}={getattr(options, name)!r}".encode())
    return h.hexdigest()


def remember(doc: Document, options: WriteOptions, rendered) -> None:
    """Keep the pages of a layout the PDF writer made (called by ``pdf.write``)."""
    _store(_key(doc, options), from_rendered(rendered))


def _store(key: str, pages: "PrintPages") -> None:
    with _lock:
        _cache[key] = pages
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def print_pages(doc: Document, options: WriteOptions, report: Report | None = None) -> PrintPages:
    """The pages of ``doc``'s PDF: the layout of this build's PDF, or a new one (nothing is written).

    Warnings of the layout itself (notes moved) belong to the PDF and are not
    repeated here; an error of the layout (a note that cannot be set) raises
    :class:`~pubconv.errors.PubconvError` as it does for the PDF.
    """
    key = _key(doc, options)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    pages = from_rendered(layout(doc, options, Collector()))
    _store(key, pages)
    return pages


def layout(doc: Document, options: WriteOptions, report: Report):
    """WeasyPrint's rendered document for ``doc``, as ``pdf.write`` lays it out, without writing it."""
    from ... import theme
    from .. import xhtml as _xhtml
    from . import check_resources, page_style, pdf_variant
    from . import fetch as _fetch, notes as _notes  # these import WeasyPrint

    page_css = page_style(options)
    variant = pdf_variant(options)
    images = check_resources(doc, options)
    html = _xhtml.render(doc, options, report, target="pdf")
    css = theme.read_style("print.css", options.theme_dir)
    styles_dirs = theme.search_path("styles", options.theme_dir)
    fetcher = _fetch.make_fetcher(images, styles_dirs, options.allow_remote, source_dir=doc.base_dir,
                                  logo=options.logo)
    return _notes.render_with_notes(doc, html, css + "\n" + page_css, fetcher, styles_dirs[0], variant, report)


# ---------------------------------------------------------------- reading the boxes


def _generated(box) -> bool:
    """Text the stylesheet made (``::before``, ``::marker``, ``::footnote-call``...), not the document."""
    return "::" in (getattr(box, "element_tag", "") or "")


def _lines(box, out: list[str]) -> None:
    """The text of each line box under ``box``, in order."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.LineBox):
        out.append("".join(t.text for t in box.descendants()
                           if isinstance(t, boxes.TextBox) and not _generated(t)))
        return
    if _generated(box) or _imprint(box):
        return
    for child in getattr(box, "children", ()):
        _lines(child, out)


def _imprint(box) -> bool:
    """The PDF's closing imprint block: the EPUB prints its imprint after the title page instead."""
    element = getattr(box, "element", None)
    return element is not None and "imprint" in (element.get("class") or "").split()


def _note_stream(box) -> str | None:
    element = getattr(box, "element", None)
    if element is None:
        return None
    return element.get("data-note") or element.get("id")


def from_rendered(rendered) -> PrintPages:
    """Read the words of each page from a WeasyPrint rendered document."""
    from weasyprint.formatting_structure import boxes

    result = PrintPages()
    main = result.words.setdefault(MAIN, [])
    for page in rendered.pages:
        page_box = page._page_box
        flow = [c for c in page_box.children
                if not isinstance(c, (boxes.FootnoteAreaBox, boxes.MarginBox))]
        lines: list[str] = []
        for child in flow:
            _lines(child, lines)
        words = " ".join(lines).split()
        start: tuple[str, int] | None = (MAIN, len(main)) if words else None
        first = words[:6]
        main.extend(words)
        for area in (c for c in page_box.children if isinstance(c, boxes.FootnoteAreaBox)):
            for note in area.children:
                stream = _note_stream(note)
                if stream is None:
                    continue
                note_lines: list[str] = []
                _lines(note, note_lines)
                note_words = " ".join(note_lines).split()
                target = result.words.setdefault(stream, [])
                if start is None and note_words:
                    start, first = (stream, len(target)), note_words[:6]
                target.extend(note_words)
        if start is None:  # an empty page: it begins where the next text does
            start = (MAIN, len(main))
        result.starts.append(start)
        result.first_words.append(" ".join(first))
    return result

"""The PDF writer: the shared XHTML (``writers/xhtml.py``, target "pdf") set by WeasyPrint.

``write(doc, options, report) -> bytes`` returns the whole PDF.  What it
promises (issue 3, ``docs/pdf.md``):

* footnotes at the foot of the page of their call (CSS GCPM ``float:
  footnote``), each note's text exactly once and in order; a note too long for
  its page is cut by pubconv and continues on the next, because WeasyPrint
  alone pushes the start of such a note off the page (``notes`` checks
  every layout and repairs it, ``split`` cuts notes).  A note that cannot
  start beside its call stays whole with a ``footnote-moved`` warning; if a
  note cannot be kept whole the writer raises ``footnote-overflow``;
* title block on page 1, running header from page 2, page numbers;
* metadata (title, authors, subject, keywords, language, dates from the
  document or ``SOURCE_DATE_EPOCH``, never the clock) and an outline;
* ``options.paper``, ``options.pdf_variant`` (``pdf/a-3b``, ``pdf/ua-1``...),
  ``options.bleed`` and ``options.crop_marks``;
* resources: only the theme's files and files inside ``doc.base_dir``.  Every
  image is checked before rendering, where its source line is known
  (``missing-resource``, ``remote-resource``, ``outside-resource``,
  ``unsupported-resource``); WeasyPrint then gets a ``fetch.SafeFetcher``
  that refuses anything else, so nothing is fetched that was not vetted;
* the same input gives the same bytes.

WeasyPrint is imported inside :func:`write` (it costs ~0.7 s).
"""
from __future__ import annotations


from ... import theme
from ...document import XPATH_NS, Document, text_of
from ...epoch import source_date_epoch
from ...errors import PubconvError, Report, SourcePos
from .. import WriteOptions, check_resources, check_option, xhtml as _xhtml

#: Used when crop marks are asked for without a bleed: marks need the room.
DEFAULT_MARKS_BLEED = "3mm"


def check(doc: Document, options: WriteOptions, report: Report) -> None:
    """Raise every error :func:`write` would raise that is known before layout, without importing WeasyPrint.

    The options (paper, variant, bleed), every image, ``SOURCE_DATE_EPOCH``, and
    the XHTML for print (a footnote inside a footnote is ``nested-note``).  Only
    what layout itself finds (``footnote-overflow``) is left to :func:`write`.
    """
    page_style(options)
    pdf_variant(options)
    check_resources(doc, options)
    document_dates(doc)
    _xhtml.render(doc, options, report, target="pdf")


def write(doc: Document, options: WriteOptions, report: Report) -> bytes:
    """The PDF of ``doc``; raises :class:`PubconvError` for a bad image, option or note."""
    page_css = page_style(options)
    variant = pdf_variant(options)
    images = check_resources(doc, options)
    html = _xhtml.render(doc, options, report, target="pdf")
    css = theme.read_style("print.css", options.theme_dir)

    from . import fetch as _pdf_fetch, notes as _pdf_notes  # these import WeasyPrint

    styles_dirs = theme.search_path("styles", options.theme_dir)
    fetcher = _pdf_fetch.make_fetcher(images, styles_dirs, options.allow_remote, source_dir=doc.base_dir,
                                      logo=options.logo)
    # The options' @page rule comes last so that a theme cannot override the paper asked for.
    rendered = _pdf_notes.render_with_notes(doc, html, css + "\n" + page_css, fetcher,
                                            styles_dirs[0], variant, report)
    _set_metadata(rendered, doc)
    if options.page_list:  # the EPUB of the same build takes its page list from this layout
        from . import pages as _pages
        _pages.remember(doc, options, rendered)
    from .tagging import write_pdf  # the structure of tagged variants (PDF/UA, PDF/A-a)

    return write_pdf(rendered, doc, report, **_pdf_options(variant))


# ---------------------------------------------------------------- options


def _option(name: str, value):
    try:
        return check_option(name, value)
    except ValueError as exc:
        raise PubconvError(str(exc), None, "bad-option") from None


def pdf_variant(options: WriteOptions) -> str | None:
    """The WeasyPrint variant name for ``options.pdf_variant`` (``None`` for a plain PDF)."""
    return _option("pdf_variant", options.pdf_variant)


def _pdf_options(variant: str | None) -> dict:
    # pdf_identifier=True makes pydyf derive the /ID from the content: stable bytes.
    return {"pdf_variant": variant, "pdf_identifier": True, "pdf_tags": bool(variant and "ua" in variant)}


def page_style(options: WriteOptions) -> str:
    """The ``@page`` rule for the paper, bleed and crop marks (validated: it becomes CSS)."""
    rules = [f"size: {_option('paper', options.paper)};"]
    bleed = _option("bleed", options.bleed)
    if options.crop_marks and not bleed:
        bleed = DEFAULT_MARKS_BLEED
    if bleed:
        rules.append(f"bleed: {bleed};")
    if options.crop_marks:
        rules.append("marks: crop cross;")
    return "@page { " + " ".join(rules) + " }\n"


# ---------------------------------------------------------------- metadata


def document_dates(doc: Document) -> tuple[str | None, str | None]:
    """(created, modified) as W3C dates: the document's date, and ``SOURCE_DATE_EPOCH`` if set.

    Created is the publication date (``SOURCE_DATE_EPOCH`` if the document has
    none); modified is the build time that ``SOURCE_DATE_EPOCH`` fixes, else
    the publication date.  The clock is never read.
    """
    date = doc.find("p:meta/p:date")
    published = date.get("iso") if date is not None else None
    when = source_date_epoch(pos=SourcePos(doc.path))
    built = when.strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else None
    return (published or built, built or published)


def _set_metadata(rendered, doc: Document) -> None:
    meta = rendered.metadata
    meta.title = " ".join(doc.title.split())
    # Given then family name, as printed.
    meta.authors = [
        " ".join(filter(None, ((a.findtext("p:name/p:given", namespaces=_P) or "").strip(),
                               (a.findtext("p:name/p:family", namespaces=_P) or "").strip())))
        for a in doc.xpath("p:meta/p:authors/p:author")
    ]
    subtitle = " ".join(text_of(doc.find("p:meta/p:subtitle")).split())
    abstract = " ".join(text_of(doc.find("p:meta/p:abstract")).split())
    meta.description = subtitle or abstract or None
    meta.keywords = [" ".join((k.text or "").split()) for k in doc.xpath("p:meta/p:keywords/p:keyword")]
    meta.lang = doc.lang
    meta.generator = "pubconv"
    meta.created, meta.modified = document_dates(doc)


_P = XPATH_NS

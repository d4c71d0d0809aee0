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
* ``options.paper``, ``options.pdf_variant`` (``pdf/a-3b``, ``pdf/ua-1``, ``pdf/x-4``...),
  ``options.bleed`` (the PDF's BleedBox is exactly that) and ``options.crop_marks``
  (drawn outside the bleed);
* the publisher's facts in the XMP of every build (``xmp``), never compressed;
* no silent font fallback (``fonts``): a missing text face or a character no
  installed font has is an error;
* resources: only the theme's files and files inside ``doc.base_dir``.  Every
  image is checked before rendering, where its source line is known
  (``missing-resource``, ``remote-resource``, ``outside-resource``,
  ``unsupported-resource``); WeasyPrint then gets a ``fetch.SafeFetcher``
  that refuses anything else, so nothing is fetched that was not vetted;
* the same input gives the same bytes.

WeasyPrint is imported inside :func:`write` (it costs ~0.7 s).
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

from ... import theme
from ...document import Document, resolve_resource, text_of
from ...errors import PubconvError, Report
from .. import WriteOptions, xhtml as _xhtml

#: Named paper sizes accepted by ``--paper`` (CSS ``@page size`` keywords).
PAPER_NAMES = {"a3": "A3", "a4": "A4", "a5": "A5", "b4": "B4", "b5": "B5", "letter": "letter",
               "legal": "legal", "ledger": "ledger"}
_LENGTH = r"\d+(?:\.\d+)?(?:mm|cm|in|pt|pc|px)"
_CUSTOM_PAPER = re.compile(rf"^({_LENGTH})\s+({_LENGTH})$")
_BLEED = re.compile(rf"^{_LENGTH}$")
#: Used when crop marks are asked for without a bleed: marks need the room.
DEFAULT_MARKS_BLEED = "3mm"



def write(doc: Document, options: WriteOptions, report: Report) -> bytes:
    """The PDF of ``doc``; raises :class:`PubconvError` for a bad image, option or note."""
    page_css = page_style(options)
    variant = pdf_variant(options)
    if variant and variant.startswith("pdf/x") and document_dates(doc)[1] is None:
        # WeasyPrint's PDF/X writer would stamp the clock's time: never.
        raise PubconvError(f"{variant} needs a date: give the document one or set SOURCE_DATE_EPOCH",
                           None, "bad-option")
    images = check_resources(doc, options)
    html = _xhtml.render(doc, options, report, target="pdf")
    css = theme.read_style("print.css", options.theme_dir)
    from . import fonts as _fonts

    _fonts.check(doc, html, css)

    from . import fetch as _pdf_fetch, notes as _pdf_notes  # these import WeasyPrint

    styles_dirs = theme.search_path("styles", options.theme_dir)
    fetcher = _pdf_fetch.make_fetcher(images, styles_dirs, options.allow_remote, source_dir=doc.base_dir,
                                      logo=options.logo)
    # The options' @page rule comes last so that a theme cannot override the paper asked for.
    rendered = _pdf_notes.render_with_notes(doc, html, css + "\n" + page_css, fetcher,
                                            styles_dirs[0], variant, report)
    _set_metadata(rendered, doc)
    return rendered.write_pdf(finisher=_finisher(options), **_pdf_options(variant))


# ---------------------------------------------------------------- options


def pdf_variant(options: WriteOptions) -> str | None:
    """The WeasyPrint variant name for ``options.pdf_variant`` (``None`` for a plain PDF)."""
    if not options.pdf_variant:
        return None
    name = options.pdf_variant.strip().lower()
    from weasyprint.pdf import VARIANTS  # the list WeasyPrint itself supports

    if name not in VARIANTS or name.startswith("debug"):
        known = ", ".join(sorted(v for v in VARIANTS if not v.startswith("debug")))
        raise PubconvError(f"unknown PDF variant {options.pdf_variant!r} (known: {known})", None, "bad-option")
    return name


def _pdf_options(variant: str | None) -> dict:
    # pdf_identifier=True makes pydyf derive the /ID from the content: stable bytes.
    return {"pdf_variant": variant, "pdf_identifier": True, "pdf_tags": bool(variant and "ua" in variant)}


def page_style(options: WriteOptions) -> str:
    """The ``@page`` rule for the paper, bleed and crop marks (validated: it becomes CSS)."""
    paper = (options.paper or "A4").strip()
    if paper.lower() in PAPER_NAMES:
        size = PAPER_NAMES[paper.lower()]
    elif (m := _CUSTOM_PAPER.match(paper)):
        size = f"{m.group(1)} {m.group(2)}"
    else:
        raise PubconvError(f"paper size {paper!r} is neither a name ({', '.join(PAPER_NAMES.values())}) "
                           "nor two lengths such as '170mm 240mm'", None, "bad-option")
    rules = [f"size: {size};"]
    bleed = bleed_of(options)
    if bleed:
        # With marks, WeasyPrint's bleed also holds the marks (drawn from the sheet's edge over half
        # of it): it gets the bleed plus a slug of the same width and 6mm, so the marks end 3mm
        # outside the bleed; the finisher sets the PDF's BleedBox to the bleed asked for.
        if options.crop_marks:
            rules.append(f"bleed: {2 * _points(bleed) + _points(MARKS_SLUG):.3f}pt;")
        else:
            rules.append(f"bleed: {bleed};")
    if options.crop_marks:
        rules.append("marks: crop cross;")
    css = "@page { " + " ".join(rules) + " }\n"
    if options.pdf_variant and options.pdf_variant.strip().lower().startswith("pdf/x"):
        # Print-shop PDF: black is K only, never four-colour black.
        css += ":root { --ink: device-cmyk(0 0 0 1); }\n"
        # The short rule above the notes is a gradient, which WeasyPrint paints in RGB even with a CMYK
        # output intent: a plain full-width rule instead.
        css += "@page { @footnote { border-image: none; border-top: 0.5pt solid device-cmyk(0 0 0 0.4); } }\n"
    return css


#: The room between the bleed and the sheet's edge that crop marks need (see page_style).
MARKS_SLUG = "6mm"


def bleed_of(options: WriteOptions) -> str | None:
    """The bleed asked for (``3mm`` when crop marks are asked for without one), checked; ``None`` if none."""
    bleed = options.bleed.strip() if options.bleed else None
    if options.crop_marks and not bleed:
        bleed = DEFAULT_MARKS_BLEED
    if bleed and not _BLEED.match(bleed):
        raise PubconvError(f"bleed {bleed!r} is not a length such as '3mm'", None, "bad-option")
    return bleed


_UNITS_PT = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0, "pc": 12.0, "px": 0.75}


def _points(length: str) -> float:
    m = re.match(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt|pc|px)$", length)
    return float(m.group(1)) * _UNITS_PT[m.group(2)]


def _finisher(options: WriteOptions):
    """What WeasyPrint's PDF needs before it is written: the true BleedBox, uncompressed XMP for every build."""
    bleed = bleed_of(options)
    bleed_pt = _points(bleed) if bleed else None

    def finish(document, pdf) -> None:
        if "Metadata" not in pdf.catalog:  # plain PDFs: WeasyPrint writes XMP only for PDF/A, /UA, /X
            document.metadata.include_in_pdf(pdf, None, None, None, False)
        if bleed_pt is None:
            return
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/Page" and "TrimBox" in obj:
                left, top, right, bottom = (float(v) for v in obj["TrimBox"])
                obj["BleedBox"] = type(obj["TrimBox"])([left - bleed_pt, top - bleed_pt,
                                                        right + bleed_pt, bottom + bleed_pt])
    return finish


# ---------------------------------------------------------------- resources


def check_resources(doc: Document, options: WriteOptions) -> dict[str, Path | str]:
    """Vet every image before WeasyPrint sees it: ``{src: resolved path or allowed URL}``.

    Raises :class:`PubconvError` naming the image's source line for a remote
    URL (unless ``options.allow_remote``), a path outside ``doc.base_dir``
    (symlinks resolved first), another scheme, or a missing file.
    """
    base = Path(doc.base_dir).resolve()
    found: dict[str, Path | str] = {}
    for image in doc.xpath("//p:image"):
        src = image.get("src", "")
        pos = doc.pos(image)
        found[src] = resolve_resource(src, base, pos, allow_remote=options.allow_remote)
    return found


# ---------------------------------------------------------------- metadata


def document_dates(doc: Document) -> tuple[str | None, str | None]:
    """(created, modified) as W3C dates: the document's date, and ``SOURCE_DATE_EPOCH`` if set.

    Created is the publication date (``SOURCE_DATE_EPOCH`` if the document has
    none); modified is the build time that ``SOURCE_DATE_EPOCH`` fixes, else
    the publication date.  The clock is never read.
    """
    date = doc.find("p:meta/p:date")
    published = date.get("iso") if date is not None else None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    built = None
    if epoch:
        try:
            built = datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (ValueError, OverflowError, OSError):
            raise PubconvError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time", None, "bad-option") from None
    return (published or built, built or published)


def _set_metadata(rendered, doc: Document) -> None:
    from .xmp import PubconvMetadata

    rendered.metadata = meta = PubconvMetadata.from_document(rendered.metadata, doc)
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


_P = {"p": "https://pubconv.org/ns/document/1"}

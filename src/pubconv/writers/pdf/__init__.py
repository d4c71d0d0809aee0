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
* the same input gives the same bytes (``font_stamps``: fonts that fontTools saves carry the
  build's time, not the clock's).

WeasyPrint is imported inside :func:`write` (it costs ~0.7 s).
"""
from __future__ import annotations

import re


from ... import theme
from ...document import XPATH_NS, Document, text_of
from ...epoch import source_date_epoch
from ...errors import PubconvError, Report, SourcePos, warn
from .. import WriteOptions, check_resources, check_option, xhtml as _xhtml
from . import cmyk as _cmyk

#: Used when crop marks are asked for without a bleed: marks need the room.
DEFAULT_MARKS_BLEED = "3mm"
#: Paper sizes in millimetres (width, height), and the least text area a page must keep inside the
#: theme's margins: a smaller page would make WeasyPrint lay out (almost) nothing per page, forever.
PAPER_MM = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "B4": (250, 353), "B5": (176, 250),
            "letter": (215.9, 279.4), "legal": (215.9, 355.6), "ledger": (279.4, 431.8)}
MIN_TEXT_MM = (40.0, 50.0)
MAX_PAPER_MM = 5000
_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96}
_PAGE_MARGIN = re.compile(r"@page\b[^{}]*+\{[^{}]*?\bmargin\s*+:\s*+([^;{}]*+)")
_ONE_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt|pc|px)$")


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
    if variant and variant.startswith("pdf/x") and document_dates(doc)[1] is None:
        # WeasyPrint's PDF/X writer would stamp the clock's time: never.
        raise PubconvError(f"{variant} needs a date: give the document one or set SOURCE_DATE_EPOCH",
                           None, "bad-option")
    images = check_resources(doc, options)
    html = _xhtml.render(doc, options, report, target="pdf")
    css = theme.read_style("print.css", options.theme_dir)
    from . import fonts as _fonts

    _fonts.check(doc, html, css)
    if _is_pdf_x(options):
        css = _cmyk.theme_css(css)  # print shops: the theme's RGB colours as DeviceCMYK, greys on K

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
    from .font_stamps import stamped
    from .tagging import write_pdf  # the structure of tagged variants (PDF/UA, PDF/A-a)

    with stamped(document_dates(doc)[1]) as reached:  # fonts fontTools saves: the build's time, not the clock's
        if not reached:
            warn(report, "font-timestamp", "fontTools no longer stamps fonts where pubconv sets the build's time: "
                 "a PDF with colour emoji or a variable font may differ from run to run", SourcePos(doc.path))
        return write_pdf(rendered, doc, report, finisher=_finisher(options), **_pdf_options(variant))


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


def page_style(options: WriteOptions, room: bool = True) -> str:
    """The ``@page`` rule for the paper, bleed and crop marks (validated: it becomes CSS).

    With ``room``, a paper too small for the theme's page margins is refused too."""
    size = _option("paper", options.paper)
    if room:
        _check_room((options.paper or "A4").strip(), size, theme.read_style("print.css", options.theme_dir))
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
    if _is_pdf_x(options):
        # Print-shop PDF: black is K only, never four-colour black.
        css += ":root { --ink: device-cmyk(0 0 0 1); }\n"
        # The short rule above the notes is a gradient, which WeasyPrint paints in RGB even with a CMYK
        # output intent: a plain full-width rule instead.
        css += "@page { @footnote { border-image: none; border-top: 0.5pt solid device-cmyk(0 0 0 0.4); } }\n"
        # The printing condition the CMYK is meant for: the theme's ICC profile (the default theme's is
        # FOGRA39, ISO coated offset), which WeasyPrint embeds as the PDF's one output intent.
        profile = theme.find("styles", OUTPUT_INTENT, options.theme_dir)
        css += f'@color-profile device-cmyk {{ src: url("{profile.as_uri()}"); components: c, m, y, k; }}\n'
    return css


#: The theme's CMYK output profile for PDF/X (``styles/``; ``tools/make-output-intent.sh`` made the default).
OUTPUT_INTENT = "output-intent.icc"

#: Characterized printing conditions of the ICC registry (https://www.color.org/registry/), as output intents name them.
_REGISTERED = re.compile(r"^(?:FOGRA\d+\w*|CGATS[\w.]*|GRACoL\w*|SWOP\w*|JC200\d+|IFRA\d+)$")

#: The room between the bleed and the sheet's edge that crop marks need (see page_style).
MARKS_SLUG = "6mm"


def _mm(length: str, width: float | None = None) -> float | None:
    """A CSS length in mm; a percentage is of ``width`` (CSS page margins are percentages of the page width)."""
    text = length.strip()
    if text.endswith("%") and width is not None:
        try:
            return float(text[:-1]) * width / 100
        except ValueError:
            return None
    m = _ONE_LENGTH.match(text)
    return float(m.group(1)) * _MM[m.group(2)] if m else (0.0 if text == "0" else None)


def _check_room(paper: str, size: str, css: str) -> None:
    """Refuse a paper on which the theme's page margins leave less than ``MIN_TEXT_MM`` for the text."""
    if size in PAPER_MM:
        width, height = PAPER_MM[size]
    else:
        width, height = (_mm(x) for x in size.split())
    top = right = bottom = left = 0.0
    for m in _PAGE_MARGIN.finditer(css):
        parts = [_mm(x, width) for x in m.group(1).split()]
        if not parts or None in parts or len(parts) > 4:
            continue
        t = parts[0]  # CSS shorthand: top [right [bottom [left]]]
        r = parts[1] if len(parts) > 1 else t
        b = parts[2] if len(parts) > 2 else t
        l_ = parts[3] if len(parts) > 3 else r
        top, right, bottom, left = max(top, t), max(right, r), max(bottom, b), max(left, l_)
    if max(width, height) > MAX_PAPER_MM:
        raise PubconvError(f"paper {paper!r} is too large: at most {MAX_PAPER_MM} mm a side", None, "bad-option")
    text_w, text_h = width - left - right, height - top - bottom
    if text_w < MIN_TEXT_MM[0] or text_h < MIN_TEXT_MM[1]:
        raise PubconvError(f"paper {paper!r} is too small: the theme's page margins leave "
                           f"{max(text_w, 0):.0f} mm x {max(text_h, 0):.0f} mm for the text, and at least "
                           f"{MIN_TEXT_MM[0]:.0f} mm x {MIN_TEXT_MM[1]:.0f} mm is needed", None, "bad-option")


# ---------------------------------------------------------------- resources


def bleed_of(options: WriteOptions) -> str | None:
    """The bleed asked for (``3mm`` when crop marks are asked for without one), checked; ``None`` if none."""
    bleed = _option("bleed", options.bleed)
    if options.crop_marks and not bleed:
        bleed = DEFAULT_MARKS_BLEED
    return bleed


_UNITS_PT = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0, "pc": 12.0, "px": 0.75}


def _points(length: str) -> float:
    m = re.match(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt|pc|px)$", length)
    return float(m.group(1)) * _UNITS_PT[m.group(2)]


def _is_pdf_x(options: WriteOptions) -> bool:
    return bool(options.pdf_variant and options.pdf_variant.strip().lower().startswith("pdf/x"))


def _finisher(options: WriteOptions):
    """What WeasyPrint's PDF needs before it is written: the true BleedBox, uncompressed XMP for every build,
    and for PDF/X no DeviceRGB left in its content streams (WeasyPrint's marks, transparent fills)."""
    bleed = bleed_of(options)
    bleed_pt = _points(bleed) if bleed else None
    pdf_x = _is_pdf_x(options)
    profile = theme.find("styles", OUTPUT_INTENT, options.theme_dir) if pdf_x else None

    def finish(document, pdf) -> None:
        if "Metadata" not in pdf.catalog:  # plain PDFs: WeasyPrint writes XMP only for PDF/A, /UA, /X
            document.metadata.include_in_pdf(pdf, None, None, None, False)
        if pdf_x:
            _cmyk.finish_streams(pdf)
            import pydyf

            for intent in pdf.catalog.get("OutputIntents", []):
                # A printing condition in the ICC's registry (FOGRA39...) is named with the registry.
                if _REGISTERED.match(getattr(intent.get("OutputConditionIdentifier"), "string", "")):
                    intent["RegistryName"] = pydyf.String("http://www.color.org")
                # The profile as the theme's file has it: WeasyPrint writes the one it parsed again
                # (LittleCMS), whose bytes change once a tag has been read (a second document of a batch).
                number = int(bytes(intent["DestOutputProfile"]).split()[0])
                stream = pdf.objects[number]
                if stream.number == number and stream.extra.get("N") == 4:
                    stream.stream = [profile.read_bytes()]
        if bleed_pt is None:
            return
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/Page" and "TrimBox" in obj:
                left, top, right, bottom = (float(v) for v in obj["TrimBox"])
                obj["BleedBox"] = type(obj["TrimBox"])([left - bleed_pt, top - bleed_pt,
                                                        right + bleed_pt, bottom + bleed_pt])
    return finish


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


_P = XPATH_NS

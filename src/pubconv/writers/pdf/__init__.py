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
#: Paper sizes in millimetres (width, height), and the least text area a page must keep inside the
#: theme's margins: a smaller page would make WeasyPrint lay out (almost) nothing per page, forever.
PAPER_MM = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "B4": (250, 353), "B5": (176, 250),
            "letter": (215.9, 279.4), "legal": (215.9, 355.6), "ledger": (279.4, 431.8)}
MIN_TEXT_MM = (40.0, 50.0)
MAX_PAPER_MM = 5000
_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96}
_PAGE_MARGIN = re.compile(r"@page\b[^{}]*+\{[^{}]*?\bmargin\s*+:\s*+([^;{}]*+)")
_ONE_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt|pc|px)$")



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
    return rendered.write_pdf(**_pdf_options(variant))


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


def page_style(options: WriteOptions, room: bool = True) -> str:
    """The ``@page`` rule for the paper, bleed and crop marks (validated: it becomes CSS).

    With ``room``, a paper too small for the theme's page margins is refused too."""
    paper = (options.paper or "A4").strip()
    if paper.lower() in PAPER_NAMES:
        size = PAPER_NAMES[paper.lower()]
    elif (m := _CUSTOM_PAPER.match(paper)):
        size = f"{m.group(1)} {m.group(2)}"
    else:
        raise PubconvError(f"paper size {paper!r} is neither a name ({', '.join(PAPER_NAMES.values())}) "
                           "nor two lengths such as '170mm 240mm'", None, "bad-option")
    if room:
        _check_room(paper, size, theme.read_style("print.css", options.theme_dir))
    rules = [f"size: {size};"]
    bleed = options.bleed.strip() if options.bleed else None
    if options.crop_marks and not bleed:
        bleed = DEFAULT_MARKS_BLEED
    if bleed:
        if not _BLEED.match(bleed):
            raise PubconvError(f"bleed {bleed!r} is not a length such as '3mm'", None, "bad-option")
        rules.append(f"bleed: {bleed};")
    if options.crop_marks:
        rules.append("marks: crop cross;")
    return "@page { " + " ".join(rules) + " }\n"


def _mm(length: str) -> float | None:
    m = _ONE_LENGTH.match(length.strip())
    return float(m.group(1)) * _MM[m.group(2)] if m else (0.0 if length.strip() == "0" else None)


def _check_room(paper: str, size: str, css: str) -> None:
    """Refuse a paper on which the theme's page margins leave less than ``MIN_TEXT_MM`` for the text."""
    if size in PAPER_MM:
        width, height = PAPER_MM[size]
    else:
        width, height = (_mm(x) for x in size.split())
    top = right = bottom = left = 0.0
    for m in _PAGE_MARGIN.finditer(css):
        parts = [_mm(x) for x in m.group(1).split()]
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


_P = {"p": "https://pubconv.org/ns/document/1"}

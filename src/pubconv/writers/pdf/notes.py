"""Footnotes that are never lost: the PDF's layout loop.

What this module owns: :func:`render_with_notes`, which lays the XHTML out
with WeasyPrint (through ``weasyprint_fixes.render``, with the footnote CSS
the writer adds around the theme's), reads where every note landed
(``placement``), judges it (``problems``), repairs the first problem in the
XHTML (``repair``, cutting notes with ``split``) and lays out again, until
every note is whole and starts on the page of its call.  It reports
``footnote-moved`` for a note that stays after its call's page,
``weasyprint-fixes-off`` when the WeasyPrint fixes do not apply, and raises
``footnote-overflow`` rather than print a PDF with text missing.  Once the
notes are right it lets ``floats`` move a figure that left a page half blank.

WeasyPrint 70 lays out ``float: footnote`` notes but does not split one, and
moves notes off their call's page (``docs/pdf.md``); ``weasyprint_fixes``
mends that inside the layout, so most documents are right after one layout.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from lxml import etree
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from ...document import Document
from ...errors import PubconvError, Report, SourcePos, warn
from . import floats as _floats, weasyprint_fixes as _weasyprint_fixes
from .fetch import SOURCE_URL, SafeFetcher, stamp
from .placement import Layout, number_blocks
from .problems import Problem, first_problem
from .repair import polish, repair
from .split import Note
from ..xhtml import XHTML

_H = f"{{{XHTML}}}"
#: Lay-outs allowed: a few, plus three per note (each repair costs one).
MAX_PASSES = 6
_HERE = Path(__file__).resolve().parent
#: Footnote CSS before the theme (a theme may restyle it) and after it (a theme cannot drop it).
DEFAULTS_CSS = (_HERE / "notes-defaults.css").read_text(encoding="utf-8")
MECHANICS_CSS = (_HERE / "notes-mechanics.css").read_text(encoding="utf-8")


#: Stylesheets parsed in this thread, each with the font configuration its ``@font-face`` rules
#: filled, kept for the next documents of a batch (:func:`stylesheet`); the most recent few.
_SHEETS = threading.local()
SHEETS_KEPT = 4


def stylesheet(text: str, base_url: str, fetcher: SafeFetcher) -> tuple[CSS, FontConfiguration, dict]:
    """WeasyPrint's ``CSS`` for ``text``, the ``FontConfiguration`` and the colour profiles
    (``@color-profile``, PDF/X's output intent) it fills; parsed once per thread.

    Every document of a batch with the same theme and paper has the same stylesheet, and parsing it
    and loading fontconfig's fonts is the same work each time.  A stylesheet is reused only with
    the same text and base URL, and, if parsing it fetched anything (``@import``, ``@font-face``), a
    fetcher that serves the same files: what WeasyPrint is given is then what it would have built,
    and the PDF is byte-identical (``tests/writers/test_pdf.py``).  A file it read (a font, the
    output intent's profile) that has changed since, by modification time or size, is read again:
    a long-running process that edits its theme between documents gets the new files.  A parse that
    fails is not kept.
    """
    kept: OrderedDict = getattr(_SHEETS, "kept", None)
    if kept is None:
        kept = _SHEETS.kept = OrderedDict()
    found = kept.get((text, base_url))
    if found is not None and (not found[1] or (found[2] == fetcher.key()
                                               and all(stamp(s[0]) == s for s in found[3]))):
        kept.move_to_end((text, base_url))
        return found[0]
    fonts, profiles = FontConfiguration(), {}
    asked, served = len(fetcher.asked), len(fetcher.served)
    sheet = CSS(string=text, base_url=base_url, url_fetcher=fetcher, font_config=fonts, color_profiles=profiles)
    kept[(text, base_url)] = ((sheet, fonts, profiles), bool(fetcher.asked[asked:]), fetcher.key(),
                              tuple(fetcher.served[served:]))
    while len(kept) > SHEETS_KEPT:
        kept.popitem(last=False)
    return sheet, fonts, profiles


def stylesheet_text(css: str) -> str:
    """The whole stylesheet WeasyPrint gets: the notes' defaults, ``css`` (theme and page), the mechanics."""
    return DEFAULTS_CSS + "\n" + css + "\n" + MECHANICS_CSS


def render_with_notes(doc: Document, html: str, css: str, fetcher: SafeFetcher, styles_dir: Path,
                      variant: str | None, report: Report):
    """Lay ``html`` out until every footnote is whole and starts on the page of its call.

    ``css`` is the theme's stylesheet and the options' ``@page`` rule; the
    footnote defaults and mechanics are added here.  Once the notes are right,
    a figure pushed to the next page after a large gap is moved after the text
    that fills it (``floats``).  Returns WeasyPrint's rendered ``Document`` (to be
    written with ``write_pdf``).
    """
    tree = etree.fromstring(html.encode("utf-8"))
    number_blocks(tree)
    parsed = stylesheet(stylesheet_text(css), styles_dir.as_uri() + "/", fetcher)
    options = {"pdf_variant": variant, "pdf_tags": bool(variant and "ua" in variant)}
    _warn_fixes_off(doc, report)
    notes = {span.get("id"): Note(span) for span in tree.iter(f"{_H}span")
             if "footnote" in (span.get("class") or "").split() and span.get("id")}
    attempts: dict = {}
    accepted: set[str] = set()  # notes that cannot start beside their call (see below)
    problem = None
    for _ in range(MAX_PASSES + 3 * len(notes)):
        rendered = _render(tree, doc, parsed, fetcher, options)
        layout = Layout.read(rendered)
        while True:
            problem = first_problem(notes, layout, skip=accepted)
            if problem is None or repair(tree, notes, problem, layout, attempts):
                break
            if not problem.placement:
                _give_up(doc, problem)
            # Nothing of it is lost, but it cannot start on its call's page (the notes
            # before it fill that page, in order): keep it where it is, with a warning.
            accepted.add(problem.note)
        if problem is None:
            rendered = polish(tree, notes, rendered, layout, accepted,
                              lambda: _render(tree, doc, parsed, fetcher, options),
                              lambda rendering: Layout.read(rendering))
            rendered = _floats.settle(tree, notes, rendered, accepted,
                                      lambda: _render(tree, doc, parsed, fetcher, options), Layout.read)
            _warn_moved(doc, notes, Layout.read(rendered), accepted, report)
            return rendered
    _give_up(doc, problem)


def _warn_fixes_off(doc: Document, report: Report) -> None:
    why = _weasyprint_fixes.problems()
    if why:
        import weasyprint

        warn(report, "weasyprint-fixes-off",
             f"pubconv's footnote fixes are off for WeasyPrint {weasyprint.__version__} ({'; '.join(why)}): "
             "notes are laid out as WeasyPrint does and repaired, which takes more layouts",
             SourcePos(doc.path))


def _give_up(doc: Document, problem: Problem) -> None:
    n = problem.note.removeprefix("fn-")
    raise PubconvError(f"footnote {n} cannot be set whole ({problem.reason})", _note_pos(doc, n),
                       "footnote-overflow")


def _warn_moved(doc: Document, notes: dict[str, Note], layout: Layout, accepted: set[str], report) -> None:
    """``footnote-moved`` for a note kept off its call's page, and for notes carried on past the next page.

    A note that starts on the page after its call's, behind a note running on, is where a book puts
    it; one that starts two or more pages later (the notes before it fill every page between) is
    printed as books print it, but a reader turns pages to find it, and the author should hear of
    it: one warning for each run of such notes, at the first of them.
    """
    carried: list[list] = []  # runs of consecutive notes: [(note, its page, its call's page), ...]
    previous = None
    for note in notes.values():
        piece, call = layout.pieces.get(note.id), layout.call(note)
        if piece is None or call is None or piece.page <= call[0]:
            previous = None
            continue
        if note.id in accepted:
            warn(report, "footnote-moved",
                 f"footnote {note.number} starts on page {piece.page + 1}, after its call on page {call[0] + 1}: "
                 "the notes before it fill that page", _note_pos(doc, note.number))
        elif piece.page > call[0] + 1:
            if previous is None:
                carried.append([])
            carried[-1].append((note, piece.page + 1, call[0] + 1))
            previous = note
            continue
        previous = None
    for run in carried:
        first, page, called = run[0]
        if len(run) == 1:
            what = (f"footnote {first.number} starts on page {page}, after its call on page {called}: "
                    "the notes before it fill the pages between")
        else:
            pages, calls = sorted({r[1] for r in run}), sorted({r[2] for r in run})
            what = (f"footnotes {first.number}–{run[-1][0].number}, called on {_pages(calls)}, "
                    f"start on {_pages(pages)}: the notes before them fill the pages between")
        warn(report, "footnote-moved", what, _note_pos(doc, first.number))


def _pages(numbers: list[int]) -> str:
    return f"page {numbers[0]}" if len(numbers) == 1 else f"pages {numbers[0]}–{numbers[-1]}"


def _render(tree, doc: Document, parsed: tuple[CSS, FontConfiguration, dict], fetcher: SafeFetcher, options):
    sheet, fonts, profiles = parsed
    text = etree.tostring(tree, encoding="unicode")
    try:
        html = HTML(string=text, base_url=SOURCE_URL, url_fetcher=fetcher)
        # A copy: writing the PDF adds to the document's profiles (sRGB), which the next document must not see.
        return _weasyprint_fixes.render(html, font_config=fonts, color_profiles=dict(profiles),
                                        stylesheets=[sheet], **options)
    except FatalURLFetchingError as exc:
        refused = fetcher.refused[-1] if fetcher.refused else str(exc)
        raise PubconvError(f"the PDF renderer asked for {refused!r}, which pubconv does not serve",
                           SourcePos(doc.path), "refused-resource") from None


def _note_pos(doc: Document, n: str) -> SourcePos:
    found = doc.xpath(f"//p:note[@n='{int(n)}']") if n.isdigit() else []
    return doc.pos(found[0]) if found else SourcePos(doc.path)

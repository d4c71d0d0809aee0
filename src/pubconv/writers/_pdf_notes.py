"""WeasyPrint side of the PDF writer: the URL fetcher, and footnotes that never get lost.

WeasyPrint 70 lays out ``float: footnote`` notes but does not split one: a note
taller than the room left on its page is deferred, and when it is the first
note of a page it overflows upwards and its start is lost off the page
(WeasyPrint #1833, #2502).  :func:`render_with_notes` therefore lays the
document out, reads the page boxes to see where every note (and every part of
one) landed, and when a note is deferred, overflows, or misses the page of its
call, splits it in the XHTML at a word boundary into a first part (kept with
its call) and a continuation (``<span class="footnote fn-cont">``, policy
``auto``, so WeasyPrint carries it to the top of the next page's note area),
then lays out again.  It stops when every note is in place, and raises
``footnote-overflow`` (rather than print a PDF with text missing) if it cannot
get there.

This module imports WeasyPrint; ``pdf.py`` imports it only when writing.
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..document import Document
from ..errors import PubconvError, Report, SourcePos
from ._xhtml import XHTML

MAX_PASSES = 8
_H = f"{{{XHTML}}}"


# ---------------------------------------------------------------- URL fetcher


class SafeFetcher(URLFetcher):
    """Serves only vetted files: the theme's and those inside the source's folder.

    ``roots`` are folders whose files may be read (the theme's ``styles/``);
    ``files`` are single files checked in advance (the images); ``remote`` are
    http(s) URLs allowed by ``--allow-remote``.  Anything else raises, and the
    fetcher is built with ``fail_on_errors`` so that WeasyPrint stops instead
    of printing a page with a hole.  ``refused`` lists what was turned away.
    """

    def __init__(self, files: set[Path], roots: list[Path], remote: set[str] = frozenset(), **kwargs):
        kwargs.setdefault("fail_on_errors", True)
        kwargs.setdefault("allowed_protocols", ("file", "http", "https") if remote else ("file",))
        super().__init__(**kwargs)
        self.files = {Path(f).resolve() for f in files}
        self.roots = [Path(r).resolve() for r in roots]
        self.remote = set(remote)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url in self.remote:
            return super().fetch(url, headers)
        if not url.lower().startswith("file:"):
            self.refused.append(url)
            raise ValueError(f"pubconv refuses to fetch {url!r}")
        from urllib.parse import urlsplit
        from urllib.request import url2pathname

        try:
            path = Path(url2pathname(urlsplit(url).path)).resolve()
        except (OSError, RuntimeError):
            self.refused.append(url)
            raise ValueError(f"pubconv cannot resolve {url!r}") from None
        allowed = path in self.files or any(path.is_relative_to(root) for root in self.roots)
        if not allowed or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"pubconv refuses to read {path}: not a vetted file")
        import mimetypes

        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})


def make_fetcher(base_dir: Path, images: dict, styles_dirs: list[Path], allow_remote: bool) -> SafeFetcher:
    files = {p for p in images.values() if isinstance(p, Path)}
    remote = {u for u in images.values() if isinstance(u, str)} if allow_remote else set()
    return SafeFetcher(files, styles_dirs, remote)


# ---------------------------------------------------------------- rendering


def render_with_notes(doc: Document, html: str, css: str, fetcher: SafeFetcher, styles_dir: Path,
                      variant: str | None, report: Report):
    """Lay ``html`` out until every footnote is whole and starts on the page of its call.

    Returns WeasyPrint's rendered ``Document``.  Each pass that finds a
    misplaced note splits the first such note (document order: fixing it moves
    everything after it) and lays out again.
    """
    tree = etree.fromstring(html.encode("utf-8"))
    stylesheet = CSS(string=css, base_url=styles_dir.as_uri() + "/", url_fetcher=fetcher)
    options = {"pdf_variant": variant, "pdf_tags": bool(variant and "ua" in variant)}
    notes = _note_groups(tree)
    tried: dict[tuple[str, int, int], int] = {}
    for _ in range(MAX_PASSES):
        rendered = _render(tree, doc, stylesheet, fetcher, options)
        layout = Layout.read(rendered)
        problem = first_problem(notes, layout)
        if problem is None:
            return rendered
        note_id, piece_id, reason = problem
        # Each retry of the same piece on the same page asks for fewer lines.
        key = (piece_id, *layout.where(piece_id, note_id))
        tried[key] = tried.get(key, 0) + 1
        if not _split(tree, notes, note_id, piece_id, reason, layout, shrink=tried[key] - 1):
            break
    n = note_id.removeprefix("fn-")
    raise PubconvError(f"footnote {n} could not be placed whole on the page of its call ({reason}); "
                       "shorten it or split it", _note_pos(doc, n), "footnote-overflow")


def _note_pos(doc: Document, n: str) -> SourcePos:
    found = doc.xpath(f"//p:note[@n='{int(n)}']") if n.isdigit() else []
    return doc.pos(found[0]) if found else SourcePos(doc.path)


# ---------------------------------------------------------------- reading the layout


@dataclass
class Piece:
    """Where one footnote box (a note or a part of one) landed."""

    id: str
    page: int
    top: float
    bottom: float
    lines: list[str]
    line_height: float


@dataclass
class PageInfo:
    content_top: float
    content_bottom: float
    area_top: float | None  # the footnote area's border-box top, if the page has notes
    area_overhead: float  # margin + border + padding of the footnote area
    pieces: list[str] = field(default_factory=list)
    body_line_height: float = 0.0


@dataclass
class Layout:
    pages: list[PageInfo]
    pieces: dict[str, Piece]
    anchors: dict[str, tuple[int, tuple[float, float, float, float]]]  # first page with the anchor

    @classmethod
    def read(cls, rendered) -> "Layout":
        pages, pieces, anchors = [], {}, {}
        overhead = None
        for index, page in enumerate(rendered.pages):
            box = page._page_box
            for name, rect in page.anchors.items():
                anchors.setdefault(name, (index, rect))
            area = next((c for c in box.children if isinstance(c, boxes.FootnoteAreaBox)), None)
            info = PageInfo(box.content_box_y(), box.content_box_y() + box.height, None, 0.0)
            if area is not None and area.children:
                info.area_top = area.position_y
                overhead = area.margin_height() - area.height
                for child in area.children:
                    piece_id = child.element.get("id") if child.element is not None else None
                    if not piece_id:
                        continue
                    lines = [b for b in child.descendants() if isinstance(b, boxes.LineBox)]
                    texts = ["".join(t.text for t in line.descendants() if isinstance(t, boxes.TextBox))
                             for line in lines]
                    real = [(line, text) for line, text in zip(lines, texts) if text.strip()]
                    height = (sum(line.height for line, _ in real) / len(real)) if real else 0.0
                    pieces[piece_id] = Piece(piece_id, index, child.position_y,
                                             child.position_y + child.margin_height(),
                                             [text for _, text in real], height)
                    info.pieces.append(piece_id)
            info.body_line_height = _body_line_height(box)
            pages.append(info)
        for info in pages:
            if info.area_top is None:
                info.area_overhead = overhead or 0.0
            else:
                info.area_overhead = overhead or 0.0
        return cls(pages, pieces, anchors)

    def where(self, piece_id: str, note_id: str) -> tuple[int, int]:
        piece = self.pieces.get(piece_id)
        call = self.anchors.get("fnref-" + note_id.removeprefix("fn-"))
        return (piece.page if piece else -1, call[0] if call else -1)


def _body_line_height(page_box) -> float:
    for box in page_box.children[0].descendants():
        if isinstance(box, boxes.LineBox) and box.height:
            return box.height
    return 0.0


def _note_groups(tree: etree._Element) -> dict[str, list[str]]:
    """``{note id: [piece ids in order]}`` for every footnote span in the XHTML."""
    groups: dict[str, list[str]] = {}
    for span in tree.iter(f"{_H}span"):
        classes = (span.get("class") or "").split()
        if "footnote" in classes and span.get("id"):
            base = span.get("data-note") or span.get("id")
            groups.setdefault(base, []).append(span.get("id"))
    return groups


def first_problem(notes: dict[str, list[str]], layout: Layout) -> tuple[str, str, str] | None:
    """The first note (in call order) that is lost, cut, deferred or out of order, or ``None``."""
    for note_id, piece_ids in notes.items():
        call = layout.anchors.get("fnref-" + note_id.removeprefix("fn-"))
        previous = None
        for i, piece_id in enumerate(piece_ids):
            piece = layout.pieces.get(piece_id)
            if piece is None:
                return note_id, piece_id, "missing from the pages"
            page = layout.pages[piece.page]
            if piece.top < page.content_top - 0.5 or piece.bottom > page.content_bottom + 0.5:
                return note_id, piece_id, "longer than the room on its page"
            if i == 0 and call is not None and piece.page != call[0]:
                return note_id, piece_id, "moved to another page than its call"
            if previous is not None and piece.page not in (previous.page, previous.page + 1):
                return note_id, piece_id, "continued out of order"
            previous = piece
    return None


# ---------------------------------------------------------------- splitting


def _split(tree, notes, note_id: str, piece_id: str, reason: str, layout: Layout, shrink: int) -> bool:
    """Split the piece ``piece_id`` so that its first part fits where it must go. False if impossible."""
    piece = layout.pieces.get(piece_id)
    if piece is None or not piece.lines or piece.line_height <= 0:
        return False
    pieces = notes[note_id]
    first = pieces.index(piece_id) == 0
    call = layout.anchors.get("fnref-" + note_id.removeprefix("fn-"))
    if first and call is not None:
        page_index, rect = call
        page = layout.pages[page_index]
        body_bottom = rect[3] + page.body_line_height  # the call's line, and one more for widows
    else:
        page_index = piece.page
        page = layout.pages[page_index]
        body_bottom = page.content_top + 3 * page.body_line_height  # leave the body a few lines
    # Notes already on that page before this one keep their room.
    others = [layout.pieces[p] for p in page.pieces if p != piece_id and _before(notes, p, piece_id)]
    used = sum(p.bottom - p.top for p in others)
    room = page.content_bottom - body_bottom - used - page.area_overhead - 2.0
    lines = int(math.floor(room / piece.line_height)) - shrink
    lines = min(lines, len(piece.lines) - 1)
    if lines < 1:
        if shrink == 0 and len(piece.lines) > 1:
            lines = 1
        else:
            return False
    span = next(tree.iter(f"{_H}span"), None)
    span = next((s for s in tree.iter(f"{_H}span") if s.get("id") == piece_id), None)
    if span is None:
        return False
    offset = _offset_after_lines(span, piece.lines[:lines])
    if offset is None:
        return False
    new_id = _next_piece_id(note_id, pieces)
    if not split_note(span, offset, new_id, note_id):
        return False
    pieces.insert(pieces.index(piece_id) + 1, new_id)
    return True


def _before(notes: dict[str, list[str]], a: str, b: str) -> bool:
    order = [p for group in notes.values() for p in group]
    return order.index(a) < order.index(b) if a in order and b in order else True


def _next_piece_id(note_id: str, pieces: list[str]) -> str:
    k = 2
    while f"{note_id}-part{k}" in pieces:
        k += 1
    return f"{note_id}-part{k}"


_SQUEEZE = re.compile(r"\s+")
_HYPHENS = "\u2010\u00ad-"


def _offset_after_lines(span: etree._Element, lines: list[str]) -> int | None:
    """The character offset in ``span``'s text where the word after ``lines`` starts.

    Compared without whitespace (the layout collapses it) and with the
    hyphens that hyphenation adds at line ends dropped; a word hyphenated at
    the last line's end goes whole to the next part.
    """
    text = "".join(span.itertext())
    squeezed, index_map = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            squeezed.append(ch)
            index_map.append(i)
    target = "".join(squeezed)
    pos = 0
    for line in lines:
        chunk = _SQUEEZE.sub("", line)
        if target.startswith(chunk, pos):
            pos += len(chunk)
        elif chunk and chunk[-1] in _HYPHENS and target.startswith(chunk[:-1], pos):
            pos += len(chunk) - 1
        else:
            return None
    if pos >= len(target):
        return None
    offset = index_map[pos]
    # Back to the start of the word (a hyphenated word moves whole).
    while offset > 0 and not text[offset - 1].isspace():
        offset -= 1
    return offset if offset > 0 else None


def split_note(span: etree._Element, offset: int, new_id: str, note_id: str) -> bool:
    """Cut the footnote ``span`` at text ``offset``: it keeps the text before, a new span after it the rest."""
    left, right = copy.deepcopy(span), copy.deepcopy(span)
    _keep(left, 0, offset)
    _keep(right, offset, None)
    if not "".join(left.itertext()).strip() or not "".join(right.itertext()).strip():
        return False
    # Was a paragraph cut in two? Then its first part is set full and the rest is not indented.
    left_last = [p for p in left.iter(f"{_H}span") if "fn-p" in (p.get("class") or "").split()]
    right_first = [p for p in right.iter(f"{_H}span") if "fn-p" in (p.get("class") or "").split()]
    text = "".join(span.itertext())
    mid_paragraph = offset > 0 and not _paragraph_starts_at(span, offset)
    if mid_paragraph and left_last and right_first:
        _add_class(left_last[-1], "fn-split")
        _add_class(right_first[0], "fn-cont-p")
    del text
    right.set("id", new_id)
    right.set("data-note", note_id)
    _add_class(right, "fn-cont")
    for attr in ("role", f"{{{_OPS}}}type"):
        right.attrib.pop(attr, None)  # one note, one footnote role
    right.tail = span.tail
    left.tail = None
    parent = span.getparent()
    index = parent.index(span)
    parent.remove(span)
    parent.insert(index, left)
    parent.insert(index + 1, right)
    return True


_OPS = "http://www.idpf.org/2007/ops"


def _paragraph_starts_at(span: etree._Element, offset: int) -> bool:
    pos = 0
    for node, slot in _slots(span):
        value = getattr(node, slot) or ""
        if slot == "text" and "fn-p" in (node.get("class") or "").split() and pos == offset:
            return True
        if pos > offset:
            break
        pos += len(value)
    return False


def _add_class(el: etree._Element, name: str) -> None:
    classes = (el.get("class") or "").split()
    if name not in classes:
        el.set("class", " ".join([*classes, name]))


def _slots(root: etree._Element):
    """(element, "text" | "tail") in document order, for ``root``'s content (not its own tail)."""
    def walk(node):
        yield node, "text"
        for child in node:
            yield from walk(child)
            yield child, "tail"
    yield from walk(root)


def _keep(root: etree._Element, start: int, end: int | None) -> None:
    """Keep only characters ``start:end`` of ``root``'s text content, dropping emptied elements."""
    pos = 0
    for node, slot in list(_slots(root)):
        value = getattr(node, slot)
        if not value:
            continue
        lo, hi = pos, pos + len(value)
        pos = hi
        a = max(start, lo) - lo
        b = (min(end, hi) if end is not None else hi) - lo
        setattr(node, slot, value[a:b] if b > a else None)
    # Drop elements left without text (post-order), keeping the tails of the kept.
    for node in reversed(list(root.iter())):
        if node is root or not isinstance(node.tag, str):
            continue
        if "".join(node.itertext()) == "" and etree.QName(node).localname not in ("br", "img"):
            _remove_keep_tail(node)


def _remove_keep_tail(node: etree._Element) -> None:
    parent = node.getparent()
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _render(tree, doc: Document, stylesheet, fetcher, options):
    text = etree.tostring(tree, encoding="unicode")
    base_url = Path(doc.base_dir).resolve().as_uri() + "/"
    try:
        return HTML(string=text, base_url=base_url, url_fetcher=fetcher).render(stylesheets=[stylesheet],
                                                                                 **options)
    except FatalURLFetchingError as exc:
        refused = fetcher.refused[-1] if fetcher.refused else str(exc)
        raise PubconvError(f"the PDF renderer asked for {refused!r}, which pubconv does not serve",
                           SourcePos(doc.path), "refused-resource") from None

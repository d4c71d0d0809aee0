"""Print page numbers in the EPUB: a page-break marker where each PDF page begins.

:func:`mark` takes the content document and the PDF's words
(:class:`pubconv.writers.pdf.pages.PrintPages`) and puts, for page *k*,

    <span id="page-k" epub:type="pagebreak" role="doc-pagebreak" aria-label="k"></span>

right before the word the page begins with; it returns the ids in page order
for the nav's ``page-list``.

The EPUB's words are read the way the PDF's are: the running text in
document order (title page, body, references, note calls), and each note's
text as its own stream (``aside id="fn-N"``); blocks are separated by a space,
inline elements are not.  The two word lists are aligned with
:class:`difflib.SequenceMatcher`, so text that only one of them has (the EPUB's
imprint, a word the PDF hyphenated at a line end) shifts nothing: a page that
begins inside a hyphenated word is marked after that word, never inside it; a
page that begins with words only the PDF has (its imprint, at the end) is marked
where they would be, after the last words both share.

A marker never goes inside a link or other inline element whose first word
it marks (it goes before the element), and a page that begins with a
heading's first word is marked before the heading, so the heading's text and
accessible name stay whole.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from lxml import etree

from ...namespaces import OPS, XHTML

EPUB_TYPE = f"{{{OPS}}}type"
MAIN = "main"

_BLOCKS = frozenset("""address article aside blockquote body br caption dd div dl dt figcaption figure footer h1 h2
h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul""".split())
#: inline elements a marker is put before rather than inside when it marks their first word
_INLINE = frozenset("a abbr b cite code em i q small span strong sub sup time".split())
_HEADINGS = frozenset(f"h{i}" for i in range(1, 7))
_WORD = re.compile(r"\S+")
#: Characters one edition has and the other need not: the PDF's word joiners (a note call glued to its
#: word), soft hyphens, zero-width spaces.
_INVISIBLE = dict.fromkeys(map(ord, "\u2060\u00ad\u200b\ufeff"))
#: Word-list sizes (PDF words x EPUB words) up to which the alignment is exact.
_EXACT_LIMIT = 4_000_000
#: A marker position after everything the EPUB has (the page begins with the PDF's own closing matter).
END = -1


def _comparable(word: str) -> str:
    return word.translate(_INVISIBLE)


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _note_stream(el) -> str | None:
    if _local(el) == "aside" and "footnote" in (el.get(EPUB_TYPE) or "").split() and (el.get("id") or "").startswith("fn-"):
        return el.get("id")
    return None


@dataclass
class _Slot:
    node: etree._Element
    where: str  # "text" or "tail"
    start: int  # offset of this slot's text in the stream's string


class _Stream:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.slots: list[_Slot] = []

    def add(self, node, where: str, text: str | None) -> None:
        if text:
            self.slots.append(_Slot(node, where, self.length))
            self.parts.append(text)
            self.length += len(text)

    def gap(self) -> None:
        self.parts.append(" ")
        self.length += 1

    def words(self) -> tuple[list[str], list[int]]:
        text = "".join(self.parts)
        found = list(_WORD.finditer(text))
        return [m.group() for m in found], [m.start() for m in found]

    def locate(self, offset: int) -> tuple[_Slot, int]:
        slot = max((s for s in self.slots if s.start <= offset), key=lambda s: s.start)
        return slot, offset - slot.start


def _streams(body: etree._Element) -> dict[str, _Stream]:
    streams: dict[str, _Stream] = {MAIN: _Stream()}

    def walk(el, stream: _Stream) -> None:
        note = _note_stream(el)
        if note is not None:
            stream = streams.setdefault(note, _Stream())
        block = _local(el) in _BLOCKS
        if block:
            stream.gap()
        if el.get("hidden") is None and el.get("aria-hidden") != "true":
            stream.add(el, "text", el.text)
            for child in el:
                if isinstance(child.tag, str):
                    walk(child, stream)
                stream.add(child, "tail", child.tail)
        if block:
            stream.gap()

    walk(body, streams[MAIN])
    return streams


class _Aligner:
    """Alignments, computed once per stream."""

    def __init__(self, pdf_words: dict[str, list[str]], streams: dict[str, "_Stream"]):
        self.pdf_words = pdf_words
        self.streams = streams
        self.cache: dict[str, tuple[list[str], list[int], list]] = {}

    def position(self, stream_id: str, index: int) -> tuple[_Stream, int] | None:
        stream = self.streams.get(stream_id)
        pdf = self.pdf_words.get(stream_id)
        if stream is None or pdf is None:
            return None
        if stream_id not in self.cache:
            words, offsets = stream.words()
            a, b = [_comparable(w) for w in pdf], [_comparable(w) for w in words]
            # Exact alignment for commentary-sized streams; for very long ones difflib's "popular words are
            # junk" heuristic, which anchors on rare words and keeps the alignment near-linear in time
            # (without it, long repetitive text is quadratic: issue 14's rule that every pass is linear).
            opcodes = difflib.SequenceMatcher(None, a, b, autojunk=len(a) * len(b) > _EXACT_LIMIT).get_opcodes()
            self.cache[stream_id] = (words, offsets, opcodes)
        words, offsets, opcodes = self.cache[stream_id]
        j = _from_opcodes(opcodes, index, len(words))
        if j is None:
            return None
        if j == len(words):  # the page begins with text the EPUB does not have at its end (the PDF's imprint)
            return stream, END
        return stream, offsets[j]


def _from_opcodes(opcodes, index: int, n_epub: int) -> int | None:
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 <= index < i2:
            if tag == "equal":
                return j1 + (index - i1)
            if index == i1 and j1 < j2:
                return j1
            return j2  # n_epub when only the PDF has the words from here on
    return n_epub  # the page begins after every word the PDF has (only its imprint, left out, is on it)


def _marker(number: int) -> etree._Element:
    span = etree.Element(f"{{{XHTML}}}span")
    span.set("id", f"page-{number}")
    span.set(EPUB_TYPE, "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("aria-label", str(number))
    span.text = ""
    return span


def _insert(stream: _Stream, offset: int, marker: etree._Element) -> None:
    slot, k = stream.locate(offset)
    node = slot.node
    if slot.where == "text":
        if k == 0 and (_local(node) in _INLINE or _local(node) in _HEADINGS):
            # The first word of a link, an emphasis or a heading: mark before the element.
            while (_local(node) in _INLINE and node.getparent() is not None and
                   _local(node.getparent()) in _INLINE and node.getparent().text in (None, "")
                   and node.getparent().index(node) == 0):
                node = node.getparent()
            marker.tail = None
            # Markers of later pages already placed here (an empty page) stay after this one.
            while node.getprevious() is not None and node.getprevious().get("role") == "doc-pagebreak" \
                    and not node.getprevious().tail:
                node = node.getprevious()
            node.addprevious(marker)
            return
        before, after = (node.text or "")[:k], (node.text or "")[k:]
        node.text = before
        marker.tail = after
        node.insert(0, marker)
    else:
        before, after = (node.tail or "")[:k], (node.tail or "")[k:]
        node.tail = before
        marker.tail = after
        node.addnext(marker)


def mark(body: etree._Element, pages) -> list[tuple[int, str]]:
    """Insert a marker for every page of ``pages`` (a ``PrintPages``); returns ``(page, id)`` in order.

    A page whose first word cannot be found in the EPUB's text is left out of
    the list (the caller compares the count with the PDF's pages).
    """
    streams = _streams(body)
    aligner = _Aligner(pages.words, streams)
    placed: list[tuple[int, _Stream, int]] = []
    for number, (stream_id, index) in enumerate(pages.starts, start=1):
        found = aligner.position(stream_id, index)
        if found is None:
            continue
        placed.append((number, found[0], found[1]))
    # Insert from the end of each stream, so that earlier offsets stay valid.
    for number, stream, offset in sorted(placed, key=lambda p: (p[2] != END, -p[2], p[0])):
        if offset == END:
            body.append(_marker(number))  # after the last block: the page holds only what the PDF adds
        else:
            _insert(stream, offset, _marker(number))
    return [(number, f"page-{number}") for number, _, _ in placed]

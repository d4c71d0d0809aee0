"""The extracted form: Markdown pulled out of a published PDF.

Its shape (see ``docs/format.md``): a header block (``## SERIES NUMBER - Title``,
``By **Name**``, a date and DOI line, one bio paragraph per author), then the
body, where every page break left a ``---`` line followed by that page's
footnotes as ``<sup>N</sup> text`` blocks, and then the reference list after a
``**References:**`` line, each entry followed by its URL on a line of its own.

This module undoes the page layout and hands the rest to the shared Markdown
builder, in the authoring dialect:

* a body paragraph that a footnote block split is joined back: when the text
  before the break does not end a sentence, the first body block after the
  footnotes continues it;
* a footnote that runs on (into the next block, or into the next page's
  footnote block) is joined back: a block after a footnote that does not end a
  sentence continues that footnote;
* ``<sup>N</sup>`` calls become ``[^N]`` and footnote blocks ``[^N]:`` definitions;
* each reference entry is joined with the URL line that follows it.

Lines keep their origin, so every element still points at the user's file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..document import E, fold
from ..errors import PubconvError, Report, SourcePos, warn
from . import _common
from ._markdown import MarkdownBuilder, is_reference_heading

# Every pattern here is linear on any input (possessive runs, bounded repeats; docs/robustness.md).
_HEADING = re.compile(r"^(#{1,6})\s++((?:.*(?:[^\s#]|#(?=\s)))?)\s*+#*+\s*+$")
_SERIES = re.compile(
    r"^(?P<label>[A-Z][A-Z&.\-]*(?:\s+[A-Z][A-Z&.\-]*)*)\s+(?:N[o°º]\.?\s*)?(?P<number>\d+[A-Za-z]?)"
    r"\s*(?:[-–—:|]\s*)(?P<title>.+)$")
_BYLINE = re.compile(r"^by\s+", re.I)
_DOI_LINE = re.compile(r"\bdoi\b\s*+:?+\s*+(?P<doi>.*)$", re.I)
_CALL = re.compile(r"<sup>\s*+(\d{1,6}+)\s*+</sup>")  # note numbers: at most 6 digits
_NOTE_START = re.compile(r"^\s*+<sup>\s*+(\d{1,6}+)\s*+</sup>\s*+")
_AUTHOR_NOTE_START = re.compile(r"^\s*(?:<sup>\s*(\*+|†|‡)\s*</sup>|\\(\*+)|(†|‡))\s*")
_PAGE_BREAK = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_REF_HEADING = re.compile(r"^\s*+(?:#{1,6}\s*+)?+(?:\*\*|__)?+\s*+(?P<name>[A-Za-z](?:[A-Za-z]| ++(?=[A-Za-z]))++)"
                          r"\s*+:?+\s*+(?:\*\*|__)?+\s*+:?+\s*+$")
_URL_LINE = re.compile(r"^\s*(?:<https?://[^>\s]+>|\[[^\]]*\]\(https?://[^)\s]+\)|https?://\S+)\s*$")
_BLOCK_START = re.compile(r"^(\s*)([-+*]|\d{1,9}[.)])(\s|$)")
_LINK_END = re.compile(r"(\]\((?:[^()]|\([^()]*+\))*+\)|<https?://[^<>\s]++>"
                       r"|(?<![^\s(\[\"'])https?://(?:[^\s(]|\([^\s()]*+\))*+\)?)$")
_TRAILING_CALLS = re.compile(r"(?<!</sup>)(?<!\])(?:<sup>\s*+\d{1,6}+\s*+</sup>|\[\^[^\]\[]{1,200}+\])++$")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_BOLD_NAME = re.compile(r"\*\*(.+?)\*\*((?:\\\*|<sup>\s*+[*†‡]++\s*+</sup>|[†‡])*+)")
_NAME_SEP = re.compile(r"(?<!\s)\s*+(?:,|\band\b|&)\s*+")
_NAME_MARKS = re.compile(r"[^*†‡]")
_DOI_LINK = re.compile(r"^\[(?P<label>[^\]]++)\]\((?P<href>[^)]++)\)")
_DOI_RESOLVER = re.compile(r"^https?://(dx\.)?doi\.org/")
_BOLD_START = re.compile(r"^\s*\*\*(.+?)\*\*")
_NAME_MARK = re.compile(r"(?:\\\*|<sup>\s*+[*†‡]++\s*+</sup>|[†‡])++")


@dataclass
class Block:
    line: int  #: 1-based line of the first line
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Unit:
    """A body paragraph (or list, quote...) being put back together, with each line's origin."""

    lines: list[tuple[str, int]] = field(default_factory=list)

    def add_block(self, block: Block, protect_first: bool = False) -> None:
        for i, line in enumerate(block.lines):
            self.lines.append((_protect(line) if (i == 0 and protect_first) else line, block.line + i))


def split_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    start = 1
    for i, line in enumerate(text.split("\n"), 1):
        if line.strip():
            if not current:
                start = i
            current.append(line)
        elif current:
            blocks.append(Block(start, current))
            current = []
    if current:
        blocks.append(Block(start, current))
    return blocks


def _protect(line: str) -> str:
    """A continuation line must not start a new Markdown block."""
    m = _BLOCK_START.match(line)
    if m:
        return line[: m.end(1)] + "\\" + line[m.end(1):]
    stripped = line.lstrip()
    if stripped[:1] in ("#", ">", "|"):
        return line[: len(line) - len(stripped)] + "\\" + stripped
    return line


def ends_sentence(text: str) -> bool:
    """Does this text end a sentence (so that what follows is not its continuation)?"""
    s = text.rstrip()
    s = _TRAILING_CALLS.sub("", s).rstrip()
    if _LINK_END.search(s) and not s.endswith("](#)"):
        return True
    s = s.rstrip("\"'’”»)]*_ ")
    return s.endswith((".", "!", "?", "…", ":", ";"))


def _starts_mid_sentence(line: str) -> bool:
    s = line.lstrip(" \"'‘“([*_")
    return bool(s) and (s[0].islower() or s[0].isdigit())


def _is_plain_paragraph(block: Block) -> bool:
    first = block.lines[0]
    return not (_BLOCK_START.match(first) or first.lstrip()[:1] in ("#", ">", "|", "`", "<"))


def _unescape(s: str) -> str:
    return _ESCAPED.sub(r"\1", s)


class ExtractedReader:
    def __init__(self, text: str, path: str, report: Report, base_dir: Path, lang: str):
        self.text = text
        self.path = path
        self.report = report
        self.base_dir = base_dir
        self.lang = lang
        self.blocks = split_blocks(text)
        self.md = MarkdownBuilder(path, report)
        self._marks: dict = {}  # author-note symbol -> author element
        self._pending_author_notes: list[Block] = []

    def pos(self, line: int | None, col: int | None = None) -> SourcePos:
        return SourcePos(self.path, line, col)

    # ------------------------------------------------------------ header

    def read(self):
        meta, rest = self._header()
        units, notes, note_anchor, ref_heading, entries, author_notes = self._layout(rest)
        lines, origin = self._emit(units, notes, note_anchor, ref_heading, entries)
        builder = MarkdownBuilder(self.path, self.report, origin=origin)
        body = builder.body("\n".join(lines))
        if author_notes:
            self._attach_author_notes(meta, author_notes)
        return _common.assemble(meta, body, path=self.path, src_file=Path(self.path).name, form="extracted",
                                lang=self.lang, report=self.report, base_dir=self.base_dir)

    def _header(self):
        blocks = self.blocks
        i = 0
        while i < len(blocks) and not _HEADING.match(blocks[i].lines[0]):
            if _REF_HEADING.match(blocks[i].text) or len(blocks[i].lines) > 1 or i > 2:
                break
            i += 1
        if i >= len(blocks) or not _HEADING.match(blocks[i].lines[0]):
            line = blocks[0].line if blocks else 1
            raise PubconvError("the document has no title: the extracted form starts with '## SERIES NUMBER - Title'",
                               self.pos(line, 1), "no-title")
        title_block = blocks[i]
        heading_text = " ".join(_HEADING.match(title_block.lines[0]).group(2).split() +
                                [ln.strip() for ln in title_block.lines[1:]])
        meta = E("meta")
        m = _SERIES.match(heading_text)
        if m:
            meta.append(E("series", E("label", m.group("label")), E("number", m.group("number")),
                          line=title_block.line))
            heading_text = m.group("title").strip()
        if not heading_text.strip():
            raise PubconvError("the title heading has no title text", self.pos(title_block.line, 1), "no-title")
        meta.append(self.md.inline(heading_text, E("title", line=title_block.line)))
        i += 1
        if i < len(blocks) and _HEADING.match(blocks[i].lines[0]) and len(blocks[i].lines) == 1 \
                and not is_reference_heading(_HEADING.match(blocks[i].lines[0]).group(2)):
            sub = _HEADING.match(blocks[i].lines[0]).group(2)
            meta.append(self.md.inline(sub, E("subtitle", line=blocks[i].line)))
            i += 1
        names: list[tuple[str, str, int]] = []  # (name, marks, line)
        date = doi = None
        bios: list[Block] = []
        author_notes: list[Block] = []
        while i < len(blocks):
            b = blocks[i]
            first = b.lines[0]
            if _BYLINE.match(first) and not names:
                names = self._byline(b)
            elif _DOI_LINE.search(b.text) and len(b.lines) == 1 and doi is None and date is None:
                date, doi = self._date_doi(b)
            elif date is None and len(b.lines) == 1 and _common.parse_date(first) is not None:
                parsed = _common.parse_date(first)
                date = _common.date_element(parsed[0], parsed[1], b.line)
            elif _AUTHOR_NOTE_START.match(first) and names:
                author_notes.append(b)
            elif names and _BOLD_START.match(first) and self._bio_owner(first, names, bios) is not None:
                bios.append(b)
            else:
                break
            i += 1
        if names:
            meta.append(E("authors", *self._authors(names, bios)))
        if date is not None:
            meta.append(date)
        if doi is not None:
            meta.append(doi)
        self._pending_author_notes = author_notes
        return meta, blocks[i:]

    def _byline(self, block: Block) -> list[tuple[str, str, int]]:
        text = _BYLINE.sub("", " ".join(ln.strip() for ln in block.lines))
        bold = list(_BOLD_NAME.finditer(text))
        if bold:
            parts = [(m.group(1), m.group(2)) for m in bold]
        else:
            parts = [(p, "") for p in _NAME_SEP.split(text) if p.strip()]
        out = []
        for name, marks in parts:
            inner = _NAME_MARK.search(name)
            if inner:  # **Name\***
                marks += inner.group(0)
                name = _NAME_MARK.sub("", name)
            name = " ".join(_unescape(name).strip(" ,").split())
            if name:
                marks = _NAME_MARKS.sub("", _unescape(marks))
                out.append((name, marks, block.line))
        return out

    def _date_doi(self, block: Block):
        line = block.lines[0]
        m = _DOI_LINE.search(line)
        before = line[: m.start()].strip().rstrip("–—-|,;").strip()
        date = doi_el = None
        if before:
            parsed = _common.parse_date(before)
            if parsed is None:
                warn(self.report, "bad-date", f"not a date: {before!r}; left out", self.pos(block.line, 1))
            else:
                date = _common.date_element(parsed[0], parsed[1], block.line)
        raw = m.group("doi").strip()
        link = _DOI_LINK.match(raw)
        value = _unescape(link.group("label") if link else raw.strip("<>")).strip()
        value = _DOI_RESOLVER.sub("", value).rstrip(".")
        if value:
            doi = _common.check_doi(value, self.pos(block.line, m.start("doi") + 1), self.report)
            if doi:
                doi_el = E("doi", doi, line=block.line)
        return date, doi_el

    def _bio_owner(self, first_line: str, names, bios) -> int | None:
        bold = fold(_BOLD_START.match(first_line).group(1))
        for k, (name, _, _) in enumerate(names):
            if fold(_common.split_name(name)[1]) in bold:
                return k
        return None

    def _authors(self, names, bios: list[Block]):
        owner: dict[int, Block] = {}
        for b in bios:
            k = self._bio_owner(b.lines[0], names, bios)
            if k is not None and k not in owner:
                owner[k] = b
        authors = []
        for k, (name, marks, line) in enumerate(names):
            given, family = _common.split_name(name)
            bio = owner.get(k)
            blocks = MarkdownBuilder(self.path, self.report, first_line=bio.line).blocks(bio.text) if bio else None
            authors.append(_common.author_element(k + 1, given, family, line, bio=blocks,
                                                  bio_line=bio.line if bio else None))
            if marks:
                self._marks[marks] = authors[-1]
        return authors

    def _attach_author_notes(self, meta, blocks: list[Block]) -> None:
        notes = E("author-notes")
        for n, b in enumerate(blocks, 1):
            m = _AUTHOR_NOTE_START.match(b.lines[0])
            symbol = next(g for g in m.groups() if g)
            text = "\n".join([b.lines[0][m.end():]] + b.lines[1:])
            content = MarkdownBuilder(self.path, self.report, first_line=b.line).blocks(text)
            note = E("author-note", *content, id=f"an-{n}", symbol=symbol, line=b.line)
            notes.append(note)
            author = self._marks.get(symbol)
            if author is not None:
                author.set("notes", " ".join(filter(None, [author.get("notes"), note.get("id")])))
            else:
                warn(self.report, "author-note", f"author note {symbol} belongs to no author in the byline",
                     self.pos(b.line))
        if len(notes):
            after = meta.find("{https://pubconv.org/ns/document/1}authors")
            after.addnext(notes) if after is not None else meta.append(notes)

    # ------------------------------------------------------------ body

    def _layout(self, blocks: list[Block]):
        units: list[Unit] = []
        unit_is_para: list[bool] = []
        notes: dict[int, list[Unit]] = {}
        note_anchor: dict[int, int] = {}
        entries: list[Unit] = []
        ref_heading = None
        in_zone = False
        zone_anchor = -1
        last_note: int | None = None
        body_ended_open = False  # the body text before the break did not end its sentence
        author_notes = list(self._pending_author_notes)
        zone_fresh = False  # no block seen yet since the last page break
        for k, b in enumerate(blocks):
            first = b.lines[0]
            if len(b.lines) == 1 and _PAGE_BREAK.match(first):
                if not in_zone:
                    zone_anchor = len(units) - 1
                    body_ended_open = bool(units) and not ends_sentence(units[-1].lines[-1][0]) and unit_is_para[-1]
                in_zone = zone_fresh = True
                continue
            if ref_heading is None and len(b.lines) == 1 and _REF_HEADING.match(first) \
                    and is_reference_heading(_REF_HEADING.match(first).group("name")):
                ref_heading = (_REF_HEADING.match(first).group("name").strip(), b.line)
                in_zone = False
                continue
            fresh, zone_fresh = zone_fresh, False
            if in_zone:
                if _NOTE_START.match(first):
                    for nb in self._split_note_block(b):
                        n = int(_NOTE_START.match(nb.lines[0]).group(1))
                        nb.lines[0] = _NOTE_START.sub("", nb.lines[0], count=1)
                        if n in notes:
                            warn(self.report, "duplicate-note",
                                 f"footnote {n} appears twice; the second text is added to the first",
                                 self.pos(nb.line, 1))
                            notes[n].append(Unit())
                        else:
                            notes[n] = [Unit()]
                            note_anchor[n] = zone_anchor
                        notes[n][-1].add_block(nb)
                        last_note = n
                    continue
                if _AUTHOR_NOTE_START.match(first):
                    author_notes.append(b)
                    continue
                if last_note is not None and self._continues_note(b, blocks[k + 1] if k + 1 < len(blocks) else None,
                                                                  notes[last_note][-1], fresh, body_ended_open):
                    if ends_sentence(notes[last_note][-1].lines[-1][0]):
                        notes[last_note].append(Unit())  # a note of several paragraphs
                        notes[last_note][-1].add_block(b)
                    else:
                        notes[last_note][-1].add_block(b, protect_first=True)
                    continue
                in_zone = False
                if body_ended_open and _is_plain_paragraph(b) and ref_heading is None:
                    units[-1].add_block(b, protect_first=True)
                    body_ended_open = False
                    continue
            if ref_heading is not None:
                if _URL_LINE.match(b.text) and entries:
                    entries[-1].add_block(b, protect_first=True)
                else:
                    entries.append(Unit())
                    entries[-1].add_block(b)
                continue
            units.append(Unit())
            units[-1].add_block(b)
            unit_is_para.append(_is_plain_paragraph(b))
        self._pending_author_notes = []
        return units, notes, note_anchor, ref_heading, entries, author_notes

    @staticmethod
    def _continues_note(block: Block, following: Block | None, note: Unit, fresh: bool, body_open: bool) -> bool:
        """Is ``block``, met among a page's footnotes, more of the last footnote?

        A block with another footnote after it is inside the footnote area, so it is
        footnote text.  The first block after a page break goes on with a footnote
        left mid-sentence (it ran over onto this page).  The last block of the area
        goes on with an unfinished footnote only if it starts mid-sentence and the
        body text before the break was complete; otherwise the body resumes.
        """
        if following is not None and _NOTE_START.match(following.lines[0]):
            return True
        note_open = not ends_sentence(note.lines[-1][0])
        if fresh:
            return note_open
        return note_open and not body_open and _starts_mid_sentence(block.lines[0])

    def _split_note_block(self, block: Block) -> list[Block]:
        out: list[Block] = []
        for i, line in enumerate(block.lines):
            if _NOTE_START.match(line) or not out:
                out.append(Block(block.line + i, [line]))
            else:
                out[-1].lines.append(line)
        return out

    # ------------------------------------------------------------ emit

    def _emit(self, units, notes, note_anchor, ref_heading, entries):
        lines: list[str] = []
        origin: list[int] = []

        def emit(text: str, line: int) -> None:
            lines.append(text)
            origin.append(line)

        called = {int(n) for u in units for text, _ in u.lines for n in _CALL.findall(text)}
        for n in sorted(set(notes) - called):
            anchor = note_anchor.get(n, -1)
            if anchor < 0 or anchor >= len(units):
                anchor = len(units) - 1
            first_line = notes[n][0].lines[0][1]
            if anchor < 0:
                warn(self.report, "uncalled-note", f"footnote {n} is never called and has no paragraph to go with; "
                     "left out", self.pos(first_line, 1))
                continue
            warn(self.report, "uncalled-note",
                 f"footnote {n} is never called in the text; placed at the end of the paragraph before it",
                 self.pos(first_line, 1))
            text, line = units[anchor].lines[-1]
            units[anchor].lines[-1] = (text + f"<sup>{n}</sup>", line)

        def call(m: re.Match) -> str:
            n = int(m.group(1))
            return f"[^{n}]" if n in notes else m.group(0)

        for u in units:
            for text, line in u.lines:
                for m in _CALL.finditer(text):
                    if int(m.group(1)) not in notes:
                        warn(self.report, "missing-note", f"footnote call {m.group(1)} has no footnote",
                             self.pos(line, m.start() + 1))
                emit(_CALL.sub(call, text), line)
            emit("", u.lines[-1][1])
        for n in sorted(notes):
            for k, para in enumerate(notes[n]):
                for j, (text, line) in enumerate(para.lines):
                    if k == 0 and j == 0:
                        emit(f"[^{n}]: {text.strip()}", line)
                    else:
                        emit("    " + text.strip(), line)
                emit("", para.lines[-1][1])
        if ref_heading is not None:
            emit(f"## {ref_heading[0]}", ref_heading[1])
            emit("", ref_heading[1])
            for entry in entries:
                for text, line in entry.lines:
                    emit(text, line)
                emit("", entry.lines[-1][1])
        return lines, origin


def read(text: str, path: str, report: Report, base_dir: Path, lang: str = "en"):
    """Read the extracted form (``text`` already decoded, newlines normalized)."""
    return ExtractedReader(text, path, report, base_dir, lang).read()




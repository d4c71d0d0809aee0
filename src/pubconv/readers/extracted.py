"""The extracted form: Markdown pulled out of a published PDF.

Its shape (see ``docs/format.md``): a header block (``## SERIES NUMBER - Title``,
``By **Name**``, a date and DOI line, one bio paragraph per author), then the
body, where every page break left a ``---`` line followed by that page's
footnotes as ``<sup>N</sup> text`` blocks, and then the reference list after a
``**References:**`` line, each entry followed by its URL on a line of its own.

The header is read block by block by role in :mod:`._header` (series, title,
byline, date/venue/DOI lines, affiliations, author notes, bios, abstract,
keywords; anything else is reported and kept); an "About the author(s)" section
further down goes to the bios.  This module undoes the page layout and hands the
rest to the shared Markdown builder, in the authoring dialect:

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

from ..document import LINE, NS, E, fold, q
from ..errors import PubconvError, Report, SourcePos, warn
from . import _common, _header
from ._markdown import MarkdownBuilder, is_reference_heading

# Every pattern here is linear on any input (possessive runs, bounded repeats; docs/robustness.md).
_HEADING = re.compile(r"^(#{1,6})\s++((?:.*(?:[^\s#]|#(?=\s)))?)\s*+#*+\s*+$")
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
_ABOUT = re.compile(r"^about the (?:authors?|contributors?|authors?\(s\))[ \t]*:?$", re.I)


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
    def __init__(self, text: str, path: str, report: Report, base_dir: Path, lang: str, series_labels=()):
        self.series_labels = frozenset(series_labels)
        self.text = text
        self.path = path
        self.report = report
        self.base_dir = base_dir
        self.lang = lang
        self.blocks = split_blocks(text)
        self.md = MarkdownBuilder(path, report)
        self._pending_author_notes: list = []  # (symbol, block, owners)

    def pos(self, line: int | None, col: int | None = None) -> SourcePos:
        return SourcePos(self.path, line, col)

    # ------------------------------------------------------------ header

    def read(self):
        header = _header.read_header(self.blocks, self.path, self.report, self.md, self.series_labels)
        self.header = header
        meta = header.meta
        rest = self._about_authors(header, header.rest)
        self._pending_author_notes = list(header.author_notes)
        units, notes, note_anchor, ref_heading, entries, author_notes = self._layout(rest)
        title_calls = {n for n in header.title_calls if n in notes}
        if title_calls:  # the title goes through the body's parse, so that its notes are the body's notes
            title_el = meta.find(f"{{{NS}}}title")
            units.insert(0, Unit([("# " + header.title_text, int(title_el.get(LINE)))]))
        lines, origin = self._emit(units, notes, note_anchor, ref_heading, entries)
        builder = MarkdownBuilder(self.path, self.report, origin=origin)
        builder.printed_numbers = True
        body = builder.body("\n".join(lines))
        if title_calls:
            _common.take_title(meta, body)
        if author_notes:
            self._attach_author_notes(meta, author_notes)
        return _common.assemble(meta, body, path=self.path, src_file=Path(self.path).name, form="extracted",
                                lang=self.lang, report=self.report, base_dir=self.base_dir)

    def _about_authors(self, header, blocks: list[Block]) -> list[Block]:
        """An "About the author(s)" section (anywhere after the header) goes to the authors' bios."""
        if not header.persons:
            return blocks
        for k, b in enumerate(blocks):
            if len(b.lines) != 1 or not _ABOUT.match(_header.strip_emphasis(_HEADING.sub(r"\2", b.lines[0]))):
                continue
            taken = []
            j = k + 1
            while j < len(blocks):
                nb = blocks[j]
                if _HEADING.match(nb.lines[0]) or _PAGE_BREAK.match(nb.lines[0]) or \
                        (_REF_HEADING.match(nb.text) and is_reference_heading(_REF_HEADING.match(nb.text).group("name"))):
                    break
                owner = _header.bio_owner(nb.text, [p.name for p in header.persons])
                if owner is None:
                    if not taken:
                        break
                    header.persons[taken[-1]].bio.append(nb)  # a bio of several paragraphs
                else:
                    header.persons[owner].bio.append(nb)
                    taken.append(owner)
                j += 1
            if not taken:
                continue
            authors = header.meta.find(f"{{{NS}}}authors")
            for i, person in enumerate(header.persons):
                if i in taken:
                    self._set_bio(person)
            return blocks[:k] + blocks[j:]
        return blocks

    def _set_bio(self, person) -> None:
        el = person.el
        old = el.find(f"{{{NS}}}bio")
        if old is not None:
            el.remove(old)
        content = []
        for b in person.bio:
            content += MarkdownBuilder(self.path, self.report, first_line=b.line).blocks(b.text)
        if content:
            el.append(E("bio", *content, line=person.bio[0].line))

    def _attach_author_notes(self, meta, notes) -> None:
        """``author-notes``: each linked to the authors whose byline mark calls it."""
        holder = E("author-notes")
        notes = [n for n in notes if not self._footnote_affiliation(meta, *n)]
        for n, (symbol, b, owners) in enumerate(notes, 1):
            content = MarkdownBuilder(self.path, self.report, first_line=b.line).blocks(b.text)
            if not content:
                continue
            note = E("author-note", *content, id=f"an-{n}", symbol=symbol, line=b.line)
            holder.append(note)
            if not owners:
                owners = [p for p in self.header.persons if symbol in p.marks]
            for person in owners:
                if person.el is not None:
                    person.el.set("notes", " ".join(filter(None, [person.el.get("notes"), note.get("id")])))
            if not owners and symbol not in self.header.title_marks:
                warn(self.report, "author-note", f"author note {symbol} belongs to no author in the byline",
                     self.pos(b.line))
        if len(holder):
            after = meta.find(f"{{{NS}}}authors")
            if after is not None:
                after.addnext(holder)
            else:
                meta.find(f"{{{NS}}}subtitle" if meta.find(f"{{{NS}}}subtitle") is not None
                          else f"{{{NS}}}title").addnext(holder)

    def _footnote_affiliation(self, meta, symbol: str, b: Block, owners) -> bool:
        """A numbered note on the byline that names an institution is an affiliation printed as a footnote."""
        if not symbol.isdigit() or not _header.is_affiliation_text(" ".join(b.text.split())):
            return False
        affs = meta.find(f"{{{NS}}}affiliations")
        if affs is None:
            affs = E("affiliations")
            meta.append(affs)
        aff_id = f"aff-{len(affs) + 1}"
        affs.append(_header.aff_element(aff_id, _header.strip_emphasis(" ".join(b.text.split())), b.line, symbol))
        for person in self.header.persons:
            if symbol in person.marks and person.el is not None:
                person.el.set("affs", " ".join(filter(None, [person.el.get("affs"), aff_id])))
        return True

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
                        if n in self.header.byline_calls and n not in notes:
                            author_notes.append((str(n), nb, None))  # a note on the byline: an author note
                            last_note = None
                            continue
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
                    m = _AUTHOR_NOTE_START.match(first)
                    symbol = next(g for g in m.groups() if g)
                    author_notes.append((symbol, Block(b.line, [first[m.end():]] + b.lines[1:]), None))
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


def read(text: str, path: str, report: Report, base_dir: Path, lang: str = "en", series_labels=()):
    """Read the extracted form (``text`` already decoded, newlines normalized).

    ``series_labels`` are the labels the publisher configuration lists (``[series.LABEL]``): a title that
    starts with one of them followed by a dash or colon has it as its series label, number or not.
    """
    return ExtractedReader(text, path, report, base_dir, lang, series_labels).read()




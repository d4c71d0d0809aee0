"""The header of an extracted document, read block by block by role.

A PDF's first page prints a title, a byline and a handful of other blocks in no
fixed order: a series label, date/venue/DOI lines, affiliations, author notes,
bios, an abstract, keywords.  :func:`read_header` classifies each block from the
top of the file until a clear body boundary (a page break, a section heading, or
a prose paragraph that is none of those roles).  A header block it cannot place
is reported (``unread-header``, with its line) and handed back to the body, so
that no text is ever dropped silently.

The parts of lines (dates, DOIs, venues, names, marks, affiliations) are read by
:mod:`._fields`, whose patterns are all linear on any input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..document import E, fold
from ..errors import PubconvError, Report, SourcePos, warn
from . import _common
from ._fields import (  # parse_*, bio_owner and aff_element are also this module's face
    is_affiliation_text, split_fields,
    DateValue, HEADING, PAGE_BREAK, SERIES_WORDS, SUFFIXES, Venue, _BY, _LABEL_LINE, _LEAD_MARK, _MARK,
    _NAME_SEP, _NOT_NAME_WORDS, _ROLE_WORDS, _SERIES_HEAD, _SYMBOL_CALL, _continues, _demphasize,
    _heading_text, _is_role_heading, _note_like, _numbered_calls, _strip_lead_mark, _toml_key,
    _wrapped_in_emphasis, aff_element, bio_owner, is_institution, is_prose, looks_like_name, mark_list,
    normalize_marks, parse_date, parse_doi, parse_meta_line, parse_venue, split_suffix, strip_emphasis,
    strip_honorifics,
)


#: A line that starts a list, a quote, a table or a figure: the body has begun.
_BODY_BLOCK = re.compile(r"^[ \t]{0,3}(?:[-+*][ \t]|\d{1,9}[.)][ \t]|>|\||!\[)")


# ------------------------------------------------------------------ the header


@dataclass
class Person:
    name: str
    marks: list[str]
    line: int
    affiliations: list[str] = field(default_factory=list)  # aff ids
    bio: list = field(default_factory=list)  # blocks (Block objects)
    el: etree._Element | None = None


@dataclass
class Header:
    """What :func:`read_header` found; ``rest`` are the blocks that go to the body, in order."""

    meta: etree._Element
    rest: list
    author_notes: list  # (symbol, Block whose text starts after the mark, owner Person | None)
    byline_calls: set  # numbered marks in the byline with no affiliation: author notes to find among the notes
    title_calls: list  # numbered calls in the title: article footnotes
    persons: list
    title_text: str = ""
    subtitle_text: str | None = None
    title_marks: frozenset = frozenset()  # symbols (``*``) called in the title: notes on the whole piece


class HeaderReader:
    def __init__(self, blocks: list, path: str, report: Report, md, series_labels=frozenset()):
        self.blocks = blocks
        self.path = path
        self.report = report
        self.md = md
        self.series_labels = {label.upper(): label for label in series_labels}
        self.persons: list[Person] = []
        self.affs: list[tuple[str, int, list[str]]] = []  # (text, line, marks)
        self.aff_ids: dict[str, str] = {}  # mark -> aff id
        self.unread: list = []
        self.author_notes: list = []
        self.date: DateValue | None = None
        self.date_line = None
        self.doi = None
        self.venue: Venue | None = None
        self.venue_line = None
        self.abstract: list = []
        self.keywords: list[str] = []
        self.keywords_line = None
        self.series: tuple[str, str | None, int] | None = None
        self.last_byline: list[Person] = []
        self._pending_marked: list = []
        self._last_role = ""

    def pos(self, line, col=None) -> SourcePos:
        return SourcePos(self.path, line, col)

    # -------------------------------------------------------------- entry

    def read(self) -> Header:
        blocks = self.blocks
        t = self._find_title()
        for b in blocks[:t]:
            if not self._pre_title(b):
                self._unread(b)
        i = t
        title_block = blocks[i]
        title_lines = [_heading_text(ln) for ln in title_block.lines]
        title_text, subtitle = title_lines[0], None
        for extra in title_lines[1:]:
            if title_text.rstrip().endswith(":") and subtitle is None:
                title_text, subtitle = title_text.rstrip()[:-1].rstrip(), extra
            elif subtitle is not None:
                subtitle += " " + extra
            else:
                title_text += " " + extra
        i += 1
        subtitle_line = title_block.line
        # a heading right after the title: its continuation or a subtitle
        if i < len(blocks) and HEADING.match(blocks[i].lines[0]) and len(blocks[i].lines) == 1 \
                and not _is_role_heading(blocks[i].lines[0]) and subtitle is None:
            nxt = _heading_text(blocks[i].lines[0])
            if title_text.rstrip().endswith(":"):  # "Title:" over "Subtitle"
                title_text = title_text.rstrip()[:-1].rstrip()
                subtitle, subtitle_line = nxt, blocks[i].line
            elif _continues(title_text, nxt):  # a title printed over two lines
                title_text += " " + nxt
            else:
                subtitle, subtitle_line = nxt, blocks[i].line
            i += 1
        title_text = self._series_in_title(title_text, title_block.line)
        raw_title = title_text
        # a symbol mark on the title (``\*``, ``<sup>*</sup>``) calls a note on the whole piece: kept apart
        title_text = _SYMBOL_CALL.sub("", title_text).rstrip()
        if not title_text.strip():
            raise PubconvError("the title heading has no title text", self.pos(title_block.line, 1), "no-title")
        rest_start = self._roles(i)
        self._resolve_marked()
        meta = self._meta(title_text, title_block.line, subtitle, subtitle_line)
        return Header(meta=meta, rest=self.unread + blocks[rest_start:], author_notes=self.author_notes,
                      byline_calls=self._byline_calls(), title_calls=_numbered_calls(title_text),
                      persons=self.persons, title_text=title_text, subtitle_text=subtitle,
                      title_marks=frozenset(mk for m in _MARK.finditer(normalize_marks(raw_title))
                                            for mk in mark_list(m.group(1))))

    def _find_title(self) -> int:
        for k, b in enumerate(self.blocks[:10]):
            if HEADING.match(b.lines[0]):
                return k
            if PAGE_BREAK.match(b.lines[0]) or is_prose(b.text):
                break
        line = self.blocks[0].line if self.blocks else 1
        raise PubconvError("the document has no title: the extracted form starts with a '## Title' heading "
                           "(for example '## SERIES NUMBER - Title')", self.pos(line, 1), "no-title")

    def _unread(self, b) -> None:
        text = " ".join(b.text.split())
        warn(self.report, "unread-header",
             f"header block not understood, kept as a body paragraph: {text[:60]!r}", self.pos(b.line, 1))
        self.unread.append(b)

    def _pre_title(self, b) -> bool:
        if len(b.lines) == 1 and self.series is None:
            line = " ".join(strip_emphasis(b.lines[0]).split())
            m = _SERIES_HEAD.match(line)
            if m and not m.group(3) and (m.group(2) or self._is_series_label(m.group(1), b.line, report=True)):
                self.series = (m.group(1).strip(), m.group(2), b.line)
                return True
            if self._series_line(line, b):
                return True
        return self._meta_block(b)

    def _series_line(self, line: str, b) -> bool:
        """``Policy Brief No. 12 | March 2021`` above the title: a series label in any case, then meta fields."""
        fields = split_fields(line)
        words = fields[0].split() if fields else []
        number = None
        if len(words) > 1 and words[-1].lstrip("#").isdigit():
            number = words.pop().lstrip("#")
            if words and words[-1].rstrip(".").lower() in ("no", "nr", "n°", "nº"):
                words.pop()
        if not words or not all(w.strip(".:").lower() in SERIES_WORDS for w in words):
            return False
        rest = fields[1:]
        results = [parse_meta_line(f) for f in rest]
        if any(r is None or r.unread for r in results):
            return False
        self.series = (" ".join(words), number, b.line)
        if number is None:
            self._is_series_label(" ".join(words), b.line, report=True)
        if rest:
            self._meta_block(type(b)(b.line, [" | ".join(rest)]))
        return True

    # -------------------------------------------------------------- series label

    def _is_series_label(self, label: str, line: int, report: bool) -> bool:
        key = " ".join(label.split()).upper()
        if key in self.series_labels:
            return True
        words = [w.strip(".:").lower() for w in key.split()]
        if words and all(w in SERIES_WORDS or w in ("&", "and") for w in words):
            if report:
                warn(self.report, "inferred-series",
                     f"{label!r} read as a series label without a number; list it as [series.{_toml_key(key)}] "
                     "in pubconv.toml to confirm", self.pos(line, 1))
            return True
        return False

    def _series_in_title(self, text: str, line: int) -> str:
        m = _SERIES_HEAD.match(text)
        if m and m.group(3) and self.series is None:
            label, number = " ".join(m.group(1).split()), m.group(2)
            if number:
                # "POLICY BRIEF #5 - Title", "COMMENT 207 - Title"
                self.series = (label, number, line)
                return m.group(3).strip()
            if self._is_series_label(label, line, report=True):
                self.series = (label, None, line)
                return m.group(3).strip()
            if len(label) >= 2 and label.replace(" ", "").isalpha():
                warn(self.report, "title-label",
                     f"the title starts with {label!r}: kept in the title; if it is a series label, list it as "
                     f"[series.{_toml_key(label)}] in pubconv.toml", self.pos(line, 1))
        return text

    # -------------------------------------------------------------- roles

    def _roles(self, i: int) -> int:
        blocks = self.blocks
        while i < len(blocks):
            b = blocks[i]
            first = b.lines[0]
            if PAGE_BREAK.match(first) and len(b.lines) == 1:
                return i
            m = HEADING.match(first)
            if m:
                label = _LABEL_LINE.match(strip_emphasis(m.group(2)))
                if label and _LABEL_LINE.match(strip_emphasis(m.group(2))).end() >= len(strip_emphasis(m.group(2))):
                    kind = label.group(1).lower()
                    if kind in ("abstract", "summary", "executive summary") and i + 1 < len(blocks):
                        self._abstract_blocks([blocks[i + 1]], blocks[i].line)
                        i += 2
                        continue
                return i
            if self._role(b, blocks, i):
                i += self._consumed
                continue
            if is_prose(b.text) or _BODY_BLOCK.match(first):  # running text, a list, a quote, a table, a figure
                return i
            self._unread(b)
            i += 1
        return i

    _consumed = 1

    def _role(self, b, blocks, i) -> bool:
        self._consumed = 1
        prev, self._last_role = self._last_role, "other"
        text = b.text
        plain = strip_emphasis(text)
        # labelled abstract / keywords
        m = _LABEL_LINE.match(text)
        if m:
            kind = m.group(1).lower().replace(" ", "")
            rest = text[m.end():].strip()
            if kind in ("keywords", "tags"):
                self._keywords(rest, b.line)
                return True
            if kind.startswith("about") and not rest:  # "About the authors": the bios follow
                return True
            if kind in ("abstract", "summary", "executivesummary"):
                if rest:
                    self._abstract_text(rest, b.line)
                elif i + 1 < len(blocks) and not HEADING.match(blocks[i + 1].lines[0]):
                    self._abstract_blocks([blocks[i + 1]], b.line)
                    self._consumed = 2
                return True
        # author notes and numbered affiliation lines
        if _LEAD_MARK.match(normalize_marks(b.lines[0])) and (self.persons or self.series):
            self._marked_lines(b)
            return True
        if self._meta_block(b):
            return True
        if self.persons and self._bio(b):
            return True
        if self._byline(b, open_=not self.persons or prev == "byline"):
            self._last_role = "byline"
            return True
        if self.persons and len(b.lines) <= 3 and all(is_institution(ln) and not is_prose(ln) for ln in b.lines):
            for ln in b.lines:
                self._add_aff(ln, b.line, [], self.last_byline or self.persons)
            return True
        if self.persons and not self.abstract and _wrapped_in_emphasis(text) and len(plain.split()) >= 15:
            self._abstract_text(text.strip()[1:-1].strip(), b.line)
            return True
        return False

    def _meta_block(self, b) -> bool:
        results = []
        for ln in b.lines:
            r = parse_meta_line(ln)
            if r is None:
                return False
            results.append(r)
        for k, r in enumerate(results):
            if r.date is not None and r.date.problem:
                warn(self.report, "bad-date", f"{r.date.problem}; the line is kept as body text",
                     self.pos(b.line + k, 1))
                self.unread.append(b)
                return True
        for k, r in enumerate(results):
            line = b.line + k
            if (r.date is not None and self.date is not None and r.date != self.date) or \
                    (r.doi is not None and self.doi is not None and r.doi != self.doi[0]) or \
                    (r.venue is not None and self.venue is not None and r.venue != self.venue):
                # a second date (an update), DOI or venue has no field of its own: kept as printed
                warn(self.report, "unread-header", "a second date, DOI or venue line, kept as a body paragraph: "
                     f"{' '.join(b.lines[k].split())[:60]!r}", self.pos(line, 1))
                self.unread.append(type(b)(line, [b.lines[k]]))
                continue
            if r.date is not None:
                self.date, self.date_line = r.date, line
            if r.doi is not None:
                self.doi = (r.doi, line)
            if r.venue is not None:  # an issue date stays with the source
                self.venue, self.venue_line = r.venue, line
            for f in r.unread:  # kept, as a paragraph of its own
                warn(self.report, "unread-header",
                     f"part of a date/venue line not understood, kept as a body paragraph: {f!r}", self.pos(line, 1))
                self.unread.append(type(b)(line, [f]))
        return True

    def _byline(self, b, open_: bool = True) -> bool:
        """A byline block: names (with marks), optionally an affiliation line under each name line.

        Without ``open_`` (other roles came since the last byline) only a line that starts with "By" is one.
        """
        found: list[list[Person]] = []
        pending_affs: list[tuple[str, int, list[Person]]] = []
        for k, raw in enumerate(b.lines):
            line = b.line + k
            bylined = bool(_BY.match(strip_emphasis(raw)))
            names = self._names(raw, line, bylined=bylined) if (bylined or open_ or found) else None
            if names is not None:
                found.append(names)
                continue
            if found and not is_prose(raw) and not _note_like(raw):
                pending_affs.append((raw, line, found[-1]))
                continue
            return False
        if not found:
            return False
        known = {fold(q.name): q for q in self.persons}
        for names in found:
            for p in names:
                same = known.get(fold(p.name))
                if same is None:
                    self.persons.append(p)
                    known[fold(p.name)] = p
                else:
                    same.marks += [m for m in p.marks if m not in same.marks]
        self.last_byline = list({id(known[fold(p.name)]): known[fold(p.name)] for p in found[-1]}.values())
        for text, line, owners in pending_affs:
            owners = list({id(known[fold(p.name)]): known[fold(p.name)] for p in owners}.values())
            self._add_aff(text, line, [], owners)
        return True

    def _names(self, raw: str, line: int, bylined: bool) -> list[Person] | None:
        text = " ".join(_demphasize(normalize_marks(raw)).split())
        has_bold = "**" in raw or "__" in raw
        text = _BY.sub("", text.strip(), count=1) if bylined else text
        # commas inside a mark ("1,2") are not name separators
        text = _MARK.sub(lambda m: "\x00" + m.group(1).replace(",", "\x02") + "\x01", text)
        parts = _NAME_SEP.split(text)
        people: list[Person] = []
        affs: list[str] = []
        for part in parts:
            marks = []
            for m in _MARK.finditer(part):
                marks += mark_list(m.group(1).replace("\x02", ","))
            name = _MARK.sub("", part).strip()
            name = name.replace("\\", "")
            if not name and marks and people:
                people[-1].marks += marks
                continue
            if not name:
                continue
            if name.lower().rstrip(".") in ("jr", "sr", "ii", "iii", "iv") and people:
                people[-1].name += " " + SUFFIXES[name.lower().rstrip(".")] if name.lower() in SUFFIXES else \
                    " " + name
                continue
            if people and is_institution(name):
                affs.append(name)
                continue
            clean = strip_honorifics(name)
            words = set(fold(clean).split())
            if looks_like_name(clean) and (bylined or has_bold or len(clean.split()) >= 2) and \
                    not _ROLE_WORDS & words and (bylined or not _NOT_NAME_WORDS & words):
                people.append(Person(clean, marks, line))
                continue
            if bylined and people and not is_prose(name):  # "By Ann Lee, Senior Fellow at CRPS": her position
                affs.append(name)
                continue
            return None
        if not people:
            return None
        for a in affs:
            self._add_aff(a, line, [], people[-1:])
        return people

    def _marked_lines(self, b) -> None:
        """Lines that start with a mark: numbered affiliations or author notes (a note may run on)."""
        groups: list[tuple[str, list[str], int]] = []
        for k, raw in enumerate(b.lines):
            norm = normalize_marks(raw)
            m = _LEAD_MARK.match(norm)
            if m:
                groups.append((m.group(1), [raw], b.line + k))
            elif groups:
                groups[-1][1].append(raw)
            else:
                groups.append(("", [raw], b.line + k))
        self._pending_marked += [(mark, lines, line, b) for mark, lines, line in groups]

    def _resolve_marked(self) -> None:
        """Marked lines are placed once the whole header is read: a byline may come after its affiliations."""
        used = {mk for p in self.persons for mk in p.marks}
        for mark, lines, line, b in self._pending_marked:
            text = " ".join(_strip_lead_mark(ln) if j == 0 else ln.strip() for j, ln in enumerate(lines))
            symbolic = mark and not any(c.isalnum() for c in mark)
            owners = [p for p in self.persons if mark in p.marks]
            if mark and not symbolic and mark in used and is_affiliation_text(text):
                self._add_aff(text, line, [mark], owners)
            else:
                body_lines = [_strip_lead_mark(lines[0])] + lines[1:]
                self.author_notes.append((mark or "*", type(b)(line, body_lines), owners))

    def _add_aff(self, text: str, line: int, marks: list[str], owners: list[Person]) -> None:
        text = strip_emphasis(text).strip().rstrip(";,").strip()
        if not text:
            return
        aff_id = f"aff-{len(self.affs) + 1}"
        self.affs.append((text, line, marks))
        for p in owners:
            p.affiliations.append(aff_id)

    def _bio(self, b) -> bool:
        k = bio_owner(b.text, [p.name for p in self.persons])
        if k is None or len(strip_emphasis(b.text).split()) < 6:
            return False
        if _wrapped_in_emphasis(b.text):
            b = type(b)(b.line, [strip_emphasis(b.text)])
        self.persons[k].bio.append(b)
        return True

    def _keywords(self, rest: str, line: int) -> None:
        rest = strip_emphasis(rest).strip().rstrip(".")
        sep = ";" if ";" in rest else ","
        self.keywords += [k.strip().strip("*_").strip() for k in rest.split(sep) if k.strip().strip("*_").strip()]
        self.keywords_line = self.keywords_line or line

    def _abstract_text(self, text: str, line: int) -> None:
        self.abstract.append((strip_emphasis(text) if _wrapped_in_emphasis(text) else text.strip(), line))

    def _abstract_blocks(self, blocks, line: int) -> None:
        for b in blocks:
            self.abstract.append((b.text, b.line))

    def _byline_calls(self) -> set:
        used = {mk for p in self.persons for mk in p.marks if mk.isdigit()}
        resolved = {mk for _, _, marks in self.affs for mk in marks}
        resolved |= {mk for mk, _, _ in self.author_notes}
        return {int(mk) for mk in used - resolved}

    # -------------------------------------------------------------- the meta element

    def _meta(self, title_text: str, title_line: int, subtitle: str | None, subtitle_line: int) -> etree._Element:
        """``meta`` in the schema's order; author notes are added by the caller once all are known."""
        from ._markdown import MarkdownBuilder

        meta = E("meta")
        if self.series is not None:
            label, number, line = self.series
            meta.append(E("series", E("label", label), E("number", number) if number else None, line=line))
        meta.append(self.md.inline(title_text, E("title", line=title_line)))
        if subtitle:
            meta.append(self.md.inline(subtitle, E("subtitle", line=subtitle_line)))
        if self.persons:
            authors = E("authors")
            for k, p in enumerate(self.persons, 1):
                base, suffix = split_suffix(p.name)
                given, family = _common.split_name(base)
                bio = bio_line = None
                if p.bio:
                    bio, bio_line = [], p.bio[0].line
                    for b in p.bio:
                        bio += MarkdownBuilder(self.path, self.report, first_line=b.line).blocks(b.text)
                el = _common.author_element(k, given, family, p.line, bio=bio, bio_line=bio_line, suffix=suffix)
                if p.affiliations:
                    el.set("affs", " ".join(dict.fromkeys(p.affiliations)))
                p.el = el
                authors.append(el)
            meta.append(authors)
        if self.date is not None:
            meta.append(_common.date_element(self.date.iso, self.date.season, self.date_line))
        if self.doi is not None:
            meta.append(E("doi", self.doi[0], line=self.doi[1]))
        if self.keywords:
            meta.append(E("keywords", *[E("keyword", k) for k in self.keywords]))
        if self.abstract:
            blocks = []
            for text, line in self.abstract:
                blocks += MarkdownBuilder(self.path, self.report, first_line=line).blocks(text)
            if blocks:
                meta.append(E("abstract", *blocks, line=self.abstract[0][1]))
        if self.venue is not None:
            v = self.venue
            meta.append(E("source", E("journal", v.journal) if v.journal else None,
                          E("volume", v.volume) if v.volume else None, E("issue", v.issue) if v.issue else None,
                          E("fpage", v.fpage) if v.fpage else None, E("lpage", v.lpage) if v.lpage else None,
                          E("elocation", v.elocation) if v.elocation else None,
                          E("date", iso=v.date.iso, season=v.date.season) if v.date and v.date.iso else None,
                          line=self.venue_line))
        if self.affs:
            affs = E("affiliations")
            for k, (text, line, marks) in enumerate(self.affs, 1):
                affs.append(aff_element(f"aff-{k}", text, line, marks[0] if marks else None))
            meta.append(affs)
        return meta


def read_header(blocks: list, path: str, report: Report, md, series_labels=frozenset()) -> Header:
    """Classify the header blocks (see the module docstring)."""
    return HeaderReader(blocks, path, report, md, series_labels).read()

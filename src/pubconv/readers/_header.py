"""The header of an extracted document, read block by block by role.

A PDF's first page prints a title, a byline and a handful of other blocks in no
fixed order: a series label, date/venue/DOI lines, affiliations, author notes,
bios, an abstract, keywords.  :func:`read_header` classifies each block from the
top of the file until a clear body boundary (a page break, a section heading, or
a prose paragraph that is none of those roles).  A header block it cannot place
is reported (``unread-header``, with its line) and handed back to the body, so
that no text is ever dropped silently.

Every pattern here is linear on any input: anchored, with single quantifiers on
disjoint character classes; anything more involved is done with string methods.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from lxml import etree

from ..document import E, fold
from ..errors import PubconvError, Report, SourcePos, warn
from . import _common

# ------------------------------------------------------------------ vocabulary

#: Words that make a line an institution (an affiliation), compared folded and whole.
INSTITUTION_WORDS = frozenset("""
university universite universitat universidad universita universiteit universidade uniwersytet
institute institut instituto istituto centre center centro college school department dept faculty
foundation stiftung fondation council ministry agency academy laboratory lab labs hospital programme
program forum society association bank commission office corporation inc ltd gmbh observatory
initiative fund trust network organisation organization museum library polytechnic politecnico
think-tank division unit group chair
""".split())
#: Series words that make an all-caps label without a number a series (others may be acronyms).
SERIES_WORDS = frozenset("""
comment commentary commentaries feature brief briefing policy paper papers working note notes report
analysis opinion essay perspective perspectives insight insights focus special editorial review update
viewpoint op-ed oped column memo backgrounder explainer research spotlight dossier study studies
occasional discussion issue issues letter interview series publication
""".split())
#: Country names and common short forms, folded (an affiliation's last part is its country when listed here).
COUNTRIES = frozenset(x.strip() for x in """
afghanistan, albania, algeria, argentina, armenia, australia, austria, azerbaijan, bangladesh, belarus, belgium,
bhutan, bolivia, bosnia and herzegovina, botswana, brazil, bulgaria, cambodia, cameroon, canada, chile, china,
colombia, costa rica, croatia, cuba, cyprus, czechia, czech republic, denmark, ecuador, egypt, estonia, ethiopia,
finland, france, georgia, germany, ghana, greece, guatemala, hungary, iceland, india, indonesia, iran, iraq,
ireland, israel, italy, jamaica, japan, jordan, kazakhstan, kenya, kosovo, kuwait, kyrgyzstan, laos, latvia,
lebanon, libya, lithuania, luxembourg, malaysia, maldives, mali, malta, mexico, moldova, mongolia, montenegro,
morocco, mozambique, myanmar, nepal, netherlands, the netherlands, new zealand, nigeria, north macedonia, norway,
oman, pakistan, palestine, panama, paraguay, peru, philippines, poland, portugal, qatar, romania, russia,
rwanda, saudi arabia, senegal, serbia, singapore, slovakia, slovenia, somalia, south africa, south korea, korea,
spain, sri lanka, sudan, sweden, switzerland, syria, taiwan, tajikistan, tanzania, thailand, tunisia, turkey,
türkiye, turkiye, turkmenistan, uganda, ukraine, united arab emirates, uae, united kingdom, uk, u.k, england,
scotland, wales, united states, united states of america, usa, u.s.a, us, u.s, uruguay, uzbekistan, venezuela,
vietnam, viet nam, yemen, zambia, zimbabwe, hong kong, macau, vatican
""".replace("\n", " ").split(","))
HONORIFICS = frozenset("dr dr. prof prof. professor mr mr. mrs mrs. ms ms. mx miss sir dame hon hon. rev rev. "
                       "amb amb. ambassador gen gen. general col col. colonel lt lt. maj maj. capt capt. "
                       "univ.-prof. priv.-doz. ing. dipl.".split())
SUFFIXES = {"jr": "Jr.", "jr.": "Jr.", "sr": "Sr.", "sr.": "Sr.", "ii": "II", "iii": "III", "iv": "IV"}
_LABELS = ("published online", "first published", "published", "posted on", "posted", "updated", "released",
           "date", "online", "issued")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
#: Words that make a short capitalised line a heading or label rather than a name (for lines without "By").
_NOT_NAME_WORDS = frozenset("""
the of for on in to a an key findings summary introduction background conclusion conclusions executive
recommendations recommendation overview highlights contents table notes note abstract keywords main points
policy brief paper report commentary comment analysis editorial foreword preface acknowledgements
acknowledgments methodology methods results discussion about authors author press release
""".split())
#: Position words: a byline part made of them is the author's position, not another author.
_ROLE_WORDS = frozenset("""
fellow senior junior director researcher analyst associate assistant editor chair head lecturer scientist
economist adviser advisor officer manager coordinator president founder candidate student intern consultant
ambassador minister secretary correspondent contributor emeritus emerita visiting nonresident non-resident
""".split())
_NOTE_WORDS = ("correspond", "thank", "grateful", "acknowledg", "email", "e-mail", "views expressed",
               "opinions expressed", "contact", "contributed", "equally", "@")

# ------------------------------------------------------------------ patterns (all linear)

HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")
PAGE_BREAK = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$")
_BY = re.compile(r"^(?:by|authors?|written by)\b[ \t]*:?[ \t]*", re.I)
_MARK_SUP = re.compile(r"<sup>[ \t]*([0-9a-z*†‡§, ]{1,12})[ \t]*</sup>", re.I)
_MARK_CARET = re.compile(r"\^([0-9a-z*†‡,]{1,8})\^")
_MARK_UNI = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,4}(?:,[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,4}){0,4}")
_MARK_SYM = re.compile(r"(?:\\\*){1,3}|[†‡§]{1,3}")
_MARK = re.compile(r"\x00([^\x01]{1,20})\x01")  # a mark after normalisation
_LEAD_MARK = re.compile(r"^[ \t]*\x00([^\x01]{1,20})\x01[ \t]*")
_DOI = re.compile(r"^10\.[0-9]{4,9}/\S{1,300}$")
_DOI_LABEL = re.compile(r"^(?:doi|digital object identifier)[ \t]*:?[ \t]*", re.I)
_DOI_URL = re.compile(r"^<?(?:https?://)?(?:dx\.)?doi\.org/", re.I)
_MD_LINK = re.compile(r"^\[([^\]]{1,400})\]\(([^)\s]{1,400})\)$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ \t]+([A-Za-z]{3,9})\.?,?[ \t]+(\d{4})$")
_MDY = re.compile(r"^([A-Za-z]{3,9})\.?[ \t]+(\d{1,2})(?:st|nd|rd|th)?,?[ \t]+(\d{4})$")
_VOL = re.compile(r"^(?:vol|volume|bd|jg)\.?[ \t]*([0-9A-Za-z]{1,10})$", re.I)
_ISS = re.compile(r"^(?:no|nr|iss|issue|number|num|n°|nº|№|heft|#)\.?[ \t]*([0-9A-Za-z/–-]{1,12})$", re.I)
_PAGES = re.compile(r"^(?:pp?|pages?|s)\.?[ \t]*([0-9A-Za-z]{1,8})(?:[ \t]*[-–—][ \t]*([0-9A-Za-z]{1,8}))?$", re.I)
_ELOC = re.compile(r"^(?:article|art|e-?location|article no)\.?[ \t]*(?:no\.?|number)?[ \t]*([0-9A-Za-z]{1,16})$", re.I)
_VOL_ISS = re.compile(r"^(\d{1,5})[ \t]*\(([0-9A-Za-z/–-]{1,12})\)(?:[ \t]*:[ \t]*(\d{1,6})(?:[ \t]*[-–—][ \t]*(\d{1,6}))?)?$")
_PAREN = re.compile(r"\(([^()]{1,40})\)")
_LABEL_LINE = re.compile(r"^(?:\*\*|__)?[ \t]*(abstract|summary|executive summary|key ?words|keywords|tags|"
                         r"about the authors?|about the contributors?|about the authors\(s\)|about the author\(s\))"
                         r"[ \t]*(?:\*\*|__)?[ \t]*[:.]?[ \t]*(?:\*\*|__)?[ \t]*", re.I)
_SERIES_HEAD = re.compile(r"^([A-Z][A-Z&.'’/-]{0,30}(?: [A-Z][A-Z&.'’/-]{0,30}){0,4})"
                          r"(?: (?:No\.?|N[°º]|Nr\.?|#)? ?(\d{1,5}[A-Za-z]?))? ?(?:[-–—:|] ?(.*))?$")
_NAME_SEP = re.compile(r" ?[,;] ?| (?:and|und|et|y|&) ")  # on text whose spaces are single
_SYMBOL_CALL = re.compile(r"<sup>[ \t]*[*†‡§]{1,3}[ \t]*</sup>|\\\*{1,3}|[†‡§]{1,3}")
_SEPARATORS = re.compile(r" [-–—|•·] | ?[|•·] ?|(?<=\S)[–—] ")  # on text whose spaces are single


# ------------------------------------------------------------------ small helpers


def normalize_marks(text: str) -> str:
    """Superscript marks (``<sup>1</sup>``, ``¹``, ``^1^``, ``\\*``, ``†``) become ``\\0mark\\1`` tokens."""
    text = _MARK_SUP.sub(lambda m: "\x00" + m.group(1).replace(" ", "") + "\x01", text)
    text = _MARK_CARET.sub(lambda m: "\x00" + m.group(1) + "\x01", text)
    text = _MARK_UNI.sub(lambda m: "\x00" + m.group(0).translate(_SUPERSCRIPTS) + "\x01", text)
    text = _MARK_SYM.sub(lambda m: "\x00" + m.group(0).replace("\\", "") + "\x01", text)
    return text


def mark_list(token: str) -> list[str]:
    """``"1,2"`` -> ``["1", "2"]``; ``"**"`` -> ``["**"]``."""
    return [t for t in token.replace(" ", "").split(",") if t]


def strip_emphasis(text: str) -> str:
    return text.replace("**", "").replace("__", "").strip().strip("*_").strip()


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w'’.-]+", fold(text)) if w and w not in (".", "-")]


def is_institution(text: str) -> bool:
    words = {w.strip(".,;:()") for w in fold(strip_emphasis(text)).replace(",", " ").split()}
    return bool(words & INSTITUTION_WORDS)


def _note_like(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in _NOTE_WORDS) or len(text.split()) > 25


def is_prose(text: str) -> bool:
    """A paragraph of running text (the body has begun, unless a role claims it)."""
    words = text.split()
    s = text.rstrip().rstrip("*_\"'’”)] ")
    return len(words) >= 25 or (len(words) >= 8 and s.endswith((".", "!", "?", ":", ";")))


def split_suffix(name: str) -> tuple[str, str | None]:
    """``("Antulio J. Echevarria", "II")`` for "Antulio J. Echevarria II" (or "…, II")."""
    words = name.replace(",", " ").split()
    if len(words) > 1 and words[-1].lower() in SUFFIXES:
        return " ".join(words[:-1]), SUFFIXES[words[-1].lower()]
    return name.strip().rstrip(","), None


def strip_honorifics(text: str) -> str:
    words = text.split()
    while words and (words[0].lower().rstrip(",") in HONORIFICS):
        words.pop(0)
    return " ".join(words)


def looks_like_name(text: str) -> bool:
    """One person's name: 1..6 capitalised words, initials and particles, no digits or sentence words."""
    words = text.split()
    if not 1 <= len(words) <= 6 or any(c.isdigit() for c in text) or len(text) > 60:
        return False
    if is_institution(text):
        return False
    caps = 0
    for w in words:
        core = w.strip("()‘’'\"")
        if not core:
            return False
        if core.lower() in _common._PARTICLES:
            continue
        if core.lower() in SUFFIXES or core.lower() in HONORIFICS:
            caps += 1
            continue
        if not core[0].isupper() or not all(c.isalpha() or c in ".-'’" for c in core):
            return False
        caps += 1
    return caps >= 1


# ------------------------------------------------------------------ dates, DOIs and venues


@dataclass
class DateValue:
    iso: str | None
    season: str | None = None
    problem: str | None = None


def parse_date(text: str) -> DateValue | None:
    """A printed date, or None when the text is not a date at all.

    A full date gives an ISO date; a month or season with a year what is known.
    ``30.03.2022`` is day-first; ``03/04/2021`` is refused as ambiguous (``problem``
    set), as is a date that is not in the calendar (``2021-02-30``).
    """
    s = strip_emphasis(text).strip().rstrip(".,;").strip()
    low = s.lower()
    for label in _LABELS:
        if low.startswith(label):
            rest = s[len(label):].lstrip()
            if rest[:3].lower() == "on ":  # "Updated on 3 May 2021"
                rest = rest[3:].lstrip()
            if rest.startswith(":") or (rest[:1].isdigit() or rest[:1].isupper()):
                s = rest.lstrip(":").strip()
                break
    s = " ".join(s.split())
    m = _ISO.match(s)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)), s)
    m = _DOTTED.match(s)
    if m:
        return _ymd(int(m.group(3)), int(m.group(2)), int(m.group(1)), s)
    m = _SLASHED.match(s)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a > 12 and b <= 12:
            return _ymd(year, b, a, s)
        if b > 12 and a <= 12:
            return _ymd(year, a, b, s)
        return DateValue(None, None, f"ambiguous date {s!r} (day and month could be either way round)")
    for form, order in ((_DMY, (3, 2, 1)), (_MDY, (3, 1, 2))):
        m = form.match(s)
        if m:
            month = _common.MONTHS.get(m.group(order[1]).lower())
            if month is not None:
                return _ymd(int(m.group(order[0])), month, int(m.group(order[2])), s)
    parsed = _common.parse_date(s)
    if parsed is not None:
        return DateValue(parsed[0], parsed[1])
    words = s.split()
    if len(words) == 3 and words[0].lower() in _common.SEASONS and words[1] in "/–-":  # "Spring – 2020"? no
        return None
    return None


def _ymd(year: int, month: int, day: int, text: str) -> DateValue:
    try:
        return DateValue(dt.date(year, month, day).isoformat())
    except ValueError:
        return DateValue(None, None, f"not a calendar date: {text!r}")


def parse_doi(text: str) -> str | None:
    """The bare DOI in any common form (``doi:…``, ``DOI: …``, ``https://doi.org/…``, a Markdown link)."""
    s = text.strip().strip("<>").strip()
    s = _DOI_LABEL.sub("", s, count=1).strip()
    m = _MD_LINK.match(s)
    if m:
        label, href = m.group(1).replace("\\", ""), m.group(2)
        s = label if _DOI.match(_DOI_URL.sub("", label)) else href
    s = _DOI_URL.sub("", s.strip("<>").strip(), count=1).strip().rstrip(".")
    s = s.replace("\\_", "_")
    return s if _DOI.match(s) else None


@dataclass
class Venue:
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    fpage: str | None = None
    lpage: str | None = None
    elocation: str | None = None
    date: DateValue | None = None

    explicit: bool = False  #: a marker (Vol., no., pp., 52(3)) says this is a journal issue

    @property
    def has_numbers(self) -> bool:
        return self.explicit and any((self.volume, self.issue, self.fpage, self.elocation))


def parse_venue(text: str) -> Venue | None:
    """``Journal of X, Vol. 34, Iss. 1``, ``Journal 52, no. 3 (Autumn 2022)``, ``Journal 10(2): 33–58``.

    None when a part is not understood; the journal title is the first part.
    """
    s = strip_emphasis(text)
    v = Venue()
    # a parenthesised date or issue anywhere: "(Autumn 2022)"
    for m in _PAREN.finditer(s):
        d = parse_date(m.group(1))
        if d is not None and d.iso:
            v.date = d
            s = (s[: m.start()] + s[m.end():]).strip()
            break
    parts = [p.strip() for p in s.split(",") if p.strip()]
    if not parts:
        return None
    first = parts.pop(0)
    words = first.split()
    # "Journal 10(2): 33-58" or "Journal 52"
    for k in range(len(words) - 1, max(0, len(words) - 4), -1):  # a volume is in the last few words
        tail = " ".join(words[k:])
        if _VOL_ISS.match(tail) or (k == len(words) - 1 and words[k].isdigit()):
            parts.insert(0, tail)
            words = words[:k]
            break
        if _VOL.match(tail) or _ISS.match(tail):
            parts.insert(0, tail)
            words = words[:k]
            break
    journal = " ".join(words)
    if not journal or not journal[0].isupper() or any(c.isdigit() for c in journal):
        return None
    v.journal = journal
    for part in parts:
        if not part.isdigit() and (_VOL_ISS.match(part) or _VOL.match(part) or _ISS.match(part)
                                   or _PAGES.match(part) or _ELOC.match(part)):
            v.explicit = True
        if (m := _VOL_ISS.match(part)):
            v.volume, v.issue = m.group(1), m.group(2)
            if m.group(3):
                v.fpage, v.lpage = m.group(3), m.group(4)
        elif (m := _VOL.match(part)):
            v.volume = m.group(1)
        elif (m := _ISS.match(part)):
            v.issue = m.group(1)
        elif (m := _PAGES.match(part)):
            v.fpage, v.lpage = m.group(1), m.group(2)
        elif (m := _ELOC.match(part)):
            v.elocation = m.group(1)
        elif part.isdigit() and v.volume is None:
            v.volume = part
        elif (d := parse_date(part)) is not None and d.iso and v.date is None:
            v.date = d
        else:
            return None
    return v


@dataclass
class MetaLine:
    date: DateValue | None = None
    doi: str | None = None
    venue: Venue | None = None
    unread: list[str] = field(default_factory=list)


def split_fields(line: str) -> list[str]:
    """A date/venue/DOI line cut at dashes, pipes and bullets (a Markdown link is never cut)."""
    out, start = [], 0
    for m in _SEPARATORS.finditer(line):
        piece = line[start: m.start()]
        if piece.count("[") > piece.count("]") or piece.count("(") > piece.count(")"):
            continue
        out.append(line[start: m.start()])
        start = m.end()
    out.append(line[start:])
    return [p.strip() for p in out if p.strip()]


def parse_meta_line(line: str) -> MetaLine | None:
    """Fields of one date/venue/DOI line, or None when nothing on it is a date, DOI or venue."""
    fields = split_fields(" ".join(line.split()))
    out = MetaLine()
    venue_candidates = []
    for f in fields:
        doi = parse_doi(f)
        if doi and out.doi is None:
            out.doi = doi
            continue
        if _DOI_LABEL.match(f) and out.doi is None:
            out.unread.append(f)  # labelled but not a DOI: reported, kept
            continue
        d = parse_date(f)
        if d is not None and out.date is None:
            out.date = d
            continue
        venue = parse_venue(f)
        if venue is not None and out.venue is None:
            out.venue = venue
            venue_candidates.append(f)
            continue
        out.unread.append(f)
    anchored = out.date is not None or out.doi is not None or (out.venue is not None and out.venue.has_numbers)
    if not anchored:
        return None
    if len(out.unread) >= len(fields):
        return None
    return out


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
            m = _SERIES_HEAD.match(" ".join(strip_emphasis(b.lines[0]).split()))
            if m and not m.group(3) and (m.group(2) or self._is_series_label(m.group(1), b.line, report=True)):
                self.series = (m.group(1).strip(), m.group(2), b.line)
                return True
        return self._meta_block(b)

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
            if is_prose(b.text):
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
            if kind in ("abstract", "summary", "executivesummary"):
                if rest:
                    self._abstract_text(rest, b.line)
                elif i + 1 < len(blocks) and not HEADING.match(blocks[i + 1].lines[0]):
                    self._abstract_blocks([blocks[i + 1]], b.line)
                    self._consumed = 2
                return True
        # author notes and numbered affiliation lines
        norm = normalize_marks(first_line := b.lines[0])
        if _LEAD_MARK.match(norm) and (self.persons or self.series):
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
        del first_line
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
            if r.date is not None:
                if self.date is None:
                    self.date, self.date_line = r.date, line
            if r.doi is not None and self.doi is None:
                self.doi = (r.doi, line)
            if r.venue is not None and self.venue is None:
                self.venue, self.venue_line = r.venue, line
                if self.date is None and r.venue.date is not None:
                    pass  # the issue's date stays with the source
            for f in r.unread:
                warn(self.report, "unread-header", f"part of a date/venue line not understood, left out: {f!r}",
                     self.pos(line, 1))
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
            if mark and not symbolic and mark in used and not _note_like(text) and \
                    (is_institution(text) or len(text.split()) <= 12):
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


# ------------------------------------------------------------------ module helpers


def _demphasize(text: str) -> str:
    """Emphasis markers removed outside the mark tokens (a ``**`` mark is a mark, not bold)."""
    out, start = [], 0
    for m in _MARK.finditer(text):
        out.append(text[start: m.start()].replace("**", "").replace("__", ""))
        out.append(m.group(0))
        start = m.end()
    out.append(text[start:].replace("**", "").replace("__", ""))
    return "".join(out).strip().strip("*_").strip()


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]{1,60}", key) else '"' + key.replace('"', '') + '"'


def _heading_text(line: str) -> str:
    m = HEADING.match(line)
    text = m.group(2) if m else line
    text = text.rstrip()
    stripped = text.rstrip("#").rstrip()
    if stripped != text and (not stripped or stripped.endswith((" ", "\t")) or text[len(stripped) - 1:len(stripped)]
                             in (" ", "\t")):
        text = stripped
    elif text.endswith(" #") or text.endswith(" ##"):
        text = stripped
    return " ".join(text.split())


def _is_role_heading(line: str) -> bool:
    text = strip_emphasis(_heading_text(line))
    m = _LABEL_LINE.match(text)
    from ._markdown import is_reference_heading
    return bool(m and m.end() >= len(text)) or is_reference_heading(text)


_CONNECTORS = frozenset("a an and the of in on for to with from by at as or nor but vs vs. – — - ,".split())


def _continues(title: str, nxt: str) -> bool:
    """Is the next heading line more of the title (a title printed over two lines)?"""
    last = title.rstrip().split()[-1].lower() if title.split() else ""
    return bool(nxt) and (nxt[0].islower() or last in _CONNECTORS or title.rstrip().endswith((",", "–", "—", "-")))


def _wrapped_in_emphasis(text: str) -> bool:
    s = text.strip()
    return len(s) > 2 and ((s[0] == "*" and s[-1] == "*" and not s.startswith("**")) or
                           (s[0] == "_" and s[-1] == "_" and not s.startswith("__")))


def _strip_lead_mark(line: str) -> str:
    norm = normalize_marks(line)
    m = _LEAD_MARK.match(norm)
    if not m:
        return line.strip()
    # map back: the normalised text after the mark equals the original's tail (marks only change inside)
    tail = norm[m.end():]
    return _MARK.sub(lambda mm: mm.group(1), tail).strip()


def _numbered_calls(title: str) -> list[int]:
    return [int(m.group(1)) for m in re.finditer(r"<sup>[ \t]*(\d{1,4})[ \t]*</sup>", title)]


def bio_owner(text: str, names: list[str]) -> int | None:
    """The author whose whole name opens ``text`` (emphasis and honorifics stripped); the longest match wins."""
    start = strip_honorifics(normalize_marks(text.replace("**", " ").replace("__", " ")).lstrip("*_ ").split("\n")[0])
    words = _name_words(start)[:12]
    best, best_len = None, 0
    for k, name in enumerate(names):
        for variant in _variants(name):
            if len(variant) > best_len and words[: len(variant)] == variant:
                best, best_len = k, len(variant)
    return best


def _name_words(text: str) -> list[str]:
    text = _MARK.sub(" ", text)
    return [w for w in (x.strip(".,;:()*_'’\"") for x in fold(text).replace("-", " - ").split()) if w]


def _variants(name: str) -> list[list[str]]:
    words = _name_words(name)
    out = [words]
    no_initials = [w for w in words if len(w) > 1]
    if no_initials != words and len(no_initials) >= 2:
        out.append(no_initials)
    base, suffix = split_suffix(name)
    if suffix:
        out.append(_name_words(base))
    return out


def aff_element(aff_id: str, text: str, line: int | None, label: str | None) -> etree._Element:
    """``aff``: the institution, and a city and country when the line ends with them."""
    parts = [p.strip() for p in text.split(",")]
    country = city = None

    def place(part: str) -> bool:
        return bool(part) and not is_institution(part) and len(part.split()) <= 4 and part[:1].isupper() \
            and not any(c.isdigit() for c in part)

    if len(parts) >= 2 and place(parts[-1]) and fold(parts[-1]).strip(".") in COUNTRIES:
        country = parts.pop()
    if len(parts) >= 2 and place(parts[-1]):
        city = parts.pop()
    return E("aff", E("institution", ", ".join(parts)), E("city", city) if city else None,
             E("country", country) if country else None, id=aff_id, label=label, line=line)


def read_header(blocks: list, path: str, report: Report, md, series_labels=frozenset()) -> Header:
    """Classify the header blocks (see the module docstring)."""
    return HeaderReader(blocks, path, report, md, series_labels).read()

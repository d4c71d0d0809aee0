"""The parts of an extracted header's lines: dates, DOIs, venues, names, marks, affiliations.

Used by :mod:`._header`, which decides each block's role.  Every pattern here is
linear on any input: anchored, with bounded or single quantifiers on disjoint
character classes, applied to text whose runs of spaces are collapsed first where
two quantifiers could share them; anything more involved is done with string methods.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from lxml import etree

from ..document import E, fold
from ..languages import READ_MONTHS
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
SUFFIXES = _common.SUFFIXES
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
# possessive runs of spaces, and the mark starts with a non-space: linear on any input
_MARK_SUP = re.compile(r"<sup>[ \t]*+([0-9a-z*†‡§,][0-9a-z*†‡§, ]{0,11}?)[ \t]*+</sup>", re.I)
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
_NUM = r"(?:[0-9][0-9A-Za-z]{0,9}|[IVXLCivxlc]{1,8})"  # a volume, issue or page: a number or a roman one
_VOL = re.compile(rf"^(?:vol|volume|bd|jg)\.?[ \t]?({_NUM})$", re.I)
_ISS = re.compile(rf"^(?:no|nr|iss|issue|number|num|n°|nº|№|heft|#)\.?[ \t]?({_NUM}(?:[/–-][0-9]{{1,4}})?)$", re.I)
_PAGES = re.compile(rf"^(?:pp?|pages?|s)\.?[ \t]?({_NUM})(?:[ \t]?[-–—][ \t]?({_NUM}))?$", re.I)
_ELOC = re.compile(r"^(?:article|art|e-?location)\.?[ \t]?(?:no\.?|number)?[ \t]?(e?[0-9][0-9A-Za-z]{0,15})$", re.I)
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
    text = _MARK.sub("", normalize_marks(text))  # a note call after the full stop
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
            month = READ_MONTHS.get(m.group(order[1]).lower())
            if month is not None:
                return _ymd(int(m.group(order[0])), month, int(m.group(order[2])), s)
    parsed = _common.parse_date(s)
    if parsed is not None:
        return DateValue(parsed[0], parsed[1])
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
    for label in ("in:", "in "):  # "In: Journal of X"
        if first.lower().startswith(label):
            first = first[len(label):].strip()
    words = first.split()
    # markers at the end of the first part ("Journal of X Vol. 3 No. 2", "Journal 10(2): 33-58", "Journal 52")
    peeled: list[str] = []
    for _ in range(4):  # volume, issue, pages, e-location: no more
        for n in (1, 2, 3):
            tail = " ".join(words[-n:]) if n <= len(words) else ""
            if tail and (_VOL_ISS.match(tail) or _VOL.match(tail) or _ISS.match(tail) or _PAGES.match(tail)
                         or _ELOC.match(tail)):
                peeled.insert(0, tail)
                words = words[:-n]
                break
        else:
            break
    if len(words) > 1 and words[-1].isdigit() and not any(_VOL.match(p) or _VOL_ISS.match(p) for p in peeled):
        peeled.insert(0, words.pop())  # "Journal 52, no. 3": the bare number is the volume
    parts = peeled + parts
    journal = " ".join(words)
    if journal and (not journal[0].isupper() or any(c.isdigit() for c in journal)):
        return None
    v.journal = journal or None
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
    if v.journal is None and not v.explicit:
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
    depth, seen = 0, 0  # brackets open between start and the separator (counted once per character)
    for m in _SEPARATORS.finditer(line):
        for c in line[seen: m.start()]:
            depth += (c in "[(") - (c in "])")
        seen = m.end()
        for c in line[m.start(): m.end()]:
            depth += (c in "[(") - (c in "])")
        if depth > 0:
            continue
        out.append(line[start: m.start()])
        start, depth = m.end(), 0
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


# ------------------------------------------------------------------ line helpers


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


def is_affiliation_text(text: str) -> bool:
    """Does the text of a numbered header line read as an affiliation (not as a note about an author)?"""
    return not _note_like(text) and (is_institution(text) or len(text.split()) <= 12)

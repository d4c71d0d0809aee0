"""Reading the parts of a printed reference entry, without guessing.

:func:`parse` takes an entry's text as printed (and its inline element, to see
italics) and returns the intermediate's ``parsed`` element plus the kind of work
(``ref/@type``).  Every value in ``parsed`` is a verbatim substring of the printed
text, and the children come in printed order, so that a writer can tag them in
place (``mixed-citation``) without moving, dropping or adding a character.

Styles read: APA and Harvard author-date (``Wolf, S. O. (2019). Title. Source.``,
also ``Wolf, S.O. 2019. Title``), Chicago bibliography (``Wolf, Siegfried O.
Title. Place: Publisher, 2019.`` and ``"Article." Journal 12, no. 3 (2019):
45–67.``), and numbered lists (``[3]``, ``3.`` before either).  A part that cannot
be read with certainty is left out (it stays plain text in the output): an
author list that is not a clean list of names gives no ``person-group``, a
title that cannot be told from its container gives neither.

Every regular expression here is anchored or bounded, with no nested
quantifiers over overlapping classes, so that reading is linear on any input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..document import E, q, text_of

#: The longest author list read (characters): past it, an entry is not an author list.
MAX_AUTHORS = 1500
MONTHS = frozenset("January February March April May June July August September October November December "
                   "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split())
#: Abbreviations whose period does not end a sentence (compared without the period, case-sensitively).
ABBREVIATIONS = frozenset(
    "Gen Col Capt Lt Maj Adm Sgt Dr Mr Mrs Ms Prof Rev Hon Sen Rep Gov Pres St Mt Jr Sr No Nos no nos Vol vol "
    "Vols vols pp p Ed Eds ed eds edn Inc Ltd Co Corp Dept Univ Assoc Bros Intl Natl Jan Feb Mar Apr Jun Jul "
    "Aug Sep Sept Oct Nov Dec Fig fig ch Ch sec Sec art Art para e.g i.e etc vs cf al approx trans Trans "
    "repr rev ser Ser suppl Suppl".split())
_YEAR = re.compile(r"(?<![\d\w])(1[5-9]\d\d|20\d\d)([a-z])?(?![\d\w])")
_NUMBER_LABEL = re.compile(r"\[\d{1,4}\]\s{0,8}|\d{1,4}[.)]\s{1,8}")
_QUOTED = re.compile(r"[\"“]([^\"“”]{1,2000})[\"”]")
# "Journal, 12(3), 45–67" (APA/Harvard)
_JOURNAL_APA = re.compile(
    r"(?P<source>[^,\d][^,]{0,300}), (?P<volume>\d{1,5})(?:\s?\((?P<issue>[^()]{1,20})\))?"
    r"(?:, (?:pp?\. ?)?(?P<fpage>[A-Za-z]?\d{1,6})(?:\s?[–-]\s?(?P<lpage>[A-Za-z]?\d{1,6}))?)?")
# "Journal 12, no. 3 (2019): 45–67" (Chicago)
_JOURNAL_CHICAGO = re.compile(
    r"(?P<source>[^,\d(][^,(]{0,300}?) (?P<volume>\d{1,5})(?:, no\. (?P<issue>[^ ()]{1,20}))?"
    r" \((?P<date>[^()]{1,40})\)(?:: (?P<fpage>[A-Za-z]?\d{1,6})(?:[–-](?P<lpage>[A-Za-z]?\d{1,6}))?)?")
_PAGES = re.compile(r"\bpp?\. ?(?P<fpage>\d{1,6})(?:\s?[–-]\s?(?P<lpage>\d{1,6}))?")
_ACCESSED = re.compile(r"\b(?:[Aa]ccessed|[Rr]etrieved|[Vv]iewed)(?: on)? (?P<date>[^.();]{0,40}?\d{4})")
_IN_EDITED = re.compile(r"^In:? ")
_REPORT_WORDS = re.compile(r"working paper|report|policy brief|discussion paper|occasional paper|briefing|"
                           r"\bcomment,? no\.|\bpaper,? no\.|\bseries\b", re.I)
_URLISH = re.compile(r"https?://|www\.|doi:|\bdoi\.org", re.I)


@dataclass
class Parts:
    """What was read, as (name, verbatim value) in printed order, and the kind of work."""

    items: list[tuple[str, object]] = field(default_factory=list)
    kind: str = "other"

    def add(self, name: str, value) -> None:
        if isinstance(value, etree._Element) or (isinstance(value, str) and value.strip()):
            self.items.append((name, value))

    def has(self, name: str) -> bool:
        return any(n == name for n, _ in self.items)


# ---------------------------------------------------------------- sentences


def _is_initial(token: str) -> bool:
    """``S.``, ``S.O.``, ``Th.``, ``J.-P.``: initials, each piece one or two letters, capitalised, with a period."""
    if not token.endswith("."):
        return False
    pieces = [p for p in re.split(r"[.\-‐]", token) if p]
    return bool(pieces) and all(1 <= len(p) <= 2 and p[0].isupper() and p.isalpha() for p in pieces)


def _ends_sentence(text: str, i: int) -> bool:
    """Does the punctuation at ``text[i]`` end a sentence (a part of the entry)?"""
    ch = text[i]
    if ch not in ".?!":
        return False
    nxt = text[i + 1:i + 2]
    if nxt and not nxt.isspace():
        return False
    j = i + 1
    while j < len(text) and text[j].isspace():
        j += 1
    first = text[j:j + 1]
    if first and not (first.isupper() or first.isdigit() or first in "\"“‘'([<*_"):
        return False
    if ch != ".":
        return True
    start = i
    while start > max(0, i - 40) and not text[start - 1].isspace():  # words longer than 40 are no abbreviation
        start -= 1
    word = text[start:i]
    if word.rstrip(".") in ABBREVIATIONS or _is_initial(word + ".") or "." in word.rstrip("."):
        return False  # "Gen.", "S.", "U.S."
    return True


def sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each part of ``text`` that ends in a sentence break, end excluding a final period."""
    spans = []
    start = 0
    n = len(text)
    i = 0
    while i < n:
        if text[i] in ".?!" and _ends_sentence(text, i):
            end = i if text[i] == "." else i + 1
            if text[start:end].strip():
                spans.append((offset + start, offset + end))
            i += 1
            while i < n and text[i].isspace():
                i += 1
            start = i
            continue
        i += 1
    if text[start:].strip():
        end = n
        while end > start and text[end - 1].isspace():
            end -= 1
        spans.append((offset + start, offset + end))
    return spans


# ---------------------------------------------------------------- names


def _split_people(authors: str) -> list[str] | None:
    """The comma/ampersand/"and" separated pieces of an author list (None if there are none)."""
    pieces = []
    for chunk in re.split(r"[,;&]", authors):  # one character class: linear
        for piece in " ".join(chunk.split()).split(" and "):
            piece = piece.strip()
            if piece.startswith("and "):
                piece = piece[4:].strip()
            if piece:
                pieces.append(piece)
    return pieces or None


def _looks_family(piece: str) -> bool:
    words = piece.split()
    return 1 <= len(words) <= 4 and words[-1][:1].isupper() and not any(ch.isdigit() for ch in piece) \
        and not _is_initial(piece)


def _looks_given(piece: str) -> bool:
    words = piece.replace("-", " ").split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() and (w.rstrip(".").isalpha()) for w in words)


def people(authors: str) -> list[tuple[str, str | None]] | None:
    """``[(family, given)]`` when ``authors`` is a clean list of personal names, else None.

    Reads "Mitra, S.K., Wolf, S.O., & Schoettli, S." (APA: every name inverted),
    "Wolf, Siegfried O., and Jane Doe" (Chicago: the first inverted, the rest in
    natural order) and "S. Ali and M. Khan".
    """
    text = authors.strip().rstrip(",")
    if text.endswith("et al.") or text.endswith("et al"):
        text = text.rsplit("et al", 1)[0].strip().rstrip(",")
    pieces = _split_people(text)
    if not pieces:
        return None
    out: list[tuple[str, str | None]] = []
    # APA/Harvard: family, initials, family, initials ...
    if len(pieces) % 2 == 0 and all(_looks_family(pieces[k]) and _is_initials_run(pieces[k + 1])
                                    for k in range(0, len(pieces), 2)):
        return [(pieces[k], pieces[k + 1]) for k in range(0, len(pieces), 2)]
    # Chicago: "Family, Given", then "Given Family" ...
    if len(pieces) >= 2 and _looks_family(pieces[0]) and _looks_given(pieces[1]):
        out.append((pieces[0], pieces[1]))
        for piece in pieces[2:]:
            natural = _natural(piece)
            if natural is None:
                return None
            out.append(natural)
        return out
    # Natural order throughout, with initials that make them names: "S. Ali and M. Khan"
    # ("Daily Times" has the shape of "John Smith": without an initial it is an organisation).
    naturals = [_natural(p) for p in pieces]
    if all(naturals) and all(any(_is_initial(t) for t in g.split()) for _, g in naturals):  # type: ignore[misc]
        return naturals  # type: ignore[return-value]
    return None


def _is_initials_run(piece: str) -> bool:
    return all(_is_initial(t) for t in piece.split())


def _natural(piece: str) -> tuple[str, str] | None:
    words = piece.split()
    if len(words) < 2 or len(words) > 5:
        return None
    family, given = words[-1], " ".join(words[:-1])
    if not (_looks_given(given) and family[:1].isupper() and family.replace("-", "").replace("'", "").isalpha()):
        return None
    return family, given


def _collab(authors: str) -> bool:
    """An organisation as author: no comma, a few capitalised words ("The Nation", "U.S. Central Command")."""
    words = authors.split()
    return "," not in authors and 1 <= len(words) <= 12 and words[0][:1].isupper() \
        and not _URLISH.search(authors)


def _people_or_collab(authors: str) -> etree._Element | None:
    found = people(authors)
    if found:
        return E("person-group", *[E("name", E("given", g) if g else None, E("family", f)) for f, g in found])
    if _collab(authors):
        return E("person-group", E("collab", authors.strip()))
    return None


# ---------------------------------------------------------------- the entry


def parse(plain: str, text: etree._Element | None = None, *, url: str | None = None,
          doi: str | None = None) -> tuple[etree._Element | None, str]:
    """``(parsed, kind)`` for one printed entry; ``parsed`` is None when nothing could be read."""
    italics = [text_of(el).strip() for el in text.iter(q("em"))] if text is not None else []
    italics = [t for t in italics if t]
    parts = Parts()
    s = plain
    m = _NUMBER_LABEL.match(s)
    start = m.end() if m else 0
    if not _author_date(s, start, parts, italics) and not _chicago(s, start, parts, italics):
        parts = Parts()
    parts.kind = _kind(plain, parts, italics, url, doi)
    _retype_titles(parts)
    if not parts.items:
        return None, parts.kind
    parsed = E("parsed")
    for name, value in parts.items:
        parsed.append(value if isinstance(value, etree._Element) else E(name, value))
    return parsed, parts.kind


def _author_date(s: str, start: int, parts: Parts, italics: list[str]) -> bool:
    """APA/Harvard: ``Authors (date). Rest`` or ``Authors. Year. Rest``."""
    open_ = s.find("(", start)
    if open_ > start:
        close = s.find(")", open_)
        authors = s[start:open_].strip()
        date = s[open_ + 1:close] if close > open_ else ""
        if close > open_ and "(" not in date and authors and len(authors) < MAX_AUTHORS and _is_date(date) \
                and len(sentences(authors)) == 1 and not any(ch in authors for ch in "\"“”"):
            # Authors that are not a clean list of names stay text; what follows the date is still read.
            parts.add("person-group", _people_or_collab(_trim_authors(authors)))
            y = _YEAR.search(date)
            if y:
                parts.add("year", y.group(0))
                _month_day(date[y.end():], parts)
            rest = close + 1
            while rest < len(s) and s[rest] in ".,:; ":
                rest += 1
            _rest(s, rest, parts, italics)
            return True
    # "Wolf, S.O. 2019. Title" (Harvard without parentheses, Chicago author-date)
    if s[start:].strip():
        cut = _author_end(s, start)
        if cut is None:
            return False
        y = _YEAR.match(s, _skip_space(s, cut))
        if not y or s[y.end():y.end() + 1] not in (".", ","):
            return False
        group = _people_or_collab(_trim_authors(s[start:cut]))
        if group is None:
            return False
        parts.add("person-group", group)
        parts.add("year", y.group(0))
        _rest(s, _skip_space(s, y.end() + 1), parts, italics)
        return True
    return False


def _is_date(text: str) -> bool:
    """What an author-date entry has in its parentheses: a year, or "n.d.", or nothing."""
    t = text.strip().rstrip(".").lower()
    return bool(_YEAR.search(text)) or t in ("", "n.d", "nd", "no date", "forthcoming", "in press", "s.d", "o.j")


def _trim_authors(text: str) -> str:
    """The author list without its closing punctuation; a final initial keeps its period ("Wolf, S.O.")."""
    text = text.strip().rstrip(",;: ")
    if text.endswith("."):
        last = text.split()[-1] if text.split() else ""
        if not (_is_initial(last) or last.split(",")[-1] in ("al.",) or _is_initial(last.split(",")[-1])):
            text = text[:-1].rstrip()
    return text


def _month_day(after_year: str, parts: Parts) -> None:
    """ "2021, February 19" / "2021, 19 February" / "2021, February": the month (a month name) and day, as printed."""
    words = after_year.replace(",", " ").split()
    if not words or len(words) > 2:
        return
    names = [w for w in words if w.rstrip(".") in MONTHS]
    days = [w for w in words if w.isdigit() and 1 <= int(w) <= 31]
    if len(names) == 1 and len(days) <= 1 and len(names) + len(days) == len(words):
        for word in words:  # in printed order: "February 19" or "19 February"
            parts.add("month" if word in names else "day", word)


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


def _author_end(s: str, start: int) -> int | None:
    """Where the author list of an entry with no parenthesised date ends: after the first
    period that closes a name ("Wolf, Siegfried O." / "Wolf, S. O." / "World Bank.")."""
    i = start
    n = min(len(s), start + MAX_AUTHORS)  # no author list is longer
    while i < n:
        j = s.find(". ", i, n + 2)
        if j < 0:
            return None
        k = j
        while k > max(start, j - 40) and not s[k - 1].isspace():
            k -= 1
        word = s[k:j + 1]
        space = s.find(" ", j + 2, j + 44)
        nxt_word = s[j + 2:space if space >= 0 else min(n, j + 44)]
        if _is_initial(word) and _is_initial(nxt_word):
            i = j + 2  # "S. O." continues the initials
            continue
        if word.rstrip(".") in ABBREVIATIONS and not _is_initial(word):
            i = j + 2
            continue
        return j + 1
    return None


def _chicago(s: str, start: int, parts: Parts, italics: list[str]) -> bool:
    """Chicago bibliography: ``Family, Given. Title. Place: Publisher, Year.``"""
    cut = _author_end(s, start)
    if cut is None:
        return False
    group = _people_or_collab(_trim_authors(s[start:cut]))
    if group is None or group.find(q("collab")) is not None:
        return False  # an organisation is only certain before a parenthesised date
    parts.add("person-group", group)
    _rest(s, _skip_space(s, cut), parts, italics, year_in_rest=True)
    return True


def _rest(s: str, start: int, parts: Parts, italics: list[str], *, year_in_rest: bool = False) -> None:
    """Title, container and imprint after the authors (and date)."""
    full_rest = s[start:]
    url = _URLISH.search(full_rest)
    end = start + url.start() if url else len(s)  # a URL or DOI ends what can be read as text
    rest = s[start:end]
    segs = [(a, b) for a, b in sentences(rest, start) if not _URLISH.search(s[a:b])]
    if not segs:
        return
    title_end = None
    m = _QUOTED.match(rest)
    if m:  # "Title." Source ... (Chicago, IEEE)
        value = m.group(1).strip().rstrip(",.")
        parts.add("title", value)
        title_end = start + m.end()
        segs = [(a, b) for a, b in sentences(s[title_end:end], title_end) if not _URLISH.search(s[a:b])]
        segs = [(_skip_space(s, a) if s[a] in ",. " else a, b) for a, b in segs]
        segs = [(a + 1 if s[a] in ",." else a, b) for a, b in segs if b > a]
        segs = [(_skip_space(s, a), b) for a, b in segs if b > _skip_space(s, a)]
        book = False
    else:
        a, b = segs[0]
        first = s[a:b]
        book = bool(italics) and first.rstrip(".") == italics[0].rstrip(".")
        if _looks_imprint(first) or _JOURNAL_APA.fullmatch(first):
            return  # no title before the container: cannot tell what is what
        parts.add("source" if book else "title", first)
        segs = segs[1:]
    source_done = book
    for a, b in segs:
        seg = s[a:b]
        if _IN_EDITED.match(seg):
            parts.kind = "chapter"
            break  # editors and book title: too many shapes to read with certainty
        if _looks_imprint(seg):
            place, _, rest_seg = seg.partition(": ")
            parts.add("publisher-loc", place)
            name = rest_seg
            y = _YEAR.search(rest_seg)
            if y and rest_seg[y.start() - 2:y.start()] == ", ":
                name = rest_seg[:y.start() - 2]
            parts.add("publisher-name", name.strip())
            if y and year_in_rest and not parts.has("year"):
                parts.add("year", y.group(0))
            source_done = True
            continue
        if _ACCESSED.search(seg):
            continue  # read below, on the whole rest (its segment may hold the URL)
        if source_done:
            _pages(seg, parts)
            continue
        j = _JOURNAL_CHICAGO.fullmatch(seg) or _JOURNAL_CHICAGO.match(seg)
        if j and _YEAR.search(j.group("date")):
            year = _YEAR.search(j.group("date")).group(0) if year_in_rest and not parts.has("year") else None
            _journal(j, parts, year)
            source_done = True
            parts.kind = "journal"
            continue
        j = _JOURNAL_APA.match(seg)
        if j and (j.end() == len(seg) or seg[j.end():].lstrip().startswith(("http", "doi", "https"))):
            _journal(j, parts)
            source_done = True
            parts.kind = "journal"
            continue
        # A container or series: "The Express Tribune", "SADF Comment, No. 202", "Washington Post, January 3, 2021";
        # a segment with some other tail after its comma is not read (it could be anything).
        name, sep, tail = seg.partition(", ")
        tail_known = not sep or bool(_YEAR.search(tail)) or bool(re.match(r"(?:No|Vol|vol|no)\.\s?\d", tail)) \
            or tail.split(" ")[0].rstrip(".") in MONTHS
        if tail_known and name.strip() and len(name.split()) <= 12 and not _YEAR.fullmatch(name.strip()):
            label = "series" if _REPORT_WORDS.search(seg) or re.match(r"No\.\s?\d", tail) else "source"
            parts.add(label, name.strip())
            if year_in_rest and not parts.has("year"):
                y = _YEAR.search(tail)
                if y:
                    parts.add("year", y.group(0))
            source_done = label == "source"
    acc = _ACCESSED.search(full_rest)
    if acc and not parts.has("accessed"):
        parts.add("accessed", acc.group("date").strip())
    if year_in_rest and not parts.has("year"):
        for a, b in reversed(segs):
            y = list(_YEAR.finditer(s[a:b]))
            if y:
                parts.add("year", y[-1].group(0))
                break


def _journal(m: re.Match, parts: Parts, year: str | None = None) -> None:
    """Source, volume, issue (and a year printed before the pages, Chicago's "(2019):"), pages."""
    for name in ("source", "volume", "issue", "fpage", "lpage"):
        if name == "fpage" and year:
            parts.add("year", year)
        if m.group(name):
            parts.add(name, m.group(name).strip())
    if year and not parts.has("year"):
        parts.add("year", year)


def _pages(seg: str, parts: Parts) -> None:
    p = _PAGES.search(seg)
    if p and not parts.has("fpage"):
        parts.add("fpage", p.group("fpage"))
        parts.add("lpage", p.group("lpage"))


def _looks_imprint(seg: str) -> bool:
    """"London: Routledge", "Cham: Springer, 2019", "Brussels: South Asia Democratic Forum (SADF)"."""
    place, sep, name = seg.partition(": ")
    words = place.split()
    name_words = name.split(", ")[0].split()
    return bool(sep) and 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and bool(name.strip()) \
        and place.count(",") <= 1 and 1 <= len(name_words) <= 10 \
        and all(w[:1].isupper() or w[:1] in "(&" or len(w) <= 3 for w in name_words)


def _kind(plain: str, parts: Parts, italics: list[str], url: str | None, doi: str | None) -> str:
    """The kind of work, from what was read and a few words of the entry."""
    if parts.kind in ("journal", "chapter"):
        return parts.kind
    if parts.has("series") or _REPORT_WORDS.search(plain):
        return "report"
    if parts.has("publisher-name"):
        return "book"
    if re.search(r"\b\d{1,5}\s?\(\d{1,5}\)|\bvol\.|\bpp?\.\s?\d", plain, re.I) and italics:
        return "journal"
    year = next((v for n, v in parts.items if n == "year"), None)
    full_date = False
    if year is not None:
        open_ = plain.find("(")
        close = plain.find(")", open_ + 1)
        if open_ >= 0 and close > open_:
            full_date = bool(re.search(r"[A-Za-z]{3}", plain[open_ + 1:close]))
    if year is not None and not full_date:  # Chicago prints the day after the source: "Dawn, August 3, 2022"
        full_date = any(w.strip(",.") in MONTHS for w in plain.split())
    if parts.has("source") and full_date:
        return "newspaper"  # a dated issue of a periodical: APA's newspaper and magazine form
    if (url or _URLISH.search(plain)) and not doi:
        return "web"
    return "other"


def _retype_titles(parts: Parts) -> None:
    """A book's or report's own title is its ``source`` (the work cited as a whole)."""
    if parts.kind in ("book", "report") and parts.has("title") and not parts.has("source"):
        parts.items = [("source" if n == "title" else n, v) for n, v in parts.items]

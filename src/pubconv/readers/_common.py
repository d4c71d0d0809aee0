"""Pieces both Markdown readers share: dates, names, DOIs, and putting a document together."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from lxml import etree

from ..document import LINE, Document, E, new_document, q, text_of
from ..errors import PubconvError, Report, SourcePos, printable, warn
from ..languages import READ_MONTHS, READ_SEASONS
from . import _refs
from ._markdown import Body, undefined_calls

_PARTICLES = {"van", "von", "de", "der", "den", "da", "das", "dos", "du", "la", "le", "del", "della", "di", "bin",
              "ibn", "al", "el", "ter", "ten", "zu", "y"}
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_M = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATE_FORMS = [
    re.compile(r"^(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})$"),
    re.compile(r"^(?P<year>\d{4})-(?P<mnum>\d{2})$"),
    re.compile(r"^(?P<year>\d{4})$"),
    re.compile(rf"^(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_M},?\s+(?P<year>\d{{4}})$"),
    re.compile(rf"^{_M}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})$"),
    re.compile(rf"^{_M},?\s+(?P<year>\d{{4}})$"),
    re.compile(r"^(?P<season>[A-Za-z]+)\s+(?P<year>\d{4})$"),
]


def parse_date(value: str) -> tuple[str, str | None] | None:
    """``(iso, season)`` for a printed date, or None if it is not one.

    "03 March 2021" -> ("2021-03-03", None); "May 2020" -> ("2020-05", None);
    "Spring 2019" -> ("2019", "Spring"); "2021" -> ("2021", None).
    """
    value = value.strip().rstrip(".,–—-").strip()
    for form in _DATE_FORMS:
        m = form.match(value)
        if not m:
            continue
        g = m.groupdict()
        year = int(g["year"])
        if year < 1:  # no year 0 in any calendar a writer can print
            return None
        if g.get("season"):
            season = READ_SEASONS.get(g["season"].lower())
            return (f"{year:04d}", season) if season else None
        month = None
        if g.get("mnum"):
            month = int(g["mnum"])
        elif g.get("month"):
            month = READ_MONTHS.get(g["month"].lower())
            if month is None:
                continue  # "Spring 2019" is not a month: try the season form
        if month is None:
            return f"{year:04d}", None
        if not 1 <= month <= 12:
            return None
        if g.get("day"):
            try:
                return dt.date(year, month, int(g["day"])).isoformat(), None
            except ValueError:
                return None
        return f"{year:04d}-{month:02d}", None
    return None


def split_name(name: str) -> tuple[str | None, str]:
    """``("Siegfried O.", "Wolf")`` for "Siegfried O. Wolf"; particles stay with the family name."""
    words = name.split()
    if len(words) == 1:
        return None, words[0]
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    if words[start - 1].lower() in _PARTICLES and start - 1 >= 1:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


def author_element(index: int, given: str | None, family: str, line: int | None, *, orcid=None, email=None,
                   affiliations=(), bio: list | None = None, bio_line=None, notes: str | None = None,
                   suffix: str | None = None):
    el = E("author", line=line, id=f"author-{index}", notes=notes)
    el.append(E("name", E("given", given) if given else None, E("family", family),
                E("suffix", suffix) if suffix else None))
    if orcid:
        el.append(E("orcid", orcid))
    if email:
        el.append(E("email", email))
    for aff in affiliations:
        el.append(E("affiliation", aff))
    if bio:
        el.append(E("bio", *bio, line=bio_line))
    return el


#: Name suffixes as printed after the family name (``Jr.``, ``II``), by folded form.
SUFFIXES = {"jr": "Jr.", "jr.": "Jr.", "sr": "Sr.", "sr.": "Sr.", "ii": "II", "iii": "III", "iv": "IV"}


def split_name_suffix(name: str) -> tuple[str | None, str, str | None]:
    """``("Antulio J.", "Echevarria", "II")`` for "Antulio J. Echevarria II" or "…, II"; suffix None if none."""
    words = name.replace(",", " ").split()
    suffix = None
    if len(words) > 1 and words[-1].lower() in SUFFIXES:
        suffix = SUFFIXES[words.pop().lower()]
    given, family = split_name(" ".join(words))
    return given, family, suffix


def normalize_orcid(value: str) -> str | None:
    m = _ORCID.match(value.strip())
    return m.group(1) if m else None


def orcid_check_digit(orcid: str) -> str:
    """The check digit an ORCID iD's first 15 digits call for (ISO 7064 MOD 11-2)."""
    total = 0
    for digit in orcid.replace("-", "")[:15]:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


#: a DOI as people write it: bare, ``doi:``/``DOI:`` prefixed, or as a doi.org URL
_DOI_FORMS = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.I)


def check_doi(value: str, pos: SourcePos, report: Report) -> str | None:
    """The DOI, bare (``https://doi.org/``, ``doi:`` taken off), if it is one; otherwise a warning and None."""
    doi = _DOI_FORMS.sub("", value.strip(), count=1)
    if _refs.DOI_RE.match(doi):
        return doi
    warn(report, "bad-doi", f"not a DOI (expected 10.NNNN/suffix): {doi!r}; left out", pos)
    return None


def valid_isbn13(isbn: str) -> bool:
    """An ISBN-13 (hyphens allowed) with a correct check digit."""
    digits = isbn.replace("-", "")
    if not re.fullmatch(r"97[89]\d{10}", digits):
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def date_element(iso: str, season: str | None, line: int | None) -> etree._Element:
    return E("date", line=line, iso=iso, season=season)


def take_title(meta: etree._Element, body: Body) -> None:
    """Replace ``meta``'s title with the body's first heading (the title parsed with the body, so that
    a note called in it is one of the body's notes), and take that heading out of the body."""
    marker = body.blocks.pop(0)
    heading = marker[2]
    old = meta.find(q("title"))
    title = E("title", line=int(old.get(LINE)) if old.get(LINE) else None)
    title.text = heading.text
    for child in heading:
        title.append(child)
    old.getparent().replace(old, title)


def nest_sections(blocks: list) -> list[etree._Element]:
    """Turn the flat block list (with heading markers) into nested ``section`` elements.

    The shallowest heading level in the body becomes level 2 (the title is level 1); a
    skipped level is kept as the source has it (``transforms.headings`` renumbers it and warns).
    """
    levels = [b[1] for b in blocks if isinstance(b, tuple)]
    shift = 2 - min(levels) if levels else 0
    out: list[etree._Element] = []
    stack: list[etree._Element] = []
    count = 0
    for block in blocks:
        if isinstance(block, tuple):
            _, level, heading = block
            level = min(6, level + shift)
            while stack and int(stack[-1].get("level")) >= level:
                stack.pop()
            # A level the source skips is kept here: transforms/headings.py renumbers it with a warning.
            count += 1
            line = heading.get(LINE)
            own_id = heading.attrib.pop("id", None)  # {#id} on the heading (authoring form)
            sec = E("section", heading, id=own_id or f"sec-{count}", level=level, line=int(line) if line else None)
            if stack:
                stack[-1].append(sec)
            else:
                out.append(sec)
            stack.append(sec)
        elif stack:
            stack[-1].append(block)
        else:
            out.append(block)
    return out


def assemble(meta: etree._Element, body: Body, *, path: str, src_file: str, form: str, lang: str,
             report: Report, base_dir: Path) -> Document:
    """The finished document: sections nested, references built, citations linked, calls checked."""
    if meta.find(q("title")) is None or not text_of(meta.find(q("title"))).strip():
        raise PubconvError("the document has no title", SourcePos(path, 1, 1), "no-title")
    root = new_document(lang, src_file=printable(src_file), form=form)
    root.append(meta)
    body_el = E("body", *nest_sections(body.blocks))
    root.append(body_el)
    doc = Document(root, path=path, base_dir=base_dir)
    refs = []
    if body.references is not None and body.entries:
        for i, (text, url, line) in enumerate(body.entries, 1):
            refs.append(_refs.build_reference(i, text, url, line))
        body.references.extend(refs)
        root.append(body.references)
    elif body.references is not None:
        warn(report, "empty-references", "the reference list has no entries", doc.pos(body.references))
    for el in root.iter(q("p"), q("heading"), q("cell"), q("text"), q("title"), q("subtitle")):
        for label in undefined_calls("".join(t for t in _own_text(el))):
            if el.tag == q("subtitle"):  # a subtitle holds no notes: printed as written
                warn(report, "subtitle-note", f"a footnote call in the subtitle is not supported: [^{label}] is "
                     "printed as written (call the note from the title or the text)", doc.pos(el))
            else:
                warn(report, "missing-note", f"footnote call [^{label}] has no footnote", doc.pos(el))
    return doc


def _own_text(el):
    if el.text:
        yield el.text
    for child in el:
        if child.tag != q("note") and child.tail:
            yield child.tail

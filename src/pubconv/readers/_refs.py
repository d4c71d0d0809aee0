"""Reference entries and author-date citations, shared by the Markdown readers.

A reference entry keeps its text as printed; what can be read from it with
certainty (authors, year, title, source, DOI, URL) goes into ``parsed`` /
``url`` / ``doi``.  Citations such as ``(Wolf, 2019)`` or ``(Mitra, Wolf, &
Schoettli, 2006, p. 298)`` become ``cite`` elements when exactly one entry has
that first author (or organisation) and year.
"""
from __future__ import annotations

import re

from lxml import etree

from ..document import E, fold, q, text_of

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_IN_TEXT = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*+)(10\.\d{4,9}/[^\s<>\"]++)", re.I)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.I)
# "Wolf, S.O. (2019)." / "Al Arabiya (2021, February 19)." / "U.S. Central Command ()."
# Linear on any input (see docs/robustness.md): possessive runs, authors stripped by the caller.
_HEAD = re.compile(r"\A(?P<authors>[^()]++)\((?P<date>[^()]*+)\)\s*+[.,:;]?+\s*+(?P<rest>.*)\Z", re.S)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)([a-z])?\b")
_PERSON = re.compile(r"(?<![^,&])\s*+(?:&\s*+|and\s++)?+(?P<family>[^,&()]++),\s*+"
                     r"(?P<given>(?:[A-Z\u00C0-\u024F][a-z]?\.(?>\s*-?\s*))++)(?:,|$)")
_JOURNAL_HINT = re.compile(r"\b\d++\s*+\(\d++\)|\bvol\.|\bpp?\.\s*+\d", re.I)
_REPORT_HINT = re.compile(r"working paper|report|policy brief|discussion paper|\bcomment,\s*+no\.", re.I)
# "... London: Routledge." at the end of an entry (bounded runs: linear on any input)
_BOOK_TAIL = re.compile(r"\b[A-Z][\w .]{1,60}+:\s{0,4}+[A-Z][\w&.]{0,60}+(?:\s[\w&.]{1,40}+){0,10}+\s*+$")


def doi_from_url(url: str) -> str | None:
    m = _DOI_URL.match(url.strip())
    return m.group(1) if m else None


def build_reference(index: int, text: etree._Element, url: str | None, line: int | None) -> etree._Element:
    """One ``ref`` element from an entry's inline text and URL."""
    plain = text_of(text).strip()
    doi = None
    m = _DOI_IN_TEXT.search(plain)
    if m:
        doi = m.group(1).rstrip(".,;)")
    if url and doi is None:
        doi = doi_from_url(url)
    if doi is not None and not DOI_RE.match(doi):
        doi = None
    parsed = _parse(plain, text)
    ref = E("ref", id=f"ref-{index}", type=_kind(plain, text, url, doi), line=line)
    ref.append(text)
    if url:
        ref.append(E("url", url))
    if doi:
        ref.append(E("doi", doi))
    if parsed is not None:
        ref.append(parsed)
    return ref


def _parse(plain: str, text: etree._Element) -> etree._Element | None:
    m = _HEAD.match(plain)
    if not m:
        return None
    authors, date, rest = m.group("authors").strip().rstrip(","), m.group("date"), m.group("rest")
    parsed = E("parsed")
    group = _person_group(authors)
    if group is not None:
        parsed.append(group)
    y = _YEAR.search(date)
    if y:
        parsed.append(E("year", y.group(1) + (y.group(2) or "")))
    ems = [el for el in text.iter(q("em"))]
    if len(ems) == 1 and text_of(ems[0]).strip():
        source = text_of(ems[0]).strip().rstrip(".,")
        before = rest.split(text_of(ems[0]))[0].strip().rstrip(".,").strip()
        if before:
            parsed.append(E("title", before))
        parsed.append(E("source", source))
    return parsed if len(parsed) else None


def _person_group(authors: str) -> etree._Element | None:
    if not authors:
        return None
    people = []
    pos = 0
    while pos < len(authors):
        m = _PERSON.match(authors, pos)
        if not m or m.end() == pos:
            break
        people.append((m.group("family").strip(), m.group("given").strip()))
        pos = m.end()
    group = E("person-group")
    if people and not authors[pos:].strip(" ,&"):
        for family, given in people:
            group.append(E("name", E("given", given), E("family", family)))
        return group
    if "," not in authors and len(authors.split()) <= 8:
        group.append(E("collab", authors))
        return group
    return None


def _kind(plain: str, text: etree._Element, url: str | None, doi: str | None) -> str:
    if _JOURNAL_HINT.search(plain) and text.find(f".//{q('em')}") is not None:
        return "journal"
    if _REPORT_HINT.search(plain):
        return "report"
    if url and not doi:
        return "web"
    if _BOOK_TAIL.search(plain):
        return "book"
    return "other"

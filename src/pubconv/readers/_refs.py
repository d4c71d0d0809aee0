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

from ..document import E, text_of
from . import _refparse

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_IN_TEXT = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*+)(10\.\d{4,9}/[^\s<>\"]++)", re.I)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.I)


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
    parsed, kind = _refparse.parse(plain, text, url=url, doi=doi)
    ref = E("ref", id=f"ref-{index}", type=kind, line=line)
    ref.append(text)
    if url:
        ref.append(E("url", url))
    if doi:
        ref.append(E("doi", doi))
    if parsed is not None:
        ref.append(parsed)
    return ref

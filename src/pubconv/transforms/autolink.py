"""Bare URLs in running text become ``link`` elements, for every writer.

A URL typed as text (``https://…``, ``http://…``, ``www.…``) in the body, the
notes, the abstract or a bio is dead text in every output, and the PDF would
hyphenate it like a word.  This transform wraps it in ``<link href=…>``, the
way a reader expects it to work, so the PDF, the EPUB and the JATS all get a
live link from one place.

What counts as the URL follows GitHub's autolink extension: it runs to the next
space or ``<``; trailing ``.,:;!?*_~'"’”`` are punctuation, not URL; a closing
``)`` (or ``]``) is kept only when it balances one inside the URL.  ``www.``
addresses get ``https://``.  Text inside a link, a citation or code is left
alone, and so are the title, the subtitle and the reference list (whose URLs
the writers link from ``ref/url``).
"""
from __future__ import annotations

import re

from lxml import etree

from ..document import Document, q

_URL = re.compile(r"(?<![\w@/.])(?:(?:https?|ftp)://|www\.)[^\s<>\"\u00a0\u200b]+", re.I)
_TRAILING = ".,:;!?*_~'\"’”»›"
#: Containers whose inline text may hold bare URLs (elements whose content is the schema's inline).
_INLINE_PARENTS = frozenset({"p", "heading", "caption", "cell", "em", "strong", "sub", "sup"})
_NO_LINKS_INSIDE = frozenset({"link", "cite", "code", "codeblock", "title", "subtitle", "references"})


def _trim(url: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets, as GitHub's autolinker does."""
    while url:
        if url[-1] in _TRAILING:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        elif url[-1] == "]" and url.count("]") > url.count("["):
            url = url[:-1]
        else:
            break
    return url


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, href)`` for each bare URL in ``text``."""
    found = []
    for m in _URL.finditer(text):
        url = _trim(m.group(0))
        if len(url) <= len("www.") or url.lower().rstrip("/") in ("http:", "https:", "ftp:", "www."):
            continue
        if "." not in url.split("://", 1)[-1]:
            continue  # "http://localhost" style or a scheme alone: not a published address
        href = "https://" + url if url.lower().startswith("www.") else url
        found.append((m.start(), m.start() + len(url), href))
    return found


def _allowed(el: etree._Element) -> bool:
    if etree.QName(el).localname not in _INLINE_PARENTS:
        return False
    return not any(isinstance(a.tag, str) and etree.QName(a).localname in _NO_LINKS_INSIDE
                   for a in el.iterancestors())


def _link(href: str, text: str) -> etree._Element:
    link = etree.Element(q("link"), href=href)
    link.text = text
    return link


def _split(text: str) -> list[str | etree._Element]:
    pieces: list[str | etree._Element] = []
    pos = 0
    for start, end, href in find_urls(text):
        pieces.append(text[pos:start])
        pieces.append(_link(href, text[start:end]))
        pos = end
    pieces.append(text[pos:])
    return pieces


def autolink(doc: Document) -> int:
    """Wrap every bare URL in running text in a ``link``; returns how many were made."""
    made = 0
    for el in list(doc.root.iter()):
        if not isinstance(el.tag, str) or not _allowed(el) or etree.QName(el).localname in _NO_LINKS_INSIDE:
            continue
        if el.text and _URL.search(el.text):
            made += _insert(el, None, _split(el.text))
        # The tails of its children: text between them, which belongs to el.
        for child in list(el):
            if child.tail and _URL.search(child.tail):
                made += _insert(el, child, _split(child.tail))
    return made


def _insert(parent: etree._Element, after: etree._Element | None, pieces: list) -> int:
    """Put ``pieces`` (text, link, text, link, …, text) where ``after``'s tail (or parent's text) was."""
    links = pieces[1::2]
    texts = pieces[0::2]
    if not links:
        return 0
    if after is None:
        parent.text = texts[0] or None
        index = 0
    else:
        after.tail = texts[0] or None
        index = parent.index(after) + 1
    for offset, (link, tail) in enumerate(zip(links, texts[1:])):
        link.tail = tail or None
        parent.insert(index + offset, link)
    return len(links)

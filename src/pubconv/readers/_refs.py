"""Reference entries and author-date citations, shared by the Markdown readers.

A reference entry keeps its text as printed; what can be read from it with
certainty (authors, year, title, source, DOI, URL) goes into ``parsed`` /
``url`` / ``doi``.  Citations such as ``(Wolf, 2019)`` or ``(Mitra, Wolf, &
Schoettli, 2006, p. 298)`` become ``cite`` elements when exactly one entry has
that first author (or organisation) and year.
"""
from __future__ import annotations

import re
import unicodedata

from lxml import etree

from ..document import E, q, text_of
from ..errors import Report, warn

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_IN_TEXT = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*)(10\.\d{4,9}/[^\s<>\"]+)", re.I)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.I)
# "Wolf, S.O. (2019)." / "Al Arabiya (2021, February 19)." / "U.S. Central Command ()."
_HEAD = re.compile(r"^(?P<authors>[^()]+?)\s*\((?P<date>[^()]*)\)\s*[.,:;]?\s*(?P<rest>.*)$", re.S)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)([a-z])?\b")
_PERSON = re.compile(r"\s*(?:&\s*|and\s+)?(?P<family>[^,&()]+?),\s*(?P<given>(?:[A-Z\u00C0-\u024F][a-z]?\.\s*-?\s*)+)\s*(?:,|$)")
_WORD_NAME = r"[A-Z\u00C0-\u024F][\w\u00C0-\u024F'’.-]*"
# Names part of a citation: "Wolf", "Ali & Khan", "Mitra, Wolf, & Schoettli", "Mitra et al.", "The Nation"
_CITE_CHUNK = re.compile(
    r"^(?:(?:see|cf\.|e\.g\.,?|i\.e\.,?)\s+)?(?P<names>[A-Z\u00C0-\u024F][^,;()]*?(?:,\s*[^,;()\d]+?)*?)"
    r",?\s+(?P<year>(?:1[5-9]\d\d|20\d\d)[a-z]?)(?P<rest>(?:,\s*(?:pp?\.|para\.|ch\.)\s*[\w–-]+)?)$")
_PAREN = re.compile(r"\(([^()]*?\b(?:1[5-9]\d\d|20\d\d)[a-z]?\b[^()]*?)\)")
_NARRATIVE = re.compile(
    rf"\b(?P<names>{_WORD_NAME}(?:\s+(?:&|and)\s+{_WORD_NAME}|\s+et\s+al\.)?)\s+\((?P<year>(?:1[5-9]\d\d|20\d\d)[a-z]?)"
    r"(?P<rest>(?:,\s*pp?\.\s*[\w–-]+)?)\)")
_SKIP_CITE_IN = {q("link"), q("code"), q("cite")}


def doi_from_url(url: str) -> str | None:
    m = _DOI_URL.match(url.strip())
    return m.group(1) if m else None


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower().strip()


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
    if re.search(r"\b\d+\s*\(\d+\)|\bvol\.|\bpp?\.\s*\d", plain, re.I) and text.find(f".//{q('em')}") is not None:
        return "journal"
    if re.search(r"working paper|report|policy brief|discussion paper|\bcomment,\s*no\.", plain, re.I):
        return "report"
    if url and not doi:
        return "web"
    if re.search(r"\b[A-Z][\w .]+:\s*[A-Z][\w&.]+(?:\s[\w&.]+)*\.?\s*$", plain):
        return "book"
    return "other"


def _author_key(ref: etree._Element) -> tuple[list[str], str] | None:
    """(folded family names or organisation, year) of an entry, if parsed."""
    group = ref.find(f"{q('parsed')}/{q('person-group')}")
    year = ref.find(f"{q('parsed')}/{q('year')}")
    if group is None or year is None or not len(group):
        return None
    names = [_fold(text_of(m.find(q("family"))) if m.tag == q("name") else text_of(m)) for m in group]
    return names, year.text


def link_citations(root: etree._Element, refs: list[etree._Element], report: Report,
                   pos_of) -> int:
    """Wrap author-date citations in ``cite`` elements; returns how many were linked."""
    index: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
    for ref in refs:
        key = _author_key(ref)
        if key:
            names, year = key
            index.setdefault((names[0], year), []).append((ref.get("id"), names))
    linked = 0
    scopes = [el for el in (root.find(q("body")), root.find(f"{q('meta')}/{q('abstract')}")) if el is not None]
    for scope in scopes:
        for el in list(scope.iter()):
            if not isinstance(el.tag, str) or el.tag in _SKIP_CITE_IN or _inside(el, _SKIP_CITE_IN):
                continue
            linked += _link_text(el, "text", index, report, pos_of)
            for child in list(el):
                if isinstance(child.tag, str):
                    linked += _link_text(child, "tail", index, report, pos_of, parent=el)
    return linked


def _inside(el: etree._Element, tags) -> bool:
    node = el.getparent()
    while node is not None:
        if node.tag in tags:
            return True
        node = node.getparent()
    return False


def _matches(text: str):
    """(start, end, names, year) for each citation in ``text``, in order."""
    found = []
    for m in _PAREN.finditer(text):
        inner_start = m.start(1)
        offset = 0
        for chunk in m.group(1).split(";"):
            lead = len(chunk) - len(chunk.lstrip())
            c = chunk.strip()
            cm = _CITE_CHUNK.match(c)
            if cm and not re.search(r"\d", cm.group("names")) and len(cm.group("names").split()) <= 12:
                start = inner_start + offset + lead
                found.append((start, start + len(c), cm.group("names"), cm.group("year")))
            offset += len(chunk) + 1
    for m in _NARRATIVE.finditer(text):
        if not any(s <= m.start() < e for s, e, _, _ in found):
            found.append((m.start(), m.end(), m.group("names"), m.group("year")))
    return sorted(found)


def _cited_names(names: str) -> tuple[list[str], bool]:
    """Folded family names in a citation, and whether it ends in "et al."."""
    et_al = bool(re.search(r"\bet\s+al\.?$", names.strip()))
    names = re.sub(r"\s*\bet\s+al\.?$", "", names.strip())
    parts = [p.strip() for p in re.split(r",|\s&\s|\sand\s|^and\s|^&\s", names)]
    return [_fold(p) for p in parts if p.strip(" &")], et_al


def _resolve(index, names: str, year: str) -> list[str]:
    """Ids of the entries a citation can mean: first author and year, narrowed by the other authors."""
    cited, et_al = _cited_names(names)
    candidates = index.get((cited[0], year), []) if cited else []
    if len(candidates) <= 1:
        return [i for i, _ in candidates]
    exact = [i for i, fams in candidates
             if ((fams[: len(cited)] == cited and len(fams) > len(cited)) if et_al else fams == cited)]
    return exact or [i for i, _ in candidates]


def _link_text(el, attr, index, report, pos_of, parent=None) -> int:
    text = getattr(el, attr)
    if not text or "(" not in text:
        return 0
    found = _matches(text)
    if not found:
        return 0
    pieces: list = []
    last = 0
    linked = 0
    where = parent if parent is not None else el
    for start, end, names, year in found:
        ids = _resolve(index, names, year)
        if len(ids) != 1:
            code = "ambiguous-citation" if ids else "unmatched-citation"
            what = "more than one reference entry matches" if ids else "no reference entry matches"
            warn(report, code, f"citation '{text[start:end]}': {what}", pos_of(where))
            continue
        pieces.append(text[last:start])
        pieces.append(E("cite", text[start:end], ref=ids[0]))
        last = end
        linked += 1
    if not linked:
        return 0
    pieces.append(text[last:])
    _replace_text(el, attr, pieces)
    return linked


def _replace_text(el: etree._Element, attr: str, pieces: list) -> None:
    """Put ``pieces`` (strings and elements) where ``el.text`` or ``el.tail`` was."""
    strings_then = pieces
    if attr == "text":
        el.text = strings_then[0] or None
        at = 0
        for i in range(1, len(strings_then), 2):
            cite, after = strings_then[i], strings_then[i + 1]
            cite.tail = after or None
            el.insert(at, cite)
            at += 1
    else:
        parent = el.getparent()
        el.tail = strings_then[0] or None
        at = parent.index(el) + 1
        for i in range(1, len(strings_then), 2):
            cite, after = strings_then[i], strings_then[i + 1]
            cite.tail = after or None
            parent.insert(at, cite)
            at += 1


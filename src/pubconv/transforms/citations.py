"""Link author-date citations in the text to the reference list.

``(Wolf, 2019)``, ``(Mitra, Wolf, & Schoettli, 2006, p. 298)`` and narrative
``Wolf (2019)`` become ``cite`` elements when exactly one entry has that first
author (or organisation) and year; a citation that matches none or several is
reported.  A document with no author-date reference list is left alone, silently,
and "(London: Routledge, 2019)", "(March 2022)" are never taken for citations.  Runs on documents read from Markdown, after the readers built the
reference entries (``readers/_refs.py``).
"""
from __future__ import annotations

import re

from lxml import etree

from ..document import E, fold, q, text_of
from ..errors import Report, warn

# Every pattern here is linear on any input: possessive or bounded runs, and no run that
# a search could restart inside (docs/robustness.md).
_YEAR_RE = r"(?:1[5-9]\d\d|20\d\d)[a-z]?"
_WORD_NAME = r"[A-Z\u00C0-\u024F][\w\u00C0-\u024F'’.-]{0,60}+"
# The end of a citation chunk: ", 2019" / " 2019a, p. 298"; the lookbehind keeps a search from
# restarting inside a run of spaces or commas.
_CHUNK_TAIL = re.compile(rf"(?<![\s,]),?+\s++(?P<year>{_YEAR_RE})"
                         r"(?P<rest>(?:,\s*+(?:pp?\.|para\.|ch\.)\s*+[\w–-]++)?+)$")
_CHUNK_LEAD = re.compile(r"^(?:see|cf\.|e\.g\.,?|i\.e\.,?)\s++")
_PAREN = re.compile(r"\(([^()]*+)\)")
_HAS_YEAR = re.compile(rf"\b{_YEAR_RE}\b")
_DIGIT = re.compile(r"\d")
_NARRATIVE = re.compile(
    rf"\b(?P<names>{_WORD_NAME}(?:\s++(?:&|and)\s++{_WORD_NAME}|\s++et\s++al\.)?+)\s++\((?P<year>{_YEAR_RE})"
    r"(?P<rest>(?:,\s*+pp?\.\s*+[\w–-]++)?+)\)")
_ET_AL = re.compile(r"\bet\s++al\.?$")
_ET_AL_TAIL = re.compile(r"(?<!\s)\s*+\bet\s++al\.?$")
_NAME_SPLIT = re.compile(r",|\s&\s|\sand\s|^and\s|^&\s")
#: First words that make "(March 2022)", "(Spring 2021)" a date, not a citation.
_DATE_WORDS = frozenset(
    "january february march april may june july august september october november december jan feb mar apr jun "
    "jul aug sep sept oct nov dec spring summer autumn fall winter".split())
_SKIP_CITE_IN = {q("link"), q("code"), q("cite")}


def _author_key(ref: etree._Element) -> tuple[list[str], str] | None:
    """(folded family names or organisation, year) of an entry, if parsed."""
    group = ref.find(f"{q('parsed')}/{q('person-group')}")
    year = ref.find(f"{q('parsed')}/{q('year')}")
    if group is None or year is None or not len(group):
        return None
    names = [fold(text_of(m.find(q("family"))) if m.tag == q("name") else text_of(m)) for m in group]
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
    if not index:
        # No author-date reference list (a footnote-style document, or entries without an author and
        # year): "(London: Routledge, 2019)" in a note is not a citation to link, so nothing to report.
        return 0
    return _each_text(root, lambda node, attr, parent: _link_text(node, attr, index, report, pos_of, parent=parent))


def _each_text(root: etree._Element, link) -> int:
    """Call ``link(node, "text"|"tail", parent)`` on every text of the body and abstract where a citation may
    stand (not inside links, code or citations); returns the sum of what it returns (citations made)."""
    linked = 0
    scopes = [el for el in (root.find(q("body")), root.find(f"{q('meta')}/{q('abstract')}")) if el is not None]
    for scope in scopes:
        for el in list(scope.iter()):
            if not isinstance(el.tag, str) or el.tag in _SKIP_CITE_IN or _inside(el, _SKIP_CITE_IN):
                continue
            kids = list(el)  # before the text is linked: the new cites' tails are not to be read again
            linked += link(el, "text", None)
            for child in kids:
                if isinstance(child.tag, str):
                    linked += link(child, "tail", el)
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
        if not _HAS_YEAR.search(m.group(1)):
            continue
        inner_start = m.start(1)
        offset = 0
        for chunk in m.group(1).split(";"):
            lead = len(chunk) - len(chunk.lstrip())
            c = chunk.strip()
            names = _chunk_names(c)
            if names is not None:
                start = inner_start + offset + lead
                found.append((start, start + len(c), names, _CHUNK_TAIL.search(c).group("year")))
            offset += len(chunk) + 1
    for m in _NARRATIVE.finditer(text):
        if not any(s <= m.start() < e for s, e, _, _ in found) and _looks_like_names(m.group("names")):
            found.append((m.start(), m.end(), m.group("names"), m.group("year")))
    return sorted(found)


def _chunk_names(chunk: str) -> str | None:
    """The names part of one citation chunk ("see Mitra, Wolf, & Schoettli, 2006, p. 298"), or None."""
    tail = _CHUNK_TAIL.search(chunk)
    if tail is None:
        return None
    lead = _CHUNK_LEAD.match(chunk)
    names = chunk[lead.end() if lead else 0: tail.start()]
    if not names or not ("A" <= names[0] <= "Z" or "\u00C0" <= names[0] <= "\u024F"):
        return None
    if _DIGIT.search(names) or any(not part.strip() for part in names.split(",")[1:]):
        return None
    if len(names.split()) > 12 or not _looks_like_names(names):
        return None
    return names


def _looks_like_names(names: str) -> bool:
    """Not a place and publisher ("London: Routledge") and not a date ("March", "Spring")."""
    first = names.split()[0].rstrip(".,").lower() if names.split() else ""
    return ":" not in names and first not in _DATE_WORDS


def _cited_names(names: str) -> tuple[list[str], bool]:
    """Folded family names in a citation, and whether it ends in "et al."."""
    et_al = bool(_ET_AL.search(names.strip()))
    names = _ET_AL_TAIL.sub("", names.strip())
    parts = [p.strip() for p in _NAME_SPLIT.split(names)]
    return [fold(p) for p in parts if p.strip(" &")], et_al


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



# ---------------------------------------------------------------- numeric citations

_NUMBERED_ENTRY = re.compile(r"^\s*\[(\d+)\]")
_NUMERIC = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+")


def link_numeric(root: etree._Element, refs: list[etree._Element], report: Report, pos_of) -> int:
    """Link numeric citations (``[5]``, ``[2, 7]``, ``[3–6]``) to a numbered reference list.

    Only when every entry of the list starts with its own number in brackets (``[1] ...``,
    ``[2] ...``): then ``[n]`` in the text means entry *n*.  Each number becomes a ``cite``
    (a range links its two ends); a number with no entry is a ``unmatched-citation`` warning.
    Returns how many numbers were linked.
    """
    numbers = {}
    for i, ref in enumerate(refs, start=1):
        m = _NUMBERED_ENTRY.match(text_of(ref.find(q("text"))))
        if not m or int(m.group(1)) != i:
            return 0
        numbers[i] = ref.get("id")
    if not numbers:
        return 0
    return _each_text(root, lambda node, attr, parent: _link_numbers(
        node, attr, numbers, report, pos_of(parent if parent is not None else node)))


def _link_numbers(el, attr: str, numbers: dict[int, str], report: Report, pos) -> int:
    text = getattr(el, attr)
    if not text or "[" not in text:
        return 0
    pieces: list = []
    last = 0
    linked = 0
    for m in _NUMERIC.finditer(text):
        for n in _NUMBER.finditer(m.group(0)):
            ident = numbers.get(int(n.group()))
            if ident is None:
                warn(report, "unmatched-citation", f"citation '{m.group(0)}': the reference list has no entry "
                     f"[{n.group()}]", pos)
                continue
            pieces += [text[last:m.start() + n.start()], E("cite", n.group(), ref=ident)]
            last = m.start() + n.end()
            linked += 1
    if not linked:
        return 0
    pieces.append(text[last:])
    _replace_text(el, attr, pieces)
    return linked

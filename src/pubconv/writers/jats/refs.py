"""References -> ``back/ref-list``: one ``ref`` with a ``mixed-citation`` each.

The citation keeps the entry's text exactly as printed (JATS4R citations:
``mixed-citation`` for a citation whose punctuation matters).  Parts are tagged
inside it only where the intermediate's ``parsed`` says so *and* the part can
be found, verbatim and in order, in the printed text; tagging only wraps
existing characters, it never moves, drops or adds any.  So:

* the authors become ``person-group/string-name`` (``name`` holds no
  punctuation, and the printed "Ali, S." has some), each with ``surname`` and
  ``given-names``; an organisation becomes ``collab``;
* ``year``, ``article-title`` and ``source`` wrap their printed text (or an
  ``italic`` that holds exactly that text);
* the DOI becomes ``pub-id pub-id-type="doi"`` where it is printed (also inside
  ``https://doi.org/...``), the URL ``ext-link ext-link-type="uri"``.

A DOI or URL that the intermediate has but the printed text lacks is added at
the end, after a space: it is the one place the citation grows, so that no
identifier is lost.
"""
from __future__ import annotations

import re
from typing import Iterator

from lxml import etree

from ...document import local, q
from ...errors import PubconvError
from .body import HREF, Converter, jel, plain

#: Intermediate ``ref/@type`` -> ``mixed-citation/@publication-type`` (JATS4R values).
PUBLICATION_TYPE = {"book": "book", "journal": "journal", "web": "webpage", "report": "report", "other": "other",
                    "newspaper": "newspaper", "chapter": "book"}

#: What may stand between two authors' names in a person group, once its spaces are removed.
NAME_GAPS = frozenset({"", ",", ";", "&", "and", ".", ",&", ",and", ";&", ";and", ".,", ".,&", ".,and", ".&",
                       ".and"})
#: What may stand between a surname and given names ("Ali, S." / "S. Ali").
GIVEN_GAP = re.compile(r",?\s*$")

#: Tagged parts whose content may be ``italic``/``bold`` (``year`` and ``pub-id`` hold text only).
MAY_HOLD_FORMATTING = frozenset({"article-title", "chapter-title", "source", "series", "ext-link"})

_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")


def ref_list(conv: Converter, refs: etree._Element) -> etree._Element:
    """``ref-list`` with the references' heading as its title."""
    rl = jel("ref-list")
    title = jel("title")
    heading = refs.find(q("heading"))
    if heading is not None:
        conv.inline(title, heading)
    if len(title) or (title.text or "").strip():
        rl.append(title)
    for ref in refs:
        if not isinstance(ref.tag, str) or ref.tag == q("heading"):
            continue
        if ref.tag != q("ref"):
            raise conv.unknown(ref, "the references")
        rl.append(reference(conv, ref))
    return rl


def reference(conv: Converter, ref: etree._Element) -> etree._Element:
    for child in ref:
        if isinstance(child.tag, str) and local(child) not in ("text", "url", "doi", "parsed"):
            raise conv.unknown(child, "a reference")
    r = jel("ref", {"id": ref.get("id")})
    mc = jel("mixed-citation", {"publication-type": PUBLICATION_TYPE[ref.get("type")]}, parent=r)
    conv.inline(mc, ref.find(q("text")))
    parsed = ref.find(q("parsed"))
    if parsed is not None:
        tag_parsed(mc, parsed, ref.get("type"))
    doi = ref.find(q("doi"))
    url = ref.find(q("url"))
    doi_text = doi.text.strip() if doi is not None else ""
    url_text = url.text.strip() if url is not None else ""
    if doi_text and _wrap_first(mc, doi_text, "pub-id", {"pub-id-type": "doi"}) is None and not _printed(mc, doi_text):
        _append(mc, jel("pub-id", {"pub-id-type": "doi"}, doi_text))
    if url_text and not (doi_text and url_text in {p + doi_text for p in _DOI_PREFIXES}):
        linked = any(a.get(HREF) == url_text for a in mc.iter("ext-link"))
        link = {"ext-link-type": "uri", HREF: url_text}
        if not linked and _wrap_first(mc, url_text, "ext-link", link) is None and not _printed(mc, url_text):
            _append(mc, jel("ext-link", link, url_text))
    if not len(mc) and not (mc.text or "").strip():
        raise PubconvError("a reference has no text: there is nothing to cite", conv.doc.pos(ref), "jats-empty-ref")
    return r


#: ``parsed`` child -> the JATS element that wraps its printed text (``title`` depends on the kind).
PART_TAGS = {"source": "source", "series": "series", "volume": "volume", "issue": "issue", "fpage": "fpage",
             "lpage": "lpage", "publisher-loc": "publisher-loc", "publisher-name": "publisher-name",
             "accessed": "date-in-citation", "month": "month", "day": "day"}


def tag_parsed(mc: etree._Element, parsed: etree._Element, ref_type: str) -> None:
    """Wrap the parts ``parsed`` names where they are found verbatim, each after the one before."""
    after = None
    for part in parsed:
        if not isinstance(part.tag, str):
            continue
        name = local(part)
        found = None
        if name == "person-group":
            found = _person_group(mc, part)
        elif name == "year":
            value = part.text.strip()
            pattern = re.compile(rf"(?<![\w./-]){re.escape(value)}(?![\w/-])")
            # JATS4R: a year that is not just four digits ("2019a") says its year in iso-8601-date.
            iso = value[:4] if value[:4] != value else None
            found = _wrap_regex(mc, pattern, "year", {"iso-8601-date": iso}, after)
        elif name == "title":
            tag = "chapter-title" if ref_type == "chapter" else "article-title"
            if ref_type in ("book", "report") and parsed.find(q("source")) is None:
                tag = "source"  # a book's own title is its source
            found = _wrap_first(mc, plain(part), tag, None, after)
        elif name in PART_TAGS:
            attrs = {"content-type": "access-date"} if name == "accessed" else None
            found = _wrap_first(mc, plain(part), PART_TAGS[name], attrs, after)
            if found is None:  # printed in formatting it may not hold: later parts come after it
                found = _formatted_first(mc, plain(part), after)
        else:
            raise PubconvError(f"the JATS writer does not know the reference part <{name}>", None,
                               "jats-unknown-element")
        after = found if found is not None else after


def _person_group(mc: etree._Element, group: etree._Element) -> etree._Element | None:
    """Tag the authors when every one is found in one run of text, in order."""
    for seg, text in _segments(mc):
        spans: list[tuple[int, int, list]] = []  # (start, end, [(start, end, tag)])
        pos = 0
        for person in group:
            found = _find_person(text, pos, person)
            if found is None or (spans and "".join(text[spans[-1][1]:found[0]].split()) not in NAME_GAPS):
                spans = []
                break
            spans.append(found)
            pos = found[1]
        if len(spans) != len(group) or not spans:
            continue
        start, end = spans[0][0], spans[-1][1]
        pg = _wrap_span(mc, seg, start, end, "person-group", {"person-group-type": "author"})
        # Inner spans, from the last so that earlier offsets stay right.
        for s, e, parts in reversed(spans):
            kind = "collab" if parts[0][2] == "collab" else "string-name"
            if kind == "collab":
                _wrap_span(pg, (pg, "text"), s - start, e - start, "collab", None)
                continue
            name = _wrap_span(pg, (pg, "text"), s - start, e - start, "string-name", None)
            for ps, pe, tag in sorted(parts, reverse=True):
                _wrap_span(name, (name, "text"), ps - s, pe - s, tag, None)
        return pg
    return None


def _find_person(text: str, pos: int, person: etree._Element):
    if person.tag == q("collab"):
        value = plain(person)
        i = text.find(value, pos)
        return None if i < 0 else (i, i + len(value), [(i, i + len(value), "collab")])
    family = plain(person.find(q("family")))
    given = plain(person.find(q("given")))
    given_after = re.compile(rf",?[^\S\n]{{0,3}}{re.escape(given)}")  # "Ali, S." (bounded: linear)
    for m in re.compile(rf"(?<!\w){re.escape(family)}(?!\w)").finditer(text, pos):
        fs, fe = m.start(), m.end()
        if not given:
            return fs, fe, [(fs, fe, "surname")]
        after = given_after.match(text, fe)
        if after:
            ge = after.end()
            return fs, ge, [(fs, fe, "surname"), (ge - len(given), ge, "given-names")]
        gs = text.rfind(given, pos, fs)  # "S. Ali"
        if gs >= 0 and GIVEN_GAP.fullmatch(text[gs + len(given):fs]) and text[gs + len(given):fs]:
            return gs, fe, [(gs, gs + len(given), "given-names"), (fs, fe, "surname")]
    return None


# ---------------------------------------------------------------- text surgery

Segment = tuple  # (element, "text") for el.text, (child, "tail") for child.tail


def _segments(el: etree._Element, after: etree._Element | None = None) -> Iterator[tuple[Segment, str]]:
    """The direct text runs of ``el`` (its text, its children's tails), optionally only after one child."""
    started = after is None
    if started and el.text:
        yield (el, "text"), el.text
    for child in el:
        if child is after:
            started = True
        if started and child.tail:
            yield (child, "tail"), child.tail


def _wrap_span(parent: etree._Element, seg: Segment, start: int, end: int, tag: str, attrs) -> etree._Element:
    """Wrap characters ``start:end`` of one text run of ``parent`` in a new element."""
    owner, which = seg
    text = getattr(owner, which)
    new = jel(tag, attrs, text[start:end])
    new.tail = text[end:] or None
    setattr(owner, which, text[:start] or None)
    if which == "text":
        parent.insert(0, new)
    else:
        parent.insert(parent.index(owner) + 1, new)
    return new


def _wrap_regex(mc, pattern: re.Pattern, tag: str, attrs, after) -> etree._Element | None:
    for seg, text in _segments(mc, after):
        m = pattern.search(text)
        if m:
            return _wrap_span(mc, seg, m.start(), m.end(), tag, attrs)
    return None


def _wrap_first(mc, value: str, tag: str, attrs, after=None) -> etree._Element | None:
    """Wrap the first verbatim occurrence of ``value`` after ``after``: in a text run, or a whole
    ``italic``/``bold`` (for the parts that may hold formatting).  When the first occurrence is a whole
    ``italic``/``bold`` that the part may not hold (``<italic>12</italic>`` as a volume), nothing is
    wrapped: a later occurrence of the same characters would be another thing."""
    pattern = re.compile(re.escape(value))
    started = after is None
    items: list[tuple] = [("run", (mc, "text"), mc.text)] if started and mc.text else []
    for child in mc:
        if child is after:
            started = True
        elif started and child.tag in ("italic", "bold"):
            items.append(("formatted", child, None))
        if started and child.tail:
            items.append(("run", (child, "tail"), child.tail))
    for kind, where, text in items:
        if kind == "run":
            m = pattern.search(text)
            if m:
                return _wrap_span(mc, where, m.start(), m.end(), tag, attrs)
        elif " ".join("".join(where.itertext()).split()) == value:
            if tag not in MAY_HOLD_FORMATTING:
                return None
            new = jel(tag, attrs)
            new.tail, where.tail = where.tail, None
            where.addprevious(new)
            new.append(where)
            return new
    return None


def _formatted_first(mc, value: str, after=None) -> etree._Element | None:
    """The ``italic``/``bold`` child that is the first occurrence of ``value`` after ``after``, if any."""
    pattern = re.compile(re.escape(value))
    started = after is None
    if started and mc.text and pattern.search(mc.text):
        return None
    for child in mc:
        if child is after:
            started = True
        elif started and child.tag in ("italic", "bold") and " ".join("".join(child.itertext()).split()) == value:
            return child
        if started and child.tail and pattern.search(child.tail):
            return None
    return None


def _printed(mc: etree._Element, value: str) -> bool:
    """True when ``value`` is in the citation's text even though it could not be tagged
    (split by formatting, or inside a link): it is printed, so it is not added again."""
    return value in "".join(mc.itertext())


def _append(mc: etree._Element, el: etree._Element) -> None:
    if len(mc):
        mc[-1].tail = (mc[-1].tail or "").rstrip() + " "
    else:
        mc.text = (mc.text or "").rstrip() + " "
    mc.append(el)

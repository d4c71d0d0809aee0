"""Structured references for the authoring form: a CSL-JSON or BibTeX file named in the front matter.

``bibliography: refs.json`` (or ``refs.bib``), relative to the source, inside its folder.  Each printed entry
of the References section that matches exactly one item of the file (its first author's family name, its year
and its title are all printed in the entry) takes its parts from the item instead of from
:mod:`._refparse`: the kind of work from the item's type, and authors, year, title, container, volume, issue,
pages, publisher, place, series and access date *where the entry prints them* (found case-insensitively, kept
as printed, in printed order, so that the JATS still tags them in place), and the DOI and URL from the item.
A part the entry does not print is not added: the printed text stays the record.  An entry that matches no
item keeps what the reader of printed entries found; one that matches several is reported.

Every scan here is linear: BibTeX is read character by character, and the searches are literal words
joined by ``\\s+``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

from ..document import E, q, text_of
from ..errors import PubconvError, Report, SourcePos, warn

#: CSL and BibTeX types -> ``ref/@type``.
KINDS = {
    "article-journal": "journal", "article": "journal", "article-newspaper": "newspaper",
    "article-magazine": "newspaper", "book": "book", "chapter": "chapter", "incollection": "chapter",
    "inbook": "chapter", "report": "report", "techreport": "report", "webpage": "web", "post-weblog": "web",
    "post": "web", "online": "web", "misc": "other", "thesis": "other", "phdthesis": "other",
    "mastersthesis": "other",
}


def load(path: Path, pos: SourcePos) -> list[dict]:
    """The items of a CSL-JSON (``.json``) or BibTeX (``.bib``) file, normalized (see :func:`_csl_item`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PubconvError(f"bibliography not found: {path.name}", pos, "missing-resource") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PubconvError(f"cannot read the bibliography {path.name}: {exc}", pos, "bad-bibliography") from None
    if path.suffix.lower() == ".bib":
        return [_bib_item(entry) for entry in parse_bibtex(text, str(path))]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PubconvError(f"the bibliography is not valid JSON: {exc.msg}", SourcePos(str(path), exc.lineno,
                                                                                       exc.colno), "bad-bibliography")
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise PubconvError("a CSL-JSON bibliography is a list of items", SourcePos(str(path), 1), "bad-bibliography")
    return [_csl_item(i) for i in data]


def _csl_item(item: dict) -> dict:
    authors = []
    for person in item.get("author") or []:
        if not isinstance(person, dict):
            continue
        if person.get("literal"):
            authors.append((None, str(person["literal"])))
        elif person.get("family"):
            authors.append((str(person.get("given") or "") or None, str(person["family"])))
    year = None
    parts = (item.get("issued") or {}).get("date-parts") if isinstance(item.get("issued"), dict) else None
    if parts and parts[0]:
        year = str(parts[0][0])
    accessed = None
    if isinstance(item.get("accessed"), dict) and (item["accessed"].get("date-parts") or [[None]])[0][0]:
        accessed = "-".join(str(p) for p in item["accessed"]["date-parts"][0])
    page = str(item.get("page") or "")
    fpage, _, lpage = page.replace("–", "-").partition("-")
    return {
        "id": str(item.get("id", "")), "kind": KINDS.get(str(item.get("type", "")), "other"), "authors": authors,
        "year": year, "title": _s(item.get("title")), "container": _s(item.get("container-title")),
        "series": _s(item.get("collection-title")), "volume": _s(item.get("volume")), "issue": _s(item.get("issue")),
        "fpage": fpage.strip() or None, "lpage": lpage.strip() or None, "publisher": _s(item.get("publisher")),
        "place": _s(item.get("publisher-place")), "doi": _s(item.get("DOI")), "url": _s(item.get("URL")),
        "accessed": accessed,
    }


def _s(value) -> str | None:
    return " ".join(str(value).split()) or None if value not in (None, "") else None


# ---------------------------------------------------------------- BibTeX


def parse_bibtex(text: str, path: str) -> list[tuple[str, str, dict[str, str]]]:
    """``(type, key, fields)`` for each ``@type{key, name = value, ...}`` entry (``@string``,
    ``@comment`` and ``@preamble`` skipped); values lose their braces and common LaTeX escapes."""
    entries = []
    i, n = 0, len(text)
    while True:
        at = text.find("@", i)
        if at < 0:
            return entries
        j = at + 1
        while j < n and (text[j].isalnum() or text[j] in "_-"):
            j += 1
        kind = text[at + 1:j].lower()
        while j < n and text[j].isspace():
            j += 1
        if j >= n or text[j] not in "{(":
            i = j
            continue
        body_start = j + 1
        end = _matching(text, j, path)
        body = text[body_start:end]
        i = end + 1
        if kind in ("comment", "preamble", "string"):
            continue
        key, _, rest = body.partition(",")
        entries.append((kind, key.strip(), _fields(rest, path)))


def _matching(text: str, open_at: int, path: str) -> int:
    depth, k, n = 0, open_at, len(text)
    opener = text[open_at]
    closer = "}" if opener == "{" else ")"
    while k < n:
        ch = text[k]
        if ch == "{" or (ch == opener and opener == "("):
            depth += 1
        elif ch == "}" or (ch == closer and closer == ")"):
            depth -= 1
            if depth == 0:
                return k
        k += 1
    raise PubconvError("a BibTeX entry is not closed", SourcePos(path, text.count("\n", 0, open_at) + 1),
                       "bad-bibliography")


def _fields(body: str, path: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    i, n = 0, len(body)
    while i < n:
        eq = body.find("=", i)
        if eq < 0:
            break
        name = body[i:eq].strip().strip(",").strip().lower()
        k = eq + 1
        value_parts = []
        while k < n:
            while k < n and body[k].isspace():
                k += 1
            if k < n and body[k] == "{":
                end = _matching(body, k, path)
                value_parts.append(body[k + 1:end])
                k = end + 1
            elif k < n and body[k] == '"':
                depth, m = 0, k + 1
                while m < n and not (body[m] == '"' and depth == 0):
                    depth += (body[m] == "{") - (body[m] == "}")
                    m += 1
                value_parts.append(body[k + 1:m])
                k = m + 1
            else:
                m = k
                while m < n and body[m] not in ",#":
                    m += 1
                value_parts.append(body[k:m].strip())
                k = m
            while k < n and body[k].isspace():
                k += 1
            if k < n and body[k] == "#":
                k += 1
                continue
            break
        if name:
            fields[name] = "".join(value_parts)  # raw: braces mark organisations in author lists
        comma = body.find(",", k)
        i = n if comma < 0 else comma + 1
    return fields


_LATEX = {"\\&": "&", "\\%": "%", "\\_": "_", "\\$": "$", "\\#": "#", "---": "—", "--": "–", "~": " "}


def _latex(value: str) -> str:
    for a, b in _LATEX.items():
        value = value.replace(a, b)
    return " ".join(value.replace("{", "").replace("}", "").split())


def _bib_item(entry: tuple[str, str, dict[str, str]]) -> dict:
    kind, key, raw = entry
    f = {k: _latex(v) for k, v in raw.items()}
    authors = []
    for raw_name in _split_and(raw.get("author", "")):
        name = _latex(raw_name)
        if raw_name.startswith("{") and raw_name.endswith("}") and _matching(raw_name, 0, "") == len(raw_name) - 1:
            authors.append((None, name))  # {Harbour Authority}: an organisation
        elif "," in name:
            family, _, given = name.partition(",")
            authors.append((given.strip() or None, family.strip()))
        elif len(name.split()) > 1:
            *given, family = name.split()
            authors.append((" ".join(given), family))
        elif name:
            authors.append((None, name))
    pages = f.get("pages", "").replace("–", "-")
    fpage, _, lpage = pages.partition("-")
    return {
        "id": key, "kind": KINDS.get(kind, "other"), "authors": authors, "year": f.get("year") or None,
        "title": f.get("title") or None,
        "container": f.get("journal") or f.get("journaltitle") or f.get("booktitle") or None,
        "series": f.get("series") or None, "volume": f.get("volume") or None,
        "issue": f.get("number") or f.get("issue") or None, "fpage": fpage.strip() or None,
        "lpage": lpage.strip("- ") or None, "publisher": f.get("publisher") or f.get("institution") or None,
        "place": f.get("address") or f.get("location") or None, "doi": f.get("doi") or None,
        "url": f.get("url") or None, "accessed": f.get("urldate") or None,
    }


def _split_and(value: str) -> list[str]:
    """BibTeX's author list: names separated by " and " outside braces."""
    names, depth, start, i = [], 0, 0, 0
    while i < len(value):
        ch = value[i]
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and value.startswith(" and ", i):
            names.append(value[start:i])
            start = i = i + 5
            continue
        i += 1
    names.append(value[start:])
    return [" ".join(n.split()) for n in names if n.strip()]


# ---------------------------------------------------------------- matching printed entries


def _printed(value: str | None, text: str, start: int = 0) -> re.Match | None:
    """``value`` in ``text`` at or after ``start``, case-insensitive, any whitespace between its words."""
    if not value or not value.strip():
        return None
    pattern = r"\s+".join(re.escape(w) for w in value.split())
    return re.compile(rf"(?<!\w){pattern}(?!\w)", re.I).search(text, start)


def match(plain: str, items: list[dict]) -> list[dict]:
    """The items whose first author, year and title are all printed in the entry."""
    found = []
    for item in items:
        if not item.get("title") or not item.get("year") or not _printed(item["title"].rstrip(".?!"), plain):
            continue
        if not re.search(rf"(?<!\d){re.escape(item['year'])}", plain):
            continue
        if item["authors"] and not _printed(item["authors"][0][1], plain):
            continue
        found.append(item)
    return found


def apply(refs: list[etree._Element], items: list[dict], report: Report, pos_of) -> None:
    """Give each printed entry that matches one item the item's parts (see the module docstring)."""
    for ref in refs:
        plain = text_of(ref.find(q("text")))
        found = match(plain, items)
        if len(found) > 1:
            warn(report, "bib-ambiguous", f"reference matches {len(found)} bibliography items "
                 f"({', '.join(i['id'] for i in found)}); its parts are read from the printed text", pos_of(ref))
            continue
        if not found:
            continue
        item = found[0]
        ref.set("type", item["kind"])
        old = ref.find(q("parsed"))
        if old is not None:
            ref.remove(old)
        parsed = _parsed(plain, item)
        for tag in ("doi", "url"):
            valid = tag != "doi" or re.match(r"10\.\d{4,9}/\S+$", item.get(tag) or "")
            if item.get(tag) and ref.find(q(tag)) is None and valid:
                el = E(tag, item[tag])
                if tag == "url" and ref.find(q("doi")) is not None:
                    ref.find(q("doi")).addprevious(el)
                else:
                    ref.append(el)
        if len(parsed):
            ref.append(parsed)


def _parsed(plain: str, item: dict) -> etree._Element:
    spans: list[tuple[int, str, object]] = []
    pos = 0
    people = []
    for given, family in item["authors"]:
        if given is None and family:  # an organisation
            m = _printed(family, plain, pos)
            if not m:
                people = []
                break
            people.append((m.start(), E("collab", m.group(0))))
            pos = m.end()
            continue
        m = _printed(family, plain, pos)
        if not m:
            break  # "et al.": the rest is not printed
        printed_given = _given(given, plain, m.end())
        people.append((m.start(), E("name", E("given", printed_given) if printed_given else None,
                                    E("family", m.group(0)))))
        pos = m.end()
    if people:
        spans.append((people[0][0], "person-group", E("person-group", *[p for _, p in people])))
    title_name = "source" if item["kind"] in ("book", "report") else "title"
    wanted = [("year", item.get("year")), (title_name, item.get("title")),
              ("source", item.get("container") if title_name == "title" else None), ("series", item.get("series")),
              ("volume", item.get("volume")), ("issue", item.get("issue")), ("fpage", item.get("fpage")),
              ("lpage", item.get("lpage")), ("publisher-loc", item.get("place")),
              ("publisher-name", item.get("publisher"))]
    taken: list[tuple[int, int]] = []
    for name, value in wanted:  # each after the authors, where no other part was found
        m = _printed(value.rstrip(".") if value else value, plain, pos)
        while m and any(m.start() < b and a < m.end() for a, b in taken):
            m = _printed(value.rstrip("."), plain, m.end())
        if m:
            taken.append((m.start(), m.end()))
            spans.append((m.start(), name, m.group(0)))
    spans.sort(key=lambda s: s[0])
    parsed = E("parsed")
    seen = set()
    for _, name, value in spans:
        if name in seen:
            continue
        seen.add(name)
        parsed.append(value if isinstance(value, etree._Element) else E(name, value))
    return parsed


def _given(given: str | None, text: str, at: int) -> str | None:
    """The given name as printed right after the family name: in full, or as initials ("S. O.", "S.O.")."""
    if not given:
        return None
    tail = text[at:at + 4 + 3 * len(given)]
    lead = 0
    while lead < len(tail) and tail[lead] in ", ":
        lead += 1
    tail = tail[lead:]
    initials = [w[0] + "." for w in given.replace("-", " ").split() if w]
    for form in (given, " ".join(initials), "".join(initials), " ".join(i[0] for i in initials)):
        if form and tail.startswith(form):
            return form
    return None


def bibliography_path(value: str, base_dir: Path, pos: SourcePos) -> Path:
    """The bibliography file named in the front matter: relative to the source, inside its folder."""
    base = base_dir.resolve()
    path = (base / value).resolve()
    if not path.is_relative_to(base):
        raise PubconvError(f"the bibliography {value!r} is outside the source's folder", pos, "outside-resource")
    if path.suffix.lower() not in (".json", ".bib"):
        raise PubconvError(f"the bibliography must be CSL-JSON (.json) or BibTeX (.bib): {value!r}", pos,
                           "bad-bibliography")
    return path

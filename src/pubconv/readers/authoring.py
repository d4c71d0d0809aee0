"""The authoring form: CommonMark with YAML front matter, ``[^label]`` footnotes, a References section.

Front matter keys (all optional but ``title``)::

    series: COMMENT            # the label as printed
    number: 207
    title: "..."
    subtitle: "..."
    authors:                   # a list; each a name string or a mapping
      - name: "Siegfried O. Wolf"      # or given: / family:
        orcid: 0000-0002-1825-0097
        email: someone@example.org
        affiliation: "..."             # or a list
        bio: "Markdown"
        note: "Markdown"               # an author note (printed with a * mark)
    date: 2021-03-03           # or "Spring 2021", "March 2021", 2021
    doi: 10.48251/SADF.ISSN.2406-5617.C207
    lang: en
    keywords: [a, b]
    abstract: "Markdown"
    license: "CC BY 4.0"       # or {name: ..., url: ...}
    publisher: "..."           # or {name: ..., place: ...}
    issn: 2406-5617

The body is CommonMark (with pipe tables); a heading named References (or
Bibliography, Sources, ...) starts the reference list, one paragraph or list
item per entry, its URL written at the end as ``<https://...>``.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from ..document import Document, E
from ..errors import PubconvError, Report, SourcePos
from . import _common
from ._markdown import MarkdownBuilder

# libyaml's loader when it is there (ten times faster), the pure-Python one otherwise; both are "safe".
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
KEYS = {"series", "number", "title", "subtitle", "authors", "date", "doi", "lang", "language", "keywords",
        "abstract", "license", "licence", "publisher", "issn"}
AUTHOR_KEYS = {"name", "given", "family", "orcid", "email", "affiliation", "affiliations", "bio", "note"}


_OPENING = re.compile(r"\A---[ \t]*+\n\s*+[A-Za-z_][\w-]*+\s*+:")
_ISSN = re.compile(r"^\d{4}-\d{3}[\dX]$")
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*+)\s*+:")


def has_front_matter(text: str) -> bool:
    """Does the text open with YAML front matter (closed or not: an unclosed one is an error, not a body)?"""
    return FRONT_MATTER.match(text) is not None or _OPENING.match(text) is not None


def read(text: str, path: str, report: Report, base_dir: Path, lang: str = "en") -> Document:
    """Read the authoring form (``text`` already decoded, newlines normalized)."""
    if text.startswith("---") and not FRONT_MATTER.match(text):
        raise PubconvError("front matter is not closed: add a '---' line after it", SourcePos(path, 1, 1),
                           "bad-front-matter")
    m = FRONT_MATTER.match(text)
    fm_text = m.group(1) or "" if m else ""
    data = _load_yaml(fm_text, path)
    fm_lines = text[: m.end()].count("\n") if m else 0
    # Blank out the front matter so markdown-it's line numbers are the file's.
    body_text = "\n" * fm_lines + text[m.end():] if m else text
    builder = MarkdownBuilder(path, report)
    key_line = _key_lines(fm_text)

    def pos(key: str) -> SourcePos:
        return SourcePos(path, key_line.get(key, 1))

    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise PubconvError(f"unknown front matter key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})",
                           pos(unknown[0]), "bad-front-matter")
    meta = E("meta")
    series = data.get("series")
    if series is not None:
        label = _string(series, "series", pos)
        number = data.get("number")
        meta.append(E("series", E("label", label),
                      E("number", _string(number, "number", pos)) if number is not None else None,
                      line=key_line.get("series")))
    title = data.get("title")
    if title is None or not _string(title, "title", pos).strip():
        raise PubconvError("the document has no title: add 'title:' to the front matter", SourcePos(path, 1, 1),
                           "no-title")
    meta.append(builder.inline(_string(title, "title", pos), E("title", line=key_line.get("title"))))
    if data.get("subtitle") is not None:
        meta.append(builder.inline(_string(data["subtitle"], "subtitle", pos),
                                   E("subtitle", line=key_line.get("subtitle"))))
    authors, notes = _authors(data.get("authors"), pos, key_line.get("authors"), path, report)
    if authors:
        meta.append(E("authors", *authors))
    if notes:
        meta.append(E("author-notes", *notes))
    if data.get("date") is not None:
        meta.append(_date(data["date"], pos("date"), key_line.get("date")))
    if data.get("doi") is not None:
        doi = _common.check_doi(_string(data["doi"], "doi", pos), pos("doi"), report)
        if doi:
            meta.append(E("doi", doi, line=key_line.get("doi")))
    publisher = data.get("publisher")
    if publisher is not None:
        if isinstance(publisher, dict):
            name, place = publisher.get("name"), publisher.get("place")
        else:
            name, place = _string(publisher, "publisher", pos), None
        if name:
            meta.append(E("publisher", E("name", str(name)), E("place", str(place)) if place else None))
    if data.get("issn") is not None:
        issn = _string(data["issn"], "issn", pos)
        if not _ISSN.match(issn):
            raise PubconvError(f"not an ISSN: {issn!r} (expected NNNN-NNNN)", pos("issn"), "bad-front-matter")
        meta.append(E("issn", issn, format="electronic"))
    lic = data.get("license", data.get("licence"))
    if lic is not None:
        if isinstance(lic, dict):
            meta.append(E("license", str(lic.get("name") or lic.get("url")), href=lic.get("url")))
        else:
            meta.append(E("license", _string(lic, "license", pos)))
    keywords = data.get("keywords")
    if keywords is not None:
        if isinstance(keywords, str):
            keywords = [k.strip() for k in keywords.split(",")]
        if not isinstance(keywords, list):
            raise PubconvError("'keywords' must be a list", pos("keywords"), "bad-front-matter")
        kws = [E("keyword", str(k)) for k in keywords if str(k).strip()]
        if kws:
            meta.append(E("keywords", *kws))
    if data.get("abstract") is not None:
        abstract = MarkdownBuilder(path, report, first_line=key_line.get("abstract", 1)).blocks(
            _string(data["abstract"], "abstract", pos))
        if abstract:
            meta.append(E("abstract", *abstract, line=key_line.get("abstract")))
    doc_lang = data.get("lang", data.get("language")) or lang
    body = builder.body(body_text)
    return _common.assemble(meta, body, path=path, src_file=Path(path).name, form="authoring",
                            lang=_string(doc_lang, "lang", pos), report=report, base_dir=base_dir)


def _load_yaml(text: str, path: str) -> dict:
    try:
        data = yaml.load(text, Loader=_SafeLoader) if text.strip() else {}
    except yaml.YAMLError:
        # Parse again with the pure-Python loader: its messages say what it expected.
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the '---' line
            col = mark.column + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise PubconvError(f"front matter is not valid YAML: {problem}", SourcePos(path, line, col),
                               "bad-yaml") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PubconvError("front matter must be a mapping of keys to values", SourcePos(path, 2, 1),
                           "bad-front-matter")
    return {str(k): v for k, v in data.items()}


def _key_lines(fm_text: str) -> dict[str, int]:
    lines = {}
    for i, line in enumerate(fm_text.splitlines()):
        m = _KEY_LINE.match(line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = i + 2
    return lines


def _string(value, key: str, pos) -> str:
    if isinstance(value, bool) or isinstance(value, (dict, list)) or value is None:
        raise PubconvError(f"'{key}' must be text, not {type(value).__name__}", pos(key), "bad-front-matter")
    return str(value)


def _date(value, pos: SourcePos, line: int | None):
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _common.date_element(value.isoformat(), None, line)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise PubconvError(f"'date' must be a date such as 2021-03-03, not {type(value).__name__}", pos,
                           "bad-front-matter")
    parsed = _common.parse_date(value)
    if parsed is None:
        raise PubconvError(f"'date' is not a date: {value!r} (use 2021-03-03, 'March 2021' or 'Spring 2021')",
                           pos, "bad-date")
    return _common.date_element(parsed[0], parsed[1], line)


def _authors(value, pos, line, path, report):
    if value is None:
        return [], []
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise PubconvError(f"'authors' must be a list of names or mappings, not {type(value).__name__}",
                           pos("authors"), "bad-front-matter")
    authors, notes = [], []
    for i, item in enumerate(value, 1):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            raise PubconvError(f"author {i} must be a name or a mapping, not {type(item).__name__}",
                               pos("authors"), "bad-front-matter")
        unknown = sorted(set(map(str, item)) - AUTHOR_KEYS)
        if unknown:
            raise PubconvError(f"unknown author key {unknown[0]!r} (known: {', '.join(sorted(AUTHOR_KEYS))})",
                               pos("authors"), "bad-front-matter")
        given, family = item.get("given"), item.get("family")
        if family is None:
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                raise PubconvError(f"author {i} has no name", pos("authors"), "bad-front-matter")
            given, family = _common.split_name(name.strip())
        orcid = None
        if item.get("orcid") is not None:
            orcid = _common.normalize_orcid(str(item["orcid"]))
            if orcid is None:
                raise PubconvError(f"author {i}: not an ORCID iD: {item['orcid']!r}", pos("authors"),
                                   "bad-front-matter")
        affs = item.get("affiliations", item.get("affiliation")) or []
        if isinstance(affs, str):
            affs = [affs]
        bio = None
        if item.get("bio"):
            bio = MarkdownBuilder(path, report, first_line=line or 1).blocks(str(item["bio"]))
        note_id = None
        if item.get("note"):
            note_id = f"an-{len(notes) + 1}"
            blocks = MarkdownBuilder(path, report, first_line=line or 1).blocks(str(item["note"]))
            notes.append(E("author-note", *blocks, id=note_id, symbol="*" * (len(notes) + 1), line=line))
        authors.append(_common.author_element(
            i, str(given) if given else None, str(family), line, orcid=orcid,
            email=str(item["email"]) if item.get("email") else None, affiliations=[str(a) for a in affs],
            bio=bio, bio_line=line if bio else None, notes=note_id))
    return authors, notes

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

#: Limits on front matter (docs/robustness.md): its size, and the digits of a number in it.
MAX_FRONT_MATTER = 256 * 1024
MAX_DIGITS = 60
MAX_YAML_DEPTH = 20
# Characters XML 1.0 cannot carry; YAML escapes ("\x07", "\ud800") can write them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _strict(base):
    """A safe loader class on ``base`` that keeps impossible timestamps as text and refuses huge integers."""

    class Loader(base):
        pass

    def timestamp(loader, node):
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
        except (ValueError, OverflowError):
            return node.value  # "2021-02-30": left to the date check, which says where and why

    def integer(loader, node):
        if sum(c.isdigit() for c in node.value) > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number with more than {MAX_DIGITS} digits is not allowed in front matter",
                node.start_mark)
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    Loader.add_constructor("tag:yaml.org,2002:int", integer)
    return Loader


# libyaml's loader when it is there (ten times faster), the pure-Python one otherwise; both are "safe".
_SafeLoader = _strict(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
_PyLoader = _strict(yaml.SafeLoader)
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
KEYS = {"series", "number", "title", "subtitle", "authors", "date", "doi", "lang", "language", "keywords",
        "abstract", "license", "licence", "publisher", "issn"}
AUTHOR_KEYS = {"name", "given", "family", "orcid", "email", "affiliation", "affiliations", "bio", "note"}


_OPENING = re.compile(r"\A---[ \t]*+\n\s*+[A-Za-z_][\w-]*+\s*+:")
_ISSN = re.compile(r"^\d{4}-\d{3}[\dX]$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
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
            _known(publisher, {"name", "place"}, "publisher", pos)
            name, place = (_string(publisher[k], "publisher", pos) if publisher.get(k) is not None else None
                           for k in ("name", "place"))
        else:
            name, place = _string(publisher, "publisher", pos), None
        if name:
            meta.append(E("publisher", E("name", name), E("place", place) if place else None))
    if data.get("issn") is not None:
        issn = _string(data["issn"], "issn", pos)
        if not _ISSN.match(issn):
            raise PubconvError(f"not an ISSN: {issn!r} (expected NNNN-NNNN)", pos("issn"), "bad-front-matter")
        meta.append(E("issn", issn, format="electronic"))
    lic = data.get("license", data.get("licence"))
    if lic is not None:
        if isinstance(lic, dict):
            _known(lic, {"name", "url"}, "license", pos)
            name, url = (_string(lic[k], "license", pos) if lic.get(k) is not None else None for k in ("name", "url"))
            if not (name or url):
                raise PubconvError("'license' needs a name or a url", pos("license"), "bad-front-matter")
            meta.append(E("license", name or url, href=url))
        else:
            meta.append(E("license", _string(lic, "license", pos)))
    keywords = data.get("keywords")
    if keywords is not None:
        if isinstance(keywords, str):
            keywords = [k.strip() for k in keywords.split(",")]
        if not isinstance(keywords, list):
            raise PubconvError("'keywords' must be a list", pos("keywords"), "bad-front-matter")
        kws = [E("keyword", _string(k, "keywords", pos)) for k in keywords
               if k is not None and _string(k, "keywords", pos).strip()]
        if kws:
            meta.append(E("keywords", *kws))
    if data.get("abstract") is not None:
        abstract = MarkdownBuilder(path, report, first_line=key_line.get("abstract", 1)).blocks(
            _string(data["abstract"], "abstract", pos))
        if abstract:
            meta.append(E("abstract", *abstract, line=key_line.get("abstract")))
    doc_lang = data.get("lang", data.get("language")) or lang
    if not _LANG.match(_string(doc_lang, "lang" if "lang" in data else "language", pos)):
        raise PubconvError(f"'lang' is not a language tag such as 'en' or 'pt-BR': {doc_lang!r}",
                           pos("lang" if "lang" in data else "language"), "bad-front-matter")
    body = builder.body(body_text)
    return _common.assemble(meta, body, path=path, src_file=Path(path).name, form="authoring",
                            lang=_string(doc_lang, "lang", pos), report=report, base_dir=base_dir)


def _load_yaml(text: str, path: str) -> dict:
    """The front matter as a mapping; every way YAML can hurt is refused with ``bad-yaml`` and its line.

    Refused: aliases and anchors (``&a`` / ``*a``: a few hundred bytes of them expand to gigabytes),
    duplicate keys (YAML's last-one-wins silently loses the first), characters XML cannot carry
    (written through escapes such as ``"\\x07"``), numbers of more than ``MAX_DIGITS`` digits, and
    front matter over ``MAX_FRONT_MATTER`` bytes.
    """
    def fail(message: str, mark=None) -> PubconvError:
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the '---' line
        col = mark.column + 1 if mark is not None else None
        return PubconvError(message, SourcePos(path, line, col), "bad-yaml")

    if not text.strip():
        return {}
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER:
        raise fail(f"front matter is larger than {MAX_FRONT_MATTER // 1024} KB")
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_SafeLoader):  # events: no expansion, no recursion
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise fail("YAML anchors and aliases ('&name', '*name') are not allowed in front matter",
                           event.start_mark)
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise fail(f"front matter nests deeper than {MAX_YAML_DEPTH} levels", event.start_mark)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            _check_nodes(node, fail)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.constructor.ConstructorError as exc:
        if exc.context is None and exc.problem and exc.problem.startswith("a number with"):
            raise fail(exc.problem, exc.problem_mark) from None
        raise fail(f"front matter is not valid YAML: {exc.problem}", exc.problem_mark) from None
    except yaml.YAMLError as exc:
        # Parse again with the pure-Python loader: its messages say what it expected.
        try:
            yaml.load(text, Loader=_PyLoader)
        except yaml.YAMLError as exc2:
            exc = exc2
        except RecursionError:  # its parser recurses; libyaml's message will do
            pass
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise fail(f"front matter is not valid YAML: {problem}", mark) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PubconvError("front matter must be a mapping of keys to values", SourcePos(path, 2, 1),
                           "bad-front-matter")
    return {str(k): v for k, v in data.items()}


def _check_nodes(node, fail) -> None:
    """Duplicate keys and characters XML cannot carry, anywhere in the tree (iteratively: any depth)."""
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.ScalarNode):
            bad = _NOT_XML.search(n.value)
            if bad:
                raise fail(f"character U+{ord(bad.group()):04X} is not allowed in front matter", n.start_mark)
        elif isinstance(n, yaml.MappingNode):
            seen: set = set()
            for key, value in n.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise fail(f"duplicate key {key.value!r} in front matter", key.start_mark)
                    seen.add(key.value)
                stack.extend((key, value))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


def _key_lines(fm_text: str) -> dict[str, int]:
    lines = {}
    for i, line in enumerate(fm_text.splitlines()):
        m = _KEY_LINE.match(line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = i + 2
    return lines


def _string(value, key: str, pos, where: str | None = None) -> str:
    """A scalar front matter value as text; ``where`` is the top-level key whose line is reported."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)):
        raise PubconvError(f"'{key}' must be text, not {type(value).__name__}", pos(where or key), "bad-front-matter")
    return str(value)


def _known(mapping: dict, keys: set, key: str, pos) -> None:
    unknown = sorted(set(map(str, mapping)) - keys)
    if unknown:
        raise PubconvError(f"unknown key {unknown[0]!r} in '{key}' (known: {', '.join(sorted(keys))})", pos(key),
                           "bad-front-matter")


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
            orcid = _common.normalize_orcid(_string(item["orcid"], "orcid", pos, "authors"))
            if orcid is None:
                raise PubconvError(f"author {i}: not an ORCID iD: {item['orcid']!r}", pos("authors"),
                                   "bad-front-matter")
        affs = item.get("affiliations", item.get("affiliation")) or []
        if not isinstance(affs, list):
            affs = [affs]
        affs = [_string(a, "affiliation", pos, "authors") for a in affs if a is not None]
        bio = None
        if item.get("bio"):
            bio = MarkdownBuilder(path, report, first_line=line or 1).blocks(_string(item["bio"], "bio", pos, "authors"))
        note_id = None
        if item.get("note"):
            note_id = f"an-{len(notes) + 1}"
            blocks = MarkdownBuilder(path, report, first_line=line or 1).blocks(
                _string(item["note"], "note", pos, "authors"))
            notes.append(E("author-note", *blocks, id=note_id, symbol="*" * (len(notes) + 1), line=line))
        authors.append(_common.author_element(
            i, _string(given, "given", pos, "authors") if given else None, _string(family, "family", pos, "authors"),
            line, orcid=orcid,
            email=_string(item["email"], "email", pos, "authors") if item.get("email") else None,
            affiliations=affs,
            bio=bio, bio_line=line if bio else None, notes=note_id))
    return authors, notes

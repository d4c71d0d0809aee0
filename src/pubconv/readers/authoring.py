"""The authoring form: CommonMark with YAML front matter, ``[^label]`` footnotes, a References section.

Front matter keys (all optional but ``title``)::

    series: COMMENT            # the label as printed
    number: 207
    title: "..."
    subtitle: "..."
    short-title: "..."         # the running head's title (else derived from the title)
    authors:                   # a list; each a name string or a mapping
      - name: "Siegfried O. Wolf"      # or given: / family: (/ suffix: Jr.); "Name Jr." and "Name II" work too
        orcid: 0000-0002-1825-0097
        email: someone@example.org
        affiliation: "..."             # or a list
        bio: "Markdown"
        note: "Markdown"               # an author note (printed with a * mark)
    date: 2021-03-03           # or "Spring 2021", "March 2021", 2021
    doi: 10.48251/SADF.ISSN.2406-5617.C207
    lang: en-GB                # language and region: hyphenation and quotes follow it
    keywords: [a, b]
    abstract: "Markdown"
    license: "CC BY 4.0"       # or {name: ..., url: ...}
    publisher: "..."           # or {name: ..., place: ...}
    issn: 2406-5617
    url: https://example.org/comments/207/   # the landing page (for JATS self-uri and Crossref)
    copyright-holder: "..."    # default: the publisher
    copyright-statement: "..." # default: "© YEAR HOLDER"
    bibliography: refs.json    # CSL-JSON or BibTeX (.bib): exact parts for the printed references
    isbn: 978-3-16-148410-0    # this edition's ISBN (the EPUB's unique identifier)
    cover: cover.png           # the EPUB cover image, relative to the source
    smart: false               # keep straight quotes, -- and ... as typed (default: typographic)
    title-translations:        # the title in other languages: a string, or {title, subtitle, abstract}
      de: "Niedrigwasser auf der Donau"
    funding:                   # a list; each a funder name, or {funder, funder-id, award}
      - {funder: European Commission, funder-id: 10.13039/501100000780, award: "101003590"}
    funding-statement: "..."   # as it should be printed (default: made from the list)
    source:                    # the journal issue the piece appeared in (all keys optional)
      journal: "Journal of Regional Affairs"
      volume: 34
      issue: 1
      fpage: 12                # and lpage:, or elocation:

``docs/authoring.md`` is the complete reference of the form (keys and syntax).

The body is CommonMark (with pipe tables); a heading named References (or
Bibliography, Sources, ...) starts the reference list, one paragraph or list
item per entry, its URL written at the end as ``<https://...>``.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from .. import metadata
from ..document import LANG, Document, E
from lxml import etree

from ..errors import PubconvError, Report, SourcePos, warn
from . import _bibliography, _common, _fields
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
        "abstract", "license", "licence", "publisher", "issn", "smart", "url", "copyright-holder",
        "copyright-statement", "bibliography", "source", "isbn", "cover",
        "title-translations", "funding", "funding-statement", "short-title"}
SOURCE_KEYS = ("journal", "volume", "issue", "fpage", "lpage", "elocation")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
AUTHOR_KEYS = {"name", "given", "family", "suffix", "orcid", "email", "affiliation", "affiliations", "bio", "note"}


_OPENING = re.compile(r"\A---[ \t]*+\n\s*+[A-Za-z_][\w-]*+\s*+:")
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
    places: dict[tuple, tuple[int, int]] = {}
    data = _load_yaml(fm_text, path, places)
    fm_lines = text[: m.end()].count("\n") if m else 0
    # Blank out the front matter so markdown-it's line numbers are the file's.
    body_text = "\n" * fm_lines + text[m.end():] if m else text
    key_line = _key_lines(fm_text)

    def pos(key: str, *inner) -> SourcePos:
        """Where ``key`` was written; with ``inner`` (keys, list indexes), the nested value itself
        (or the nearest enclosing value that was written)."""
        for depth in range(len(inner), 0, -1):
            found = places.get((key, *inner[:depth]))
            if found:
                return SourcePos(path, *found)
        return SourcePos(path, key_line.get(key, 1))

    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise PubconvError(f"unknown front matter key {unknown[0]!r} (known: {', '.join(sorted(KEYS))}; "
                           "see docs/authoring.md)", pos(unknown[0]), "bad-front-matter")
    doc_lang = _string(data.get("lang", data.get("language")) or lang, "lang", pos)
    smart = data.get("smart", True)
    if not isinstance(smart, bool):
        raise PubconvError("'smart' must be true or false", pos("smart"), "bad-front-matter")

    def markdown(first_line: int = 1, lang: str | None = None) -> MarkdownBuilder:
        """A Markdown reader for front-matter text; ``lang``: text in another language (its quotes)."""
        return MarkdownBuilder(path, report, first_line=first_line, extended=True, lang=lang or doc_lang,
                               smart=smart)

    builder = markdown()
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
    if data.get("short-title") is not None and _string(data["short-title"], "short-title", pos).strip():
        meta.append(E("short-title", " ".join(_string(data["short-title"], "short-title", pos).split()),
                      line=key_line.get("short-title")))
    affs: dict[str, etree._Element] = {}
    authors, notes = _authors(data.get("authors"), pos, key_line.get("authors"), path, report, affs)
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
            name, place = (_string(publisher[k], "publisher", pos, ("publisher", k))
                           if publisher.get(k) is not None else None for k in ("name", "place"))
        else:
            name, place = _string(publisher, "publisher", pos), None
        if name:
            meta.append(metadata.publisher(name, place))
    if data.get("issn") is not None:
        issn = _string(data["issn"], "issn", pos)
        if not metadata.ISSN.match(issn):
            raise PubconvError(f"not an ISSN: {issn!r} (expected NNNN-NNNN)", pos("issn"), "bad-front-matter")
        meta.append(metadata.issn(issn, "electronic"))
    lic = data.get("license", data.get("licence"))
    if lic is not None:
        if isinstance(lic, dict):
            lic_key = "license" if "license" in data else "licence"
            _known(lic, {"name", "url"}, lic_key, pos)
            name, url = (_string(lic[k], lic_key, pos, (lic_key, k)) if lic.get(k) is not None else None
                         for k in ("name", "url"))
            if not (name or url):
                raise PubconvError("'license' needs a name or a url", pos("license"), "bad-front-matter")
            meta.append(metadata.license(name, url))
        else:
            meta.append(metadata.license(_string(lic, "license", pos)))
    keywords = data.get("keywords")
    if keywords is not None:
        if isinstance(keywords, str):
            keywords = [k.strip() for k in keywords.split(",")]
        if not isinstance(keywords, list):
            raise PubconvError("'keywords' must be a list", pos("keywords"), "bad-front-matter")
        kws = [E("keyword", _string(k, "keywords", pos, ("keywords", j))) for j, k in enumerate(keywords)
               if k is not None and _string(k, "keywords", pos, ("keywords", j)).strip()]
        if kws:
            meta.append(E("keywords", *kws))
    if data.get("abstract") is not None:
        abstract = markdown(key_line.get("abstract", 1)).blocks(
            _string(data["abstract"], "abstract", pos))
        if abstract:
            meta.append(E("abstract", *abstract, line=key_line.get("abstract")))
    if data.get("url") is not None:
        url = _string(data["url"], "url", pos).strip()
        if not re.match(r"https?://\S+$", url):
            raise PubconvError(f"'url' must be an absolute http(s) URL: {url!r}", pos("url"), "bad-front-matter")
        meta.append(E("url", url, line=key_line.get("url")))
    holder, statement = data.get("copyright-holder"), data.get("copyright-statement")
    if holder is not None or statement is not None:
        holder = _string(holder, "copyright-holder", pos).strip() if holder is not None else ""
        statement = _string(statement, "copyright-statement", pos).strip() if statement is not None else ""
        if holder or statement:
            meta.append(E("copyright", E("holder", holder) if holder else None,
                          E("statement", statement) if statement else None))
    if data.get("isbn") is not None:
        isbn = _string(data["isbn"], "isbn", pos).strip()
        if not _common.valid_isbn13(isbn):
            raise PubconvError(f"not an ISBN-13: {isbn!r} (13 digits starting 978 or 979, with a valid check digit)",
                               pos("isbn"), "bad-front-matter")
        meta.append(E("isbn", isbn, line=key_line.get("isbn")))
    if data.get("cover") is not None:
        meta.append(E("cover", src=_string(data["cover"], "cover", pos).strip(), line=key_line.get("cover")))
    source = data.get("source")
    if source is not None:
        if not isinstance(source, dict) or set(map(str, source)) - set(SOURCE_KEYS):
            wrong = sorted(set(map(str, source)) - set(SOURCE_KEYS)) if isinstance(source, dict) else []
            raise PubconvError(f"'source' must be a mapping with the keys {', '.join(SOURCE_KEYS)}",
                               pos("source", *wrong[:1]), "bad-front-matter")
        parts = [E(k, str(source[k]).strip()) for k in SOURCE_KEYS if source.get(k) is not None
                 and str(source[k]).strip()]
        if parts:
            meta.append(E("source", *parts, line=key_line.get("source")))
    if affs:
        meta.append(E("affiliations", *affs.values()))
    translations = _translations(data.get("title-translations"), pos, key_line.get("title-translations"), markdown)
    if translations is not None:
        meta.append(translations)
    funding = _funding(data.get("funding"), data.get("funding-statement"), pos, key_line)
    if funding is not None:
        meta.append(funding)
    title_note = "[^" in str(title)
    if title_note:  # parse the title with the body, so that a note called in it is one of the body's notes
        lines = body_text.split("\n")
        at = max(0, min(key_line.get("title", 1) - 1, fm_lines - 1))
        lines[at] = "# " + " ".join(str(title).split())
        body_text = "\n".join(lines)
    if not _LANG.match(doc_lang):
        raise PubconvError(f"'lang' is not a language tag such as 'en' or 'pt-BR': {doc_lang!r}",
                           pos("lang" if "lang" in data else "language"), "bad-front-matter")
    body = builder.body(body_text)
    if title_note:
        _common.take_title(meta, body)
    doc = _common.assemble(meta, body, path=path, src_file=Path(path).name, form="authoring",
                           lang=doc_lang, report=report, base_dir=base_dir)
    if data.get("bibliography") is not None:
        bib_path = _bibliography.bibliography_path(_string(data["bibliography"], "bibliography", pos), base_dir,
                                                   pos("bibliography"))
        items = _bibliography.load(bib_path, pos("bibliography"))
        refs = doc.xpath("/p:document/p:references/p:ref")
        if not refs:
            warn(report, "bib-no-references", "a bibliography is named but the document has no References "
                 "section: the bibliography only gives the parts of the printed references", pos("bibliography"))
        _bibliography.apply(refs, items, report, doc.pos)
    return doc


def _load_yaml(text: str, path: str, places: dict | None = None) -> dict:
    """The front matter as a mapping; every way YAML can hurt is refused with ``bad-yaml`` and its line.

    ``places``, if given, is filled with where each value was written (:func:`_places`).

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
            if places is not None and node is not None:
                places.update(_places(node))
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


def _places(node) -> dict[tuple, tuple[int, int]]:
    """Where each value of the front matter was written: its path (keys as text, list indexes) -> (line, column).

    Lines count from the file's first line (the ``---``), columns from 1, so that an
    error in a nested value (an author's ORCID, a funder's id) points at the value itself.
    """
    out: dict[tuple, tuple[int, int]] = {}
    stack = [((), node)]
    while stack:
        path, n = stack.pop()
        out[path] = (n.start_mark.line + 2, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode):
            stack.extend(((*path, str(key.value)), value) for key, value in n.value
                         if isinstance(key, yaml.ScalarNode))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(((*path, i), value) for i, value in enumerate(n.value))
    return out


def _key_lines(fm_text: str) -> dict[str, int]:
    lines = {}
    for i, line in enumerate(fm_text.splitlines()):
        m = _KEY_LINE.match(line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = i + 2
    return lines


def _string(value, key: str, pos, where: str | tuple | None = None) -> str:
    """A scalar front matter value as text; ``where`` is the top-level key, or the path of a nested value, reported."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)):
        at = pos(*where) if isinstance(where, tuple) else pos(where or key)
        raise PubconvError(f"'{key}' must be text, not {type(value).__name__}", at, "bad-front-matter")
    return str(value)


def _known(mapping: dict, keys: set, key: str, pos) -> None:
    unknown = sorted(set(map(str, mapping)) - keys)
    if unknown:
        raise PubconvError(f"unknown key {unknown[0]!r} in '{key}' (known: {', '.join(sorted(keys))})",
                           pos(key, unknown[0]), "bad-front-matter")


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


def _authors(value, pos, line, path, report, affs: dict):
    if value is None:
        return [], []
    listed = isinstance(value, list)
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise PubconvError(f"'authors' must be a list of names or mappings, not {type(value).__name__}",
                           pos("authors"), "bad-front-matter")
    authors, notes = [], []
    for i, item in enumerate(value, 1):
        at = ("authors", i - 1) if listed else ("authors",)  # the path of this author's values
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            raise PubconvError(f"author {i} must be a name or a mapping, not {type(item).__name__}",
                               pos(*at), "bad-front-matter")
        unknown = sorted(set(map(str, item)) - AUTHOR_KEYS)
        if unknown:
            raise PubconvError(f"unknown author key {unknown[0]!r} (known: {', '.join(sorted(AUTHOR_KEYS))})",
                               pos(*at, unknown[0]), "bad-front-matter")
        given, family, suffix = item.get("given"), item.get("family"), item.get("suffix")
        if family is None:
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                raise PubconvError(f"author {i} has no name", pos(*at, "name"), "bad-front-matter")
            given, family, printed = _common.split_name_suffix(name.strip())
            suffix = suffix or printed
        elif suffix is None and str(family).split() and str(family).split()[-1].lower() in _common.SUFFIXES \
                and len(str(family).split()) > 1:
            _, family, suffix = _common.split_name_suffix(str(family))
        orcid = None
        if item.get("orcid") is not None:
            orcid = _common.normalize_orcid(_string(item["orcid"], "orcid", pos, (*at, "orcid")))
            if orcid is None:
                raise PubconvError(f"author {i}: not an ORCID iD: {item['orcid']!r}", pos(*at, "orcid"),
                                   "bad-front-matter")
            if orcid[-1] != _common.orcid_check_digit(orcid):
                raise PubconvError(f"author {i}: the ORCID iD {orcid} has a wrong check digit (a typo? the first "
                                   f"15 digits call for {_common.orcid_check_digit(orcid)})", pos(*at, "orcid"),
                                   "bad-orcid")
        email = item.get("email")
        if email is not None and not _EMAIL.match(_string(email, "email", pos, (*at, "email"))):
            raise PubconvError(f"author {i}: 'email' is not an e-mail address: {email!r}", pos(*at, "email"),
                               "bad-front-matter")
        aff_key = "affiliations" if "affiliations" in item else "affiliation"
        aff_value = item.get(aff_key) or []
        listed_affs = isinstance(aff_value, list)
        aff_list = [_string(a, "affiliation", pos, (*at, aff_key, j) if listed_affs else (*at, aff_key))
                    for j, a in enumerate(aff_value if listed_affs else [aff_value]) if a is not None]
        aff_ids = []
        for text in aff_list:
            text = " ".join(str(text).split())
            if text and text not in affs:
                affs[text] = _fields.aff_element(f"aff-{len(affs) + 1}", text, line, None)
            if text:
                aff_ids.append(affs[text].get("id"))
        bio = None
        if item.get("bio"):
            bio = MarkdownBuilder(path, report, first_line=line or 1).blocks(_string(item["bio"], "bio", pos, (*at, "bio")))
        note_id = None
        if item.get("note"):
            note_id = f"an-{len(notes) + 1}"
            blocks = MarkdownBuilder(path, report, first_line=line or 1).blocks(
                _string(item["note"], "note", pos, (*at, "note")))
            notes.append(E("author-note", *blocks, id=note_id, symbol="*" * (len(notes) + 1), line=line))
        authors.append(_common.author_element(
            i, _string(given, "given", pos, (*at, "given")) if given else None,
            _string(family, "family", pos, (*at, "family")),
            line, orcid=orcid,
            email=_string(item["email"], "email", pos, (*at, "email")) if item.get("email") else None,
            bio=bio, bio_line=line if bio else None, notes=note_id, suffix=str(suffix) if suffix else None))
        if aff_ids:
            authors[-1].set("affs", " ".join(dict.fromkeys(aff_ids)))
    return authors, notes


_FUNDER_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.13039/\S+)$", re.I)


def _translations(value, pos, line: int | None, markdown) -> "etree._Element | None":
    """``title-translations``: language -> a title, or a mapping with ``title``, ``subtitle``, ``abstract``."""
    if value is None:
        return None
    if not isinstance(value, dict) or not value:
        raise PubconvError("'title-translations' must map languages to titles, e.g. {de: \"Titel\"}",
                           pos("title-translations"), "bad-front-matter")
    out = E("translations")
    for written, entry in value.items():
        lang = str(written).strip()
        if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}", lang):
            raise PubconvError(f"'title-translations': {lang!r} is not a language tag (de, fr, pt-BR...)",
                               pos("title-translations", str(written)), "bad-front-matter")
        if isinstance(entry, str):
            entry = {"title": entry}
        if not isinstance(entry, dict) or set(map(str, entry)) - {"title", "subtitle", "abstract"} \
                or not str(entry.get("title") or "").strip():
            raise PubconvError(f"'title-translations' for {lang}: a title, or a mapping with title (and subtitle, "
                               "abstract)", pos("title-translations", str(written)), "bad-front-matter")
        builder = markdown(line or 1, lang)
        tr = E("translation", line=line)
        tr.set(LANG, lang)
        tr.append(builder.inline(str(entry["title"]), E("title")))
        if entry.get("subtitle"):
            tr.append(builder.inline(str(entry["subtitle"]), E("subtitle")))
        if entry.get("abstract"):
            blocks = builder.blocks(str(entry["abstract"]))
            if blocks:
                tr.append(E("abstract", *blocks))
        out.append(tr)
    return out


def _funding(value, statement, pos, key_line) -> "etree._Element | None":
    """``funding``: a list of funder names or ``{funder, funder-id, award}`` mappings; ``funding-statement``."""
    if value is None and statement is None:
        return None
    listed = isinstance(value, list)
    if value is not None and not listed:
        value = [value]
    awards = []
    for i, item in enumerate(value or [], 1):
        at = ("funding", i - 1) if listed else ("funding",)  # the path of this funder's values
        if isinstance(item, str):
            item = {"funder": item}
        if not isinstance(item, dict) or set(map(str, item)) - {"funder", "funder-id", "award"} \
                or not str(item.get("funder") or "").strip():
            wrong = sorted(set(map(str, item)) - {"funder", "funder-id", "award"}) if isinstance(item, dict) else []
            raise PubconvError(f"funding {i}: a funder name, or a mapping with funder (and funder-id, award)",
                               pos(*at, *wrong[:1]), "bad-front-matter")
        funder_id = None
        if item.get("funder-id") is not None:
            m = _FUNDER_DOI.match(str(item["funder-id"]).strip())
            if m is None:
                raise PubconvError(f"funding {i}: funder-id must be the funder's Open Funder Registry DOI "
                                   f"(10.13039/...), not {item['funder-id']!r}", pos(*at, "funder-id"),
                                   "bad-front-matter")
            funder_id = m.group(1)
        awards.append(E("award", E("funder", " ".join(str(item["funder"]).split())),
                        E("funder-id", funder_id) if funder_id else None,
                        E("award-id", str(item["award"]).strip()) if item.get("award") is not None
                        and str(item["award"]).strip() else None))
    text = " ".join(str(statement).split()) if statement is not None else ""
    if not awards and not text:
        return None
    return E("funding", *awards, E("statement", text) if text else None, line=key_line.get("funding"))

"""Publisher configuration: ``pubconv.toml``, or ``[tool.pubconv]`` in ``pyproject.toml``.

Found by walking up from the source's folder; the first folder that has either
file wins.  Shape (every key optional)::

    [publisher]
    name = "South Asia Democratic Forum"
    place = "Brussels"
    logo = "logo.png"               # relative to the config file
    issn = "2406-5617"              # for every series without its own

    [series.COMMENT]                # keyed by the series label as the source prints it
    title = "SADF Comment"
    issn = "2406-5617"              # electronic ISSN
    print-issn = "1234-5678"
    article-type = "editorial"      # JATS article-type for this series (default "other")

    [document]
    language = "en"                 # when the source does not say
    license = "CC BY 4.0"
    license-url = "https://creativecommons.org/licenses/by/4.0/"
    article-type = "other"

    [pdf]
    paper = "A4"                    # A4, Letter, or a CSS size such as "170mm 240mm"
    variant = "pdf/a-3b"            # or "pdf/ua-1", "pdf/x-4"
    bleed = "3mm"
    crop-marks = true

    [epub]
    certified-by = "..."            # who evaluated the accessibility claim (default: the publisher)
    certifier-credential = "..."    # the certifier's credential, if any
    certifier-report = "https://..." # a public report of the evaluation
    unlocked = true                 # claim "unlocked" (no DRM) only when the distribution is DRM-free
    cover = "cover.png"             # the cover for every source here (front matter "cover:" wins)
    page-list = true                # print page numbers from the PDF layout (default true)

    [theme]
    dir = "theme"                   # a folder with styles/ and/or templates/ overriding the defaults

    [build]
    output = "out"                  # the pre-commit build hook's output folder

    [document]                      # for deposits (docs/jats.md)
    url = "https://www.sadf.eu/comments/{number}/"   # landing page: {series} {number} {stem} {doi}
    copyright-holder = "South Asia Democratic Forum" # default: the publisher
    copyright-statement = "© 2021 SADF"             # default: "© YEAR HOLDER"

    [series.COMMENT]
    journal-id = "sadf-comment"     # JATS journal-id (default: the series title as a slug)
    journal-title = "..."           # when the series is published inside a named journal

    [crossref]                      # --to crossref (docs/jats.md)
    depositor-name = "SADF"
    depositor-email = "doi@example.org"
    registrant = "South Asia Democratic Forum"
    schema = "../shared/crossref"   # a folder with crossref4.4.2.xsd and catalog.xml: validate against it

Unknown tables and keys are errors that name the file and the key; a bad value
(a paper, variant or bleed the PDF writer would refuse, an ISSN, a logo or theme
folder that does not exist) is an error ``bad-config`` at its line and column,
when the file is read, whatever the formats asked for.  A
document's own front matter wins over the configuration: the configuration
only fills what the document leaves out (:func:`apply`).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .document import q
from .metadata import ISSN
from .writers import check_option
from .errors import PubconvError, SourcePos

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_STR = str
_SCHEMA: dict[str, dict[str, type]] = {
    "publisher": {"name": _STR, "place": _STR, "logo": _STR, "issn": _STR, "url": _STR},
    "document": {"language": _STR, "license": _STR, "license-url": _STR, "article-type": _STR},
    "pdf": {"paper": _STR, "variant": _STR, "bleed": _STR, "crop-marks": bool},
    "theme": {"dir": _STR},
    "epub": {"certified-by": _STR, "certifier-credential": _STR, "certifier-report": _STR, "unlocked": bool,
             "cover": _STR, "page-list": bool},
    "build": {"output": _STR},
    "crossref": {"depositor-name": _STR, "depositor-email": _STR, "registrant": _STR, "schema": _STR},
}
_SERIES_KEYS = {"title": _STR, "issn": _STR, "print-issn": _STR, "article-type": _STR}
_SCHEMA["document"].update({"url": _STR, "copyright-holder": _STR, "copyright-statement": _STR})
_SERIES_KEYS.update({"journal-id": _STR, "journal-title": _STR})
PDF_VARIANTS = ("pdf/a-3b", "pdf/a-3a", "pdf/ua-1", "pdf/ua-2", "pdf/x-4")


@dataclass(frozen=True)
class Config:
    """The configuration in force for one source (empty when there is none)."""

    data: dict = field(default_factory=dict)
    path: Path | None = None  #: the file it came from

    def get(self, table: str, key: str, default=None):
        return self.data.get(table, {}).get(key, default)

    def series(self, label: str) -> dict:
        return self.data.get("series", {}).get(label, {})

    def relative(self, value: str | None) -> Path | None:
        """A path from the configuration, relative to the file's folder."""
        if value is None:
            return None
        return (self.path.parent / value) if self.path else Path(value)

    @property
    def fingerprint(self) -> bytes:
        return self.path.read_bytes() if self.path and self.path.is_file() else b""


def find(start: Path) -> Path | None:
    """The nearest ``pubconv.toml`` (or ``pyproject.toml`` with ``[tool.pubconv]``) at or above ``start``."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        toml = candidate / "pubconv.toml"
        if toml.is_file():
            return toml
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and b"[tool.pubconv" in pyproject.read_bytes():
            return pyproject
    return None


def load(path: Path | None) -> Config:
    """Read and check a configuration file; ``None`` gives the empty configuration."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        raise PubconvError(f"not valid TOML: {str(exc).split(' (at')[0]}", SourcePos(_shown(path), line, col),
                           "bad-config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PubconvError(f"cannot read configuration: {exc}", SourcePos(_shown(path)), "bad-config") from None
    except ValueError as exc:  # a number too long to convert, say
        raise PubconvError(f"not a usable TOML value: {str(exc).split(';')[0]}", SourcePos(_shown(path)),
                           "bad-config") from None
    _check_text(raw, path)
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("pubconv", {})
    _check(raw, path)
    return Config(raw, path)


def for_source(source: Path) -> Config:
    return load(find(source.parent if source.suffix else source))


def _shown(path: Path) -> str:
    """The configuration's path as messages show it: relative to the working folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


#: One part of a TOML key: basic string, literal string or bare key.
_KEY_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[\w-]+)"""
_HEADER = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^(\s*)({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=\s*")


def _dotted(text: str) -> list[str]:
    """The parts of a TOML dotted key (``series."A B".issn`` -> ``[series, A B, issn]``)."""
    parts = re.findall(rf"\s*({_KEY_PART})\s*(?:\.|$)", text.strip())
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_pos(path: Path, key: str, table: str | tuple[str, ...] | None = None, *, value: bool = False) -> SourcePos:
    """Where ``key`` of ``[table]`` is set in the configuration file (line, and column of the key or its value).

    ``table`` is a dotted name (``pdf``) or its parts (``("series", "COMMENT 2")``); ``None`` finds ``key`` in
    any table, or a table header named ``key``.  In a ``pyproject.toml`` the
    ``tool.pubconv`` prefix is skipped.  Falls back to the file alone.
    """
    prefix = ["tool", "pubconv"] if path.name == "pyproject.toml" else []
    want = (_dotted(table) if isinstance(table, str) else list(table)) if table else None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return SourcePos(_shown(path))
    current: list[str] = []
    for i, line in enumerate(lines, 1):
        if (m := _HEADER.match(line)):
            current = _dotted(m.group(1))
            if current[:len(prefix)] == prefix:
                current = current[len(prefix):]
            if want is None and current and current[-1] == key:
                return SourcePos(_shown(path), i, line.index("[") + 1)
            continue
        if not (m := _ASSIGN.match(line)):
            continue
        full = current + _dotted(m.group(2))
        if full[:len(prefix)] == prefix and not current:
            full = full[len(prefix):]
        if full and full[-1] == key and (want is None or full[:-1] == want):
            return SourcePos(_shown(path), i, (m.end() if value else len(m.group(1))) + 1)
    return SourcePos(_shown(path))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_text(raw, path: Path) -> None:
    """Every key and string value must be text an XML document can carry (no control characters)."""
    stack = [("", raw)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((str(k), v) for k, v in value.items())
            stack.extend((str(k), str(k)) for k in value)
        elif isinstance(value, list):
            stack.extend((key, v) for v in value)
        elif isinstance(value, str) and _NOT_XML.search(value):
            bad = _NOT_XML.search(value).group()
            raise PubconvError(f"'{key}' has the control character U+{ord(bad):04X}", key_pos(path, key),
                               "bad-config")


def _check(raw: dict, path: Path) -> None:
    for table, value in raw.items():
        if table == "series":
            if not isinstance(value, dict):
                raise PubconvError("'series' must be a table of series", key_pos(path, table), "bad-config")
            for label, entry in value.items():
                _check_table(f"series.{label}", entry, _SERIES_KEYS, path, ("series", label))
            continue
        if table not in _SCHEMA:
            raise PubconvError(f"unknown configuration table [{table}] (known: "
                               f"{', '.join(sorted([*_SCHEMA, 'series']))})", key_pos(path, table), "bad-config")
        _check_table(table, value, _SCHEMA[table], path, (table,))
    _check_files(raw, path)


def _check_table(name: str, value, schema: dict, path: Path, table: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        raise PubconvError(f"[{name}] must be a table", key_pos(path, name.split(".")[-1]), "bad-config")
    for key, v in value.items():
        if key not in schema:
            raise PubconvError(f"unknown key '{key}' in [{name}] (known: {', '.join(sorted(schema))})",
                               key_pos(path, key, table), "bad-config")
        at = key_pos(path, key, table, value=True)
        if not isinstance(v, schema[key]):
            raise PubconvError(f"'{key}' in [{name}] must be {schema[key].__name__}", at, "bad-config")
        if key in ("issn", "print-issn") and not ISSN.match(v):
            raise PubconvError(f"'{key}' in [{name}] is not an ISSN (NNNN-NNNN): {v!r}", at, "bad-config")
        if key == "variant" and v not in PDF_VARIANTS:
            raise PubconvError(f"'variant' in [{name}] must be one of {', '.join(PDF_VARIANTS)}", at, "bad-config")
        if name == "pdf" and key in _WRITER_OPTIONS:
            try:
                check_option(_WRITER_OPTIONS[key], v)
            except ValueError as exc:
                raise PubconvError(f"{exc} ('{key}' in [{name}])", at, "bad-config") from None


#: [pdf] keys that are writer options, by WriteOptions field: checked with the writers' own grammar.
_WRITER_OPTIONS = {"paper": "paper", "variant": "pdf_variant", "bleed": "bleed"}


def _check_files(raw: dict, path: Path) -> None:
    """The files and folders the configuration names exist (relative to the configuration file)."""
    for table, key, kind in (("publisher", "logo", "file"), ("theme", "dir", "folder")):
        value = raw.get(table, {}).get(key)
        if value is None:
            continue
        target = path.parent / value
        if not (target.is_file() if kind == "file" else target.is_dir()):
            what = "the logo" if key == "logo" else "the theme folder"
            raise PubconvError(f"{what} named in the configuration does not exist: {value}",
                               key_pos(path, key, (table,), value=True), "bad-config")


def article_type(root: etree._Element, config: Config) -> str:
    label = root.findtext(f"{q('meta')}/{q('series')}/{q('label')}")
    return (config.series(label).get("article-type") if label else None) or \
        config.get("document", "article-type") or "other"

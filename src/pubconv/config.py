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
    variant = "pdf/a-3b"            # or "pdf/ua-1"
    bleed = "3mm"
    crop-marks = true

    [theme]
    dir = "theme"                   # a folder with styles/ and/or templates/ overriding the defaults

    [build]
    output = "out"                  # the pre-commit build hook's output folder

Unknown tables and keys are errors that name the file and the key.  A
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
    "build": {"output": _STR},
}
_SERIES_KEYS = {"title": _STR, "issn": _STR, "print-issn": _STR, "article-type": _STR}
_ISSN = re.compile(r"^\d{4}-\d{3}[\dX]$")
PDF_VARIANTS = ("pdf/a-3b", "pdf/ua-1")


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


def key_pos(path: Path, key: str) -> SourcePos:
    try:
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(rf"^\s*\[?\s*(?:[\w.-]+\.)?{re.escape(key)}\b", line):
                return SourcePos(_shown(path), i, 1)
    except OSError:
        pass
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
                _check_table(f"series.{label}", entry, _SERIES_KEYS, path)
            continue
        if table not in _SCHEMA:
            raise PubconvError(f"unknown configuration table [{table}] (known: "
                               f"{', '.join(sorted([*_SCHEMA, 'series']))})", key_pos(path, table), "bad-config")
        _check_table(table, value, _SCHEMA[table], path)


def _check_table(name: str, value, schema: dict, path: Path) -> None:
    if not isinstance(value, dict):
        raise PubconvError(f"[{name}] must be a table", key_pos(path, name.split(".")[-1]), "bad-config")
    for key, v in value.items():
        if key not in schema:
            raise PubconvError(f"unknown key '{key}' in [{name}] (known: {', '.join(sorted(schema))})",
                               key_pos(path, key), "bad-config")
        if not isinstance(v, schema[key]):
            raise PubconvError(f"'{key}' in [{name}] must be {schema[key].__name__}", key_pos(path, key),
                               "bad-config")
        if key in ("issn", "print-issn") and not _ISSN.match(v):
            raise PubconvError(f"'{key}' in [{name}] is not an ISSN (NNNN-NNNN): {v!r}", key_pos(path, key),
                               "bad-config")
        if key == "variant" and v not in PDF_VARIANTS:
            raise PubconvError(f"'variant' in [{name}] must be one of {', '.join(PDF_VARIANTS)}",
                               key_pos(path, key), "bad-config")


def article_type(root: etree._Element, config: Config) -> str:
    label = root.findtext(f"{q('meta')}/{q('series')}/{q('label')}")
    return (config.series(label).get("article-type") if label else None) or \
        config.get("document", "article-type") or "other"

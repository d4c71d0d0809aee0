"""The XML reader: a ``.pubconv.xml`` file is the intermediate itself.

It is parsed with the safe parser (no DTD, no entities, no network; see
``document.parse``), its positions are kept as written, and it goes through the
same transform stage and schema check as a tree a Markdown reader built.

The schema checks shapes, not every value a writer relies on; what it lets
through is checked here, where the element's position is still known: real
calendar dates, URLs that parse, line numbers and nesting depth within limits.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

from .. import document
from ..document import LINE, Document, local, q
from ..errors import PubconvError, Report, SourcePos

#: Deepest element nesting accepted (the writers add a few levels; libxml2 stops at 256).
MAX_DEPTH = 120
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LINE_VALUE = re.compile(r"^\d{1,9}$")


def read(data: bytes, path: str, report: Report, base_dir: Path, lang: str = "en") -> Document:
    """The document in ``data`` (the bytes of a ``.pubconv.xml`` file)."""
    doc = document.parse(data, path, base_dir)
    check_values(doc)
    return doc


def check_values(doc: Document) -> None:
    """Raise ``bad-value`` (or ``too-deep``) for a value the schema accepts but no writer can use."""
    stack = [(doc.root, 1)]
    while stack:
        el, depth = stack.pop()
        if not isinstance(el.tag, str):
            continue
        if depth > MAX_DEPTH:
            raise PubconvError(f"elements nested deeper than {MAX_DEPTH} levels are not supported",
                               _pos(doc, el), "too-deep")
        line = el.get(LINE)
        if line is not None and not _LINE_VALUE.match(line):
            raise PubconvError(f"src:line must be a line number, not {line[:20]!r}", SourcePos(doc.path),
                               "bad-value")
        if el.tag == q("date") and el.get("iso") is not None:
            _check_date(doc, el)
        for name in ("href", "src"):
            value = el.get(name)
            if value is not None:
                try:
                    urlsplit(value)
                except ValueError as exc:
                    raise PubconvError(f"{local(el)} {name} is not a valid URL ({exc}): {value[:80]!r}",
                                       _pos(doc, el), "bad-value") from None
        stack.extend((child, depth + 1) for child in el)


def _check_date(doc: Document, el) -> None:
    iso = el.get("iso")
    m = _ISO.match(iso)
    try:
        if not m:
            raise ValueError
        year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
        dt.date(year, month, day)
    except ValueError:
        raise PubconvError(f"date iso={iso[:40]!r} is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)",
                           _pos(doc, el), "bad-date") from None


def _pos(doc: Document, el) -> SourcePos:
    node = el
    while node is not None:  # the nearest usable line, without trusting an unchecked one
        line = node.get(LINE)
        if line is not None and _LINE_VALUE.match(line):
            return SourcePos(doc.path, int(line))
        node = node.getparent()
    return SourcePos(doc.path)

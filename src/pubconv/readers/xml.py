"""The XML reader: a ``.pubconv.xml`` file is the intermediate itself.

It is parsed with the safe parser (no DTD, no entities, no network; see
``document.parse``), its positions are kept as written, and it goes through the
same transform stage and schema check as a tree a Markdown reader built.
"""
from __future__ import annotations

from pathlib import Path

from .. import document
from ..document import Document
from ..errors import Report


def read(data: bytes, path: str, report: Report, base_dir: Path, lang: str = "en") -> Document:
    """The document in ``data`` (the bytes of a ``.pubconv.xml`` file)."""
    return document.parse(data, path, base_dir)

"""The intermediate itself as an output: ``<stem>.pubconv.xml``."""
from __future__ import annotations

from ..document import Document
from ..errors import Report
from . import WriteOptions


def write(doc: Document, options: WriteOptions, report: Report) -> bytes:
    """The canonical bytes of ``doc`` (reading them back gives the same bytes)."""
    return doc.to_bytes()

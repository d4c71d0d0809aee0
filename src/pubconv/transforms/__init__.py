"""The transform stage: what happens to the intermediate between a reader and the writers.

Each transform is a function ``(doc, report, context)`` that changes the tree in
place; :func:`run` applies them in a fixed order, once per document, after the
reader built the tree and before the schema check.  Readers build what the source
says; transforms add what follows from it (links, numbers) or from the publisher's
configuration.  Writers read only the result.

Order (``TRANSFORMS``):

1. ``citations``  author-date citations linked to the reference list (Markdown forms only)
2. ``floats``     figures and tables numbered in document order (Markdown forms only)
3. ``publisher``  what the document leaves out, from ``pubconv.toml`` (every form)
4. ``autolink``   bare URLs in running text become ``link`` elements (Markdown forms only)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..config import Config
from ..document import Document, q
from ..errors import Report
from . import autolink, citations, publisher

#: the source forms whose trees the readers build (the XML form arrives finished)
MARKDOWN_FORMS = frozenset({"authoring", "extracted"})


@dataclass(frozen=True)
class Context:
    """What a transform may know besides the document."""

    form: str
    config: Config | None = None


def _citations(doc: Document, report: Report, ctx: Context) -> None:
    if ctx.form in MARKDOWN_FORMS:
        citations.link_citations(doc.root, list(doc.root.iter(q("ref"))), report, doc.pos)


def _floats(doc: Document, report: Report, ctx: Context) -> None:
    if ctx.form in MARKDOWN_FORMS:
        number_floats(doc.root)


def _publisher(doc: Document, report: Report, ctx: Context) -> None:
    if ctx.config is not None:
        publisher.apply_config(doc.root, ctx.config)


def _autolink(doc: Document, report: Report, ctx: Context) -> None:
    if ctx.form in MARKDOWN_FORMS:
        autolink.autolink(doc)


TRANSFORMS: list[tuple[str, Callable[[Document, Report, Context], None]]] = [
    ("citations", _citations),
    ("floats", _floats),
    ("publisher", _publisher),
    ("autolink", _autolink),
]


def run(doc: Document, report: Report, *, form: str, config: Config | None = None) -> Document:
    """Apply every transform to ``doc`` in order; returns ``doc``."""
    ctx = Context(form, config)
    for _name, transform in TRANSFORMS:
        transform(doc, report, ctx)
    return doc


def number_floats(root) -> None:
    for kind in ("figure", "table"):
        for i, el in enumerate(root.iter(q(kind)), 1):
            el.set("id", f"{kind}-{i}")



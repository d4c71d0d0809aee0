"""The transform stage: what happens to the intermediate between a reader and the writers.

Each transform is a function ``(doc, report, context)`` that changes the tree in
place; :func:`run` applies them in a fixed order, once per document, after the
reader built the tree and before the schema check.  Readers build what the source
says; transforms add what follows from it (links, numbers) or from the publisher's
configuration.  Writers read only the result.

Order (``TRANSFORMS``):

1. ``citations``  author-date and numeric (``[5]``) citations linked to the reference list (forms the readers build)
2. ``floats``     figures and tables numbered in document order (forms the readers build)
3. ``crossrefs``  ``#id`` links and ``@fig:x`` references resolved (forms the readers build)
4. ``autolink``   bare URLs in running text become ``link`` elements (forms the readers build)
5. ``publisher``  what the document leaves out, from ``pubconv.toml`` (every form)
6. ``headings``   section levels follow the nesting, a warning where the source skips one (every form)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..config import Config
from ..document import Document, output_stem, q
from ..errors import Report
from . import autolink, citations, crossrefs, headings, publisher

#: the source forms whose trees the readers build (the XML form arrives finished)
BUILT_FORMS = frozenset({"authoring", "extracted", "docx"})


@dataclass(frozen=True)
class Context:
    """What a transform may know besides the document."""

    form: str
    config: Config | None = None


def _citations(doc: Document, report: Report, ctx: Context) -> None:
    if ctx.form in BUILT_FORMS:
        citations.link_citations(doc.root, list(doc.root.iter(q("ref"))), report, doc.pos)
        citations.link_numeric(doc.root, list(doc.root.iter(q("ref"))), report, doc.pos)


def _floats(doc: Document, report: Report, ctx: Context) -> None:
    if ctx.form in BUILT_FORMS:
        number_floats(doc.root)


def _crossrefs(doc: Document, report: Report, ctx: Context) -> None:
    if ctx.form in BUILT_FORMS:
        crossrefs.resolve(doc, report, strict=ctx.form == "authoring")


def _publisher(doc: Document, report: Report, ctx: Context) -> None:
    if ctx.config is not None:
        publisher.apply_config(doc.root, ctx.config, output_stem(doc.path))


def _headings(doc: Document, report: Report, ctx: Context) -> None:
    headings.normalise(doc, report)


def _autolink(doc: Document, report: Report, ctx: Context) -> None:
    if ctx.form in BUILT_FORMS:
        autolink.autolink(doc)


TRANSFORMS: list[tuple[str, Callable[[Document, Report, Context], None]]] = [
    ("citations", _citations),
    ("floats", _floats),
    ("crossrefs", _crossrefs),
    ("autolink", _autolink),
    ("publisher", _publisher),
    ("headings", _headings),
]


def run(doc: Document, report: Report, *, form: str, config: Config | None = None) -> Document:
    """Apply every transform to ``doc`` in order; returns ``doc``."""
    ctx = Context(form, config)
    for _name, transform in TRANSFORMS:
        transform(doc, report, ctx)
    return doc


def number_floats(root) -> None:
    """Figures and tables get their number ``n`` (1..N each, in document order) and, unless the
    author gave one with ``{#id}``, the id ``figure-N`` / ``table-N``."""
    for kind in ("figure", "table"):
        for i, el in enumerate(root.iter(q(kind)), 1):
            if not el.get("id"):
                el.set("id", f"{kind}-{i}")
            el.set("n", str(i))



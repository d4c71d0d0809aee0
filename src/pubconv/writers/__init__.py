"""The writers: one module per output format, and one registry line each.

A writer module exposes ``write(doc, options, report) -> bytes``: it reads only
the intermediate (``doc.root``) and resources under ``doc.base_dir``, returns the
whole output in memory, and never touches the file system for output; the
caller writes the bytes (atomically).  Modules are imported lazily so that a
conversion that needs no PDF never imports WeasyPrint.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType


@dataclass(frozen=True)
class Format:
    name: str  #: as given to ``--to``
    suffix: str  #: appended to the source's stem
    module: str  #: the writer module, imported on first use
    binary: bool = True


#: ``--to`` names, the file each writes, and the module that writes it.
FORMATS: dict[str, Format] = {
    "xml": Format("xml", ".pubconv.xml", "pubconv.writers.xml", binary=False),
    "pdf": Format("pdf", ".pdf", "pubconv.writers.pdf"),
    "epub": Format("epub", ".epub", "pubconv.writers.epub"),
    "jats": Format("jats", ".jats.xml", "pubconv.writers.jats", binary=False),
}


@dataclass(frozen=True)
class WriteOptions:
    """What a writer may be told besides the document itself.

    paper        ``A4`` (default), ``Letter``, or a CSS size such as ``170mm 240mm``.
    pdf_variant  ``None`` (plain PDF), ``pdf/a-3b`` or ``pdf/ua-1``.
    bleed        a CSS length such as ``3mm``, or ``None``.
    crop_marks   draw crop and cross marks (implies a bleed area).
    article_type the JATS ``article-type`` (default ``other``, a value PMC accepts; see docs/jats.md).
    theme_dir    a folder with ``styles/`` and/or ``templates/`` that override the default theme.
    allow_remote let http(s) resources through (default: refused).
    outputs      file names of the sibling outputs, by format (for JATS ``self-uri``).
    logo         the publisher's logo (``[publisher] logo``), shown on the title page; the
                 user named it, so it is read even from outside the source's folder.
    certified_by the EPUB's ``a11y:certifiedBy`` (default: the document's publisher).
    certifier_credential, certifier_report
                 ``a11y:certifierCredential`` and the URL of ``a11y:certifierReport``.
    unlocked     claim ``schema:accessibilityFeature unlocked`` (the distribution has no DRM).
    cover        the EPUB cover image (``[epub] cover``; front matter ``cover:`` wins); without
                 one the cover is generated from the metadata.
    page_list    give the EPUB the print edition's page numbers (lays the PDF out if need be).
    """

    paper: str = "A4"
    pdf_variant: str | None = None
    bleed: str | None = None
    crop_marks: bool = False
    article_type: str = "other"
    theme_dir: Path | None = None
    allow_remote: bool = False
    outputs: dict[str, str] = field(default_factory=dict)
    logo: Path | None = None
    certified_by: str | None = None
    certifier_credential: str | None = None
    certifier_report: str | None = None
    unlocked: bool = False
    cover: Path | None = None
    page_list: bool = True


def writer(name: str) -> ModuleType:
    """The writer module for a ``--to`` name."""
    return importlib.import_module(FORMATS[name].module)

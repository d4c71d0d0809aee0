"""The writers: one module per output format, and one registry line each.

A writer module exposes ``write(doc, options, report) -> bytes``: it reads only
the intermediate (``doc.root``) and resources under ``doc.base_dir``, returns the
whole output in memory, and never touches the file system for output; the
caller writes the bytes (atomically).  Modules are imported lazily so that a
conversion that needs no PDF never imports WeasyPrint.

A writer whose ``write`` is costly may also expose ``check(doc, options, report)
-> None``: it raises every error ``write`` would raise that can be known without
producing the output (``pubconv check`` calls it; for the others ``check`` builds
the output in memory and drops it).  :func:`check_option` is the one grammar of
the option values, used by the writers and by the configuration loader.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..document import Document


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
    "crossref": Format("crossref", ".crossref.xml", "pubconv.writers.crossref", binary=False),
    "deposit": Format("deposit", ".deposit.zip", "pubconv.writers.deposit"),
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
    crossref     the ``[crossref]`` table of ``pubconv.toml`` (depositor-name, depositor-email,
                 registrant; schema as an absolute path), for the Crossref deposit.
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
    crossref: dict[str, str] = field(default_factory=dict)
    certified_by: str | None = None
    certifier_credential: str | None = None
    certifier_report: str | None = None
    unlocked: bool = False
    cover: Path | None = None
    page_list: bool = True


#: The PDF variants WeasyPrint 70 writes (``weasyprint.pdf.VARIANTS`` without ``debug``), listed here so
#: that checking an option does not import WeasyPrint; a test keeps the two lists equal.
PDF_VARIANTS = ("pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b", "pdf/a-2u", "pdf/a-3a", "pdf/a-3b", "pdf/a-3u",
                "pdf/a-4e", "pdf/a-4f", "pdf/a-4u", "pdf/ua-1", "pdf/ua-2", "pdf/x-1a", "pdf/x-3", "pdf/x-4",
                "pdf/x-5g")
#: Named paper sizes (CSS ``@page size`` keywords), by lower-case name.
PAPER_NAMES = {"a3": "A3", "a4": "A4", "a5": "A5", "b4": "B4", "b5": "B5", "letter": "letter",
               "legal": "legal", "ledger": "ledger"}
_LENGTH = r"\d+(?:\.\d+)?(?:mm|cm|in|pt|pc|px)"
_CUSTOM_PAPER = re.compile(rf"^({_LENGTH})\s+({_LENGTH})$")
_ONE_LENGTH = re.compile(rf"^{_LENGTH}$")


def check_option(name: str, value):
    """``value`` for the option ``name`` in its normal form; raises ``ValueError(why)`` when it is not one.

    ``paper`` gives the CSS ``size`` value (``A4``, ``letter``, ``170mm 240mm``),
    ``pdf_variant`` the lower-case variant name, ``bleed`` the stripped length;
    other options are returned unchanged.  The values become CSS or select
    WeasyPrint code, so nothing outside these grammars gets through.
    """
    if name == "paper":
        paper = (value or "A4").strip()
        if paper.lower() in PAPER_NAMES:
            return PAPER_NAMES[paper.lower()]
        if (m := _CUSTOM_PAPER.match(paper)):
            return f"{m.group(1)} {m.group(2)}"
        raise ValueError(f"paper size {paper!r} is neither a name ({', '.join(PAPER_NAMES.values())}) "
                         "nor two lengths such as '170mm 240mm'")
    if name == "pdf_variant":
        if not value:
            return None
        variant = value.strip().lower()
        if variant not in PDF_VARIANTS:
            raise ValueError(f"unknown PDF variant {value!r} (known: {', '.join(PDF_VARIANTS)})")
        return variant
    if name == "bleed":
        if not value:
            return None
        bleed = value.strip()
        if not _ONE_LENGTH.match(bleed):
            raise ValueError(f"bleed {bleed!r} is not a length such as '3mm'")
        return bleed
    return value


def writer(name: str) -> ModuleType:
    """The writer module for a ``--to`` name."""
    return importlib.import_module(FORMATS[name].module)


def check_resources(doc: Document, options: WriteOptions) -> dict[str, Path | str]:
    """Vet every image before a writer uses it (PDF, JATS): ``{src: resolved path or allowed URL}``.

    Raises :class:`PubconvError` naming the image's source line for a remote
    URL (unless ``options.allow_remote``), a path outside ``doc.base_dir``
    (symlinks resolved first), another scheme, or a missing file.
    """
    from ..document import resolve_resource

    base = Path(doc.base_dir).resolve()
    found: dict[str, Path | str] = {}
    for image in doc.xpath("//p:image"):
        src = image.get("src", "")
        pos = doc.pos(image)
        found[src] = resolve_resource(src, base, pos, allow_remote=options.allow_remote)
    return found

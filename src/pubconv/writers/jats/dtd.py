"""Where the JATS 1.3 DTDs shipped with pubconv are: ``schema/jats/`` inside the package.

The NISO JATS 1.3 DTDs (public domain) come with pubconv so that JATS output can
be validated offline, by the tests and at build time: :func:`dtd_catalog` is the
OASIS catalog (for ``XML_CATALOG_FILES`` or ``xmllint --catalogs``),
:func:`dtd_for` maps a DOCTYPE's public identifier to its main DTD file, and
:func:`validation_parser` gives an lxml parser that validates a JATS document
against the DTD its DOCTYPE names, reading nothing but these files.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from ...document import safe_parser

CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"


def dtd_dir() -> Path:
    """The folder of the shipped DTDs (``publishing/1.3/``, ``archiving/1.3/``, ``catalog.xml``)."""
    return Path(__file__).resolve().parent.parent.parent / "schema" / "jats"


def dtd_catalog() -> Path:
    """The OASIS XML catalog that maps the JATS 1.3 public identifiers and NLM URLs to the shipped files."""
    return dtd_dir() / "catalog.xml"


@lru_cache(maxsize=1)
def public_ids() -> dict[str, Path]:
    """Public identifier -> main DTD file, as the catalog lists them."""
    catalog = dtd_catalog()
    root = etree.parse(str(catalog), safe_parser()).getroot()
    return {el.get("publicId"): (catalog.parent / el.get("uri")).resolve()
            for el in root.iter(f"{{{CATALOG_NS}}}public")}


def dtd_for(public_id: str) -> Path | None:
    """The main DTD file for a JATS 1.3 public identifier, or ``None`` for one pubconv does not ship."""
    return public_ids().get(public_id)


class _ShippedDtds(etree.Resolver):
    """Resolves the JATS public identifiers to the shipped files; nothing else (the DTDs' own modules
    are found on disk through their relative system identifiers)."""

    def resolve(self, system_url, public_id, context):
        path = dtd_for(public_id) if public_id else None
        return self.resolve_filename(str(path), context) if path is not None else None


def validation_parser() -> etree.XMLParser:
    """A fresh parser that validates against the DTD the document's DOCTYPE names, offline.

    An unknown public identifier fails (the network is never used).  One per
    document: lxml's ``error_log`` accumulates across parses.
    """
    parser = etree.XMLParser(load_dtd=True, dtd_validation=True, no_network=True, resolve_entities=True)
    parser.resolvers.add(_ShippedDtds())
    return parser

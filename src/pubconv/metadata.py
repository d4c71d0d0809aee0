"""The one builder of the metadata a document may get from its source or from the publisher configuration.

Publisher, ISSN and licence come either from the source (the authoring
reader's front matter) or from ``pubconv.toml`` (``transforms/publisher.py``);
both build them here, so the intermediate has one shape whichever filled it,
and the ISSN grammar is written once.
"""
from __future__ import annotations

import re

from lxml import etree

from .document import E

#: An ISSN as printed: ``NNNN-NNNC`` (the check character may be X).
ISSN = re.compile(r"^\d{4}-\d{3}[\dX]$")


def publisher(name, place=None) -> etree._Element:
    """``<publisher><name/><place/></publisher>``; the place only when given."""
    return E("publisher", E("name", str(name)), E("place", str(place)) if place else None)


def issn(value: str, form: str = "electronic") -> etree._Element:
    """``<issn format="electronic|print">``; the caller has checked ``value`` against :data:`ISSN`."""
    return E("issn", value, format=form)


def license(name=None, url=None) -> etree._Element:  # noqa: A001 - the element's name
    """``<license href=url>name</license>``; the URL stands for the name when there is none."""
    return E("license", str(name or url), href=url)

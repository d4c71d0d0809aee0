"""The EPUB package metadata, read from the intermediate (and nothing else).

:func:`apply` puts the publication metadata on an ``ebooklib.epub.EpubBook``:
title (and subtitle), each author as ``dc:creator`` with ``file-as`` "Family,
Given" and role ``aut``, ``dc:date``, the identifier, language, publisher,
rights, description, subjects, the series as ``belongs-to-collection``, and the
EPUB Accessibility 1.1 discovery metadata from :class:`Accessibility`.

:func:`identifier` is ``urn:doi:<DOI>``, or without a DOI a UUID5 derived from
the bibliographic metadata (title, subtitle, authors, date, series), so that
rebuilding or correcting a typo in the body keeps the book's identity.

:func:`modified` is the build time for ``dcterms:modified`` and the zip
timestamps: ``SOURCE_DATE_EPOCH`` when set, else the document's date, else
1980-01-01.  The clock is never read.
"""
from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping

from ...document import XPATH_NS, Document, children, text_of
from ...errors import PubconvError, SourcePos

#: UUID5 namespace for identifiers of documents without a DOI (uuid5(NAMESPACE_URL, "https://pubconv.org/ns/epub-id")).
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pubconv.org/ns/epub-id")
#: The conformance claim of EPUB Accessibility 1.1, section 5.1 (exact form; reading systems match it).
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
_EPOCH = datetime(1980, 1, 1, tzinfo=timezone.utc)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _blocks_text(el) -> str:
    """Plain text of a block container (abstract, bio): paragraphs joined by a blank line."""
    if el is None:
        return ""
    return "\n\n".join(t for t in (_clean(text_of(b)) for b in children(el)) if t)


# ---------------------------------------------------------------- identity and dates


def authors(doc: Document) -> list[tuple[str, str, str]]:
    """``(id, display name, file-as)`` for each author, in order."""
    result = []
    for author in doc.xpath("p:meta/p:authors/p:author"):
        given = _clean(text_of(author.find("p:name/p:given", XPATH_NS)))
        family = _clean(text_of(author.find("p:name/p:family", XPATH_NS)))
        display = f"{given} {family}".strip()
        file_as = f"{family}, {given}" if given else family
        result.append((author.get("id"), display, file_as))
    return result


def identifier(doc: Document) -> str:
    """``urn:doi:...`` from the DOI, else a stable ``urn:uuid:`` from the bibliographic metadata."""
    doi = doc.find("p:meta/p:doi")
    if doi is not None and _clean(text_of(doi)):
        return "urn:doi:" + _clean(text_of(doi))
    series = doc.find("p:meta/p:series")
    date = doc.find("p:meta/p:date")
    parts = [
        _clean(doc.title),
        _clean(text_of(doc.find("p:meta/p:subtitle"))),
        ";".join(display for _, display, _ in authors(doc)),
        date.get("iso") if date is not None else "",
        _clean(" ".join(series.itertext())) if series is not None else "",
    ]
    return "urn:uuid:" + str(uuid.uuid5(ID_NAMESPACE, "\x1f".join(parts)))


def document_date(doc: Document) -> datetime | None:
    """The document's date at midnight UTC (month and day default to 1), or None."""
    date = doc.find("p:meta/p:date")
    if date is None:
        return None
    pieces = [int(p) for p in date.get("iso").split("-")] + [1, 1]
    return datetime(pieces[0], pieces[1], pieces[2], tzinfo=timezone.utc)


def modified(doc: Document, environ: Mapping[str, str] | None = None) -> datetime:
    """The build time: ``SOURCE_DATE_EPOCH``, else the document date, else 1980-01-01 (UTC)."""
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise PubconvError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}",
                               SourcePos(doc.path), "bad-source-date-epoch")
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise PubconvError(f"SOURCE_DATE_EPOCH={epoch[:30]!r} is out of range", SourcePos(doc.path),
                               "bad-source-date-epoch") from None
    return document_date(doc) or _EPOCH


def w3c_datetime(when: datetime) -> str:
    """``CCYY-MM-DDThh:mm:ssZ``, the only form ``dcterms:modified`` allows."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- accessibility


@dataclass
class Accessibility:
    """What the content shows about itself, for the schema.org accessibility metadata.

    Built by the writer from the final content document: nothing here is a
    default that the content did not earn.
    """

    images: int = 0  #: number of ``img`` in the content
    images_without_alt: int = 0  #: of those, how many have an empty or missing ``alt``
    headings: int = 0  #: ``h1``..``h6`` in the content
    has_toc: bool = True  #: the nav document lists the sections
    aria_roles: bool = False  #: DPUB-ARIA ``role`` attributes present (doc-noteref, doc-footnote...)
    notes: int = 0  #: footnotes, linked both ways
    animated_images_possible: bool = False  #: a GIF is present: flashing cannot be ruled out

    @property
    def conforms(self) -> bool:
        """Whether the conformance claim is honest as far as the build can tell."""
        return self.images_without_alt == 0

    def access_modes(self) -> list[str]:
        return ["textual", "visual"] if self.images else ["textual"]

    def access_modes_sufficient(self) -> list[str]:
        if not self.images:
            return ["textual"]
        # Images with text alternatives can be read as text alone; without them, sight is needed too.
        return ["textual", "textual,visual"] if self.images_without_alt == 0 else ["textual,visual"]

    def accessibility_features(self) -> list[str]:
        found = []
        if self.headings:
            found.append("structuralNavigation")
        if self.has_toc:
            found.append("tableOfContents")
        found.append("readingOrder")  # one linear spine, notes follow their calls in the same document
        if self.images and self.images_without_alt == 0:
            found.append("alternativeText")
        if self.aria_roles:
            found.append("ARIA")
        found.append("displayTransformability")  # reflowable, no fixed sizes or text in images
        found.append("unlocked")  # pubconv applies no DRM
        return found

    def hazards(self) -> list[str]:
        return ["unknown"] if self.animated_images_possible else ["none"]

    def summary(self) -> str:
        parts = ["This publication is reflowable and has a navigable table of contents"]
        if self.headings:
            parts[0] += " and structured headings"
        text = parts[0] + "."
        if self.notes:
            text += f" Its {self.notes} footnote{'s are' if self.notes != 1 else ' is'} linked to and from the text."
        if self.images:
            if self.images_without_alt:
                text += (f" {self.images_without_alt} of its {self.images} images lack a text alternative, "
                         "so it does not claim conformance to WCAG.")
            elif self.images == 1:
                text += " Its one image has a text alternative."
            else:
                text += f" All {self.images} images have text alternatives."
        if self.conforms:
            text += (" It was produced to meet EPUB Accessibility 1.1 and WCAG 2.1 Level AA;"
                     " it has not been evaluated by a third party.")
        return text


# ---------------------------------------------------------------- applying to ebooklib


def _meta(book, prop: str, value: str, **attrs) -> None:
    book.add_metadata(None, "meta", value, {"property": prop, **attrs})


def apply(book, doc: Document, a11y: Accessibility) -> str:
    """Set the package metadata on ``book`` (an ``EpubBook``); returns the identifier."""
    book.IDENTIFIER_ID = "pub-id"
    uid = identifier(doc)
    book.set_identifier(uid)
    book.title = _clean(doc.title)
    book.add_metadata("DC", "title", book.title, {"id": "title"})
    _meta(book, "title-type", "main", refines="#title")
    subtitle = _clean(text_of(doc.find("p:meta/p:subtitle")))
    if subtitle:
        book.add_metadata("DC", "title", subtitle, {"id": "subtitle"})
        _meta(book, "title-type", "subtitle", refines="#subtitle")
    book.language = doc.lang
    book.add_metadata("DC", "language", doc.lang)

    for seq, (author_id, display, file_as) in enumerate(authors(doc), start=1):
        cid = f"creator-{author_id}"
        book.add_metadata("DC", "creator", display, {"id": cid})
        _meta(book, "file-as", file_as, refines=f"#{cid}")
        _meta(book, "role", "aut", refines=f"#{cid}", scheme="marc:relators")
        _meta(book, "display-seq", str(seq), refines=f"#{cid}")

    date = doc.find("p:meta/p:date")
    if date is not None:
        book.add_metadata("DC", "date", date.get("iso"))
    publisher = doc.find("p:meta/p:publisher/p:name")
    if publisher is not None:
        book.add_metadata("DC", "publisher", _clean(text_of(publisher)))
    license_ = doc.find("p:meta/p:license")
    if license_ is not None:
        rights = _clean(text_of(license_))
        if license_.get("href"):
            rights += f" ({license_.get('href')})"
        book.add_metadata("DC", "rights", rights)
    abstract = _blocks_text(doc.find("p:meta/p:abstract"))
    if abstract:
        book.add_metadata("DC", "description", abstract)
    for keyword in doc.xpath("p:meta/p:keywords/p:keyword"):
        book.add_metadata("DC", "subject", _clean(text_of(keyword)))

    series = doc.find("p:meta/p:series")
    if series is not None:
        name = _clean(text_of(series.find("p:title", XPATH_NS))) or _clean(text_of(series.find("p:label", XPATH_NS)))
        number = _clean(text_of(series.find("p:number", XPATH_NS)))
        _meta(book, "belongs-to-collection", name, id="series")
        _meta(book, "collection-type", "series", refines="#series")
        # group-position must be a number; a label such as "85a" is kept only in the title page.
        if re.fullmatch(r"\d+(\.\d+)*", number):
            _meta(book, "group-position", number, refines="#series")

    # dcterms:modified is written by ebooklib from its "mtime" option and checked by epub.fix_package.
    for mode in a11y.access_modes():
        _meta(book, "schema:accessMode", mode)
    for mode in a11y.access_modes_sufficient():
        _meta(book, "schema:accessModeSufficient", mode)
    for feature in a11y.accessibility_features():
        _meta(book, "schema:accessibilityFeature", feature)
    for hazard in a11y.hazards():
        _meta(book, "schema:accessibilityHazard", hazard)
    _meta(book, "schema:accessibilitySummary", a11y.summary(), **{"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    if a11y.conforms:
        _meta(book, "dcterms:conformsTo", CONFORMS_TO)
    return uid

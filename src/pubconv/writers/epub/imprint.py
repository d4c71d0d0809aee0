"""The imprint (publisher, series and ISSN, identifiers, licence, "cite as") for the EPUB.

:func:`facts` reads them from the intermediate (after ``transforms.publisher`` filled
in the configuration's) and :func:`section` renders them as a ``section`` with
``epub:type="copyright-page"``, placed right after the title page.

The citation comes from the imprint the PDF prints too (``writers/imprint.py``),
so both editions recommend the same reference.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ...document import Document, text_of
from ...namespaces import OPS, XHTML
from .. import imprint as shared

DOI_RESOLVER = shared.DOI_RESOLVER

_LABELS = {
    "en": {"imprint": "Imprint", "publisher": "Published by", "series": "Series", "issn": "ISSN",
           "print": "print", "online": "online", "doi": "DOI", "isbn": "ISBN", "license": "Licence",
           "cite": "Cite as"},
    "fr": {"imprint": "Mentions légales", "publisher": "Éditeur", "series": "Collection", "issn": "ISSN",
           "print": "imprimé", "online": "en ligne", "doi": "DOI", "isbn": "ISBN", "license": "Licence",
           "cite": "Pour citer"},
    "es": {"imprint": "Créditos", "publisher": "Editor", "series": "Serie", "issn": "ISSN",
           "print": "impreso", "online": "en línea", "doi": "DOI", "isbn": "ISBN", "license": "Licencia",
           "cite": "Cómo citar"},
    "it": {"imprint": "Colophon", "publisher": "Editore", "series": "Collana", "issn": "ISSN",
           "print": "stampa", "online": "online", "doi": "DOI", "isbn": "ISBN", "license": "Licenza",
           "cite": "Per citare"},
    "pt": {"imprint": "Ficha técnica", "publisher": "Editor", "series": "Série", "issn": "ISSN",
           "print": "impresso", "online": "online", "doi": "DOI", "isbn": "ISBN", "license": "Licença",
           "cite": "Como citar"},
    "nl": {"imprint": "Colofon", "publisher": "Uitgever", "series": "Reeks", "issn": "ISSN",
           "print": "druk", "online": "online", "doi": "DOI", "isbn": "ISBN", "license": "Licentie",
           "cite": "Citeren als"},
    "de": {"imprint": "Impressum", "publisher": "Herausgeber", "series": "Reihe", "issn": "ISSN",
           "print": "Druck", "online": "online", "doi": "DOI", "isbn": "ISBN", "license": "Lizenz",
           "cite": "Zitiervorschlag"},
}


def labels(lang: str) -> dict[str, str]:
    return _LABELS.get(lang.split("-")[0].lower(), _LABELS["en"])


@dataclass(frozen=True)
class Fact:
    key: str  #: publisher, series, issn, doi, isbn, license, cite
    text: str
    href: str | None = None


def _clean(text: str) -> str:
    return " ".join(text.split())


def _t(doc: Document, path: str) -> str:
    return _clean(text_of(doc.find(path)))


def cite_as(doc: Document) -> str:
    """The recommended citation, as the PDF's imprint prints it (``writers/imprint.py``)."""
    return shared.imprint(doc)["citation_text"]


def facts(doc: Document) -> list[Fact]:
    """The imprint's facts, in the order they are printed; only those the document has."""
    found = []
    publisher = ", ".join(p for p in (_t(doc, "p:meta/p:publisher/p:name"), _t(doc, "p:meta/p:publisher/p:place"))
                          if p)
    if publisher:
        found.append(Fact("publisher", publisher))
    series = " ".join(p for p in (_t(doc, "p:meta/p:series/p:title") or _t(doc, "p:meta/p:series/p:label"),
                                  _t(doc, "p:meta/p:series/p:number")) if p)
    if series:
        found.append(Fact("series", series))
    for issn in doc.xpath("p:meta/p:issn"):
        found.append(Fact("issn", _clean(text_of(issn)), None) if issn.get("format") != "print"
                     else Fact("issn-print", _clean(text_of(issn))))
    doi = _t(doc, "p:meta/p:doi")
    if doi:
        found.append(Fact("doi", doi, DOI_RESOLVER + doi))
    isbn = _t(doc, "p:meta/p:isbn")
    if isbn:
        found.append(Fact("isbn", isbn))
    license_ = doc.find("p:meta/p:license")
    if license_ is not None:
        href = license_.get("href") or None
        found.append(Fact("license", _clean(text_of(license_)),
                          href if href and href.startswith(("http://", "https://")) else None))
    found.append(Fact("cite", cite_as(doc)))
    return found


def section(doc: Document) -> etree._Element:
    """``<section class="imprint" epub:type="copyright-page">`` with a definition list of :func:`facts`."""
    words = labels(doc.lang)
    h = lambda tag: f"{{{XHTML}}}{tag}"  # noqa: E731
    sec = etree.Element(h("section"), nsmap={None: XHTML, "epub": OPS})
    sec.set("id", "imprint")
    sec.set("class", "imprint")
    sec.set(f"{{{OPS}}}type", "copyright-page")
    sec.set("aria-label", words["imprint"])
    dl = etree.SubElement(sec, h("dl"))
    for fact in facts(doc):
        label = {"issn-print": f"{words['issn']} ({words['print']})",
                 "issn": f"{words['issn']} ({words['online']})"}.get(fact.key, words.get(fact.key, fact.key))
        etree.SubElement(dl, h("dt")).text = label
        dd = etree.SubElement(dl, h("dd"))
        if fact.href:
            a = etree.SubElement(dd, h("a"), href=fact.href)
            a.text = fact.text
        else:
            dd.text = fact.text
        if fact.key == "cite" and DOI_RESOLVER in fact.text:
            before, link = fact.text.rsplit(" ", 1)
            dd.text = before + " "
            a = etree.SubElement(dd, h("a"), href=link)
            a.text = link
    return sec

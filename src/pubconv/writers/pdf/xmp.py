"""The PDF's XMP metadata: the publisher's facts in every build, deterministic, never compressed.

WeasyPrint 70 writes XMP only for PDF/A, PDF/UA and PDF/X, may compress the
stream (PDF/A forbids a filtered metadata stream: veraPDF 6.6.2.1), and gives
PDF/X-4 a random ``xmpMM:DocumentID``.  :class:`PubconvMetadata` is the
``DocumentMetadata`` subclass WeasyPrint lets a caller put on its rendered
document: it adds ``dc:identifier`` (the DOI), ``dc:rights``,
``dc:publisher``, ``xmpRights:Marked``/``WebStatement`` (the licence URL),
``prism:doi``, ``prism:url`` and ``prism:issn``/``prism:eIssn``; derives the
document ID from the content; and always writes the stream uncompressed.
The writer's finisher adds the stream to plain PDFs too.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from xml.etree.ElementTree import SubElement, fromstring, register_namespace, tostring

from weasyprint.pdf.metadata import NS, DocumentMetadata

from ...document import Document
from .. import imprint

XMP_NS = {
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "prism": "http://prismstandard.org/namespaces/basic/3.0/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
#: The PRISM properties pubconv writes, declared in a PDF/A extension schema (PRISM is not one of the
#: schemas PDF/A predefines: ISO 19005-1 6.7.8, and -2/-3 6.6.2.3).
_PRISM_PROPERTIES = {"doi": "Digital Object Identifier of the article", "url": "The article's URL (its DOI link)",
                     "issn": "ISSN of the print series", "eIssn": "ISSN of the online series"}
for _key, _value in XMP_NS.items():
    register_namespace(_key, _value)
_RDF, _DC = NS["rdf"], NS["dc"]


class PubconvMetadata(DocumentMetadata):
    """WeasyPrint's metadata plus the imprint's facts (DOI, rights, licence URL, ISSNs)."""

    facts: dict = {}

    @classmethod
    def from_document(cls, base: DocumentMetadata, doc: Document) -> "PubconvMetadata":
        meta = cls()
        meta.__dict__.update(base.__dict__)
        meta.facts = imprint.xmp_facts(doc)
        return meta

    def include_in_pdf(self, pdf, variant, version, conformance, compress):
        # An XMP stream is never compressed: PDF/A forbids it, and tools read it as plain XML.
        super().include_in_pdf(pdf, variant, version, conformance, False)

    def generate_rdf_metadata(self, variant, version, conformance):
        rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
        facts = self.facts
        # PDF/X-4: WeasyPrint's DocumentID is a random UUID; derive it from the document instead.
        for node in rdf.iter(f"{{{NS['xmpMM']}}}DocumentID"):
            node.text = "xmp.did:" + str(uuid.UUID(hashlib.sha256(
                "\n".join([self.title or "", facts.get("doi", ""), self.modified or ""]).encode()).hexdigest()[:32]))
        desc = SubElement(rdf, f"{{{_RDF}}}Description")
        desc.set(f"{{{_RDF}}}about", "")
        if facts.get("doi"):
            SubElement(desc, f"{{{_DC}}}identifier").text = "doi:" + facts["doi"]
            SubElement(desc, f"{{{XMP_NS['prism']}}}doi").text = facts["doi"]
            SubElement(desc, f"{{{XMP_NS['prism']}}}url").text = facts["doi_url"]
        if facts.get("publisher"):
            bag = SubElement(SubElement(desc, f"{{{_DC}}}publisher"), f"{{{_RDF}}}Bag")
            SubElement(bag, f"{{{_RDF}}}li").text = facts["publisher"]
        if facts.get("rights"):
            alt = SubElement(SubElement(desc, f"{{{_DC}}}rights"), f"{{{_RDF}}}Alt")
            li = SubElement(alt, f"{{{_RDF}}}li")
            li.set("xml:lang", "x-default")
            li.text = facts["rights"]
            SubElement(desc, f"{{{XMP_NS['xmpRights']}}}Marked").text = "True"
        if facts.get("web_statement"):
            SubElement(desc, f"{{{XMP_NS['xmpRights']}}}WebStatement").text = facts["web_statement"]
        for issn in facts.get("issns", []):
            name = "issn" if issn["format"] == "print" else "eIssn"
            SubElement(desc, f"{{{XMP_NS['prism']}}}{name}").text = issn["value"]
        if not len(desc):
            rdf.remove(desc)
        used = sorted({child.tag.split("}")[1] for child in desc if child.tag.startswith(f"{{{XMP_NS['prism']}}}")})
        if used:
            _declare_prism(rdf, used)
        return re.sub(rb"^<\?xml[^>]*>\s*", b"", tostring(rdf, encoding="utf-8"))


def _declare_prism(rdf, names: list[str]) -> None:
    """A ``pdfaExtension:schemas`` entry that declares the PRISM properties used (valid in every PDF)."""
    ext, schema, prop = XMP_NS["pdfaExtension"], XMP_NS["pdfaSchema"], XMP_NS["pdfaProperty"]
    desc = SubElement(rdf, f"{{{_RDF}}}Description")
    desc.set(f"{{{_RDF}}}about", "")
    bag = SubElement(SubElement(desc, f"{{{ext}}}schemas"), f"{{{_RDF}}}Bag")
    entry = SubElement(bag, f"{{{_RDF}}}li")
    entry.set(f"{{{_RDF}}}parseType", "Resource")
    SubElement(entry, f"{{{schema}}}schema").text = "PRISM Basic Metadata"
    SubElement(entry, f"{{{schema}}}namespaceURI").text = XMP_NS["prism"]
    SubElement(entry, f"{{{schema}}}prefix").text = "prism"
    seq = SubElement(SubElement(entry, f"{{{schema}}}property"), f"{{{_RDF}}}Seq")
    for name in names:
        li = SubElement(seq, f"{{{_RDF}}}li")
        li.set(f"{{{_RDF}}}parseType", "Resource")
        SubElement(li, f"{{{prop}}}name").text = name
        SubElement(li, f"{{{prop}}}valueType").text = "Text" if name != "url" else "URI"
        SubElement(li, f"{{{prop}}}category").text = "external"
        SubElement(li, f"{{{prop}}}description").text = _PRISM_PROPERTIES[name]

"""Checks for JATS output, used by tests/writers/test_jats.py.

* :func:`dtd_errors`: validation against the JATS 1.3 DTDs shipped in the package
  (``src/pubconv/schema/jats``), offline, through the document's own DOCTYPE
  (its public identifier is resolved to the local file, so a wrong or unknown
  identifier fails).
* :func:`pmc_style_errors`: the key rules of the NLM/PMC Style Checker
  (nlm-stylechecker 5.31, public domain, NCBI) rewritten as XPath checks.  The
  XSLT itself is not vendored (see docs/jats.md); these are the rules whose
  failure PMC reports as an *error* for the parts of JATS that pubconv writes.
* :func:`jats4r_errors`: the error-level rules of the JATS4R Schematron
  (permissions, authors, general citations) for what pubconv writes.
* :func:`empty_things` and :func:`dangling_rids`: "nothing empty" and "every
  ``rid`` resolves", for any JATS document.
"""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from pubconv.writers.jats.dtd import dtd_dir, validation_parser

XLINK = "http://www.w3.org/1999/xlink"
ALI = "http://www.niso.org/schemas/ali/1.0/"
NSX = {"xlink": XLINK, "ali": ALI}

def dtd_errors(data: bytes, dtd_root: Path | None = None) -> list[str]:
    """Validity errors of a JATS document against the DTD its DOCTYPE names ([] if valid).

    The DTDs are the ones shipped in the package (``pubconv.writers.jats.dtd``);
    ``dtd_root`` is kept for callers that name the folder and must be that folder.
    """
    assert dtd_root is None or Path(dtd_root).resolve() == dtd_dir().resolve(), dtd_root
    try:
        etree.fromstring(data, validation_parser())
    except etree.XMLSyntaxError as exc:
        return [f"{e.line}: {e.message}" for e in exc.error_log] or [str(exc)]
    return []


def dtd_errors_against(data: bytes, dtd_file: Path) -> list[str]:
    """Validity errors against one DTD file, whatever the DOCTYPE says."""
    dtd = etree.DTD(str(dtd_file))
    tree = etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))
    return [] if dtd.validate(tree) else [f"{e.line}: {e.message}" for e in dtd.error_log]


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))


#: Allowed to have no content: ``break`` and ``graphic`` carry their meaning in attributes, and a
#: blank table cell is still a cell (dropping it would shift the row).
EMPTY_OK = frozenset({"break", "graphic", "td", "th"})


def empty_things(root: etree._Element) -> list[str]:
    """Elements without content and attributes without a value."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if name not in EMPTY_OK and not len(el) and not (el.text or "").strip():
            found.append(f"empty element <{name}> (line {el.sourceline})")
        for key, value in el.attrib.items():
            if not value.strip():
                found.append(f"empty attribute {key} on <{name}> (line {el.sourceline})")
    return found


def dangling_rids(root: etree._Element) -> list[str]:
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    return [f"{el.tag} rid={rid!r}" for el in root.iter() if isinstance(el.tag, str)
            for rid in (el.get("rid") or "").split() if rid not in ids]


#: The Style Checker's list (article-type-content-check), written out again here so that the
#: test does not take the writer's word for it.
PMC_ARTICLE_TYPES = frozenset(
    "abstract addendum admin advert announcement article-commentary book-review books-received brief-report "
    "calendar case-report collection correction cover data-paper discussion editorial expression-of-concern "
    "filler in-brief index introduction letter meeting-report methods-article news obituary oration "
    "product-review protocol rapid-communication reply report research-article retraction review-article "
    "systematic-review toc tutorial other".split()
)

#: xref/@ref-type -> the element its target must be.
XREF_TARGET = {"fn": "fn", "bibr": "ref", "author-notes": "fn", "fig": "fig", "table": "table-wrap",
               "sec": "sec", "aff": "aff"}

ORCID = re.compile(r"^https://orcid\.org/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
ISSN = re.compile(r"^\d{4}-\d{3}[\dX]$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
CC = re.compile(r"^https?://creativecommons\.org/(licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/\d\.\d|"
                r"publicdomain/zero/1\.0)/$")


def pmc_style_errors(root: etree._Element) -> list[str]:
    """The PMC Style Checker's key error rules for articles, as XPath.

    Rule names follow the Style Checker's test names.
    """
    errors: list[str] = []

    def err(test: str, message: str) -> None:
        errors.append(f"{test}: {message}")

    x = lambda expr, node=root: node.xpath(expr, namespaces=NSX)  # noqa: E731
    if not (root.get("article-type") or "").strip():
        err("article-type attribute check", "article has no article-type")
    elif root.get("article-type") not in PMC_ARTICLE_TYPES:
        err("article-type attribute check", f"unknown article-type value {root.get('article-type')!r}")
    jm = x("/article/front/journal-meta")
    if not jm:
        err("journal-meta check", "no journal-meta")
    else:
        jm = jm[0]
        if not x("journal-id[normalize-space(@journal-id-type) and normalize-space()]", jm):
            err("journal-id check", "journal-meta needs a typed journal-id")
        if not x("journal-title-group/journal-title[normalize-space()]", jm):
            err("journal-title check", "journal-meta needs a journal-title")
        if not x("publisher/publisher-name[normalize-space()]", jm):
            err("publisher check", "journal-meta needs a publisher-name")
        issns = x("issn", jm)
        if not issns:
            err("journal-meta issn check", "journal-meta needs an issn")
        for issn in issns:
            if issn.get("pub-type") not in (None, "epub", "ppub") or issn.get("publication-format") not in (
                None, "electronic", "print"
            ) or not (issn.get("pub-type") or issn.get("publication-format")):
                err("issn pub-type check", f"issn {issn.text!r} needs pub-type or publication-format")
            if not ISSN.match(issn.text or ""):
                err("journal-meta issn check", f"malformed issn {issn.text!r}")
    am = x("/article/front/article-meta")[0]
    if not x("article-categories/subj-group[@subj-group-type='heading' or not(@subj-group-type)]"
             "/subject[normalize-space()]", am):
        err("subject-group checking", "article-categories needs a heading subj-group")
    if not x("fpage[normalize-space()] | elocation-id[normalize-space()]", am):
        err("fpage check", "article-meta needs fpage or elocation-id")
    pub_dates = x("pub-date", am)
    if not any(
        pd.get("pub-type") in ("epub", "ppub", "epub-ppub", "collection")
        or (pd.get("date-type") in ("pub", "collection") and pd.get("publication-format"))
        for pd in pub_dates
    ):
        err("pub-date check", "article-meta needs a typed pub-date")
    for pd in pub_dates:
        month, day, year = pd.findtext("month"), pd.findtext("day"), pd.findtext("year")
        if month is not None and not (month.isdigit() and 1 <= int(month) <= 12):
            err("month-check", f"bad month {month!r}")
        if day is not None and not (day.isdigit() and 1 <= int(day) <= 31):
            err("day-check", f"bad day {day!r}")
        if year is None or not re.fullmatch(r"\d{4}", year):
            err("pub-date check", f"bad year {year!r}")
        if pd.get("iso-8601-date") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", pd.get("iso-8601-date")):
            err("pub-date check", f"bad iso-8601-date {pd.get('iso-8601-date')!r}")
    for aid in x("article-id", am):
        if not (aid.get("pub-id-type") or "").strip():
            err("pub-id-type attribute check", "article-id needs pub-id-type")
        if aid.get("pub-id-type") == "doi" and (not DOI.match(aid.text or "") or "10.." in aid.text):
            err("doi-check", f"malformed DOI {aid.text!r}")
    for cid in x("//contrib-id[@contrib-id-type='orcid']"):
        if not ORCID.match(cid.text or ""):
            err("contrib-id-check", f"ORCID must be an https://orcid.org/ URL: {cid.text!r}")
    for contrib in x("//contrib"):
        if not x("name | collab | string-name | anonymous", contrib):
            err("contrib-content-test", "contrib needs a name or collab")
    ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for xref in x("//xref"):
        ref_type, rid = xref.get("ref-type"), xref.get("rid")
        if not ref_type:
            err("xref-check", "xref needs ref-type")
        target = ids.get(rid)
        if target is None:
            err("xref-check", f"xref rid {rid!r} points nowhere")
        elif ref_type in XREF_TARGET and target.tag != XREF_TARGET[ref_type]:
            err("xref-check", f"xref ref-type {ref_type} points at <{target.tag}>")
        elif ref_type == "author-notes" and target.getparent().tag != "author-notes":
            err("xref-check", "author-notes xref must point into author-notes")
    for link in x("//ext-link"):
        if not link.get("ext-link-type"):
            err("ext-link-type check", "ext-link needs ext-link-type")
        if not (link.get(f"{{{XLINK}}}href") or "").strip():
            err("href-content-check", "ext-link needs xlink:href")
    for graphic in x("//graphic"):
        if not (graphic.get(f"{{{XLINK}}}href") or "").strip():
            err("href-content-check", "graphic needs xlink:href")
    for cit in x("//mixed-citation | //element-citation"):
        if not cit.get("publication-type"):
            err("publication-type check", "citation needs publication-type")
    for lic in x("//license"):
        refs = x("ali:license_ref", lic)
        for ref in refs:
            if "creativecommons.org" in ref.text and not CC.match(ref.text):
                err("license-cc-url-check", f"non-canonical Creative Commons URL {ref.text!r}")
        if len([r for r in refs if "creativecommons.org" in r.text]) > 1:
            err("license-cc-url-check", "more than one Creative Commons license_ref")
    for fn in x("/article/back/fn-group/fn"):
        if not x(f"//xref[@rid='{fn.get('id')}']"):
            err("fn xref check", f"footnote {fn.get('id')} is never called")
    for msg in empty_things(root):
        err("empty-element-check", msg)
    return errors


def jats4r_errors(root: etree._Element) -> list[str]:
    """JATS4R's error rules (permissions, authors and affiliations, general citations), as XPath."""
    errors: list[str] = []
    x = lambda expr, node=root: node.xpath(expr, namespaces=NSX)  # noqa: E731
    if not x("/article/front/article-meta/permissions"):
        errors.append("permissions: article-meta has no permissions")
    for perms in x("//permissions"):
        if x("copyright-statement | copyright-holder", perms) and not x("copyright-year", perms):
            errors.append("permissions: copyright without copyright-year")
    for lic in x("//license"):
        href, refs = lic.get(f"{{{XLINK}}}href"), x("ali:license_ref", lic)
        if href and refs and href != refs[0].text:
            errors.append("permissions: license xlink:href and ali:license_ref differ")
        if not refs:
            errors.append("permissions (warning): license without ali:license_ref")
    for cid in x("//contrib-id[not(@contrib-id-type)]"):
        errors.append("authors: contrib-id without contrib-id-type")
    for cit in x("//mixed-citation | //element-citation"):
        if not cit.get("publication-type"):
            errors.append("citations: no publication-type")
    for year in x("//mixed-citation/year | //element-citation/year"):
        if not re.fullmatch(r"\d{4}", year.text or "") and not re.fullmatch(r"\d{4}", year.get("iso-8601-date", "")):
            errors.append(f"citations: year {year.text!r} without a four-digit iso-8601-date")
    for pid in x("//mixed-citation/pub-id[not(@pub-id-type)] | //element-citation/pub-id[not(@pub-id-type)]"):
        errors.append("citations: pub-id without pub-id-type")
    return errors

"""JATS4R's recommendations that deposit-grade JATS must meet, as XPath rules, one function per recommendation.

Each function returns the problems it finds in a JATS ``article`` (``[]`` when it conforms).  The rules are
the error-level (and the "should" rules pubconv chooses to meet) of the published recommendations, as their
Schematron (jats4r/jats-schematrons) and texts state them:

* ``permissions``: JATS4R "Permissions" (https://jats4r.niso.org/permissions/).
* ``citations``: JATS4R "Citations" (general citations) and its publication-type values
  (https://jats4r.niso.org/general-citations/).
* ``accessible_links``: JATS4R "Accessibility" / links: link text that is only a URL must have an
  ``xlink:title`` saying where it goes; every link has a target (https://jats4r.niso.org/accessibility/).
"""
from __future__ import annotations

import re

from lxml import etree

XLINK = "http://www.w3.org/1999/xlink"
ALI = "http://www.niso.org/schemas/ali/1.0/"
NS = {"xlink": XLINK, "ali": ALI}
HREF = f"{{{XLINK}}}href"
TITLE = f"{{{XLINK}}}title"

#: publication-type values JATS4R's citation recommendation lists (plus "newspaper" and "other").
PUBLICATION_TYPES = frozenset(
    "book confproc data journal newspaper patent preprint report software standard thesis webpage other".split())
_CC = re.compile(r"^https?://creativecommons\.org/(licenses|publicdomain)/[a-z-]+/\d\.\d/(?:[a-z]{2}/)?$|"
                 r"^https?://creativecommons\.org/publicdomain/zero/1\.0/$")


def _x(node, expr):
    return node.xpath(expr, namespaces=NS)


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def permissions(article: etree._Element) -> list[str]:
    """JATS4R Permissions."""
    errors = []
    perms = _x(article, "/article/front/article-meta/permissions")
    if not perms:
        return ["permissions: article-meta has no permissions"]
    for p in perms:
        statement, years, holders = _x(p, "copyright-statement"), _x(p, "copyright-year"), _x(p, "copyright-holder")
        if (statement or holders) and not years:
            errors.append("permissions: copyright without copyright-year")
        for year in years:
            if not re.fullmatch(r"\d{4}", year.text or ""):
                errors.append(f"permissions: copyright-year {year.text!r} is not four digits")
        if years and not holders:
            errors.append("permissions: copyright-year without copyright-holder")
        if not _x(p, "license") and not statement:
            errors.append("permissions: neither a licence nor a copyright statement")
        for lic in _x(p, "license"):
            refs = _x(lic, "ali:license_ref")
            href = lic.get(HREF)
            if len(refs) != 1:
                errors.append(f"permissions: license has {len(refs)} ali:license_ref (one expected)")
            elif href and href != (refs[0].text or "").strip():
                errors.append("permissions: license xlink:href and ali:license_ref differ")
            if not _x(lic, "license-p") or not all(_text(lp) for lp in _x(lic, "license-p")):
                errors.append("permissions: license without a readable license-p")
            url = (refs[0].text or "").strip() if refs else ""
            if "creativecommons.org" in url:
                if not _CC.match(url):
                    errors.append(f"permissions: not a canonical Creative Commons URL: {url!r}")
                if lic.get("license-type") not in (None, "open-access"):
                    errors.append("permissions: a CC licence typed other than open-access")
    return errors


def citations(article: etree._Element) -> list[str]:
    """JATS4R Citations (general)."""
    errors = []
    for cit in _x(article, "//mixed-citation | //element-citation"):
        ptype = cit.get("publication-type")
        if not ptype:
            errors.append("citations: no publication-type")
        elif ptype not in PUBLICATION_TYPES:
            errors.append(f"citations: publication-type {ptype!r} is not a JATS4R value")
        if not _text(cit):
            errors.append("citations: empty citation")
        for group in _x(cit, "person-group"):
            if not group.get("person-group-type"):
                errors.append("citations: person-group without person-group-type")
            if not _x(group, "name | string-name | collab | etal"):
                errors.append("citations: person-group without names")
        for year in _x(cit, "year"):
            iso = year.get("iso-8601-date", "")
            if not re.fullmatch(r"\d{4}", year.text or "") and not re.fullmatch(r"\d{4}", iso):
                errors.append(f"citations: year {year.text!r} without a four-digit iso-8601-date")
        for pid in _x(cit, "pub-id"):
            if not pid.get("pub-id-type"):
                errors.append("citations: pub-id without pub-id-type")
            if pid.get("pub-id-type") == "doi" and not re.fullmatch(r"10\.\d{4,9}/\S+", pid.text or ""):
                errors.append(f"citations: pub-id doi {pid.text!r} is not a bare DOI")
        for link in _x(cit, "ext-link"):
            if not link.get("ext-link-type"):
                errors.append("citations: ext-link without ext-link-type")
        for date in _x(cit, "date-in-citation"):
            if date.get("content-type") != "access-date":
                errors.append("citations: date-in-citation without content-type='access-date'")
        if ptype in ("journal", "newspaper") and _x(cit, "source") == [] and len(cit):
            if _x(cit, "article-title"):
                errors.append(f"citations: a {ptype} citation with an article-title but no source")
    return errors


def accessible_links(article: etree._Element) -> list[str]:
    """JATS4R Accessibility: links with a target, and a title where the link text is only its URL."""
    errors = []
    for link in article.iter("ext-link", "uri", "self-uri"):
        href = (link.get(HREF) or "").strip()
        if not href:
            errors.append(f"accessible links: <{link.tag}> without xlink:href")
            continue
        text = _text(link)
        bare = text and _norm(text) == _norm(href)
        if (bare or not text) and not (link.get(TITLE) or "").strip():
            errors.append(f"accessible links: <{link.tag}> {href!r} shows its URL and has no xlink:title")
    return errors


def _norm(url: str) -> str:
    url = url.strip().rstrip("/").lower()
    for prefix in ("https://", "http://", "mailto:"):
        if url.startswith(prefix):
            url = url[len(prefix):]
    return url


def all_rules(article: etree._Element) -> list[str]:
    return permissions(article) + citations(article) + accessible_links(article)

"""The imprint: what the publisher must print, gathered once for the PDF and EPUB templates.

:func:`imprint` returns plain values (the templates escape them): the series
line (``CRPS Comment No. 118``), publisher and place, date, DOI and its
``https://doi.org/`` link, ISSNs, the copyright and licence statement, and a
recommended citation (``Cite as: Šimková, H. (2022). Title: Subtitle. CRPS
Comment 118. Centre for Regional Policy Studies. https://doi.org/…``).  Labels
follow the document's language (English when the language has no table).
"""
from __future__ import annotations

from ..document import Document, text_of
from ..namespaces import PUBCONV
from . import typography

_P = {"p": PUBCONV}
DOI_RESOLVER = "https://doi.org/"

LABELS = {
    "en": {"number": "No.", "cite_as": "Cite as", "license": "Published under", "online": "online",
           "print": "print", "published_by": "Published by"},
    "fr": {"number": "n°", "cite_as": "Pour citer", "license": "Publié sous licence", "online": "en ligne",
           "print": "imprimé", "published_by": "Publié par"},
    "de": {"number": "Nr.", "cite_as": "Zitierweise", "license": "Veröffentlicht unter", "online": "online",
           "print": "Druck", "published_by": "Herausgegeben von"},
    "es": {"number": "n.º", "cite_as": "Cómo citar", "license": "Publicado bajo", "online": "en línea",
           "print": "impreso", "published_by": "Publicado por"},
    "it": {"number": "n.", "cite_as": "Per citare", "license": "Pubblicato con licenza", "online": "online",
           "print": "stampa", "published_by": "Pubblicato da"},
    "pt": {"number": "n.º", "cite_as": "Como citar", "license": "Publicado sob", "online": "online",
           "print": "impresso", "published_by": "Publicado por"},
    "nl": {"number": "nr.", "cite_as": "Citeer als", "license": "Gepubliceerd onder", "online": "online",
           "print": "print", "published_by": "Uitgegeven door"},
}


def labels(lang: str) -> dict[str, str]:
    """The imprint's fixed words in ``lang`` (English when the language has no table)."""
    return LABELS.get((lang or "en").split("-")[0].lower(), LABELS["en"])


def _t(el, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path, namespaces=_P)
    return " ".join((found.text or "").split()) if found is not None else ""


def initials(given: str) -> str:
    """``Siegfried O.`` -> ``S. O.``; ``Jean-Paul`` -> ``J.-P.``."""
    out = []
    for word in given.split():
        parts = [p for p in word.split("-") if p]
        out.append("-".join(p[0] + "." for p in parts))
    return " ".join(out)


def _citation_authors(names: list[tuple[str, str]]) -> str:
    """APA style: ``Family, G.``, two joined by ``&``, more with commas and ``&`` before the last."""
    done = [f"{family}, {initials(given)}" if given else family for given, family in names if family or given]
    if len(done) <= 1:
        return "".join(done)
    return ", ".join(done[:-1]) + ", & " + done[-1]


def imprint(doc: Document, date_text: str = "") -> dict:
    """Everything the title page and the imprint block print, as plain strings."""
    meta = doc.find("p:meta")
    lang = doc.lang
    words = labels(lang)
    marks = typography.quotes_for(lang)
    series = meta.find("p:series", namespaces=_P)
    series_name = _t(series, "p:title") or _t(series, "p:label")
    number = _t(series, "p:number")
    series_line = f"{series_name} {words['number']}\u00a0{number}" if series_name and number else series_name
    publisher = meta.find("p:publisher", namespaces=_P)
    doi = _t(meta, "p:doi")
    date = meta.find("p:date", namespaces=_P)
    year = (date.get("iso") or "")[:4] if date is not None else ""
    names = [(_t(a, "p:name/p:given"), _t(a, "p:name/p:family")) for a in meta.iterfind("p:authors/p:author",
                                                                                         namespaces=_P)]
    license_el = meta.find("p:license", namespaces=_P)
    license_text = " ".join((license_el.text or "").split()) if license_el is not None else ""
    license_href = license_el.get("href", "") if license_el is not None else ""
    if not license_href.lower().startswith(("https://", "http://")):
        license_href = ""
    title = typography.smarten_text(" ".join(text_of(meta.find("p:title", namespaces=_P)).split()), "", marks)
    subtitle = typography.smarten_text(" ".join(text_of(meta.find("p:subtitle", namespaces=_P)).split()), "",
                                       marks)
    full_title = title + (("" if title[-1:] in "?!:." else ":") + " " + subtitle if subtitle else "")
    holders = ", ".join(" ".join(p for p in n if p) for n in names) or _t(publisher, "p:name")
    issns = []
    for issn in meta.iterfind("p:issn", namespaces=_P):
        kind = words.get(issn.get("format") == "print" and "print" or "online")
        issns.append({"value": (issn.text or "").strip(), "format": issn.get("format") or "electronic",
                      "text": f"ISSN {(issn.text or '').strip()} ({kind})"})
    series_ref = " ".join(p for p in (series_name, number) if p)
    doi_url = DOI_RESOLVER + doi if doi else ""
    citation = {
        "authors": _citation_authors(names),
        "year": year or "n.d.",
        "title": full_title,
        "series": series_ref,
        "publisher": _t(publisher, "p:name") if _t(publisher, "p:name") != series_name else "",
        "url": doi_url,
    }
    parts = [f"{citation['authors']} ({citation['year']})." if citation["authors"] else f"({citation['year']}).",
             full_title.rstrip(".") + ".", f"{series_ref}." if series_ref else "",
             f"{citation['publisher']}." if citation["publisher"] else "", doi_url]
    return {
        "lang": lang,
        "labels": words,
        "series_line": series_line,
        "series_name": series_name,
        "number": number,
        "publisher": {"name": _t(publisher, "p:name"), "place": _t(publisher, "p:place")},
        "date_text": date_text,
        "year": year,
        "doi": doi,
        "doi_url": doi_url,
        "issns": issns,
        "copyright": f"© {year} {holders}".replace("  ", " ").strip() if (year or holders) else "",
        "license": {"text": license_text, "href": license_href},
        "citation": citation,
        "citation_text": " ".join(p for p in parts if p),
    }


def xmp_facts(doc: Document) -> dict:
    """The facts the PDF's XMP carries: DOI, rights statement, licence URL, ISSNs."""
    facts = imprint(doc)
    rights = " ".join(p for p in (facts["copyright"] + "." if facts["copyright"] else "",
                                  f"{facts['labels']['license']} {facts['license']['text']}."
                                  if facts["license"]["text"] else "") if p)
    return {"doi": facts["doi"], "doi_url": facts["doi_url"], "rights": rights,
            "web_statement": facts["license"]["href"], "issns": facts["issns"],
            "publisher": facts["publisher"]["name"]}


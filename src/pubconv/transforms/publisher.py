"""Fill what a document leaves out from the publisher configuration (``pubconv.toml``).

The document always wins: a value is added only where the document has none.
Series title, publisher, ISSNs and licence come from ``[series.LABEL]``,
``[publisher]`` and ``[document]``; so do the deposit metadata: the landing page
(``[document] url``, a template with ``{series}``, ``{number}``, ``{stem}`` and
``{doi}``), the copyright holder and statement, the series' ``journal-id`` and
``journal-title``, and the publisher's ``url``.
"""
from __future__ import annotations

import string
from urllib.parse import quote

from lxml import etree

from .. import metadata
from ..config import Config, key_pos
from ..document import E, q
from ..errors import PubconvError


# The order of meta's children is fixed by the schema; new ones go in their place.
_META_ORDER = ["series", "title", "subtitle", "short-title", "authors", "author-notes", "date", "doi", "publisher", "issn",
               "license", "keywords", "abstract", "url", "copyright", "isbn", "cover", "source", "affiliations",
               "translations", "funding"]


def _insert(meta: etree._Element, el: etree._Element) -> None:
    rank = _META_ORDER.index(etree.QName(el).localname)
    for i, child in enumerate(meta):
        if _META_ORDER.index(etree.QName(child).localname) > rank:
            meta.insert(i, el)
            return
    meta.append(el)


def apply_config(root: etree._Element, config: Config, stem: str | None = None) -> None:
    """Fill what the document leaves out from the configuration (the document wins)."""
    meta = root.find(q("meta"))
    label_el = meta.find(f"{q('series')}/{q('label')}")
    series = config.series(label_el.text) if label_el is not None else {}
    if label_el is not None and series.get("title") and meta.find(f"{q('series')}/{q('title')}") is None:
        label_el.getparent().append(E("title", series["title"]))
    publisher = config.data.get("publisher", {})
    if meta.find(q("publisher")) is None and publisher.get("name"):
        _insert(meta, metadata.publisher(publisher["name"], publisher.get("place")))
    if meta.find(q("issn")) is None:
        electronic = series.get("issn") or publisher.get("issn")
        if electronic:
            _insert(meta, metadata.issn(electronic, "electronic"))
        if series.get("print-issn"):
            _insert(meta, metadata.issn(series["print-issn"], "print"))
    doc_cfg = config.data.get("document", {})
    if meta.find(q("license")) is None and (doc_cfg.get("license") or doc_cfg.get("license-url")):
        _insert(meta, metadata.license(doc_cfg.get("license"), doc_cfg.get("license-url")))
    _deposit(meta, config, series, publisher, doc_cfg, stem)


def _deposit(meta, config: Config, series: dict, publisher: dict, doc_cfg: dict, stem: str | None) -> None:
    """Landing page, copyright and journal identity from the configuration (the document wins)."""
    series_el = meta.find(q("series"))
    if series_el is not None:
        for key in ("journal-id", "journal-title"):
            if series.get(key) and series_el.find(q(key)) is None:
                series_el.append(E(key, series[key]))
    pub_el = meta.find(q("publisher"))
    if pub_el is not None and publisher.get("url") and pub_el.find(q("url")) is None:
        pub_el.append(E("url", publisher["url"]))
    if meta.find(q("url")) is None and doc_cfg.get("url"):
        _insert(meta, E("url", landing_url(doc_cfg["url"], meta, config, stem)))
    holder, statement = doc_cfg.get("copyright-holder"), doc_cfg.get("copyright-statement")
    if meta.find(q("copyright")) is None and (holder or statement):
        _insert(meta, E("copyright", E("holder", holder) if holder else None,
                        E("statement", statement) if statement else None))


def landing_url(template: str, meta: etree._Element, config: Config, stem: str | None) -> str:
    """``[document] url`` with ``{series}``, ``{number}``, ``{stem}`` and ``{doi}`` filled in.

    A placeholder the document cannot fill (no number, no DOI) or an unknown one is an
    error that names the key.
    """
    values = {
        "series": meta.findtext(f"{q('series')}/{q('label')}"),
        "number": meta.findtext(f"{q('series')}/{q('number')}"),
        "stem": stem,
        "doi": meta.findtext(q("doi")),
    }
    out = []
    try:
        for literal, field, spec, conv in string.Formatter().parse(template):
            out.append(literal)
            if field is None:
                continue
            if field not in values:
                raise PubconvError(f"'url' in [document] uses {{{field}}}; known placeholders are "
                                   "{series}, {number}, {stem} and {doi}", key_pos(config.path, "url"), "bad-config")
            if not values[field]:
                raise PubconvError(f"'url' in [document] needs {{{field}}}, which this document does not have",
                                   key_pos(config.path, "url"), "bad-config")
            # Percent-encoded, so that "POLICY BRIEF" gives a URL; "/" stays (a DOI has one).
            out.append(quote(values[field].strip(), safe="/:@-._~!$&'()*+,;="))
    except ValueError as exc:
        raise PubconvError(f"'url' in [document] is not a valid template: {exc}", key_pos(config.path, "url"),
                           "bad-config") from None
    url = "".join(out)
    if not url.startswith(("http://", "https://")) or any(ch.isspace() for ch in url):
        raise PubconvError(f"'url' in [document] must give an absolute http(s) URL without spaces, not {url!r}",
                           key_pos(config.path, "url"), "bad-config")
    return url

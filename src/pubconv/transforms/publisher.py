"""Fill what a document leaves out from the publisher configuration (``pubconv.toml``).

The document always wins: a value is added only where the document has none.
Series title, publisher, ISSNs and licence come from ``[series.LABEL]``,
``[publisher]`` and ``[document]``.
"""
from __future__ import annotations

from lxml import etree

from ..config import Config
from ..document import E, q


# The order of meta's children is fixed by the schema; new ones go in their place.
_META_ORDER = ["series", "title", "subtitle", "short-title", "authors", "author-notes", "date", "doi", "publisher", "issn",
               "license", "keywords", "abstract"]


def _insert(meta: etree._Element, el: etree._Element) -> None:
    rank = _META_ORDER.index(etree.QName(el).localname)
    for i, child in enumerate(meta):
        if _META_ORDER.index(etree.QName(child).localname) > rank:
            meta.insert(i, el)
            return
    meta.append(el)


def apply_config(root: etree._Element, config: Config) -> None:
    """Fill what the document leaves out from the configuration (the document wins)."""
    meta = root.find(q("meta"))
    label_el = meta.find(f"{q('series')}/{q('label')}")
    series = config.series(label_el.text) if label_el is not None else {}
    if label_el is not None and series.get("title") and meta.find(f"{q('series')}/{q('title')}") is None:
        label_el.getparent().append(E("title", series["title"]))
    publisher = config.data.get("publisher", {})
    if meta.find(q("publisher")) is None and publisher.get("name"):
        _insert(meta, E("publisher", E("name", publisher["name"]),
                        E("place", publisher["place"]) if publisher.get("place") else None))
    if meta.find(q("issn")) is None:
        electronic = series.get("issn") or publisher.get("issn")
        if electronic:
            _insert(meta, E("issn", electronic, format="electronic"))
        if series.get("print-issn"):
            _insert(meta, E("issn", series["print-issn"], format="print"))
    doc_cfg = config.data.get("document", {})
    if meta.find(q("license")) is None and (doc_cfg.get("license") or doc_cfg.get("license-url")):
        _insert(meta, E("license", doc_cfg.get("license") or doc_cfg["license-url"], href=doc_cfg.get("license-url")))

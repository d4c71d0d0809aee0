"""Making an SVG image (or logo) safe to package: no scripts, no handlers, no references out.

An SVG is a document that can run scripts, react to events and pull in other files
(``<image href="file:///etc/passwd">``, ``<use href="http://...">``, ``@import`` in a
``<style>``).  Both the EPUB (which carries the image) and the PDF (whose renderer
follows the references) get the cleaned bytes from :func:`sanitize`; what was removed
is named so that the writer can warn.
"""
from __future__ import annotations

import re

from lxml import etree

from .document import safe_parser
from .namespaces import SVG

SVG_NS = SVG
#: Elements removed with everything inside them.
_DROP = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener", "audio", "video",
         "animate", "set", "animatemotion", "animatetransform", "animatecolor"}
_URL_REF = re.compile(r"url\(\s*+['\"]?+(?!#)", re.I)
_IMPORT = re.compile(r"@import", re.I)


def sanitize(data: bytes) -> tuple[bytes, list[str]]:
    """``(clean bytes, what was removed)``; raises ValueError when ``data`` is not a plain SVG document.

    Removed: scripts and other active or foreign elements (anything outside the SVG namespace),
    processing instructions, event attributes (``on*``), ``href``s that leave the document
    (anything but ``#id``, and ``data:image/...`` on ``<image>``), and any ``url(...)`` or
    ``@import`` that does not point inside the document.
    """
    parser = safe_parser(remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML ({exc.msg})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValueError("its root element is not <svg>")
    if root.getroottree().docinfo.doctype:
        raise ValueError("an SVG image may not have a DOCTYPE")
    removed: set[str] = set()
    for node in list(root.iter()):
        if node is root:
            pass
        elif not isinstance(node.tag, str):  # a processing instruction (<?xml-stylesheet?>)
            _remove(node)
            removed.add("processing instructions")
            continue
        else:
            q = etree.QName(node)
            if q.namespace != SVG_NS or q.localname.lower() in _DROP:
                _remove(node)
                removed.add(f"<{q.localname}>")
                continue
            if q.localname == "style" and node.text and (_IMPORT.search(node.text) or _URL_REF.search(node.text)):
                _remove(node)
                removed.add("style sheets that refer outside the image")
                continue
        local = etree.QName(node).localname
        for name, value in list(node.attrib.items()):
            attr = etree.QName(name).localname.lower()
            if attr.startswith("on"):
                del node.attrib[name]
                removed.add("event attributes")
            elif attr == "href" and not (value.strip().startswith("#")
                                         or (local == "image" and value.strip().lower().startswith("data:image/"))):
                del node.attrib[name]
                removed.add("references outside the image")
            elif _URL_REF.search(value) or _IMPORT.search(value):
                del node.attrib[name]
                removed.add("references outside the image")
    for pi in root.itersiblings(preceding=True):
        if not isinstance(pi.tag, str):
            removed.add("processing instructions")
    clean = etree.tostring(root, encoding="utf-8", xml_declaration=True)  # the root alone: no PIs before it
    return clean, sorted(removed)


def _remove(node) -> None:
    parent = node.getparent()
    if parent is not None:
        parent.remove(node)

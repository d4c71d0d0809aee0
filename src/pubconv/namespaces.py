"""Every XML namespace pubconv reads or writes, named once.

The intermediate's own two (``PUBCONV`` for content, ``SOURCE`` for source
positions) and the standard ones the writers use: XHTML and EPUB's ``OPS``,
``OPF`` and ``NCX`` for the EPUB, ``XLINK``, ``ALI`` and ``MATHML`` for JATS,
``SVG`` for images, and ``XML`` for ``xml:lang``.
"""
from __future__ import annotations

PUBCONV = "https://pubconv.org/ns/document/1"
SOURCE = "https://pubconv.org/ns/source/1"

XML = "http://www.w3.org/XML/1998/namespace"
XHTML = "http://www.w3.org/1999/xhtml"
SVG = "http://www.w3.org/2000/svg"
MATHML = "http://www.w3.org/1998/Math/MathML"
XLINK = "http://www.w3.org/1999/xlink"
OPS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
ALI = "http://www.niso.org/schemas/ali/1.0/"

#: ``xml:lang`` as lxml spells the attribute.
XML_LANG = f"{{{XML}}}lang"

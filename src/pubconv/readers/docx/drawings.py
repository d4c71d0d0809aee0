"""Pictures (DrawingML and VML) with their descriptions, and text boxes.

An embedded picture is copied out of the package into the document's private
media folder and becomes a ``figure``; a linked one is never fetched.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from lxml import etree

from ...document import E
from ...errors import warn
from .inline import Inline
from .package import NS, w

_A = NS["a"]
_WP = NS["wp"]
_V = NS["v"]
_R = NS["r"]
_IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg"}


class DrawingReader:
    """The picture part of :class:`~pubconv.readers.docx.body.BodyReader`."""

    def _drawing(self, el: etree._Element, b: Inline, figures, link) -> None:
        found = False
        for box in el.iter(w("txbxContent")):
            if box.getparent() is not None and any(a.tag == w("txbxContent") for a in box.iterancestors()):
                continue
            self.text_boxes.append(box)
            found = True
        for holder in list(el.iter(f"{{{_WP}}}inline", f"{{{_WP}}}anchor")) or [None]:
            blips = list((holder if holder is not None else el).iter(f"{{{_A}}}blip"))
            doc_pr = holder.find(f"{{{_WP}}}docPr") if holder is not None else None
            alt = ""
            if doc_pr is not None:
                alt = (doc_pr.get("descr") or doc_pr.get("title") or "").strip()
            for blip in blips:
                self._image(blip.get(f"{{{_R}}}embed"), blip.get(f"{{{_R}}}link"), alt, b, figures)
                found = True
        for data in el.iter(f"{{{_V}}}imagedata"):
            shape = data.getparent()
            alt = (shape.get("alt") or "").strip() if shape is not None else ""
            self._image(data.get(f"{{{_R}}}id"), None, alt, b, figures)
            found = True
        if not found:
            self.note_once("docx-drawing")

    def _image(self, embed: str | None, linked: str | None, alt: str, b: Inline, figures) -> None:
        rels = self.pkg.rels(self.cur_part)
        rel = rels.get(embed or "")
        if rel is None or rel.external:
            self.note_once("docx-linked-image")
            if alt:
                b.text(alt)
            return
        ext = posixpath.splitext(rel.target)[1].lower()
        if ext not in _IMAGE_TYPES or not self.pkg.has(rel.target):
            warn(self.report, "docx-image-format", f"picture {posixpath.basename(rel.target)!r} "
                 f"({ext or 'no type'}) cannot be published; save it as PNG, JPEG or SVG in Word. Left out"
                 + (f"; its description: {alt!r}" if alt else ""), self.pos())
            return
        src = self.images.get(rel.target)
        if src is None:
            folder: Path = self.media_dir()
            stem = re.sub(r"[^A-Za-z0-9._-]", "_", posixpath.basename(rel.target)) or "image" + ext
            src = f"media/{stem}"
            if src in self.images.values():
                src = f"media/{len(self.images) + 1}-{stem}"
            target = folder / src
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.pkg.raw(rel.target))
            self.images[rel.target] = src
        where = self.where()
        if figures is None:
            self.note_once("docx-cell-image")
            if alt:
                b.text(alt)
            return
        self.figures += 1
        figures.append(E("figure", E("image", src=src, alt=alt, where=where), where=where,
                         id=f"figure-{self.figures}"))

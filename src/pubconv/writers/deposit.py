"""The deposit package writer: ``<stem>.deposit.zip``, what a repository or PMC ingests.

``write(doc, options, report) -> bytes`` returns one zip archive with a flat
layout (PMC's, which most repositories accept)::

    <stem>.xml        the JATS (validated against the shipped DTDs, as every JATS is)
    <stem>.pdf        the PDF, named by the JATS self-uri
    <image files>     every figure's image, named by its graphic's xlink:href

Every relative ``self-uri`` and ``graphic`` href in the packaged JATS names a
member of the archive: images keep their file name, and one that would clash
with another (same name from two folders) is renamed ``<stem>-figN.<ext>``;
the JATS in the package is written from a copy of the document whose image
sources are those names, so it says exactly what the archive holds.  The EPUB
is not packaged, so the packaged JATS has no EPUB ``self-uri``.

Images are read with the same policy as the PDF (only files inside the
source's folder, never remote).  The archive is byte-identical on every run:
members in a fixed order (JATS, PDF, images sorted), one timestamp
(``SOURCE_DATE_EPOCH``, else the document's date), fixed permissions.
"""
from __future__ import annotations

import copy
import posixpath
from dataclasses import replace
from pathlib import Path

from ..document import Document, output_stem, resolve_resource
from ..errors import Report
from . import WriteOptions, archive, writer


def write(doc: Document, options: WriteOptions, report: Report) -> bytes:
    """The package as zip bytes (see the module docstring)."""
    from .epub.meta import modified  # the build time, as the EPUB stamps it

    stem = output_stem(doc.path) or "article"
    package = Document(copy.deepcopy(doc.root), doc.path, doc.base_dir)
    images: dict[str, bytes] = {}
    names: dict[Path, str] = {}
    base = Path(doc.base_dir).resolve()
    for n, image in enumerate(package.xpath("//p:image"), 1):
        path = resolve_resource(image.get("src", ""), base, package.pos(image), allow_remote=False)
        if path not in names:
            name = path.name
            ext = posixpath.splitext(name)[1]
            if name in images or name in (f"{stem}.xml", f"{stem}.pdf") or not _safe(name):
                name = f"{stem}-fig{n}{ext}"
            names[path] = name
            images[name] = path.read_bytes()
        image.set("src", names[path])

    pdf_name = f"{stem}.pdf"
    pdf = writer("pdf").write(doc, options, report)
    jats = writer("jats").article(package, replace(options, outputs={"pdf": pdf_name}), report)
    members = {f"{stem}.xml": jats, pdf_name: pdf}
    for name in sorted(images):
        members[name] = images[name]
    return archive.write_zip(members, modified(doc))


def _safe(name: str) -> bool:
    """A file name that every zip reader and repository takes as it is."""
    return bool(name) and all(ch.isalnum() or ch in "._-" for ch in name) and not name.startswith(".")

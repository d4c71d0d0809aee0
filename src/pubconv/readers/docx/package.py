"""A .docx file as an untrusted package: zip limits, safe XML, relationships.

Every refusal is a :class:`~pubconv.errors.PubconvError` naming the file:

* not a zip (an old ``.doc`` or a password-protected file is an OLE container),
* a zip bomb: more than :data:`MAX_MEMBERS` members, a member larger than
  :data:`MAX_MEMBER_BYTES` once inflated, more than :data:`MAX_TOTAL_BYTES` in all,
  or a member that inflates more than :data:`MAX_RATIO` times (above 1 MB),
* a member name or an internal relationship target that leaves the package
  (``..``, an absolute path, a drive letter, a backslash),
* an XML part with a DOCTYPE or an entity declaration (never loaded or expanded;
  parsed with ``resolve_entities=False, no_network=True, load_dtd=False``).

Nothing outside the package is ever read or fetched: external relationships
(linked images, remote templates, OLE links) are listed in one warning.
Macros (``vbaProject.bin``) are never read; their presence is reported.
Strict OOXML namespaces are mapped onto the transitional ones before parsing.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from ...document import safe_parser
from ...errors import PubconvError, Report, SourcePos, warn

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 128 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200
#: Members smaller than this are not held to MAX_RATIO (tiny XML parts compress very well).
RATIO_FLOOR = 1024 * 1024
#: The compressed size of a .docx pubconv reads at all.
MAX_PACKAGE_BYTES = 100 * 1024 * 1024

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {
    "w": W, "r": R,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "v": "urn:schemas-microsoft-com:vml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
_STRICT = [
    (b"http://purl.oclc.org/ooxml/wordprocessingml/main", W.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships", R.encode()),
    (b"http://purl.oclc.org/ooxml/drawingml/main", NS["a"].encode()),
    (b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing", NS["wp"].encode()),
    (b"http://purl.oclc.org/ooxml/drawingml/picture", NS["pic"].encode()),
]
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def w(tag: str) -> str:
    """``{w-namespace}tag``."""
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Rel:
    """One relationship: its type (the last segment of the type URI), target and mode."""

    kind: str
    target: str  #: a part name inside the package, or the URL for an external one
    external: bool


class Package:
    """The parts of one .docx, read on demand, each checked before it is parsed."""

    def __init__(self, data: bytes, path: str, report: Report):
        self.path = path
        self.report = report
        if data.startswith(_OLE):
            raise PubconvError("this is a Word 97-2003 (.doc) or password-protected file, not a .docx; save it "
                               "from Word as a .docx without a password", SourcePos(path), "docx-format")
        if len(data) > MAX_PACKAGE_BYTES:
            raise PubconvError(f"the .docx is {len(data) / 1048576:.1f} MB; the limit is "
                               f"{MAX_PACKAGE_BYTES // 1048576} MB", SourcePos(path), "too-large")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError):
            raise PubconvError("not a .docx: the file is not a zip package (save it from Word as .docx)",
                               SourcePos(path), "docx-format") from None
        self._check_members(infos)
        self.members = {i.filename: i for i in infos}
        self._rels: dict[str, dict[str, Rel]] = {}
        main = [r for r in self.rels("").values() if r.kind == "officeDocument" and not r.external]
        self.main = main[0].target if main else "word/document.xml"
        if self.main not in self.members:
            raise PubconvError("not a .docx: the package has no main document part", SourcePos(path),
                               "docx-format")

    # ------------------------------------------------------------ safety

    def _check_members(self, infos: list[zipfile.ZipInfo]) -> None:
        pos = SourcePos(self.path)
        if len(infos) > MAX_MEMBERS:
            raise PubconvError(f"the package has {len(infos)} members; more than {MAX_MEMBERS} is refused "
                               "(a zip bomb?)", pos, "zip-bomb")
        total = 0
        for info in infos:
            name = info.filename
            if name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/") or ":" in name:
                raise PubconvError(f"package member {name!r} names a path outside the package", pos, "docx-path")
            if info.flag_bits & 0x1:
                raise PubconvError(f"package member {name!r} is encrypted", pos, "docx-format")
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES:
                raise PubconvError(f"package member {name!r} inflates to {info.file_size / 1048576:.0f} MB; the "
                                   f"limit is {MAX_MEMBER_BYTES // 1048576} MB (a zip bomb?)", pos, "zip-bomb")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise PubconvError(f"package member {name!r} inflates {info.file_size // max(info.compress_size, 1)}"
                                   f" times; more than {MAX_RATIO} is refused (a zip bomb?)", pos, "zip-bomb")
        if total > MAX_TOTAL_BYTES:
            raise PubconvError(f"the package inflates to {total / 1048576:.0f} MB; the limit is "
                               f"{MAX_TOTAL_BYTES // 1048576} MB (a zip bomb?)", pos, "zip-bomb")

    # ------------------------------------------------------------ parts

    def has(self, name: str) -> bool:
        return name in self.members

    def raw(self, name: str) -> bytes:
        """A member's bytes, never more than its declared (and checked) size."""
        info = self.members[name]
        try:
            with self.zip.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise PubconvError(f"package member {name!r} cannot be read (the file is damaged: {exc})",
                               SourcePos(self.path), "docx-format") from None
        if len(data) > info.file_size:  # pragma: no cover - zipfile already stops at the declared size
            raise PubconvError(f"package member {name!r} is larger than it says", SourcePos(self.path), "zip-bomb")
        return data

    def xml(self, name: str | None) -> etree._Element | None:
        """A part parsed as untrusted XML, or None when the package lacks it."""
        if name is None or name not in self.members:
            return None
        data = self.raw(name)
        head = data[:4096].upper()
        if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
            raise PubconvError(f"package part {name!r} has a DOCTYPE or entity declarations; refused",
                               SourcePos(self.path), "xml-doctype")
        if b"purl.oclc.org/ooxml/" in data:
            for strict, transitional in _STRICT:
                data = data.replace(strict, transitional)
        parser = safe_parser(remove_comments=True, remove_pis=True)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise PubconvError(f"package part {name!r} is not well-formed XML: {exc.msg}", SourcePos(self.path),
                               "docx-format") from None
        if root.getroottree().docinfo.doctype:
            raise PubconvError(f"package part {name!r} has a DOCTYPE; refused", SourcePos(self.path), "xml-doctype")
        return root

    # ------------------------------------------------------------ relationships

    def rels(self, part: str) -> dict[str, Rel]:
        """The relationships of ``part`` (``""`` for the package's own), by id."""
        if part in self._rels:
            return self._rels[part]
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        found: dict[str, Rel] = {}
        root = self.xml(rels_name)
        if root is not None:
            for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
                kind = (rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1]
                target = rel.get("Target") or ""
                if rel.get("TargetMode") == "External":
                    found[rel.get("Id")] = Rel(kind, target, True)
                else:
                    found[rel.get("Id")] = Rel(kind, self._inside(folder, target), False)
        self._rels[part] = found
        return found

    def _inside(self, folder: str, target: str) -> str:
        if "\\" in target or ":" in target.split("/")[0]:
            raise PubconvError(f"relationship target {target!r} names a path outside the package",
                               SourcePos(self.path), "docx-path")
        joined = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        norm = posixpath.normpath(joined) if joined else ""
        if norm.startswith("../") or norm == ".." or norm.startswith("/"):
            raise PubconvError(f"relationship target {target!r} names a path outside the package",
                               SourcePos(self.path), "docx-path")
        return norm

    def related(self, part: str, kind: str) -> str | None:
        """The part that ``part`` points at with a relationship of ``kind`` (e.g. ``footnotes``)."""
        for rel in self.rels(part).values():
            if rel.kind == kind and not rel.external:
                return rel.target
        return None

    def report_outside(self) -> None:
        """One warning for everything the package points at outside itself, and one for macros."""
        kinds: dict[str, int] = {}
        for name in sorted(self.members):
            if name.endswith(".rels"):
                folder = posixpath.dirname(posixpath.dirname(name))
                part = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
                for rel in self.rels(part).values():
                    if rel.external and rel.kind != "hyperlink":
                        kinds[rel.kind] = kinds.get(rel.kind, 0) + 1
        if kinds:
            listed = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
            warn(self.report, "docx-external", f"the document points at files outside it ({listed}); pubconv "
                 "never fetches them: embed linked pictures in Word (File > Info > Edit links to files)",
                 SourcePos(self.path))
        macros = sorted(n for n in self.members if posixpath.basename(n).lower().startswith("vbaproject"))
        if macros:
            warn(self.report, "docx-macros", f"the document contains macros ({macros[0]}); they are ignored",
                 SourcePos(self.path))

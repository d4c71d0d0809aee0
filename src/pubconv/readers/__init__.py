"""Readers: one module per source form, all producing the canonical intermediate.

``read_source(path)`` decodes the file (UTF-8, with or without BOM; UTF-16 with
a BOM; CRLF and CR line ends), picks the form (``.pubconv.xml`` is the
intermediate itself; ``.docx`` is a Word document; YAML front matter means the
authoring form; anything else is the extracted form) unless ``form`` forces one,
and returns a validated :class:`~pubconv.document.Document`.  The binary forms
(``xml``, ``docx``) get the bytes, never decoded text.
"""
from __future__ import annotations

import codecs
import importlib
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from .. import document, transforms
from ..document import Document
from ..errors import PubconvError, Report, SourcePos

if TYPE_CHECKING:
    from ..config import Config

FORMS = ("authoring", "extracted", "xml", "docx")
#: forms whose reader takes the file's bytes; the others get decoded text
BINARY_FORMS = frozenset({"xml", "docx"})
# Characters XML 1.0 cannot carry (C0 controls but tab and newline, lone surrogates, U+FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Sources larger than this are refused before they are read (a commentary is ~50 KB).
MAX_SOURCE_BYTES = 20 * 1024 * 1024
#: A Word package carries its pictures: its own, larger limit (the zip's contents are checked when read).
MAX_DOCX_BYTES = 100 * 1024 * 1024


def detect_form(path: Path, text: str | None) -> str:
    if path.name.endswith(".pubconv.xml"):
        return "xml"
    if path.name.lower().endswith(".docx"):
        return "docx"
    from .authoring import has_front_matter

    return "authoring" if text is not None and has_front_matter(text) else "extracted"


def decode(data: bytes, path: str) -> str:
    """The text of a source, or a PubconvError saying why it is not text."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        encoding = "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    if encoding == "utf-8" and b"\x00" in data[:8192]:
        raise PubconvError("this is binary data, not a text file", SourcePos(path), "binary")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PubconvError(f"not valid {encoding.upper()} text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                           SourcePos(path, line, col), "encoding") from None
    if "\x00" in text:
        raise PubconvError("this is binary data, not a text file", SourcePos(path), "binary")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _NOT_XML.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise PubconvError(f"control character U+{ord(bad.group()):04X} is not allowed in a document",
                           SourcePos(path, line, col), "control-char")
    return text


#: source form -> the reader module; each exposes ``read(source, path, report, base_dir, lang)``,
#: where ``source`` is the decoded text (bytes for ``xml``), and returns the reader's tree.
READERS = {
    "authoring": "pubconv.readers.authoring",
    "extracted": "pubconv.readers.extracted",
    "xml": "pubconv.readers.xml",
    "docx": "pubconv.readers.docx",
}


def _limit(path: str, form: str | None) -> int:
    docx = form == "docx" or (form is None and path.lower().endswith(".docx"))
    return MAX_DOCX_BYTES if docx else MAX_SOURCE_BYTES


def inputs(path: str | Path) -> list[Path]:
    """Files besides the source itself that its reading depends on (a .docx's sidecar ``<stem>.yaml``)."""
    p = Path(path)
    if p.name.lower().endswith(".docx"):
        from .docx import sidecar

        side = sidecar(p)
        return [side] if side is not None else []
    return []


def read_bytes(data: bytes, path: str, report: Report, *, base_dir: Path | None = None, form: str | None = None,
               lang: str = "en", config: "Config | None" = None) -> Document:
    """Read a source given as bytes; ``path`` names it in messages and decides the form.

    The reader's tree goes through the transform stage (``pubconv.transforms``,
    with ``config`` when given) and the schema check before it is returned.
    """
    base = base_dir if base_dir is not None else Path(path).resolve().parent
    limit = _limit(path, form)
    if len(data) > limit:
        raise PubconvError(f"source is {len(data) / 1048576:.1f} MB; the limit is "
                           f"{limit // 1048576} MB", SourcePos(path), "too-large")
    if form is not None and form not in READERS:
        raise PubconvError(f"unknown source form {form!r} (known: {', '.join(FORMS)})", SourcePos(path), "usage")
    name = Path(path).name
    if form is None and (name.endswith(".pubconv.xml") or name.lower().endswith(".docx")):
        form = detect_form(Path(path), None)
    if form in BINARY_FORMS:
        source = data
    else:
        source = decode(data, path)
        if not source.strip():
            raise PubconvError("the file is empty", SourcePos(path, 1, 1), "empty")
        form = form or detect_form(Path(path), source)
    reader = importlib.import_module(READERS[form])
    if form == "extracted" and config is not None:  # the labels a publisher uses settle acronym titles
        doc = reader.read(source, path, report, base, lang, series_labels=tuple(config.data.get("series", {})))
    else:
        doc = reader.read(source, path, report, base, lang)
    transforms.run(doc, report, form=form, config=config)
    document.validate(doc)
    return doc


def read_source(path: str | Path, report: Report, *, form: str | None = None, lang: str = "en",
                config: "Config | None" = None) -> Document:
    """Read a source file; see the module docstring."""
    p = Path(path)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(st.st_mode):  # a device (/dev/zero), a FIFO, a socket: never read
            raise PubconvError("not a regular file; pubconv reads only files", SourcePos(str(path)), "unreadable")
        size = st.st_size
        limit = _limit(str(path), form)
        if size > limit:
            raise PubconvError(f"source is {size / 1048576:.1f} MB; the limit is {limit // 1048576} MB",
                               SourcePos(str(path)), "too-large")
        data = p.read_bytes()
    except IsADirectoryError:
        raise PubconvError("is a folder, not a file", SourcePos(str(path)), "unreadable") from None
    except OSError as exc:
        raise PubconvError(f"cannot read: {exc.strerror or exc}", SourcePos(str(path)), "unreadable") from None
    return read_bytes(data, str(path), report, base_dir=p.resolve().parent, form=form, lang=lang, config=config)

"""Everything that decides a build's bytes, and the build key made of it.

A batch build (``build.py``) skips a source only when nothing that shapes its
outputs has changed since the last build, as Sphinx's environment tracks each
document's dependencies.  This module owns that list:

* the source's bytes, the configuration file in force (``pubconv.toml`` or
  ``pyproject.toml``), the logo it names (by content), the theme's files
  (override folder and default theme), the formats, the options, the form, and
  ``SOURCE_DATE_EPOCH``: :meth:`Inputs.key`;
* for a PDF, the font files fontconfig resolves for the families the theme's
  stylesheets name (libfontconfig, or ``fc-match``; once per process): :func:`font_files`;
* pubconv's version and a digest of its own code, and the versions of the
  libraries that shape the output bytes: :func:`environment`;
* the files the document itself uses (its images), which only reading it
  reveals: :func:`document_resources` lists them after a build, the state file
  keeps their digests, and :func:`changed` tells whether any differs now.

Everything is hashed by content; digests of files that many sources share (the
theme, fonts, pubconv's code) are computed once per process.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import __version__, theme

#: Distributions whose code shapes the output bytes: the PDF stack (WeasyPrint and what it lays out
#: and writes with), the EPUB and JATS stack, the readers, and the templates.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "fonttools", "pyphen", "pillow",
             "ebooklib", "lxml", "jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml")

#: The four faces looked up for each family the theme names.
_STYLES = (":weight=regular:slant=roman", ":weight=bold:slant=roman", ":weight=regular:slant=italic",
           ":weight=bold:slant=italic")


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes (``missing`` when it cannot be read)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return "missing"
    return h.hexdigest()


def _tree_digest(folders: Iterable[Path], suffixes: tuple[str, ...] | None = None) -> str:
    h = hashlib.sha256()
    for folder in folders:
        for f in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts
                        and (suffixes is None or p.suffix in suffixes)):
            h.update(str(f.relative_to(folder)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of pubconv's own code and schema (``*.py``, ``*.rng``): a source checkout changes it with every
    edit.  (The shipped JATS DTDs only validate; they never shape an output.)"""
    return _tree_digest([Path(__file__).resolve().parent], (".py", ".rng"))


@lru_cache(maxsize=1)
def library_versions() -> tuple[tuple[str, str], ...]:
    """``(name, version)`` of each library in :data:`LIBRARIES` (``-`` for one not installed)."""
    found = []
    for name in LIBRARIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "-"))
    return tuple(found)


def environment() -> str:
    """pubconv's version and code, and the versions of the libraries: one line each."""
    lines = [f"pubconv {__version__} {code_digest()}", *(f"{n} {v}" for n, v in library_versions())]
    return "\n".join(lines)


@lru_cache(maxsize=16)
def theme_digest(override: Path | None) -> str:
    """A digest of every theme file on the search path (the override folder first, then the default theme)."""
    return _tree_digest([*theme.search_path("styles", override), *theme.search_path("templates", override)])


_FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)", re.I)


def font_families(css: str) -> tuple[str, ...]:
    """The family names the stylesheet's ``font-family`` declarations list, in order, once each."""
    names: dict[str, None] = {}
    for decl in _FONT_FAMILY.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        for name in decl.split(","):
            name = name.replace("!important", "").strip().strip("'\"").strip()
            if name and not name.startswith(("var(", "inherit", "initial", "unset")):
                names[name] = None
    return tuple(names)


@lru_cache(maxsize=64)
def font_files(families: tuple[str, ...]) -> tuple[str, ...]:
    """The font files fontconfig resolves for each family (regular, bold, italic, bold italic).

    What Pango gives WeasyPrint for these names; a family that is not installed
    resolves to fontconfig's substitute, which is then what the PDF embeds.
    Asked of libfontconfig in this process (microseconds a lookup), else of
    ``fc-match``; with neither the answer is ``("fontconfig not found",)``.
    """
    patterns = [family + style for family in families for style in _STYLES]
    files = _fontconfig_match(patterns)
    if files is None:
        files = _fc_match(patterns)
    if files is None:
        return ("fontconfig not found",)
    return tuple(sorted(set(f for f in files if f)))


def _fontconfig_match(patterns: list[str]) -> list[str] | None:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("fontconfig")
    if name is None:
        return None
    try:
        fc = ctypes.CDLL(name)
    except OSError:
        return None
    vp = ctypes.c_void_p
    fc.FcInitLoadConfigAndFonts.restype = vp
    fc.FcNameParse.restype, fc.FcNameParse.argtypes = vp, [ctypes.c_char_p]
    fc.FcConfigSubstitute.argtypes = [vp, vp, ctypes.c_int]
    fc.FcDefaultSubstitute.argtypes = [vp]
    fc.FcFontMatch.restype, fc.FcFontMatch.argtypes = vp, [vp, vp, ctypes.POINTER(ctypes.c_int)]
    fc.FcPatternGetString.argtypes = [vp, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    fc.FcPatternDestroy.argtypes = [vp]
    fc.FcConfigDestroy.argtypes = [vp]
    config = fc.FcInitLoadConfigAndFonts()
    if not config:
        return None
    files = []
    try:
        for pattern in patterns:
            pat = fc.FcNameParse(pattern.encode())
            if not pat:
                continue
            fc.FcConfigSubstitute(config, pat, 0)  # FcMatchPattern
            fc.FcDefaultSubstitute(pat)
            result = ctypes.c_int()
            match = fc.FcFontMatch(config, pat, ctypes.byref(result))
            fc.FcPatternDestroy(pat)
            if match:
                out = ctypes.c_char_p()
                if fc.FcPatternGetString(match, b"file", 0, ctypes.byref(out)) == 0 and out.value:
                    files.append(os.fsdecode(out.value))
                fc.FcPatternDestroy(match)
    finally:
        fc.FcConfigDestroy(config)
    return files


def _fc_match(patterns: list[str]) -> list[str] | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    files = []
    for pattern in patterns:
        try:
            r = subprocess.run([fc_match, "-f", "%{file}", pattern], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        if r.returncode == 0:
            files.append(r.stdout.strip())
    return files


def installed_fonts() -> str:
    """A digest of every installed font file and version (the PDF's fallbacks for other scripts)."""
    from .writers.pdf import fonts  # fontconfig only: no WeasyPrint

    return fonts.fingerprint()


@lru_cache(maxsize=16)
def fonts_digest(override: Path | None) -> str:
    """A digest of the font files the PDF's stylesheets resolve to (by content), for one theme."""
    css = "\n".join(f.read_text(encoding="utf-8", errors="replace")
                    for folder in theme.search_path("styles", override) for f in sorted(folder.glob("*.css")))
    return families_digest(font_families(css))


def families_digest(families: tuple[str, ...]) -> str:
    """A digest of the font files (paths and bytes) that fontconfig resolves ``families`` to."""
    h = hashlib.sha256()
    for path in font_files(families):
        h.update(path.encode() + b"\0" + file_digest(Path(path)).encode() + b"\0")
    return h.hexdigest()


def document_resources(doc) -> list[Path]:
    """The files a document reads besides its source and configuration: its images (and EPUB cover) that are files."""
    from .document import resolve_resource
    from .errors import PubconvError

    found: dict[Path, None] = {}
    for image in doc.xpath("//p:image | p:meta/p:cover"):
        try:
            path = resolve_resource(image.get("src", ""), doc.base_dir, None, allow_remote=True)
        except PubconvError:
            continue
        if isinstance(path, Path):
            found[path] = None
    return list(found)


def digests(paths: Iterable[Path | str]) -> dict[str, str]:
    """``{path: SHA-256}`` for recording the resources a build used."""
    return {str(p): file_digest(Path(p)) for p in paths}


def changed(recorded: Mapping[str, str]) -> bool:
    """Whether any file recorded by :func:`digests` now has other bytes (or is gone)."""
    return any(file_digest(Path(p)) != digest for p, digest in recorded.items())


class Inputs:
    """Build keys for many sources, with each configuration read once per folder."""

    def __init__(self) -> None:
        from . import config as config_mod

        self._config_mod = config_mod
        self._configs: dict[Path, Any] = {}

    def config(self, source: Path):
        folder = source.resolve().parent
        if folder not in self._configs:
            self._configs[folder] = self._config_mod.for_source(source)
        return self._configs[folder]

    def key(self, source: Path, formats: Iterable[str], options: Mapping[str, Any], form: str | None = None,
            strict: bool = False) -> str:
        """The digest of every input known before reading the document (see the module's docstring).

        Raises :class:`~pubconv.errors.PubconvError` or ``OSError`` when the
        source or its configuration cannot be read: the build reports those.
        """
        cfg = self.config(source)
        formats = tuple(formats)
        override = options.get("theme_dir") or cfg.relative(cfg.get("theme", "dir"))
        override = Path(override) if override is not None else None
        logo = options.get("logo") or cfg.relative(cfg.get("publisher", "logo"))
        from .readers import inputs as source_inputs  # a .docx's sidecar <stem>.yaml decides its metadata

        cover = options.get("cover") or cfg.relative(cfg.get("epub", "cover"))
        parts = [
            environment(),
            source.read_bytes(),
            *(extra.name.encode() + b"\0" + extra.read_bytes() for extra in source_inputs(source)),
            cfg.fingerprint,
            file_digest(Path(logo)) if logo is not None else "",
            file_digest(Path(cover)) if cover is not None and Path(cover).is_file() else "",
            theme_digest(override),
            fonts_digest(override) if "pdf" in formats else "",
            installed_fonts() if "pdf" in formats else "",  # a script's fallback face installed or updated
            ",".join(formats), repr(sorted(options.items())), str(form), str(strict),
            os.environ.get("SOURCE_DATE_EPOCH", ""),
        ]
        h = hashlib.sha256()
        for part in parts:
            h.update(part if isinstance(part, bytes) else part.encode())
            h.update(b"\0")
        return h.hexdigest()

"""Fonts: the theme's text face must be installed, and every character must have a font.

WeasyPrint (Pango) falls back silently: a missing text face becomes DejaVu,
and a character no installed font covers prints as an empty box, with exit 0.
Before a PDF is laid out, :func:`check` asks fontconfig (``fc-list``, cached
for the process) and raises ``missing-font`` naming the face and the Debian
package that provides it, or ``missing-glyph`` naming the character, its source
line and the package to install.  :func:`fingerprint` (the installed font
files) is part of what decides whether a source is rebuilt.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import html as htmllib
import re
import shutil
import subprocess
import unicodedata

from ...document import Document
from ...errors import PubconvError

#: Debian packages of the faces the default theme names.
FACE_PACKAGES = {
    "TeX Gyre Pagella": "fonts-texgyre", "TeX Gyre Termes": "fonts-texgyre", "TeX Gyre Heros": "fonts-texgyre",
    "DejaVu Sans Mono": "fonts-dejavu-core", "DejaVu Serif": "fonts-dejavu-core", "DejaVu Sans": "fonts-dejavu-core",
    "Noto Serif": "fonts-noto-core", "Noto Sans": "fonts-noto-core", "Noto Nastaliq Urdu": "fonts-noto-core",
    "Noto Serif CJK SC": "fonts-noto-cjk", "Noto Color Emoji": "fonts-noto-color-emoji",
}

#: (first, last, script, Debian package with a face for it): which package to name for an uncovered character.
SCRIPT_PACKAGES = [
    (0x0530, 0x058F, "Armenian", "fonts-noto-core"), (0x0590, 0x05FF, "Hebrew", "fonts-noto-core"),
    (0x0600, 0x08FF, "Arabic", "fonts-noto-core"), (0x0900, 0x0DFF, "Indic", "fonts-noto-core"),
    (0x0E00, 0x0EFF, "Thai/Lao", "fonts-noto-core"), (0x0F00, 0x0FFF, "Tibetan", "fonts-noto-extra"),
    (0x1000, 0x109F, "Myanmar", "fonts-noto-core"), (0x10A0, 0x10FF, "Georgian", "fonts-noto-core"),
    (0x1100, 0x11FF, "Hangul", "fonts-noto-cjk"), (0x1200, 0x139F, "Ethiopic", "fonts-noto-core"),
    (0x1780, 0x17FF, "Khmer", "fonts-noto-core"), (0x2600, 0x27BF, "symbols and dingbats", "fonts-noto-color-emoji"),
    (0x2E80, 0x9FFF, "CJK", "fonts-noto-cjk"), (0xAC00, 0xD7AF, "Hangul", "fonts-noto-cjk"),
    (0xF900, 0xFAFF, "CJK", "fonts-noto-cjk"), (0xFB1D, 0xFB4F, "Hebrew", "fonts-noto-core"),
    (0xFB50, 0xFDFF, "Arabic", "fonts-noto-core"), (0xFE70, 0xFEFF, "Arabic", "fonts-noto-core"),
    (0xFF00, 0xFFEF, "CJK", "fonts-noto-cjk"), (0x1F000, 0x1FAFF, "emoji", "fonts-noto-color-emoji"),
    (0x20000, 0x3134F, "CJK", "fonts-noto-cjk"),
]
_FAMILY_DECL = re.compile(r"(?:^|[}\s])html\s*\{[^}]*?font-family:\s*([^;}]+)", re.S)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*font-family:\s*['\"]?([^;'\"}]+)", re.S)


def package_for(cp: int) -> str:
    """The Debian package to name for a character no installed font covers."""
    for first, last, _script, package in SCRIPT_PACKAGES:
        if first <= cp <= last:
            return package
    return "fonts-noto-core"


def _parse_charset(text: str) -> list[tuple[int, int]]:
    ranges = []
    for part in text.split():
        a, _, b = part.partition("-")
        ranges.append((int(a, 16), int(b or a, 16)))
    return ranges


class Coverage:
    """A set of code points as sorted, merged ranges (from fontconfig charsets)."""

    def __init__(self, ranges: list[tuple[int, int]]):
        merged: list[tuple[int, int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        self.ranges = merged
        self.starts = [r[0] for r in merged]

    def __contains__(self, cp: int) -> bool:
        i = bisect.bisect_right(self.starts, cp) - 1
        return i >= 0 and self.ranges[i][0] <= cp <= self.ranges[i][1]


def _fc_list(*args: str) -> str:
    if shutil.which("fc-list") is None:
        return ""
    return subprocess.run(["fc-list", *args], capture_output=True, text=True, check=False).stdout


@functools.lru_cache(maxsize=32)
def face_coverage(family: str) -> Coverage | None:
    """The characters of an installed family (all its styles), or ``None`` if fontconfig does not have it."""
    out = _fc_list(family, "--format", "%{family}\t%{charset}\n")
    ranges = []
    for line in out.splitlines():
        names, _, charset = line.partition("\t")
        if family.lower() in (n.strip().lower() for n in names.split(",")):
            ranges.extend(_parse_charset(charset))
    return Coverage(ranges) if ranges else None


@functools.lru_cache(maxsize=1)
def all_coverage() -> Coverage:
    """The characters of every installed font (what Pango can fall back to)."""
    ranges = []
    for line in _fc_list("--format", "%{charset}\n").splitlines():
        ranges.extend(_parse_charset(line))
    return Coverage(ranges)


@functools.lru_cache(maxsize=1)
@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """The installed font files and versions: a change means PDFs may change (read once per process)."""
    out = _fc_list("--format", "%{file}|%{fontversion}\n")
    return hashlib.sha256("\n".join(sorted(out.splitlines())).encode()).hexdigest()


def text_face(css: str) -> str | None:
    """The first family of the ``html`` rule's ``font-family``: the theme's text face."""
    found = _FAMILY_DECL.findall(css)
    if not found:
        return None
    return found[-1].split(",")[0].strip().strip("'\"")


def _ignorable(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return ch.isspace() or cat in ("Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cs", "Cn") or \
        0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF


def printed_chars(html: str) -> set[str]:
    """The distinct characters of the text of an XHTML document (tags and attributes left out)."""
    chars = set(re.sub(r"<[^>]*>", "", html))
    if "&" in chars:  # entities: the few the serializer writes, and numeric ones
        chars |= set(htmllib.unescape("".join(re.findall(r"&#?\w+;", html))))
    return {ch for ch in chars if not _ignorable(ch)}


def check(doc: Document, html: str, css: str) -> None:
    """Raise ``missing-font`` / ``missing-glyph`` before layout; silent when fontconfig is absent."""
    if shutil.which("fc-list") is None:
        return
    face = text_face(css)
    declared = {f.strip() for f in _FONT_FACE.findall(css)}
    face_cov = face_coverage(face) if face and face not in declared else None
    if face and face not in declared and face_cov is None:
        package = FACE_PACKAGES.get(face)
        how = f"install the Debian package {package}" if package else "install it"
        raise PubconvError(f"the theme's text face {face!r} is not installed ({how}); "
                           "the PDF would silently be set in another font", None, "missing-font")
    chars = printed_chars(html)
    if face_cov is not None:
        chars = {ch for ch in chars if ord(ch) not in face_cov}
    if not chars:
        return
    everything = all_coverage()
    missing = sorted(ch for ch in chars if ord(ch) not in everything)
    if not missing:
        return
    ch = missing[0]
    name = unicodedata.name(ch, "unnamed")
    more = f" (and {len(missing) - 1} more: {' '.join(f'U+{ord(c):04X}' for c in missing[1:6])})" \
        if len(missing) > 1 else ""
    raise PubconvError(f"no installed font has the character {ch!r} U+{ord(ch):04X} {name}{more}; it would print "
                       f"as an empty box: install the Debian package {package_for(ord(ch))}",
                       _position_of(doc, ch), "missing-glyph")


def _position_of(doc: Document, ch: str):
    for el in doc.root.iter():
        if not isinstance(el.tag, str):
            continue
        if ch in (el.text or "") or any(ch in (c.tail or "") for c in el):
            return doc.pos(el)
    return doc.pos(doc.root)

"""Reproducible EPUB containers.

:func:`normalize` rewrites a zip archive (as ebooklib writes it) so that the
same members always give the same bytes: ``mimetype`` first, uncompressed and
without extra fields (OCF 3.3 section 4.3), then ``META-INF/`` and the package
document, then every other member in sorted order; every entry gets the same
timestamp, the same Unix permissions (0644) and the same compression level.

ebooklib stamps each entry with the current time even when its ``mtime``
option is set, and its member order follows insertion order, which is why the
archive is rewritten instead of trusted.
"""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

MIMETYPE = b"application/epub+zip"
#: The earliest time a zip entry can carry (the DOS epoch).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_COMPRESSLEVEL = 9
_PERMISSIONS = 0o100644 << 16  # regular file, rw-r--r--
_UNIX = 3  # "made by" host system; fixed so that the platform does not leak in


def zip_time(when: datetime | None) -> tuple[int, int, int, int, int, int]:
    """A zip timestamp for ``when`` (UTC), clamped to the range zip can store."""
    if when is None:
        return ZIP_EPOCH
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    if when.year < 1980:
        return ZIP_EPOCH
    if when.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    # DOS time stores seconds in steps of two; round down so that reading back gives the same value.
    return (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)


def member_order(names: list[str], opf_path: str | None = None) -> list[str]:
    """``mimetype``, ``META-INF/*`` (container.xml first), the package document, then the rest sorted."""

    def key(name: str) -> tuple[int, str]:
        if name == "mimetype":
            return (0, "")
        if name == "META-INF/container.xml":
            return (1, "")
        if name.startswith("META-INF/"):
            return (2, name)
        if name == opf_path:
            return (3, "")
        return (4, name)

    return sorted(names, key=key)


def write_container(members: dict[str, bytes], when: datetime | None = None, *, opf_path: str | None = None) -> bytes:
    """An EPUB container holding ``members`` (name -> bytes), byte for byte reproducible.

    ``mimetype`` is always written first and stored with the right content,
    whatever ``members`` says about it.
    """
    stamp = zip_time(when)
    buffer = io.BytesIO()
    names = member_order(sorted(set(members) | {"mimetype"}), opf_path)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = _UNIX
            info.external_attr = _PERMISSIONS
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, MIMETYPE)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, members[name], compresslevel=_COMPRESSLEVEL)
    return buffer.getvalue()


def read_members(data: bytes) -> dict[str, bytes]:
    """Every file in a zip archive, by name (directories skipped)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def normalize(data: bytes, when: datetime | None = None, *, opf_path: str | None = None) -> bytes:
    """Rewrite the zip archive ``data`` reproducibly (see the module docstring)."""
    return write_container(read_members(data), when, opf_path=opf_path)


def write_zip(members: dict[str, bytes], when: datetime | None = None) -> bytes:
    """A plain zip archive of ``members`` (name -> bytes), byte for byte reproducible: members in the
    order given, each with the same timestamp, permissions and compression (a deposit package)."""
    stamp = zip_time(when)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = _UNIX
            info.external_attr = _PERMISSIONS
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=_COMPRESSLEVEL)
    return buffer.getvalue()

"""Validation inside the build: the JATS against the JATS 1.3 DTDs shipped in the package.

The DTDs (public domain, NLM) live in ``src/pubconv/schema/jats/`` with a
``catalog.xml``; ``dtd.dtd_for`` maps a DOCTYPE's public identifier to its
file there.  Nothing is fetched from the network.  :func:`check_jats` raises
:class:`~pubconv.errors.PubconvError` (``jats-invalid``) with the line of the
*output* when the JATS is not valid: that is a bug in pubconv or in the
intermediate it was given, never something to ship.

A compiled DTD is kept per thread (lxml validators are not shared between
threads), so a batch pays the ~0.1 s to load it once per worker.
"""
from __future__ import annotations

import threading

from lxml import etree

from ...document import safe_parser
from ...errors import PubconvError, SourcePos
from .dtd import dtd_dir, dtd_for

_local = threading.local()


def _dtd(public_id: str) -> etree.DTD:
    cache = getattr(_local, "dtds", None)
    if cache is None:
        cache = _local.dtds = {}
    if public_id not in cache:
        path = dtd_for(public_id) if public_id else None
        if path is None or not path.is_file():
            raise PubconvError(f"no shipped JATS DTD for {public_id!r} (looked in {dtd_dir()})", None,
                               "jats-no-dtd")
        cache[public_id] = etree.DTD(str(path))
    return cache[public_id]


def jats_errors(data: bytes) -> list[tuple[int, str]]:
    """``(line, message)`` for each DTD validity error of a serialized JATS article ([] when valid)."""
    tree = etree.fromstring(data, safe_parser())
    public_id = tree.getroottree().docinfo.public_id
    dtd = _dtd(public_id)
    if dtd.validate(tree):
        return []
    return [(e.line, e.message) for e in dtd.error_log.filter_from_errors()]


def check_jats(data: bytes, pos: SourcePos | None = None, output: str = "JATS") -> None:
    """Raise ``jats-invalid`` at the output's line when ``data`` is not valid JATS 1.3."""
    errors = jats_errors(data)
    if errors:
        line, message = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        where = pos.path if pos is not None else "<document>"
        raise PubconvError(f"the {output} written for this document is not valid JATS 1.3 at line {line} of the "
                           f"output: {message}{more}", SourcePos(f"{where} -> {output}", line), "jats-invalid")

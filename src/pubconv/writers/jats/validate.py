"""Validation inside the build: the JATS against the JATS 1.3 DTDs shipped in the package.

The DTDs (public domain, NLM) live in ``src/pubconv/schema/jats/`` with a
``catalog.xml``; :func:`dtd_path` maps a DOCTYPE's public identifier to its
file there.  Nothing is fetched from the network.  :func:`check_jats` raises
:class:`~pubconv.errors.PubconvError` (``jats-invalid``) with the line of the
*output* when the JATS is not valid: that is a bug in pubconv or in the
intermediate it was given, never something to ship.

A compiled DTD is kept per thread (lxml validators are not shared between
threads), so a batch pays the ~0.1 s to load it once per worker.
"""
from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from ...errors import PubconvError, SourcePos

#: The folder that holds the shipped DTDs (``catalog.xml``, ``publishing/1.3``, ``archiving/1.3``).
JATS_DIR = Path(__file__).resolve().parent.parent.parent / "schema" / "jats"

#: Public identifier -> DTD file, relative to :data:`JATS_DIR`.
PUBLIC = {
    "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD with MathML3 v1.3 20210610//EN":
        "publishing/1.3/JATS-journalpublishing1-3-mathml3.dtd",
    "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN":
        "publishing/1.3/JATS-journalpublishing1-3.dtd",
    "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD with MathML3 v1.3 20210610//EN":
        "archiving/1.3/JATS-archivearticle1-3-mathml3.dtd",
    "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.3 20210610//EN":
        "archiving/1.3/JATS-archivearticle1-3.dtd",
}

_local = threading.local()


def dtd_path(public_id: str) -> Path | None:
    """The shipped DTD file for a JATS 1.3 public identifier (None if it is not one)."""
    rel = PUBLIC.get(public_id)
    return JATS_DIR / rel if rel else None


def _dtd(public_id: str) -> etree.DTD:
    cache = getattr(_local, "dtds", None)
    if cache is None:
        cache = _local.dtds = {}
    if public_id not in cache:
        path = dtd_path(public_id)
        if path is None or not path.is_file():
            raise PubconvError(f"no shipped JATS DTD for {public_id!r} (looked in {JATS_DIR})", None,
                               "jats-no-dtd")
        cache[public_id] = etree.DTD(str(path))
    return cache[public_id]


def jats_errors(data: bytes) -> list[tuple[int, str]]:
    """``(line, message)`` for each DTD validity error of a serialized JATS article ([] when valid)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.fromstring(data, parser)
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

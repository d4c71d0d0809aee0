"""Fonts embedded in a pubconv PDF carry the build's time, not the clock's.

What this module owns: :func:`stamped`, the scope in which fontTools stamps
the fonts it saves with a given time.

WeasyPrint saves some fonts through fontTools while it writes a PDF: colour
emoji fonts with their images taken out, variable fonts made static, and a
fontTools subset where HarfBuzz cannot subset.  fontTools sets each saved
font's ``head.modified`` to the clock's time (``timeTools.timestampNow``,
unless ``SOURCE_DATE_EPOCH`` is in the environment), so a document with an
emoji gave different PDF bytes on every run.  :func:`stamped` makes fontTools
use the build's time instead (``SOURCE_DATE_EPOCH``, else the document's date,
as the PDF's own dates), in the thread that writes the PDF only: fontTools'
``head`` module looks ``timestampNow`` up as a module global, which is
replaced by a dispatcher while a pubconv write runs and put back after the
last one ends (``swap``, as for WeasyPrint's layout).  Another thread, or anyone else's fontTools call, gets the
clock as before.

Guard: if fontTools' ``head`` table no longer calls ``timestampNow`` when it
is compiled, the dispatcher cannot reach it and :func:`stamped` says so
(``font-timestamp``), rather than let the bytes change without a word.
"""
from __future__ import annotations

import inspect
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache

from .swap import Swap

_local = threading.local()


@lru_cache(maxsize=1)
def _head_swap():
    """The swap of fontTools' ``head`` module's ``timestampNow``, if it still stamps through it; else ``None``."""
    from fontTools.ttLib.tables import _h_e_a_d

    try:
        source = inspect.getsource(_h_e_a_d.table__h_e_a_d.compile)
    except (OSError, TypeError, AttributeError):
        return None
    original = getattr(_h_e_a_d, "timestampNow", None)
    if "timestampNow()" not in source or not callable(original):
        return None

    def dispatch():
        stamp = getattr(_local, "stamp", None)
        return original() if stamp is None else stamp

    return Swap((_h_e_a_d, "timestampNow", dispatch))


def font_time(w3c: str | None) -> int:
    """A W3C date or date-time (UTC) as fontTools' time: seconds since 1904-01-01 (1970 when ``None``)."""
    from fontTools.misc.timeTools import epoch_diff

    when = datetime(1970, 1, 1, tzinfo=timezone.utc)
    if w3c and "T" in w3c:
        when = datetime.fromisoformat(w3c.rstrip("Z")).replace(tzinfo=timezone.utc)
    elif w3c:  # YYYY, YYYY-MM or YYYY-MM-DD
        parts = [int(part) for part in w3c.split("-")] + [1, 1]
        when = datetime(parts[0], parts[1], parts[2], tzinfo=timezone.utc)
    return int(when.timestamp()) - epoch_diff


@contextmanager
def stamped(w3c: str | None):
    """Within this block, fonts that fontTools saves in this thread are stamped ``w3c`` (see the module).

    Yields ``False`` when fontTools cannot be reached this way (see *Guard*), ``True`` otherwise.
    """
    swap = _head_swap()
    if swap is None:
        yield False
        return
    before = getattr(_local, "stamp", None)
    _local.stamp = font_time(w3c)
    try:
        with swap.scope():
            yield True
    finally:
        _local.stamp = before

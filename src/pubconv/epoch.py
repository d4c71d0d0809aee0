"""The build time that ``SOURCE_DATE_EPOCH`` fixes: read and validated in this one place.

Writers stamp outputs with the document's date or this time, never the clock
(reproducible-builds.org).  A value that is not a whole, non-negative number of
seconds within the calendar is an error ``bad-source-date-epoch``.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Mapping

from .errors import PubconvError, SourcePos


def source_date_epoch(environ: Mapping[str, str] | None = None, pos: SourcePos | None = None) -> datetime | None:
    """``SOURCE_DATE_EPOCH`` as an aware UTC datetime, ``None`` when it is unset or empty.

    ``pos`` (usually the document's file) is where an invalid value is reported.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        if not raw.isdigit():
            raise ValueError(raw)
        return datetime.fromtimestamp(int(raw), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise PubconvError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {raw!r}",
                           pos, "bad-source-date-epoch") from None

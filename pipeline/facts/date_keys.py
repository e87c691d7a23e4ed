"""Date keys: ISO ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` as day spans; publication dates as keys.

The facts wing's ``when`` keys are compared as the spans of days they cover;
:mod:`pipeline.facts.dates` reads dates in text, this module reads the keys.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["date_span", "document_date", "is_full_day"]

_ISO = re.compile(r"(\d{4})(?:-|年\s*)(\d{1,2})(?:-|月\s*)(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_FULL_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def document_date(published: str | None) -> str | None:
    """A publication date as ISO ``YYYY-MM-DD`` (ISO, 2022年5月14日, day/month/year) or None."""
    if not published:
        return None
    if m := _ISO.search(published):
        y, mo, d = m.groups()
    elif m := _DMY.search(published):
        d, mo, y = m.groups()
    else:
        return None
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"


def is_full_day(key: str) -> bool:
    """Whether a date key names one day (``YYYY-MM-DD``), not a month or a year."""
    return bool(_FULL_DAY.match(key))


def date_span(key: str) -> tuple[int, int] | None:
    """The first and last day (ordinals) a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` key covers."""
    parts = key.split("-")
    try:
        nums = [int(p) for p in parts]
        if len(nums) == 3:
            day = dt.date(*nums).toordinal()
            return day, day
        if len(nums) == 2:
            first = dt.date(nums[0], nums[1], 1)
            nxt = dt.date(nums[0] + nums[1] // 12, nums[1] % 12 + 1, 1)
            return first.toordinal(), nxt.toordinal() - 1
        if len(nums) == 1 and len(parts[0]) == 4:
            return dt.date(nums[0], 1, 1).toordinal(), dt.date(nums[0], 12, 31).toordinal()
    except ValueError:
        return None
    return None

"""Partial ISO dates (``2025``, ``2025-06``, ``2025-06-27``) and their day bounds."""

import calendar
import datetime as dt
from functools import lru_cache


@lru_cache(maxsize=1 << 14)
def bounds(value: str) -> tuple[str, str]:
    """Return the first and last day covered by a partial ISO date.

    >>> bounds("2025-06")
    ('2025-06-01', '2025-06-30')
    """
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        year = parts[0]
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    if len(parts) == 2:
        year, month = parts
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} out of range")
        last = calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
    if len(parts) == 3:
        day = dt.date(*parts)  # raises ValueError on 2025-02-30
        return day.isoformat(), day.isoformat()
    raise ValueError(f"{value!r} is not a partial ISO date")


@lru_cache(maxsize=1 << 14)
def span_bounds(start: str, end: str | None) -> tuple[str, str]:
    """Return the first and last day of ``start`` .. ``end`` (``end`` optional)."""
    first = bounds(start)[0]
    last = bounds(end or start)[1]
    return first, last

"""Figure values as intervals: combine several, compare two.

A figure's value is ``low``/``high`` with a ``hedge`` (see fixtures/README.md).
An open hedge ("up to", "at least") leaves one bound open: ``null`` with
``open_low`` / ``open_high`` set, never a number the text does not give. A vague
figure ("hundreds", "tens of thousands") gives no bounds at all.

Every request-time aggregate combines values here (a claim's spread in JSON,
CSV and JSON-LD, a metric summary's range, the chart's extent) and every
comparison of two values or dates relates them here (discrepancies, claim
histories), so that hedges keep their meaning everywhere.
"""

from __future__ import annotations

import math
from datetime import date

OPEN_BELOW = frozenset({"up_to", "less_than"})
OPEN_ABOVE = frozenset({"at_least", "more_than"})
APPROXIMATE = frozenset({"about", "about_range"})
VAGUE = "vague"

# Two values "about" the same number are compared with this relative margin.
ABOUT_MARGIN = 0.1

SAME, COMPATIBLE, CONFLICTING = "same", "compatible", "conflicting"


def bounds(value: dict) -> tuple[float, float] | None:
    """Return ``value`` as a closed interval, -inf/+inf where open; None when vague."""
    hedge, low, high = value["hedge"], value["low"], value["high"]
    if hedge == VAGUE or (low is None and high is None):
        return None
    lower = -math.inf if low is None else low
    upper = math.inf if high is None else high
    if hedge in APPROXIMATE:
        lower -= abs(lower) * ABOUT_MARGIN if lower != -math.inf else 0
        upper += abs(upper) * ABOUT_MARGIN if upper != math.inf else 0
    return lower, upper


def combine(values: list[dict]) -> dict:
    """Return the interval that holds every value, keeping open bounds open and vagueness.

    ``low``/``high`` are null where some value is open on that side (``open_low``,
    ``open_high``) or where no value gives a number; ``vague`` says some value gives
    no number; ``approximate`` that some bound is "about".
    """
    lows, highs = [], []
    open_low = open_high = vague = approximate = False
    for value in values:
        hedge = value["hedge"]
        if hedge == VAGUE or (value["low"] is None and value["high"] is None):
            vague = True
            continue
        approximate = approximate or hedge in APPROXIMATE
        if value["low"] is None:
            open_low = True
        else:
            lows.append(value["low"])
        if value["high"] is None:
            open_high = True
        else:
            highs.append(value["high"])
    return {
        "low": None if open_low or not lows else min(lows),
        "high": None if open_high or not highs else max(highs),
        "open_low": open_low,
        "open_high": open_high,
        "vague": vague,
        "approximate": approximate,
    }


STRICT_BELOW = frozenset({"less_than"})
STRICT_ABOVE = frozenset({"more_than"})


def _key(value: dict) -> tuple:
    """The value as a comparable key: a range of one number is that number, exact or about."""
    hedge, low, high = value["hedge"], value["low"], value["high"]
    if low is not None and low == high:
        hedge = {"range": "exact", "about_range": "about"}.get(hedge, hedge)
    return low, high, hedge, value.get("qualifier")


def _disjoint(a: dict, ia: tuple[float, float], b: dict, ib: tuple[float, float]) -> bool:
    """True when no number lies in both intervals ("less than 100" excludes 100, "more than 100" too)."""
    if ia[1] < ib[0] or ib[1] < ia[0]:
        return True
    if ia[1] == ib[0] and (a["hedge"] in STRICT_BELOW or b["hedge"] in STRICT_ABOVE):
        return True
    return ib[1] == ia[0] and (b["hedge"] in STRICT_BELOW or a["hedge"] in STRICT_ABOVE)


def relation(a: dict, b: dict) -> str | None:
    """Say how two values relate: the one rule every comparison of two values follows.

    ``same`` when both give the same number(s) with the same hedge; ``conflicting``
    when no number satisfies both (an "about" value counting with a 10% margin, an
    open bound reaching to infinity, "less than"/"more than" excluding their bound);
    otherwise ``compatible``: one interval holds the other ("82" and "at least 82",
    "110,000" and "about 110,000") or they overlap. None when either is vague: a
    value with no number neither agrees nor disagrees.
    """
    ia, ib = bounds(a), bounds(b)
    if ia is None or ib is None:
        return None
    if _key(a) == _key(b):
        return SAME
    if _disjoint(a, ia, b, ib):
        return CONFLICTING
    return COMPATIBLE


def overall_relation(values: list[dict]) -> str | None:
    """Relate a group of values: conflicting if any pair is, same if all are, else compatible."""
    found = set()
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            rel = relation(a, b)
            if rel == CONFLICTING:
                return CONFLICTING  # the worst pair: no need to look further
            if rel is not None:
                found.add(rel)
    if not found:
        return None
    if CONFLICTING in found:
        return CONFLICTING
    return SAME if found == {SAME} else COMPATIBLE


RAISED, LOWERED, NARROWED, WIDENED, UNCHANGED = "raised", "lowered", "narrowed", "widened", "none"


def change(before: dict, after: dict) -> str | None:
    """Say how ``after`` moved from ``before``, on their intervals (see ``bounds``).

    ``none`` when both give the same number(s) with the same hedge (or equal
    intervals); ``narrowed`` when the new interval lies inside the old one,
    ``widened`` when it holds it ("82" then "at least 82"); otherwise ``raised``
    when no bound fell, ``lowered`` when no bound rose. None when either is vague.
    """
    ia, ib = bounds(before), bounds(after)
    if ia is None or ib is None:
        return None
    if _key(before) == _key(after) or ia == ib:
        return UNCHANGED
    if ia[0] <= ib[0] and ib[1] <= ia[1]:
        return NARROWED
    if ib[0] <= ia[0] and ia[1] <= ib[1]:
        return WIDENED
    return RAISED if ib[0] >= ia[0] else LOWERED


def day_value(first_day: str, last_day: str, qualifier: str | None = None) -> dict:
    """A date given as its first and last day (ISO), as a value: the days it spans, in day numbers.

    A qualifier ("late", "mid") keeps the days of the whole span but makes the value
    a different one: "late April" beside "April" is compatible, not the same.
    """
    low, high = date.fromisoformat(first_day).toordinal(), date.fromisoformat(last_day).toordinal()
    return {"low": low, "high": high, "hedge": "exact" if low == high else "range", "qualifier": qualifier}

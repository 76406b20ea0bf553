"""Figure values as intervals: combine several, compare two.

A figure's value is ``low``/``high`` with a ``hedge`` (see fixtures/README.md).
An open hedge ("up to", "at least") leaves one bound open: ``null`` with
``open_low`` / ``open_high`` set, never a number the text does not give. A vague
figure ("hundreds", "tens of thousands") gives no bounds at all.

Used by the request-time queries (a claim's spread in JSON, CSV and JSON-LD, and
the relation of a discrepancy's versions), so that every aggregate keeps its
hedges the same way; the metric summary shares its open hedges.
"""

from __future__ import annotations

import math

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


def relation(a: dict, b: dict) -> str | None:
    """Say how two values relate: same, compatible (one holds or overlaps the other) or conflicting.

    None when either is vague: a value with no number neither agrees nor disagrees.
    """
    ia, ib = bounds(a), bounds(b)
    if ia is None or ib is None:
        return None
    if (a["low"], a["high"], a["hedge"]) == (b["low"], b["high"], b["hedge"]):
        return SAME
    if ia[1] < ib[0] or ib[1] < ia[0]:
        return CONFLICTING
    return COMPATIBLE


def overall_relation(values: list[dict]) -> str | None:
    """Relate a group of values: conflicting if any pair is, same if all are, else compatible."""
    found = set()
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            rel = relation(a, b)
            if rel is not None:
                found.add(rel)
    if not found:
        return None
    if CONFLICTING in found:
        return CONFLICTING
    return SAME if found == {SAME} else COMPATIBLE

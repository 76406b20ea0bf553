"""Find date expressions in a text and resolve them against a reference date.

``find_dates(text, reference)`` returns each expression ("last November",
"on June 17", "fall 2024", "earlier this year", "in the coming months",
"as early as July or August") with its span and a date spec in the fixtures'
format (start, end, precision, qualifier, phrase, resolved_from, resolution).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from schemas.dates import span_bounds

MONTHS = "January February March April May June July August September October November December".split()
MONTH_NO = {m.lower(): i + 1 for i, m in enumerate(MONTHS)}
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (12, 2)}
COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a": 1, "a few": 3, "several": 3}

M = r"(?:" + "|".join(MONTHS) + r")"
WD = r"(?:" + "|".join(WEEKDAYS) + r")"
SEASON = r"(?:spring|summer|fall|autumn|winter)"
YEAR = r"(?:19|20)\d{2}"
PRE = r"(?:(?P<prep>[Ii]n|[Oo]n|[Bb]y|[Ss]ince|[Dd]uring|[Ww]ithin|[Oo]ver|[Uu]ntil|[Ee]arlier in|[Aa]s early as)\s+)?"
QUAL = r"(?:(?:the\s+)?(?P<qual>[Ee]arly|[Mm]id|[Ll]ate|[Ee]nd of|[Bb]eginning of)[\s-]+)?"

PATTERNS = [
    ("month_or_month", rf"{PRE}{QUAL}(?P<m1>{M})\s+(?:or|and|to|–|-)\s+(?P<m2>{M})(?:,?\s+(?P<y>{YEAR}))?\b"),
    ("month_day", rf"{PRE}(?P<m1>{M})\s+(?P<d>\d{{1,2}})(?:,?\s+(?P<y>{YEAR}))?\b"),
    ("day_month", rf"{PRE}(?P<d>\d{{1,2}})\s+(?P<m1>{M})(?:,?\s+(?P<y>{YEAR}))?\b"),
    ("month", rf"{PRE}{QUAL}(?:(?P<rel>[Ll]ast|[Tt]his|[Nn]ext|[Pp]ast)\s+)?(?P<m1>{M})(?:,?\s+(?P<y>{YEAR}))?\b"),
    ("season", rf"{PRE}{QUAL}(?:(?P<rel>[Ll]ast|[Tt]his|[Nn]ext|[Pp]ast)\s+)?(?P<s>{SEASON})(?:\s+(?P<y>{YEAR}))?\b"),
    ("weekday", rf"{PRE}(?:(?P<rel>[Ll]ast|[Tt]his|[Nn]ext)\s+)?(?P<wd>{WD})\b"),
    (
        "relative",
        r"(?:(?P<prep>[Ii]n|[Oo]ver|[Ww]ithin|[Dd]uring)\s+)?(?:the\s+)?"
        r"(?P<rel>[Ll]ast|[Tt]his|[Nn]ext|[Pp]ast|[Cc]oming|[Pp]revious|[Ee]arlier|[Ll]ater|[Rr]ecent|"
        r"[Ee]arlier this|[Ll]ater this|[Tt]his past)\s+(?P<unit>days?|weeks?|weekend|months?|years?)\b",
    ),
    ("ago", r"(?P<n>\w+|a few)\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b"),
    (
        "within",
        r"(?P<prep>[Ii]n|[Ww]ithin)\s+(?P<n>two|three|four|five|six|seven|ten|\d{1,2})\s+(?P<unit>hours|days|weeks)\b",
    ),
    ("yesterday", r"\b(?P<w>[Yy]esterday|[Tt]oday|[Tt]omorrow|[Tt]onight)\b"),
    ("year", rf"{PRE}{QUAL}(?P<y>{YEAR})\b"),
]
COMPILED = [(name, re.compile(r"\b" + rx)) for name, rx in PATTERNS]


@dataclass
class DateExpr:
    """A date expression: where it is, and what it resolves to (None when it cannot)."""

    start: int
    end: int
    phrase: str
    spec: dict | None
    why: str


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _recent_month(month: int, ref: dt.date, strictly_before: bool) -> int:
    """Return the year of the most recent ``month`` at (or strictly before) the reference month."""
    if month < ref.month or (month == ref.month and not strictly_before):
        return ref.year
    return ref.year - 1


def _qualifier(m: re.Match) -> str | None:
    groups = m.groupdict()
    prep = (groups.get("prep") or "").lower()
    qual = (groups.get("qual") or "").lower()
    if qual in ("early", "beginning of"):
        return "early"
    if qual == "mid":
        return "mid"
    if qual in ("late", "end of"):
        return "late"
    if prep == "by":
        return "by"
    if prep == "as early as":
        return "as-early-as"
    return None


def resolve(
    name: str, m: re.Match, ref: dt.date, assumed: bool, anchor: DateExpr | None = None
) -> tuple[dict | None, str]:
    """Return (date spec, why) for one matched expression."""
    g = m.groupdict()
    phrase = m.group().strip()
    ref_note = f"the reference date {ref.isoformat()}" + (
        " (assumed: see the source's reference_date)" if assumed else ""
    )
    spec = {"start": None, "end": None, "precision": None, "qualifier": _qualifier(m), "phrase": phrase}
    rel = (g.get("rel") or "").lower()
    resolved = None
    year = int(g["y"]) if g.get("y") else None
    if name in ("month_day", "day_month"):
        month, day = MONTH_NO[g["m1"].lower()], int(g["d"])
        if year is None:
            year = _recent_month(month, ref, strictly_before=False)
            resolved = f"'{phrase}' gives no year: the most recent {g['m1']} {day} up to {ref_note}"
        try:
            spec.update(start=dt.date(year, month, day).isoformat(), precision="day")
        except ValueError:
            return None, f"'{phrase}' is not a real day"
    elif name in ("month", "month_or_month"):
        month = MONTH_NO[g["m1"].lower()]
        if year is None:
            year = _recent_month(month, ref, strictly_before=rel in ("last", "past"))
            word = "before" if rel in ("last", "past") else "up to"
            resolved = f"'{phrase}' gives no year: the most recent {g['m1']} {word} {ref_note}"
            if rel == "next":
                year = ref.year if month > ref.month else ref.year + 1
                resolved = f"'{phrase}': the first {g['m1']} after {ref_note}"
        spec.update(start=_ym(year, month), precision="month")
        if name == "month_or_month":
            m2 = MONTH_NO[g["m2"].lower()]
            spec["end"] = _ym(year if m2 >= month else year + 1, m2)
    elif name == "season":
        first, last = SEASONS[g["s"].lower()]
        if year is None:
            ends = {y: dt.date(y + (1 if first == 12 else 0), last, 28) for y in (ref.year - 1, ref.year, ref.year + 1)}
            if rel == "next":
                year = min(y for y in ends if dt.date(y, first, 1) > ref)
            elif rel in ("last", "past"):
                # The most recent season that is over by the reference date.
                year = max(y for y, e in ends.items() if e < ref)
            else:
                year = max(y for y in ends if dt.date(y, first, 1) <= ref)
            resolved = f"'{phrase}': the {g['s']} {'after' if rel == 'next' else 'before'} {ref_note}"
        spec.update(start=_ym(year, first), end=_ym(year + (1 if first == 12 else 0), last), precision="season")
    elif name == "weekday":
        wd = WEEKDAYS.index(g["wd"].rstrip("s").capitalize())
        delta = (ref.weekday() - wd) % 7 or 7
        day = ref - dt.timedelta(days=delta)
        if rel == "next":
            day = ref + dt.timedelta(days=((wd - ref.weekday()) % 7) or 7)
        spec.update(start=day.isoformat(), precision="day")
        resolved = f"'{phrase}': the {g['wd']} {'after' if rel == 'next' else 'before'} {ref_note}"
    elif name == "relative":
        unit = g["unit"].lower().rstrip("s")
        if rel in ("coming", "next") and unit in ("month", "week", "day", "year") and g["unit"].endswith("s"):
            # "the coming months": open-ended from the reference month on.
            spec.update(start=_ym(ref.year, ref.month), precision="month", qualifier="after")
            resolved = f"'{phrase}': the months after {ref_note}; open-ended, so the start is the reference month and qualifier 'after'"
        elif unit == "year":
            y = {"last": ref.year - 1, "past": ref.year - 1, "previous": ref.year - 1, "next": ref.year + 1}.get(
                rel, ref.year
            )
            spec.update(start=str(y), precision="year")
            resolved = f"'{phrase}': the year {y}, from {ref_note}"
        elif unit == "month":
            first = dt.date(ref.year, ref.month, 1)
            if rel in ("last", "past", "previous"):
                first = (first - dt.timedelta(days=1)).replace(day=1)
            elif rel == "next":
                first = (first + dt.timedelta(days=32)).replace(day=1)
            spec.update(start=_ym(first.year, first.month), precision="month")
            resolved = f"'{phrase}': the month {_ym(first.year, first.month)}, from {ref_note}"
        elif unit == "weekend":
            sat = ref - dt.timedelta(days=((ref.weekday() - 5) % 7) or 7)
            if rel == "next":
                sat = ref + dt.timedelta(days=((5 - ref.weekday()) % 7) or 7)
            spec.update(start=sat.isoformat(), end=(sat + dt.timedelta(days=1)).isoformat(), precision="day")
            resolved = f"'{phrase}': the weekend {'after' if rel == 'next' else 'before'} {ref_note}"
        elif unit == "week":
            monday = ref - dt.timedelta(days=ref.weekday())
            if rel in ("last", "past", "previous"):
                monday -= dt.timedelta(days=7)
                end = monday + dt.timedelta(days=6)
            elif rel == "next":
                monday += dt.timedelta(days=7)
                end = monday + dt.timedelta(days=6)
            else:
                end = ref
            spec.update(start=monday.isoformat(), end=end.isoformat(), precision="week")
            resolved = f"'{phrase}': the week of {ref_note}" + (", up to that date" if end == ref else "")
        else:
            return None, f"'{phrase}' is too vague to resolve"
    elif name == "ago":
        n = COUNTS.get(g["n"].lower())
        if n is None:
            if not g["n"].isdigit():
                return None, f"'{phrase}': no count"
            n = int(g["n"])
        unit = g["unit"].lower().rstrip("s")
        if unit == "day":
            day = ref - dt.timedelta(days=n)
            spec.update(start=day.isoformat(), precision="day", qualifier="about")
        elif unit == "week":
            day = ref - dt.timedelta(days=7 * n)
            monday = day - dt.timedelta(days=day.weekday())
            spec.update(
                start=monday.isoformat(),
                end=(monday + dt.timedelta(days=6)).isoformat(),
                precision="week",
                qualifier="about",
            )
        elif unit == "month":
            y, mth = divmod(ref.year * 12 + ref.month - 1 - n, 12)
            spec.update(start=_ym(y, mth + 1), precision="month", qualifier="about")
        else:
            spec.update(start=str(ref.year - n), precision="year", qualifier="about")
        resolved = f"'{phrase}': counted back from {ref_note}"
    elif name == "within":
        n = COUNTS.get(g["n"].lower()) or (int(g["n"]) if g["n"].isdigit() else {"seven": 7, "ten": 10}[g["n"].lower()])
        unit = g["unit"].lower()
        days = n * 7 if unit.startswith("week") else n if unit.startswith("day") else -(-n // 24)
        if anchor is not None:
            # "his second visit in two weeks" after "on June 17": the window before that date.
            a0, a1 = span_bounds(anchor.spec["start"], anchor.spec.get("end"))
            first = dt.date.fromisoformat(a0) - dt.timedelta(days=days)
            if anchor.spec["precision"] == "day":
                last = dt.date.fromisoformat(a0) - dt.timedelta(days=1)
                spec.update(start=first.isoformat(), end=last.isoformat(), precision="day", qualifier="about")
            else:
                spec.update(start=_ym(first.year, first.month), end=anchor.spec["start"], precision="month")
                if spec["end"] == spec["start"]:
                    spec["end"] = None
            resolved = f"'{phrase}' after an ordinal: the {days} days before '{anchor.phrase}'"
        elif g["prep"].lower() == "within":
            # "within 24 hours (of …)": the days just before the reference date.
            first = ref - dt.timedelta(days=days)
            spec.update(start=first.isoformat(), end=ref.isoformat(), precision="day", qualifier="about")
            resolved = f"'{phrase}': the {days} day(s) up to {ref_note}"
        else:
            day = ref + dt.timedelta(days=days)
            spec.update(start=day.isoformat(), precision="day", qualifier="about")
            resolved = f"'{phrase}': {days} days after {ref_note}"
    elif name == "yesterday":
        w = g["w"].lower()
        day = ref + dt.timedelta(days={"yesterday": -1, "tomorrow": 1}.get(w, 0))
        spec.update(start=day.isoformat(), precision="day")
        resolved = f"'{phrase}': counted from {ref_note}"
    elif name == "year":
        spec.update(start=str(year), precision="year")
    if spec["start"] is None:
        return None, f"'{phrase}' not resolved"
    if resolved:
        spec["resolved_from"] = ref.isoformat()
        spec["resolution"] = resolved
        return spec, resolved
    return spec, f"'{phrase}' states the date"


def find_dates(text: str, ref: dt.date, assumed: bool = True) -> list[DateExpr]:
    """Return every date expression in ``text``, longest first where two overlap, in text order."""
    found = []
    for name, rx in COMPILED:
        for m in rx.finditer(text):
            if name == "ago" and m.group("n").lower() not in COUNTS and not m.group("n").isdigit():
                continue
            found.append((m.start(), m.end(), name, m))
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    kept: list[DateExpr] = []
    later = []
    for start, end, name, m in found:
        if any(k.start < end and start < k.end for k in kept):
            continue
        if name == "within" and ORDINAL_BEFORE.search(text[max(0, start - 30) : start]):
            later.append((start, end, name, m))  # resolved against the date of the event it counts
            kept.append(DateExpr(start, end, m.group(), None, ""))
            continue
        spec, why = resolve(name, m, ref, assumed)
        kept.append(DateExpr(start, end, m.group(), spec, why))
    for start, end, name, m in later:
        anchors = [k for k in kept if k.spec and k.end <= start and start - k.end < 150]
        anchor = anchors[-1] if anchors else None
        spec, why = resolve(name, m, ref, assumed, anchor)
        kept = [k for k in kept if k.start != start] + [DateExpr(start, end, m.group(), spec, why)]
    return sorted(kept, key=lambda d: d.start)


ORDINAL_BEFORE = re.compile(r"\b(?:second|third|fourth|fifth|\d+(?:nd|rd|th))\b[\w\s]*$", re.I)

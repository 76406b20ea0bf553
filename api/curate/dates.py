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
# Newsroom abbreviations of a month before a day ("Dec. 23", "Sept 5"), with or without a period.
MONTH_ABBREVIATIONS = "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (12, 2)}
COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a": 1, "a few": 3, "several": 3}

M = r"(?:" + "|".join(MONTHS) + r")"
# A month as written before a day: its name, or an abbreviation with or without its period.
MD = r"(?:" + "|".join(MONTHS) + "|" + "|".join(rf"{a}\b\.?" for a in MONTH_ABBREVIATIONS) + r")"
WD = r"(?:" + "|".join(WEEKDAYS) + r")"
SEASON = r"(?:spring|summer|fall|autumn|winter)"
YEAR = r"(?:19|20)\d{2}"
PRE = r"(?:(?P<prep>[Ii]n|[Oo]n|[Bb]y|[Ss]ince|[Dd]uring|[Ww]ithin|[Oo]ver|[Uu]ntil|[Ee]arlier in|[Aa]s early as)\s+)?"
QUAL = r"(?:(?:the\s+)?(?P<qual>[Ee]arly|[Mm]id|[Ll]ate|[Ee]nd of|[Bb]eginning of)[\s-]+)?"

PATTERNS = [
    ("month_or_month", rf"{PRE}{QUAL}(?P<m1>{M})\s+(?:or|and|to|–|-)\s+(?P<m2>{M})(?:,?\s+(?P<y>{YEAR}))?\b"),
    ("month_day", rf"{PRE}(?P<m1>{MD})\s*(?P<d>\d{{1,2}})(?![\d,.]\d)(?:,?\s+(?P<y>{YEAR}))?\b"),
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


def periods_compatible(a: dict | None, b: dict | None) -> bool:
    """Return whether two date specs overlap (an unknown one agrees with any)."""
    if a is None or b is None:
        return True
    a0, a1 = span_bounds(a["start"], a.get("end"))
    b0, b1 = span_bounds(b["start"], b.get("end"))
    return a0 <= b1 and b0 <= a1


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


def month_no(name: str) -> int:
    """Return the month number of a month's name or newsroom abbreviation ("Dec.", "Sept")."""
    return MONTH_NO[next(m for m in MONTH_NO if m.startswith(name.rstrip(".").lower()[:3]))]


@dataclass
class Ctx:
    """What a rule resolving one matched expression may use."""

    m: re.Match
    g: dict
    phrase: str
    ref: dt.date | None
    ref_note: str
    spec: dict
    rel: str
    year: int | None
    anchor: DateExpr | None = None


def _r_day(c: Ctx):
    """'June 17', 'Dec. 23', '4 June': a day; without a year, the most recent one up to the reference date."""
    month, day = month_no(c.g["m1"]), int(c.g["d"])
    year, resolved = c.year, None
    if year is None:
        year = _recent_month(month, c.ref, strictly_before=False)
        resolved = f"'{c.phrase}' gives no year: the most recent {c.g['m1']} {day} up to {c.ref_note}"
    try:
        c.spec.update(start=dt.date(year, month, day).isoformat(), precision="day")
    except ValueError:
        return None, f"'{c.phrase}' is not a real day"
    return resolved


def _r_month(c: Ctx):
    """'last November', 'July or August': a month; without a year, the most recent one (or the next, after 'next')."""
    month = month_no(c.g["m1"])
    year, resolved = c.year, None
    if year is None:
        year = _recent_month(month, c.ref, strictly_before=c.rel in ("last", "past"))
        word = "before" if c.rel in ("last", "past") else "up to"
        resolved = f"'{c.phrase}' gives no year: the most recent {c.g['m1']} {word} {c.ref_note}"
        if c.rel == "next":
            year = c.ref.year if month > c.ref.month else c.ref.year + 1
            resolved = f"'{c.phrase}': the first {c.g['m1']} after {c.ref_note}"
    c.spec.update(start=_ym(year, month), precision="month")
    if c.g.get("m2"):
        m2 = month_no(c.g["m2"])
        c.spec["end"] = _ym(year if m2 >= month else year + 1, m2)
    return resolved


def _r_season(c: Ctx):
    """'fall 2024', 'last summer': month bounds of a season."""
    first, last = SEASONS[c.g["s"].lower()]
    year, resolved = c.year, None
    if year is None:
        ref = c.ref
        ends = {y: dt.date(y + (1 if first == 12 else 0), last, 28) for y in (ref.year - 1, ref.year, ref.year + 1)}
        if c.rel == "next":
            year = min(y for y in ends if dt.date(y, first, 1) > ref)
        elif c.rel in ("last", "past"):
            # The most recent season that is over by the reference date.
            year = max(y for y, e in ends.items() if e < ref)
        else:
            year = max(y for y in ends if dt.date(y, first, 1) <= ref)
        resolved = f"'{c.phrase}': the {c.g['s']} {'after' if c.rel == 'next' else 'before'} {c.ref_note}"
    c.spec.update(start=_ym(year, first), end=_ym(year + (1 if first == 12 else 0), last), precision="season")
    return resolved


def _r_weekday(c: Ctx):
    """'on Thursday', 'said Tuesday': the most recent such day up to the reference date, that day included.

    Wire copy names the day of publication by its weekday ("said Thursday" in a
    text of Thursday), so a weekday equal to the reference date's is that day.
    """
    wd = WEEKDAYS.index(c.g["wd"].rstrip("s").capitalize())
    day = c.ref - dt.timedelta(days=(c.ref.weekday() - wd) % 7)
    if c.rel == "last":
        day = c.ref - dt.timedelta(days=((c.ref.weekday() - wd) % 7) or 7)
    if c.rel == "next":
        day = c.ref + dt.timedelta(days=((wd - c.ref.weekday()) % 7) or 7)
    c.spec.update(start=day.isoformat(), precision="day")
    when = "after" if c.rel == "next" else "the same day as, or the last before," if day == c.ref else "before"
    return f"'{c.phrase}': the {c.g['wd']} {when} {c.ref_note}"


def _r_relative(c: Ctx):
    """'last month', 'earlier this year', 'the coming months', 'last week': counted from the reference date."""
    ref, rel = c.ref, c.rel
    unit = c.g["unit"].lower().rstrip("s")
    if rel in ("coming", "next") and unit in ("month", "week", "day", "year") and c.g["unit"].endswith("s"):
        # "the coming months": open-ended from the reference month on.
        c.spec.update(start=_ym(ref.year, ref.month), precision="month", qualifier="after")
        return f"'{c.phrase}': the months after {c.ref_note}; open-ended, so the start is the reference month and qualifier 'after'"
    if unit == "year":
        y = {"last": ref.year - 1, "past": ref.year - 1, "previous": ref.year - 1, "next": ref.year + 1}.get(
            rel, ref.year
        )
        c.spec.update(start=str(y), precision="year")
        return f"'{c.phrase}': the year {y}, from {c.ref_note}"
    if unit == "month":
        first = dt.date(ref.year, ref.month, 1)
        if rel in ("last", "past", "previous"):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        elif rel == "next":
            first = (first + dt.timedelta(days=32)).replace(day=1)
        c.spec.update(start=_ym(first.year, first.month), precision="month")
        return f"'{c.phrase}': the month {_ym(first.year, first.month)}, from {c.ref_note}"
    if unit == "weekend":
        sat = ref - dt.timedelta(days=((ref.weekday() - 5) % 7) or 7)
        if rel == "next":
            sat = ref + dt.timedelta(days=((5 - ref.weekday()) % 7) or 7)
        c.spec.update(start=sat.isoformat(), end=(sat + dt.timedelta(days=1)).isoformat(), precision="day")
        return f"'{c.phrase}': the weekend {'after' if rel == 'next' else 'before'} {c.ref_note}"
    if unit == "week":
        monday = ref - dt.timedelta(days=ref.weekday())
        end = ref
        if rel in ("last", "past", "previous"):
            monday -= dt.timedelta(days=7)
            end = monday + dt.timedelta(days=6)
        elif rel == "next":
            monday += dt.timedelta(days=7)
            end = monday + dt.timedelta(days=6)
        c.spec.update(start=monday.isoformat(), end=end.isoformat(), precision="week")
        return f"'{c.phrase}': the week of {c.ref_note}" + (", up to that date" if end == ref else "")
    return None, f"'{c.phrase}' is too vague to resolve"


def _r_ago(c: Ctx):
    """'two weeks ago', 'a few months ago': counted back from the reference date, qualifier about."""
    n = COUNTS.get(c.g["n"].lower())
    if n is None:
        if not c.g["n"].isdigit():
            return None, f"'{c.phrase}': no count"
        n = int(c.g["n"])
    ref, unit = c.ref, c.g["unit"].lower().rstrip("s")
    if unit == "day":
        c.spec.update(start=(ref - dt.timedelta(days=n)).isoformat(), precision="day", qualifier="about")
    elif unit == "week":
        day = ref - dt.timedelta(days=7 * n)
        monday = day - dt.timedelta(days=day.weekday())
        end = (monday + dt.timedelta(days=6)).isoformat()
        c.spec.update(start=monday.isoformat(), end=end, precision="week", qualifier="about")
    elif unit == "month":
        y, mth = divmod(ref.year * 12 + ref.month - 1 - n, 12)
        c.spec.update(start=_ym(y, mth + 1), precision="month", qualifier="about")
    else:
        c.spec.update(start=str(ref.year - n), precision="year", qualifier="about")
    return f"'{c.phrase}': counted back from {c.ref_note}"


def _r_within(c: Ctx):
    """'in two weeks', 'within 24 hours': a window before the reference date, or before an earlier date after an ordinal."""
    g, ref, anchor = c.g, c.ref, c.anchor
    n = COUNTS.get(g["n"].lower()) or (int(g["n"]) if g["n"].isdigit() else {"seven": 7, "ten": 10}[g["n"].lower()])
    unit = g["unit"].lower()
    days = n * 7 if unit.startswith("week") else n if unit.startswith("day") else -(-n // 24)
    if anchor is not None:
        # "his second visit in two weeks" after "on June 17": the window before that date.
        a0, _ = span_bounds(anchor.spec["start"], anchor.spec.get("end"))
        first = dt.date.fromisoformat(a0) - dt.timedelta(days=days)
        if anchor.spec["precision"] == "day":
            last = dt.date.fromisoformat(a0) - dt.timedelta(days=1)
            c.spec.update(start=first.isoformat(), end=last.isoformat(), precision="day", qualifier="about")
        else:
            c.spec.update(start=_ym(first.year, first.month), end=anchor.spec["start"], precision="month")
            if c.spec["end"] == c.spec["start"]:
                c.spec["end"] = None
        return f"'{c.phrase}' after an ordinal: the {days} days before '{anchor.phrase}'"
    if g["prep"].lower() == "within":
        # "within 24 hours (of …)": the days just before the reference date.
        first = ref - dt.timedelta(days=days)
        c.spec.update(start=first.isoformat(), end=ref.isoformat(), precision="day", qualifier="about")
        return f"'{c.phrase}': the {days} day(s) up to {c.ref_note}"
    c.spec.update(start=(ref + dt.timedelta(days=days)).isoformat(), precision="day", qualifier="about")
    return f"'{c.phrase}': {days} days after {c.ref_note}"


def _r_yesterday(c: Ctx):
    """'yesterday', 'today', 'tomorrow': a day from the reference date."""
    w = c.g["w"].lower()
    day = c.ref + dt.timedelta(days={"yesterday": -1, "tomorrow": 1}.get(w, 0))
    c.spec.update(start=day.isoformat(), precision="day")
    return f"'{c.phrase}': counted from {c.ref_note}"


def _r_year(c: Ctx):
    """'2024', 'in early 2025': a year as written."""
    c.spec.update(start=str(c.year), precision="year")


RESOLVERS = {
    "month_or_month": _r_month,
    "month_day": _r_day,
    "day_month": _r_day,
    "month": _r_month,
    "season": _r_season,
    "weekday": _r_weekday,
    "relative": _r_relative,
    "ago": _r_ago,
    "within": _r_within,
    "yesterday": _r_yesterday,
    "year": _r_year,
}
"""The rule that resolves each pattern of PATTERNS (by name)."""

NEEDS_NO_REFERENCE = {"year"}  # and a month or day that states its year


def resolve(
    name: str, m: re.Match, ref: dt.date | None, assumed: bool, anchor: DateExpr | None = None
) -> tuple[dict | None, str]:
    """Return (date spec, why) for one matched expression; None when it cannot be resolved.

    Without a reference date only expressions that state their year resolve.
    """
    g = m.groupdict()
    phrase = m.group().strip()
    year = int(g["y"]) if g.get("y") else None
    if ref is None and name not in NEEDS_NO_REFERENCE and not (year and name in ("month_day", "day_month", "month")):
        if not (name == "within" and anchor is not None):
            return None, f"'{phrase}': no reference date (the text gives no publication date and none was given)"
    ref_note = (
        f"the reference date {ref.isoformat()}" + (" (assumed: see the source's reference_date)" if assumed else "")
        if ref
        else "no reference date"
    )
    spec = {"start": None, "end": None, "precision": None, "qualifier": _qualifier(m), "phrase": phrase}
    c = Ctx(m, g, phrase, ref, ref_note, spec, (g.get("rel") or "").lower(), year, anchor)
    out = RESOLVERS[name](c)
    if isinstance(out, tuple):
        return out
    if spec["start"] is None:
        return None, f"'{phrase}' not resolved"
    if out:
        spec["resolved_from"] = ref.isoformat()
        spec["resolution"] = out
        return spec, out
    return spec, f"'{phrase}' states the date"


@dataclass
class DateMatch:
    """A date expression found in a text, not yet resolved: which pattern matched, and where."""

    start: int
    end: int
    name: str  # the pattern of PATTERNS (and the resolver of RESOLVERS)
    m: re.Match
    counted: bool = False  # "his second visit in two weeks": resolved against the date before it


def match_dates(text: str) -> list[DateMatch]:
    """Return every date expression of ``text``, longest first where two overlap, in text order."""
    found = []
    for name, rx in COMPILED:
        for m in rx.finditer(text):
            if name == "ago" and m.group("n").lower() not in COUNTS and not m.group("n").isdigit():
                continue
            found.append((m.start(), m.end(), name, m))
    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    kept: list[DateMatch] = []
    for start, end, name, m in found:
        if any(k.start < end and start < k.end for k in kept):
            continue
        counted = name == "within" and bool(ORDINAL_BEFORE.search(text[max(0, start - 30) : start]))
        kept.append(DateMatch(start, end, name, m, counted))
    return kept


def resolve_matches(found: list[DateMatch], ref: dt.date | None, assumed: bool = True) -> list[DateExpr]:
    """Resolve found expressions against ``ref``; a counted window against the date just before it."""
    kept = {d.start: DateExpr(d.start, d.end, d.m.group(), None, "") for d in found}
    for d in found:
        if not d.counted:
            spec, why = resolve(d.name, d.m, ref, assumed)
            kept[d.start] = DateExpr(d.start, d.end, d.m.group(), spec, why)
    for d in (d for d in found if d.counted):
        anchors = [k for k in sorted(kept.values(), key=lambda k: k.start) if k.spec and k.end <= d.start]
        anchors = [k for k in anchors if d.start - k.end < 150]
        spec, why = resolve(d.name, d.m, ref, assumed, anchors[-1] if anchors else None)
        kept[d.start] = DateExpr(d.start, d.end, d.m.group(), spec, why)
    return sorted(kept.values(), key=lambda d: d.start)


def find_dates(text: str, ref: dt.date | None, assumed: bool = True) -> list[DateExpr]:
    """Return every date expression in ``text`` resolved against ``ref``, in text order."""
    return resolve_matches(match_dates(text), ref, assumed)


ORDINAL_BEFORE = re.compile(r"\b(?:second|third|fourth|fifth|\d+(?:nd|rd|th))\b[\w\s]*$", re.I)

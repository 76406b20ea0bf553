"""Coverage check: is every number, date and attribution cue in the texts curated or excluded?

``python -m api.builder.coverage`` lists, for each archived document, every numeral,
number word ("30,000", "nine", "second", "triple", "hundreds"), date
expression (month and weekday names, seasons, "last year", "earlier this
week", "two weeks ago") and attribution cue ("said", "according to",
"estimates", "confirmed"…) with its offset, and the record whose quoted span
covers it: a figure, event citation, statement, assessment, source field or
explicit exclusion.  A cue counts as covered only by a figure, event citation,
statement, assessment, stance evidence or exclusion (a record of who said
what); an entity's role or a source's cite does not cover it.  It exits 1 when
any item is uncovered.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from api.builder.fixtures import DEFAULT_FIXTURES_DIR, FixtureError, Fixtures, load, validate
from api.builder.texts import read_text, texts_dir

NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions dozen dozens tens "
    "decade decades first second third fourth fifth sixth seventh eighth ninth tenth "
    "once twice thrice double doubled doubling triple tripled tripling tripled quadruple half"
).split()
MONTHS = "January February March April May June July August September October November December".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

NUMERAL_RE = re.compile(r"\d+(?:[.,]\d+)*")
NUMBER_WORD_RE = re.compile(r"\b(?:" + "|".join(sorted(set(NUMBER_WORDS), key=len, reverse=True)) + r")\b", re.I)
DATE_RES = [
    re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b"),  # case-sensitive: 'may' the verb is not May
    re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")s?\b"),
    re.compile(r"\b(?:spring|summer|autumn|winter|fall)\b", re.I),
    re.compile(r"\b(?:yesterday|today|tomorrow|tonight|weekend|ago)\b", re.I),
    re.compile(
        r"\b(?:last|this|next|past|coming|previous|earlier|later|recent)\s+"
        r"(?:this\s+)?(?:days?|weeks?|weekend|months?|years?|decades?|fall|spring|summer|winter|autumn)\b",
        re.I,
    ),
]


# Words that attribute something to someone. "according to" and "estimate(s)" are
# cues whatever follows; the verbs in any inflection ("warned", "warns", "warning").
ATTRIBUTION_CUES = (
    "according to",
    "said",
    "says",
    "saying",
    "told",
    "tells",
    "warn",
    "warns",
    "warned",
    "warning",
    "estimate",
    "estimates",
    "estimated",
    "confirm",
    "confirms",
    "confirmed",
    "believe",
    "believes",
    "believed",
    "suggest",
    "suggests",
    "suggested",
    "called",
    "calls",
    "cited",
    "citing",
    "cites",
    "report",
    "reports",
    "reported",
    "reportedly",
    "documented",
    "claimed",
    "claims",
    "stated",
    "announced",
    "assessed",
    "assessment",
    "added",
    "noted",
    "urged",
    "pledged",
    "vowed",
    "acknowledged",
    "denied",
)
CUE_RE = re.compile(
    r"\b(?:" + "|".join(sorted(ATTRIBUTION_CUES, key=len, reverse=True)).replace(" ", r"\s+") + r")\b", re.I
)


@dataclass(frozen=True)
class Item:
    """A number or date expression found in a text."""

    kind: str  # "number", "date" or "cue" (an attribution cue)
    start: int
    end: int
    text: str


def find_cues(text: str) -> list[Item]:
    """Return every attribution cue in ``text`` ("said", "according to", "estimates"…), in order."""
    return [Item("cue", m.start(), m.end(), m.group()) for m in CUE_RE.finditer(text)]


def find_items(text: str) -> list[Item]:
    """Return every number and date expression in ``text``, in order."""
    items = {}
    for m in NUMERAL_RE.finditer(text):
        items[(m.start(), m.end())] = Item("number", m.start(), m.end(), m.group())
    for m in NUMBER_WORD_RE.finditer(text):
        items[(m.start(), m.end())] = Item("number", m.start(), m.end(), m.group())
    dates = []
    for rx in DATE_RES:
        dates.extend(Item("date", m.start(), m.end(), m.group()) for m in rx.finditer(text))
    # A longer date phrase ('last year') absorbs a shorter one inside it ('year' is not
    # matched alone, but 'fall' inside 'last fall' is).
    dates.sort(key=lambda i: (i.start, -(i.end - i.start)))
    kept: list[Item] = []
    for item in dates:
        if kept and item.start >= kept[-1].start and item.end <= kept[-1].end:
            continue
        kept.append(item)
    for item in kept:
        items.setdefault((item.start, item.end), item)
    return sorted(items.values(), key=lambda i: (i.start, i.end))


def coverers(fixtures: Fixtures) -> dict[str, list[tuple[int, int, str]]]:
    """Return, per source id, every curated span and what it is."""
    spans: dict[str, list[tuple[int, int, str]]] = {}

    def add(source, span, label):
        if span:
            spans.setdefault(source, []).append((span[0], span[1], label))

    for s in fixtures.data("sources"):
        # The title is not a coverer: a number in a headline is a claim and
        # needs a figure of its own.
        add(s["id"], s["author_span"], "source author")
        if s["published"]:
            add(s["id"], s["published"]["span"], "source published date")
        for cite in s["cites"]:
            add(s["id"], cite["span"], f"source cites {cite['entity']}")
        for ev in s["stance_evidence"]:
            add(s["id"], ev["span"], "source stance evidence")
    for e in fixtures.data("entities"):
        for role in e["roles"]:
            add(role["source"], role["span"], f"entity {e['id']} role")
    for f in fixtures.data("figures"):
        add(f["source"], f["span"], f"figure {f['id']}")
    for ev in fixtures.data("events"):
        for i, cit in enumerate(ev["citations"]):
            add(cit["source"], cit["span"], f"event {ev['id']} citation {i}")
    for st in fixtures.data("statements"):
        add(st["source"], st["span"], f"statement {st['id']}")
    for a in fixtures.data("assessments"):
        add(a["source"], a["span"], f"assessment {a['id']}")
    for x in fixtures.data("exclusions"):
        add(x["source"], x["span"], f"exclusion: {x['reason']}")
    return spans


# What may cover an attribution cue: a record of who said what, or an exclusion.
CUE_COVERERS = ("figure ", "event ", "statement ", "assessment ", "source stance evidence", "exclusion: ")


def coverage(fixtures: Fixtures, texts: Path) -> list[dict]:
    """Return one report row per source: items, covered counts and gaps."""
    spans = coverers(fixtures)
    report = []
    for s in sorted(fixtures.data("sources"), key=lambda d: d["filename"]):
        text = read_text(texts, s["filename"])
        if text is None:
            raise FileNotFoundError(f"{s['filename']} not found in {texts}")
        mine = spans.get(s["id"], [])
        rows = []
        for item in sorted(find_items(text) + find_cues(text), key=lambda i: (i.start, i.end)):
            # Prefer figures and events over exclusions and source fields.
            covering = [
                label
                for a, b, label in mine
                if a <= item.start and item.end <= b and (item.kind != "cue" or label.startswith(CUE_COVERERS))
            ]
            covering.sort(key=lambda lbl: (not lbl.startswith(("figure", "event", "statement", "assessment")), lbl))
            rows.append({"item": item, "covered_by": covering})
        report.append({"source": s, "rows": rows})
    return report


def summary_line(entry: dict) -> str:
    rows = entry["rows"]
    prefix = entry["source"]["filename"][:3]
    parts = []
    for kind, label in (("number", "numbers"), ("date", "dates"), ("cue", "cues")):
        of_kind = [r for r in rows if r["item"].kind == kind]
        covered = sum(1 for r in of_kind if r["covered_by"])
        parts.append(f"{covered}/{len(of_kind)} {label} covered")
    return f"{prefix}: " + ", ".join(parts)


def _context(text: str, item: Item, width: int = 30) -> str:
    left = text[max(0, item.start - width) : item.start].replace("\n", " ")
    right = text[item.end : item.end + width].replace("\n", " ")
    return f"…{left}[{item.text}]{right}…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.builder.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR))
    parser.add_argument("--texts", default=None, help="archived texts (default: $CLAIMBASE_TEXTS or ../shared/seeds)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every item and what covers it")
    parser.add_argument("--source", help="only this source id or filename prefix")
    args = parser.parse_args(argv)
    texts = texts_dir(args.texts)
    fixtures, problems = load(Path(args.fixtures))
    problems += validate(fixtures, texts)
    if problems:
        # Report coverage of what is valid, but the check fails.
        print(f"error: {FixtureError(problems)}", file=sys.stderr)
    report = coverage(fixtures, texts)
    gaps = 0
    for entry in report:
        src = entry["source"]
        if args.source and args.source not in (src["id"], src["filename"][:3]):
            continue
        text = read_text(texts, src["filename"])
        print(summary_line(entry))
        for row in entry["rows"]:
            item = row["item"]
            if not row["covered_by"]:
                gaps += 1
                print(f"  UNCOVERED {item.kind} {item.start}-{item.end} {_context(text, item)}")
            elif args.verbose:
                print(f"  {item.kind} {item.start}-{item.end} {item.text!r}: {row['covered_by'][0]}")
    return 1 if gaps or problems else 0


if __name__ == "__main__":
    sys.exit(main())

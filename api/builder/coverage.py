"""Coverage check: is every number, date and attribution cue in the texts curated or excluded?

``python -m api.builder.coverage`` lists, for each archived document, every numeral,
number word ("30,000", "nine", "second", "triple", "hundreds"), date
expression (month and weekday names, seasons, "last year", "earlier this
week", "two weeks ago") and attribution cue ("said", "according to",
"estimates", "confirmed"…) with its offset, and the record that owns it.  An
item is covered only by a record whose own value, date, cue or exclusion it is,
at that place (:func:`own`): a figure's ``value.text`` and ``period.phrase``,
an event citation's ``date.phrase``, the cue beside whoever a record credits,
a source's publication date, an exclusion's quote.  Lying inside another
record's quote covers nothing.  Words a record owns that cannot be placed in
its quote (absent, or there twice) are reported, not guessed.  It exits 1 on
any gap; ``python -m api.builder --check`` applies the same rule, and the
review page of a draft calls :func:`uncovered`.
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


@dataclass(frozen=True)
class Own:
    """A span a record claims as its own: the number, date or cue it is about, or an exclusion.

    ``kinds`` are the kinds of item the span may cover: a figure's value covers
    numbers, a date phrase dates and the numbers in it ("June 17"), an
    attribution its cues, an exclusion anything it quotes.
    """

    source: str
    start: int
    end: int
    kinds: frozenset[str]
    label: str


NUMBERS = frozenset({"number"})
DATES = frozenset({"date", "number"})
CUES = frozenset({"cue"})
EVERYTHING = frozenset({"number", "date", "cue"})
# Between an attribution's words and its cue: at most this many words, and no
# sentence end ("Western officials estimate", "The NIS has not publicly confirmed").
CUE_GAP_WORDS = 3
GAP_RE = re.compile(r"[^.!?;:\n]*")


@dataclass(frozen=True)
class Ambiguity:
    """A record whose own words cannot be placed: absent from its quote, or there more than once."""

    source: str
    label: str
    field: str
    message: str


def _occurrences(quote: str, phrase: str) -> list[int]:
    found, at = [], quote.find(phrase)
    while at != -1:
        found.append(at)
        at = quote.find(phrase, at + 1)
    return found


def _adjacent(quote: str, start: int, end: int, cue: Item) -> bool:
    """Whether ``cue`` lies inside [start, end) or a few words beside it in the same sentence."""
    if cue.start < end and start < cue.end:
        return True
    gap = quote[end : cue.start] if cue.start >= end else quote[cue.end : start]
    return bool(GAP_RE.fullmatch(gap)) and len(re.findall(r"[\w’'-]+", gap)) <= CUE_GAP_WORDS


class Owner:
    """Derive the spans each record owns inside its quote, noting what cannot be placed."""

    def __init__(self, names: dict[str, list[str]]):
        self.names = names
        self.owned: dict[str, list[Own]] = {}
        self.ambiguities: list[Ambiguity] = []

    def add(self, source: str, start: int, end: int, kinds: frozenset[str], label: str):
        self.owned.setdefault(source, []).append(Own(source, start, end, kinds, label))

    def unplaced(self, source: str, label: str, fld: str, message: str):
        self.ambiguities.append(Ambiguity(source, label, fld, message))

    def phrase(self, rec: dict, label: str, fld: str, phrase: str | None, kinds: frozenset[str]) -> None:
        """Own ``phrase`` where it occurs, once, in the record's quote."""
        if not phrase or not rec.get("span"):
            return
        at = _occurrences(rec["quote"], phrase)
        if len(at) == 1:
            base = rec["span"][0]
            self.add(rec["source"], base + at[0], base + at[0] + len(phrase), kinds, label)
        elif not at:
            self.unplaced(rec["source"], label, fld, f"{phrase!r} is not in the record's quote")
        else:
            self.unplaced(rec["source"], label, fld, f"{phrase!r} occurs {len(at)} times in the record's quote")

    def attribution(
        self,
        rec: dict,
        label: str,
        fld: str,
        as_written: str | None,
        cue: str | None = None,
        parties: tuple[str | None, ...] = (),
    ) -> None:
        """Own the attribution cues of the words that attribute the record ("Western officials estimate").

        The cues are those inside ``as_written`` or a few words beside it, or
        beside a name of one of ``parties`` (the outlet it came through, the
        actors of an event that is itself a saying: "Putin confirmed"), and the
        cue a statement names: where that occurs more than once in the quote,
        the occurrence beside the speaker's words.
        """
        if not rec.get("span"):
            return
        quote, base, source = rec["quote"], rec["span"][0], rec["source"]
        cues = find_cues(quote)
        where = _occurrences(quote, as_written) if as_written else []
        if as_written and len(where) > 1:
            self.unplaced(source, label, fld, f"{as_written!r} occurs {len(where)} times in the record's quote")
        near = []
        if len(where) == 1:
            a, b = where[0], where[0] + len(as_written)
            near = [c for c in cues if _adjacent(quote, a, b, c)]
        for party in filter(None, parties):
            for name in self.names.get(party, ()):
                for m in re.finditer(r"\b" + re.escape(name) + r"\b", quote):
                    near += [c for c in cues if c not in near and _adjacent(quote, m.start(), m.end(), c)]
        if cue is not None:
            named = [(at, at + len(cue)) for at in _occurrences(quote, cue)]
            inside = [c for c in cues if any(a <= c.start and c.end <= b for a, b in named)]
            chosen = [c for c in inside if c in near] or (inside if len({(a, b) for a, b in named}) == 1 else [])
            if not chosen and len(named) > 1:
                self.unplaced(source, label, "cue", f"{cue!r} occurs {len(named)} times in the record's quote")
            near = [c for c in cues if c in near or c in chosen]
        for c in near:
            self.add(source, base + c.start, base + c.end, CUES, label)


def owned_spans(fixtures: Fixtures) -> tuple[dict[str, list[Own]], list[Ambiguity]]:
    """Return, per source id, the spans each record owns, and the records whose own words cannot be placed."""
    kinds = ("sources", "entities", "figures", "events", "statements", "assessments", "exclusions")
    return own({kind: fixtures.data(kind) for kind in kinds})


def own(records: dict[str, list[dict]]) -> tuple[dict[str, list[Own]], list[Ambiguity]]:
    """Return the owned spans of plain records by kind (fixtures or drafts), per source id, and the ambiguities.

    A number, date or cue is covered only by a record whose own value, date,
    cue or exclusion is that item at that place: a figure's ``value.text`` and
    ``period.phrase``, an event citation's ``date.phrase``, the cue of a
    statement and of whoever a figure, citation or assessment attributes, a
    source's publication date, and an exclusion's quote.  Lying inside a
    record's longer quote covers nothing.
    """
    o = Owner({e["id"]: [e["name"], *e.get("aliases", [])] for e in records.get("entities", [])})
    for s in records.get("sources", []):
        if s.get("published") and s["published"].get("span"):
            a, b = s["published"]["span"]
            o.add(s["id"], a, b, DATES, "source published date")
    for f in records.get("figures", []):
        label = f"figure {f.get('id')}"
        o.phrase(f, label, "value.text", f["value"]["text"], NUMBERS)
        o.phrase(f, label, "period.phrase", (f.get("period") or {}).get("phrase"), DATES)
        claimant = f.get("claimant") or {}
        o.attribution(f, label, "claimant.as_written", claimant.get("as_written"), parties=(f.get("via"),))
    for ev in records.get("events", []):
        for i, cit in enumerate(ev.get("citations") or []):
            label = f"event {ev.get('id')} citation {i}"
            o.phrase(cit, label, f"citations.{i}.date.phrase", (cit.get("date") or {}).get("phrase"), DATES)
            attribution = cit.get("attribution") or {}
            parties = (attribution.get("entity"), cit.get("via"), *cit.get("actors", []))
            o.attribution(
                cit, label, f"citations.{i}.attribution.as_written", attribution.get("as_written"), None, parties
            )
    for st in records.get("statements", []):
        # A draft may not have its speaker or cue yet: then it owns nothing of its quote.
        speaker = st.get("speaker") or {}
        o.attribution(st, f"statement {st.get('id')}", "speaker.as_written", speaker.get("as_written"), st.get("cue"))
    for a in records.get("assessments", []):
        o.attribution(a, f"assessment {a.get('id')}", "as_written", a.get("as_written"), parties=(a.get("entity"),))
    for x in records.get("exclusions", []):
        if x.get("span"):
            o.add(x["source"], x["span"][0], x["span"][1], EVERYTHING, f"exclusion: {x['reason']}")
    return o.owned, o.ambiguities


def cover(items: list[Item], owned: list[Own]) -> list[dict]:
    """Return one row per item with the labels of the records that own it (records first, exclusions last)."""
    rows = []
    for item in sorted(items, key=lambda i: (i.start, i.end)):
        covering = sorted(
            {o.label for o in owned if o.start <= item.start and item.end <= o.end and item.kind in o.kinds},
            key=lambda lbl: (lbl.startswith(("exclusion", "source")), lbl),
        )
        rows.append({"item": item, "covered_by": covering})
    return rows


def uncovered(text: str, records: dict[str, list[dict]], source_id: str) -> list[Item]:
    """Return the numbers, dates and cues of one text that no record (fixture or draft) owns."""
    owned, _ = own(records)
    return [
        r["item"] for r in cover(find_items(text) + find_cues(text), owned.get(source_id, [])) if not r["covered_by"]
    ]


def coverage(fixtures: Fixtures, texts: Path) -> list[dict]:
    """Return one report row per source: items, what owns each, and the ambiguities of its records."""
    owned, ambiguities = owned_spans(fixtures)
    report = []
    for s in sorted(fixtures.data("sources"), key=lambda d: d["filename"]):
        text = read_text(texts, s["filename"]) if texts is not None else None
        if text is None:
            # A clone without the archive: nothing to check against, which is not an error.
            report.append({"source": s, "text": None, "rows": [], "ambiguities": []})
            continue
        rows = cover(find_items(text) + find_cues(text), owned.get(s["id"], []))
        mine = [a for a in ambiguities if a.source == s["id"]]
        report.append({"source": s, "text": text, "rows": rows, "ambiguities": mine})
    return report


def gaps(report: list[dict]) -> list[str]:
    """Return one line per uncovered item and per ambiguity of the report (empty when coverage is complete)."""
    lines = []
    for entry in report:
        text, prefix = entry["text"], entry["source"]["filename"][:3]
        for row in entry["rows"]:
            item = row["item"]
            if not row["covered_by"]:
                lines.append(f"{prefix}: UNCOVERED {item.kind} {item.start}-{item.end} {_context(text, item)}")
        for a in entry["ambiguities"]:
            lines.append(f"{prefix}: UNPLACED {a.label}: {a.field}: {a.message}")
    return lines


def absent(report: list[dict]) -> list[str]:
    """Return the filenames of the sources whose archived text is not there to check."""
    return [entry["source"]["filename"] for entry in report if entry["text"] is None]


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
    if not texts.is_dir():
        print(f"notice: texts directory {texts} not found: coverage not checked", file=sys.stderr)
        return 0
    fixtures, problems = load(Path(args.fixtures))
    problems += validate(fixtures, texts)
    if problems:
        # Report coverage of what is valid, but the check fails.
        print(f"error: {FixtureError(problems)}", file=sys.stderr)
    report = [
        e
        for e in coverage(fixtures, texts)
        if not args.source or args.source in (e["source"]["id"], e["source"]["filename"][:3])
    ]
    for name in absent(report):
        print(f"notice: {name} not found in {texts}: its coverage is not checked", file=sys.stderr)
    for entry in report:
        if entry["text"] is None:
            continue
        print(summary_line(entry))
        for line in gaps([entry]):
            print("  " + line.split(": ", 1)[1])
        if args.verbose:
            for row in entry["rows"]:
                if row["covered_by"]:
                    item = row["item"]
                    print(f"  {item.kind} {item.start}-{item.end} {item.text!r}: {row['covered_by'][0]}")
    return 1 if gaps(report) or problems else 0


if __name__ == "__main__":
    sys.exit(main())

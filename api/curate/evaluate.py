"""Leave-one-out score of the drafting: ``python -m api.curate.evaluate``.

Each curated source is drafted with a vocabulary built from the *other*
sources' fixtures only, and the draft is compared with that source's curated
records.  The held-out drafts are written to ``build/draft-eval/<source-id>/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from api.builder.fixtures import DEFAULT_FIXTURES_DIR, ROOT, Fixtures, load
from api.builder.texts import read_text, texts_dir
from api.curate.draft import Drafter, write_draft
from api.curate.metrics import held_out_words
from api.curate.vocab import Vocabulary

DEFAULT_OUT = ROOT / "build" / "draft-eval"
FIGURE_COLUMNS = [  # of the curated figures, those the draft got right
    ("figures", "curated figures"),
    ("value", "value+hedge"),
    ("quote", "quote in span"),
    ("same_quote", "same quote"),
    ("metric", "metric"),
    ("subject", "subject"),
    ("claimant", "claimant"),
    ("claim", "claim key"),
    ("via", "via"),
    ("event", "event"),
]
RECORD_COLUMNS = [  # everything else a curator checks
    ("citations", "known events cited"),
    ("actors", "their actors"),
    ("miscited", "drafted miscited"),
    ("statements", "statements"),
    ("cites", "source cites"),
    ("excluded", "drafted excluded"),
    ("dates", "dates"),
    ("exact", "quotes exact"),
]


@dataclass
class Score:
    """Counts for one source (or the total)."""

    source: str
    counts: dict[str, list[int]] = field(default_factory=dict)  # name -> [right, of]
    seconds: float = 0.0
    chars: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, right: bool):
        c = self.counts.setdefault(name, [0, 0])
        c[0] += int(bool(right))
        c[1] += 1

    def ratio(self, name: str) -> float | None:
        right, of = self.counts.get(name, [0, 0])
        return right / of if of else None


def _locate_value(quote: str, span: list[int], vtext: str) -> tuple[int, int] | None:
    at = quote.find(vtext)
    if at < 0:
        return None
    return span[0] + at, span[0] + at + len(vtext)


def _overlaps(a: tuple[int, int], b: list[int] | tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def compare(
    curated: Fixtures, source: dict, text: str, draft: dict, vocab_claims: dict, known_events: set[str] = frozenset()
) -> Score:
    """Score one held-out draft against the curated records of its source."""
    sid = source["id"]
    score = Score(sid, chars=len(text))
    claims = curated.by_id("claims")
    figs = [f for f in curated.data("figures") if f["source"] == sid]
    dfigs = draft["figures"]
    for f in figs:
        score.add("figures", True)
        where = _locate_value(f["quote"], f["span"], f["value"]["text"])
        cands = [d for d in dfigs if where and _overlaps(where, d["draft"]["at"])]
        d = cands[0] if cands else None
        label = f"{f['id']} ({f['value']['text']!r})"
        if d is None:
            for name in ("value", "quote", "same_quote", "metric", "subject", "claimant", "claim", "via", "event"):
                score.add(name, False)
            score.misses.append(f"{label}: no draft figure")
            continue
        dv, cv = d["value"], f["value"]
        ok = (dv["low"], dv["high"], dv["hedge"], dv["text"]) == (cv["low"], cv["high"], cv["hedge"], cv["text"])
        score.add("value", ok)
        if not ok:
            score.misses.append(f"{label}: value {dv['low']}/{dv['high']}/{dv['hedge']}/{dv['text']!r}")
        inside = d["span"][0] <= f["span"][0] and f["span"][1] <= d["span"][1]
        score.add("quote", inside)
        score.add("same_quote", list(d["span"]) == list(f["span"]))
        if not inside:
            score.misses.append(f"{label}: draft span {d['span']} does not hold the curated quote {f['span']}")
        claim = claims[f["claim"]]
        for name, want, got in (
            ("metric", claim["metric"], d["metric"]),
            ("subject", claim["subject"], d["subject"]),
            ("claimant", (f["claimant"] or {}).get("entity"), (d["claimant"] or {}).get("entity")),
            ("claim", f["claim"], d["claim"] if d["claim"] in vocab_claims or d["claim"] == f["claim"] else None),
            ("via", f["via"], d["via"]),
            ("event", f["event"], d["event"]),
        ):
            score.add(name, want == got)
            if want != got:
                score.misses.append(f"{label}: {name} {got} (curated {want})")
    excl = [x for x in curated.data("exclusions") if x["source"] == sid]
    for d in dfigs:
        if any(x["span"][0] <= d["draft"]["at"][0] and d["draft"]["at"][1] <= x["span"][1] for x in excl):
            score.add("excluded", True)
            score.misses.append(f"draft figure {d['value']['text']!r} is a number curation excluded")
    score.counts.setdefault("excluded", [0, 0])
    # Dates: every curated period and event-citation date, against the draft's
    # resolution of the same phrase.
    drafted_dates = [(d["draft"]["period_at"], d["period"]) for d in dfigs if d["period"]]
    drafted_dates += [
        (e["draft"]["at"], e["citations"][0]["date"]) for e in draft["events"] if e["citations"][0]["date"]
    ]
    curated_dates = [(f["quote"], f["span"], f["period"]) for f in figs if f["period"]]
    for ev in curated.data("events"):
        for c in ev["citations"]:
            if c["source"] == sid and c["date"]:
                curated_dates.append((c["quote"], c["span"], c["date"]))
    for quote, span, spec in curated_dates:
        where = _locate_value(quote, span, spec["phrase"])
        if where is None:  # a phrase that paraphrases ("date 2025-07-02"): look for its last word
            last = spec["phrase"].split()[-1]
            where = _locate_value(quote, span, last)
        if where is None:  # a phrase just outside the quote (its sentence gives the date): the nearest one
            near = [
                (abs(i - span[0]), i)
                for i in range(max(0, span[0] - 300), min(len(text), span[1] + 300))
                if text.startswith(spec["phrase"], i)
            ]
            if near:
                i = min(near)[1]
                where = (i, i + len(spec["phrase"]))
        got = [s for at, s in drafted_dates if where and _overlaps(where, at)]
        want = (spec["start"], spec.get("end"), spec["precision"])
        ok = bool(got) and any((str(g["start"]), g.get("end"), g["precision"]) == want for g in got)
        score.add("dates", ok)
        if not ok:
            have = [(g["start"], g.get("end"), g["precision"]) for g in got]
            score.misses.append(f"date {spec['phrase']!r}: drafted {have or 'nothing'}, curated {want}")
    # Event citations: each curated citation of an event the vocabulary knows, against
    # a drafted citation from an overlapping span that names the same event.
    drafted_cits = [
        (c["span"], e["draft"]["merge_into"] or e["id"], sorted(c["actors"]))
        for e in draft["events"]
        for c in e["citations"]
    ]
    for ev in curated.data("events"):
        if ev["id"] not in known_events:
            continue
        for c in ev["citations"]:
            if c["source"] == sid:
                got_actors = next(
                    (a for span, got, a in drafted_cits if _overlaps(c["span"], span) and got == ev["id"]), None
                )
                ok = got_actors is not None
                score.add("citations", ok)
                if ok:  # and whether that citation names the same actors
                    score.add("actors", sorted(c["actors"]) == got_actors)
                    if sorted(c["actors"]) != got_actors:
                        score.misses.append(
                            f"citation of {ev['id']}: actors {got_actors} (curated {sorted(c['actors'])})"
                        )
                if not ok:
                    score.misses.append(f"citation of {ev['id']} {c['quote'][:60]!r}: not drafted")
    for st in curated.data("statements"):
        if st["source"] == sid:
            ok = any(_overlaps(st["span"], d["span"]) for d in draft["statements"])
            score.add("statements", ok)
            if not ok:
                score.misses.append(f"statement {st['id']} {st['quote'][:60]!r}: no drafted statement")
    drafted_cites = {c["entity"] for c in draft["sources"][0]["cites"]}
    for c in source["cites"]:
        score.add("cites", c["entity"] in drafted_cites)
        if c["entity"] not in drafted_cites:
            score.misses.append(f"source cites {c['entity']} ({c['quote'][:50]!r}): not drafted")
    curated_cits = [
        (c["span"], ev["id"]) for ev in curated.data("events") for c in ev["citations"] if c["source"] == sid
    ]
    for e in draft["events"]:
        known = e["draft"]["merge_into"]
        span = e["citations"][0]["span"]
        if known and not any(_overlaps(span, s) and got == known for s, got in curated_cits):
            score.add("miscited", True)
            score.misses.append(
                f"drafted citation of {known} {e['citations'][0]['quote'][:60]!r}: curation does not cite it"
            )
    score.counts.setdefault("miscited", [0, 0])
    for kind in ("figures", "statements", "exclusions"):
        for r in draft[kind]:
            score.add("exact", text[r["span"][0] : r["span"][1]] == r["quote"])
    for e in draft["events"]:
        for c in e["citations"]:
            score.add("exact", text[c["span"][0] : c["span"][1]] == c["quote"])
    return score


def run(fixtures_dir: Path, texts: Path, out: Path | None, together: list[str] | None = None) -> list[Score]:
    """Draft every curated source from the others' fixtures; return the scores.

    With ``together`` (source ids or file numbers), only those sources are drafted, each from
    the fixtures of the others outside the group: as they stood before any of them was curated.
    """
    curated, problems = load(fixtures_dir)
    group = set()
    for name in together or ():
        ids = [s["id"] for s in curated.data("sources") if name in (s["id"], s["filename"].split("_")[0])]
        if not ids:
            raise SystemExit(f"--together: no curated source {name!r}")
        group.update(ids)
    scores = []
    all_texts = {}
    for source in curated.data("sources"):
        all_texts[source["id"]] = read_text(texts, source["filename"])
        if all_texts[source["id"]] is None:
            raise FileNotFoundError(f"{source['filename']} not found in {texts}")
    for source in sorted(curated.data("sources"), key=lambda s: s["filename"]):
        if group and source["id"] not in group:
            continue
        text = all_texts[source["id"]]
        t0 = time.perf_counter()
        held = group or {source["id"]}
        vocab = Vocabulary.from_fixtures(curated, exclude=held)
        # The metric words only the held-out texts brought (that no other curated text holds) are not known either.
        others = [t for sid, t in all_texts.items() if sid not in held]
        vocab.metrics = held_out_words(vocab.metrics, "\n".join(all_texts[sid] for sid in sorted(held)), others)
        # A text that gives no date of its own is drafted as a curator drafts it: with the
        # reference date passed in (make draft REF=…), here the one its curation settled on.
        ref = source["reference_date"] and dt.date.fromisoformat(str(source["reference_date"]["date"]))
        draft = Drafter(vocab).draft(text, source["filename"], source["id"], ref or None)
        seconds = time.perf_counter() - t0
        if out is not None:
            write_draft(draft, out / source["id"])
        score = compare(curated, source, text, draft, vocab.claims, {e["id"] for e in vocab.events})
        score.seconds = seconds
        scores.append(score)
    return scores


def total(scores: list[Score]) -> Score:
    t = Score("total")
    for s in scores:
        for name, (right, of) in s.counts.items():
            c = t.counts.setdefault(name, [0, 0])
            c[0] += right
            c[1] += of
        t.seconds += s.seconds
        t.chars += s.chars
    return t


def cell(score: Score, name: str) -> str:
    right, of = score.counts.get(name, [0, 0])
    if name in ("figures", "excluded", "miscited"):
        return str(right)
    return f"{right}/{of} {100 * right / of:.0f}%" if of else "-"


def table(scores: list[Score]) -> str:
    """Return the two score tables (figures, then the other records), a row per source and a total."""
    rows = [*scores, total(scores)]
    parts = []
    for columns, extra in ((FIGURE_COLUMNS, []), (RECORD_COLUMNS, ["seconds", "chars"])):
        head = ["source", *[label for _, label in columns], *extra]
        body = [
            [s.source, *[cell(s, n) for n, _ in columns], *([f"{s.seconds:.2f}", str(s.chars)] if extra else [])]
            for s in rows
        ]
        widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [head, *body]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.insert(len(lines) - 1, "  ".join("-" * w for w in widths))
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


TARGETS = [("value", 0.95), ("exact", 1.0), ("metric", 0.80), ("claimant", 0.80), ("claim", 0.70), ("dates", 0.90)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.curate.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR))
    parser.add_argument("--texts", default=None)
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--verbose", "-v", action="store_true", help="list what each draft got wrong")
    parser.add_argument(
        "--together",
        nargs="+",
        metavar="SOURCE",
        help="draft only these sources (ids or file numbers), all held out at once, as before any was curated",
    )
    args = parser.parse_args(argv)
    scores = run(Path(args.fixtures), texts_dir(args.texts), Path(args.out), args.together)
    print(table(scores))
    t = total(scores)
    per_4000 = max(s.seconds / s.chars * 4000 for s in scores)
    print(f"\nslowest draft, scaled to 4,000 characters: {per_4000:.2f} s (target < 2 s)")
    missed = []
    for name, target in TARGETS:
        r = t.ratio(name)
        mark = "ok" if r is not None and r >= target else "BELOW TARGET"
        if mark != "ok":
            missed.append(name)
        print(f"{name:9} {100 * (r or 0):5.1f}%  target {100 * target:.0f}%  {mark}")
    if args.verbose:
        for s in scores:
            print(f"\n{s.source}:")
            for m in s.misses:
                print(f"  {m}")
    print(f"\nheld-out drafts written to {args.out}/<source-id>/")
    return 1 if missed or per_4000 >= 2 else 0


if __name__ == "__main__":
    sys.exit(main())

"""Generate a synthetic dataset of a given size: ``python -m bench.synth OUT``.

It writes real fixture files (JSON Lines, one record per line, the same
formats as ``fixtures/``) and the archived texts they quote, so the result goes
through the normal, fully validated build::

    python -m bench.synth bench/data --figures 1000000
    python -m api.builder --fixtures bench/data/fixtures --texts bench/data/texts --db bench/data/claims.db

The data is deterministic for a seed and shaped like real reporting: a few
metrics and subjects dominate (Zipf), claims repeat across sources, periods
span several years, quotes are sentences of realistic length, and every quote
is verbatim at its span in its source's text.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import itertools
import random
import sys
import time
from pathlib import Path

import orjson

METRICS = [
    ("troops-deployed", "Troops deployed", "troops", "troops"),
    ("troops-additional-planned", "Additional troops planned", "troops", "troops"),
    ("troops-massed", "Troops massed", "troops", "troops"),
    ("troops-killed-or-wounded", "Troops killed or wounded", "troops", "casualties"),
    ("troops-killed", "Troops killed", "troops", "casualties"),
    ("civilians-killed", "Civilians killed", "people", "casualties"),
    ("civilians-wounded", "Civilians wounded", "people", "casualties"),
    ("ballistic-missiles-supplied", "Ballistic missiles supplied", "missiles", "munitions"),
    ("artillery-shells-supplied", "Artillery shells supplied", "shells", "munitions"),
    ("drones-launched", "Drones launched", "drones", "strikes"),
    ("missile-strikes", "Missile strikes", "strikes", "strikes"),
    ("workers-sent", "Workers sent", "people", "personnel"),
    ("sappers-sent", "Sappers sent", "people", "personnel"),
    ("deployment-multiplier", "Deployment multiplier", "times", "ratio"),
    ("recruit-age", "Age of recruits", "years", "demographics"),
]
ENTITY_TYPES = ["country", "person", "organization", "agency", "city", "region", "facility", "weapon", "military-unit"]
WORDS = (
    "officials said the assessment estimates that forces near the front were reported according to "
    "intelligence sources satellite imagery shows additional units arriving in the region over recent weeks "
    "analysts say the figure is plausible but could not be independently verified by reporters"
).split()
HEDGE_WEIGHTS = [
    ("exact", 40),
    ("about", 20),
    ("up_to", 12),
    ("at_least", 8),
    ("more_than", 5),
    ("range", 10),
    ("vague", 5),
]
VERB = {"exact": "", "about": "about ", "up_to": "up to ", "at_least": "at least ", "more_than": "more than "}


def zipf_picker(rng: random.Random, n: int, s: float = 1.1):
    """Return a function that picks 0..n-1 with Zipf-like weights (0 most often)."""
    cumulative = list(itertools.accumulate(1 / (k + 1) ** s for k in range(n)))
    total = cumulative[-1]
    return lambda: min(bisect.bisect_left(cumulative, rng.random() * total), n - 1)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def value_of(rng: random.Random, hedge: str, base: int) -> dict:
    if hedge == "vague":
        return {
            "low": None,
            "high": None,
            "hedge": hedge,
            "text": rng.choice(["hundreds", "thousands", "tens of thousands"]),
        }
    if hedge == "range":
        low = max(1, base - rng.randint(1, 5) * max(1, base // 10))
        return {"low": low, "high": base, "hedge": hedge, "text": f"{low:,}–{base:,}"}
    text = f"{VERB[hedge]}{base:,}"
    low = None if hedge == "up_to" else base
    high = None if hedge in ("at_least", "more_than") else base
    return {"low": low, "high": high, "hedge": hedge, "text": text}


def generate(out: Path, figures: int, sources: int, entities: int, claims: int, events: int, seed: int) -> dict:
    """Write fixtures/ and texts/ under ``out``; return counts."""
    rng = random.Random(seed)
    fixtures, texts = out / "fixtures", out / "texts"
    (fixtures / "figures").mkdir(parents=True, exist_ok=True)
    texts.mkdir(parents=True, exist_ok=True)

    outlets = [f"outlet-{i:03d}" for i in range(20)]
    entity_ids = [f"entity-{i:05d}" for i in range(entities)]
    with open(fixtures / "entities.jsonl", "wb") as fh:
        for i, ident in enumerate(outlets):
            fh.write(
                orjson.dumps(
                    {"id": ident, "name": f"Outlet {i}", "type": "media-outlet", "description": "A synthetic outlet."}
                )
                + b"\n"
            )
        for i, ident in enumerate(entity_ids):
            record = {
                "id": ident,
                "name": f"Entity {i}",
                "type": ENTITY_TYPES[i % len(ENTITY_TYPES)],
                "aliases": [f"E{i}"] if i % 3 == 0 else [],
                "description": f"Synthetic entity number {i}.",
            }
            fh.write(orjson.dumps(record) + b"\n")
    with open(fixtures / "metrics.jsonl", "wb") as fh:
        for ident, label, unit, category in METRICS:
            parent = "troops-killed-or-wounded" if ident == "troops-killed" else None
            fh.write(
                orjson.dumps(
                    {
                        "id": ident,
                        "label": label,
                        "unit": unit,
                        "category": category,
                        "description": label + ".",
                        "parent": parent,
                    }
                )
                + b"\n"
            )

    pick_metric = zipf_picker(rng, len(METRICS), 1.0)
    pick_subject = zipf_picker(rng, entities, 1.2)
    pick_claimant = zipf_picker(rng, entities, 1.0)
    claim_rows = []
    for i in range(claims):
        metric = METRICS[pick_metric()][0]
        subject = entity_ids[pick_subject()]
        claim_rows.append((f"claim-{i:06d}", metric, subject, 10 ** rng.randint(1, 5) * rng.randint(1, 9)))
    with open(fixtures / "claims.jsonl", "wb") as fh:
        for ident, metric, subject, _base in claim_rows:
            fh.write(
                orjson.dumps(
                    {
                        "id": ident,
                        "statement": f"Synthetic claim {ident} about {subject}.",
                        "metric": metric,
                        "subject": subject,
                    }
                )
                + b"\n"
            )

    start_day = dt.date(2022, 1, 1)
    published = []
    for _ in range(sources):
        published.append(None if rng.random() < 0.05 else start_day + dt.timedelta(days=rng.randint(0, 4 * 365)))

    hedges, weights = zip(*HEDGE_WEIGHTS, strict=True)
    pick_claim = zipf_picker(rng, claims, 0.6)
    per_source: list[list[dict]] = [[] for _ in range(sources)]
    for i in range(figures):
        # Every claim appears at least once; the rest repeat across sources.
        claim, metric, subject, base = claim_rows[i if i < claims else pick_claim()]
        hedge = rng.choices(hedges, weights)[0]
        value = value_of(rng, hedge, base)
        s = rng.randrange(sources)
        period = None
        if rng.random() < 0.7:
            month = start_day + dt.timedelta(days=rng.randint(0, 4 * 365))
            period = {"start": f"{month:%Y-%m}", "precision": "month", "phrase": f"in {month:%B %Y}"}
        claimant = None
        if rng.random() < 0.85:
            who = entity_ids[pick_claimant()]
            claimant = {"entity": who, "as_written": f"officials of {who}"}
        quote = f"{sentence(rng, rng.randint(6, 18))} {value['text']} {sentence(rng, rng.randint(6, 18))}."
        per_source[s].append(
            {
                "id": f"fig-{i:07d}",
                "source": f"source-{s:06d}",
                "claim": claim,
                "value": value,
                "period": period,
                "claimant": claimant,
                "via": outlets[i % len(outlets)] if rng.random() < 0.3 else None,
                "quote": quote,
            }
        )

    event_rows = []
    pick_source = zipf_picker(rng, sources, 0.3)
    for i in range(events):
        day = start_day + dt.timedelta(days=rng.randint(0, 4 * 365))
        cited = sorted({pick_source() for _ in range(rng.randint(1, 3))})
        citations = []
        for s in cited:
            citations.append(
                {
                    "source": f"source-{s:06d}",
                    "quote": f"On {day:%B} {day.day}, {sentence(rng, 12)}.",
                    "date": {"start": day.isoformat(), "precision": "day", "phrase": f"On {day:%B} {day.day}"},
                }
            )
        event_rows.append(
            {
                "id": f"event-{i:06d}",
                "type": "statement",
                "title": f"Synthetic event {i}",
                "summary": sentence(rng, 15),
                "status": "occurred",
                "location": entity_ids[pick_subject()],
                "participants": [{"entity": entity_ids[pick_claimant()], "role": "speaker"}],
                "citations": citations,
            }
        )

    # Each source's text is its quotes, one per paragraph; spans are computed here.
    citations_by_source: dict[str, list[dict]] = {}
    for event in event_rows:
        for citation in event["citations"]:
            citations_by_source.setdefault(citation["source"], []).append(citation)
    source_file = open(fixtures / "sources.jsonl", "wb")
    figure_files = [open(fixtures / "figures" / f"part-{k:02d}.jsonl", "wb") for k in range(10)]
    try:
        for s in range(sources):
            ident = f"source-{s:06d}"
            header = f"Synthetic report {s}\n"
            parts, offset = [header], len(header)
            for item in itertools.chain(per_source[s], citations_by_source.get(ident, [])):
                item["span"] = [offset, offset + len(item["quote"])]
                parts.append(item["quote"] + "\n")
                offset += len(item["quote"]) + 1
            text = "".join(parts)
            data = text.encode()
            filename = f"synth-{s:06d}.txt"
            (texts / filename).write_bytes(data)
            day = published[s]
            record = {
                "id": ident,
                "filename": filename,
                "sha256": hashlib.sha256(data).hexdigest(),
                "char_count": len(text),
                "title": header.strip(),
                "title_span": [0, len(header) - 1],
                "outlet": outlets[s % len(outlets)],
                "author": None,
                "published": None
                if day is None
                else {
                    "start": day.isoformat(),
                    "precision": "day",
                    "phrase": day.isoformat(),
                    "quote": header.strip(),
                    "span": [0, len(header) - 1],
                },
                "reference_date": None if day is None else {"date": day.isoformat(), "basis": "the publication date"},
                "language": "en",
                "stance": "reporting" if s % 50 else "skeptical",
                "cites": [],
            }
            source_file.write(orjson.dumps(record) + b"\n")
            out_file = figure_files[s % len(figure_files)]
            for figure in per_source[s]:
                out_file.write(orjson.dumps(figure) + b"\n")
    finally:
        source_file.close()
        for fh in figure_files:
            fh.close()
    with open(fixtures / "events.jsonl", "wb") as fh:
        for event in event_rows:
            fh.write(orjson.dumps(event) + b"\n")
    return {
        "entities": entities + len(outlets),
        "sources": sources,
        "claims": claims,
        "figures": figures,
        "events": events,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write fixtures/ and texts/ into")
    parser.add_argument("--figures", type=int, default=1_000_000)
    parser.add_argument("--sources", type=int, default=20_000)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.claims > args.figures:
        parser.error("--claims cannot exceed --figures (every claim needs a figure)")
    started = time.perf_counter()
    counts = generate(args.out, args.figures, args.sources, args.entities, args.claims, args.events, args.seed)
    took = time.perf_counter() - started
    print(f"wrote {args.out} in {took:.1f}s: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

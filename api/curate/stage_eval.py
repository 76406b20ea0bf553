"""Score each drafting stage's rules against spaCy's pipeline on the curated texts.

``python -m api.curate.stage_eval`` (``make stage-eval``) reads the curated fixtures as the answer
and, per stage, prints what today's rules and the spaCy adapter (``api.curate.nlp``) find:

- sentences: quotes of figures and statements that no one predicted sentence holds (a boundary
  cuts them);
- numbers: curated figure values found (overlapping, and exactly as the value's text), and what
  the other predicted number spans are (inside an exclusion, a curated date, or nothing curated);
- dates: curated period phrases found (overlapping, exactly);
- claimant: for each figure with a claimant entity, whether the words the cue governing its value
  names (inside the figure's quote) name that entity by its name, an alias or as curated.

A third column combines the two where that is one step: the rules' numbers less those inside a
date or time spaCy reads, the rules' dates and the DATE spans they miss, and spaCy's speaker of
the cue the rules choose.

The texts fall in two groups: the story's five (000-004) and the three the assistant was
developed on (005-007, whose drafts before curation are in curation/drafts-before/); the latter
is a development score. The rules are called through their modules' public finders only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import yaml

from api.builder.fixtures import DEFAULT_FIXTURES_DIR, ROOT, Fixtures, load
from api.builder.texts import read_text, texts_dir
from api.curate import attribution, dates, nlp, values
from api.curate import vocab as vocab_rules

DRAFTS_BEFORE = ROOT / "curation" / "drafts-before"
RULE_MODULES = ("attribution", "dates", "values", "vocab")
METHODS = ("rules", "spacy")
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "his", "her", "their", "its"}


@dataclass
class Gold:
    """What the curation of one text says each stage should find."""

    quotes: list[tuple[int, int]] = field(default_factory=list)  # figures' and statements' quotes
    values: list[tuple[int, int]] = field(default_factory=list)  # figures' value.text, located in the quote
    exclusions: list[tuple[int, int]] = field(default_factory=list)
    periods: list[tuple[int, int]] = field(default_factory=list)  # figures' period phrases, located
    claimants: list[dict] = field(default_factory=list)  # value span, quote span, entity, as written
    ambiguous: int = 0  # value texts or phrases found more than once in their quote (first one taken)


def _locate(text: str, quote_span: list[int], phrase: str, gold: Gold) -> tuple[int, int] | None:
    a, b = quote_span
    quote = text[a:b]
    at = quote.find(phrase)
    if at < 0:
        return None
    if quote.find(phrase, at + 1) >= 0:
        gold.ambiguous += 1
    return a + at, a + at + len(phrase)


def gold_of(fx: Fixtures, source_id: str, text: str) -> Gold:
    """Return the curated answer for one source, spans derived where a record stores only text."""
    g = Gold()
    for f in fx.data("figures"):
        if f["source"] != source_id:
            continue
        g.quotes.append(tuple(f["span"]))
        v = _locate(text, f["span"], f["value"]["text"], g)
        if v:
            g.values.append(v)
        if f["period"] and f["period"].get("phrase"):
            p = _locate(text, f["span"], f["period"]["phrase"], g)
            if p:
                g.periods.append(p)
        if v and f["claimant"] and f["claimant"].get("entity"):
            g.claimants.append({"value": v, "quote": tuple(f["span"]), **f["claimant"]})
    g.quotes += [tuple(s["span"]) for s in fx.data("statements") if s["source"] == source_id]
    g.exclusions = [tuple(e["span"]) for e in fx.data("exclusions") if e["source"] == source_id]
    g.quotes, g.values, g.periods = (sorted(set(x)) for x in (g.quotes, g.values, g.periods))
    return g


def _overlaps(a: tuple[int, int], spans) -> bool:
    return any(a[0] < s[1] and s[0] < a[1] for s in spans)


def _names(phrase: str | None, entity: dict, as_written: str | None) -> bool:
    """Say whether ``phrase`` names ``entity``: its name, an alias, or the curated words."""
    if not phrase:
        return False
    norm = lambda s: re.sub(r"\s+", " ", s.replace("’", "'")).strip().lower()  # noqa: E731
    p = norm(phrase)
    if p in PRONOUNS:
        return False
    names = [entity["name"], *(entity.get("aliases") or [])] + ([as_written] if as_written else [])
    return any(re.search(r"(?<!\w)" + re.escape(norm(n)) + r"(?!\w)", p) for n in names if n) or (
        as_written is not None and len(p) > 3 and p in norm(as_written)
    )


@dataclass
class Rules:
    """The rule modules to score: today's, or those of an earlier commit (``rules_at``)."""

    attribution: ModuleType = attribution
    dates: ModuleType = dates
    values: ModuleType = values
    vocab: ModuleType = vocab_rules
    label: str = "today"


def rules_at(commit: str) -> Rules:
    """Return the rule modules as they were at ``commit`` (to score rules on texts they had not seen).

    Their files are taken from git into a scratch package ``rules_then``, imports rewritten to it.
    """
    archive = subprocess.run(["git", "archive", commit, "api/curate"], cwd=ROOT, capture_output=True, check=True)
    with tempfile.TemporaryDirectory(prefix="stage-eval-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(scratch, filter="data")
        package = Path(scratch) / "rules_then"
        (Path(scratch) / "api" / "curate").rename(package)
        for path in package.glob("*.py"):
            path.write_text(re.sub(r"\bapi\.curate\b", "rules_then", path.read_text("utf-8")), "utf-8")
        for name in [m for m in sys.modules if m == "rules_then" or m.startswith("rules_then.")]:
            del sys.modules[name]  # another commit's rules, imported before
        sys.path.insert(0, scratch)
        try:
            modules = {name: importlib.import_module(f"rules_then.{name}") for name in RULE_MODULES}
        finally:
            sys.path.remove(scratch)
    return Rules(**modules, label=commit)


# ---- the stages, each as the rules and as spaCy ------------------------------------------------
def rule_dates(rules: Rules, text: str, ref: dt.date | None) -> list[tuple[int, int]]:
    return [(d.start, d.end) for d in rules.dates.find_dates(text, ref)]


def rule_numbers(rules: Rules, text: str, ref: dt.date | None) -> list[tuple[int, int]]:
    return [(v.start, v.end) for v in rules.values.find_values(text, rule_dates(rules, text, ref))]


def spacy_numbers(text: str) -> list[tuple[int, int]]:
    return [(n["start"], n["end"]) for n in nlp.number_spans(text)]


def spacy_dates(text: str) -> list[tuple[int, int]]:
    return [(d["start"], d["end"]) for d in nlp.date_spans(text)]


def _pick(cues: list[dict], value: tuple[int, int]) -> dict | None:
    """Choose the cue that governs a value, in the order the rules use (attribution.claimant_for)."""
    after_np = [c for c in cues if c["kind"] == "after" and c["cue_start"] >= value[1]]
    before = [c for c in cues if c["cue_end"] <= value[0] and not (c["start"] or 0) <= value[0] < (c["end"] or 0)]
    post = [c for c in cues if c["cue_start"] >= value[1]]
    return after_np[0] if after_np else before[-1] if before else post[0] if post else None


def rule_claimant(rules: Rules, text: str, claim: dict, vocab, outlets: set[str]):
    """Return the attribution the rules choose for one curated figure's value, or None."""
    sent = claim["quote"]
    atts = rules.attribution.attributions(text, sent, vocab)
    chosen, _ = rules.attribution.claimant_for(text, sent, atts, claim["value"][0], claim["value"][1], outlets)
    return chosen


def combined_claimant(text: str, chosen) -> str | None:
    """Return spaCy's speaker of the cue the rules chose."""
    found = chosen and nlp.speaker_at(text, chosen.cue_start, chosen.cue_end)
    return found["text"] if found else None


def spacy_claimant(text: str, claim: dict) -> str | None:
    a, b = claim["quote"]
    cues = [c for c in nlp.reporting_subjects(text) if a <= c["cue_start"] < b and c["text"]]
    chosen = _pick(cues, claim["value"])
    return chosen["text"] if chosen else None


# ---- scoring ---------------------------------------------------------------------------------
def score_text(fx: Fixtures, source: dict, text: str, rules: Rules) -> dict:
    """Return the counts of every stage for one text, both methods, with their times."""
    g = gold_of(fx, source["id"], text)
    ref = source["reference_date"] and dt.date.fromisoformat(str(source["reference_date"]["date"]))
    entities = fx.by_id("entities")
    vocab = rules.vocab.Vocabulary.from_fixtures(fx, exclude=source["id"])
    c: Counter = Counter(quotes=len(g.quotes), values=len(g.values), periods=len(g.periods))
    c["claimants"], c["ambiguous"] = len(g.claimants), g.ambiguous
    t: Counter = Counter()

    nlp.parse.cache_clear()
    t0 = time.perf_counter()
    nlp.parse(text)
    t["spacy parse"] = time.perf_counter() - t0

    def timed(name, fn, *args):
        t0 = time.perf_counter()
        out = fn(*args)
        t[name] += time.perf_counter() - t0
        return out

    sents = {"rules": timed("rules sentences", rules.attribution.sentences, text)}
    sents["spacy"] = timed("spacy sentences", nlp.sentences, text)
    numbers = {
        "rules": timed("rules numbers", rule_numbers, rules, text, ref),
        "spacy": timed("spacy numbers", spacy_numbers, text),
    }
    found_dates = {
        "rules": timed("rules dates", rule_dates, rules, text, ref),
        "spacy": timed("spacy dates", spacy_dates, text),
    }
    # Combined: the rules' numbers less those inside a date or time spaCy reads; the rules' dates
    # and the DATE spans of spaCy's they miss.
    not_counts = [(e["start"], e["end"]) for e in nlp.entities(text) if e["label"] in ("DATE", "TIME")]
    numbers["combined"] = [n for n in numbers["rules"] if not any(a <= n[0] and n[1] <= b for a, b in not_counts)]
    found_dates["combined"] = found_dates["rules"] + [
        d for d in found_dates["spacy"] if not _overlaps(d, found_dates["rules"])
    ]
    for m in METHODS:
        c[f"{m} sentences"] = len(sents[m])
        c[f"{m} quotes split"] = sum(not any(a <= q[0] and q[1] <= b for a, b in sents[m]) for q in g.quotes)
    for m in (*METHODS, "combined"):
        c[f"{m} values found"] = sum(_overlaps(v, numbers[m]) for v in g.values)
        c[f"{m} values exact"] = sum(v in numbers[m] for v in g.values)
        for n in numbers[m]:
            kind = (
                "figure"
                if _overlaps(n, g.values)
                else "date"
                if _overlaps(n, g.periods)
                else "excluded"
                if _overlaps(n, g.exclusions)
                else "uncurated"
            )
            c[f"{m} numbers {kind}"] += 1
        c[f"{m} numbers"] = len(numbers[m])
        c[f"{m} periods found"] = sum(_overlaps(p, found_dates[m]) for p in g.periods)
        c[f"{m} periods exact"] = sum(p in found_dates[m] for p in g.periods)
        c[f"{m} dates"] = len(found_dates[m])
    outlets = {e for e, d in vocab.entities.items() if d["type"] == "media-outlet"}
    for claim in g.claimants:
        entity = entities[claim["entity"]]
        chosen = timed("rules claimant", rule_claimant, rules, text, claim, vocab, outlets)
        c["rules claimant named"] += _names(chosen and chosen.as_written, entity, claim.get("as_written"))
        c["rules claimant entity"] += bool(chosen) and chosen.entity == claim["entity"]
        words = combined_claimant(text, chosen)
        c["combined claimant named"] += _names(words, entity, claim.get("as_written"))
        words = timed("spacy claimant", spacy_claimant, text, claim)
        c["spacy claimant named"] += _names(words, entity, claim.get("as_written"))
    return {"counts": c, "times": t}


def drafts_before(fx: Fixtures, texts: Path, directory: Path = DRAFTS_BEFORE) -> Counter:
    """Count the figures drafted before curation (005-007) that are, and are not, curated values."""
    by_file = {s["filename"]: s for s in fx.data("sources")}
    c: Counter = Counter()
    for sources in sorted(directory.glob("*/sources.yaml")):
        for draft_source in yaml.safe_load(sources.read_text(encoding="utf-8")) or []:
            source = by_file.get(draft_source["filename"])
            text = source and read_text(texts, source["filename"])
            if text is None:
                continue
            g = gold_of(fx, source["id"], text)
            for path in (sources.parent / "figures").glob("*.yaml"):
                for f in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
                    at = tuple(f["draft"]["at"])
                    c["drafted"] += 1
                    c["curated value"] += _overlaps(at, g.values)
    return c


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f}%)" if d else "-"


def _rows(c: Counter) -> list[tuple[str, str, str, str]]:
    """Return (measure, rules, spacy, combined) for one group's counts."""
    rows = []

    def add(label, fmt, methods=(*METHODS, "combined")):
        rows.append((label, *(fmt(m) if m in methods else "" for m in (*METHODS, "combined"))))

    add("sentences predicted", lambda m: str(c[f"{m} sentences"]), METHODS)
    add("quotes cut by a boundary (lower is better)", lambda m: _pct(c[f"{m} quotes split"], c["quotes"]), METHODS)
    add("figure values found (overlap)", lambda m: _pct(c[f"{m} values found"], c["values"]))
    add("figure values exact (with hedge words)", lambda m: _pct(c[f"{m} values exact"], c["values"]))
    add("number spans predicted", lambda m: str(c[f"{m} numbers"]))
    for kind, label in (("figure", "a figure"), ("excluded", "an exclusion"), ("date", "a period"), ("uncurated", "")):
        label = f"  … on {label}" if label else "  … on nothing curated"
        add(label, lambda m, k=kind: str(c[f"{m} numbers {k}"]))
    add("period phrases found (overlap)", lambda m: _pct(c[f"{m} periods found"], c["periods"]))
    add("period phrases exact", lambda m: _pct(c[f"{m} periods exact"], c["periods"]))
    add("date spans predicted", lambda m: str(c[f"{m} dates"]))
    add("claimant named by the cue's speaker", lambda m: _pct(c[f"{m} claimant named"], c["claimants"]))
    add("  entity linked right", lambda m: _pct(c["rules claimant entity"], c["claimants"]), ("rules",))
    return rows


def report(groups: dict[str, Counter], times: dict[str, Counter], load_s: float, before: Counter, label: str) -> str:
    """Return the per-stage table: one line per measure, a column per method, a block per group."""
    line = lambda a, *cols: f"{a:<44}" + "".join(f"{x:>16}" for x in cols)  # noqa: E731
    lines = [f"rules: {label}; spaCy pipeline load: {load_s:.2f} s (once per process)"]
    for name, c in groups.items():
        lines += ["", f"== {name}", line("stage", "rules", "spacy", "combined")]
        lines += [line(*row) for row in _rows(c)]
        if c["ambiguous"]:
            lines.append(f"  {c['ambiguous']} value or period texts occur twice in their quote: the first was taken")
    lines += ["", line("time per text, ms (spacy: parse + stages)", "rules", "spacy")]
    for text, t in times.items():
        rules = sum(v for k, v in t.items() if k.startswith("rules"))
        spacy = sum(v for k, v in t.items() if k.startswith("spacy"))
        lines.append(
            line(
                text, f"{rules * 1000:.0f}", f"{t['spacy parse'] * 1000:.0f} + {(spacy - t['spacy parse']) * 1000:.0f}"
            )
        )
    if before:
        lines += [
            "",
            f"drafts before curation (005-007): {before['drafted']} figures drafted, "
            f"{before['curated value']} on a curated figure value",
        ]
    return "\n".join(lines)


def run(fixtures_dir: Path, texts: Path, rules: Rules | None = None) -> str:
    """Score every curated text with its archive present; return the report."""
    fx, problems = load(fixtures_dir)
    if problems:
        raise SystemExit("\n".join(str(p) for p in problems))
    t0 = time.perf_counter()
    nlp.pipeline()
    load_s = time.perf_counter() - t0
    groups: dict[str, Counter] = {}
    total: Counter = Counter()
    times: dict[str, Counter] = {}
    for source in sorted(fx.data("sources"), key=lambda s: s["filename"]):
        text = read_text(texts, source["filename"])
        if text is None:
            continue
        scored = score_text(fx, source, text, rules or Rules())
        group = (
            "texts 005-007 (today's rules were mended on them)"
            if source["filename"] >= "005"
            else "texts 000-004 (the story)"
        )
        groups.setdefault(group, Counter()).update(scored["counts"])
        total.update(scored["counts"])
        times[source["filename"][:3]] = scored["times"]
    groups["all eight"] = total
    return report(groups, times, load_s, drafts_before(fx, texts), (rules or Rules()).label)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR))
    parser.add_argument("--texts", default=None)
    parser.add_argument("--rules-at", metavar="COMMIT", help="score the rules as they were at this commit")
    args = parser.parse_args(argv)
    rules = rules_at(args.rules_at) if args.rules_at else Rules()
    print(run(Path(args.fixtures), texts_dir(args.texts), rules))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

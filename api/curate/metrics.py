"""File a number under a metric by the words next to it, or propose a new metric.

Each metric of ``fixtures/metrics.yaml`` lists ``words`` (the general terms
that name what it counts: "killed", "casualties", "dispatched") and may list
``requires`` (terms of which one must stand next to the number as well:
"civilians", "missiles").  The words next to a number are those of its
stretch of the clause: from the previous number or clause break to the next
one.  Longer terms win over the shorter ones they contain ("killed and
wounded" over "killed"; "preparing to send" over "send").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")
# A clause break the words of one number do not cross.
BREAK_RE = re.compile(r"[,;:()“”\"—–]|\s-\s|\bwhile\b|\bwhich\b|\bwho\b|\bwith\b")
# Counted things a proposed metric is named after ("troops-injured").
COUNTED = {
    "troops": "troops",
    "soldiers": "troops",
    "forces": "troops",
    "servicemen": "troops",
    "personnel": "troops",
    "fighters": "troops",
    "civilians": "people",
    "people": "people",
    "residents": "people",
}
NUMBER_OF_RE = re.compile(
    r"\bnumber of\s+(.+?)(?:\s+(?:is|are|was|were|has|have|had|rose|reached|stood|stands|could|may|will)\b|$)", re.I
)
PAST_RE = re.compile(r"[a-z]+ed|sent|brought|went|came")  # a sending that is done, not planned
GAP_TOKEN = "xgapx"
GAP = f" {GAP_TOKEN} "  # stands for the number (or a cut) so that no term spans it
REPORTING = {"reported", "expected", "estimated", "added", "noted", "confirmed", "claimed", "stated", "presumed"}
STOP = set("a an the of to in on at by for from and or but as is are was were be been has have had that this".split())


def metric_words(metrics: dict[str, dict]) -> set[str]:
    """Return every single word of every metric's terms."""
    return {t for m in metrics.values() for term in m.get("words") or () for t in tokens(term)}


def tokens(text: str) -> list[str]:
    """Return the lower-case word tokens of ``text`` (punctuation dropped)."""
    return TOKEN_RE.findall(text.lower().replace("’", "'"))


@dataclass
class Fit:
    """A metric the words next to a number name, and the words that named it."""

    metric: str
    words: list[str]
    required: list[str]
    score: float
    distance: int = 0  # words between the number and the nearest of its words
    as_written: list[str] = field(default_factory=list)  # the words of the text that matched


def window(
    text: str, lo: int, hi: int, a: int, b: int, others: list[tuple[int, int]], joined: set[str] = frozenset()
) -> tuple[int, int]:
    """Return the stretch of ``text[lo:hi]`` that speaks of the number at ``[a, b)``.

    It runs from the last clause break or other number before the number to
    the first one after it.  A comma between two of the ``joined`` words
    ("killed, wounded") lists them and is no break.
    """
    start, end = lo, hi
    for m in BREAK_RE.finditer(text, lo, hi):
        if m.group() in '“”"' and (m.end() == a or m.start() == b):
            continue  # quotation marks around the number itself: '"several hundred" casualties'
        if m.group() == ",":
            left = tokens(text[max(lo, m.start() - 20) : m.start()])
            right = tokens(text[m.end() : min(hi, m.end() + 20)])
            if left and right and left[-1] in joined and right[0] in joined:
                continue
        if m.end() <= a:
            start = max(start, m.end())
        elif m.start() >= b:
            end = min(end, m.start())
            break
    after_number = False
    for s, e in others:
        if e <= a and s >= lo and e >= start:
            start, after_number = e, True
        elif s >= b and e <= hi:
            end = min(end, s)
    if after_number:
        # "100 were killed and 1,000 injured": what precedes "and" is the earlier number's.
        joins = list(re.finditer(r"\b(?:and|or|but)\b", text[start:a]))
        if joins:
            start += joins[-1].end()
    return start, end


def _find(term_tokens: list[str], toks: list[str], used: set[int]) -> int | None:
    n = len(term_tokens)
    for i in range(len(toks) - n + 1):
        if toks[i : i + n] == term_tokens and not any(j in used for j in range(i, i + n)):
            return i
    return None


def fit(metrics: dict[str, dict], before: str, after: str, wide: str = "", itself: str = "") -> list[Fit]:
    """Return the metrics the words next to a number name, best first.

    ``before`` and ``after`` are the words of the number's stretch of the
    clause on either side of it; ``wide`` the rest of its clause.  A metric's
    ``words`` may stand anywhere in the stretch (or, when the stretch names
    no metric, in the clause); its ``requires`` name what is counted, so they
    must follow the number when anything follows it ("220 howitzers"), and
    may precede it otherwise ("the number of civilians killed passed 40").
    ``itself`` is the number's own words ("tripling", "aged 23–27"): a term
    there counts twice.  All terms are matched together, longest first, so
    that a word counts once, for the longest term that holds it; on equal
    scores the metric listed first in the vocabulary wins.
    """
    of = NUMBER_OF_RE.search(before)
    if of:
        before = of.group(1)  # "the number of killed and injured soldiers has passed": what it is the number of
    near = f"{before} {GAP} {itself} {GAP} {itself} {GAP} {after}"
    found = _terms(metrics, near)
    after_toks = [t for t in tokens(after) if t not in STOP]
    counted_in = _terms(metrics, after) if after_toks else found
    out = _fits(metrics, found, counted_in)
    whole = _terms(metrics, f"{near} {GAP} {wide}")
    if not out and wide:
        # Further off in the clause, only what was done to a thing the number counts ("supplied … 100 missiles").
        out = [f for f in _fits(metrics, whole, counted_in) if f.required]
    if out:
        # "preparing to …, sending 5,000": a plan word anywhere in the clause makes a sending a plan;
        # "the 11,000 deployed last year" says it is done.
        done = any(PAST_RE.fullmatch(w) for w in out[0].as_written)
        for ident, m in metrics.items():
            if done:
                break
            if out[0].metric in (m.get("overrides") or ()) and (whole.get(ident) or {}).get("words"):
                words = whole[ident]["words"]
                out.insert(0, Fit(ident, words + out[0].words, [], out[0].score + 1, 0))
                break
    return out


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """Return a crude stem so that inflections of one word meet ("triple", "tripled", "tripling")."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _terms(metrics: dict[str, dict], text: str) -> dict[str, dict]:
    raw = tokens(text)
    toks = [stem(t) for t in raw]
    gaps = [i for i, t in enumerate(toks) if t == GAP_TOKEN] or [len(toks)]
    terms = _all_terms(metrics)
    found: dict[str, dict[str, list[str]]] = {}
    claimed: list[tuple[int, int]] = []  # token spans a longer term holds
    for n, ident, kind, term, t in terms:
        for i in range(len(toks) - n + 1):
            if toks[i : i + n] != t:
                continue
            if any(s <= i and i + n <= e and e - s > n for s, e in claimed):
                continue  # inside a longer term that matched
            claimed.append((i, i + n))
            got = found.setdefault(ident, {"words": [], "requires": [], "distance": len(toks), "as_written": []})
            got[kind].append(term)
            got["as_written"] += raw[i : i + n]
            if kind == "words":
                distance = min(min(abs(g - i), abs(g - (i + n - 1))) for g in gaps)
                got["distance"] = min(got["distance"], distance)
    return found


_TERMS: dict[int, tuple[dict, list]] = {}


def _all_terms(metrics: dict[str, dict]) -> list:
    """Return every metric's terms as stems, longest first (worked out once per vocabulary)."""
    cached = _TERMS.get(id(metrics))
    if cached is not None and cached[0] is metrics:
        return cached[1]
    terms = []
    for m in metrics.values():
        for kind in ("words", "requires"):
            for term in m.get(kind) or ():
                t = [stem(w) for w in tokens(term)]
                if t:
                    terms.append((len(t), m["id"], kind, term, t))
    terms.sort(key=lambda t: -t[0])
    _TERMS.clear()
    _TERMS[id(metrics)] = (metrics, terms)
    return terms


def _fits(metrics, found, counted_in) -> list[Fit]:
    out = []
    for ident, got in found.items():
        m = metrics[ident]
        required = (counted_in.get(ident) or {}).get("requires") or []
        if not got["words"] or (m.get("requires") and not required):
            continue
        score = sum(len(tokens(w)) for w in got["words"]) + sum(len(tokens(w)) for w in required)
        out.append(Fit(ident, got["words"], required, score, got["distance"], got["as_written"]))
    order = list(metrics)
    out.sort(key=lambda f: (-f.score, f.distance, order.index(f.metric)))
    return out


MEASURES = {"pieces", "units", "number", "amount", "total", "some", "more", "additional", "other"}


def propose(
    before: str, after: str, wide: str = "", metrics: dict[str, dict] | None = None, unit: str | None = None
) -> dict:
    """Return a new metric named after what a number counts and what happened to it.

    What is counted is the last word of the noun phrase after the number
    ("pieces of self-propelled howitzers" → howitzers); what happened is the
    first word ending in -ed next to it ("injured"), else the past form that a
    metric lists beside a word of the clause ("continues to supply" → the
    "supplied" of a supply metric).  ``unit`` is what the text has been
    counting, for a number that says nothing of it ("the number of injured").
    """
    after_toks = [t for t in tokens(after) if not t.isdigit()]
    run: list[str] = []
    for t in after_toks:
        if t in MEASURES or (t == "of" and not run):
            continue
        if t in STOP or (t.endswith("ed") and run):
            break
        run.append(t)
    done = lambda t: t.endswith("ed") and len(t) > 4 and "-" not in t and t not in REPORTING  # noqa: E731
    # The nearest word for what happened, after the number first; "the number of injured": that word.
    near = [t for t in tokens(after) if not t.isdigit()] + list(reversed(tokens(before)))
    around = near + [t for t in tokens(wide) if t not in STOP]
    of = re.search(r"\bnumber of\s+(?:[a-z-]+\s+)?([a-z]+ed)\b", before.lower())
    action = of.group(1) if of else next((t for t in around if done(t)), None)
    if action is None and metrics:
        wide_before, _, wide_after = wide.partition(" | ")
        found = _terms(metrics, f"{wide_before} {before} {GAP} {after} {wide_after}")
        for ident, got in sorted(found.items(), key=lambda kv: kv[1]["distance"]):
            if not got["words"]:
                continue
            past = [w for w in metrics[ident].get("words") or () if done(w) and " " not in w]
            if past:
                action = past[0]
                break
    counted = run[-1] if run else None
    if counted == action:
        counted = None
    unit = (
        COUNTED.get(counted or "", counted)
        or next((COUNTED[t] for t in around if t in COUNTED), None)
        or unit
        or "items"
    )
    what = action or "counted"
    ident = re.sub(r"[^a-z0-9]+", "-", f"{unit} {what}").strip("-")
    return {"id": ident, "label": f"{unit.capitalize()} {what}", "unit": unit, "words": [w for w in (action,) if w]}


def held_out_words(metrics: dict[str, dict], held: str, others: list[str]) -> dict[str, dict]:
    """Return the metrics without the terms only the held-out text brought.

    A term that occurs in the held-out text and in none of the other texts
    may have been written down from that text: a leave-one-out draft of it
    must not use the term.
    """
    held_toks = tokens(held)
    other_toks = [tokens(t) for t in others]

    def occurs(t: list[str], toks: list[str]) -> bool:
        return any(toks[i : i + len(t)] == t for i in range(len(toks) - len(t) + 1))

    out = {}
    for ident, m in metrics.items():
        kept = dict(m)
        for kind in ("words", "requires"):
            terms = m.get(kind) or []
            kept[kind] = [
                w
                for w in terms
                if not (occurs(tokens(w), held_toks) and not any(occurs(tokens(w), o) for o in other_toks))
            ]
        out[ident] = kept
    return out

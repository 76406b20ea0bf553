"""What drafting may know: the curated fixtures, optionally without one source.

A :class:`Vocabulary` holds the metrics, entities (names and aliases), claims,
events and curated figures that drafting suggests from.  Built with
``exclude=<source-id>`` it holds only what the *other* sources' records use,
so a leave-one-out draft of that source never sees its own curation.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

from api.builder.fixtures import Fixtures
from api.shape import alias_key

STOP = set(
    "a an the of to in on at by for from with and or but as is are was were be been being has have had "
    "that this these those it its their they them he she his her which who whom what more than up "
    "about around roughly approximately some nearly least at would will could may might also already "
    "into over under per each".split()
)
WORD_RE = re.compile(r"[A-Za-z][A-Za-z’'-]*")
TYPE_RANK = {  # which of several names in a claimant phrase is the claimant
    "person": 0,
    "agency": 1,
    "military": 2,
    "government": 2,
    "organization": 2,
    "group": 2,
    "document": 3,
    "media-outlet": 4,
    "military-unit": 4,
    "country": 5,
}


def words(text: str) -> list[str]:
    """Return the lower-case content words of ``text``."""
    out = []
    for w in WORD_RE.findall(text):
        w = w.lower().replace("’", "'")
        if w.endswith("'s"):
            w = w[:-2]
        if w not in STOP and len(w) > 1:
            out.append(w)
    return out


HEAD_WEIGHT = 3
BEFORE = ""  # words before a number count as the words after do (a grid over these weights moves metric and claim key by under 8 points)


def context(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> Counter:
    """Return weighted context words of the number at ``text[start:end]``.

    The first common nouns after a number name what it counts ("troops",
    "sappers"), so they weigh most; names ("North Korean") say whose, not
    what.  The words before say what is done with it.
    """
    feats: Counter = Counter()
    hi = len(text) if hi is None else hi
    raw = WORD_RE.findall(text[end : min(hi, end + 90)])
    after = words(" ".join(raw))[:7]
    heads = [w for w in words(" ".join(r for r in raw if not r[0].isupper()))][:2]
    for w in heads:
        feats["a:" + w] += HEAD_WEIGHT
    for w in after:
        feats[w] += 1
    for i, w in enumerate(reversed(words(text[max(lo, start - 80) : start])[-5:])):
        feats[BEFORE + w] += 2 if i < 2 else 1
    return feats


@dataclass
class Example:
    """A curated figure as a drafting example."""

    source: str
    claim: str
    metric: str
    subject: str
    value: dict
    period: dict | None
    feats: Counter
    claimant: str | None = None
    event: str | None = None


@dataclass
class Vocabulary:
    """Metrics, entities, claims, events and example figures to suggest from."""

    metrics: dict[str, dict] = field(default_factory=dict)
    entities: dict[str, dict] = field(default_factory=dict)
    claims: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    reference_dates: list[tuple[str, str]] = field(default_factory=list)  # (source id, date)
    names: list[tuple[re.Pattern, str]] = field(default_factory=list)  # (name pattern, entity id), longest first
    idf: dict[str, float] = field(default_factory=dict)
    _mention_cache: dict[str, re.Pattern | None] = field(default_factory=dict, repr=False)

    @classmethod
    def from_fixtures(cls, fx: Fixtures, exclude: str | Collection[str] | None = None) -> Vocabulary:
        """Return the vocabulary of ``fx`` without anything only source ``exclude`` uses."""
        kept = held_out(fx, exclude)
        by_id = lambda kind: {r["id"]: r for r in kept[kind]}  # noqa: E731
        claims = by_id("claims")
        vocab = cls(metrics=by_id("metrics"), entities=by_id("entities"), claims=claims, events=kept["events"])
        vocab.reference_dates = [
            (s["id"], str(s["reference_date"]["date"])) for s in kept["sources"] if s["reference_date"]
        ]
        for f in kept["figures"]:
            claim = claims[f["claim"]]
            quote, vtext = f["quote"], f["value"]["text"]
            at = quote.find(vtext)
            feats = context(quote, at, at + len(vtext)) if at >= 0 else Counter(words(quote))
            vocab.examples.append(
                Example(
                    f["source"],
                    f["claim"],
                    claim["metric"],
                    claim["subject"],
                    f["value"],
                    f["period"],
                    feats,
                    (f["claimant"] or {}).get("entity"),
                    f["event"],
                )
            )
        vocab._index()
        return vocab

    def _index(self):
        names = []
        for e in self.entities.values():
            for name in [e["name"], *e["aliases"]]:
                names.append((alias_key(name), e["id"]))
        self.names = [
            (re.compile(r"(?<![a-z0-9'])" + re.escape(name).replace(r"\ ", r"\s+") + r"(?![a-z0-9])"), ident)
            for name, ident in sorted(set(names), key=lambda t: -len(t[0]))
            if name
        ]
        df: Counter = Counter()
        for ex in self.examples:
            df.update(set(ex.feats))
        n = max(len(self.examples), 1)
        self.idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}

    def default_reference(self) -> tuple[dt.date, str] | None:
        """Return the most common reference date of the known sources and why."""
        if not self.reference_dates:
            return None
        date, count = Counter(d for _, d in self.reference_dates).most_common(1)[0]
        return dt.date.fromisoformat(date), (
            f"assumed: the text gives no publication date; {date} is the reference date of "
            f"{count} of the {len(self.reference_dates)} sources already curated"
        )

    def entities_in(self, text: str) -> list[tuple[int, int, str]]:
        """Return (start, end, entity id) for every known name in ``text``, longest names first, no overlaps."""
        norm, offsets = _normalise_with_offsets(text)
        found: list[tuple[int, int, str]] = []
        for rx, ident in self.names:
            for m in rx.finditer(norm):
                a, b = offsets[m.start()], offsets[m.end() - 1] + 1
                if not any(s < b and a < e for s, e, _ in found):
                    found.append((a, b, ident))
        return sorted(found)

    def mentions(self, ident: str, text: str) -> bool:
        """Return whether ``text`` names entity ``ident`` or a people of it ("North Korean" for North Korea)."""
        rx = self._mention_re(ident)
        return rx is not None and rx.search(_normalise_with_offsets(text)[0]) is not None

    def mentions_any(self, text: str) -> bool:
        """Return whether ``text`` names any known entity or a people of one."""
        norm = _normalise_with_offsets(text)[0]
        return any((rx := self._mention_re(e)) is not None and rx.search(norm) for e in self.entities)

    def _mention_re(self, ident: str) -> re.Pattern | None:
        if ident not in self._mention_cache:
            e = self.entities.get(ident)
            alternatives = []
            for name in [e["name"], *e["aliases"]] if e else []:
                key = alias_key(name)
                if not key:
                    continue
                # Ukraine/Ukrainian, Russia/Russian, Korea/Korean, China/Chinese.
                base, last = (key[:-1], re.escape(key[-1]) + "?") if key[-1] in "ae" else (key, "")
                alternatives.append(re.escape(base).replace(r"\ ", r"\s+") + last)
            self._mention_cache[ident] = (
                re.compile(
                    r"(?<![a-z0-9'])(?:" + "|".join(alternatives) + r")(?:n|ns|an|ans|ian|ians|ese)?(?![a-z0-9])"
                )
                if alternatives
                else None
            )
        return self._mention_cache[ident]

    def best_entity(self, phrase: str, at: int | None = None) -> tuple[str | None, str]:
        """Return the entity a claimant phrase names and why (None when none is known)."""
        hits = self.entities_in(phrase)
        if hits:
            hits.sort(key=lambda h: (TYPE_RANK.get(self.entities[h[2]]["type"], 3), -(h[1] - h[0])))
            a, b, ident = hits[0]
            return ident, f"'{phrase[a:b]}' is a name of entity {ident}"
        # No name matches: the entity whose name shares the most words.
        mine = set(words(phrase))
        best, score = None, 0.0
        for e in self.entities.values():
            for name in [e["name"], *e["aliases"]]:
                theirs = set(words(name))
                if not theirs:
                    continue
                s = len(mine & theirs) / len(theirs)
                if s > score and len(mine & theirs) >= 2:
                    best, score = e["id"], s
        if best and score >= 0.6:
            return best, f"'{phrase}' shares most words with a name of entity {best}"
        return None, f"no known entity in '{phrase}'"


def held_out(fx: Fixtures, exclude: str | Collection[str] | None) -> dict[str, list[dict]]:
    """Return the records by kind that remain when source ``exclude`` (or each of several) had never been curated.

    Its own records go (figures, exclusions, statements, assessments, its
    event citations and entity roles), and so does what only they brought
    in: the claims only its figures gave, the metrics only those claims use,
    the events only it cites, and the entities only its records name.  What
    no record used to begin with (an entity kept for its name) stays.
    """
    gone = {exclude} if isinstance(exclude, str) else set(exclude or ())
    keep = lambda rec: rec.get("source") not in gone  # noqa: E731
    out = {kind: [r for r in fx.data(kind) if keep(r)] for kind in BY_SOURCE}
    out["sources"] = [s for s in fx.data("sources") if s["id"] not in gone]
    out["events"] = []
    for ev in fx.data("events"):
        cits = [c for c in ev["citations"] if c["source"] not in gone]
        if cits:
            out["events"].append({**ev, "citations": cits})
    named = _strings([out[k] for k in (*BY_SOURCE, "sources", "events")])  # what the kept records name
    ever_used = {f["claim"] for f in fx.data("figures")}
    used = {f["claim"] for f in out["figures"]} | named
    out["claims"] = [c for c in fx.data("claims") if c["id"] in used or c["id"] not in ever_used]
    metrics_all = fx.by_id("metrics")
    kept_metrics = _metric_lineage(out["claims"], metrics_all)
    ever_metrics = _metric_lineage(fx.data("claims"), metrics_all)
    out["metrics"] = [m for m in fx.data("metrics") if m["id"] in kept_metrics or m["id"] not in ever_metrics]
    named |= _strings(out["claims"])
    ever_named = _strings([fx.data(k) for k in (*BY_SOURCE, "sources", "events", "claims")])
    entities_all = fx.by_id("entities")
    kept: dict[str, dict] = {}
    for e in fx.data("entities"):
        roles = [r for r in e["roles"] if r["source"] not in gone]
        orphan = e["id"] not in ever_named and len(roles) == len(e["roles"])
        if e["id"] in named or roles or orphan:
            kept[e["id"]] = {**e, "roles": roles}
    parents = [e.get("part_of") for e in kept.values()]
    while parents:  # an entity kept keeps what it is part of
        parent = parents.pop()
        if parent and parent not in kept and parent in entities_all:
            roles = [r for r in entities_all[parent]["roles"] if r["source"] not in gone]
            kept[parent] = {**entities_all[parent], "roles": roles}
            parents.append(kept[parent].get("part_of"))
    out["entities"] = [kept[e["id"]] for e in fx.data("entities") if e["id"] in kept]
    # A kept text's mentions of the entities kept: exactly what it names among them.
    out["mentions"] = [m for m in fx.data("mentions") if keep(m) and m["entity"] in kept]
    return out


BY_SOURCE = ("figures", "exclusions", "statements", "assessments")


def _metric_lineage(claims: list[dict], metrics: dict[str, dict]) -> set[str]:
    """Return the metrics the claims use, with their parents."""
    found: set[str] = set()
    for c in claims:
        m = c["metric"]
        while m and m in metrics and m not in found:
            found.add(m)
            m = metrics[m]["parent"]
    return found


def _strings(value) -> set[str]:
    """Return every string anywhere in ``value`` (ids, names, words): what a set of records names."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*map(_strings, value)) if value else set()
    return set()


@lru_cache(maxsize=4096)
def _normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """Return ``alias_key``-style text (lower case, punctuation as space) and each char's offset in ``text``."""
    chars, offsets = [], []
    for i, ch in enumerate(text):
        c = ch.casefold()
        if c in "’‘":
            c = "'"
        if not (c.isalnum() or c == "'"):
            c = " "
        if len(c) != 1:
            c = c[0]
        chars.append(c)
        offsets.append(i)
    return "".join(chars), offsets

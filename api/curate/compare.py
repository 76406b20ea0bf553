"""List how two curations of one text differ.

``python -m api.curate.compare <fixtures-a> <fixtures-b> <filename>`` matches
the records each fixtures directory holds for the source of ``<filename>``
(its archived text) by where they sit in the text, and prints what only one
side has and, for records both have, every field on which they differ.  Use
it to check a re-curation against the curated records (see
``python -m api.curate.holdout``) or two curators' work against each other.
Record ids may differ; claims are compared by metric and subject.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from api.builder.fixtures import Fixtures, load


@dataclass
class Side:
    """One curation of the source: its records, and the claims and source record they use."""

    fx: Fixtures
    source: dict

    @classmethod
    def read(cls, directory: Path, filename: str) -> Side:
        """Load the fixtures in ``directory`` and find the source of ``filename``."""
        if not directory.is_dir():
            raise SystemExit(f"{directory}: no such directory")
        fx, problems = load(directory)
        for p in problems:  # a record that does not load is left out of the comparison, and said so
            print(f"{directory}: left out: {p}", file=sys.stderr)
        found = [s for s in fx.data("sources") if s["filename"] == filename]
        if not found:
            raise SystemExit(f"{directory}: no source has filename {filename}")
        return cls(fx, found[0])

    def records(self, kind: str) -> list[dict]:
        """Return this source's records of ``kind`` (event citations and entity roles flattened)."""
        sid = self.source["id"]
        if kind == "citations":
            return [
                {**c, "event": ev["id"]} for ev in self.fx.data("events") for c in ev["citations"] if c["source"] == sid
            ]
        if kind == "roles":
            return [
                {**r, "entity": e["id"]} for e in self.fx.data("entities") for r in e["roles"] if r["source"] == sid
            ]
        return [r for r in self.fx.data(kind) if r["source"] == sid]

    def claim(self, ident: str | None) -> tuple:
        """Return a claim's (metric, subject): claims are compared by what they measure, not their ids."""
        c = self.fx.by_id("claims").get(ident) or {}
        return c.get("metric"), c.get("subject")


@dataclass
class Report:
    """Counts and lines of the differences, by kind."""

    matched: dict[str, int] = field(default_factory=dict)
    same: dict[str, int] = field(default_factory=dict)
    only: dict[str, list[int]] = field(default_factory=dict)  # kind -> [only in a, only in b]
    lines: list[str] = field(default_factory=list)


def anchor(kind: str, rec: dict) -> tuple[int, int]:
    """Return the span that identifies a record: a figure's value words, else its quote."""
    if kind == "figures":
        # As a word: the "one" of "someone" or the "3,000" of "13,000" is not the value.
        at = re.search(rf"(?<![\w,.]){re.escape(rec['value']['text'])}(?![\w])", rec["quote"])
        if at:
            start = rec["span"][0] + at.start()
            return start, start + len(rec["value"]["text"])
    return tuple(rec["span"])


def pair(kind: str, a: list[dict], b: list[dict]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Match records of one kind by overlapping anchors, the largest overlap first (citations: same event first)."""
    cands = []
    for i, ra in enumerate(a):
        sa = anchor(kind, ra)
        for j, rb in enumerate(b):
            sb = anchor(kind, rb)
            overlap = min(sa[1], sb[1]) - max(sa[0], sb[0])
            if overlap > 0:
                # Two citations of one sentence: pair those of the same event first.
                cands.append((kind == "citations" and ra["event"] != rb["event"], -overlap, i, j))
    used_a, used_b, pairs = set(), set(), []
    for *_, i, j in sorted(cands):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((a[i], b[j]))
    return pairs, [r for i, r in enumerate(a) if i not in used_a], [r for j, r in enumerate(b) if j not in used_b]


def _date(spec: dict | None):
    return None if not spec else (str(spec["start"]), spec.get("end") and str(spec["end"]), spec["precision"])


def _who(att: dict | None):
    return None if not att else att.get("entity")


FIELDS = {  # kind -> (field name, how to read it from (side, record))
    "figures": [
        ("value", lambda s, r: (r["value"]["low"], r["value"]["high"], r["value"]["hedge"])),
        ("metric, subject", lambda s, r: s.claim(r["claim"])),
        ("claimant", lambda s, r: _who(r["claimant"])),
        ("via", lambda s, r: r["via"]),
        ("period", lambda s, r: _date(r["period"])),
        ("span", lambda s, r: tuple(r["span"])),
        ("event", lambda s, r: r.get("event")),
    ],
    "citations": [
        ("event", lambda s, r: r["event"]),
        ("date", lambda s, r: _date(r["date"])),
        ("attribution", lambda s, r: _who(r["attribution"])),
        ("actors", lambda s, r: sorted(r["actors"])),
        ("location", lambda s, r: r["location"]),
        ("span", lambda s, r: tuple(r["span"])),
    ],
    "statements": [
        ("speaker", lambda s, r: _who(r["speaker"])),
        ("cue", lambda s, r: r["cue"]),
        ("about", lambda s, r: sorted(r["about"])),
        ("via", lambda s, r: r["via"]),
        ("span", lambda s, r: tuple(r["span"])),
    ],
    "assessments": [
        ("claim", lambda s, r: s.claim(r["claim"])),
        ("entity", lambda s, r: r["entity"]),
        ("stance", lambda s, r: r["stance"]),
        ("span", lambda s, r: tuple(r["span"])),
    ],
    "exclusions": [("span", lambda s, r: tuple(r["span"]))],
    "roles": [("entity", lambda s, r: r["entity"]), ("span", lambda s, r: tuple(r["span"]))],
}
SOURCE_FIELDS = ("title", "published", "reference_date", "outlet", "author", "stance")


def compare(a: Side, b: Side) -> Report:
    """Return how curation ``b`` of a source differs from curation ``a``."""
    rep = Report()
    for name in SOURCE_FIELDS:
        va, vb = a.source.get(name), b.source.get(name)
        if name == "reference_date":
            va, vb = (v and str(v["date"]) for v in (va, vb))
        if name == "published":
            va, vb = _date(va), _date(vb)
        if va != vb:
            rep.lines.append(f"source {name}: {va!r} | {vb!r}")
    cites_a = {c["entity"] for c in a.source["cites"]}
    cites_b = {c["entity"] for c in b.source["cites"]}
    if cites_a != cites_b:
        rep.lines.append(f"source cites: only a {sorted(cites_a - cites_b)} | only b {sorted(cites_b - cites_a)}")
    for kind, fields in FIELDS.items():
        pairs, only_a, only_b = pair(kind, a.records(kind), b.records(kind))
        rep.matched[kind], rep.same[kind] = len(pairs), 0
        rep.only[kind] = [len(only_a), len(only_b)]
        for side, recs in (("a", only_a), ("b", only_b)):
            for r in recs:
                rep.lines.append(f"{kind}: only {side}: {r.get('id') or r.get('event') or ''} {r['quote'][:70]!r}")
        for ra, rb in pairs:
            diffs = [f"{name} {get(a, ra)!r} | {get(b, rb)!r}" for name, get in fields if get(a, ra) != get(b, rb)]
            if diffs:
                label = ra.get("id") or ra.get("event") or ra.get("entity") or ""
                rep.lines.append(f"{kind}: {label} {anchor(kind, ra)}: " + "; ".join(diffs))
            else:
                rep.same[kind] += 1
    return rep


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.curate.compare", description=__doc__.splitlines()[0])
    parser.add_argument("a", help="one fixtures directory (e.g. fixtures)")
    parser.add_argument("b", help="the other")
    parser.add_argument("filename", help="the archived text both curate, e.g. 003_29103217c3c52d72.txt")
    args = parser.parse_args(argv)
    rep = compare(Side.read(Path(args.a), args.filename), Side.read(Path(args.b), args.filename))
    print(f"{'kind':12} {'matched':>7} {'identical':>9} {'only a':>6} {'only b':>6}")
    for kind in FIELDS:
        print(f"{kind:12} {rep.matched[kind]:7} {rep.same[kind]:9} {rep.only[kind][0]:6} {rep.only[kind][1]:6}")
    print()
    print("\n".join(rep.lines) or "no differences")
    return 0


if __name__ == "__main__":
    sys.exit(main())

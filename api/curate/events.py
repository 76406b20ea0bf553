"""Known events: what kind of event a sentence reports, and which curated event it cites.

A sentence cites a known event only when it shares the rarer words of what
cites that event (its citations, title and summary), its words name the
event's type (``EVENT_TYPE_WORDS``), it names one of the event's actors, and
its dates agree with the event's.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from functools import lru_cache

from api.curate.dates import periods_compatible
from api.curate.vocab import words
from schemas.dates import span_bounds

# The words of a sentence that say what kind of event it reports; the first that matches types a new event.
EVENT_TYPE_WORDS = [
    ("visit", r"\bvisit"),
    ("confirmation", r"\bconfirm"),
    ("deployment", r"\b(?:deploy|sent|send|arriv|join|dispatch)"),
    ("strike", r"\b(?:strike|attack|killed|kill)"),
    ("supply", r"\b(?:suppl|provid|missiles|shells|ammunition|munitions)"),
    ("training", r"\btrain"),
    ("inspection", r"\binspect"),
    ("memorial", r"\b(?:memorial|mourn)"),
    ("anniversary", r"\banniversar"),
    ("announcement", r"\bannounc"),
    ("sighting", r"\b(?:spotted|seen|sighted|imagery|images|dock|taxi|activity|arrival|observed)"),
    ("statement", r"\b(?:said|says|told|warned|stated|argued|suggest|called)"),
    (
        "report",
        r"\b(?:report|assessment|briefing|briefed|estimate|document|told lawmakers|reveal|obtained|investigat|claims)",
    ),
    ("military-operation", r"\b(?:incursion|offensive|operation|counteroffensive|invasion)"),
    ("troop-movement", r"\b(?:massing|massed|moved|moving|refitted|transport)"),
    ("satellite-observation", r"\b(?:satellite|imagery)"),
    ("selection", r"\b(?:select|chose|chosen|picked)"),
    ("cooperation", r"\b(?:cooperation|alliance|partnership|ties|pact|treaty)"),
    ("forecast", r"\b(?:could|would|expected|likely|as early as|may)\b"),
]
_EVENT_TYPE_RES = [(t, re.compile(rx, re.I)) for t, rx in EVENT_TYPE_WORDS]
# A sentence reports a known event when this share of its words, weighted by rarity, is in
# what the event's citations, title and summary say; and within this ratio of the best match.
# Chosen on the leave-one-out drafts of the five texts (make draft-eval, "known events cited").
KNOWN_EVENT_SHARE = 0.3
KNOWN_EVENT_RELATIVE = 0.8
KNOWN_EVENT_MIN_WORDS = 5  # fewer content words is a heading or a fragment
KNOWN_EVENT_MIN_SHARED = 3  # and at least this many of them in common
LOCATION_TYPES = ("city", "region", "facility", "place")  # where an event happens


@lru_cache(maxsize=1024)
def event_types(quote: str) -> frozenset[str]:
    """Return every event type whose words the sentence holds."""
    return frozenset(t for t, rx in _EVENT_TYPE_RES if rx.search(quote))


def content_words(text: str) -> list[str]:
    """Return the lower-cased words of ``text`` that can tell one event from another."""
    return [w for w in words(text) if len(w) > 2]


class EventIndex:
    """The words of what cites each known event, weighted by rarity."""

    def __init__(self, events: list[dict]):
        self.words: dict[str, set[str]] = {}
        for ev in events:
            bag = set(content_words(f"{ev['title']} {ev.get('summary') or ''}"))
            for c in ev["citations"]:
                bag.update(content_words(c["quote"]))
            self.words[ev["id"]] = bag
        df = Counter(w for bag in self.words.values() for w in bag)
        n = len(self.words)
        self.idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}


def event_actors(vocab, event_id: str) -> list[str]:
    """Return the participants and citation actors of a known event."""
    for ev in vocab.events:
        if ev["id"] == event_id:
            found = [p["entity"] for p in ev["participants"]] + [a for c in ev["citations"] for a in c["actors"]]
            return sorted(set(found))
    return []


def agrees(vocab, ev: dict, quote: str, specs: list[dict], ref: dt.date | None) -> str | None:
    """Return why a sentence may report known event ``ev`` (type, actors and date agree), or None."""
    if ev["type"] not in event_types(quote):
        return None
    actors = {p["entity"] for p in ev["participants"]} | {a for c in ev["citations"] for a in c["actors"]}
    actors = {a for a in actors if vocab.entities.get(a, {}).get("type") not in LOCATION_TYPES}
    shared = {a for a in actors if a in vocab.entities and vocab.mentions(a, quote)}
    if not shared:
        return None
    dated = [c["date"] for c in ev["citations"] if c["date"]]
    if not dated:
        when = "the event has no date to disagree with"
    elif specs:
        if not any(periods_compatible(s, d) for s in specs for d in dated):
            return None
        when = "dates agree"
    elif ref is None or min(span_bounds(d["start"], d.get("end"))[0] for d in dated) > ref.isoformat():
        return None  # the sentence gives no date, and the event is not known to precede the text
    else:
        when = "the event precedes the text's reference date"
    return f"type {ev['type']} and actors {', '.join(sorted(shared))} agree; {when}"


def known_events(
    vocab, index: EventIndex, quote: str, specs: list[dict] | None = None, ref: dt.date | None = None
) -> list[tuple[str, str]]:
    """Return the known events a sentence reports: the rarer words it shares with what cites them, and
    type, actors and date that agree."""
    mine = set(content_words(quote))
    if len(mine) < KNOWN_EVENT_MIN_WORDS:
        return []  # a heading or a fragment: too few words to tell one event from another
    unseen = math.log(len(index.words) + 1)
    total = sum(index.idf.get(w, unseen) for w in mine) or 1.0
    scored = sorted(
        ((sum(index.idf[w] for w in mine & bag) / total, ident) for ident, bag in index.words.items()),
        reverse=True,
    )
    if not scored or scored[0][0] < KNOWN_EVENT_SHARE:
        return []
    top = scored[0][0]
    out = []
    by_id = {ev["id"]: ev for ev in vocab.events}
    for share, ident in scored[:3]:
        shared_words = mine & index.words[ident]
        if (
            share >= KNOWN_EVENT_SHARE
            and share >= top * KNOWN_EVENT_RELATIVE
            and len(shared_words) >= KNOWN_EVENT_MIN_SHARED
        ):
            agree = agrees(vocab, by_id[ident], quote, specs or [], ref)
            if agree is None:
                continue
            shared = sorted(shared_words, key=lambda w: (-index.idf[w], w))[:4]  # ties by spelling: stable
            out.append(
                (
                    ident,
                    f"{agree}; {share:.0%} of the sentence's words (weighted by rarity) are in what cites "
                    f"event {ident} ({', '.join(shared)}): add this citation to it, or delete this record",
                )
            )
    return out


def same_event(vocab, quote: str, spec: dict | None, ents: set[str]) -> tuple[str, str] | None:
    """Return a curated event this sentence seems to cite too: same dates, many of the same words."""
    mine = set(words(quote))
    best, best_score = None, 0.0
    types = event_types(quote)
    for ev in vocab.events:
        if spec is None or ev["type"] not in types or agrees(vocab, ev, quote, [spec], None) is None:
            continue
        for c in ev["citations"]:
            if spec is None or c["date"] is None or not periods_compatible(spec, c["date"]):
                continue
            theirs = set(words(c["quote"]))
            # How much of the curated citation this sentence repeats.
            score = len(mine & theirs) / max(len(theirs), 1)
            score += 0.05 * len(ents & ({p["entity"] for p in ev["participants"]} | set(c["actors"])))
            if score > best_score:
                best, best_score = ev["id"], score
    if best and best_score >= 0.35:
        return best, f"same type, actors and dates, and many of the words of event {best}: add this citation to it"
    return None

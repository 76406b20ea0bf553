"""The timeline: events and dated figures in one chronological stream."""

from __future__ import annotations

from api.shape import claimant_ref, date_spec, earliest_known, source_stamp, url
from api.web.queries.events import involving
from api.web.queries.paging import in_list
from api.web.queries.rows import (
    CITATIONS,
    FIGURES,
    distinct,
    fetch,
    known_conditions,
    known_order,
    mark_known,
    narrowest_dated,
    sorts_by_known,
)


def _when(row: dict, prefix: str, source_id: str) -> dict | None:
    spec = date_spec(row, prefix)
    if spec is None:
        return None
    return {k: spec[k] for k in ("start", "end", "precision", "qualifier", "phrase", "first_day", "last_day")} | {
        "source": source_id
    }


def _overlaps(when: dict, date_from: str | None, date_to: str | None) -> bool:
    return (not date_from or when["last_day"] >= date_from) and (not date_to or when["first_day"] <= date_to)


def _with_known_from(entry: dict, rows: list[dict]) -> dict:
    if rows and "known_from" in rows[0]:
        entry["known_from"] = earliest_known(r["known_from"] for r in rows)
    return entry


def _event_entry(event_id: str, cits: list[dict]) -> dict:
    # The narrowest date a visible citation gives (the rule of api.builder).
    best = narrowest_dated(cits)
    published = sorted({c["published"] for c in cits if c["published"]})
    first = published[0] if published else None
    firsts = [c for c in cits if c["published"] == first] if first else cits
    firsts = sorted(firsts, key=lambda c: (c["source_sort"], c["id"]))
    sources = [source_stamp(s, first) for s in distinct(c["source_id"] for c in firsts)]
    attribution, seen = [], set()
    for c in firsts:
        who = claimant_ref(c["attribution_entity_id"], c["a_name"], c["attribution"])
        key = (c["attribution_entity_id"], c["attribution"])
        if who and key not in seen:
            seen.add(key)
            attribution.append(who)
    return _with_known_from(
        {
            "kind": "event",
            "id": event_id,
            "url": url("events", event_id),
            "title": cits[0]["e_title"],
            "when": _when(best, "date", best["source_id"]) if best else None,
            "first_reported": {"published": first, "sources": sources, "attribution": attribution},
        },
        cits,
    )


def _figure_entry(f: dict) -> dict:
    who = claimant_ref(f["claimant_id"], f["cl_name"], f["attribution"])
    return _with_known_from(
        {
            "kind": "figure",
            "id": f["id"],
            "url": url("figures", f["id"]),
            "title": f"{f['m_label']}: {f['value_text']} ({f['sub_name']})",
            "when": _when(f, "period", f["source_id"]),
            "first_reported": {
                "published": f["published"],
                "sources": [source_stamp(f["source_id"], f["published"])],
                "attribution": [who] if who else [],
            },
        },
        [f],
    )


def timeline(db, args: dict) -> dict:
    """Events and dated figures in one chronological stream; undated events apart."""
    kinds = set(args.get("kind") or ("event", "figure"))
    entity = args.get("entity")
    date_from, date_to = args.get("date_from"), args.get("date_to")
    items, undated = [], []
    if "event" in kinds:
        where, params = known_conditions("c", args)
        if entity:
            cond, extra = involving(entity)
            where.append(cond)
            params += extra
        by_event: dict[str, list] = {}
        cits = fetch(db, CITATIONS, where, params, "c.event_id, c.id")
        mark_known(cits, args)
        for c in cits:
            by_event.setdefault(c["event_id"], []).append(c)
        for event_id, cits in by_event.items():
            entry = _event_entry(event_id, cits)
            if entry["when"] is None:
                undated.append(entry)
            elif _overlaps(entry["when"], date_from, date_to):
                items.append(entry)
    if "figure" in kinds:
        where, params = known_conditions("f", args)
        where.append("f.period_first_day IS NOT NULL")
        if entity:
            sub, p1 = in_list("f.subject_id", entity)
            cl, p2 = in_list("f.claimant_id", entity)
            where.append(f"({sub} OR {cl})")
            params += p1 + p2
        if date_from:
            where.append("f.period_last_day >= ?")
            params.append(date_from)
        if date_to:
            where.append("f.period_first_day <= ?")
            params.append(date_to)
        figs = fetch(db, FIGURES, where, params, "f.id")
        mark_known(figs, args)
        items += [_figure_entry(f) for f in figs]
    items.sort(key=lambda e: (e["when"]["first_day"], e["when"]["last_day"], e["kind"], e["id"]))
    undated.sort(key=lambda e: e["id"])
    if sorts_by_known(args):
        # A stable sort: entries known the same day keep the order of their dates.
        items.sort(key=known_order)
        undated.sort(key=known_order)
    return {"items": items, "undated": undated}

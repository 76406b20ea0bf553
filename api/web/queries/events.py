"""Events, each with one citation per source that reports it."""

import orjson

from api.shape import (
    claimant_ref,
    date_spec,
    earliest_known,
    entity_ref,
    known_from,
    quote,
    source_part,
    url,
    value_part,
)
from api.web.queries.fulltext import SEARCH_COLUMNS, match_expression
from api.web.queries.listing import (
    Export,
    Listing,
    active,
    any_known_in,
    any_of,
    compare,
    counts_assumed,
    joint,
    known_at_filter,
    known_by,
)
from api.web.queries.paging import in_list, raise_fts_error
from api.web.queries.rows import entities as entity_rows
from api.web.queries.rows import known_at, narrowest_dated

SELECT = """
SELECT e.*, coalesce(e.date_first_day, '~') AS date_sort, l.name AS l_name, l.type AS l_type
FROM events e LEFT JOIN entities l ON l.id = e.location_id
"""

SEARCH_EVENTS = """e.id IN (
  SELECT CASE si.kind WHEN 'event' THEN si.record_id ELSE si.title END
  FROM search_index si
  WHERE si.kind IN ('event', 'event_citation')
    AND si.rowid IN (SELECT rowid FROM search_index_fts WHERE search_index_fts MATCH ?))"""


def involving(entities: list[str]) -> tuple[str, list]:
    """Events an entity takes part in, or that happen there."""
    loc, params = in_list("e.location_id", entities)
    cond, extra = in_list("p.entity_id", entities)
    return f"({loc} OR e.id IN (SELECT p.event_id FROM event_participants p WHERE {cond}))", params + extra


def involving_as_cited(entities: list[str], args: dict) -> tuple[str, list]:
    """Events involving an entity; with ``source``, as those sources' own citations tell it.

    An event does not match an entity because another source's citation names it.
    """
    if not active(args.get("source")):
        return involving(entities)
    cond, params = in_list("x.entity_id", entities)
    scond, extra = in_list("x.source_id", args["source"])
    return f"e.id IN (SELECT x.event_id FROM event_citation_entities x WHERE {cond} AND {scond})", params + extra


KNOWN_EVENT = "e.id IN (SELECT c.event_id FROM event_citations c WHERE {})"
FILTERS = {
    "type": any_of("e.type"),
    "status": any_of("e.status"),
    "entity": joint(involving_as_cited),
    "source": any_known_in("e.id IN (SELECT c.event_id FROM event_citations c WHERE {})", "c.source_id", "c"),
    "date_from": compare("e.date_last_day >= ?"),
    "date_to": compare("e.date_first_day <= ?"),
    "known_at": known_at_filter("c.published", "c.source_id", KNOWN_EVENT),
    "q": compare(SEARCH_EVENTS, lambda q: match_expression(q, SEARCH_COLUMNS)),
}


def attach(db, rows: list[dict], known_at: str | None = None, assumed: bool = False) -> list[dict]:
    """Add participants, citations and the figures that describe each event to event rows (four queries in all).

    With ``assumed``, sources with no stated date count from their assumed
    reference date and every event and citation says when it counts as known.
    """
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    cond, params = in_list("p.event_id", ids)
    participants: dict[str, list] = {}
    for p in db.execute(
        f"SELECT p.*, n.name, n.type FROM event_participants p JOIN entities n ON n.id = p.entity_id WHERE {cond} ORDER BY p.entity_id, p.role",
        params,
    ):
        participants.setdefault(p["event_id"], []).append(
            {"entity": entity_ref(p["entity_id"], p["name"], p["type"]), "role": p["role"]}
        )
    cond, params = in_list("c.event_id", ids)
    if known_at:
        cond += " AND " + known_by("c.published", "c.source_id", assumed)
        params.append(known_at)
    cits = db.execute(
        f"""SELECT c.*, s.id AS s_id, s.title AS s_title, s.outlet_id AS s_outlet_id, s.published_start AS s_published_start,
                   s.published_precision AS s_published_precision, s.published_first_day AS s_published_first_day,
                   s.stance AS s_stance, s.reference_date AS s_reference_date,
                   a.name AS a_name, v.name AS v_name, v.type AS v_type
            FROM event_citations c JOIN sources s ON s.id = c.source_id
            LEFT JOIN entities a ON a.id = c.attribution_entity_id
            LEFT JOIN entities v ON v.id = c.via_id
            WHERE {cond} ORDER BY c.event_id, coalesce(c.published, '~'), s.source_sort, c.id""",
        params,
    ).fetchall()
    names = entity_rows(
        db, [*(a for c in cits if c["actors"] for a in orjson.loads(c["actors"])), *(c["location_id"] for c in cits)]
    )
    citations: dict[str, list] = {}
    cited: dict[str, list] = {}
    for c in cits:
        cited.setdefault(c["event_id"], []).append(c)
        actors = [entity_ref(a, names[a]["name"], names[a]["type"]) for a in orjson.loads(c["actors"] or "[]")]
        citations.setdefault(c["event_id"], []).append(
            {
                "source": source_part(c, "s_"),
                "quote": quote(c["quote"], c["span_start"], c["span_end"]),
                "date": date_spec(c, "date"),
                "attribution": claimant_ref(c["attribution_entity_id"], c["a_name"], c["attribution"]),
                "actors": actors,
                "location": entity_ref(c["location_id"], *_name_type(names, c["location_id"])),
                "via": entity_ref(c["via_id"], c["v_name"], c["v_type"]),
                "status": c["status"],
                "note": c["note"],
            }
        )
        if assumed:
            citations[c["event_id"]][-1]["known_from"] = known_from(c["s_published_first_day"], c["s_reference_date"])
    cond, params = in_list("f.event_id", ids)
    if known_at:
        cond += " AND " + known_by("f.published", "f.source_id", assumed)
        params.append(known_at)
    figures: dict[str, list] = {}
    for f in db.execute(
        f"""SELECT f.id, f.event_id, f.claim_id, f.source_id, f.low, f.high, f.hedge, f.value_text, m.unit,
                   f.quote, f.span_start, f.span_end
            FROM figures f JOIN metrics m ON m.id = f.metric_id WHERE {cond} ORDER BY f.event_id, f.id""",
        params,
    ):
        figures.setdefault(f["event_id"], []).append(
            {
                "id": f["id"],
                "url": url("figures", f["id"]),
                "claim": f["claim_id"],
                "source": f["source_id"],
                "value": value_part(f["low"], f["high"], f["hedge"], f["value_text"], f["unit"]),
                "quote": quote(f["quote"], f["span_start"], f["span_end"]),
            }
        )
    out = []
    for r in rows:
        cs = citations.get(r["id"], [])
        published = sorted({c["source"]["published"]["first_day"] for c in cs if c["source"]["published"]})
        first = published[0] if published else None
        date = _date(r, cited.get(r["id"], []), known_at)
        event = {
            "id": r["id"],
            "url": url("events", r["id"]),
            "type": r["type"],
            "title": r["title"],
            "summary": r["summary"],
            "status": r["status"],
            "date": date,
            "location": entity_ref(r["location_id"], r["l_name"], r["l_type"]),
            "participants": participants.get(r["id"], []),
            "citations": cs,
            "figures": figures.get(r["id"], []),
            "first_reported": {
                "published": first,
                "sources": [
                    c["source"]["id"]
                    for c in cs
                    if first and c["source"]["published"] and c["source"]["published"]["first_day"] == first
                ],
            },
            "note": r["note"],
        }
        if assumed:
            event["known_from"] = earliest_known(c["known_from"] for c in cs)
        out.append(event)
    return out


def _date(event: dict, citations: list[dict], known_at: str | None) -> dict | None:
    """The event's date: the stored one, or with ``known_at`` the narrowest that a citation known by then gives."""
    row, source = event, event["date_source_id"]
    if known_at:
        row = narrowest_dated(citations)
        source = row["source_id"] if row else None
    date = date_spec(row, "date") if row else None
    if date is not None:
        date["source"] = source
    return date


def _name_type(names: dict, entity_id: str | None) -> tuple:
    found = names.get(entity_id)
    return (found["name"], found["type"]) if found else (None, None)


def get_event(db, event_id: str) -> dict | None:
    found = attach(db, db.execute(SELECT + " WHERE e.id = ?", [event_id]).fetchall())
    return found[0] if found else None


FLAT_COLUMNS = (
    "id",
    "type",
    "title",
    "status",
    "date_start",
    "date_end",
    "date_precision",
    "date_phrase",
    "date_first_day",
    "date_last_day",
    "date_source",
    "location_id",
    "participant_ids",
    "citation_count",
    "source_ids",
    "first_reported",
    "summary",
)


def flatten_event(e: dict) -> dict:
    date = e["date"] or {}
    return {
        "id": e["id"],
        "type": e["type"],
        "title": e["title"],
        "status": e["status"],
        "date_start": date.get("start"),
        "date_end": date.get("end"),
        "date_precision": date.get("precision"),
        "date_phrase": date.get("phrase"),
        "date_first_day": date.get("first_day"),
        "date_last_day": date.get("last_day"),
        "date_source": date.get("source"),
        "location_id": (e["location"] or {}).get("id"),
        "participant_ids": " ".join(p["entity"]["id"] for p in e["participants"]),
        "citation_count": len(e["citations"]),
        "source_ids": " ".join(c["source"]["id"] for c in e["citations"]),
        "first_reported": e["first_reported"]["published"],
        "summary": e["summary"],
    }


# With ``known_at``, an event's date is the narrowest one that a citation known by
# then gives (``_date``, the build's rule): its date filters and sort use that date,
# picked here by the same order as api.web.queries.rows.narrowest_dated.
KNOWN_DATED = """(
  SELECT ev.*, kc.date_first_day AS known_first_day, kc.date_last_day AS known_last_day
  FROM events ev LEFT JOIN event_citations kc ON kc.id = (
    SELECT c.id FROM event_citations c
    WHERE c.event_id = ev.id AND c.date_first_day IS NOT NULL AND {known}
    ORDER BY julianday(c.date_last_day) - julianday(c.date_first_day), coalesce(c.published, '9999'), c.source_id, c.id
    LIMIT 1)
) e"""


def _known_dated(assumed: bool) -> str:
    # "+c.source_id": look the citations up by event (a few), not by each known source.
    return KNOWN_DATED.format(known=known_by("c.published", "+c.source_id", assumed))


EVENTS = Listing(
    select=SELECT,
    count="SELECT count(*) AS n FROM events e",
    sort={"date": ("coalesce(e.date_first_day, '~')", "date_sort"), "id": ("e.id", "id"), "type": ("e.type", "type")},
    filters=FILTERS,
    # Citations published after ``known_at`` are left out of each event.
    shape=lambda db, rows, args: attach(db, rows, known_at(args), counts_assumed(args)),
    default_sort="date",
    on_error=raise_fts_error,
    export=Export(FLAT_COLUMNS, flatten=flatten_event),
    variant=lambda args: (EVENTS_KNOWN_ASSUMED if counts_assumed(args) else EVENTS_KNOWN) if known_at(args) else None,
)


def _as_known(assumed: bool) -> Listing:
    dated = _known_dated(assumed)
    return EVENTS.but(
        select=SELECT.replace("e.date_first_day", "e.known_first_day").replace("FROM events e", f"FROM {dated}"),
        count=f"SELECT count(*) AS n FROM {dated}",
        params=lambda args: [known_at(args)],
        sort={**EVENTS.sort, "date": ("coalesce(e.known_first_day, '~')", "date_sort")},
        filters={
            **FILTERS,
            "date_from": compare("e.known_last_day >= ?"),
            "date_to": compare("e.known_first_day <= ?"),
        },
        variant=lambda args: None,
    )


EVENTS_KNOWN, EVENTS_KNOWN_ASSUMED = _as_known(False), _as_known(True)

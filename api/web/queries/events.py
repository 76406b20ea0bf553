"""Events, each with one citation per source that reports it."""

import sqlite3

import orjson

from api.shape import date_spec, entity_ref, published_ref, quote, url
from api.web.queries.paging import in_list, keyset_page, order_by, parse_sort, raise_fts_error

SORT_COLUMNS = {"date": "coalesce(e.date_first_day, '~')", "id": "e.id", "type": "e.type"}
SORT_ALIASES = {"date": "date_sort", "id": "id", "type": "type"}

SELECT = """
SELECT e.*, coalesce(e.date_first_day, '~') AS date_sort, l.name AS l_name, l.type AS l_type
FROM events e LEFT JOIN entities l ON l.id = e.location_id
"""

SEARCH_EVENTS = """e.id IN (
  SELECT CASE si.kind WHEN 'event' THEN si.record_id ELSE si.title END
  FROM search_index si
  WHERE si.kind IN ('event', 'event_citation')
    AND si.rowid IN (SELECT rowid FROM search_index_fts WHERE search_index_fts MATCH ?))"""


def event_filters(args: dict) -> tuple[list[str], list]:
    where, params = [], []
    for name, column in (("type", "e.type"), ("status", "e.status")):
        if args.get(name):
            cond, extra = in_list(column, args[name])
            where.append(cond)
            params += extra
    if args.get("entity") and args.get("source"):
        # Only the given sources' own citations count: an event does not match
        # an entity because another source's citation names it.
        cond, extra = in_list("x.entity_id", args["entity"])
        scond, sextra = in_list("x.source_id", args["source"])
        where.append(f"e.id IN (SELECT x.event_id FROM event_citation_entities x WHERE {cond} AND {scond})")
        params += extra + sextra
    elif args.get("entity"):
        cond, extra = in_list("p.entity_id", args["entity"])
        loc, extra2 = in_list("e.location_id", args["entity"])
        where.append(f"({loc} OR e.id IN (SELECT p.event_id FROM event_participants p WHERE {cond}))")
        params += extra2 + extra
    if args.get("source"):
        cond, extra = in_list("c.source_id", args["source"])
        where.append(f"e.id IN (SELECT c.event_id FROM event_citations c WHERE {cond})")
        params += extra
    if args.get("date_from"):
        where.append("e.date_last_day >= ?")
        params.append(args["date_from"])
    if args.get("date_to"):
        where.append("e.date_first_day <= ?")
        params.append(args["date_to"])
    if args.get("known_at"):
        where.append("e.id IN (SELECT c.event_id FROM event_citations c WHERE c.published <= ?)")
        params.append(args["known_at"].isoformat())
    if args.get("q"):
        where.append(SEARCH_EVENTS)
        params.append(args["q"])
    return where, params


def attach(db, rows: list[dict], known_at: str | None = None) -> list[dict]:
    """Add participants, citations and the figures that describe each event to event rows (four queries)."""
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
        cond += " AND c.published <= ?"
        params.append(known_at)
    cits = db.execute(
        f"""SELECT c.*, s.title AS s_title, s.outlet_id AS s_outlet, s.published_start AS s_pub,
                   s.published_precision AS s_pub_precision, s.published_first_day AS s_pub_first, s.stance AS s_stance,
                   a.name AS a_name, v.name AS v_name, v.type AS v_type
            FROM event_citations c JOIN sources s ON s.id = c.source_id
            LEFT JOIN entities a ON a.id = c.attribution_entity_id
            LEFT JOIN entities v ON v.id = c.via_id
            WHERE {cond} ORDER BY c.event_id, coalesce(c.published, '~'), c.source_id, c.id""",
        params,
    ).fetchall()
    actor_ids = sorted({a for c in cits if c["actors"] for a in orjson.loads(c["actors"])})
    actor_ids = sorted({*actor_ids, *(c["location_id"] for c in cits if c["location_id"])})
    names = {}
    if actor_ids:
        acond, aparams = in_list("id", actor_ids)
        names = {r["id"]: r for r in db.execute(f"SELECT id, name, type FROM entities WHERE {acond}", aparams)}
    citations: dict[str, list] = {}
    for c in cits:
        attribution = None
        if c["attribution_entity_id"] or c["attribution"]:
            attribution = {
                "id": c["attribution_entity_id"],
                "name": c["a_name"],
                "attribution": c["attribution"],
                "url": url("entities", c["attribution_entity_id"]),
            }
        actors = [entity_ref(a, names[a]["name"], names[a]["type"]) for a in orjson.loads(c["actors"] or "[]")]
        citations.setdefault(c["event_id"], []).append(
            {
                "source": {
                    "id": c["source_id"],
                    "title": c["s_title"],
                    "outlet": c["s_outlet"],
                    "published": published_ref(c["s_pub"], c["s_pub_precision"], c["s_pub_first"]),
                    "stance": c["s_stance"],
                    "url": url("sources", c["source_id"]),
                },
                "quote": quote(c["quote"], c["span_start"], c["span_end"]),
                "date": date_spec(c, "date"),
                "attribution": attribution,
                "actors": actors,
                "location": entity_ref(c["location_id"], *_name_type(names, c["location_id"])),
                "via": entity_ref(c["via_id"], c["v_name"], c["v_type"]),
                "status": c["status"],
                "note": c["note"],
            }
        )
    cond, params = in_list("f.event_id", ids)
    if known_at:
        cond += " AND f.published IS NOT NULL AND f.published <= ?"
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
                "value": {
                    "low": f["low"],
                    "high": f["high"],
                    "hedge": f["hedge"],
                    "text": f["value_text"],
                    "unit": f["unit"],
                },
                "quote": quote(f["quote"], f["span_start"], f["span_end"]),
            }
        )
    out = []
    for r in rows:
        cs = citations.get(r["id"], [])
        published = sorted({c["source"]["published"]["first_day"] for c in cs if c["source"]["published"]})
        first = published[0] if published else None
        date = date_spec(r, "date")
        if date is not None:
            date["source"] = r["date_source_id"]
        out.append(
            {
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
        )
    return out


def _name_type(names: dict, entity_id: str | None) -> tuple:
    found = names.get(entity_id)
    return (found["name"], found["type"]) if found else (None, None)


def list_events(db, args: dict, base_where=None, base_params=None):
    where, params = event_filters(args)
    where, params = [*(base_where or []), *where], [*(base_params or []), *params]
    keys = parse_sort(args["sort"], SORT_COLUMNS)
    try:
        rows, next_cursor, total = keyset_page(
            db,
            SELECT,
            where,
            params,
            keys,
            args["sort"],
            args["page_size"],
            args.get("cursor"),
            [SORT_ALIASES[k.name] for k in keys],
            "SELECT count(*) AS n FROM events e" if args.get("total") else None,
        )
    except sqlite3.OperationalError as exc:
        raise_fts_error(exc)
    known_at = args["known_at"].isoformat() if args.get("known_at") else None
    return attach(db, rows, known_at), next_cursor, total


def iter_events(db, args: dict, base_where=None, base_params=None, batch: int = 200):
    where, params = event_filters(args)
    where, params = [*(base_where or []), *where], [*(base_params or []), *params]
    keys = parse_sort(args["sort"], SORT_COLUMNS)
    sql = SELECT + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order_by(keys)}"
    known_at = args["known_at"].isoformat() if args.get("known_at") else None
    try:
        cur = db.execute(sql, params)
        while rows := cur.fetchmany(batch):
            yield from attach(db, rows, known_at)
    except sqlite3.OperationalError as exc:
        raise_fts_error(exc)


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

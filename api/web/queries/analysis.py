"""Cross-source analysis computed from the curated records: discrepancies, timeline, search, summaries.

Every answer is derived from figures and event citations (never from hand-written
summaries). The rows involved are few, so the grouping is done in Python over
batched queries (one query per table, IN lists for lookups, no query per item).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from urllib.parse import quote as url_quote

import orjson

from api.shape import date_spec, entity_ref, url
from api.web.queries.paging import (
    BadQuery,
    decode_cursor,
    encode_cursor,
    in_list,
    keyset_page,
    parse_sort,
    raise_fts_error,
)
from schemas.fixtures import HEDGES

KINDS = ("value", "hedge", "claimant", "event_date", "event_attribution")
FIGURE_KINDS = ("value", "hedge", "claimant")
EVENT_KINDS = ("event_date", "event_attribution")
OPEN_BELOW = ("up_to", "less_than")
OPEN_ABOVE = ("at_least", "more_than")
UNKNOWN_LAST = "~"

# ---- shared row fetchers ---------------------------------------------------

FIGURES = """
SELECT f.*, c.statement AS c_statement, c.metric_id AS c_metric, c.subject_id AS c_subject,
       m.label AS m_label, m.unit AS m_unit, m.category AS m_category,
       sub.name AS sub_name, sub.type AS sub_type, cl.name AS cl_name, cl.type AS cl_type,
       s.title AS s_title, s.published_first_day AS s_pub
FROM figures f
JOIN claims c ON c.id = f.claim_id
JOIN metrics m ON m.id = f.metric_id
JOIN sources s ON s.id = f.source_id
JOIN entities sub ON sub.id = f.subject_id
LEFT JOIN entities cl ON cl.id = f.claimant_id
"""

CITATIONS = """
SELECT c.*, e.title AS e_title, e.location_id AS e_location, a.name AS a_name, a.type AS a_type
FROM event_citations c
JOIN events e ON e.id = c.event_id
LEFT JOIN entities a ON a.id = c.attribution_entity_id
"""


def _known_at(args: dict) -> str | None:
    return args["known_at"].isoformat() if args.get("known_at") else None


def _fetch(db, select: str, where: list[str], params: list, order: str) -> list[dict]:
    sql = select + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY " + order
    return db.execute(sql, params).fetchall()


def _entities(db, ids) -> dict[str, dict]:
    """Names and types of entities, in one query."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    cond, params = in_list("id", ids)
    return {r["id"]: r for r in db.execute(f"SELECT id, name, type FROM entities WHERE {cond}", params)}


def _participants(db, event_ids) -> dict[str, set]:
    """Entity ids taking part in each event (location included), in one query."""
    event_ids = sorted(set(event_ids))
    if not event_ids:
        return {}
    cond, params = in_list("event_id", event_ids)
    out: dict[str, set] = {}
    for r in db.execute(f"SELECT event_id, entity_id FROM event_participants WHERE {cond}", params):
        out.setdefault(r["event_id"], set()).add(r["entity_id"])
    return out


def _stamp(source_id: str, published: str | None) -> dict:
    return {"id": source_id, "url": url("sources", source_id), "published": published}


def _claimant(entity_id, name, wording) -> dict | None:
    if entity_id is None and wording is None:
        return None
    return {"id": entity_id, "name": name, "attribution": wording, "url": url("entities", entity_id)}


def _sorted_members(members: list[dict]) -> list[dict]:
    return sorted(members, key=lambda m: (m["published"] or UNKNOWN_LAST, m["source_id"], m["id"]))


def _distinct(values) -> list:
    seen, out = set(), []
    for v in values:
        if v is not None and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _bounds_text(low, high) -> str:
    if low is None and high is None:
        return "no number"
    if low is None:
        return f"≤ {_number(high)}"
    if high is None:
        return f"≥ {_number(low)}"
    if low == high:
        return _number(low)
    return f"{_number(low)}–{_number(high)}"


def _date_text(d: dict) -> str:
    text = d["start"] + (f"–{d['end']}" if d["end"] else "")
    return f"{d['qualifier']} {text}" if d["qualifier"] else text


# ---- discrepancies ---------------------------------------------------------


def _variant(members: list[dict], value: dict, label: str) -> dict:
    members = _sorted_members(members)
    sources = []
    for source_id in _distinct(m["source_id"] for m in members):
        published = next(m["published"] for m in members if m["source_id"] == source_id)
        sources.append(_stamp(source_id, published))
    quotes = [
        {
            "source": m["source_id"],
            "text": m["quote"],
            "start": m["span_start"],
            "end": m["span_end"],
            "figure": m["figure"],
        }
        for m in members
    ]
    return {"label": label, "value": value, "sources": sources, "quotes": quotes}


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
        value, label = describe(k, _sorted_members(groups[k]))
        variants.append(_variant(groups[k], value, label))
    return {"id": f"{kind}:{record['id']}", "kind": kind, "record": record, "variants": variants}


def _claimant_key(entity_id, wording):
    """Who is credited: the entity, else the wording, else nobody (None)."""
    if entity_id:
        return ("entity", entity_id)
    if wording:
        return ("wording", wording)
    return None


def _claimant_order(key) -> tuple:
    return (2, "") if key is None else ((0 if key[0] == "entity" else 1), key[1])


def _figure_discrepancies(claim: dict, figs: list[dict], kinds) -> list[dict]:
    record = {"type": "claim", "id": claim["id"], "url": url("claims", claim["id"]), "title": claim["title"]}
    out = []
    if "value" in kinds:

        def describe_value(k, ms):
            texts = _distinct(m["value_text"] for m in ms)
            return {"low": k[0], "high": k[1], "texts": texts}, f"{' / '.join(texts)} [{_bounds_text(*k)}]"

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
            texts = _distinct(m["value_text"] for m in ms)
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
            wordings = _distinct(m["attribution"] for m in ms)
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
                key=lambda m: _claimant_key(m["claimant_id"], m["attribution"]),
                order=_claimant_order,
                describe=describe_claimant,
            )
        )
    return [d for d in out if d]


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
            phrases = _distinct(m["date_phrase"] for m in ms)
            return {"date": date, "phrases": phrases}, f"{' / '.join(phrases)} ({_date_text(date)})"

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
            value = {"entity": entity, "attributions": _distinct(m["attribution"] for m in ms), "actors": actors}
            return value, label

        out.append(
            _discrepancy(
                "event_attribution",
                record,
                named,
                key=lambda m: (_claimant_key(m["attribution_entity_id"], m["attribution"]), m["actor_ids"]),
                order=lambda k: (_claimant_order(k[0]), k[1]),
                describe=describe_attribution,
            )
        )
    return [d for d in out if d]


def _all_discrepancies(db, args: dict) -> list[dict]:
    kinds = set(args.get("kind") or KINDS)
    known_at = _known_at(args)
    entity = set(args.get("entity") or [])
    found: list[dict] = []
    if kinds & set(FIGURE_KINDS):
        where, params = [], []
        if known_at:
            where.append("f.published IS NOT NULL AND f.published <= ?")
            params.append(known_at)
        if args.get("metric"):
            cond, extra = in_list("c.metric_id", args["metric"])
            where.append(cond)
            params += extra
        by_claim: dict[str, list] = {}
        for f in _fetch(db, FIGURES, where, params, "f.claim_id, f.id"):
            f["figure"] = f["id"]
            by_claim.setdefault(f["claim_id"], []).append(f)
        for claim_id, figs in by_claim.items():
            if entity and not entity & ({figs[0]["c_subject"]} | {f["claimant_id"] for f in figs}):
                continue
            claim = {"id": claim_id, "title": figs[0]["c_statement"]}
            found += _figure_discrepancies(claim, figs, kinds)
    # Events have no metric: a metric filter leaves them out.
    if kinds & set(EVENT_KINDS) and not args.get("metric"):
        where, params = [], []
        if known_at:
            where.append("c.published IS NOT NULL AND c.published <= ?")
            params.append(known_at)
        by_event: dict[str, list] = {}
        for c in _fetch(db, CITATIONS, where, params, "c.event_id, c.id"):
            c["figure"] = None
            c["actor_ids"] = tuple(sorted(orjson.loads(c["actors"] or "[]")))
            by_event.setdefault(c["event_id"], []).append(c)
        names = _entities(db, [a for cs in by_event.values() for c in cs for a in c["actor_ids"]])
        participants = _participants(db, by_event) if entity else {}
        for event_id, cits in by_event.items():
            if entity and not entity & (participants.get(event_id, set()) | {cits[0]["e_location"]}):
                continue
            event = {"id": event_id, "title": cits[0]["e_title"]}
            found += _event_discrepancies(event, cits, kinds, names)
    if args.get("source"):
        wanted = set(args["source"])
        found = [d for d in found if any(s["id"] in wanted for v in d["variants"] for s in v["sources"])]
    return sorted(found, key=lambda d: d["id"])


def list_discrepancies(db, args: dict):
    """Return one page of discrepancies in id order (items, next cursor, total)."""
    items = _all_discrepancies(db, args)
    total = len(items) if args.get("total") else None
    if args.get("cursor"):
        (after,) = decode_cursor(args["cursor"], "id", 1)
        items = [d for d in items if d["id"] > after]
    next_cursor = None
    if len(items) > args["page_size"]:
        items = items[: args["page_size"]]
        next_cursor = encode_cursor("id", [items[-1]["id"]])
    return items, next_cursor, total


# ---- timeline --------------------------------------------------------------


def _days(first: str, last: str) -> int:
    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days


def _when(row: dict, prefix: str, source_id: str) -> dict | None:
    spec = date_spec(row, prefix)
    if spec is None:
        return None
    return {k: spec[k] for k in ("start", "end", "precision", "qualifier", "phrase", "first_day", "last_day")} | {
        "source": source_id
    }


def _overlaps(when: dict, date_from: str | None, date_to: str | None) -> bool:
    return (not date_from or when["last_day"] >= date_from) and (not date_to or when["first_day"] <= date_to)


def _event_entry(event_id: str, cits: list[dict]) -> dict:
    # The narrowest date a visible citation gives (the rule of api.build).
    dated = [c for c in cits if c["date_first_day"]]
    best = min(
        dated,
        key=lambda c: (_days(c["date_first_day"], c["date_last_day"]), c["published"] or "9999", c["source_id"]),
        default=None,
    )
    published = sorted({c["published"] for c in cits if c["published"]})
    first = published[0] if published else None
    firsts = [c for c in cits if c["published"] == first] if first else cits
    firsts = sorted(firsts, key=lambda c: (c["source_id"], c["id"]))
    sources = [_stamp(s, first) for s in _distinct(c["source_id"] for c in firsts)]
    attribution, seen = [], set()
    for c in firsts:
        who = _claimant(c["attribution_entity_id"], c["a_name"], c["attribution"])
        key = (c["attribution_entity_id"], c["attribution"])
        if who and key not in seen:
            seen.add(key)
            attribution.append(who)
    return {
        "kind": "event",
        "id": event_id,
        "url": url("events", event_id),
        "title": cits[0]["e_title"],
        "when": _when(best, "date", best["source_id"]) if best else None,
        "first_reported": {"published": first, "sources": sources, "attribution": attribution},
    }


def _figure_entry(f: dict) -> dict:
    who = _claimant(f["claimant_id"], f["cl_name"], f["attribution"])
    return {
        "kind": "figure",
        "id": f["id"],
        "url": url("figures", f["id"]),
        "title": f"{f['m_label']}: {f['value_text']} ({f['sub_name']})",
        "when": _when(f, "period", f["source_id"]),
        "first_reported": {
            "published": f["published"],
            "sources": [_stamp(f["source_id"], f["published"])],
            "attribution": [who] if who else [],
        },
    }


def timeline(db, args: dict) -> dict:
    """Events and dated figures in one chronological stream; undated events apart."""
    kinds = set(args.get("kind") or ("event", "figure"))
    known_at = _known_at(args)
    entity = args.get("entity")
    date_from, date_to = args.get("date_from"), args.get("date_to")
    items, undated = [], []
    if "event" in kinds:
        where, params = [], []
        if known_at:
            where.append("c.published IS NOT NULL AND c.published <= ?")
            params.append(known_at)
        if entity:
            loc, p1 = in_list("e.location_id", entity)
            part, p2 = in_list("p.entity_id", entity)
            where.append(f"({loc} OR e.id IN (SELECT p.event_id FROM event_participants p WHERE {part}))")
            params += p1 + p2
        by_event: dict[str, list] = {}
        for c in _fetch(db, CITATIONS, where, params, "c.event_id, c.id"):
            by_event.setdefault(c["event_id"], []).append(c)
        for event_id, cits in by_event.items():
            entry = _event_entry(event_id, cits)
            if entry["when"] is None:
                undated.append(entry)
            elif _overlaps(entry["when"], date_from, date_to):
                items.append(entry)
    if "figure" in kinds:
        where, params = ["f.period_first_day IS NOT NULL"], []
        if known_at:
            where.append("f.published IS NOT NULL AND f.published <= ?")
            params.append(known_at)
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
        items += [_figure_entry(f) for f in _fetch(db, FIGURES, where, params, "f.id")]
    items.sort(key=lambda e: (e["when"]["first_day"], e["when"]["last_day"], e["kind"], e["id"]))
    undated.sort(key=lambda e: e["id"])
    return {"items": items, "undated": undated}


# ---- search ----------------------------------------------------------------

# Every matching row, materialized so that bm25() and snippet() run on the FTS tables themselves:
# figures from figures_fts, every other kind from search_index_fts.
# The snippet comes from the body (quote, statement, aliases) when the body matches.
MATCHES = """
SELECT CASE si.kind WHEN 'event_citation' THEN 'event' ELSE si.kind END AS type,
       CASE si.kind WHEN 'event_citation' THEN si.title ELSE si.record_id END AS id,
       si.kind AS matched,
       CASE WHEN instr(snippet(search_index_fts, 1, '<mark>', '</mark>', '…', 16), '<mark>') > 0
            THEN snippet(search_index_fts, 1, '<mark>', '</mark>', '…', 16)
            ELSE snippet(search_index_fts, -1, '<mark>', '</mark>', '…', 16) END AS snippet,
       bm25(search_index_fts, 2.0, 1.0) AS score
FROM search_index_fts JOIN search_index si ON si.rowid = search_index_fts.rowid
WHERE search_index_fts MATCH ?1
UNION ALL
SELECT 'figure', f.id, 'figure',
       CASE WHEN instr(snippet(figures_fts, 0, '<mark>', '</mark>', '…', 16), '<mark>') > 0
            THEN snippet(figures_fts, 0, '<mark>', '</mark>', '…', 16)
            ELSE snippet(figures_fts, -1, '<mark>', '</mark>', '…', 16) END,
       bm25(figures_fts, 1.0, 2.0, 1.0)
FROM figures_fts JOIN figures f ON f.rowid = figures_fts.rowid
WHERE figures_fts MATCH ?1
"""

# One row per record: an event citation counts as its event and the best match wins
# (SQLite takes the bare columns of a min() aggregate from the row of the minimum).
SEARCH_SELECT = f"""
WITH matches AS MATERIALIZED ({MATCHES}),
hits AS (SELECT type, id, matched, snippet, min(score) AS score FROM matches GROUP BY type, id)
SELECT h.*,
       coalesce(en.name, ev.title, cl.statement, so.title, so.id, st.quote,
                m.label || ': ' || f.value_text || ' (' || fs.name || ')') AS title
FROM hits h
LEFT JOIN entities en ON h.type = 'entity' AND en.id = h.id
LEFT JOIN events ev ON h.type = 'event' AND ev.id = h.id
LEFT JOIN claims cl ON h.type = 'claim' AND cl.id = h.id
LEFT JOIN sources so ON h.type = 'source' AND so.id = h.id
LEFT JOIN statements st ON h.type = 'statement' AND st.id = h.id
LEFT JOIN figures f ON h.type = 'figure' AND f.id = h.id
LEFT JOIN metrics m ON m.id = f.metric_id
LEFT JOIN entities fs ON fs.id = f.subject_id
"""
SEARCH_COUNT = (
    f"WITH matches AS MATERIALIZED ({MATCHES}) SELECT count(*) AS n FROM (SELECT DISTINCT type, id FROM matches) h"
)
SEARCH_SORT = {"score": "h.score", "type": "h.type", "id": "h.id"}
URL_KIND = {
    "figure": "figures",
    "entity": "entities",
    "event": "events",
    "source": "sources",
    "claim": "claims",
    "statement": "statements",
}


def search(db, args: dict):
    """Rank every record matching ``q`` by bm25 (items, next cursor, total)."""
    where, params = [], [args["q"]]
    if args.get("type"):
        cond, extra = in_list("h.type", args["type"])
        where.append(cond)
        params += extra
    keys = parse_sort("score,type", SEARCH_SORT)
    count_sql = SEARCH_COUNT if args.get("total") else None
    try:
        rows, next_cursor, total = keyset_page(
            db,
            SEARCH_SELECT,
            where,
            params,
            keys,
            "relevance",
            args["page_size"],
            args.get("cursor"),
            ["score", "type", "id"],
            count_sql,
        )
    except sqlite3.OperationalError as exc:
        if "no such column" in str(exc):
            raise BadQuery(
                f"Full-text query error ({exc}): a hyphen or colon inside a word is FTS5 syntax; "
                'put such words in double quotes, e.g. "Kim Jong-un".',
                "q",
            ) from exc
        raise_fts_error(exc)
    items = [
        {
            "type": r["type"],
            "id": r["id"],
            "url": url(URL_KIND[r["type"]], r["id"]),
            "title": r["title"] or r["id"],
            "snippet": r["snippet"],
            "matched": r["matched"],
            "score": r["score"],
        }
        for r in rows
    ]
    return items, next_cursor, total


# ---- metric summaries and charts -------------------------------------------


def get_metric_ref(db, metric_id: str) -> dict | None:
    r = db.execute("SELECT id, label, unit, category FROM metrics WHERE id = ?", [metric_id]).fetchone()
    if r is None:
        return None
    return {
        "id": r["id"],
        "label": r["label"],
        "unit": r["unit"],
        "category": r["category"],
        "url": url("metrics", r["id"]),
    }


def get_entity_ref(db, entity_id: str) -> dict | None:
    r = db.execute("SELECT id, name, type FROM entities WHERE id = ?", [entity_id]).fetchone()
    return entity_ref(r["id"], r["name"], r["type"]) if r else None


def entity_types(db, ids) -> dict[str, str]:
    """The type of each entity id (one query)."""
    return {i: r["type"] for i, r in _entities(db, ids).items()}


def _summary_figure(f: dict) -> dict:
    return {
        "id": f["id"],
        "url": url("figures", f["id"]),
        "subject": entity_ref(f["subject_id"], f["sub_name"], f["sub_type"]),
        "value": {
            "low": f["low"],
            "high": f["high"],
            "hedge": f["hedge"],
            "text": f["value_text"],
            "unit": f["m_unit"],
        },
        "period": date_spec(f, "period"),
        "attribution": f["attribution"],
        "source": _stamp(f["source_id"], f["published"]),
        "quote": {
            "source": f["source_id"],
            "text": f["quote"],
            "start": f["span_start"],
            "end": f["span_end"],
            "figure": f["id"],
        },
    }


def metric_figures(db, metric_id: str, subject_id: str | None, known_at) -> list[dict]:
    """Every figure of a metric (and subject), shaped, most recent first (undated last)."""
    where, params = ["f.metric_id = ?"], [metric_id]
    if subject_id:
        where.append("f.subject_id = ?")
        params.append(subject_id)
    if known_at:
        where.append("f.published IS NOT NULL AND f.published <= ?")
        params.append(known_at.isoformat())
    rows = _fetch(db, FIGURES, where, params, "f.source_id, f.id")
    # Most recent first; a stable sort keeps source, figure order among equal dates.
    rows.sort(key=lambda f: f["published"] or "", reverse=True)
    out = []
    for f in rows:
        item = _summary_figure(f)
        key = _claimant_key(f["claimant_id"], f["attribution"])
        item["claimant_key"] = key[1] if key else None
        item["claimant"] = _claimant(f["claimant_id"], f["cl_name"], f["attribution"])
        item["claim_id"] = f["claim_id"]
        item["source_title"] = f["s_title"]
        out.append(item)
    return out


def group_by_claimant(figures: list[dict]) -> list[tuple[str | None, list[dict]]]:
    """Figures by claimant key, most figures first, then key (unattributed last)."""
    groups: dict = {}
    for f in figures:
        groups.setdefault(f["claimant_key"], []).append(f)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0] is None, kv[0] or ""))


INTERNAL = ("claimant_key", "claimant", "claim_id", "source_title")


def metric_summary(metric: dict, subject: dict | None, figures: list[dict]) -> dict:
    """Each claimant's most recent figure, the overall range and counts."""
    claimants = []
    for key, figs in group_by_claimant(figures):
        latest = figs[0]
        public = {k: v for k, v in latest.items() if k not in INTERNAL}
        claimants.append(
            {
                "key": key,
                "claimant": latest["claimant"],
                "figure_count": len(figs),
                "latest": public,
                "figures": [f["id"] for f in figs],
            }
        )
    lows = [f["value"]["low"] for f in figures if f["value"]["low"] is not None]
    highs = [f["value"]["high"] for f in figures if f["value"]["high"] is not None]
    chart = f"/api/v1/metrics/{url_quote(metric['id'])}/chart.svg"
    if subject:
        chart += f"?subject={url_quote(subject['id'])}"
    return {
        "metric": metric,
        "subject": subject,
        "counts": {
            "figures": len(figures),
            "sources": len({f["source"]["id"] for f in figures}),
            "claimants": len({f["claimant_key"] for f in figures}),
            "claims": len({f["claim_id"] for f in figures}),
        },
        "range": {
            "low": min(lows, default=None),
            "high": max(highs, default=None),
            "open_low": any(f["value"]["hedge"] in OPEN_BELOW for f in figures),
            "open_high": any(f["value"]["hedge"] in OPEN_ABOVE for f in figures),
        },
        "claimants": claimants,
        "chart": chart,
    }

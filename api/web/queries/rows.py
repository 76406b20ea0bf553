"""Rows and small helpers the computed answers share (discrepancies, timeline, metric summaries).

Every computed answer is derived from figures and event citations (never from
hand-written summaries). The rows involved are few, so the grouping is done in
Python over batched queries (one query per table, IN lists for lookups, no query per item).
"""

from __future__ import annotations

import datetime as dt

from api.shape import known_from
from api.web.queries.listing import counts_assumed, known_by
from api.web.queries.paging import in_list

UNKNOWN_LAST = "~"

# Figures with what every computed answer shows of their claim, metric, subject, claimant and source.
FIGURES = """
SELECT f.*, c.statement AS c_statement, c.metric_id AS c_metric, c.subject_id AS c_subject,
       c.same_quantity_as AS c_same_quantity_as,
       m.label AS m_label, m.unit AS m_unit, m.category AS m_category,
       sub.name AS sub_name, sub.type AS sub_type, cl.name AS cl_name, cl.type AS cl_type,
       s.title AS s_title, s.published_first_day AS s_pub, s.reference_date AS s_reference_date
FROM figures f
JOIN claims c ON c.id = f.claim_id
JOIN metrics m ON m.id = f.metric_id
JOIN sources s ON s.id = f.source_id
JOIN entities sub ON sub.id = f.subject_id
LEFT JOIN entities cl ON cl.id = f.claimant_id
"""

CITATIONS = """
SELECT c.*, e.title AS e_title, e.location_id AS e_location, a.name AS a_name, a.type AS a_type,
       s.reference_date AS s_reference_date, s.source_sort
FROM event_citations c
JOIN events e ON e.id = c.event_id
JOIN sources s ON s.id = c.source_id
LEFT JOIN entities a ON a.id = c.attribution_entity_id
"""


# Statements by a named speaker, with their source's dates (for known_at) and the speaker's name.
STATEMENTS = """
SELECT st.*, s.published_first_day AS published, s.reference_date AS s_reference_date, s.source_sort,
       sp.name AS sp_name, sp.type AS sp_type
FROM statements st
JOIN sources s ON s.id = st.source_id
JOIN entities sp ON sp.id = st.speaker_id
"""


def known_at(args: dict) -> str | None:
    return args["known_at"].isoformat() if args.get("known_at") else None


def known_where(alias: str, args: dict) -> str:
    """SQL (one ``?``: ``known_at``) keeping figures (``f``) or citations (``c``) known by then."""
    return known_by(f"{alias}.published", f"{alias}.source_id", counts_assumed(args))


def known_conditions(alias: str, args: dict) -> tuple[list[str], list]:
    """The WHERE condition and parameter keeping figures or citations known by ``known_at`` (none without it)."""
    cutoff = known_at(args)
    return ([known_where(alias, args)], [cutoff]) if cutoff else ([], [])


def sorts_by_known(args: dict) -> bool:
    return args.get("sort") == "known"


def known_order(item: dict) -> tuple:
    """Order by ``known_from``: earlier first, a stated date before an assumed one, never known last."""
    known = item.get("known_from")
    return (known["date"], known["assumed"]) if known else ("~", False)


def mark_known(rows: list[dict], args: dict) -> None:
    """With ``known_at_basis=assumed`` or ``sort=known``, say on each row when it counts as known (``known_from``)."""
    if counts_assumed(args) or sorts_by_known(args):
        for r in rows:
            r["known_from"] = known_from(r["published"], r["s_reference_date"])


def _days(first: str, last: str) -> int:
    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days


def narrowest_dated(citations: list[dict]) -> dict | None:
    """The citation giving the narrowest date, earliest published first (the build's rule for an event's date)."""
    dated = [c for c in citations if c["date_first_day"]]
    return min(
        dated,
        key=lambda c: (_days(c["date_first_day"], c["date_last_day"]), c["published"] or "9999", c["source_id"]),
        default=None,
    )


def fetch(db, select: str, where: list[str], params: list, order: str) -> list[dict]:
    sql = select + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY " + order
    return db.execute(sql, params).fetchall()


def entities(db, ids) -> dict[str, dict]:
    """Names and types of entities, in one query."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    cond, params = in_list("id", ids)
    return {r["id"]: r for r in db.execute(f"SELECT id, name, type FROM entities WHERE {cond}", params)}


def participants(db, event_ids) -> dict[str, set]:
    """Entity ids taking part in each event (location included), in one query."""
    event_ids = sorted(set(event_ids))
    if not event_ids:
        return {}
    cond, params = in_list("event_id", event_ids)
    out: dict[str, set] = {}
    for r in db.execute(f"SELECT event_id, entity_id FROM event_participants WHERE {cond}", params):
        out.setdefault(r["event_id"], set()).add(r["entity_id"])
    return out


def sorted_members(members: list[dict]) -> list[dict]:
    """Order members as they became known, then by their document's file number (``source_sort``)."""
    return sorted(members, key=lambda m: (m["published"] or UNKNOWN_LAST, m["source_sort"], m["id"]))


def distinct(values) -> list:
    seen, out = set(), []
    for v in values:
        if v is not None and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def bounds_text(low, high) -> str:
    if low is None and high is None:
        return "no number"
    if low is None:
        return f"≤ {number(high)}"
    if high is None:
        return f"≥ {number(low)}"
    if low == high:
        return number(low)
    return f"{number(low)}–{number(high)}"


def date_text(d: dict) -> str:
    text = d["start"] + (f"–{d['end']}" if d["end"] else "")
    return f"{d['qualifier']} {text}" if d["qualifier"] else text


def claimant_key(entity_id, wording):
    """Who is credited: the entity, else the wording, else nobody (None)."""
    if entity_id:
        return ("entity", entity_id)
    if wording:
        return ("wording", wording)
    return None


def claimant_order(key) -> tuple:
    return (2, "") if key is None else ((0 if key[0] == "entity" else 1), key[1])

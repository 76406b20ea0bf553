"""A claim's history: every report of it and of the claims linked to it, in the order they became known.

A claim's history follows the claims that answer its question: those linked by
``same_question_as`` (each claim stores its closed group) and those estimating
the same quantity by ``same_quantity_as`` (either direction, and onwards). Each
report is one figure, with its own measure (metric), and says how it relates to
the report of the same measure before it (``api.values.relation``) and how the
value moved (``api.values.change``): "100 killed" is never compared with "3,000
killed or wounded". A report counts as known from its source's stated
publication date, else its assumed reference date (marked ``assumed``);
reports with neither come last.
"""

from __future__ import annotations

from api.shape import claimant_ref, date_spec, entity_ref, known_from, metric_part, quote, source_stamp, url, value_part
from api.values import change, relation
from api.web.queries.listing import Export, Listing, counts_assumed, known_by
from api.web.queries.rows import known_at

# The claim asked for and every claim linked to it, transitively and in both directions.
LINKED = """WITH RECURSIVE linked(id) AS (
  SELECT ?
  UNION SELECT j.value FROM linked l JOIN claims c ON c.id = l.id, json_each(c.same_question_as) j
  UNION SELECT j.value FROM linked l JOIN claims c ON c.id = l.id, json_each(c.same_quantity_as) j
  UNION SELECT c.id FROM claims c, json_each(c.same_quantity_as) j JOIN linked l ON l.id = j.value
)"""

KNOWN_SORT = "coalesce(f.published, s.reference_date || ' assumed', '~')"

# Each report with the value of the one of its measure before it: the window runs over every
# report known by then, before any page is cut, so a page's first report still
# names its predecessor on the page before.
REPORTS = f"""SELECT f.id, f.claim_id, f.low, f.high, f.hedge, f.value_text, f.published, f.source_id,
       f.claimant_id, f.attribution, f.quote, f.span_start, f.span_end,
       f.period_start, f.period_end, f.period_precision, f.period_qualifier, f.period_phrase,
       f.period_resolved_from, f.period_resolution, f.period_first_day, f.period_last_day,
       m.id AS m_id, m.label AS m_label, m.unit AS m_unit, m.category AS m_category,
       sub.id AS sub_id, sub.name AS sub_name, sub.type AS sub_type, cl.name AS cl_name,
       s.reference_date AS s_reference_date, {KNOWN_SORT} AS known_sort,
       lag(f.id) OVER w AS prev_id, lag(f.low) OVER w AS prev_low, lag(f.high) OVER w AS prev_high,
       lag(f.hedge) OVER w AS prev_hedge
FROM figures f
JOIN sources s ON s.id = f.source_id
JOIN metrics m ON m.id = f.metric_id
JOIN entities sub ON sub.id = f.subject_id
LEFT JOIN entities cl ON cl.id = f.claimant_id
WHERE f.claim_id IN (SELECT id FROM linked){{known}}
WINDOW w AS (PARTITION BY f.metric_id ORDER BY {KNOWN_SORT}, f.id)"""


def _value(low, high, hedge) -> dict:
    return {"low": low, "high": high, "hedge": hedge}


def shape_report(r: dict) -> dict:
    """One report as served: the figure, its measure and value, who and where, when known, and the move."""
    previous = _value(r["prev_low"], r["prev_high"], r["prev_hedge"]) if r["prev_id"] else None
    current = _value(r["low"], r["high"], r["hedge"])
    return {
        "id": r["id"],
        "url": url("figures", r["id"]),
        "claim": {"id": r["claim_id"], "url": url("claims", r["claim_id"])},
        "metric": metric_part(
            {"id": r["m_id"], "label": r["m_label"], "unit": r["m_unit"], "category": r["m_category"]}
        ),
        "subject": entity_ref(r["sub_id"], r["sub_name"], r["sub_type"]),
        "value": value_part(r["low"], r["high"], r["hedge"], r["value_text"], r["m_unit"]),
        "period": date_spec(r, "period"),
        "claimant": claimant_ref(r["claimant_id"], r["cl_name"], r["attribution"]),
        "source": source_stamp(r["source_id"], r["published"]),
        "known_from": known_from(r["published"], r["s_reference_date"]),
        "quote": quote(r["quote"], r["span_start"], r["span_end"]),
        "previous": r["prev_id"],
        "relation": relation(previous, current) if previous else None,
        "change": change(previous, current) if previous else None,
    }


FLAT_COLUMNS = (
    "id",
    "claim_id",
    "metric_id",
    "subject_id",
    "value_low",
    "value_high",
    "value_hedge",
    "value_text",
    "value_unit",
    "claimant_id",
    "claimant_attribution",
    "source_id",
    "source_published",
    "known_date",
    "known_assumed",
    "previous_id",
    "relation",
    "change",
)


def flatten_report(h: dict) -> dict:
    claimant, known = h["claimant"] or {}, h["known_from"] or {}
    return {
        "id": h["id"],
        "claim_id": h["claim"]["id"],
        "metric_id": h["metric"]["id"],
        "subject_id": h["subject"]["id"],
        "value_low": h["value"]["low"],
        "value_high": h["value"]["high"],
        "value_hedge": h["value"]["hedge"],
        "value_text": h["value"]["text"],
        "value_unit": h["value"]["unit"],
        "claimant_id": claimant.get("id"),
        "claimant_attribution": claimant.get("attribution"),
        "source_id": h["source"]["id"],
        "source_published": h["source"]["published"],
        "known_date": known.get("date"),
        "known_assumed": known.get("assumed"),
        "previous_id": h["previous"],
        "relation": h["relation"],
        "change": h["change"],
    }


def _listing(known: str) -> Listing:
    inner = REPORTS.format(known=known)
    return Listing(
        select=f"{LINKED} SELECT h.* FROM ({inner}) h",
        count=f"{LINKED} SELECT count(*) AS n FROM ({inner}) h",
        sort={"known": ("h.known_sort", "known_sort"), "id": ("h.id", "id")},
        params=lambda args: [args["claim_id"], *([known_at(args)] if args.get("known_at") else [])],
        default_sort="known",
        shape=lambda db, rows, args: [shape_report(r) for r in rows],
        export=Export(FLAT_COLUMNS, flatten=flatten_report),
        variant=_variant,
    )


def _variant(args: dict) -> Listing | None:
    if not args.get("known_at"):
        return None
    return HISTORY_KNOWN_AT_ASSUMED if counts_assumed(args) else HISTORY_KNOWN_AT


HISTORY = _listing("")
# With ``known_at``, only the reports known by then, each after the one known before it.
HISTORY_KNOWN_AT = _listing(" AND " + known_by("f.published", "f.source_id", False)).but(variant=lambda args: None)
HISTORY_KNOWN_AT_ASSUMED = _listing(" AND " + known_by("f.published", "f.source_id", True)).but(
    variant=lambda args: None
)

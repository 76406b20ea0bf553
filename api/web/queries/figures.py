"""Figures: one numeric claim as one source reports it."""

from __future__ import annotations

import sqlite3

import orjson

from api.shape import known_from, url
from api.web.queries.fulltext import FIGURE_COLUMNS, match_expression
from api.web.queries.listing import (
    Export,
    Listing,
    any_of,
    compare,
    conditions,
    counts_assumed,
    known_at_filter,
)
from api.web.queries.paging import order_by, raise_fts_error

# Lists read the stored JSON document and the page's sort keys ({keys}, what its
# cursor holds): no per-row work. The figures are the outer loop (CROSS JOIN),
# read in the order of the sort's index; each row's document is one lookup by
# rowid. Selecting no other column of figures lets an index that holds the sort
# and the filters' columns answer without reading the table's rows.
DOC_SELECT = """
SELECT d.doc, {keys}
FROM figures f CROSS JOIN figure_docs d ON d.figure_rowid = f.rowid
"""


def match_figures(q: str) -> str:
    """``q`` as an FTS5 expression over figures_fts (api.web.queries.fulltext)."""
    return match_expression(q, FIGURE_COLUMNS)


FILTERS = {
    "metric": any_of("f.metric_id"),
    "category": any_of("f.category"),
    "subject": any_of("f.subject_id"),
    "claimant": any_of("f.claimant_id"),
    "source": any_of("f.source_id"),
    "claim": any_of("f.claim_id"),
    "hedge": any_of("f.hedge"),
    "event": any_of("f.event_id"),
    "period_from": compare("f.period_last_day >= ?"),
    "period_to": compare("f.period_first_day <= ?"),
    "published_from": compare("f.published >= ?"),
    "published_to": compare("f.published <= ?"),
    "known_at": known_at_filter("f.published", "f.source_id"),
    # A figure with no number (vague) is outside every value window.
    "value_min": compare("(f.low IS NOT NULL OR f.high IS NOT NULL) AND coalesce(f.high, 1e308) >= ?"),
    "value_max": compare("(f.low IS NOT NULL OR f.high IS NOT NULL) AND coalesce(f.low, -1e308) <= ?"),
    "q": compare("f.rowid IN (SELECT rowid FROM figures_fts WHERE figures_fts MATCH ?)", match_figures),
}

# The flat export columns straight from the tables: (name, SQL expression, kind).
# TOKEN values are ids, enums and ISO dates, which the fixtures' validation keeps
# to letters, digits, "-", "_" and ":": they never need quoting in CSV.
TEXT, TOKEN, NUMBER = "text", "token", "number"
FLAT_FIELDS = (
    ("id", "f.id", TOKEN),
    ("claim_id", "f.claim_id", TOKEN),
    ("metric_id", "f.metric_id", TOKEN),
    ("metric_category", "f.category", TOKEN),
    ("subject_id", "f.subject_id", TOKEN),
    ("value_low", "f.low", NUMBER),
    ("value_high", "f.high", NUMBER),
    ("value_hedge", "f.hedge", TOKEN),
    ("value_text", "f.value_text", TEXT),
    ("value_unit", "m.unit", TEXT),
    ("period_start", "f.period_start", TOKEN),
    ("period_end", "f.period_end", TOKEN),
    ("period_precision", "f.period_precision", TOKEN),
    ("period_phrase", "f.period_phrase", TEXT),
    ("period_first_day", "f.period_first_day", TOKEN),
    ("period_last_day", "f.period_last_day", TOKEN),
    ("claimant_id", "f.claimant_id", TOKEN),
    ("claimant_attribution", "f.attribution", TEXT),
    ("via_id", "f.via_id", TOKEN),
    ("source_id", "f.source_id", TOKEN),
    ("source_title", "s.title", TEXT),
    ("source_published", "s.published_start", TOKEN),
    ("quote", "f.quote", TEXT),
    ("quote_start", "f.span_start", NUMBER),
    ("quote_end", "f.span_end", NUMBER),
    ("event_id", "f.event_id", TOKEN),
    ("origin", "f.origin", TOKEN),
    ("note", "f.note", TEXT),
)
FLAT_COLUMNS = tuple(name for name, _, _ in FLAT_FIELDS)
# CROSS JOIN keeps the figures as the outer loop, read in the order of the sort's
# index: the export starts at once instead of after sorting every row.
FLAT_FROM = """
FROM figures f CROSS JOIN sources s ON s.id = f.source_id CROSS JOIN metrics m ON m.id = f.metric_id
"""
FLAT_SELECT = "SELECT " + ", ".join(f"{expr} AS {name}" for name, expr, _ in FLAT_FIELDS) + FLAT_FROM


def csv_field(expr: str, kind: str) -> str:
    """Return SQL that writes a value as a CSV field as Python's csv.writer does (minimal quoting).

    Only free text is checked for quotes, commas and line breaks; a lone
    carriage return is quoted too (csv.writer leaves it bare).
    """
    if kind != TEXT:
        return f"coalesce({expr}, '')"
    special = " OR ".join(f"instr({expr}, {c})" for c in ("'\"'", "','", "char(10)", "char(13)"))
    return f"CASE WHEN {special} THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' ELSE coalesce({expr}, '') END"


# Each figure as one CSV line, FLAT_COLUMNS in order, newline-terminated: one
# printf() per row (concatenating with || would copy the line once per field).
CSV_SELECT = (
    "SELECT printf('"
    + ",".join("%s" for _ in FLAT_FIELDS)
    + "' || char(10), "
    + ", ".join(csv_field(expr, kind) for _, expr, kind in FLAT_FIELDS)
    + ")"
    + FLAT_FROM
)


def _export_order(keys) -> str:
    # The build numbers figures in id order: in id order, read the table itself
    # in rowid order instead of looking each row up from the id index.
    return "f.rowid ASC" if [k.name for k in keys] == ["id"] else order_by(keys)


FIGURES = Listing(
    select=DOC_SELECT,
    count="SELECT count(*) AS n FROM figures f",
    sort={
        "published": ("f.published_sort", "published_sort"),
        "period": ("f.period_sort", "period_sort"),
        "value": ("f.value_sort", "value_sort"),
        "source": ("f.source_sort", "source_sort"),
        "metric": ("f.metric_id", "metric_id"),
        "claimant": ("f.claimant_sort", "claimant_sort"),
        "id": ("f.id", "id"),
    },
    filters=FILTERS,
    shape=lambda db, rows, args: [r["doc"] for r in rows],
    on_error=raise_fts_error,
    # CSV lines are written by SQLite itself (CSV_SELECT): no per-row Python.
    export=Export(FLAT_COLUMNS, select=FLAT_SELECT, csv_select=CSV_SELECT, order=_export_order, batch=500),
    variant=lambda args: _variant(args),
)

# Full-text search in id order is driven by the FTS index itself: it yields
# matches in rowid order, which is id order (the build inserts figures sorted
# by id), so a page stops after page_size matches instead of collecting and
# sorting every match of a common word. Exports use FIGURES.
FIGURES_BY_SEARCH = FIGURES.but(
    select="""
SELECT d.doc, f.id, figures_fts.rowid AS fts_rowid
FROM figures_fts JOIN figures f ON f.rowid = figures_fts.rowid CROSS JOIN figure_docs d ON d.figure_rowid = f.rowid
""",
    count="SELECT count(*) AS n FROM figures_fts JOIN figures f ON f.rowid = figures_fts.rowid",
    sort={"id": ("figures_fts.rowid", "fts_rowid")},
    filters={"q": compare("figures_fts MATCH ?", match_figures), **{k: v for k, v in FILTERS.items() if k != "q"}},
    export=None,
    variant=lambda args: None,
)


# Where a source gives no publication date, its assumed reference date.
ASSUMED_DATE = "(SELECT reference_date FROM sources WHERE id = f.source_id)"


def _mark_known_from(db, rows, args) -> list[dict]:
    """Decode each stored document and say when it counts as known (``known_from``)."""
    out = []
    for r in rows:
        doc = orjson.loads(r["doc"])
        doc["known_from"] = known_from(r["known_published"], r["known_assumed"])
        out.append(doc)
    return out


# With ``known_at_basis=assumed`` or the sort key ``published_or_assumed``, a
# source with no stated publication date counts from its assumed reference date,
# and every figure says when it counts as known (the stored documents are decoded
# only here: the other lists serve them as stored).
FIGURES_ASSUMED = FIGURES.but(
    select=DOC_SELECT.replace(
        "SELECT d.doc,", f"SELECT d.doc, f.published AS known_published, {ASSUMED_DATE} AS known_assumed,"
    ),
    sort={**FIGURES.sort, "published_or_assumed": ("f.known_sort", "known_sort")},
    shape=_mark_known_from,
    variant=lambda args: None,
)


def _sorts_by_assumed(args: dict) -> bool:
    return "published_or_assumed" in (args.get("sort") or "")


def _variant(args: dict) -> Listing | None:
    if counts_assumed(args) or _sorts_by_assumed(args):
        return FIGURES_ASSUMED
    return FIGURES_BY_SEARCH if args.get("q") and args.get("sort") == "id" else None


def get_figure(db, figure_id: str) -> str | None:
    """Return one figure's JSON document, or None."""
    row = db.execute(
        "SELECT d.doc FROM figures f CROSS JOIN figure_docs d ON d.figure_rowid = f.rowid WHERE f.id = ?", [figure_id]
    ).fetchone()
    return row["doc"] if row else None


# facet -> (column of figures, kind of record the value names)
FACET_COLUMNS = {
    "metric": ("f.metric_id", "metrics"),
    "category": ("f.category", None),
    "subject": ("f.subject_id", "entities"),
    "claimant": ("f.claimant_id", "entities"),
    "source": ("f.source_id", "sources"),
    "hedge": ("f.hedge", None),
    "claim": ("f.claim_id", "claims"),
}
# Filters the precomputed figure_counts table (subject x metric) can answer alone.
COUNTED_FILTERS = {"category": any_of("c.category"), "metric": any_of("c.metric_id"), "subject": any_of("c.subject_id")}


def facet_figures(db, args: dict) -> dict:
    """Count the figures matching the filters by one field, most frequent first.

    Counts by metric or category for subjects, metrics and categories come
    from ``figure_counts``, built with the database: a few rows instead of a
    scan of every figure of a subject. Any other filter counts the figures.
    """
    facet, limit = args["facet"], args["limit"]
    column, kind = FACET_COLUMNS[facet]
    ignored = ("facet", "limit", "known_at_basis")
    active = {name for name, value in args.items() if value not in (None, [], False) and name not in ignored}
    if facet in ("metric", "category") and active <= set(COUNTED_FILTERS):
        where, params = conditions(COUNTED_FILTERS, args)
        source = "figure_counts c"
        value_sql, count_sql = f"c.{column.removeprefix('f.')}", "sum(c.n)"
    else:
        where, params = conditions(FILTERS, args)
        source = "figures f"
        value_sql, count_sql = column, "count(*)"
    where_sql = f" WHERE {where}" if where else ""
    sql = (
        f"SELECT {value_sql} AS value, {count_sql} AS count FROM {source}{where_sql} "
        f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?"
    )
    try:
        rows = db.execute(sql, [*params, limit + 1]).fetchall()
        total = db.execute(f"SELECT coalesce({count_sql}, 0) AS n FROM {source}{where_sql}", params).fetchone()["n"]
    except sqlite3.OperationalError as exc:
        raise_fts_error(exc)
    items = [
        {"value": r["value"], "count": r["count"], "url": url(kind, r["value"]) if kind else None} for r in rows[:limit]
    ]
    return {"facet": facet, "items": items, "total": total, "complete": len(rows) <= limit}

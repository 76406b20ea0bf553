"""Figures: one numeric claim as one source reports it."""

from __future__ import annotations

import sqlite3

from api.shape import url
from api.web.queries.fulltext import FIGURE_COLUMNS, match_expression
from api.web.queries.paging import BadQuery, SortKey, in_list, keyset_page, order_by, parse_sort, raise_fts_error

SORT_COLUMNS = {
    "published": "f.published_sort",
    "period": "f.period_sort",
    "value": "f.value_sort",
    "source": "f.source_id",
    "metric": "f.metric_id",
    "claimant": "f.claimant_sort",
    "id": "f.id",
}
SORT_ALIASES = {
    "published": "published_sort",
    "period": "period_sort",
    "value": "value_sort",
    "source": "source_id",
    "metric": "metric_id",
    "claimant": "claimant_sort",
    "id": "id",
}

COUNT = "SELECT count(*) AS n FROM figures f"

MULTI_FILTERS = {
    "metric": "f.metric_id",
    "category": "f.category",
    "subject": "f.subject_id",
    "claimant": "f.claimant_id",
    "source": "f.source_id",
    "claim": "f.claim_id",
    "hedge": "f.hedge",
    "event": "f.event_id",
}


def figure_filters(args: dict) -> tuple[list[str], list]:
    """Translate validated query arguments into WHERE conditions."""
    where, params = [], []
    for name, column in MULTI_FILTERS.items():
        if args.get(name):
            cond, extra = in_list(column, args[name])
            where.append(cond)
            params.extend(extra)
    if args.get("period_from"):
        where.append("f.period_last_day >= ?")
        params.append(args["period_from"])
    if args.get("period_to"):
        where.append("f.period_first_day <= ?")
        params.append(args["period_to"])
    if args.get("published_from"):
        where.append("f.published >= ?")
        params.append(args["published_from"])
    if args.get("published_to"):
        where.append("f.published <= ?")
        params.append(args["published_to"])
    if args.get("known_at"):
        where.append("f.published IS NOT NULL AND f.published <= ?")
        params.append(args["known_at"].isoformat())
    if args.get("value_min") is not None or args.get("value_max") is not None:
        where.append("(f.low IS NOT NULL OR f.high IS NOT NULL)")
    if args.get("value_min") is not None:
        where.append("coalesce(f.high, 1e308) >= ?")
        params.append(args["value_min"])
    if args.get("value_max") is not None:
        where.append("coalesce(f.low, -1e308) <= ?")
        params.append(args["value_max"])
    if args.get("q"):
        where.append("f.rowid IN (SELECT rowid FROM figures_fts WHERE figures_fts MATCH ?)")
        params.append(match_expression(args["q"], FIGURE_COLUMNS))
    return where, params


# Lists read the stored JSON document and the sort keys: no per-row work. The
# figures are the outer loop (CROSS JOIN), read in the order of the sort's
# index; each row's document is one lookup by rowid.
DOC_SELECT = """
SELECT d.doc, f.id, f.published_sort, f.period_sort, f.value_sort, f.source_id, f.metric_id, f.claimant_sort
FROM figures f CROSS JOIN figure_docs d ON d.figure_rowid = f.rowid
"""


def _where(args, base_where, base_params):
    where, params = figure_filters(args)
    return [*(base_where or []), *where], [*(base_params or []), *params]


# Full-text search in id order is driven by the FTS index itself: it yields
# matches in rowid order, which is id order (the build inserts figures sorted
# by id), so a page stops after page_size matches instead of collecting and
# sorting every match of a common word.
FTS_SELECT = """
SELECT d.doc, f.id, figures_fts.rowid AS fts_rowid
FROM figures_fts JOIN figures f ON f.rowid = figures_fts.rowid CROSS JOIN figure_docs d ON d.figure_rowid = f.rowid
"""
FTS_COUNT = "SELECT count(*) AS n FROM figures_fts JOIN figures f ON f.rowid = figures_fts.rowid"
FTS_ID_KEYS = [SortKey("id", "figures_fts.rowid", False)]


def list_figures(db, args: dict, base_where: list[str] | None = None, base_params: list | None = None):
    """Return one page of figures as JSON documents (docs, next cursor, total)."""
    if args.get("q") and args["sort"] == "id":
        return _list_figures_by_search(db, args, base_where, base_params)
    where, params = _where(args, base_where, base_params)
    keys = parse_sort(args["sort"], SORT_COLUMNS)
    try:
        rows, next_cursor, total = keyset_page(
            db,
            DOC_SELECT,
            where,
            params,
            keys,
            args["sort"],
            args["page_size"],
            args.get("cursor"),
            [SORT_ALIASES[k.name] for k in keys],
            COUNT if args.get("total") else None,
        )
    except sqlite3.OperationalError as exc:
        raise_fts_error(exc)
    return [r["doc"] for r in rows], next_cursor, total


def _list_figures_by_search(db, args, base_where, base_params):
    where, params = _where({**args, "q": None}, base_where, base_params)
    try:
        rows, next_cursor, total = keyset_page(
            db,
            FTS_SELECT,
            ["figures_fts MATCH ?", *where],
            [match_expression(args["q"], FIGURE_COLUMNS), *params],
            FTS_ID_KEYS,
            "id",
            args["page_size"],
            args.get("cursor"),
            ["fts_rowid"],
            FTS_COUNT if args.get("total") else None,
        )
    except sqlite3.OperationalError as exc:
        raise_fts_error(exc)
    return [r["doc"] for r in rows], next_cursor, total


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


def iter_figures(db, args: dict, base_where=None, base_params=None, batch: int = 2000, csv: bool = False):
    """Yield every matching figure in order: a flat tuple in FLAT_COLUMNS order, or with ``csv`` a CSV line.

    Rows are fetched a batch at a time: the whole result is never in memory.
    CSV lines are written by SQLite itself (CSV_SELECT): no per-row Python.
    """
    where, params = _where(args, base_where, base_params)
    keys = parse_sort(args["sort"], SORT_COLUMNS)
    order = order_by(keys)
    if [k.name for k in keys] == ["id"]:
        # The build numbers figures in id order: read the table itself in
        # rowid order instead of looking each row up from the id index.
        order = order.replace("f.id", "f.rowid")
    select = CSV_SELECT if csv else FLAT_SELECT
    sql = select + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order}"
    try:
        cur = db.execute(sql, params)
        cur.row_factory = None
        if csv:
            while rows := cur.fetchmany(batch):
                yield "".join([r[0] for r in rows])
        else:
            while rows := cur.fetchmany(batch):
                yield from rows
    except sqlite3.OperationalError as exc:
        raise_fts_error(exc)


def get_figure(db, figure_id: str) -> str | None:
    """Return one figure's JSON document, or None."""
    row = db.execute(
        "SELECT d.doc FROM figures f CROSS JOIN figure_docs d ON d.figure_rowid = f.rowid WHERE f.id = ?", [figure_id]
    ).fetchone()
    return row["doc"] if row else None


def flatten_figure(f: dict) -> dict:
    """Flatten a figure into the named columns of CSV and NDJSON exports."""
    period = f["period"] or {}
    claimant = f["claimant"] or {}
    pub = f["source"]["published"] or {}
    return {
        "id": f["id"],
        "claim_id": f["claim"]["id"],
        "metric_id": f["metric"]["id"],
        "metric_category": f["metric"]["category"],
        "subject_id": f["subject"]["id"],
        "value_low": f["value"]["low"],
        "value_high": f["value"]["high"],
        "value_hedge": f["value"]["hedge"],
        "value_text": f["value"]["text"],
        "value_unit": f["value"]["unit"],
        "period_start": period.get("start"),
        "period_end": period.get("end"),
        "period_precision": period.get("precision"),
        "period_phrase": period.get("phrase"),
        "period_first_day": period.get("first_day"),
        "period_last_day": period.get("last_day"),
        "claimant_id": claimant.get("id"),
        "claimant_attribution": claimant.get("attribution"),
        "via_id": (f["via"] or {}).get("id"),
        "source_id": f["source"]["id"],
        "source_title": f["source"]["title"],
        "source_published": pub.get("date"),
        "quote": f["quote"]["text"],
        "quote_start": f["quote"]["start"],
        "quote_end": f["quote"]["end"],
        "event_id": (f["event"] or {}).get("id"),
        "origin": f["origin"],
        "note": f["note"],
    }


__all__ = ["BadQuery", "list_figures", "iter_figures", "get_figure", "flatten_figure", "FLAT_COLUMNS"]


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
COUNTED_FILTERS = {"subject": "c.subject_id", "metric": "c.metric_id", "category": "c.category"}


def facet_figures(db, args: dict) -> dict:
    """Count the figures matching the filters by one field, most frequent first.

    Counts by metric or category for subjects, metrics and categories come
    from ``figure_counts``, built with the database: a few rows instead of a
    scan of every figure of a subject. Any other filter counts the figures.
    """
    facet, limit = args["facet"], args["limit"]
    column, kind = FACET_COLUMNS[facet]
    active = {name for name, value in args.items() if value not in (None, [], False) and name not in ("facet", "limit")}
    if facet in ("metric", "category") and active <= set(COUNTED_FILTERS):
        where, params = [], []
        for name in sorted(active):
            cond, extra = in_list(COUNTED_FILTERS[name], args[name])
            where.append(cond)
            params.extend(extra)
        source = "figure_counts c"
        value_sql, count_sql = f"c.{column.removeprefix('f.')}", "sum(c.n)"
    else:
        where, params = figure_filters(args)
        source = "figures f"
        value_sql, count_sql = column, "count(*)"
    where_sql = " WHERE " + " AND ".join(where) if where else ""
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

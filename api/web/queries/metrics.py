"""Metrics: the controlled vocabulary of figures."""

from api.shape import url
from api.web.queries.paging import in_list, keyset_page, parse_sort

SORT_COLUMNS = {"id": "m.id", "category": "m.category"}
SORT_ALIASES = {"id": "id", "category": "category"}

SELECT = """
SELECT m.*,
       (SELECT count(*) FROM figures f WHERE f.metric_id = m.id) AS figure_count,
       (SELECT json_group_array(c.id) FROM (SELECT id FROM metrics c WHERE c.parent_id = m.id ORDER BY id) c) AS children
FROM metrics m
"""


def metric_dict(r: dict) -> dict:
    import orjson

    return {
        "id": r["id"],
        "url": url("metrics", r["id"]),
        "label": r["label"],
        "unit": r["unit"],
        "category": r["category"],
        "description": r["description"],
        "parent": r["parent_id"],
        "children": orjson.loads(r["children"]),
        "figure_count": r["figure_count"],
    }


def list_metrics(db, args: dict):
    where, params = [], []
    if args.get("category"):
        cond, params = in_list("m.category", args["category"])
        where.append(cond)
    keys = parse_sort(args["sort"], SORT_COLUMNS)
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
        "SELECT count(*) AS n FROM metrics m" if args.get("total") else None,
    )
    return [metric_dict(r) for r in rows], next_cursor, total


def get_metric(db, metric_id: str) -> dict | None:
    row = db.execute(SELECT + " WHERE m.id = ?", [metric_id]).fetchone()
    return metric_dict(row) if row else None

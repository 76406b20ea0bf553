"""Metrics: the controlled vocabulary of figures."""

import orjson

from api.shape import url
from api.web.queries.listing import Listing, any_of

SELECT = """
SELECT m.*,
       (SELECT count(*) FROM figures f WHERE f.metric_id = m.id) AS figure_count,
       (SELECT json_group_array(c.id) FROM (SELECT id FROM metrics c WHERE c.parent_id = m.id ORDER BY id) c) AS children
FROM metrics m
"""


def metric_dict(r: dict) -> dict:
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


METRICS = Listing(
    select=SELECT,
    count="SELECT count(*) AS n FROM metrics m",
    sort={"id": ("m.id", "id"), "category": ("m.category", "category")},
    filters={"category": any_of("m.category")},
    shape=lambda db, rows, args: [metric_dict(r) for r in rows],
)


def get_metric(db, metric_id: str) -> dict | None:
    row = db.execute(SELECT + " WHERE m.id = ?", [metric_id]).fetchone()
    return metric_dict(row) if row else None

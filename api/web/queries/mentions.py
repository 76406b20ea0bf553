"""Mentions: every place a curated source names an entity, and the spellings each source uses."""

from api.shape import quote, source_part
from api.web.queries.listing import Listing, any_of, compare
from api.web.queries.paging import in_list
from api.web.queries.statements import SOURCE_COLUMNS

# Sources sort by their document's file number (000, 001…), then a mention by where it stands.
MENTION_ORDER = "s.source_sort || ':' || printf('%08d', m.span_start) || ':' || m.entity_id"

MENTIONS = Listing(
    select=f"""
SELECT m.*, {MENTION_ORDER} AS source_sort, {SOURCE_COLUMNS}
FROM entity_mentions m JOIN sources s ON s.id = m.source_id
""",
    count="SELECT count(*) AS n FROM entity_mentions m",
    sort={"source": (MENTION_ORDER, "source_sort"), "id": (MENTION_ORDER, "source_sort")},
    filters={"entity": any_of("m.entity_id"), "source": any_of("m.source_id")},
    shape=lambda db, rows, args: [
        {
            "source": source_part(r, "s_"),
            "entity": r["entity_id"],
            "spelling": r["as_written"],
            "span": {"start": r["span_start"], "end": r["span_end"]},
            "quote": quote(r["quote"], r["quote_start"], r["quote_end"]),
        }
        for r in rows
    ],
    default_sort="source",
)

# One row per curated source (one with any mention at all) for each entity: how often
# and how that source names it, or that it never does (a count of 0).
BY_SOURCE_FROM = """
FROM (
  SELECT e.id AS entity_id, s.source_sort AS source_sort, {columns},
         (SELECT count(*) FROM entity_mentions m WHERE m.entity_id = e.id AND m.source_id = s.id) AS mention_count
  FROM entities e CROSS JOIN sources s
  WHERE s.id IN (SELECT DISTINCT source_id FROM entity_mentions)
) x
"""


def shape_by_source(db, rows: list[dict], args: dict) -> list[dict]:
    """Add each row's spellings with their counts, in order of first appearance (one query)."""
    spellings: dict[tuple, list] = {}
    if rows:
        cond, params = in_list("source_id", sorted({r["s_id"] for r in rows}))
        entity_cond, entity_params = in_list("entity_id", sorted({r["entity_id"] for r in rows}))
        for m in db.execute(
            "SELECT entity_id, source_id, as_written, count(*) AS n, min(span_start) AS first"
            f" FROM entity_mentions WHERE {entity_cond} AND {cond}"
            " GROUP BY entity_id, source_id, as_written ORDER BY first",
            [*entity_params, *params],
        ):
            spellings.setdefault((m["entity_id"], m["source_id"]), []).append(
                {"spelling": m["as_written"], "count": m["n"]}
            )
    return [
        {
            "source": source_part(r, "s_"),
            "entity": r["entity_id"],
            "names": r["mention_count"] > 0,
            "mention_count": r["mention_count"],
            "spellings": spellings.get((r["entity_id"], r["s_id"]), []),
        }
        for r in rows
    ]


MENTIONS_BY_SOURCE = Listing(
    select="SELECT x.* " + BY_SOURCE_FROM.format(columns=SOURCE_COLUMNS),
    count="SELECT count(*) AS n " + BY_SOURCE_FROM.format(columns="s.id AS s_id"),
    sort={"source": ("x.source_sort", "source_sort"), "id": ("x.source_sort", "source_sort")},
    filters={
        "entity": any_of("x.entity_id"),
        "source": any_of("x.s_id"),
        "names": compare("(x.mention_count > 0) = ?", int),
    },
    shape=shape_by_source,
    default_sort="source",
)

"""Search: every kind of record matching a full-text query, ranked by relevance (the negated bm25)."""

from __future__ import annotations

from api.shape import url
from api.web.queries.fulltext import FIGURE_COLUMNS, SEARCH_COLUMNS, match_expression
from api.web.queries.listing import Listing, any_of
from api.web.queries.paging import raise_fts_error

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
       -bm25(search_index_fts, 2.0, 1.0) AS score
FROM search_index_fts JOIN search_index si ON si.rowid = search_index_fts.rowid
WHERE search_index_fts MATCH ?1
UNION ALL
SELECT 'figure', f.id, 'figure',
       CASE WHEN instr(snippet(figures_fts, 0, '<mark>', '</mark>', '…', 16), '<mark>') > 0
            THEN snippet(figures_fts, 0, '<mark>', '</mark>', '…', 16)
            ELSE snippet(figures_fts, -1, '<mark>', '</mark>', '…', 16) END,
       -bm25(figures_fts, 1.0, 2.0, 1.0)
FROM figures_fts JOIN figures f ON f.rowid = figures_fts.rowid
WHERE figures_fts MATCH ?1
"""

# One row per record: an event citation counts as its event and the best match wins
# (SQLite takes the bare columns of a max() aggregate from the row of the maximum).
SEARCH_SELECT = f"""
WITH matches AS MATERIALIZED ({MATCHES}),
hits AS (SELECT type, id, matched, snippet, max(score) AS score FROM matches GROUP BY type, id)
SELECT h.*,
       coalesce(en.name, ev.title, cl.statement, so.title, so.id,
                m.label || ': ' || f.value_text || ' (' || fs.name || ')') AS title
FROM hits h
LEFT JOIN entities en ON h.type = 'entity' AND en.id = h.id
LEFT JOIN events ev ON h.type = 'event' AND ev.id = h.id
LEFT JOIN claims cl ON h.type = 'claim' AND cl.id = h.id
LEFT JOIN sources so ON h.type = 'source' AND so.id = h.id
LEFT JOIN figures f ON h.type = 'figure' AND f.id = h.id
LEFT JOIN metrics m ON m.id = f.metric_id
LEFT JOIN entities fs ON fs.id = f.subject_id
"""
SEARCH_COUNT = (
    f"WITH matches AS MATERIALIZED ({MATCHES}) SELECT count(*) AS n FROM (SELECT DISTINCT type, id FROM matches) h"
)
URL_KIND = {"figure": "figures", "entity": "entities", "event": "events", "source": "sources", "claim": "claims"}


def _shape(db, rows: list[dict], args: dict) -> list[dict]:
    return [
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


# Ranked by relevance (best first), one row per record.
SEARCH = Listing(
    select=SEARCH_SELECT,
    count=SEARCH_COUNT,
    params=lambda args: [match_expression(args["q"], SEARCH_COLUMNS, FIGURE_COLUMNS)],
    sort={"score": ("h.score", "score"), "type": ("h.type", "type"), "id": ("h.id", "id")},
    filters={"type": any_of("h.type")},
    shape=_shape,
    default_sort="-score,type",
    cursor_tag="relevance",
    on_error=raise_fts_error,
)

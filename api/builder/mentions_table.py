"""The ``entity_mentions`` table: every place a curated source names an entity (fixtures/mentions)."""

from __future__ import annotations

import sqlite3

from api.builder.fixtures import Fixtures

SCHEMA = """
CREATE TABLE entity_mentions (
    source_id TEXT NOT NULL REFERENCES sources (id),
    entity_id TEXT NOT NULL REFERENCES entities (id),
    as_written TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    quote TEXT NOT NULL,
    quote_start INTEGER NOT NULL,
    quote_end INTEGER NOT NULL,
    PRIMARY KEY (entity_id, source_id, span_start)
) STRICT, WITHOUT ROWID
"""


def write_mentions_table(conn: sqlite3.Connection, fixtures: Fixtures) -> None:
    """Create ``entity_mentions`` and fill it from the validated mentions, one transaction."""
    rows = sorted(
        (
            m["source"],
            m["entity"],
            m["as_written"],
            m["span"][0],
            m["span"][1],
            m["quote"],
            m["quote_span"][0],
            m["quote_span"][1],
        )
        for m in fixtures.data("mentions")
    )
    with conn:
        conn.execute(SCHEMA)
        conn.execute("CREATE INDEX idx_entity_mentions_source_id ON entity_mentions (source_id, span_start)")
        conn.executemany("INSERT INTO entity_mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

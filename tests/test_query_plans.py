"""The headline queries use indexes at scale: no full scans, no sorting of whole result sets.

The plans are read with EXPLAIN QUERY PLAN from the statements the app really
runs, on a synthetic database (bench.synth, through the normal validated build)
large enough for the planner's statistics to look like production's.
"""

import sqlite3
import tracemalloc

import pytest

from api.web import db
from tests.conftest import SYNTHETIC_FIGURES, RecordingConnection, make_app


@pytest.fixture(scope="module")
def top_subject(synthetic_db):
    conn = sqlite3.connect(synthetic_db)
    (subject,) = conn.execute(
        "SELECT subject_id FROM figure_counts WHERE category = 'troops' GROUP BY 1 ORDER BY sum(n) DESC LIMIT 1"
    ).fetchone()
    conn.close()
    return subject


@pytest.fixture(scope="module")
def synthetic_app(synthetic_db):
    """One app over the synthetic database: it opens its connection per thread through db.connect."""
    return make_app(synthetic_db)


def plans_of(app, synthetic_db, monkeypatch, url):
    statements = []
    real = db.connect
    monkeypatch.setattr(db, "connect", lambda path: RecordingConnection(real(path), statements))
    monkeypatch.setattr(db._local, "conn", None, raising=False)
    monkeypatch.setattr(db._local, "key", None, raising=False)
    response = app.test_client().get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    conn = sqlite3.connect(synthetic_db)
    plans = []
    for sql, params in statements:
        if sql.lstrip().upper().startswith("SELECT") and "build_info" not in sql:
            rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            plans.append((sql, [r[3] for r in rows]))
    conn.close()
    assert plans, f"no query recorded for {url}"
    return plans


def assert_indexed(plans):
    for sql, details in plans:
        # Facets sort their groups (one per distinct value); the lookups that embed records in a
        # page (no LIMIT: "WHERE event_id IN (<the page's ids>)") sort at most a page's rows.
        bounded = "GROUP BY" in sql or "LIMIT" not in sql
        for detail in details:
            # Reading a whole table without an index grows with the table. (Walking an index in
            # order, "SCAN ... USING INDEX", stops at the page's LIMIT.)
            assert not (detail.startswith("SCAN ") and "USING" not in detail and "VIRTUAL TABLE" not in detail), (
                f"full scan in {sql}: {details}"
            )
            # Sorting every matching row would too; sorting the groups of a facet (one per distinct value) does not.
            if not bounded:
                assert "TEMP B-TREE" not in detail, f"sort of the whole result in {sql}: {details}"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/figures?category=troops&subject={s}&sort=source,period",
        "/api/v1/figures?category=troops&subject={s}&sort=source,period&value_min=1000&value_max=100000"
        "&period_from=2023&period_to=2024",
        "/api/v1/figures?sort=published",
        "/api/v1/figures?sort=source",
        "/api/v1/figures?sort=source,period",
        "/api/v1/figures?sort=period",
        "/api/v1/figures?sort=value",
        "/api/v1/figures?metric=troops-deployed&subject={s}&sort=published",
        "/api/v1/figures?source=source-000001&sort=period",
        "/api/v1/figures?q=%22satellite%20imagery%22",
        "/api/v1/figures?q=satellite&category=troops",
        "/api/v1/figures/facets?facet=metric&subject={s}",
        "/api/v1/figures/facets?facet=category&subject={s}",
        "/api/v1/events?sort=date",
    ],
)
def test_headline_queries_use_indexes(synthetic_app, synthetic_db, monkeypatch, top_subject, url):
    assert_indexed(plans_of(synthetic_app, synthetic_db, monkeypatch, url.format(s=top_subject)))


@pytest.mark.parametrize("sort", ["id", "published", "source,period"])
def test_exports_read_in_index_order_without_sorting(synthetic_app, synthetic_db, monkeypatch, sort):
    plans = plans_of(synthetic_app, synthetic_db, monkeypatch, f"/api/v1/figures.csv?sort={sort}")
    export = [(sql, details) for sql, details in plans if "CROSS JOIN sources" in sql]
    assert export, plans
    for _sql, details in export:
        # In the order of an index, or of the table itself (rowids follow ids).
        assert details[0] == "SCAN f" if sort == "id" else details[0].startswith("SCAN f USING"), details
        assert not any("TEMP B-TREE" in d for d in details), details


def test_sources_without_a_file_number_sort_by_name_then_id(synthetic_app, synthetic_db):
    """Synthetic files carry no number: sort=source still pages through every figure in one order."""
    conn = sqlite3.connect(synthetic_db)
    filename = dict(conn.execute("SELECT id, filename FROM sources"))
    period = dict(conn.execute("SELECT id, period_sort FROM figures"))
    conn.close()
    assert not any(name.partition("_")[0].isdigit() for name in filename.values())
    client = synthetic_app.test_client()
    items, url = [], "/api/v1/figures?sort=source,period&page_size=500&category=troops"
    while url:
        body = client.get(url).get_json()
        items += body["items"]
        url = body["next"]
    keys = [(filename[f["source"]["id"]], f["source"]["id"], period[f["id"]], f["id"]) for f in items]
    assert len({f["source"]["id"] for f in items}) > 1 and keys == sorted(keys) and len(set(keys)) == len(keys)


def test_a_deep_cursor_page_uses_the_index(synthetic_app, synthetic_db, monkeypatch):
    client = synthetic_app.test_client()
    url = "/api/v1/figures?sort=published&page_size=500"
    for _ in range(20):  # 10,000 rows deep
        url = client.get(url).get_json()["next"]
    plans = plans_of(synthetic_app, synthetic_db, monkeypatch, url)
    assert_indexed(plans)
    assert any("f.published_sort, f.id) > (?, ?)" in sql for sql, _ in plans), plans


def stream(client, url):
    """Read a streamed export chunk by chunk.

    Returns (lines, bytes, most Python memory held between two chunks, peak
    Python memory at any moment), both above what was held before the first chunk.
    """
    response = client.get(url, buffered=False)
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    lines = size = held = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n" if isinstance(chunk, bytes) else "\n")
        held = max(held, tracemalloc.get_traced_memory()[0] - start)
    response.close()
    peak = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    return lines, size, held, peak


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_the_full_export_streams_in_flat_memory(synthetic_app, fmt):
    """Exporting every figure holds a batch at a time: four times the rows, not four times the memory."""
    client = synthetic_app.test_client()
    stream(client, f"/api/v1/figures.{fmt}?hedge=exact")  # warm: statement cache, imports
    part_lines, part_size, part_held, _ = stream(client, f"/api/v1/figures.{fmt}?hedge=about")
    all_lines, all_size, all_held, all_peak = stream(client, f"/api/v1/figures.{fmt}")
    assert all_lines == SYNTHETIC_FIGURES + (1 if fmt == "csv" else 0)
    assert all_size > 4 * part_size > 0
    assert all_held < part_held + 1_000_000, (
        f"{fmt}: {all_size:,} bytes held {all_held:,} bytes of memory; {part_size:,} bytes held {part_held:,}"
    )
    # A batch of rows (2,000) and a chunk (500 rows) at a time, whatever the size of the export.
    assert all_peak < 16_000_000, f"{fmt}: peak {all_peak:,} bytes"

"""The query time limit: a slow query is stopped with a 503; streamed exports restart it per chunk."""

import dataclasses
import shutil
import sqlite3
import string
import time
import types
from urllib.parse import quote

import orjson
import pytest

from api.web import db
from scripts.servers import get, serve
from tests.conftest import make_app
from tests.hostile import (
    assert_security_headers,
)

# Matches every record of the search index by prefix and ranks them all (bm25), and counts them.
SLOW_SEARCH = "/api/v1/search?total=true&q=" + quote(" OR ".join(f"{c}*" for c in string.ascii_lowercase))


def _timed(client, url, n=3):
    times, response = [], None
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
    return response, min(times)


def _uncached(db_path, timeout_ms):
    """An app with the given time limit."""
    return make_app(db_path, QUERY_TIMEOUT_MS=timeout_ms)


def test_a_slow_query_is_stopped_at_the_time_limit_with_a_503(db_path):
    unlimited = _uncached(db_path, 0).test_client()
    full, full_time = _timed(unlimited, SLOW_SEARCH)
    assert full.status_code == 200 and full.get_json()["total"] > 100
    limit_ms = 1
    assert full_time * 1000 > 5 * limit_ms, f"the query is not slow enough to test a {limit_ms} ms limit"
    limited = _uncached(db_path, limit_ms)
    response, limited_time = _timed(limited.test_client(), SLOW_SEARCH)
    assert response.status_code == 503
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": f"The query ran past the {limit_ms} ms time limit; narrow the filters.",
        "errors": {},
    }
    assert response.headers["Retry-After"] == "1" and response.headers["Cache-Control"] == "no-store"
    assert limited_time < full_time, "the query should have been stopped before it finished"
    # A quick query is unaffected by the same limit... once the connection is open.
    assert limited.test_client().get("/api/v1/metrics/troops-deployed").status_code == 200


def test_the_progress_handler_interrupts_sqlite_itself(db_path):
    """A query that would run for minutes against the real database file is interrupted at the deadline."""
    app = make_app(db_path, QUERY_TIMEOUT_MS=50)
    endless = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
        "SELECT count(*) FROM n, figures"
    )
    with app.app_context():
        conn = db.get_db()
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            conn.execute(endless).fetchone()
        assert time.monotonic() - started < 1.0


def _slow_reader(db_path, tmp_path, monkeypatch, *, restart: bool) -> int:
    """Read /events.ndjson 50 ms per chunk with a 100 ms limit: the rows read before any error."""
    from api.web.queries import events as event_queries
    from api.web.resources import common

    copy = tmp_path / f"claims-{restart}.db"
    shutil.copyfile(db_path, copy)  # a new path: a new connection, with the handler below
    real_connect = db.connect

    def connect(path):
        conn = real_connect(path)
        conn.set_progress_handler(db._progress_handler, 10)  # check the deadline often: small queries too
        return conn

    monkeypatch.setattr(db, "connect", connect)
    # Rows (and their citations) are then read as the export goes, not all at its start.
    small_batches = event_queries.EVENTS.but(export=dataclasses.replace(event_queries.EVENTS.export, batch=2))
    monkeypatch.setattr(event_queries, "EVENTS", small_batches)
    monkeypatch.setattr(common, "EXPORT_CHUNK_ROWS", 5)
    if not restart:  # one deadline for the whole stream, set when it starts
        started = []

        def once():
            if not started:
                started.append(True)
                db.extend_deadline()

        monkeypatch.setattr(common, "db", types.SimpleNamespace(extend_deadline=once))
    app = make_app(copy, QUERY_TIMEOUT_MS=100)
    response = app.test_client().get("/api/v1/events.ndjson", buffered=False)
    assert response.status_code == 200
    rows = 0
    try:
        for chunk in response.response:
            rows += chunk.count(b"\n")
            time.sleep(0.05)
    finally:
        response.close()
    return rows


def test_streamed_exports_restart_the_limit_per_chunk(db_path, tmp_path, monkeypatch):
    """The limit bounds the work between two chunks of an export, not the time the client takes to read it."""
    assert _slow_reader(db_path, tmp_path, monkeypatch, restart=True) == 56  # every event
    # With one deadline for the whole stream, the same slow reader loses the export part way.
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        _slow_reader(db_path, tmp_path, monkeypatch, restart=False)


@pytest.mark.server
def test_query_time_limit_over_http(db_path, tmp_path):
    with serve(
        db_path, tmp_path / "gunicorn.log", workers=1, threads=2, env={"CLAIMBASE_QUERY_TIMEOUT_MS": "1"}
    ) as srv:
        status, headers, body = get(srv.base + SLOW_SEARCH)
        assert status == 503, body[:300]
        assert orjson.loads(body)["detail"] == "The query ran past the 1 ms time limit; narrow the filters."
        assert headers["Retry-After"] == "1"
        assert_security_headers(headers)

"""Hardening: bad input that never hurts, read-only by construction, the query time limit, headers,
/health, request logs, the bind address; in-process and over real HTTP against gunicorn.

The matrix sends each kind of bad input (docs/hardening.md) to every list endpoint and checks the
answer is a clear 4xx in the JSON error shape naming the parameter or the problem, never a 500.
"""

import dataclasses
import hashlib
import os
import shutil
import sqlite3
import string
import subprocess
import sys
import time
import types
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

import orjson
import pytest

from api.web import db
from api.web.guard import MAX_PARAM_VALUES
from scripts.servers import ROOT, get, parse_response, raw_request, serve
from tests.conftest import RecordingConnection, make_app

LISTS = [
    "/api/v1/figures",
    "/api/v1/events",
    "/api/v1/claims",
    "/api/v1/entities",
    "/api/v1/sources",
    "/api/v1/metrics",
    "/api/v1/search",
    "/api/v1/discrepancies",
    "/api/v1/timeline",
    "/api/v1/sources/cnn-nk-up-to-30000-troops/figures",
    "/api/v1/entities/north-korea/events",
]
FTS = {"/api/v1/figures", "/api/v1/events", "/api/v1/search", "/api/v1/sources/cnn-nk-up-to-30000-troops/figures"}
WITH_Q = FTS | {"/api/v1/entities", "/api/v1/entities/north-korea/events"}
PAGED = set(LISTS) - {"/api/v1/timeline"}
DATED = {  # a date parameter each list takes
    "/api/v1/figures": "period_from",
    "/api/v1/events": "date_from",
    "/api/v1/timeline": "date_to",
    "/api/v1/claims": "known_at",
    "/api/v1/discrepancies": "known_at",
    "/api/v1/sources/cnn-nk-up-to-30000-troops/figures": "published_to",
    "/api/v1/entities/north-korea/events": "date_from",
}
SEARCH_NEEDS_Q = "q=troops"

# name: (query string, the parameter or problem the answer must name, statuses allowed)
BAD_INPUT = {
    "100 KB q": ("q=" + "a" * 100_000, "query string", {414}),
    "600-character q": ("q=" + "a" * 600, "q", {422}),
    "1,000 repeated parameters": ("&".join(["q=a"] * 1000), "q", {422}),
    "1,000 repeated list values": ("&".join(["x=1"] * 1000), "x", {422}),
    "invalid UTF-8": ("q=%FF%FEabc", "UTF-8", {400}),
    "invalid percent-encoding": ("q=%zz", "percent-encoding", {400}),
    "a lone percent sign": ("q=100%", "percent-encoding", {400}),
    "NUL byte": ("q=a%00b", "U+0000", {422}),
    "control character in a name": ("me%01tric=x", "control character", {422}),
    "negative page size": ("page_size=-1", "page_size", {422}),
    "zero page size": ("page_size=0", "page_size", {422}),
    "huge page size": ("page_size=" + "9" * 40, "page_size", {422}),
    "page size not a number": ("page_size=ten", "page_size", {422}),
    "unknown parameter": ("metirc=troops", "metirc", {422}),
    "a single-valued parameter twice": ("page_size=10&page_size=500", "page_size", {422}),
}


def _error_body(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.headers
    return _problem(response.get_json(), response.status_code)


def _problem(body: dict, status: int) -> dict:
    """Check ``body`` is an RFC 9457 problem document for ``status`` with the `errors` extension member."""
    assert set(body) == {"type", "title", "status", "detail", "errors"}, body
    assert body["type"] == "about:blank" and body["status"] == status, body
    assert body["title"] == HTTPStatus(status).phrase and body["detail"], body
    assert isinstance(body["errors"], dict), body
    assert all(isinstance(ms, list) and all(isinstance(m, str) for m in ms) for ms in body["errors"].values()), body
    return body


def _names(body: dict, what: str) -> bool:
    return what.lower() in (body["detail"] + orjson.dumps(body["errors"]).decode()).lower()


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_gets_a_clear_4xx_naming_the_problem(client, url, case):
    query, named, statuses = BAD_INPUT[case]
    if url not in WITH_Q and query.startswith("q=") and 422 in statuses:
        named = "q"  # a list without q: the parameter is unknown, still named
    if url not in PAGED and query.startswith("page_size"):
        named = "page_size"
    response = client.get(f"{url}?{query}")
    assert response.status_code in statuses, (case, response.status_code, response.get_data(as_text=True)[:300])
    body = _error_body(response)
    assert _names(body, named), (case, body)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", sorted(DATED))
@pytest.mark.parametrize("value", ["2025-13-45", "2025-02-30", "2025-00", "0000-01-01", "25-06", "2025\n", "٢٠٢٥"])
def test_impossible_dates_are_422_naming_the_parameter(client, url, value):
    param = DATED[url]
    response = client.get(f"{url}?{param}={quote(value)}")
    assert response.status_code == 422, (value, response.get_data(as_text=True))
    body = _error_body(response)
    assert _names(body, param), body


@pytest.mark.parametrize(
    ("url", "low", "high"),
    [
        ("/api/v1/events", "date_from=2025-06", "date_to=2025-07"),
        ("/api/v1/figures", "period_from=2024", "period_to=2025"),
        ("/api/v1/figures", "published_from=2025-07-01", "published_to=2025-07-31"),
        ("/api/v1/figures", "value_min=1000", "value_max=30000"),
    ],
)
def test_an_inverted_window_is_empty(client, url, low, high):
    # A window whose start is after its end holds nothing; the same window the right way round holds something.
    upright = client.get(f"{url}?{low}&{high}&total=true").get_json()
    inverted_low, inverted_high = (
        low.split("=")[0] + "=" + high.split("=")[1],
        high.split("=")[0] + "=" + low.split("=")[1],
    )
    inverted = client.get(f"{url}?{inverted_low}&{inverted_high}&total=true")
    assert upright["total"] > 0 and inverted.status_code == 200
    assert inverted.get_json()["total"] == 0 and inverted.get_json()["items"] == []


FTS_INPUTS = ['"unbalanced', "NEAR(", "*", "a:b", "AND", "OR OR", '"', "-", "(troops", "^"]


@pytest.mark.parametrize("url", sorted(FTS))
@pytest.mark.parametrize("q", FTS_INPUTS)
def test_full_text_operators_and_quotes_are_answered_never_an_error(client, url, q):
    # Text that is not FTS5 syntax falls back to a search for its words (api.web.queries.fulltext).
    response = client.get(f"{url}?q={quote(q)}")
    assert response.status_code == 200, (q, response.status_code, response.get_data(as_text=True)[:300])
    if url != "/api/v1/search":
        export = client.get(f"{url}?q={quote(q)}&format=csv")
        assert export.status_code == 200, (q, export.get_data(as_text=True)[:300])


SQL_FRAGMENTS = [
    "' OR 1=1 --",
    "x' OR '1'='1",
    "1; DROP TABLE figures",
    '" UNION SELECT * FROM sqlite_master --',
    "') OR ('a'='a",
]


def test_sql_fragments_never_reach_sql_unparameterised(db_path, tmp_path, monkeypatch):
    copy = tmp_path / "claims.db"
    shutil.copyfile(db_path, copy)  # a new path: this thread opens a new (recording) connection
    statements: list[tuple[str, tuple]] = []
    real_connect = db.connect
    monkeypatch.setattr(db, "connect", lambda path: RecordingConnection(real_connect(path), statements))
    app = make_app(copy, TESTING=True)
    client = app.test_client()
    bound = 0
    for fragment in SQL_FRAGMENTS:
        value = quote(fragment)
        for url in (
            f"/api/v1/figures?metric={value}",
            f"/api/v1/figures?subject={value}&claimant={value}&source={value}",
            f"/api/v1/claims?metric={value}",
            f"/api/v1/events?entity={value}&source={value}",
            f"/api/v1/entities?q={value}",
            f"/api/v1/discrepancies?entity={value}",
            f"/api/v1/timeline?entity={value}",
            f"/api/v1/figures/{value}",
            f"/api/v1/entities/{value}/figures",
            f"/api/v1/search?q={quote(chr(34) + fragment.replace(chr(34), '') + chr(34))}",
            f"/api/v1/figures?sort={value}",
        ):
            before = len(statements)
            response = client.get(url)
            assert response.status_code in (200, 400, 404, 422), (url, response.get_data(as_text=True)[:300])
            if response.status_code == 200 and "items" in response.get_json():
                assert response.get_json()["items"] == [], url  # nothing matched (no phrase is in the texts either)
            for sql, params in statements[before:]:
                assert fragment not in sql, f"{fragment!r} inside the SQL text of {url}: {sql}"
                bound += sum(1 for p in params if isinstance(p, str) and fragment.replace('"', "") in p)
    assert bound > 0, "the fragments should have reached SQLite as bound parameters"
    assert statements, "no statement was recorded"


# ---- the query time limit ---------------------------------------------------------------------------

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
    """Read /events?format=ndjson 50 ms per chunk with a 100 ms limit: the rows read before any error."""
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
    response = app.test_client().get("/api/v1/events?format=ndjson", buffered=False)
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
    assert _slow_reader(db_path, tmp_path, monkeypatch, restart=True) == 47  # every event
    # With one deadline for the whole stream, the same slow reader loses the export part way.
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        _slow_reader(db_path, tmp_path, monkeypatch, restart=False)


# ---- read-only by construction ----------------------------------------------------------------------

METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND", "MKCOL", "LOCK"]
READ_URLS = [
    "/api/v1/figures",
    "/api/v1/figures/s000-additional-troops-up-to-30000",
    "/api/v1/claims",
    "/api/v1/events",
    "/api/v1/entities/Kiev",
    "/api/v1/search?q=troops",
    "/api/v1/discrepancies",
    "/api/v1/timeline",
    "/api/v1/metrics/troops-additional-planned/chart.svg",
    "/health",
    "/docs",
    "/openapi.json",
]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hostile_urls() -> list[str]:
    urls = []
    for query, _, _ in BAD_INPUT.values():
        urls += [f"/api/v1/figures?{query}", f"/api/v1/search?{query}"]
    for fragment in SQL_FRAGMENTS:
        urls += [f"/api/v1/figures?metric={quote(fragment)}", f"/api/v1/figures?q={quote(fragment)}"]
    urls += [f"/api/v1/events?q={quote(q)}" for q in FTS_INPUTS]
    return urls


def test_no_request_changes_a_byte_of_the_database(db_path, tmp_path):
    copy = tmp_path / "claims.db"
    shutil.copyfile(db_path, copy)
    before, mtime = _sha256(copy), copy.stat().st_mtime_ns
    app = make_app(copy, TESTING=True)
    client = app.test_client()
    statuses = set()
    for method in METHODS:
        for url in READ_URLS:
            response = client.open(url, method=method, data=b"DELETE FROM figures", content_type="text/plain")
            statuses.add(response.status_code)
            assert response.status_code < 500, (method, url)
    for url in _hostile_urls():
        for method in ("GET", "POST", "DELETE"):
            assert client.open(url, method=method).status_code < 500, (method, url)
    assert statuses >= {200, 301, 405}
    assert _sha256(copy) == before and copy.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.db"], "no journal, WAL or other file appeared"


def test_the_connection_refuses_to_write(db_path, tmp_path):
    copy = tmp_path / "claims.db"
    shutil.copyfile(db_path, copy)
    before = _sha256(copy)
    app = make_app(copy)
    with app.app_context():
        conn = db.get_db()
        assert conn.execute("PRAGMA query_only").fetchone()["query_only"] == 1
        for statement in (
            "DELETE FROM figures",
            "UPDATE build_info SET value = 'x'",
            "CREATE TABLE t (x)",
            "INSERT INTO metrics (id) VALUES ('x')",
            "DROP TABLE figures",
            "PRAGMA user_version = 7",
        ):
            with pytest.raises(sqlite3.OperationalError):
                conn.execute(statement)
        # mode=ro holds even with query_only switched off.
        conn.execute("PRAGMA query_only = OFF")
        try:
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                conn.execute("DELETE FROM figures")
        finally:
            conn.execute("PRAGMA query_only = ON")
    assert _sha256(copy) == before


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"])
@pytest.mark.parametrize("url", ["/api/v1/figures", "/api/v1/figures/anything", "/health", "/docs"])
def test_only_reads_are_served_other_methods_are_405_with_allow(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 405
    body = _error_body(response)
    assert method in body["detail"] and "method" in body["errors"]
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_cors_preflight_is_answered_for_reads_only(client):
    response = client.options(
        "/api/v1/figures",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "POST" not in response.headers["Allow"]


# ---- headers on every response ----------------------------------------------------------------------


def _assert_security_headers(headers):
    lower = {k.lower(): v for k, v in dict(headers).items()}
    assert lower["x-content-type-options"] == "nosniff"
    csp = lower["content-security-policy"]
    assert csp.startswith("default-src 'none'") and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert lower["referrer-policy"] == "no-referrer"
    assert "/" not in lower.get("server", "")  # gunicorn and nginx name themselves, without a version


def test_security_headers_are_on_errors_too(client, db_path, tmp_path):
    responses = {
        404: client.get("/api/v1/figures/nope"),
        405: client.post("/api/v1/figures"),
        422: client.get("/api/v1/figures?metirc=1"),
        400: client.get("/api/v1/figures?q=%zz"),
        414: client.get("/api/v1/figures?q=" + "a" * 10_000),
    }
    missing = make_app(tmp_path / "missing.db")
    responses[503] = missing.test_client().get("/api/v1/figures")
    for status, response in responses.items():
        assert response.status_code == status, response.get_data(as_text=True)
        _error_body(response)
        _assert_security_headers(response.headers)
        assert response.headers["Cache-Control"] == "no-store"


# ---- /health ----------------------------------------------------------------------------------------


def _health(path: Path):
    app = make_app(path)
    return app.test_client().get("/health")


def test_health_is_503_when_the_database_is_missing(tmp_path):
    response = _health(tmp_path / "nowhere" / "claims.db")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert _error_body(response)["detail"] == "The database is not available."


@pytest.mark.parametrize(
    "damage",
    ["garbage bytes", "empty file", "truncated to half", "truncated to the header", "header overwritten"],
)
def test_health_is_503_when_the_database_is_corrupt(db_path, tmp_path, damage):
    path = tmp_path / "claims.db"
    data = db_path.read_bytes()
    if damage == "garbage bytes":
        data = os.urandom(len(data))
    elif damage == "empty file":
        data = b""
    elif damage == "truncated to half":
        data = data[: len(data) // 2]
    elif damage == "truncated to the header":
        data = data[:100]
    elif damage == "header overwritten":
        data = b"\x00" * 512 + data[512:]
    path.write_bytes(data)
    response = _health(path)
    assert response.status_code == 503, response.get_data(as_text=True)
    assert _error_body(response)["status"] == 503
    _assert_security_headers(response.headers)


def test_health_recovers_when_a_good_database_is_renamed_into_place(db_path, tmp_path):
    path = tmp_path / "claims.db"
    path.write_bytes(b"not a database at all" * 100)
    app = make_app(path)
    client = app.test_client()
    assert client.get("/health").status_code == 503
    fresh = tmp_path / "claims.db.new"
    shutil.copyfile(db_path, fresh)
    os.replace(fresh, path)
    assert client.get("/health").status_code == 200


# ---- request logs -----------------------------------------------------------------------------------


def test_one_structured_log_line_per_request_on_stderr(db_path, capfd):
    app = make_app(db_path, LOG_REQUESTS=True)
    client = app.test_client()
    capfd.readouterr()
    client.get("/api/v1/figures?category=troops")
    client.get("/api/v1/figures/nope")
    client.delete("/api/v1/figures")
    lines = [orjson.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    assert [(entry["method"], entry["path"], entry["status"]) for entry in lines] == [
        ("GET", "/api/v1/figures", 200),
        ("GET", "/api/v1/figures/nope", 404),
        ("DELETE", "/api/v1/figures", 405),
    ]
    assert all(set(entry) == {"method", "path", "status", "client", "duration_ms"} for entry in lines)
    assert all(isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0 for entry in lines)


# ---- gunicorn's settings ----------------------------------------------------------------------------


def _gunicorn_config(env: dict) -> dict[str, str]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run(
        [str(gunicorn), "--config", "gunicorn.conf.py", "--print-config", "api.web:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    settings = {}
    for line in done.stdout.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            settings[name.strip()] = value.strip()
    return settings


def test_gunicorn_binds_to_loopback_unless_told_otherwise():
    env = {k: v for k, v in os.environ.items() if k != "CLAIMBASE_BIND"}
    settings = _gunicorn_config(env)
    assert settings["bind"] == "['127.0.0.1:8000']"
    assert settings["worker_class"] == "gthread"  # stock gunicorn: nginx in front does the rest (docs/deploying.md)
    assert settings["control_socket_disable"] == "True"
    assert (settings["limit_request_line"], settings["limit_request_fields"]) == ("8190", "100")
    assert _gunicorn_config({**env, "CLAIMBASE_BIND": "0.0.0.0:9000"})["bind"] == "['0.0.0.0:9000']"
    # Behind nginx, nginx enforces the limits and answers them itself: gunicorn's are opened up.
    behind = _gunicorn_config({**env, "CLAIMBASE_PROXIES": "1"})
    assert (behind["limit_request_line"], behind["limit_request_fields"]) == ("0", "32768")


# ---- over real HTTP, against gunicorn ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server(db_path, tmp_path_factory):
    """gunicorn (gunicorn.conf.py) over a copy of the session database, with request logs on."""
    workdir = tmp_path_factory.mktemp("hardening")
    copy = workdir / "claims.db"
    shutil.copyfile(db_path, copy)
    with serve(copy, workdir / "gunicorn.log", workers=1, threads=4, log_requests=True) as running:
        running.db_copy = copy
        yield running


def _raw(server, data: bytes):
    return parse_response(raw_request(server.port, data))


def _request(target: bytes, method: bytes = b"GET", extra: bytes = b"") -> bytes:
    return method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"Connection: close\r\n\r\n"


HTTP_BAD_INPUT = {
    # name: (raw request, statuses, what the message names). What gunicorn itself rejects (request line
    # or headers over its limits, a malformed request line) is nginx's to answer in production, in the
    # same shape: tests/test_stack.py.
    "invalid percent-encoding": (_request(b"/api/v1/figures?q=%zz"), {400}, "percent-encoding"),
    "invalid UTF-8, percent-encoded": (_request(b"/api/v1/figures?q=%C3%28"), {400}, "UTF-8"),
    "percent-encoded NUL": (_request(b"/api/v1/figures?q=a%00b"), {422}, "U+0000"),
    "1,000 repeated parameters": (_request(b"/api/v1/figures?" + b"&".join([b"q=a"] * 1000)), {422}, "q"),
    "TRACE": (_request(b"/api/v1/figures", method=b"TRACE"), {405}, "TRACE"),
    "DELETE with a body": (
        _request(b"/api/v1/figures", method=b"DELETE", extra=b"Content-Length: 11\r\n") + b"DROP TABLES",
        {405},
        "DELETE",
    ),
    "invalid percent-encoding in the path": (_request(b"/api/v1/figures/%zz"), {404}, "%zz"),
    "an impossible date": (_request(b"/api/v1/events?date_from=2025-13-45"), {422}, "date_from"),
}


@pytest.mark.server
@pytest.mark.parametrize("case", list(HTTP_BAD_INPUT))
def test_bad_requests_over_http_get_a_json_4xx_and_the_server_keeps_serving(server, case):
    data, statuses, named = HTTP_BAD_INPUT[case]
    status, headers, body = _raw(server, data)
    assert status in statuses, (case, status, body[:300])
    error = orjson.loads(body)
    _problem(error, status)
    assert named.lower() in (error["detail"] + orjson.dumps(error["errors"]).decode()).lower(), error
    assert headers["content-type"] == "application/problem+json"
    _assert_security_headers(headers)
    if status == 405:
        assert set(headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert headers["access-control-allow-origin"] == "*"
    assert server.alive() and get(server.base + "/health")[0] == 200


@pytest.mark.server
def test_no_server_version_and_security_headers_over_http(server):
    for url in ("/api/v1/figures", "/docs", "/api/v1/nothing", "/health"):
        status, headers, _ = get(server.base + url)
        assert status in (200, 404)
        _assert_security_headers(headers)
    status, headers, _ = _raw(server, _request(b"/api/v1/figures", method=b"OPTIONS"))
    assert status == 200 and headers["server"] == "gunicorn"  # stock gunicorn: its name, not its version


@pytest.mark.server
def test_query_time_limit_over_http(db_path, tmp_path):
    with serve(
        db_path, tmp_path / "gunicorn.log", workers=1, threads=2, env={"CLAIMBASE_QUERY_TIMEOUT_MS": "1"}
    ) as srv:
        status, headers, body = get(srv.base + SLOW_SEARCH)
        assert status == 503, body[:300]
        assert orjson.loads(body)["detail"] == "The query ran past the 1 ms time limit; narrow the filters."
        assert headers["Retry-After"] == "1"
        _assert_security_headers(headers)


@pytest.mark.server
def test_requests_over_http_do_not_change_the_database(server):
    before = _sha256(server.db_copy)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS", "HEAD"):
        for url in READ_URLS[:6]:
            payload = b"DELETE FROM figures;"
            data = _request(url.encode(), method=method.encode(), extra=b"Content-Length: %d\r\n" % len(payload))
            status, _, _ = _raw(server, data + payload)
            assert status < 500, (method, url, status)
    for url in _hostile_urls():
        if len(url) < 8000:
            assert get(server.base + url)[0] < 500, url
    assert _sha256(server.db_copy) == before


@pytest.mark.server
def test_gunicorn_writes_one_json_log_line_per_request_to_stderr(server):
    marker = f"/api/v1/figures/log-check-{time.time_ns()}"
    assert get(server.base + marker)[0] == 404
    assert get(server.base + "/api/v1/metrics?page_size=1")[0] == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [orjson.loads(line) for line in server.log().splitlines() if line.startswith("{")]
        mine = [entry for entry in lines if entry["path"] in (marker, "/api/v1/metrics")]
        if len(mine) >= 2:
            break
        time.sleep(0.05)
    assert {(e["method"], e["path"], e["status"]) for e in mine} >= {
        ("GET", marker, 404),
        ("GET", "/api/v1/metrics", 200),
    }
    assert all(set(e) == {"method", "path", "status", "client", "duration_ms"} for e in mine)
    assert {e["client"] for e in mine} == {"127.0.0.1"}


def test_too_many_values_limit_matches_the_document(client):
    spec = client.get("/openapi.json").get_json()
    params = spec["paths"]["/api/v1/figures"]["get"]["parameters"]
    assert {p["schema"].get("maxItems") for p in params if p["schema"].get("type") == "array"} == {MAX_PARAM_VALUES}
    just = "&".join(["metric=troops-deployed"] * MAX_PARAM_VALUES)
    assert client.get(f"/api/v1/figures?{just}").status_code == 200
    assert client.get(f"/api/v1/figures?{just}&metric=troops-deployed").status_code == 422

"""Read-only by construction: no request changes a byte of the database; other methods are 405."""

import shutil
import sqlite3

import pytest

from api.web import db
from scripts.servers import get
from tests.conftest import make_app
from tests.hostile import error_body, hostile_urls, raw, request, sha256

METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND", "MKCOL", "LOCK"]
READ_URLS = [
    "/api/v1/figures",
    "/api/v1/figures/s000-additional-troops-up-to-30000",
    "/api/v1/claims",
    "/api/v1/events",
    "/api/v1/entities/Kiev",
    "/api/v1/entities/north-korea/claims",  # deprecated path: a 301
    "/api/v1/search?q=troops",
    "/api/v1/discrepancies",
    "/api/v1/timeline",
    "/api/v1/metrics/troops-additional-planned/chart.svg",
    "/health",
    "/docs",
    "/openapi.json",
]


def test_no_request_changes_a_byte_of_the_database(db_path, tmp_path):
    copy = tmp_path / "claims.db"
    shutil.copyfile(db_path, copy)
    before, mtime = sha256(copy), copy.stat().st_mtime_ns
    app = make_app(copy, TESTING=True)
    client = app.test_client()
    statuses = set()
    for method in METHODS:
        for url in READ_URLS:
            response = client.open(url, method=method, data=b"DELETE FROM figures", content_type="text/plain")
            statuses.add(response.status_code)
            assert response.status_code < 500, (method, url)
    for url in hostile_urls():
        for method in ("GET", "POST", "DELETE"):
            assert client.open(url, method=method).status_code < 500, (method, url)
    assert statuses >= {200, 301, 405}
    assert sha256(copy) == before and copy.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.db"], "no journal, WAL or other file appeared"


def test_the_connection_refuses_to_write(db_path, tmp_path):
    copy = tmp_path / "claims.db"
    shutil.copyfile(db_path, copy)
    before = sha256(copy)
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
    assert sha256(copy) == before


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"])
@pytest.mark.parametrize("url", ["/api/v1/figures", "/api/v1/figures/anything", "/health", "/docs"])
def test_only_reads_are_served_other_methods_are_405_with_allow(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 405
    body = error_body(response)
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


@pytest.mark.server
def test_requests_over_http_do_not_change_the_database(logged_server):
    before = sha256(logged_server.db_copy)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS", "HEAD"):
        for url in READ_URLS[:6]:
            payload = b"DELETE FROM figures;"
            data = request(url.encode(), method=method.encode(), extra=b"Content-Length: %d\r\n" % len(payload))
            status, _, _ = raw(logged_server, data + payload)
            assert status < 500, (method, url, status)
    for url in hostile_urls():
        if len(url) < 8000:
            assert get(logged_server.base + url)[0] < 500, url
    assert sha256(logged_server.db_copy) == before

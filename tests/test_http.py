"""HTTP behaviour: caching, CORS, security headers, methods, aliases."""

import orjson
import pytest

from tests.conftest import ids


def test_etag_gives_304_without_a_body(client):
    first = client.get("/api/v1/figures?category=troops")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "public" in first.headers["Cache-Control"]
    again = client.get("/api/v1/figures?category=troops", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    other = client.get("/api/v1/figures?category=casualties", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag
    csv = client.get("/api/v1/figures?category=troops", headers={"Accept": "text/csv", "If-None-Match": etag})
    assert csv.status_code == 406


def test_cors_allows_get_from_any_origin(client):
    response = client.get("/api/v1/metrics", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    preflight = client.options(
        "/api/v1/figures", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", ["/api/v1/figures", "/docs", "/health", "/api/v1/nothing"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_reads_are_served(client, method):
    response = getattr(client, method)("/api/v1/figures")
    assert response.status_code == 405
    assert response.get_json()["status"] == 405


def test_an_alias_used_as_an_id_answers_as_the_canonical_entity(client):
    response = client.get("/api/v1/entities/Kiev")
    assert response.status_code == 200 and response.headers["Content-Location"] == "/api/v1/entities/kyiv"
    assert response.get_json()["id"] == "kyiv"
    response = client.get("/api/v1/entities/kim-jong-un-alias-free", follow_redirects=False)
    assert response.status_code == 404
    sub = client.get("/api/v1/entities/DPRK/figures?category=troops")
    assert sub.status_code == 200
    assert sub.headers["Content-Location"] == "/api/v1/entities/north-korea/figures?category=troops"


def test_entity_search_matches_names_and_aliases_case_insensitively(client):
    for q in ("kim jong-un", "Kim Jong Un", "KIM JONG UN"):
        assert "kim-jong-un" in ids(client.get(f"/api/v1/entities?q={q}"))
    assert ids(client.get("/api/v1/entities?q=kiev")) == ["kyiv"]
    assert set(ids(client.get("/api/v1/entities?type=person&q=town"))) == {"jenny-town"}


def test_unknown_paths_are_json_404s(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_root_redirects_to_the_docs(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/docs")


def test_a_weak_if_none_match_gives_304_as_a_strong_one_does(client):
    """nginx weakens the ETag of a response it compresses; a client sends it back as W/"…" (RFC 9110: weak comparison)."""
    etag = client.get("/api/v1/metrics").headers["ETag"]
    for sent in (etag, f"W/{etag}", f'"other", W/{etag}'):
        response = client.get("/api/v1/metrics", headers={"If-None-Match": sent})
        assert response.status_code == 304, sent
    assert client.get("/api/v1/metrics", headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_streamed_exports_tell_a_proxy_not_to_cache_them(client):
    export = client.get("/api/v1/figures.csv")
    export.close()
    assert export.status_code == 200 and export.headers["X-Accel-Expires"] == "0"
    assert "X-Accel-Expires" not in client.get("/api/v1/figures").headers
    asset = client.get("/docs/assets/swagger-ui.css")
    asset.close()
    assert "X-Accel-Expires" not in asset.headers  # a file sent as is: cacheable


def _logged_client(db_path, capfd, proxies: int, forwarded: str) -> str:
    from api.web import create_app

    app = create_app({"DATABASE": str(db_path), "LOG_REQUESTS": True, "PROXIES": proxies})
    capfd.readouterr()
    app.test_client().get(
        "/api/v1/metrics", headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    lines = [line for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    return orjson.loads(lines[-1])["client"]


def test_the_client_address_is_taken_from_the_proxy_only_when_configured(db_path, capfd):
    # nginx appends the address it saw to what the client sent: only that last one is trusted.
    assert _logged_client(db_path, capfd, 1, "6.6.6.6, 203.0.113.7") == "203.0.113.7"
    assert _logged_client(db_path, capfd, 0, "6.6.6.6, 203.0.113.7") == "127.0.0.1"

"""Security headers on every response, errors included, in-process and over real HTTP."""

import pytest

from scripts.servers import get
from tests.conftest import make_app
from tests.hostile import assert_security_headers, error_body, raw, request


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
        error_body(response)
        assert_security_headers(response.headers)
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.server
def test_no_server_version_and_security_headers_over_http(logged_server):
    for url in ("/api/v1/figures", "/docs", "/api/v1/nothing", "/health"):
        status, headers, _ = get(logged_server.base + url)
        assert status in (200, 404)
        assert_security_headers(headers)
    status, headers, _ = raw(logged_server, request(b"/api/v1/figures", method=b"OPTIONS"))
    assert status == 200 and headers["server"] == "gunicorn"  # stock gunicorn: its name, not its version

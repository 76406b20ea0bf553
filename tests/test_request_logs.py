"""Request logs: one JSON line per request on stderr, in-process and from gunicorn."""

import time

import orjson
import pytest

from scripts.servers import get
from tests.conftest import make_app


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


@pytest.mark.server
def test_gunicorn_writes_one_json_log_line_per_request_to_stderr(logged_server):
    marker = f"/api/v1/figures/log-check-{time.time_ns()}"
    assert get(logged_server.base + marker)[0] == 404
    assert get(logged_server.base + "/api/v1/metrics?page_size=1")[0] == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [orjson.loads(line) for line in logged_server.log().splitlines() if line.startswith("{")]
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

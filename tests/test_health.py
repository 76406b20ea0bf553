"""/health: 503 while the database is missing or damaged, 200 again once a good one is in place."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.hostile import assert_security_headers, error_body


def _health(path: Path):
    app = make_app(path)
    return app.test_client().get("/health")


def test_health_is_503_when_the_database_is_missing(tmp_path):
    response = _health(tmp_path / "nowhere" / "claims.db")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert error_body(response)["detail"] == "The database is not available."


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
    assert error_body(response)["status"] == 503
    assert_security_headers(response.headers)


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

"""Shared test fixtures: a real database built from the real fixtures."""

from pathlib import Path

import pytest

from api.build.database import build
from api.build.texts import texts_dir
from api.web import create_app


@pytest.fixture(scope="session")
def texts() -> Path:
    directory = texts_dir()
    assert directory.is_dir(), f"archived texts not found at {directory}; set CLAIMBASE_TEXTS"
    return directory


@pytest.fixture(scope="session")
def db_path(tmp_path_factory, texts) -> Path:
    """Build the database once per test session from fixtures/ and the texts."""
    path = tmp_path_factory.mktemp("db") / "claims.db"
    build(path, texts=texts)
    return path


@pytest.fixture(scope="session")
def app(db_path):
    return create_app({"DATABASE": str(db_path), "LOG_REQUESTS": False, "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def ids(response) -> list[str]:
    """The ids of a list response's items, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def get_all(client, url: str) -> list[dict]:
    """Follow next links and return every item of a list."""
    items = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        items.extend(body["items"])
        url = body["next"]
    return items


class RecordingConnection:
    """A sqlite3 connection that records every statement and its parameters."""

    def __init__(self, conn, log):
        self._conn, self._log = conn, log

    def execute(self, sql, params=()):
        self._log.append((sql, tuple(params)))
        return self._conn.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self._conn, name)

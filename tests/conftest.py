"""Shared test fixtures and helpers, each defined once.

Fixtures: ``texts`` (the archived articles), ``story_fixtures`` (fixtures/ with
the records of the eight texts the tests are written against, so that a ninth
article leaves their answers alone), ``curated`` (them loaded and validated), ``db_path`` (the real database built from
them), ``app`` and ``client`` on it, ``spec`` (the served OpenAPI
document), ``live_server`` (gunicorn on 127.0.0.1), ``made_up_db`` (the
story with reports months apart, tests/made_up.py) and ``synthetic_db`` (a
20,000-figure database from bench.synth through the same validated build, for
query plans at scale). Each is built once per session.
Helpers: ``make_app`` (an app with other settings), ``conforms`` (a body matches
its OpenAPI schema), ``get_json``, ``ids``, ``get_all`` and ``RecordingConnection``.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.builder.database import build
from api.builder.fixtures import DEFAULT_FIXTURES_DIR, load, load_and_validate
from api.builder.texts import texts_dir
from api.curate import holdout
from api.web import create_app
from bench.synth import generate
from scripts.servers import ServerError, serve
from tests.contract import problems
from tests.made_up import build_made_up


@pytest.fixture(scope="session")
def texts() -> Path:
    directory = texts_dir()
    assert directory.is_dir(), f"archived texts not found at {directory}; set CLAIMBASE_TEXTS"
    return directory


# The eight texts of the story the tests are written against: five of July 2025
# and three earlier ones (December 2024 to March 2025). A curator's ninth
# article goes through every check of `make check` and `make coverage`, but
# does not change the answers these tests expect.
STORY = (
    "000_81b5157b7223320f.txt",
    "001_6b8e2fb9c51fcc7a.txt",
    "002_5f8f5cb27fcb0712.txt",
    "003_29103217c3c52d72.txt",
    "004_cb8d72b256956e0a.txt",
    "005_d469bed3ecb4c8e0.txt",
    "006_9adaa5d9c6e9271c.txt",
    "007_fd37fedd133184fd.txt",
)


@pytest.fixture(scope="session")
def story_fixtures(tmp_path_factory) -> Path:
    """fixtures/ with the records of the STORY texts only (fixtures/ itself when it holds nothing else)."""
    fx, problems = load(DEFAULT_FIXTURES_DIR)
    assert problems == [], problems[:3]
    assert set(STORY) <= {s["filename"] for s in fx.data("sources")}, "a text of the story is not curated"
    others = [s["id"] for s in fx.data("sources") if s["filename"] not in STORY]
    if not others:
        return DEFAULT_FIXTURES_DIR
    out = tmp_path_factory.mktemp("story") / "fixtures"
    holdout.write(DEFAULT_FIXTURES_DIR, others, out)
    return out


@pytest.fixture(scope="session")
def curated(story_fixtures, texts):
    """The story's fixtures, loaded and validated once; a test that changes them changes a deepcopy."""
    return load_and_validate(story_fixtures, texts)


@pytest.fixture(scope="session")
def db_path(tmp_path_factory, story_fixtures, texts) -> Path:
    """Build the database once per test session from the story's fixtures and the texts."""
    path = tmp_path_factory.mktemp("db") / "claims.db"
    build(path, story_fixtures, texts)
    return path


@pytest.fixture(scope="session")
def made_up_db(tmp_path_factory, story_fixtures, texts) -> Path:
    """The made-up variant of the story (tests/made_up.py: reports months apart), built once per session."""
    return build_made_up(story_fixtures, texts, tmp_path_factory.mktemp("made-up"))


SYNTHETIC_FIGURES = 20_000


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory) -> Path:
    """A synthetic database large enough for the planner's statistics to look like production's."""
    out = tmp_path_factory.mktemp("synth")
    generate(out, figures=SYNTHETIC_FIGURES, sources=400, entities=200, claims=4000, events=400, seed=7)
    path = out / "claims.db"
    build(path, out / "fixtures", out / "texts")
    return path


def make_app(path, **config):
    """An app on the database at ``path`` with the given settings (no request log)."""
    return create_app({"DATABASE": str(path), "LOG_REQUESTS": False, **config})


@pytest.fixture(scope="session")
def app(db_path):
    return make_app(db_path, TESTING=True)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(db_path, tmp_path_factory) -> Iterator[str]:
    """The app on a real gunicorn at 127.0.0.1:<free port> over ``db_path``; yields the base URL."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    try:
        with serve(db_path, log_path, workers=1, threads=2) as server:
            yield server.base
    except ServerError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def spec(app):
    """The OpenAPI document the app serves."""
    return app.test_client().get("/openapi.json").get_json()


def conforms(spec, name, body):
    """Assert that ``body`` matches the schema ``name`` of ``spec`` (a stock OAS 3.1 validator, tests/contract.py)."""
    errors = problems(spec, name, body)
    assert not errors, errors[:5]


# Sources of the curated fixtures that several test files name.
PREPARING = "nk-preparing-up-to-30000-more-troops"  # published 2025-07-02 (its own date line)
KILLED_100 = "at-least-100-nk-soldiers-killed"  # published 2024-12-19 (archive metadata)
KILLED_WOUNDED_3000 = "over-3000-nk-troops-killed-wounded"  # undated; assumed 2024-12-23 (a statement's date)
PRESUMED_3000 = "nk-presumed-to-send-3000-more-troops"  # published 2025-03-27 (archive metadata)
CNN = "cnn-nk-up-to-30000-troops"
PLANS = "nk-plans-30000-more-troops"
TRIPLE = "nk-reportedly-preparing-to-triple-troops"
BUILD_UP = "russia-north-korea-troop-build-up"
ON_THE_DATED_SOURCE = (
    "known_at=2025-07-02"  # the publication day of PREPARING (KILLED_100 and PRESUMED_3000 are known too)
)


def get_json(client, url: str):
    """GET ``url``, assert a 200 and return the JSON body."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


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


@pytest.fixture(scope="session")
def logged_server(db_path, tmp_path_factory):
    """gunicorn (gunicorn.conf.py) over a copy of the session database, with request logs on."""
    workdir = tmp_path_factory.mktemp("logged")
    copy = workdir / "claims.db"
    shutil.copyfile(db_path, copy)
    with serve(copy, workdir / "gunicorn.log", workers=1, threads=4, log_requests=True) as running:
        running.db_copy = copy
        yield running

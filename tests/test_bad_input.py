"""Bad input never hurts: every list answers each kind of bad input with a clear 4xx naming the problem.

The matrix sends each kind of bad input (docs/hardening.md) to every list endpoint and checks the
answer is a problem document naming the parameter or the problem, never a 500; in-process and over
real HTTP against gunicorn.
"""

import shutil
from urllib.parse import quote

import orjson
import pytest

from api.web import db
from api.web.guard import MAX_PARAM_VALUES
from scripts.servers import get
from tests.conftest import RecordingConnection, make_app
from tests.hostile import (
    BAD_INPUT,
    FTS_INPUTS,
    SQL_FRAGMENTS,
    assert_security_headers,
    error_body,
    names,
    problem,
    raw,
    request,
)

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
    body = error_body(response)
    assert names(body, named), (case, body)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", sorted(DATED))
@pytest.mark.parametrize("value", ["2025-13-45", "2025-02-30", "2025-00", "0000-01-01", "25-06", "2025\n", "٢٠٢٥"])
def test_impossible_dates_are_422_naming_the_parameter(client, url, value):
    param = DATED[url]
    response = client.get(f"{url}?{param}={quote(value)}")
    assert response.status_code == 422, (value, response.get_data(as_text=True))
    body = error_body(response)
    assert names(body, param), body


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


@pytest.mark.parametrize("url", sorted(FTS))
@pytest.mark.parametrize("q", FTS_INPUTS)
def test_full_text_operators_and_quotes_are_answered_never_an_error(client, url, q):
    # Text that is not FTS5 syntax falls back to a search for its words (api.web.queries.fulltext).
    response = client.get(f"{url}?q={quote(q)}")
    assert response.status_code == 200, (q, response.status_code, response.get_data(as_text=True)[:300])
    if url != "/api/v1/search":
        export = client.get(f"{url}.csv?q={quote(q)}")
        assert export.status_code == 200, (q, export.get_data(as_text=True)[:300])


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


def test_too_many_values_limit_matches_the_document(client):
    spec = client.get("/openapi.json").get_json()
    params = spec["paths"]["/api/v1/figures"]["get"]["parameters"]
    assert {p["schema"].get("maxItems") for p in params if p["schema"].get("type") == "array"} == {MAX_PARAM_VALUES}
    just = "&".join(["metric=troops-deployed"] * MAX_PARAM_VALUES)
    assert client.get(f"/api/v1/figures?{just}").status_code == 200
    assert client.get(f"/api/v1/figures?{just}&metric=troops-deployed").status_code == 422


HTTP_BAD_INPUT = {
    # name: (raw request, statuses, what the message names). What gunicorn itself rejects (request line
    # or headers over its limits, a malformed request line) is nginx's to answer in production, in the
    # same shape: tests/test_stack.py.
    "invalid percent-encoding": (request(b"/api/v1/figures?q=%zz"), {400}, "percent-encoding"),
    "invalid UTF-8, percent-encoded": (request(b"/api/v1/figures?q=%C3%28"), {400}, "UTF-8"),
    "percent-encoded NUL": (request(b"/api/v1/figures?q=a%00b"), {422}, "U+0000"),
    "1,000 repeated parameters": (request(b"/api/v1/figures?" + b"&".join([b"q=a"] * 1000)), {422}, "q"),
    "TRACE": (request(b"/api/v1/figures", method=b"TRACE"), {405}, "TRACE"),
    "DELETE with a body": (
        request(b"/api/v1/figures", method=b"DELETE", extra=b"Content-Length: 11\r\n") + b"DROP TABLES",
        {405},
        "DELETE",
    ),
    "invalid percent-encoding in the path": (request(b"/api/v1/figures/%zz"), {404}, "%zz"),
    "an impossible date": (request(b"/api/v1/events?date_from=2025-13-45"), {422}, "date_from"),
}


@pytest.mark.server
@pytest.mark.parametrize("case", list(HTTP_BAD_INPUT))
def test_bad_requests_over_http_get_a_json_4xx_and_the_server_keeps_serving(logged_server, case):
    data, statuses, named = HTTP_BAD_INPUT[case]
    status, headers, body = raw(logged_server, data)
    assert status in statuses, (case, status, body[:300])
    error = orjson.loads(body)
    problem(error, status)
    assert named.lower() in (error["detail"] + orjson.dumps(error["errors"]).decode()).lower(), error
    assert headers["content-type"] == "application/problem+json"
    assert_security_headers(headers)
    if status == 405:
        assert set(headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert headers["access-control-allow-origin"] == "*"
    assert logged_server.alive() and get(logged_server.base + "/health")[0] == 200

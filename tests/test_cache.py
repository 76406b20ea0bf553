"""The response cache: a hit answers exactly what the database would, for the build it was made from."""

import shutil
from pathlib import Path

from api.build.database import build
from api.web.cache import ResponseCache
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent


def test_a_hit_answers_what_the_database_answers(db_path):
    app = make_app(db_path, RESPONSE_CACHE_MB=16)
    cache = app.extensions["claimbase_cache"]
    uncached = make_app(db_path, RESPONSE_CACHE_MB=0).test_client()
    client = app.test_client()
    url = "/api/v1/figures?category=troops&sort=source,period&page_size=5"
    first, second = client.get(url), client.get(url)
    assert (cache.misses, cache.hits) == (1, 1)
    reference = uncached.get(url)
    for response in (first, second):
        assert response.status_code == 200
        assert response.get_data() == reference.get_data()
        for header in ("ETag", "Link", "Access-Control-Allow-Origin", "Content-Security-Policy", "Content-Type"):
            assert response.headers[header] == reference.headers[header], header


def test_accept_is_part_of_the_key(db_path):
    client = make_app(db_path, RESPONSE_CACHE_MB=16).test_client()
    url = "/api/v1/claims/nk-additional-deployment-size"
    json_ld = client.get(url, headers={"Accept": "application/ld+json"})
    plain = client.get(url)
    assert json_ld.mimetype == "application/ld+json" and plain.mimetype == "application/json"
    assert json_ld.get_data() != plain.get_data()


def test_errors_and_exports_are_not_cached(db_path):
    app = make_app(db_path, RESPONSE_CACHE_MB=16)
    client = app.test_client()
    for url in ("/api/v1/figures?metirc=x", "/api/v1/figures/nope", "/api/v1/figures?format=csv"):
        client.get(url).get_data()
        client.get(url).get_data()
    assert app.extensions["claimbase_cache"].entries == {}


def test_a_new_build_empties_the_cache(db_path, tmp_path, texts):
    served = tmp_path / "claims.db"
    shutil.copyfile(db_path, served)
    app = make_app(served, RESPONSE_CACHE_MB=16)
    client = app.test_client()
    before = client.get("/health").get_json()["build_id"]
    body = client.get("/api/v1/metrics").get_data()
    assert len(app.extensions["claimbase_cache"].entries) == 1
    # A different build (one more metric) renamed over the served file.
    fixtures = tmp_path / "fixtures"
    shutil.copytree(ROOT / "fixtures", fixtures)
    with open(fixtures / "metrics.yaml", "a", encoding="utf-8") as fh:
        fh.write(
            "- {id: test-metric-added, label: Test, unit: units, category: troops, description: Added., parent: null}\n"
        )
    build(tmp_path / "next.db", fixtures, texts)
    shutil.move(tmp_path / "next.db", served)
    after = client.get("/health").get_json()["build_id"]
    assert after != before
    new_body = client.get("/api/v1/metrics").get_data()
    assert new_body != body and b"test-metric-added" in new_body


def test_the_budget_evicts_the_least_recently_used():
    cache = ResponseCache(budget=1000)
    assert cache.get("b", ("0",)) is None  # a lookup (as every request makes) binds the cache to build "b"
    for i in range(5):
        cache.put("b", (str(i),), (200, b"x" * 300, "application/json", []))
    assert cache.used <= 1000
    assert cache.get("b", ("4",)) is not None and cache.get("b", ("0",)) is None
    assert cache.get("other-build", ("4",)) is None and cache.entries == {}


def test_zero_turns_the_cache_off(db_path):
    app = make_app(db_path, RESPONSE_CACHE_MB=0)
    client = app.test_client()
    client.get("/api/v1/metrics")
    client.get("/api/v1/metrics")
    cache = app.extensions["claimbase_cache"]
    assert cache.hits == cache.misses == 0


def test_the_key_is_the_raw_query_string(db_path):
    """Werkzeug decodes a query string's bytes with replacement, so raw U+FFFD and a byte that is
    not UTF-8 look alike once decoded; only the first is valid, and a hit must not answer the second."""
    app = make_app(db_path, RESPONSE_CACHE_MB=16)
    client = app.test_client()
    path = "/api/v1/figures"
    # WSGI environ strings carry bytes as latin-1.
    valid = client.get(path, environ_overrides={"QUERY_STRING": "q=\xef\xbf\xbd"})
    assert valid.status_code == 200 and len(app.extensions["claimbase_cache"].entries) == 1
    invalid = client.get(path, environ_overrides={"QUERY_STRING": "q=\xff"})
    assert invalid.status_code == 400, invalid.get_json()
    assert "UTF-8" in invalid.get_json()["detail"]


def test_a_conditional_request_gets_a_304_even_when_cached(db_path):
    client = make_app(db_path, RESPONSE_CACHE_MB=16).test_client()
    url = "/api/v1/metrics"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Access-Control-Allow-Origin"] == "*"

"""Every endpoint answers with its documented shape, 404 for unknown ids, 4xx for bad input."""

import pytest

from tests.conftest import conforms

LISTS = {
    "/api/v1/sources": "SourceList",
    "/api/v1/entities": "EntityList",
    "/api/v1/metrics": "MetricList",
    "/api/v1/figures": "FigureList",
    "/api/v1/events": "EventList",
    "/api/v1/claims": "ClaimList",
    "/api/v1/sources/nk-preparing-up-to-30000-more-troops/figures": "FigureList",
    "/api/v1/sources/nk-preparing-up-to-30000-more-troops/events": "EventList",
    "/api/v1/entities/north-korea/figures": "FigureList",
    "/api/v1/entities/sergei-shoigu/events": "EventList",
    "/api/v1/entities/ukrainian-officials/claims-made": "ClaimList",
    "/api/v1/entities/north-korea/claims-about": "ClaimList",
}
ITEMS = {
    "/api/v1/sources/nk-preparing-up-to-30000-more-troops": "Source",
    "/api/v1/entities/kim-jong-un": "Entity",
    "/api/v1/metrics/troops-deployed": "Metric",
    "/api/v1/figures/s002-additional-troops-up-to-30000": "Figure",
    "/api/v1/events/ropucha-ship-docks-at-dunai-2025-05": "Event",
    "/api/v1/claims/nk-additional-deployment-size": "Claim",
    "/health": "Health",
}


@pytest.mark.parametrize("url", sorted(LISTS))
def test_list_endpoints_return_their_documented_shape(client, spec, url):
    response = client.get(url + ("&" if "?" in url else "?") + "total=true")
    assert response.status_code == 200
    body = response.get_json()
    conforms(spec, LISTS[url], body)
    assert body["items"], url
    assert body["total"] >= len(body["items"])


@pytest.mark.parametrize("url", sorted(ITEMS))
def test_item_endpoints_return_their_documented_shape(client, spec, url):
    response = client.get(url)
    assert response.status_code == 200
    conforms(spec, ITEMS[url], response.get_json())


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sources/no-such-source",
        "/api/v1/entities/no-such-entity",
        "/api/v1/metrics/no-such-metric",
        "/api/v1/figures/no-such-figure",
        "/api/v1/events/no-such-event",
        "/api/v1/claims/no-such-claim",
        "/api/v1/sources/no-such-source/figures",
        "/api/v1/entities/no-such-entity/events",
    ],
)
def test_unknown_ids_are_json_404s(client, spec, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    conforms(spec, "Error", response.get_json())
    assert "no-such" in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("url", "status", "param"),
    [
        ("/api/v1/figures?metirc=troops", 422, "metirc"),
        ("/api/v1/figures?page_size=0", 422, "page_size"),
        ("/api/v1/figures?page_size=501", 422, "page_size"),
        ("/api/v1/figures?page_size=-5", 422, "page_size"),
        ("/api/v1/figures?period_from=2025-13-45", 422, "period_from"),
        ("/api/v1/figures?published_to=June", 422, "published_to"),
        ("/api/v1/figures?value_min=abc", 422, "value_min"),
        ("/api/v1/figures?sort=colour", 422, "sort"),
        ("/api/v1/figures?hedge=roughly", 422, "hedge"),
        ("/api/v1/figures?category=weather", 422, "category"),
        ("/api/v1/figures?claimant=nobody-at-all", 422, "claimant"),
        ("/api/v1/figures?cursor=not-a-cursor", 400, "cursor"),
        ("/api/v1/figures?format=xml", 422, "format"),
        ("/api/v1/events?source=999", 422, "source"),
        ("/api/v1/entities?type=planet", 422, "type"),
        ("/api/v1/claims?min_sources=-1", 422, "min_sources"),
        ("/api/v1/sources?stance=angry", 422, "stance"),
        ("/api/v1/metrics?unknown=1", 422, "unknown"),
    ],
)
def test_bad_parameters_are_4xx_naming_the_parameter(client, spec, url, status, param):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    conforms(spec, "Error", body)
    assert param in body["errors"], body
    if status == 422:  # a validation summary names the parameter
        assert param in body["detail"], body
    else:  # a query that cannot be answered: the summary is that parameter's error
        assert body["detail"] in body["errors"][param], body


def test_cursor_from_another_sort_is_rejected(client):
    first = client.get("/api/v1/figures?page_size=2&sort=value").get_json()
    response = client.get(f"/api/v1/figures?page_size=2&sort=id&cursor={first['next_cursor']}")
    assert response.status_code == 400


def test_health_reports_the_build(client, db_path):
    import sqlite3

    body = client.get("/health").get_json()
    with sqlite3.connect(db_path) as conn:
        build_id = conn.execute("SELECT value FROM build_info WHERE key = 'build_id'").fetchone()[0]
        figures = conn.execute("SELECT count(*) FROM figures").fetchone()[0]
    assert body["status"] == "ok" and body["build_id"] == build_id and body["counts"]["figures"] == figures

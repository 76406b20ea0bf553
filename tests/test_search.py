"""Search: every kind of record matching a full-text query, ranked by bm25.

Every expected answer below was read off the five archived texts through the
curated fixtures; they are asserted exactly.
"""

import pytest

from tests.conftest import conforms, get_all, get_json


def test_search_finds_an_entity_by_its_alias(client):
    kiev = get_json(client, "/api/v1/search?q=Kiev")["items"]
    assert (kiev[0]["type"], kiev[0]["id"], kiev[0]["url"], kiev[0]["title"]) == (
        "entity",
        "kyiv",
        "/api/v1/entities/kyiv",
        "Kyiv",
    )
    assert "<mark>Kiev</mark>" in kiev[0]["snippet"]
    kim = get_json(client, '/api/v1/search?q="Kim Jong-un"&type=entity')["items"]
    assert kim[0]["id"] == "kim-jong-un" and kim[0]["title"] == "Kim Jong Un"


def test_search_links_a_citation_match_to_its_event(client):
    items = get_json(client, "/api/v1/search?q=Kiev&type=event")["items"]
    by_id = {i["id"]: i for i in items}
    hit = by_id["white-house-halts-weapons-transfers-to-kyiv-2025-07"]
    assert hit["type"] == "event" and hit["matched"] == "event_citation"
    assert hit["url"] == "/api/v1/events/white-house-halts-weapons-transfers-to-kyiv-2025-07"
    assert "<mark>Kiev</mark>" in hit["snippet"]


def test_search_ranks_one_result_per_record(client, spec):
    body = get_json(client, "/api/v1/search?q=Ropucha&total=true")
    conforms(spec, "SearchResultList", body)
    keys = [(i["type"], i["id"]) for i in body["items"]]
    assert len(keys) == len(set(keys)) == body["total"]
    assert [i["score"] for i in body["items"]] == sorted(i["score"] for i in body["items"])
    assert {"entity", "claim", "event", "figure"} <= {t for t, _ in keys}
    assert all(i["type"] == "figure" for i in get_json(client, "/api/v1/search?q=Ropucha&type=figure")["items"])
    paged = get_all(client, "/api/v1/search?q=Ropucha&page_size=2")
    assert [(i["type"], i["id"]) for i in paged] == keys


@pytest.mark.parametrize(
    ("query", "status", "hint"),
    [
        ("q=Kim Jong-un", 400, "double quotes"),
        ("q=AND", 400, "syntax error"),
        ("q=%22unclosed", 400, "unterminated"),
        ("q=", 422, None),
        ("type=planet&q=Kiev", 422, None),
        ("", 422, None),
    ],
)
def test_search_errors(client, query, status, hint):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == status
    body = response.get_json()
    assert set(body["errors"]["query"]) <= {"q", "type"}
    if hint:
        assert hint in body["message"]

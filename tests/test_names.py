"""Id filters understand names: ids, aliases, any case; sources by file name; 422 with suggestions otherwise."""

import pytest

from tests.conftest import get_all

# Every id filter of every list, facet and nested list, with a canonical id and other names for it.
FILTERS = [
    ("/api/v1/figures", "claimant", "sergei-shoigu", ["Shoigu", "SHOIGU", "Sergei Shoigu", "sergei shoigu"]),
    ("/api/v1/figures", "subject", "north-korea", ["DPRK", "North Korea", "north korea", "North-Korea"]),
    ("/api/v1/figures", "claimant", "ukrainian-intelligence", ["Ukraine Intel", "ukraine's defense intelligence"]),
    ("/api/v1/figures", "source", "russia-north-korea-troop-build-up", ["001", "001_6b8e2fb9c51fcc7a"]),
    ("/api/v1/figures", "source", "russia-north-korea-troop-build-up", ["001_6b8e2fb9c51fcc7a.txt"]),
    ("/api/v1/figures", "metric", "troops-deployed", ["Troops-Deployed", "troops deployed"]),
    ("/api/v1/figures", "claim", "nk-additional-deployment-size", ["NK-Additional-Deployment-Size"]),
    ("/api/v1/events", "entity", "sergei-shoigu", ["Shoigu"]),
    ("/api/v1/events", "source", "cnn-nk-up-to-30000-troops", ["003", "003_29103217c3c52d72.txt"]),
    ("/api/v1/claims", "subject", "north-korea", ["DPRK"]),
    ("/api/v1/claims", "claimant", "ukrainian-intelligence", ["Ukraine Intel"]),
    ("/api/v1/claims", "source", "nk-plans-30000-more-troops", ["000"]),
    ("/api/v1/sources", "cites", "cnn", ["CNN"]),
    ("/api/v1/discrepancies", "entity", "north-korea", ["DPRK"]),
    ("/api/v1/discrepancies", "source", "cnn-nk-up-to-30000-troops", ["003"]),
    ("/api/v1/entities/north-korea/figures", "claimant", "sergei-shoigu", ["Shoigu"]),
    ("/api/v1/sources/cnn-nk-up-to-30000-troops/figures", "subject", "north-korea", ["DPRK"]),
]


@pytest.mark.parametrize(("url", "param", "canonical", "names"), FILTERS)
def test_a_name_filters_like_its_id(client, url, param, canonical, names):
    expected = get_all(client, f"{url}?{param}={canonical}")
    assert expected, f"{url}?{param}={canonical} should match something"
    for name in names:
        assert get_all(client, f"{url}?{param}={name}") == expected, name


def test_a_name_counts_like_its_id_in_facets_and_the_timeline(client):
    by_id = client.get("/api/v1/figures/facets?facet=metric&claimant=sergei-shoigu").get_json()
    assert by_id["total"] > 0
    assert client.get("/api/v1/figures/facets?facet=metric&claimant=Shoigu").get_json() == by_id
    timeline = client.get("/api/v1/timeline?entity=sergei-shoigu").get_json()
    assert timeline["items"] and client.get("/api/v1/timeline?entity=shoigu").get_json() == timeline
    summary = client.get("/api/v1/metrics/troops-additional-planned/summary?subject=north-korea").get_json()
    assert client.get("/api/v1/metrics/troops-additional-planned/summary?subject=DPRK").get_json() == summary


def test_names_and_ids_mix_in_a_repeated_filter(client):
    both = get_all(client, "/api/v1/figures?claimant=sergei-shoigu&claimant=ukrainian-intelligence")
    assert both == get_all(client, "/api/v1/figures?claimant=Shoigu&claimant=Ukraine%20Intel")
    assert {f["claimant"]["id"] for f in both} == {"sergei-shoigu", "ukrainian-intelligence"}
    # The same record named twice is one filter value.
    assert get_all(client, "/api/v1/figures?claimant=Shoigu&claimant=sergei-shoigu") == get_all(
        client, "/api/v1/figures?claimant=sergei-shoigu"
    )


@pytest.mark.parametrize(
    ("url", "param", "value", "suggested"),
    [
        ("/api/v1/figures", "claimant", "Umerovv", "rustem-umerov"),
        ("/api/v1/figures", "subject", "north-koreaa", "north-korea"),
        ("/api/v1/figures", "metric", "troops-deploy", "troops-deployed"),
        ("/api/v1/figures", "source", "009", None),
        ("/api/v1/figures", "source", "001_6b8e2fb9c51fcc7b.txt", "russia-north-korea-troop-build-up"),
        ("/api/v1/figures/facets?facet=metric", "event", "shoigu-visits-pyongyang", "shoigu-visits-pyongyang-2025-06"),
        ("/api/v1/events", "entity", "Shoigoo", "sergei-shoigu"),
        ("/api/v1/claims", "claimant", "nobody", None),
        ("/api/v1/sources", "cites", "CNNN", "cnn"),
        ("/api/v1/discrepancies", "metric", "troops", None),
        ("/api/v1/timeline", "entity", "Kremlinn", None),
        ("/api/v1/metrics/troops-deployed/summary", "subject", "Nort Korea", "north-korea"),
        ("/api/v1/entities/north-korea/figures", "claimant", "Shoigoo", "sergei-shoigu"),
    ],
)
def test_a_value_that_names_nothing_is_a_422_naming_it_with_suggestions(client, url, param, value, suggested):
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}{param}={value}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body["errors"]) == {param}
    message = body["errors"][param][0]
    assert param in body["detail"] and repr(value) in body["detail"] and repr(value) in message
    if suggested:
        assert "Closest known ids:" in message and suggested in message.split("Closest known ids:")[1], message


def test_an_id_that_exists_but_matches_nothing_is_an_empty_200(client):
    # Rustem Umerov is a known entity, but no figure credits him as claimant.
    assert client.get("/api/v1/entities/rustem-umerov").status_code == 200
    response = client.get("/api/v1/figures?claimant=Umerov&total=true")
    assert response.status_code == 200 and response.get_json()["total"] == 0
    # No figure is tied to an event in these fixtures: a known event (in any case) is an empty list.
    assert client.get("/api/v1/events/shoigu-visits-pyongyang-2025-06").status_code == 200
    response = client.get("/api/v1/figures?event=Shoigu-Visits-Pyongyang-2025-06&total=true")
    assert response.status_code == 200 and response.get_json()["total"] == 0


def test_the_document_says_which_names_a_filter_takes(client):
    spec = client.get("/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/figures"]["get"]["parameters"]}
    assert "alias" in params["claimant"]["description"] and "422" in params["claimant"]["description"]
    assert "file name" in params["source"]["description"]
    assert "names no record" in spec["paths"]["/api/v1/figures"]["get"]["responses"]["422"]["description"]

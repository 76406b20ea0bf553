"""Claims: corroboration across sources (counts, origins, filters) and claims as schema.org JSON-LD.

Every expected answer below was read off the five archived texts through the
curated fixtures; they are asserted exactly.
"""

import csv
import io

from tests.conftest import BUILD_UP, CNN, PLANS, PREPARING, TRIPLE, get_all, get_json, ids


def test_claims_reported_only_through_cnn_have_one_origin(client):
    claims = get_all(client, "/api/v1/claims?page_size=100")
    via_cnn = {c["id"]: c for c in claims if all((f["via"] or {}).get("id") == "cnn" for f in c["figures"])}
    assert sorted(via_cnn) == [
        "russian-statements-mine-clearers-builders",
        "tens-of-thousands-to-move",
        "town-phased-deployment",
    ]
    assert {c["origin_count"] for c in via_cnn.values()} == {1}
    # Two articles, both citing CNN's report: two sources, one independent origin.
    tens = via_cnn["tens-of-thousands-to-move"]
    assert (tens["source_count"], tens["origin_count"]) == (2, 1)
    assert sorted(f["source"]["id"] for f in tens["figures"]) == [CNN, TRIPLE]
    assert ids(client.get("/api/v1/claims?min_sources=2&max_origins=1")) == ["tens-of-thousands-to-move"]


def test_corroboration_counts_and_filters(client):
    claim = get_json(client, "/api/v1/claims/nk-additional-deployment-size")
    assert (claim["source_count"], claim["origin_count"]) == (5, 2)
    assert sorted({f["origin"] for f in claim["figures"]}) == ["entity:cnn", f"source:{PREPARING}"]
    assert ids(client.get("/api/v1/claims?max_origins=1&page_size=100")) == [
        "nk-artillery-systems-supplied",
        "recruits-age",
        "ropucha-troop-capacity",
        "russian-statements-mine-clearers-builders",
        "tens-of-thousands-to-move",
        "town-phased-deployment",
        "western-additional-deployment-estimate",
    ]
    assert ids(client.get("/api/v1/claims?min_origins=3&page_size=100")) == [
        "nk-first-deployment-casualties",
        "nk-first-deployment-size",
        "south-korea-additional-troops-2025",
        "un-report-missiles-supplied",
        "un-report-shells-supplied",
    ]
    top = get_json(client, "/api/v1/claims?sort=-origins&page_size=1")["items"][0]
    assert (top["id"], top["origin_count"], top["source_count"]) == ("nk-first-deployment-size", 6, 7)


LD = {"Accept": "application/ld+json"}


def test_claim_as_schema_org_json_ld(client):
    response = client.get("/api/v1/claims/nk-additional-deployment-size", headers=LD)
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    body = response.get_json(force=True)
    assert body["@context"] == "https://schema.org" and body["@type"] == "Claim"
    assert body["@id"] == "http://localhost/api/v1/claims/nk-additional-deployment-size"
    assert body["text"] == get_json(client, "/api/v1/claims/nk-additional-deployment-size")["statement"]
    assert [(a["@type"], a["name"]) for a in body["author"]] == [
        ("Organization", "Ukrainian intelligence assessment"),
        ("Organization", "Ukrainian officials"),
        ("Organization", "Ukrainian intelligence"),
    ]
    assert [a["@id"].removeprefix("http://localhost/api/v1/sources/") for a in body["appearance"]] == [
        PREPARING,
        CNN,
        PLANS,
        TRIPLE,
        BUILD_UP,
    ]
    assert {a["@type"] for a in body["appearance"]} == {"NewsArticle"}
    assert body["firstAppearance"] == {
        "@type": "NewsArticle",
        "@id": f"http://localhost/api/v1/sources/{PREPARING}",
        "datePublished": "2025-07-02",
    }
    assert (
        body["appearance"][1]["headline"]
        == "CNN: North Korea plans to send up to 30,000 troops to support Russian forces"
    )


def test_json_ld_person_author_and_undated_first_appearance(client):
    syrskyi = client.get("/api/v1/claims/russian-troops-massed-pokrovsk", headers=LD).get_json(force=True)
    assert syrskyi["author"] == [
        {
            "@type": "Person",
            "@id": "http://localhost/api/v1/entities/oleksandr-syrskyi",
            "name": "Oleksandr Syrskyi",
        }
    ]
    tens = client.get("/api/v1/claims/tens-of-thousands-to-move", headers=LD).get_json(force=True)
    # No text of this claim gives its date: none is named the first appearance.
    assert "firstAppearance" not in tens
    assert f"http://localhost/api/v1/sources/{CNN}" in [a["@id"] for a in tens["appearance"]]
    assert tens["additionalProperty"] == {
        "@type": "PropertyValue",
        "name": "spread",
        "unitText": "troops",
        "description": "some figure vague",
    }
    missiles = client.get("/api/v1/claims/un-report-missiles-supplied", headers=LD).get_json(force=True)
    assert missiles["additionalProperty"]["minValue"] == 100
    assert "maxValue" not in missiles["additionalProperty"]
    assert missiles["additionalProperty"]["description"] == "open above"
    recruits = client.get("/api/v1/claims/recruits-age", headers=LD).get_json(force=True)
    assert "author" not in recruits


def test_claim_list_as_json_ld_graph(client):
    response = client.get("/api/v1/claims?page_size=3", headers=LD)
    assert response.mimetype == "application/ld+json"
    body = response.get_json(force=True)
    assert set(body) == {"@context", "@graph"}
    assert [c["identifier"] for c in body["@graph"]] == ids(client.get("/api/v1/claims?page_size=3"))
    assert all(c["@type"] == "Claim" and "@context" not in c for c in body["@graph"])
    assert 'rel="next"' in response.headers["Link"]
    # Plain JSON and explicit formats are unchanged.
    assert client.get("/api/v1/claims?page_size=3").mimetype == "application/json"
    assert client.get("/api/v1/claims.csv", headers=LD).mimetype == "text/csv"
    assert client.get("/api/v1/claims/no-such-claim", headers=LD).status_code == 404


def test_a_claims_spread_keeps_the_hedges_of_its_figures(client):
    def spread(claim_id):
        s = get_json(client, f"/api/v1/claims/{claim_id}")["spread"]
        return (s["low"], s["high"], s["open_low"], s["open_high"], s["vague"], s["approximate"])

    # Three sources, each "at least 100": open above, not 100-100.
    assert spread("un-report-missiles-supplied") == (100, None, False, True, False, False)
    # "up to 30,000" beside ranges and a flat 30,000: open below.
    assert spread("nk-additional-deployment-size") == (None, 30000, True, False, False, False)
    # "82", "82" and "at least 82".
    assert spread("kn-missile-strikes") == (82, None, False, True, False, False)
    # "Roughly 4,000", "around 4,000", … and "over 3,000": from 3,000, open above, approximate.
    assert spread("nk-first-deployment-casualties") == (3000, None, False, True, False, True)
    # "hundreds of troops": vague, no bounds.
    assert spread("ropucha-troop-capacity") == (None, None, False, False, True, False)


def test_the_claims_csv_carries_the_open_bounds(client):
    response = client.get("/api/v1/claims.csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    row = rows["un-report-missiles-supplied"]
    assert float(row["spread_low"]) == 100
    assert (row["spread_high"], row["spread_open_high"], row["spread_vague"]) == ("", "True", "False")

"""Discrepancies: where sources differ about a claim's figures or an event's citations.

Every expected answer below was read off the five archived texts through the
curated fixtures; they are asserted exactly.
"""

import pytest

from tests.conftest import BUILD_UP, CNN, PLANS, PREPARING, TRIPLE, conforms, get_all, get_json


def discrepancies(client, query=""):
    return {d["id"]: d for d in get_all(client, f"/api/v1/discrepancies?page_size=500&{query}")}


def variants(d):
    """Each variant as (its value, its source ids)."""
    return [(v["value"], [s["id"] for s in v["sources"]]) for v in d["variants"]]


def test_value_discrepancy_of_the_additional_deployment(client):
    d = discrepancies(client, "kind=value")["value:nk-additional-deployment-size"]
    assert d["kind"] == "value"
    assert d["record"] == {
        "type": "claim",
        "id": "nk-additional-deployment-size",
        "url": "/api/v1/claims/nk-additional-deployment-size",
        "title": "North Korea is preparing to send additional troops to Russia (the Ukrainian intelligence assessment).",
    }
    assert variants(d) == [
        ({"low": None, "high": 30000, "texts": ["up to 30,000"]}, [PREPARING, PLANS, CNN]),
        ({"low": 25000, "high": 30000, "texts": ["25,000–30,000", "25,000 to 30,000"]}, [BUILD_UP, CNN, TRIPLE]),
        ({"low": 30000, "high": 30000, "texts": ["30,000"]}, [PREPARING, PLANS]),
    ]
    assert [q["figure"] for q in d["variants"][0]["quotes"]] == [
        "s002-additional-troops-up-to-30000",
        "s000-additional-troops-up-to-30000",
        "s003-title-additional-troops-up-to-30000",
    ]
    assert d["variants"][0]["sources"][0] == {
        "id": PREPARING,
        "url": f"/api/v1/sources/{PREPARING}",
        "published": "2025-07-02",
    }


def test_hedge_discrepancy_up_to_versus_range_versus_flat(client):
    d = discrepancies(client, "kind=hedge")["hedge:nk-additional-deployment-size"]
    assert variants(d) == [
        ({"hedge": "exact", "texts": ["30,000"]}, [PREPARING, PLANS]),
        ({"hedge": "up_to", "texts": ["up to 30,000"]}, [PREPARING, PLANS, CNN]),
        ({"hedge": "range", "texts": ["25,000–30,000", "25,000 to 30,000"]}, [BUILD_UP, CNN, TRIPLE]),
    ]
    assert [v["label"] for v in d["variants"]] == [
        "30,000 (exact)",
        "up to 30,000 (up_to)",
        "25,000–30,000 / 25,000 to 30,000 (range)",
    ]


def test_one_source_hedges_where_another_states_flatly(client):
    found = discrepancies(client, "kind=hedge")
    assert variants(found["hedge:russian-troops-massed-pokrovsk"]) == [
        ({"hedge": "exact", "texts": ["110,000"]}, [PREPARING]),
        ({"hedge": "about", "texts": ["about 110,000"]}, [BUILD_UP]),
    ]
    assert variants(found["hedge:kn-missile-strikes"]) == [
        ({"hedge": "exact", "texts": ["82"]}, [PREPARING, CNN]),
        ({"hedge": "at_least", "texts": ["at least 82"]}, [BUILD_UP]),
    ]


def test_figure_discrepancies_are_exactly_these(client):
    assert list(discrepancies(client, "kind=value&kind=hedge")) == [
        "hedge:kn-missile-strikes",
        "hedge:nk-additional-deployment-size",
        "hedge:nk-first-deployment-casualties",  # 'over 3,000' (December) against 'about 4,000' (July)
        "hedge:nk-first-deployment-casualty-count",  # 'several hundred' against '4,000'
        "hedge:nk-first-deployment-size",
        "hedge:nk-first-deployment-wounded",  # 'nearly 1,000' against '1,000', one lawmaker's remarks
        "hedge:russian-troops-massed-pokrovsk",
        "hedge:south-korea-additional-troops-2025",
        "value:kn-missile-strikes",
        "value:nk-additional-deployment-size",
        "value:nk-first-deployment-casualties",
        "value:nk-first-deployment-casualty-count",
        "value:nk-first-deployment-size",  # 'about 12,000' against 11,000
        "value:nk-first-deployment-wounded",
        "value:south-korea-additional-troops-2025",
    ]
    assert list(discrepancies(client, "kind=claimant")) == [
        "claimant:nk-additional-deployment-size",
        "claimant:nk-deployment-tripling",
        "claimant:nk-first-deployment-casualties",
        "claimant:nk-first-deployment-casualty-count",
        "claimant:nk-first-deployment-killed",
        "claimant:nk-first-deployment-size",
        "claimant:nk-first-deployment-wounded",
        "claimant:pokrovsk-strike-civilians-killed",
        "claimant:south-korea-additional-troops-2025",
        "claimant:tens-of-thousands-to-move",
        "claimant:un-report-missiles-supplied",
        "claimant:un-report-shells-supplied",
    ]


def test_claimant_discrepancy_compares_entities_and_unattributed(client):
    found = discrepancies(client, "kind=claimant")
    d = found["claimant:nk-additional-deployment-size"]
    assert [(v["label"], [s["id"] for s in v["sources"]]) for v in d["variants"]] == [
        ("Ukrainian intelligence", [CNN]),
        ("Ukrainian intelligence assessment", [PREPARING]),
        ("Ukrainian officials", [PLANS, BUILD_UP, TRIPLE]),
        ("unattributed", [PLANS, CNN]),
    ]
    assert d["variants"][3]["value"] == {"entity": None, "attributions": []}
    assert d["variants"][1]["value"]["attributions"] == ["intelligence reports", "Ukraine’s estimate"]
    shells = found["claimant:un-report-shells-supplied"]
    assert [(v["value"]["entity"]["id"], [s["id"] for s in v["sources"]]) for v in shells["variants"]] == [
        ("eleven-un-member-states", [BUILD_UP, CNN]),
        ("united-nations", [PREPARING]),
    ]


def test_event_date_discrepancy_in_may_versus_18_may(client):
    d = discrepancies(client, "kind=event_date")["event_date:ropucha-ship-docks-at-dunai-2025-05"]
    assert d["record"]["type"] == "event"
    assert d["record"]["url"] == "/api/v1/events/ropucha-ship-docks-at-dunai-2025-05"
    # CNN's citation gives no date: it is left out rather than counted as a variant.
    assert [(v["date"]["start"], v["phrases"], s) for (v, s) in variants(d)] == [
        ("2025-05", ["in May 2025", "in May"], [PREPARING, PLANS]),
        ("2025-05-18", ["on 18 May"], [BUILD_UP]),
    ]
    assert [v["value"]["date"]["precision"] for v in d["variants"]] == ["month", "day"]
    assert d["variants"][1]["quotes"] == [
        {
            "source": BUILD_UP,
            "text": "a Ropucha-class landing ship docking at Dunai port on 18 May",
            "start": 549,
            "end": 609,
            "figure": None,
        }
    ]


def test_event_attribution_discrepancy(client):
    d = discrepancies(client, "kind=event_attribution")[
        "event_attribution:nk-supplies-missiles-and-shells-to-russia-2024"
    ]
    assert [(v["entity"]["id"], [a["id"] for a in v["actors"]], s) for (v, s) in variants(d)] == [
        ("eleven-un-member-states", ["north-korea"], [BUILD_UP, CNN]),
        ("united-nations", ["north-korea"], [PREPARING]),
    ]


def test_discrepancy_filters(client):
    assert list(discrepancies(client, "metric=troops-massed")) == ["hedge:russian-troops-massed-pokrovsk"]
    assert list(discrepancies(client, "entity=oleksandr-syrskyi&kind=hedge")) == [
        "hedge:russian-troops-massed-pokrovsk"
    ]
    assert list(discrepancies(client, "entity=dunai&kind=event_date")) == [
        "event_date:ropucha-ship-docks-at-dunai-2025-05"
    ]
    assert list(discrepancies(client, f"source={TRIPLE}&kind=value&kind=hedge")) == [
        "hedge:nk-additional-deployment-size",
        "hedge:nk-first-deployment-casualties",
        "hedge:nk-first-deployment-size",
        "value:nk-additional-deployment-size",
        "value:nk-first-deployment-casualties",
        "value:nk-first-deployment-size",
    ]
    everything = discrepancies(client)
    assert {d["kind"] for d in everything.values()} == {
        "value",
        "quantity",
        "hedge",
        "claimant",
        "event_date",
        "event_attribution",
        "wording",
    }
    assert list(everything) == sorted(everything)


def test_discrepancies_page_with_a_cursor(client):
    whole = get_json(client, "/api/v1/discrepancies?page_size=500&total=true")
    assert whole["total"] == len(whole["items"]) and whole["next_cursor"] is None
    paged = get_all(client, "/api/v1/discrepancies?page_size=4")
    assert [d["id"] for d in paged] == [d["id"] for d in whole["items"]]
    first = client.get("/api/v1/discrepancies?page_size=4")
    assert first.headers["Link"].startswith("</api/v1/discrepancies?page_size=4&cursor=")


@pytest.mark.parametrize(
    ("query", "status", "param"),
    [
        ("kind=colour", 422, "kind"),
        ("known_at=July", 422, "known_at"),
        ("page_size=0", 422, "page_size"),
        ("metirc=troops", 422, "metirc"),
        ("cursor=not-a-cursor", 400, "cursor"),
    ],
)
def test_bad_discrepancy_parameters(client, spec, query, status, param):
    response = client.get(f"/api/v1/discrepancies?{query}")
    assert response.status_code == status and response.mimetype == "application/problem+json"
    body = response.get_json()
    conforms(spec, "Error", body)
    assert list(body["errors"]) == [param] and body["status"] == status, body


def test_discrepancies_conform_to_the_spec(client, spec):
    conforms(spec, "DiscrepancyList", get_json(client, "/api/v1/discrepancies?page_size=500&total=true"))


def test_each_difference_says_how_the_versions_relate(client):
    found = discrepancies(client)
    relations = {i: d["relation"] for i, d in found.items()}
    # "up to 30,000", "25,000–30,000" and "30,000" overlap: compatible, not a conflict.
    assert relations["value:nk-additional-deployment-size"] == "compatible"
    assert relations["hedge:kn-missile-strikes"] == "compatible"
    # "in April 2025" and "in late April 2025": one refines the other.
    assert relations["event_date:putin-confirms-first-deployment-2025-04"] == "compatible"
    # Who said it has no interval to compare.
    assert relations["claimant:nk-additional-deployment-size"] is None
    assert {r for r in relations.values()} <= {"same", "compatible", "conflicting", None}


def test_discrepancies_filter_by_relation(client):
    compatible = discrepancies(client, "relation=compatible")
    assert compatible and {d["relation"] for d in compatible.values()} == {"compatible"}
    everything = discrepancies(client)
    assert set(compatible) == {i for i, d in everything.items() if d["relation"] == "compatible"}
    assert client.get("/api/v1/discrepancies?relation=agrees").status_code == 422


def test_a_phased_deployment_estimate_differs_from_the_headline_size(client):
    found = discrepancies(client, "kind=quantity")
    assert list(found) == ["quantity:nk-additional-deployment-size"]
    d = found["quantity:nk-additional-deployment-size"]
    # Jenny Town's 10,000–20,000 and the assessment's 25,000–30,000 cannot both hold.
    assert d["relation"] == "conflicting"
    by_claims = {tuple(v["value"]["claims"]): (v["value"]["low"], v["value"]["high"]) for v in d["variants"]}
    assert by_claims[("town-phased-deployment",)] == (10000, 20000)
    assert by_claims[("nk-additional-deployment-size",)] in {(25000, 30000), (30000, 30000)}
    assert ("nk-additional-deployment-size", "western-additional-deployment-estimate") in by_claims
    assert {"quantity:nk-additional-deployment-size"} <= set(discrepancies(client, "relation=conflicting"))


def test_a_relation_follows_the_figures_it_compares(client):
    """``same`` only where every figure gives the same numbers with the same hedge; never across hedges."""
    found = discrepancies(client)
    values = {}
    for f in get_all(client, "/api/v1/figures?page_size=500"):
        values[f["id"]] = (f["value"]["low"], f["value"]["high"], f["value"]["hedge"])
    checked = 0
    for d in found.values():
        if d["kind"] not in ("value", "hedge", "quantity"):
            continue
        given = {values[q["figure"]] for v in d["variants"] for q in v["quotes"] if values[q["figure"]][2] != "vague"}
        if d["relation"] == "same":
            assert len(given) == 1, d["id"]
        if len(given) > 1:
            assert d["relation"] in ("compatible", "conflicting"), d["id"]
        checked += 1
    assert checked >= 5
    # "110,000" beside "about 110,000", "11,000" beside "roughly 11,000": compatible, as "82" beside "at least 82".
    for record in ("russian-troops-massed-pokrovsk", "nk-first-deployment-size", "kn-missile-strikes"):
        assert found[f"hedge:{record}"]["relation"] == "compatible"

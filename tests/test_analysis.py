"""Cross-source analysis: discrepancies, corroboration, timeline, known_at, search, summaries, charts, JSON-LD.

Every expected answer below was read off the five archived texts through the
curated fixtures; they are asserted exactly.
"""

import xml.etree.ElementTree as ET

import pytest
from openapi_spec_validator import validate

from api.web.queries.analysis import metric_summary
from api.web.resources.analysis import render_chart, x
from tests.conftest import get_all, ids
from tests.contract import problems

PREPARING = "nk-preparing-up-to-30000-more-troops"  # the only source with a publication date (2025-07-02)
CNN = "cnn-nk-up-to-30000-troops"
PLANS = "nk-plans-30000-more-troops"
TRIPLE = "nk-reportedly-preparing-to-triple-troops"
BUILD_UP = "russia-north-korea-troop-build-up"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/openapi.json").get_json()


def conforms(spec, name, body):
    errors = problems(spec, name, body)
    assert not errors, errors[:5]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def discrepancies(client, query=""):
    return {d["id"]: d for d in get_all(client, f"/api/v1/discrepancies?page_size=500&{query}")}


def variants(d):
    """Each variant as (its value, its source ids)."""
    return [(v["value"], [s["id"] for s in v["sources"]]) for v in d["variants"]]


# ---- discrepancies ---------------------------------------------------------


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
        ({"low": None, "high": 30000, "texts": ["up to 30,000"]}, [PREPARING, CNN, PLANS]),
        ({"low": 25000, "high": 30000, "texts": ["25,000 to 30,000", "25,000–30,000"]}, [CNN, TRIPLE, BUILD_UP]),
        ({"low": 30000, "high": 30000, "texts": ["30,000"]}, [PREPARING, PLANS]),
    ]
    assert [q["figure"] for q in d["variants"][0]["quotes"]] == [
        "s002-additional-troops-up-to-30000",
        "s003-title-additional-troops-up-to-30000",
        "s000-additional-troops-up-to-30000",
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
        ({"hedge": "up_to", "texts": ["up to 30,000"]}, [PREPARING, CNN, PLANS]),
        ({"hedge": "range", "texts": ["25,000 to 30,000", "25,000–30,000"]}, [CNN, TRIPLE, BUILD_UP]),
    ]
    assert [v["label"] for v in d["variants"]] == [
        "30,000 (exact)",
        "up to 30,000 (up_to)",
        "25,000 to 30,000 / 25,000–30,000 (range)",
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
        "hedge:nk-first-deployment-size",
        "hedge:russian-troops-massed-pokrovsk",
        "value:kn-missile-strikes",
        "value:nk-additional-deployment-size",
    ]
    assert list(discrepancies(client, "kind=claimant")) == [
        "claimant:nk-additional-deployment-size",
        "claimant:nk-deployment-tripling",
        "claimant:nk-first-deployment-casualties",
        "claimant:nk-first-deployment-size",
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
        ("Ukrainian officials", [PLANS, TRIPLE, BUILD_UP]),
        ("unattributed", [CNN, PLANS]),
    ]
    assert d["variants"][3]["value"] == {"entity": None, "attributions": []}
    assert d["variants"][1]["value"]["attributions"] == ["intelligence reports", "Ukraine’s estimate"]
    shells = found["claimant:un-report-shells-supplied"]
    assert [(v["value"]["entity"]["id"], [s["id"] for s in v["sources"]]) for v in shells["variants"]] == [
        ("eleven-un-member-states", [CNN, BUILD_UP]),
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
        ("eleven-un-member-states", ["north-korea"], [CNN, BUILD_UP]),
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
        "hedge:nk-first-deployment-size",
        "value:nk-additional-deployment-size",
    ]
    everything = discrepancies(client)
    assert {d["kind"] for d in everything.values()} == {"value", "hedge", "claimant", "event_date", "event_attribution"}
    assert list(everything) == sorted(everything)


def test_discrepancies_page_with_a_cursor(client):
    whole = get(client, "/api/v1/discrepancies?page_size=500&total=true")
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
def test_bad_discrepancy_parameters(client, query, status, param):
    response = client.get(f"/api/v1/discrepancies?{query}")
    assert response.status_code == status
    assert param in response.get_json()["errors"]["query"]


def test_discrepancies_conform_to_the_spec(client, spec):
    conforms(spec, "DiscrepancyList", get(client, "/api/v1/discrepancies?page_size=500&total=true"))


# ---- corroboration (/claims) -----------------------------------------------


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
    claim = get(client, "/api/v1/claims/nk-additional-deployment-size")
    assert (claim["source_count"], claim["origin_count"]) == (5, 2)
    assert sorted({f["origin"] for f in claim["figures"]}) == ["entity:cnn", f"source:{PREPARING}"]
    assert ids(client.get("/api/v1/claims?max_origins=1&page_size=100")) == [
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
    top = get(client, "/api/v1/claims?sort=-origins&page_size=1")["items"][0]
    assert (top["id"], top["origin_count"], top["source_count"]) == ("nk-first-deployment-size", 4, 5)


# ---- known_at everywhere ---------------------------------------------------

BEFORE_EVERYTHING = "known_at=2025-01-01"
ON_THE_DATED_SOURCE = "known_at=2025-07-02"


def test_known_at_before_every_publication_returns_nothing(client):
    for path in ("figures", "events", "claims", "discrepancies"):
        assert get(client, f"/api/v1/{path}?{BEFORE_EVERYTHING}&total=true")["total"] == 0, path
    assert get(client, f"/api/v1/timeline?{BEFORE_EVERYTHING}") == {"items": [], "undated": []}


def test_known_at_the_one_dated_source(client):
    figures = get_all(client, f"/api/v1/figures?{ON_THE_DATED_SOURCE}&page_size=100")
    assert figures and {f["source"]["id"] for f in figures} == {PREPARING}
    events = get_all(client, f"/api/v1/events?{ON_THE_DATED_SOURCE}&page_size=100")
    assert events and {c["source"]["id"] for e in events for c in e["citations"]} == {PREPARING}
    claims = get_all(client, f"/api/v1/claims?{ON_THE_DATED_SOURCE}&page_size=100")
    assert claims and {f["source"]["id"] for c in claims for f in c["figures"]} == {PREPARING}
    assert {(c["source_count"], c["origin_count"]) for c in claims} == {(1, 1)}
    # One source cannot differ from another: no discrepancy is known yet.
    assert get(client, f"/api/v1/discrepancies?{ON_THE_DATED_SOURCE}&total=true")["total"] == 0
    timeline = get(client, f"/api/v1/timeline?{ON_THE_DATED_SOURCE}")
    entries = timeline["items"] + timeline["undated"]
    assert entries and {s["id"] for e in entries for s in e["first_reported"]["sources"]} == {PREPARING}
    assert {e["first_reported"]["published"] for e in entries} == {"2025-07-02"}


def test_known_at_recomputes_an_events_date_from_what_was_known(client):
    def ropucha(query):
        timeline = get(client, f"/api/v1/timeline?entity=dunai&kind=event{query}")
        (entry,) = timeline["items"]
        assert entry["id"] == "ropucha-ship-docks-at-dunai-2025-05"
        return entry["when"]

    assert ropucha("")["start"] == "2025-05-18" and ropucha("")["source"] == BUILD_UP
    then = ropucha(f"&{ON_THE_DATED_SOURCE}")
    assert (then["start"], then["precision"], then["phrase"], then["source"]) == (
        "2025-05",
        "month",
        "in May 2025",
        PREPARING,
    )


# ---- timeline --------------------------------------------------------------


def test_timeline_of_june_2025_in_order(client):
    timeline = get(client, "/api/v1/timeline?date_from=2025-06&date_to=2025-06")
    assert [(e["kind"], e["id"]) for e in timeline["items"]] == [
        ("figure", "s001-south-korea-additional-troops-3000"),
        ("figure", "s002-south-korea-additional-troops-3000"),
        ("figure", "s003-south-korea-additional-troops-3000"),
        ("event", "sunan-airport-activity-2025-05-to-06"),
        ("event", "shoigu-announces-sappers-and-workers-for-kursk-2025-06"),
        ("event", "zelensky-calls-for-joint-action-against-axis-2025-06"),
        ("figure", "s001-shoigu-second-visit"),
        ("event", "shoigu-earlier-visit-to-pyongyang-2025-06"),
        ("event", "il-76-aircraft-at-sunan-airport-2025-06-04"),
        ("event", "zelensky-says-russia-trying-to-save-iran-nuclear-program-2025-06"),
        ("event", "shoigu-visits-pyongyang-2025-06"),
        ("event", "syrskyi-statement-on-pokrovsk-build-up-2025-06-27"),
        ("event", "csp-treaty-first-anniversary-2025-06-28"),
        ("event", "kim-jong-un-mourns-fallen-soldiers-week-of-2025-06-30"),
    ]
    visit = next(e for e in timeline["items"] if e["id"] == "shoigu-visits-pyongyang-2025-06")
    assert visit["when"]["phrase"] == "on June 17" and visit["when"]["first_day"] == "2025-06-17"
    assert visit["first_reported"]["published"] == "2025-07-02"
    assert [s["id"] for s in visit["first_reported"]["sources"]] == [PREPARING]


def test_timeline_is_ordered_and_keeps_undated_events_apart(client):
    timeline = get(client, "/api/v1/timeline")
    keys = [(e["when"]["first_day"], e["when"]["last_day"], e["kind"], e["id"]) for e in timeline["items"]]
    assert keys == sorted(keys)
    figures = [e["id"] for e in timeline["items"] if e["kind"] == "figure"]
    assert sorted(figures) == sorted(f["id"] for f in get_all(client, "/api/v1/figures?page_size=100") if f["period"])
    events = {e["id"]: e for e in get_all(client, "/api/v1/events?page_size=100")}
    assert sorted(e["id"] for e in timeline["undated"]) == sorted(i for i, e in events.items() if e["date"] is None)
    assert [e["id"] for e in timeline["undated"]] == sorted(e["id"] for e in timeline["undated"])
    assert all(e["when"] is None and e["kind"] == "event" for e in timeline["undated"])
    assert len(timeline["items"]) + len(timeline["undated"]) == len(events) + len(figures)


def test_timeline_figure_entry(client):
    timeline = get(client, "/api/v1/timeline?kind=figure&entity=south-korean-military")
    assert [e["id"] for e in timeline["items"]] == [
        "s001-south-korea-additional-troops-3000",
        "s003-south-korea-additional-troops-3000",
    ]
    entry = timeline["items"][0]
    assert entry["title"] == "Troops deployed: 3,000 (North Korea)"
    assert entry["url"] == "/api/v1/figures/s001-south-korea-additional-troops-3000"
    assert (entry["when"]["phrase"], entry["when"]["first_day"], entry["when"]["last_day"]) == (
        "earlier in 2025",
        "2025-01-01",
        "2025-12-31",
    )
    assert entry["first_reported"]["published"] is None
    assert [c["id"] for c in entry["first_reported"]["attribution"]] == ["south-korean-military"]


def test_timeline_entity_filter(client):
    timeline = get(client, "/api/v1/timeline?entity=sergei-shoigu")
    assert [(e["kind"], e["id"]) for e in timeline["items"]] == [
        ("event", "shoigu-announces-sappers-and-workers-for-kursk-2025-06"),
        ("figure", "s001-shoigu-second-visit"),
        ("event", "shoigu-earlier-visit-to-pyongyang-2025-06"),
        ("event", "shoigu-visits-pyongyang-2025-06"),
    ]


def test_timeline_conforms_and_rejects_bad_windows(client, spec):
    conforms(spec, "Timeline", get(client, "/api/v1/timeline"))
    response = client.get("/api/v1/timeline?date_from=2025-07&date_to=2025-06")
    assert response.status_code == 422 and "date_from" in response.get_json()["errors"]["query"]
    assert client.get("/api/v1/timeline?page_size=5").status_code == 422


# ---- search ----------------------------------------------------------------


def test_search_finds_an_entity_by_its_alias(client):
    kiev = get(client, "/api/v1/search?q=Kiev")["items"]
    assert (kiev[0]["type"], kiev[0]["id"], kiev[0]["url"], kiev[0]["title"]) == (
        "entity",
        "kyiv",
        "/api/v1/entities/kyiv",
        "Kyiv",
    )
    assert "<mark>Kiev</mark>" in kiev[0]["snippet"]
    kim = get(client, '/api/v1/search?q="Kim Jong-un"&type=entity')["items"]
    assert kim[0]["id"] == "kim-jong-un" and kim[0]["title"] == "Kim Jong Un"


def test_search_links_a_citation_match_to_its_event(client):
    items = get(client, "/api/v1/search?q=Kiev&type=event")["items"]
    by_id = {i["id"]: i for i in items}
    hit = by_id["white-house-halts-weapons-transfers-to-kyiv-2025-07"]
    assert hit["type"] == "event" and hit["matched"] == "event_citation"
    assert hit["url"] == "/api/v1/events/white-house-halts-weapons-transfers-to-kyiv-2025-07"
    assert "<mark>Kiev</mark>" in hit["snippet"]


def test_search_ranks_one_result_per_record(client, spec):
    body = get(client, "/api/v1/search?q=Ropucha&total=true")
    conforms(spec, "SearchResultList", body)
    keys = [(i["type"], i["id"]) for i in body["items"]]
    assert len(keys) == len(set(keys)) == body["total"]
    assert [i["score"] for i in body["items"]] == sorted(i["score"] for i in body["items"])
    assert {"entity", "claim", "event", "figure"} <= {t for t, _ in keys}
    assert all(i["type"] == "figure" for i in get(client, "/api/v1/search?q=Ropucha&type=figure")["items"])
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


# ---- metric summary ----------------------------------------------------------


def test_metric_summary_of_the_additional_troops(client, spec):
    body = get(client, "/api/v1/metrics/troops-additional-planned/summary?subject=north-korea")
    conforms(spec, "MetricSummary", body)
    assert body["metric"]["id"] == "troops-additional-planned" and body["subject"]["id"] == "north-korea"
    assert body["counts"] == {"figures": 12, "sources": 5, "claimants": 6, "claims": 4}
    assert body["range"] == {"low": 10000, "high": 30000, "open_low": True, "open_high": False}
    assert [(c["key"], c["figure_count"], c["latest"]["id"]) for c in body["claimants"]] == [
        ("ukrainian-intelligence-assessment", 3, "s002-additional-troops-up-to-30000"),
        ("ukrainian-officials", 3, "s000-additional-troops-up-to-30000"),
        ("ukrainian-intelligence", 2, "s003-additional-troops-25000-30000"),
        (None, 2, "s003-title-additional-troops-up-to-30000"),
        ("jenny-town", 1, "s001-town-phased-10000-20000"),
        ("western-officials", 1, "s002-western-estimate-up-to-30000"),
    ]
    latest = body["claimants"][0]["latest"]
    assert latest["source"] == {"id": PREPARING, "url": f"/api/v1/sources/{PREPARING}", "published": "2025-07-02"}
    assert latest["value"]["text"] == "up to 30,000" and latest["attribution"] == "intelligence reports"
    assert body["chart"] == "/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea"


def test_metric_summary_known_at_and_404s(client):
    body = get(client, f"/api/v1/metrics/troops-additional-planned/summary?subject=north-korea&{ON_THE_DATED_SOURCE}")
    assert body["counts"] == {"figures": 3, "sources": 1, "claimants": 2, "claims": 2}
    assert [c["figures"] for c in body["claimants"]] == [
        ["s002-additional-troops-up-to-30000", "s002-ukraine-estimate-30000"],
        ["s002-western-estimate-up-to-30000"],
    ]
    assert get(client, "/api/v1/metrics/ballistic-missile-strikes/summary")["range"] == {
        "low": 82,
        "high": 82,
        "open_low": False,
        "open_high": True,
    }
    for url in (
        "/api/v1/metrics/no-such-metric/summary",
        "/api/v1/metrics/troops-deployed/summary?subject=no-such-entity",
        "/api/v1/metrics/no-such-metric/chart.svg",
    ):
        response = client.get(url)
        assert response.status_code == 404 and "no-such" in response.get_json()["message"]


def test_summary_groups_a_claimant_known_only_by_its_wording():
    def fig(ident, published, claimant_key, low, high, hedge):
        return {
            "id": ident,
            "source": {"id": f"src-{ident}", "url": "", "published": published},
            "value": {"low": low, "high": high, "hedge": hedge, "text": "", "unit": "troops"},
            "claimant_key": claimant_key,
            "claimant": {"id": None, "name": None, "attribution": claimant_key, "url": None} if claimant_key else None,
            "claim_id": "c",
            "source_title": None,
        }

    # Figures arrive most recent first, undated last (as metric_figures returns them).
    figures = [
        fig("a", "2025-07-02", "Western intelligence estimates", 4000, 4000, "about"),
        fig("b", None, "Western intelligence estimates", None, 5000, "up_to"),
        fig("c", None, None, 3000, None, "at_least"),
    ]
    body = metric_summary({"id": "m", "label": "M", "unit": "troops"}, None, figures)
    assert [(c["key"], c["latest"]["id"], c["figures"]) for c in body["claimants"]] == [
        ("Western intelligence estimates", "a", ["a", "b"]),
        (None, "c", ["c"]),
    ]
    assert body["range"] == {"low": 3000, "high": 5000, "open_low": True, "open_high": True}
    assert "claimant_key" not in body["claimants"][0]["latest"]


# ---- chart -------------------------------------------------------------------


def marks(root):
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "mark"]


def test_chart_draws_one_mark_per_figure(client):
    response = client.get("/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG}svg"
    figures = get_all(client, "/api/v1/figures?metric=troops-additional-planned&subject=north-korea&page_size=100")
    drawn = [g.get("data-figure") for g in marks(root)]
    assert len(drawn) == 12 and sorted(drawn) == sorted(f["id"] for f in figures)
    for g in marks(root):
        tooltip = g.find(f"{SVG}title").text
        figure = next(f for f in figures if f["id"] == g.get("data-figure"))
        assert figure["value"]["text"] in tooltip and figure["quote"]["text"] in tooltip
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Additional troops planned — North Korea" in texts
    assert "Ukrainian officials — 3 figures" in texts and "Unattributed — 2 figures" in texts
    assert {"0", "10,000", "20,000", "30,000"} <= set(texts)


def test_chart_marks_each_hedge_distinctly(client):
    root = ET.fromstring(client.get("/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea").data)
    by_hedge = {}
    for g in marks(root):
        by_hedge.setdefault(g.get("data-hedge"), []).append({child.tag.removeprefix(SVG) for child in g})
    assert by_hedge["up_to"][0] == {"title", "line", "polygon"}  # bar end, dashed line and arrow to the axis edge
    assert by_hedge["range"][0] == {"title", "rect"}
    assert by_hedge["exact"][0] == {"title", "circle"}
    assert by_hedge["vague"][0] == {"title", "rect", "text"}
    # Within a claimant, rows follow publication date (the dated source first).
    assessment = next(g for g in root.iter(f"{SVG}g") if g.get("data-claimant") == "ukrainian-intelligence-assessment")
    assert [g.get("data-figure") for g in marks(assessment)] == [
        "s002-additional-troops-up-to-30000",
        "s002-ukraine-estimate-30000",
        "s003-tens-of-thousands-to-move",
    ]


def test_chart_escapes_xml():
    assert x('<a & "b">') == "&lt;a &amp; &quot;b&quot;&gt;"
    figure = {
        "id": 'f"1<',
        "subject": {"id": "s", "name": "S & T"},
        "source": {"id": "src", "url": "", "published": None},
        "value": {"low": 1, "high": 1, "hedge": "exact", "text": "<1>", "unit": "u"},
        "attribution": 'He said "&"',
        "quote": {"text": "a < b & c\x00"},
        "claimant_key": None,
        "claimant": None,
        "claim_id": "c",
        "source_title": "</svg>",
    }
    root = ET.fromstring(render_chart({"id": "m", "label": "M & <N>", "unit": "u"}, None, [figure]))
    (mark,) = marks(root)
    assert mark.get("data-figure") == 'f"1<'
    assert "a < b & c" in mark.find(f"{SVG}title").text
    assert ET.fromstring(render_chart({"id": "m", "label": "M", "unit": "u"}, None, [])).tag == f"{SVG}svg"


def test_chart_is_linked_from_the_docs_and_documented(client, spec):
    link = "/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea"
    assert f"]({link})" in spec["info"]["description"]
    assert client.get(link).status_code == 200
    operation = spec["paths"]["/api/v1/metrics/{metric_id}/chart.svg"]["get"]
    assert "image/svg+xml" in operation["responses"]["200"]["content"]
    validate(spec)


# ---- JSON-LD -----------------------------------------------------------------

LD = {"Accept": "application/ld+json"}


def test_claim_as_schema_org_json_ld(client):
    response = client.get("/api/v1/claims/nk-additional-deployment-size", headers=LD)
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    body = response.get_json(force=True)
    assert body["@context"] == "https://schema.org" and body["@type"] == "Claim"
    assert body["@id"] == "http://localhost/api/v1/claims/nk-additional-deployment-size"
    assert body["text"] == get(client, "/api/v1/claims/nk-additional-deployment-size")["statement"]
    assert [(a["@type"], a["name"]) for a in body["author"]] == [
        ("Organization", "Ukrainian intelligence assessment"),
        ("Organization", "Ukrainian intelligence"),
        ("Organization", "Ukrainian officials"),
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
    assert tens["firstAppearance"]["@id"] == f"http://localhost/api/v1/sources/{CNN}"
    assert "datePublished" not in tens["firstAppearance"]
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
    assert client.get("/api/v1/claims?format=csv", headers=LD).mimetype == "text/csv"
    assert client.get("/api/v1/claims/no-such-claim", headers=LD).status_code == 404

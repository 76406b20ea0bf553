"""The timeline: events and dated figures in one chronological stream.

Every expected answer below was read off the five archived texts through the
curated fixtures; they are asserted exactly.
"""

from tests.conftest import PREPARING, conforms, get_all, get_json


def test_timeline_of_june_2025_in_order(client):
    timeline = get_json(client, "/api/v1/timeline?date_from=2025-06&date_to=2025-06")
    assert [(e["kind"], e["id"]) for e in timeline["items"]] == [
        ("figure", "s001-south-korea-additional-troops-3000"),
        ("event", "sunan-airport-activity-2025-05-to-06"),
        ("event", "shoigu-announces-sappers-and-workers-for-kursk-2025-06"),
        ("event", "zelensky-calls-for-joint-action-against-axis-2025-06"),
        # Figures given only through a dated event take the event's date.
        ("figure", "s001-shoigu-construction-workers-5000"),
        ("figure", "s001-shoigu-sappers-1000"),
        ("figure", "s001-shoigu-second-visit"),
        ("event", "shoigu-earlier-visit-to-pyongyang-2025-06"),
        ("event", "il-76-aircraft-at-sunan-airport-2025-06-04"),
        ("event", "zelensky-says-russia-trying-to-save-iran-nuclear-program-2025-06"),
        ("event", "shoigu-visits-pyongyang-2025-06"),
        ("figure", "s002-shoigu-second-visit"),
        ("event", "syrskyi-statement-on-pokrovsk-build-up-2025-06-27"),
        ("figure", "s001-pokrovsk-massing-110000"),
        ("figure", "s002-pokrovsk-troops-massed-110000"),
        ("event", "csp-treaty-first-anniversary-2025-06-28"),
        ("event", "kim-jong-un-mourns-fallen-soldiers-week-of-2025-06-30"),
    ]
    visit = next(e for e in timeline["items"] if e["id"] == "shoigu-visits-pyongyang-2025-06")
    assert visit["when"]["phrase"] == "on June 17" and visit["when"]["first_day"] == "2025-06-17"
    assert visit["first_reported"]["published"] == "2025-07-02"
    assert [s["id"] for s in visit["first_reported"]["sources"]] == [PREPARING]


def test_timeline_is_ordered_and_keeps_undated_events_apart(client):
    timeline = get_json(client, "/api/v1/timeline")
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
    timeline = get_json(client, "/api/v1/timeline?kind=figure&entity=south-korean-military")
    # 003's "earlier this year" (reported in March: January–March) sorts before 001's "earlier in 2025".
    assert [e["id"] for e in timeline["items"]] == [
        "s003-south-korea-additional-troops-3000",
        "s001-south-korea-additional-troops-3000",
    ]
    entry = timeline["items"][1]
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
    timeline = get_json(client, "/api/v1/timeline?entity=sergei-shoigu")
    assert [(e["kind"], e["id"]) for e in timeline["items"]] == [
        ("event", "shoigu-announces-sappers-and-workers-for-kursk-2025-06"),
        ("figure", "s001-shoigu-construction-workers-5000"),
        ("figure", "s001-shoigu-sappers-1000"),
        ("figure", "s001-shoigu-second-visit"),
        ("event", "shoigu-earlier-visit-to-pyongyang-2025-06"),
        ("event", "shoigu-visits-pyongyang-2025-06"),
        ("figure", "s002-shoigu-second-visit"),
    ]


def test_timeline_conforms_and_an_inverted_window_is_empty(client, spec):
    everything = get_json(client, "/api/v1/timeline")
    conforms(spec, "Timeline", everything)
    inverted = get_json(client, "/api/v1/timeline?date_from=2025-07&date_to=2025-06")
    assert everything["items"] and inverted["items"] == [] and inverted["undated"] == everything["undated"]
    assert client.get("/api/v1/timeline?page_size=5").status_code == 422

"""known_at: every answer as it could have been given on a past date.

Every expected answer below was read off the five archived texts through the
curated fixtures; they are asserted exactly.
"""

from tests.conftest import BUILD_UP, ON_THE_DATED_SOURCE, PREPARING, get_all, get_json

BEFORE_EVERYTHING = "known_at=2025-01-01"


def test_known_at_before_every_publication_returns_nothing(client):
    for path in ("figures", "events", "claims", "discrepancies"):
        assert get_json(client, f"/api/v1/{path}?{BEFORE_EVERYTHING}&total=true")["total"] == 0, path
    assert get_json(client, f"/api/v1/timeline?{BEFORE_EVERYTHING}") == {"items": [], "undated": []}


def test_known_at_the_one_dated_source(client):
    figures = get_all(client, f"/api/v1/figures?{ON_THE_DATED_SOURCE}&page_size=100")
    assert figures and {f["source"]["id"] for f in figures} == {PREPARING}
    events = get_all(client, f"/api/v1/events?{ON_THE_DATED_SOURCE}&page_size=100")
    assert events and {c["source"]["id"] for e in events for c in e["citations"]} == {PREPARING}
    claims = get_all(client, f"/api/v1/claims?{ON_THE_DATED_SOURCE}&page_size=100")
    assert claims and {f["source"]["id"] for c in claims for f in c["figures"]} == {PREPARING}
    assert {(c["source_count"], c["origin_count"]) for c in claims} == {(1, 1)}
    # One source cannot differ from another: no discrepancy is known yet.
    assert get_json(client, f"/api/v1/discrepancies?{ON_THE_DATED_SOURCE}&total=true")["total"] == 0
    timeline = get_json(client, f"/api/v1/timeline?{ON_THE_DATED_SOURCE}")
    entries = timeline["items"] + timeline["undated"]
    assert entries and {s["id"] for e in entries for s in e["first_reported"]["sources"]} == {PREPARING}
    assert {e["first_reported"]["published"] for e in entries} == {"2025-07-02"}


def test_known_at_recomputes_an_events_date_from_what_was_known(client):
    def ropucha(query):
        timeline = get_json(client, f"/api/v1/timeline?entity=dunai&kind=event{query}")
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

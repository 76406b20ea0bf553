"""known_at: every answer as it could have been given on a past date.

The story's texts became known on three dates: 2024-12-19 (KILLED_100, its
archive's date), 2025-03-27 (PRESUMED_3000, likewise) and 2025-07-02
(PREPARING, its own date line); with ``known_at_basis=assumed`` also
2024-12-23 (KILLED_WOUNDED_3000: the date of the statement it reports, the year
from outside the text) and 2025-07-02 for the four undated July texts. Every
expected answer below was read off the texts through the curated fixtures.
"""

import pytest

from tests.conftest import (
    BUILD_UP,
    CNN,
    KILLED_100,
    KILLED_WOUNDED_3000,
    ON_THE_DATED_SOURCE,
    PLANS,
    PREPARING,
    PRESUMED_3000,
    TRIPLE,
    get_all,
    get_json,
)

BEFORE_EVERYTHING = "known_at=2024-12-18"
STATED_ON = {KILLED_100: "2024-12-19", PRESUMED_3000: "2025-03-27", PREPARING: "2025-07-02"}
ASSUMED_ON = {KILLED_WOUNDED_3000: "2024-12-23", CNN: "2025-07-02", PLANS: "2025-07-02", TRIPLE: "2025-07-02"}
ASSUMED_ON[BUILD_UP] = "2025-07-02"
UNDATED = set(ASSUMED_ON)
# Which texts count as known on a date, by basis (issue of the story over time: "what was known on 2025-01-01").
KNOWN = {
    ("2025-01-01", "published"): {KILLED_100},
    ("2025-01-01", "assumed"): {KILLED_100, KILLED_WOUNDED_3000},
    ("2025-04-01", "published"): {KILLED_100, PRESUMED_3000},
    ("2025-04-01", "assumed"): {KILLED_100, KILLED_WOUNDED_3000, PRESUMED_3000},
    ("2025-07-02", "published"): {KILLED_100, PRESUMED_3000, PREPARING},
    ("2025-07-02", "assumed"): set(STATED_ON) | UNDATED,
}
ASSUMED_BY_JULY_2 = "known_at=2025-07-02&known_at_basis=assumed"


def mark(source_id: str) -> dict:
    """When a text counts as known with ``known_at_basis=assumed``."""
    if source_id in STATED_ON:
        return {"date": STATED_ON[source_id], "assumed": False}
    return {"date": ASSUMED_ON[source_id], "assumed": True}


def earliest(source_ids) -> dict:
    return min((mark(s) for s in source_ids), key=lambda m: (m["date"], m["assumed"]))


def test_known_at_before_every_publication_returns_nothing(client):
    for basis in ("published", "assumed"):
        for path in ("figures", "events", "claims", "discrepancies"):
            url = f"/api/v1/{path}?{BEFORE_EVERYTHING}&known_at_basis={basis}&total=true"
            assert get_json(client, url)["total"] == 0, (path, basis)
        timeline = get_json(client, f"/api/v1/timeline?{BEFORE_EVERYTHING}&known_at_basis={basis}")
        assert timeline == {"items": [], "undated": []}, basis


@pytest.mark.parametrize(("day", "basis"), sorted(KNOWN))
def test_known_at_counts_the_texts_known_by_then(client, day, basis):
    query = f"known_at={day}&known_at_basis={basis}"
    want = KNOWN[(day, basis)]
    figures = get_all(client, f"/api/v1/figures?{query}&page_size=100")
    assert {f["source"]["id"] for f in figures} == want
    events = get_all(client, f"/api/v1/events?{query}&page_size=100")
    assert events and {c["source"]["id"] for e in events for c in e["citations"]} <= want
    claims = get_all(client, f"/api/v1/claims?{query}&page_size=100")
    assert claims and {f["source"]["id"] for c in claims for f in c["figures"]} == want
    timeline = get_json(client, f"/api/v1/timeline?{query}")
    entries = timeline["items"] + timeline["undated"]
    assert entries and {s["id"] for e in entries for s in e["first_reported"]["sources"]} <= want


def test_on_the_first_day_one_text_cannot_differ_from_another(client):
    assert get_json(client, "/api/v1/discrepancies?known_at=2024-12-19&total=true")["total"] == 0
    claims = get_all(client, "/api/v1/claims?known_at=2024-12-19&page_size=100")
    assert claims and {(c["source_count"], c["origin_count"]) for c in claims} == {(1, 1)}


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


def test_counting_assumed_dates_marks_each_record_with_its_texts_date(client):
    figures = get_all(client, f"/api/v1/figures?{ASSUMED_BY_JULY_2}&page_size=100")
    # Every text's date, stated or assumed, is 2025-07-02 or earlier: everything is known by then.
    assert len(figures) == len(get_all(client, "/api/v1/figures?page_size=100"))
    for f in figures:
        assert f["known_from"] == mark(f["source"]["id"]), f["id"]
        assert (f["source"]["published"] is None) == (f["source"]["id"] in UNDATED)
    events = get_all(client, f"/api/v1/events?{ASSUMED_BY_JULY_2}&page_size=100")
    assert len(events) == len(get_all(client, "/api/v1/events?page_size=100"))
    for e in events:
        assert all(c["known_from"] == mark(c["source"]["id"]) for c in e["citations"])
        assert e["known_from"] == earliest(c["source"]["id"] for c in e["citations"]), e["id"]
        stated = sorted(STATED_ON[c["source"]["id"]] for c in e["citations"] if c["source"]["id"] in STATED_ON)
        assert e["first_reported"]["published"] == (stated[0] if stated else None), e["id"]
    assert any(e["known_from"]["assumed"] for e in events) and not all(e["known_from"]["assumed"] for e in events)


def test_counting_assumed_dates_never_makes_a_first_publication(client):
    claims = get_all(client, f"/api/v1/claims?{ASSUMED_BY_JULY_2}&page_size=100")
    published_only = get_all(client, f"/api/v1/claims?{ON_THE_DATED_SOURCE}&page_size=100")
    assert len(claims) > len(published_only)
    for c in claims:
        sources = [f["source"]["id"] for f in c["figures"]]
        assert c["known_from"] == earliest(sources), c["id"]
        assert all(f["known_from"] == mark(f["source"]["id"]) for f in c["figures"])
        # first_published/first_source stay on stated publication dates only.
        stated = sorted((STATED_ON[s], s) for s in sources if s in STATED_ON)
        assert (c["first_published"], c["first_source"]) == (stated[0] if stated else (None, None)), c["id"]
    # A claim known first from an assumed date (006's December statement) may still have a stated
    # publication later (007 in March): the claims with a first publication are those known by then.
    assert {c["id"] for c in claims if c["first_published"]} == {c["id"] for c in published_only}
    assert {c["id"] for c in claims if not c["known_from"]["assumed"]} < {c["id"] for c in published_only}


def test_counting_assumed_dates_in_the_computed_answers(client):
    discrepancies = get_all(client, f"/api/v1/discrepancies?{ASSUMED_BY_JULY_2}&page_size=100")
    assert discrepancies and {d["known_from"]["assumed"] for d in discrepancies} == {True, False}
    assert len(discrepancies) == len(get_all(client, "/api/v1/discrepancies?page_size=100"))
    timeline = get_json(client, f"/api/v1/timeline?{ASSUMED_BY_JULY_2}")
    entries = timeline["items"] + timeline["undated"]
    assert {e["known_from"]["assumed"] for e in entries} == {True, False}


def test_known_at_basis_published_is_the_default(client):
    for path in ("figures", "events", "claims", "discrepancies"):
        default = get_json(client, f"/api/v1/{path}?{ON_THE_DATED_SOURCE}&page_size=100")
        explicit = get_json(client, f"/api/v1/{path}?{ON_THE_DATED_SOURCE}&known_at_basis=published&page_size=100")
        assert default["items"] == explicit["items"], path
        assert all("known_from" not in item for item in default["items"]), path


def test_known_at_basis_assumed_before_every_reference_date_returns_nothing(client):
    for path in ("figures", "events", "claims", "discrepancies"):
        body = get_json(client, f"/api/v1/{path}?known_at=2024-12-18&known_at_basis=assumed&total=true")
        assert body["total"] == 0, path


def test_figures_sort_by_published_or_assumed_date(client):
    figures = get_all(client, "/api/v1/figures?sort=published_or_assumed&page_size=7")
    assert len(figures) == len(get_all(client, "/api/v1/figures?page_size=100"))
    # By the date each became known, stated or assumed; the id breaks ties.
    keys = [(f["known_from"]["date"], f["id"]) for f in figures]
    assert keys == sorted(keys)
    assert [f["known_from"] for f in figures] == [mark(f["source"]["id"]) for f in figures]
    assert keys[0][0] == "2024-12-19" and keys[-1][0] == "2025-07-02"
    csv = client.get(f"/api/v1/figures.csv?{ASSUMED_BY_JULY_2}")
    assert csv.status_code == 200 and csv.get_data(as_text=True).count("\n") == len(figures) + 1


def test_an_unknown_known_at_basis_is_refused(client):
    for path in (
        "figures",
        "events",
        "claims",
        "discrepancies",
        "timeline",
        "metrics/troops-additional-planned/summary",
    ):
        response = client.get(f"/api/v1/{path}?known_at=2025-07-02&known_at_basis=stated")
        assert response.status_code == 422, path
        assert "known_at_basis" in response.get_data(as_text=True), path


def test_metric_summary_counting_assumed_dates(client):
    url = "/api/v1/metrics/troops-additional-planned/summary?known_at=2025-07-02"
    published = get_json(client, url)
    assumed = get_json(client, url + "&known_at_basis=assumed")
    assert assumed["counts"]["sources"] > published["counts"]["sources"] == 1
    latest = [c["latest"] for c in assumed["claimants"]]
    assert latest and all(f["known_from"] == mark(f["source"]["id"]) for f in latest)
    assert all("known_from" not in c["latest"] for c in published["claimants"])

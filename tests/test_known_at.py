"""known_at: every answer as it could have been given on a past date.

Every expected answer below was read off the five archived texts through the
curated fixtures; they are asserted exactly.
"""

from tests.conftest import BUILD_UP, CNN, ON_THE_DATED_SOURCE, PLANS, PREPARING, TRIPLE, get_all, get_json

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


# ---- known_at_basis=assumed: undated texts count from their assumed reference date

ASSUMED_BY_JULY_2 = "known_at=2025-07-02&known_at_basis=assumed"
UNDATED = {CNN, PLANS, TRIPLE, BUILD_UP}  # no publication date; reference date 2025-07-02 assumed
STATED = {"date": "2025-07-02", "assumed": False}
ASSUMED = {"date": "2025-07-02", "assumed": True}


def test_known_at_counting_assumed_dates_includes_the_undated_texts(client):
    figures = get_all(client, f"/api/v1/figures?{ASSUMED_BY_JULY_2}&page_size=100")
    # Every text's reference date is 2025-07-02: everything is known by then.
    assert len(figures) == len(get_all(client, "/api/v1/figures?page_size=100"))
    assert {f["source"]["id"] for f in figures} == UNDATED | {PREPARING}
    for f in figures:
        undated = f["source"]["id"] in UNDATED
        assert f["known_from"] == (ASSUMED if undated else STATED), f["id"]
        assert (f["source"]["published"] is None) == undated
    events = get_all(client, f"/api/v1/events?{ASSUMED_BY_JULY_2}&page_size=100")
    assert len(events) == len(get_all(client, "/api/v1/events?page_size=100"))
    for e in events:
        assert all(c["known_from"] == (ASSUMED if c["source"]["id"] in UNDATED else STATED) for c in e["citations"])
        dated = any(c["source"]["id"] == PREPARING for c in e["citations"])
        # An event only an undated text reports is known only through an assumed date.
        assert e["known_from"] == (STATED if dated else ASSUMED), e["id"]
        assert e["first_reported"]["published"] == ("2025-07-02" if dated else None), e["id"]
    assert any(e["known_from"]["assumed"] for e in events) and not all(e["known_from"]["assumed"] for e in events)


def test_counting_assumed_dates_never_makes_a_first_publication(client):
    claims = get_all(client, f"/api/v1/claims?{ASSUMED_BY_JULY_2}&page_size=100")
    published_only = get_all(client, f"/api/v1/claims?{ON_THE_DATED_SOURCE}&page_size=100")
    assert len(claims) > len(published_only)
    for c in claims:
        dated = any(f["source"]["id"] == PREPARING for f in c["figures"])
        assert c["known_from"] == (STATED if dated else ASSUMED), c["id"]
        assert all(f["known_from"] == (STATED if f["source"]["published"] else ASSUMED) for f in c["figures"])
        # first_published/first_source stay on stated publication dates only.
        assert (c["first_published"], c["first_source"]) == (("2025-07-02", PREPARING) if dated else (None, None))
    assert {c["id"] for c in claims if not c["known_from"]["assumed"]} == {c["id"] for c in published_only}


def test_counting_assumed_dates_in_the_computed_answers(client):
    discrepancies = get_all(client, f"/api/v1/discrepancies?{ASSUMED_BY_JULY_2}&page_size=100")
    # Sources can differ only once the undated ones count: every discrepancy needs one of them.
    assert discrepancies and {d["known_from"]["assumed"] for d in discrepancies} == {True}
    assert len(discrepancies) == len(get_all(client, "/api/v1/discrepancies?page_size=100"))
    timeline = get_json(client, f"/api/v1/timeline?{ASSUMED_BY_JULY_2}")
    entries = timeline["items"] + timeline["undated"]
    assert {e["known_from"]["assumed"] for e in entries} == {True, False}
    for e in entries:
        stated = e["first_reported"]["published"] is not None
        assert e["known_from"] == (STATED if stated else ASSUMED), e["id"]


def test_known_at_basis_published_is_the_default(client):
    for path in ("figures", "events", "claims", "discrepancies"):
        default = get_json(client, f"/api/v1/{path}?{ON_THE_DATED_SOURCE}&page_size=100")
        explicit = get_json(client, f"/api/v1/{path}?{ON_THE_DATED_SOURCE}&known_at_basis=published&page_size=100")
        assert default["items"] == explicit["items"], path
        assert all("known_from" not in item for item in default["items"]), path
    assert len(get_all(client, f"/api/v1/figures?{ON_THE_DATED_SOURCE}&page_size=100")) == 15


def test_known_at_basis_assumed_before_every_reference_date_returns_nothing(client):
    for path in ("figures", "events", "claims", "discrepancies"):
        body = get_json(client, f"/api/v1/{path}?known_at=2025-07-01&known_at_basis=assumed&total=true")
        assert body["total"] == 0, path


def test_figures_sort_by_published_or_assumed_date(client):
    figures = get_all(client, "/api/v1/figures?sort=published_or_assumed&page_size=7")
    assert len(figures) == len(get_all(client, "/api/v1/figures?page_size=100"))
    # All on 2025-07-02: the id breaks the tie, and each figure says which date it has.
    assert [f["id"] for f in figures] == sorted(f["id"] for f in figures)
    assert {(f["source"]["published"] is None, f["known_from"]["assumed"]) for f in figures} == {
        (True, True),
        (False, False),
    }
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
    assert latest and all(f["known_from"] == (STATED if f["source"]["published"] else ASSUMED) for f in latest)
    assert all("known_from" not in c["latest"] for c in published["claimants"])

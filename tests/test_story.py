"""The story over time: three earlier texts dated as they were, and the estimates as they changed."""

import json
import sqlite3

from tests.conftest import KILLED_100, KILLED_WOUNDED_3000, PREPARING, PRESUMED_3000, get_all, get_json

# The first contingent's losses, each claim its own measure, linked as answers to one question.
FIRST_CONTINGENT_LOSSES = {
    "nk-first-deployment-killed": "troops-killed",
    "nk-first-deployment-wounded": "troops-wounded",
    "nk-first-deployment-casualties": "troops-killed-or-wounded",
    "nk-first-deployment-casualty-count": "troops-casualties",
}


def test_a_date_from_archive_metadata_is_marked_and_never_a_citation_of_the_outlet(client):
    for source_id, day in ((KILLED_100, "2024-12-19"), (PRESUMED_3000, "2025-03-27")):
        s = get_json(client, f"/api/v1/sources/{source_id}")
        assert (s["published"]["start"], s["published"]["basis"]) == (day, "archive-metadata")
        line = s["archive_line"]["text"]
        assert line.startswith("Source: ") and line.endswith(day) and s["published"]["quote"]["text"] == day
        assert s["outlet"] is not None and s["outlet"]["name"] in line
        assert s["reference_date"] == {**s["reference_date"], "date": day, "assumed": False}
        assert all(
            c["quote"]["start"] >= s["archive_line"]["end"] or c["quote"]["end"] <= s["archive_line"]["start"]
            for c in s["cites"]
        )
    own = get_json(client, f"/api/v1/sources/{PREPARING}")
    assert own["published"]["basis"] == "text" and own["archive_line"] is None


def test_a_statements_date_without_its_year_is_an_assumed_reference_date(client):
    s = get_json(client, f"/api/v1/sources/{KILLED_WOUNDED_3000}")
    assert s["published"] is None and s["archive_line"]["text"] == "Source: The Kyiv Independent"
    ref = s["reference_date"]
    assert (ref["date"], ref["assumed"], ref["quote"]["text"]) == ("2024-12-23", True, "Dec. 23")
    assert ref["basis"].startswith("assumed") and "2024" in ref["outside_text"]


def test_the_first_contingents_losses_are_linked_claims_of_their_own_measures(db_path):
    with sqlite3.connect(db_path) as db:
        marks = ",".join("?" * len(FIRST_CONTINGENT_LOSSES))
        query = f"SELECT id, metric_id FROM claims WHERE id IN ({marks})"
        rows = dict(db.execute(query, list(FIRST_CONTINGENT_LOSSES)))
        links = {cid: set(json.loads(q)) for cid, q in db.execute("SELECT id, same_question_as FROM claims")}
    assert rows == FIRST_CONTINGENT_LOSSES
    for cid in FIRST_CONTINGENT_LOSSES:
        assert links[cid] == set(FIRST_CONTINGENT_LOSSES) - {cid}, cid
    assert sum(bool(v) for v in links.values()) == len(FIRST_CONTINGENT_LOSSES)


def test_the_first_contingents_losses_in_the_order_they_became_known(client):
    url = "/api/v1/figures?category=casualties&known_at_basis=assumed&sort=published_or_assumed&page_size=100"
    figures = [f for f in get_all(client, url) if f["claim"]["id"] in FIRST_CONTINGENT_LOSSES]
    got = [
        (
            f["known_from"]["date"],
            f["known_from"]["assumed"],
            f["metric"]["id"],
            f["value"]["text"],
            f["value"]["hedge"],
        )
        for f in figures
    ]
    # December: at least 100 killed, nearly 1,000 injured, several hundred casualties (005, published);
    # days later over 3,000 killed and wounded (006, its date assumed); March: 4,000 casualties (007);
    # July: about 4,000 killed or wounded (the July texts). Ties on a date go by figure id.
    assert got == [
        ("2024-12-19", False, "troops-casualties", "several hundred", "vague"),
        ("2024-12-19", False, "troops-killed", "at least 100", "at_least"),
        ("2024-12-19", False, "troops-wounded", "nearly 1,000", "up_to"),
        ("2024-12-19", False, "troops-killed", "At Least 100", "at_least"),
        ("2024-12-19", False, "troops-killed", "At least 100", "at_least"),
        ("2024-12-23", True, "troops-wounded", "1,000", "exact"),
        ("2024-12-23", True, "troops-killed", "at least 100", "at_least"),
        ("2024-12-23", True, "troops-killed-or-wounded", "has surpassed 3,000", "more_than"),
        ("2024-12-23", True, "troops-killed-or-wounded", "Over 3,000", "more_than"),
        ("2025-03-27", False, "troops-casualties", "4,000", "exact"),
        ("2025-07-02", True, "troops-killed-or-wounded", "approximately 4,000", "about"),
        ("2025-07-02", True, "troops-killed-or-wounded", "Roughly 4,000", "about"),
        ("2025-07-02", False, "troops-killed-or-wounded", "Roughly 4,000", "about"),
        ("2025-07-02", True, "troops-killed-or-wounded", "around 4,000", "about"),
        ("2025-07-02", True, "troops-killed-or-wounded", "Around 4,000", "about"),
    ]


def test_what_was_known_on_new_years_day_2025(client):
    def sources(basis):
        url = f"/api/v1/figures?known_at=2025-01-01&known_at_basis={basis}&page_size=100"
        return {f["source"]["id"] for f in get_all(client, url)}

    assert sources("published") == {KILLED_100}
    assert sources("assumed") == {KILLED_100, KILLED_WOUNDED_3000}
    march = get_all(client, "/api/v1/figures?known_at=2025-04-01&known_at_basis=assumed&page_size=100")
    assert {f["source"]["id"] for f in march} == {KILLED_100, KILLED_WOUNDED_3000, PRESUMED_3000}

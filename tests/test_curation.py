"""The curated record says what the texts say: coverage and spot checks."""

from api.builder.coverage import coverage, find_cues, find_items, summary_line
from tests.conftest import get_all

S000 = "nk-plans-30000-more-troops"
S001 = "russia-north-korea-troop-build-up"
S002 = "nk-preparing-up-to-30000-more-troops"
S003 = "cnn-nk-up-to-30000-troops"
S004 = "nk-reportedly-preparing-to-triple-troops"
S005 = "at-least-100-nk-soldiers-killed"
S006 = "over-3000-nk-troops-killed-wounded"
S007 = "nk-presumed-to-send-3000-more-troops"


def test_every_number_date_and_attribution_cue_in_every_text_is_covered(curated, texts):
    report = coverage(curated, texts)
    assert len(report) == 8
    gaps = [
        (entry["source"]["filename"], row["item"].kind, row["item"].text, row["item"].start)
        for entry in report
        for row in entry["rows"]
        if not row["covered_by"]
    ]
    assert gaps == []
    kinds = {row["item"].kind for entry in report for row in entry["rows"]}
    assert kinds == {"number", "date", "cue"}
    lines = [summary_line(entry) for entry in report]
    assert lines[0] == "000: 11/11 numbers covered, 7/7 dates covered, 14/14 cues covered"
    assert all(line.count("/") == 3 for line in lines)
    for line in lines:
        for part in line.split(": ", 1)[1].split(", "):
            covered, total = part.split()[0].split("/")
            assert covered == total, line


def test_coverage_finds_numbers_number_words_and_dates():
    text = "Up to 30,000 troops, nine million shells, the second visit, tripling it, on Friday, last fall, in May."
    found = [(i.kind, i.text) for i in find_items(text)]
    assert ("number", "30,000") in found and ("number", "nine") in found and ("number", "million") in found
    assert ("number", "second") in found and ("number", "tripling") in found
    assert ("date", "Friday") in found and ("date", "last fall") in found and ("date", "May") in found
    assert ("date", "may") not in [(k, t.lower()) for k, t in found if t == "may"]


def test_planned_deployment_by_source_with_hedges_and_claimants(client):
    figures = get_all(client, "/api/v1/figures?claim=nk-additional-deployment-size&sort=source,id")
    got = [
        (f["source"]["id"], f["value"]["text"], f["value"]["hedge"], (f["claimant"] or {}).get("id")) for f in figures
    ]
    assert got == [
        (S000, "up to 30,000", "up_to", "ukrainian-officials"),
        (S000, "30,000", "exact", None),
        (S001, "25,000–30,000", "range", "ukrainian-officials"),
        (S002, "up to 30,000", "up_to", "ukrainian-intelligence-assessment"),
        (S002, "30,000", "exact", "ukrainian-intelligence-assessment"),
        (S003, "25,000 to 30,000", "range", "ukrainian-intelligence"),
        (S003, "up to 30,000", "up_to", None),
        (S004, "25,000 to 30,000", "range", "ukrainian-officials"),
    ]


def test_three_sources_report_the_kn_strike_count_each_with_its_hedge(client):
    figures = get_all(client, "/api/v1/figures?claim=kn-missile-strikes&sort=source")
    got = {
        f["source"]["id"]: (f["value"]["text"], f["value"]["hedge"], f["value"]["low"], f["value"]["high"])
        for f in figures
    }
    assert got == {
        S001: ("at least 82", "at_least", 82, None),
        S002: ("82", "exact", 82, 82),
        S003: ("82", "exact", 82, 82),
    }


def test_each_source_dates_the_ropucha_docking_at_dunai_its_own_way(client):
    event = client.get("/api/v1/events/ropucha-ship-docks-at-dunai-2025-05").get_json()
    dates = {c["source"]["id"]: (c["date"] or {}).get("phrase") for c in event["citations"]}
    assert dates == {S000: "in May", S001: "on 18 May", S002: "in May 2025", S003: None}
    assert event["date"]["start"] == "2025-05-18" and event["date"]["source"] == S001


def test_relative_dates_are_resolved_and_say_from_what(client):
    figure = client.get("/api/v1/figures/s001-first-deployment-11000").get_json()
    assert figure["period"]["start"] == "2024-11"
    assert figure["period"]["phrase"] == "last November"
    assert figure["period"]["resolved_from"] == "2025-07-02"
    assert "assum" in figure["period"]["resolution"]


def test_three_sources_give_a_publication_date_and_one_is_skeptical(client):
    sources = client.get("/api/v1/sources").get_json()["items"]
    assert {s["id"]: (s["published"] or {}).get("start") for s in sources} == {
        S000: None,
        S001: None,
        S002: "2025-07-02",
        S003: None,
        S004: None,
        S005: "2024-12-19",
        S006: None,
        S007: "2025-03-27",
    }
    # 002 dates itself; 005 and 007 are dated by the archive's Source line.
    assert {s["id"]: s["published"]["basis"] for s in sources if s["published"]} == {
        S002: "text",
        S005: "archive-metadata",
        S007: "archive-metadata",
    }
    assert [s["id"] for s in sources if s["stance"] == "skeptical"] == [S004]
    assert all(s["reference_date"]["assumed"] == (s["published"] is None) for s in sources)
    assert {s["id"]: s["reference_date"]["date"] for s in sources if s["reference_date"]["assumed"]} == {
        S000: "2025-07-02",
        S001: "2025-07-02",
        S003: "2025-07-02",
        S004: "2025-07-02",
        S006: "2024-12-23",
    }


def test_roles_are_kept_as_each_source_states_them(client):
    syrskyi = client.get("/api/v1/entities/oleksandr-syrskyi").get_json()
    roles = {(r["source"], r["role"]) for r in syrskyi["roles"]}
    assert (S001, "armed-forces commander") in roles and (S002, "military chief") in roles


def test_coverage_finds_attribution_cues():
    text = "Officials said, according to TASS, that the estimates were confirmed; he warned and told CNN."
    found = [i.text for i in find_cues(text)]
    assert found == ["said", "according to", "estimates", "confirmed", "warned", "told"]
    assert [i.text for i in find_cues("the accordion")] == []

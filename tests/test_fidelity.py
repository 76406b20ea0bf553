"""Everything the texts say, nothing they don't: the curated data through the API, and the checks that keep it so."""

import copy
import shutil

import pytest

from api.builder import coverage as coverage_cli
from api.builder.coverage import coverage
from api.builder.fixtures import validate
from api.builder.review import review
from api.builder.texts import read_text
from api.web.queries import claims as claim_queries
from api.web.queries.listing import conditions
from tests.conftest import KILLED_WOUNDED_3000, PRESUMED_3000, get_all, get_json, ids

S000 = "nk-plans-30000-more-troops"
S001 = "russia-north-korea-troop-build-up"
S002 = "nk-preparing-up-to-30000-more-troops"
S003 = "cnn-nk-up-to-30000-troops"
S004 = "nk-reportedly-preparing-to-triple-troops"
SYRSKYI = "syrskyi-statement-on-pokrovsk-build-up-2025-06-27"
SHOIGU_ANNOUNCES = "shoigu-announces-sappers-and-workers-for-kursk-2025-06"
FIRST_DEPLOYMENT = "nk-first-deployment-to-russia-2024-11"


@pytest.fixture(scope="module")
def text_of(texts, curated):
    files = {s["id"]: s["filename"] for s in curated.data("sources")}
    return lambda source_id: read_text(texts, files[source_id])


# ---- figures linked to events ------------------------------------------------


def test_figures_carry_the_events_their_texts_tie_them_to(client):
    figures = get_all(client, "/api/v1/figures?page_size=100")
    linked = {f["id"]: f["event"]["id"] for f in figures if f["event"]}
    assert len(figures) == 72 and len(linked) == 71
    # The one left: 'known for transporting hundreds of troops' describes the ship type, not the docking.
    assert [f["id"] for f in figures if not f["event"]] == ["s000-ropucha-capacity-hundreds"]
    assert linked["s001-pokrovsk-massing-110000"] == SYRSKYI
    assert linked["s002-pokrovsk-troops-massed-110000"] == SYRSKYI
    assert linked["s001-shoigu-sappers-1000"] == SHOIGU_ANNOUNCES
    assert linked["s002-shoigu-construction-workers-5000"] == SHOIGU_ANNOUNCES
    assert linked["s003-pokrovsk-civilians-killed-11"] == "kn-missile-strike-kills-civilians-in-pokrovsk-2024-01"
    assert {linked[f"s00{n}-first-deployment-casualties-4000"] for n in range(5)} == {FIRST_DEPLOYMENT}


def test_figures_by_event_and_the_figures_an_event_lists_agree(client):
    figures = get_all(client, "/api/v1/figures?page_size=100")
    by_event: dict[str, set] = {}
    for f in figures:
        if f["event"]:
            by_event.setdefault(f["event"]["id"], set()).add(f["id"])
    assert ids(client.get(f"/api/v1/figures?event={SYRSKYI}")) == [
        "s001-pokrovsk-massing-110000",
        "s002-pokrovsk-troops-massed-110000",
    ]
    for event_id, expected in by_event.items():
        event = get_json(client, f"/api/v1/events/{event_id}")
        listed = {f["id"] for f in event["figures"]}
        assert listed == expected, event_id
        assert set(ids(client.get(f"/api/v1/figures?event={event_id}&page_size=100"))) == expected
        # A figure may name an event only if its own source cites that event.
        cited = {c["source"]["id"] for c in event["citations"]}
        assert {f["source"] for f in event["figures"]} <= cited
    quiet = get_json(client, "/api/v1/events/csp-treaty-signed-2024-06")
    assert quiet["figures"] == []


def test_a_figure_given_only_through_an_event_takes_its_date(client):
    event = get_json(client, f"/api/v1/events/{SYRSKYI}")
    dates = {c["source"]["id"]: c["date"] for c in event["citations"]}
    for f in event["figures"]:
        period = get_json(client, f"/api/v1/figures/{f['id']}")["period"]
        assert (period["first_day"], period["last_day"]) == (
            dates[f["source"]]["first_day"],
            dates[f["source"]]["last_day"],
        )
    # Resolved against an assumed reference date, and the figure says so.
    massing = get_json(client, "/api/v1/figures/s001-pokrovsk-massing-110000")
    assert massing["period"]["start"] == "2025-06-27" and "assumed" in massing["period"]["resolution"]
    # 002 dates the visit (June 17), not the announcement: its numbers keep no period.
    assert get_json(client, "/api/v1/figures/s002-shoigu-sappers-1000")["period"] is None
    assert get_json(client, "/api/v1/figures/s001-shoigu-sappers-1000")["period"]["start"] == "2025-06"


def test_a_figure_naming_an_event_its_source_does_not_cite_is_an_error(texts, curated):
    fixtures = copy.deepcopy(curated)
    figure = next(r for r in fixtures.records["figures"] if r.data["id"] == "s004-tripling")
    figure.data["event"] = SYRSKYI  # 004 does not report Syrskyi's statement
    problems = validate(fixtures, texts)
    assert [(p.record, p.field) for p in problems] == [("s004-tripling", "event")]
    assert "no citation from source" in problems[0].message


def test_a_source_cites_an_event_once(texts, curated):
    fixtures = copy.deepcopy(curated)
    event = next(r for r in fixtures.records["events"] if r.data["id"] == SYRSKYI)
    event.data["citations"].append(copy.deepcopy(event.data["citations"][0]))
    problems = validate(fixtures, texts)
    last = len(event.data["citations"]) - 1
    assert [(p.record, p.field) for p in problems] == [(SYRSKYI, f"citations.{last}.source")]
    assert "already cites this event (citation 0)" in problems[0].message


# ---- statements ----------------------------------------------------------------


def test_statements_are_served_with_verbatim_quotes(client, curated, text_of):
    statements = get_all(client, "/api/v1/statements?page_size=20")
    assert len(statements) == len(curated.data("statements")) == 49
    for s in statements:
        q = s["quote"]
        assert text_of(s["source"]["id"])[q["start"] : q["end"]] == q["text"]
        assert s["cue"] in q["text"]
        assert s["speaker"]["id"] or s["speaker"]["attribution"]
        assert get_json(client, s["url"]) == s
    assert client.get("/api/v1/statements/no-such-statement").status_code == 404


def test_statements_per_entity_and_per_source(client):
    about_kim = ids(client.get("/api/v1/entities/kim-jong-un/statements"))
    # In source order (by the document's file number, then place in the text).
    assert about_kim == [
        "s000-umerov-warns-kim-risks-stability",
        "s001-umerov-warns-casualties-endanger-kim",
        "s001-town-blood-debt-leverage",
        "s002-umerov-warns-move-could-backfire",
        "s005-spy-agency-detects-signs-of-new-special-force",
    ]
    by_umerov = get_all(client, "/api/v1/statements?speaker=rustem-umerov")
    assert {s["source"]["id"] for s in by_umerov} == {S000, S001, S002}
    assert {s["cue"] for s in by_umerov} == {"warning", "said", "argued", "warned"}
    by_alias = client.get("/api/v1/entities/umerov/statements")  # an alias answers as the canonical id
    assert by_alias.status_code == 200 and by_alias.headers["Content-Location"].startswith("/api/v1/entities/")
    skeptical = get_all(client, f"/api/v1/sources/{S004}/statements")
    assert {s["source"]["id"] for s in skeptical} == {S004} and len(skeptical) == 8
    assert ids(client.get(f"/api/v1/statements?source={S004}&speaker=white-house")) == [
        "s004-white-house-to-halt-weapons-transfers"
    ]
    assert client.get("/api/v1/sources/no-such-source/statements").status_code == 404


def test_statements_are_searchable(client):
    hits = get_json(client, "/api/v1/search?q=backfire&type=statement")["items"]
    assert [(h["type"], h["id"]) for h in hits] == [("statement", "s002-umerov-warns-move-could-backfire")]
    assert hits[0]["url"] == "/api/v1/statements/s002-umerov-warns-move-could-backfire"


def test_a_statement_whose_cue_is_not_in_its_quote_is_an_error(texts, curated):
    fixtures = copy.deepcopy(curated)
    fixtures.records["statements"][0].data["cue"] = "proclaimed"
    problems = validate(fixtures, texts)
    assert [p.field for p in problems] == ["cue"]


# ---- assessments ---------------------------------------------------------------


def test_claims_carry_who_confirms_or_declines_to_confirm(client):
    claim = get_json(client, "/api/v1/claims/nk-additional-deployment-size")
    stances = {(a["id"], a["stance"], (a["entity"] or {}).get("id"), a["independent"]) for a in claim["assessments"]}
    assert stances == {
        ("s002-western-official-confirms-ukrainian-estimate", "confirms", "western-officials", True),
        ("s002-nis-has-not-confirmed-ukrainian-estimate", "has-not-confirmed", "national-intelligence-service", True),
        ("s001-town-calls-figure-high-but-feasible", "doubts", "jenny-town", True),
        ("s004-skeptical-of-report-size", "doubts", None, False),
        ("s004-calls-troop-surge-alleged", "doubts", None, False),
    }
    assert claim["corroboration"] == {
        "origins": 2,
        "repeated_reports": 3,
        "independent_confirmations": 1,
        "not_confirmed": 1,
        "doubted": 3,
    }
    # The UN states' report 'confirmed' its own figure: a repetition, not an independent confirmation.
    missiles = get_json(client, "/api/v1/claims/un-report-missiles-supplied")
    assert [(a["stance"], a["independent"]) for a in missiles["assessments"]] == [("confirms", False)]
    assert missiles["corroboration"]["independent_confirmations"] == 0


def test_claims_filter_by_stance_and_assessor(client):
    assert ids(client.get("/api/v1/claims?stance=confirms&stance=has-not-confirmed")) == [
        "nk-additional-deployment-size",
        "un-report-missiles-supplied",
        "un-report-shells-supplied",
    ]
    assert ids(client.get("/api/v1/claims?assessed_by=national-intelligence-service")) == [
        "nk-additional-deployment-size"
    ]
    assert ids(client.get("/api/v1/claims?stance=doubts")) == [
        "nk-additional-deployment-size",
        "nk-deployment-tripling",
    ]
    assert ids(client.get("/api/v1/claims?stance=disputes")) == []
    # Both filters hold for one and the same assessment.
    assert ids(client.get("/api/v1/claims?stance=confirms&assessed_by=national-intelligence-service")) == []
    assert client.get("/api/v1/claims?stance=believes").status_code == 422


def test_stance_and_assessor_make_one_condition_on_one_assessment():
    where, params = conditions(claim_queries.FILTERS, {"stance": ["doubts"], "assessed_by": ["cnn"]})
    assert where.count("FROM assessments a") == 1
    assert params == ["cnn", "doubts"]
    where, params = conditions(claim_queries.FILTERS, {"stance": ["doubts"]})
    assert (where.count("FROM assessments a"), params) == (1, ["doubts"])


# ---- exclusions, cites, participants per source ------------------------------------


def test_exclusions_are_served_with_their_reasons(client, curated, text_of):
    exclusions = get_all(client, "/api/v1/exclusions?page_size=7")
    assert len(exclusions) == len(curated.data("exclusions")) == 41
    for x in exclusions:
        q = x["quote"]
        assert text_of(x["source"]["id"])[q["start"] : q["end"]] == q["text"] and x["reason"]
    mine = get_all(client, f"/api/v1/exclusions?source={S001}")
    assert {x["source"]["id"] for x in mine} == {S001}
    refs = {x["quote"]["text"]: x["refers_to"] for x in mine}
    assert refs["30,000-troop figure"] == "nk-additional-deployment-size"


def test_each_source_cites_every_party_it_cites(client):
    assert ids(client.get("/api/v1/sources?cites=open-source-centre")) == [S000, S002, S001]
    assert sorted(ids(client.get("/api/v1/sources?cites=western-officials"))) == sorted([S000, S001, S002, S003, S004])
    assert ids(client.get("/api/v1/sources?cites=volodymyr-zelensky")) == [PRESUMED_3000, S004, KILLED_WOUNDED_3000]
    cites = {c["entity"]["id"] for c in get_json(client, f"/api/v1/sources/{S001}")["cites"]}
    assert {"jenny-town", "stimson-center", "oleksandr-syrskyi", "tass", "national-intelligence-service"} <= cites


def test_an_event_matches_an_entity_for_a_source_only_through_that_sources_citation(client):
    # Kursk is where the first contingent fought in 002, 003 and 004; 000 and 001 do not say so.
    assert FIRST_DEPLOYMENT in ids(client.get("/api/v1/events?entity=kursk-region&page_size=100"))
    for source, expected in ((S000, False), (S001, False), (S002, True), (S003, True), (S004, True)):
        found = ids(client.get(f"/api/v1/events?entity=kursk-region&source={source}&page_size=100"))
        assert (FIRST_DEPLOYMENT in found) is expected, source
        # A source's own list narrows the same way: its scope is the source filter.
        assert ids(client.get(f"/api/v1/sources/{source}/events?entity=kursk-region&page_size=100")) == found
    announcement = get_json(client, f"/api/v1/events/{SHOIGU_ANNOUNCES}")
    places = {c["source"]["id"]: (c["location"] or {}).get("id") for c in announcement["citations"]}
    assert places == {S001: "pyongyang", S002: None}


# ---- coverage and review ---------------------------------------------------------


def test_every_attribution_cue_is_covered_by_a_record_of_who_said_what(texts, curated):
    report = coverage(curated, texts)
    cues = [row for entry in report for row in entry["rows"] if row["item"].kind == "cue"]
    assert len(cues) == 115
    allowed = ("figure ", "event ", "statement ", "assessment ", "source stance evidence", "exclusion: ")
    assert all(row["covered_by"] and row["covered_by"][0].startswith(allowed) for row in cues)
    # Without the statements, the cues only they cover are gaps.
    fixtures = copy.deepcopy(curated)
    fixtures.records["statements"] = []
    gaps = [r for e in coverage(fixtures, texts) for r in e["rows"] if r["item"].kind == "cue" and not r["covered_by"]]
    assert {(r["item"].text, r["item"].start) for r in gaps} >= {("warned", 1245), ("said", 1853)}


def test_the_curated_prose_says_nothing_beyond_the_texts(texts, curated):
    assert review(curated, texts) == []


def test_review_flags_outside_knowledge_unmarked_dates_and_unsupported_participants(texts, curated):
    fixtures = copy.deepcopy(curated)
    entities = {r.data["id"]: r for r in fixtures.records["entities"]}
    entities["pokrovsk"].data["description"] = "A city in Ukraine's Donetsk region."
    entities["kn-23"].data["description"] = "A missile (outside the texts: a Hwasong-11)."
    events = {r.data["id"]: r for r in fixtures.records["events"]}
    events["kim-inspects-special-forces-2025-05-14"].data["summary"] = "Kim inspects special forces on 14 May 2025."
    events["csp-treaty-first-anniversary-2025-06-28"].data["participants"].append({"entity": "iran", "role": "party"})
    flags = {(p.record, p.field): p.message for p in review(fixtures, texts)}
    assert set(flags) == {
        ("pokrovsk", "description"),
        ("kim-inspects-special-forces-2025-05-14", "summary"),
        ("csp-treaty-first-anniversary-2025-06-28", "participants.3.entity"),
    }
    assert "Donetsk" in flags[("pokrovsk", "description")]
    assert "assumed" in flags[("kim-inspects-special-forces-2025-05-14", "summary")]


def test_the_coverage_command_fails_on_an_uncovered_cue(tmp_path, story_fixtures, texts, capsys):
    assert coverage_cli.main(["--texts", str(texts)]) == 0
    out = capsys.readouterr().out
    assert "000: 11/11 numbers covered, 7/7 dates covered, 14/14 cues covered" in out
    copy_dir = tmp_path / "fixtures"
    shutil.copytree(story_fixtures, copy_dir)
    shutil.rmtree(copy_dir / "statements")
    assert coverage_cli.main(["--fixtures", str(copy_dir), "--texts", str(texts)]) == 1
    out = capsys.readouterr().out
    assert (
        "UNCOVERED cue 1245-1251" in out
        and "001: 33/33 numbers covered, 13/13 dates covered, 12/17 cues covered" in out
    )


def test_statement_and_assessment_filters_take_names(client):
    by_id = ids(client.get("/api/v1/statements?speaker=rustem-umerov"))
    assert by_id and ids(client.get("/api/v1/statements?speaker=Umerov")) == by_id
    assert ids(client.get("/api/v1/claims?assessed_by=National Intelligence Service")) == [
        "nk-additional-deployment-size"
    ]
    assert client.get("/api/v1/claims?assessed_by=no-such-party").status_code == 422
    assert client.get("/api/v1/statements?about=no-such-party").status_code == 422

"""A claim's history: its reports and those of its linked claims, in the order they became known.

Tried on the story's fixtures (claims linked by ``same_quantity_as``) and on a
made-up variant of them: the undated sources given reference dates months apart
and two claims of different measures linked as answers to one question.
"""

import csv
import io

import orjson
import pytest

from api.values import change, relation
from tests.conftest import KILLED_WOUNDED_3000, conforms, get_all, get_json, make_app
from tests.made_up import MADE_UP_DATES, QUESTION

LINKED_BY_QUANTITY = (
    "nk-additional-deployment-size",
    "western-additional-deployment-estimate",
    "town-phased-deployment",
)


def history(client, claim_id: str, query: str = "") -> list[dict]:
    return get_all(client, f"/api/v1/claims/{claim_id}/history?page_size=100&{query}")


def figures_of(client, claims, query: str = "") -> dict[str, dict]:
    wanted = "&".join(f"claim={c}" for c in claims)
    return {f["id"]: f for f in get_all(client, f"/api/v1/figures?page_size=100&{wanted}&{query}")}


def known_key(report: dict) -> tuple:
    known = report["known_from"]
    return (known["date"], known["assumed"]) if known else ("~", False)


def check_chain(reports: list[dict]) -> None:
    """Each report follows the one of its measure before it and relates to it by the one rule of api.values."""
    assert [known_key(r) for r in reports] == sorted(known_key(r) for r in reports)
    last_of_measure: dict[str, dict] = {}
    for after in reports:
        before = last_of_measure.get(after["metric"]["id"])
        last_of_measure[after["metric"]["id"]] = after
        if before is None:
            assert (after["previous"], after["relation"], after["change"]) == (None, None, None)
            continue
        assert after["previous"] == before["id"]
        assert after["relation"] == relation(before["value"], after["value"])
        assert after["change"] == change(before["value"], after["value"])


def test_history_follows_the_claims_that_estimate_the_same_quantity(client, spec):
    body = get_json(client, "/api/v1/claims/town-phased-deployment/history?page_size=100")
    conforms(spec, "HistoryList", body)
    reports = body["items"]
    expected = figures_of(client, LINKED_BY_QUANTITY)
    assert sorted(r["id"] for r in reports) == sorted(expected)
    for r in reports:
        f = expected[r["id"]]
        assert (r["claim"]["id"], r["metric"], r["value"], r["claimant"], r["quote"]) == (
            f["claim"]["id"],
            f["metric"],
            f["value"],
            f["claimant"],
            f["quote"],
        )
        assert r["source"]["id"] == f["source"]["id"]
    check_chain(reports)
    # The same question from any of its claims.
    for claim_id in LINKED_BY_QUANTITY:
        assert [r["id"] for r in history(client, claim_id)] == [r["id"] for r in reports]
    # A claim linked to nothing has its own reports alone.
    alone = history(client, "kn-missile-strikes")
    assert sorted(r["id"] for r in alone) == sorted(figures_of(client, ["kn-missile-strikes"]))


def test_history_pages_and_exports_agree(client):
    whole = history(client, "nk-additional-deployment-size")
    paged = get_all(client, "/api/v1/claims/nk-additional-deployment-size/history?page_size=3")
    assert paged == whole and len(whole) > 3
    ndjson = client.get("/api/v1/claims/nk-additional-deployment-size/history.ndjson")
    assert ndjson.status_code == 200 and ndjson.mimetype == "application/x-ndjson"
    lines = [orjson.loads(line) for line in ndjson.get_data().splitlines()]
    assert [(r["id"], r["previous_id"], r["relation"], r["change"]) for r in lines] == [
        (r["id"], r["previous"], r["relation"], r["change"]) for r in whole
    ]
    text = client.get("/api/v1/claims/nk-additional-deployment-size/history.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["id"], r["value_text"], r["relation"]) for r in rows] == [
        (r["id"], r["value"]["text"], r["relation"] or "") for r in whole
    ]


def test_history_errors(client):
    for url in ("/api/v1/claims/no-such-claim/history", "/api/v1/claims/no-such-claim/history.csv"):
        response = client.get(url)
        assert response.status_code == 404 and "no-such-claim" in response.get_json()["detail"]
    assert client.get("/api/v1/claims/kn-missile-strikes/history?sort=value").status_code == 422
    assert client.get("/api/v1/claims/kn-missile-strikes/history?known_at=2025-13-01").status_code == 422
    assert client.get("/api/v1/claims/kn-missile-strikes/history?cursor=nonsense").status_code == 400


# ---- a made-up variant of the fixtures: reports months apart, two measures of one question


@pytest.fixture(scope="module")
def made_up(made_up_db):
    return make_app(made_up_db, TESTING=True).test_client()


def test_history_of_reports_months_apart_with_two_measures(made_up):
    reports = history(made_up, QUESTION[0])
    expected = figures_of(made_up, QUESTION)
    assert sorted(r["id"] for r in reports) == sorted(expected)
    assert {r["metric"]["id"] for r in reports} == {"troops-deployed", "deployment-multiplier"}
    check_chain(reports)
    sources = {r["source"]["id"] for r in reports}
    for r in reports:
        if r["source"]["id"] in MADE_UP_DATES:
            assert r["known_from"] == {"date": MADE_UP_DATES[r["source"]["id"]], "assumed": True}
    # The first reports came from the source dated first.
    assert reports[0]["source"]["id"] == "nk-plans-30000-more-troops" and "nk-plans-30000-more-troops" in sources
    assert len({r["known_from"]["date"] for r in reports}) >= 3


@pytest.mark.parametrize(
    ("day", "basis"), [("2025-01-01", "assumed"), ("2025-04-01", "assumed"), ("2025-07-02", "published")]
)
def test_history_known_at_keeps_what_was_known_and_relinks_the_chain(made_up, day, basis):
    query = f"known_at={day}&known_at_basis={basis}"
    reports = history(made_up, QUESTION[1], query)
    assert sorted(r["id"] for r in reports) == sorted(figures_of(made_up, QUESTION, query))
    assert all(r["known_from"] and r["known_from"]["date"] <= day for r in reports)
    if basis == "published":
        assert all(not r["known_from"]["assumed"] for r in reports)
    check_chain(reports)


def test_history_on_new_years_day_holds_the_december_reports_alone(made_up):
    reports = history(made_up, QUESTION[0], "known_at=2025-01-01&known_at_basis=assumed")
    # The made-up December date of 000, and 006's about 12,000 (its statement of Dec. 23, assumed).
    assert reports and {r["source"]["id"] for r in reports} == {"nk-plans-30000-more-troops", KILLED_WOUNDED_3000}
    assert history(made_up, QUESTION[0], "known_at=2025-01-01") == []

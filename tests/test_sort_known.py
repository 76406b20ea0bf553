"""``sort=known`` on /timeline and /discrepancies: by the date each entry became known, stated or assumed.

On the made-up variant of the story (tests/made_up.py), whose undated sources
are given reference dates months apart.
"""

import datetime as dt

import pytest

from tests.conftest import get_all, get_json, make_app


@pytest.fixture(scope="module")
def made_up(made_up_db):
    return make_app(made_up_db, TESTING=True).test_client()


def order(entry) -> tuple:
    known = entry["known_from"]
    return (known["date"], known["assumed"]) if known else ("~", False)


def day_before(iso: str) -> str:
    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def test_timeline_by_known(made_up):
    by_date = get_json(made_up, "/api/v1/timeline")
    by_known = get_json(made_up, "/api/v1/timeline?sort=known")
    for part in ("items", "undated"):
        entries = by_known[part]
        assert sorted(e["id"] for e in entries) == sorted(e["id"] for e in by_date[part])
        assert [order(e) for e in entries] == sorted(order(e) for e in entries)
    items = by_known["items"]
    assert len({e["known_from"]["date"] for e in items}) >= 3
    assert any(e["known_from"]["assumed"] for e in items) and any(not e["known_from"]["assumed"] for e in items)
    # An entry is on the timeline from the date it says it became known, and not the day before.
    for e in items:
        known = e["known_from"]["date"]
        at = get_json(made_up, f"/api/v1/timeline?known_at={known}&known_at_basis=assumed&sort=known")
        assert e["id"] in {x["id"] for x in at["items"] + at["undated"]}, e["id"]
        before = get_json(made_up, f"/api/v1/timeline?known_at={day_before(known)}&known_at_basis=assumed")
        assert e["id"] not in {x["id"] for x in before["items"] + before["undated"]}, e["id"]


def test_discrepancies_by_known(made_up):
    by_id = get_all(made_up, "/api/v1/discrepancies?page_size=500")
    by_known = get_all(made_up, "/api/v1/discrepancies?page_size=500&sort=known")
    assert sorted(d["id"] for d in by_known) == [d["id"] for d in by_id]
    assert [(*order(d), d["id"]) for d in by_known] == sorted((*order(d), d["id"]) for d in by_known)
    assert len({d["known_from"]["date"] for d in by_known}) >= 2
    # Pages of three follow the same order.
    assert get_all(made_up, "/api/v1/discrepancies?page_size=3&sort=known") == by_known
    # A discrepancy exists from the date it says it became known (two versions from two sources), not before.
    known_on: dict[str, set[str]] = {}  # many discrepancies share a date: ask for each date once

    def known_at(day: str) -> set[str]:
        if day not in known_on:
            url = f"/api/v1/discrepancies?page_size=500&known_at={day}&known_at_basis=assumed"
            known_on[day] = {x["id"] for x in get_all(made_up, url)}
        return known_on[day]

    for d in by_known:
        known = d["known_from"]["date"]
        assert d["id"] in known_at(known), d["id"]
        assert d["id"] not in known_at(day_before(known)), d["id"]


def test_sort_known_errors(made_up):
    assert made_up.get("/api/v1/timeline?sort=value").status_code == 422
    assert made_up.get("/api/v1/discrepancies?sort=value").status_code == 422
    first = get_json(made_up, "/api/v1/discrepancies?page_size=2")
    # A cursor of one sort is refused by the other.
    assert made_up.get(f"/api/v1/discrepancies?page_size=2&sort=known&cursor={first['next_cursor']}").status_code == 400

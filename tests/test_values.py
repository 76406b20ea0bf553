"""Figure values as intervals: every hedge keeps its meaning in an aggregate."""

import pytest

from api.values import combine, overall_relation, relation
from schemas.fixtures import HEDGES


def v(hedge, low=None, high=None):
    return {"hedge": hedge, "low": low, "high": high}


EXAMPLES = {
    "exact": v("exact", 30000, 30000),
    "about": v("about", 4000, 4000),
    "up_to": v("up_to", None, 30000),
    "less_than": v("less_than", None, 100),
    "at_least": v("at_least", 100, None),
    "more_than": v("more_than", 100, None),
    "range": v("range", 25000, 30000),
    "about_range": v("about_range", 25000, 30000),
    "vague": v("vague"),
}


def test_every_hedge_has_an_example():
    assert set(EXAMPLES) == set(HEDGES)


@pytest.mark.parametrize(
    ("hedge", "expected"),
    [
        ("exact", (30000, 30000, False, False, False, False)),
        ("about", (4000, 4000, False, False, False, True)),
        ("up_to", (None, 30000, True, False, False, False)),
        ("less_than", (None, 100, True, False, False, False)),
        ("at_least", (100, None, False, True, False, False)),
        ("more_than", (100, None, False, True, False, False)),
        ("range", (25000, 30000, False, False, False, False)),
        ("about_range", (25000, 30000, False, False, False, True)),
        ("vague", (None, None, False, False, True, False)),
    ],
)
def test_one_value_combined_keeps_its_hedge(hedge, expected):
    got = combine([EXAMPLES[hedge]] * 3)
    assert (got["low"], got["high"], got["open_low"], got["open_high"], got["vague"], got["approximate"]) == expected


def test_three_at_least_100_stay_open_above():
    assert combine([v("at_least", 100)] * 3) == {
        "low": 100,
        "high": None,
        "open_low": False,
        "open_high": True,
        "vague": False,
        "approximate": False,
    }


def test_an_open_value_opens_the_combined_interval():
    got = combine([v("up_to", None, 30000), v("range", 25000, 30000), v("exact", 30000, 30000)])
    assert (got["low"], got["high"], got["open_low"], got["open_high"]) == (None, 30000, True, False)


def test_a_vague_value_is_kept_as_vague_beside_numbers():
    got = combine([v("vague"), v("range", 10000, 20000)])
    assert (got["low"], got["high"], got["vague"]) == (10000, 20000, True)


def test_no_values():
    assert combine([])["low"] is None and combine([])["vague"] is False


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (v("up_to", None, 30000), v("range", 25000, 30000), "compatible"),
        (v("range", 10000, 20000), v("range", 25000, 30000), "conflicting"),
        (v("exact", 30000, 30000), v("exact", 30000, 30000), "same"),
        (v("exact", 30000, 30000), v("up_to", None, 30000), "compatible"),
        (v("at_least", 100), v("less_than", None, 50), "conflicting"),
        (v("about", 4000, 4000), v("exact", 4200, 4200), "compatible"),
        (v("exact", 4000, 4000), v("exact", 4200, 4200), "conflicting"),
        (v("vague"), v("exact", 1, 1), None),
    ],
)
def test_relation_of_two_values(a, b, expected):
    assert relation(a, b) == expected
    assert relation(b, a) == expected


def test_overall_relation_is_the_worst_pair():
    assert overall_relation([v("up_to", None, 30000), v("range", 25000, 30000)]) == "compatible"
    assert overall_relation([v("up_to", None, 30000), v("range", 10000, 20000), v("range", 25000, 30000)]) == (
        "conflicting"
    )
    assert overall_relation([v("exact", 5, 5), v("exact", 5, 5)]) == "same"
    assert overall_relation([v("vague"), v("vague")]) is None

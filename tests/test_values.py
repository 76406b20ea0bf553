"""Figure values as intervals: every hedge keeps its meaning in an aggregate."""

import pytest

from api.values import change, combine, day_value, overall_relation, relation
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


# The documented rule (docs/api.md, /discrepancies): an "about" value counts with a
# 10% margin, one interval inside the other or overlapping it is compatible,
# disjoint intervals conflict; the same numbers with the same hedge are the same.
DOCUMENTED = [
    ("up to 30,000 / 25,000-30,000", v("up_to", None, 30000), v("range", 25000, 30000), "compatible"),
    ("10,000-20,000 / 25,000-30,000", v("range", 10000, 20000), v("range", 25000, 30000), "conflicting"),
    ("110,000 / about 110,000", v("exact", 110000, 110000), v("about", 110000, 110000), "compatible"),
    ("11,000 / roughly 11,000", v("exact", 11000, 11000), v("about", 11000, 11000), "compatible"),
    ("82 / at least 82", v("exact", 82, 82), v("at_least", 82), "compatible"),
    ("about 4,000 / 4,400 (the margin's edge)", v("about", 4000, 4000), v("exact", 4400, 4400), "compatible"),
    ("about 4,000 / 4,401", v("about", 4000, 4000), v("exact", 4401, 4401), "conflicting"),
    ("about 100 / about 122 (margins meet)", v("about", 100, 100), v("about", 122, 122), "compatible"),
    ("about 100 / about 123", v("about", 100, 100), v("about", 123, 123), "conflicting"),
    ("30,000 / 30,000", v("exact", 30000, 30000), v("exact", 30000, 30000), "same"),
    ("5-5 / 5 (a range of one number)", v("range", 5, 5), v("exact", 5, 5), "same"),
]


@pytest.mark.parametrize(("a", "b", "expected"), [d[1:] for d in DOCUMENTED], ids=[d[0] for d in DOCUMENTED])
def test_documented_examples(a, b, expected):
    assert relation(a, b) == expected and relation(b, a) == expected


# Every hedge about 100 (ranges 90-110), paired with every hedge: read off the rule by hand.
AT_100 = {
    "exact": v("exact", 100, 100),
    "about": v("about", 100, 100),
    "up_to": v("up_to", None, 100),
    "less_than": v("less_than", None, 100),
    "at_least": v("at_least", 100, None),
    "more_than": v("more_than", 100, None),
    "range": v("range", 90, 110),
    "about_range": v("about_range", 90, 110),
    "vague": v("vague"),
}
C, X, S = "compatible", "conflicting", "same"
PAIRS = {
    ("exact", "about"): C,
    ("exact", "up_to"): C,
    ("exact", "less_than"): X,  # "less than 100" excludes 100
    ("exact", "at_least"): C,
    ("exact", "more_than"): X,
    ("exact", "range"): C,
    ("exact", "about_range"): C,
    ("about", "up_to"): C,
    ("about", "less_than"): C,
    ("about", "at_least"): C,
    ("about", "more_than"): C,
    ("about", "range"): C,  # 90-110 either way, but one is stated and one approximate
    ("about", "about_range"): C,
    ("up_to", "less_than"): C,
    ("up_to", "at_least"): C,  # they meet at 100
    ("up_to", "more_than"): X,
    ("up_to", "range"): C,
    ("up_to", "about_range"): C,
    ("less_than", "at_least"): X,
    ("less_than", "more_than"): X,
    ("less_than", "range"): C,
    ("less_than", "about_range"): C,
    ("at_least", "more_than"): C,
    ("at_least", "range"): C,
    ("at_least", "about_range"): C,
    ("more_than", "range"): C,
    ("more_than", "about_range"): C,
    ("range", "about_range"): C,
}
# The same hedges against 200 and 50: (relation to 200, relation to 50).
AGAINST_200_AND_50 = {
    "exact": (X, X),
    "about": (X, X),
    "up_to": (X, C),
    "less_than": (X, C),
    "at_least": (C, X),
    "more_than": (C, X),
    "range": (X, X),
    "about_range": (X, X),
    "vague": (None, None),
}


def test_the_pair_table_covers_every_pair_of_hedges():
    named = set(HEDGES) - {"vague"}
    assert {frozenset(p) for p in PAIRS} == {frozenset((a, b)) for a in named for b in named if a != b}
    assert set(AGAINST_200_AND_50) == set(HEDGES)


@pytest.mark.parametrize(("a", "b"), sorted(PAIRS))
def test_relation_of_each_pair_of_hedges(a, b):
    assert relation(AT_100[a], AT_100[b]) == PAIRS[a, b]
    assert relation(AT_100[b], AT_100[a]) == PAIRS[a, b]


@pytest.mark.parametrize("hedge", HEDGES)
def test_a_hedge_beside_itself_and_far_numbers(hedge):
    assert relation(AT_100[hedge], dict(AT_100[hedge])) == (None if hedge == "vague" else S)
    assert relation(AT_100[hedge], AT_100["vague"]) is None
    to_200, to_50 = AGAINST_200_AND_50[hedge]
    assert relation(AT_100[hedge], v("exact", 200, 200)) == to_200
    assert relation(v("exact", 50, 50), AT_100[hedge]) == to_50


def test_dates_relate_as_intervals_of_days():
    april, late_april = day_value("2025-04-01", "2025-04-30"), day_value("2025-04-01", "2025-04-30", "late")
    assert relation(april, late_april) == "compatible"
    assert relation(april, day_value("2025-04-01", "2025-04-30")) == "same"
    assert relation(april, day_value("2025-04-12", "2025-04-12")) == "compatible"
    assert relation(april, day_value("2025-05-01", "2025-05-31")) == "conflicting"
    assert relation(day_value("2024-12-31", "2025-01-01"), day_value("2025-01-01", "2025-01-31")) == "compatible"


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (v("exact", 100, 100), v("exact", 100, 100), "none"),
        (v("range", 100, 100), v("exact", 100, 100), "none"),
        (v("exact", 100, 100), v("exact", 3000, 3000), "raised"),
        (v("exact", 4000, 4000), v("about", 3000, 3000), "lowered"),
        (v("up_to", None, 30000), v("range", 25000, 30000), "narrowed"),
        (v("range", 10000, 20000), v("range", 12000, 18000), "narrowed"),
        (v("range", 10000, 20000), v("range", 5000, 30000), "widened"),
        (v("exact", 82, 82), v("at_least", 82), "widened"),
        (v("exact", 110000, 110000), v("about", 110000, 110000), "widened"),
        (v("about", 110000, 110000), v("exact", 110000, 110000), "narrowed"),
        (v("range", 10000, 20000), v("range", 15000, 30000), "raised"),
        (v("at_least", 3000), v("at_least", 100), "widened"),
        (v("about", 4000, 4000), v("exact", 4200, 4200), "narrowed"),
        (v("about", 4000, 4000), v("exact", 4500, 4500), "raised"),
        (v("vague"), v("exact", 1, 1), None),
        (v("exact", 1, 1), v("vague"), None),
    ],
)
def test_change_from_one_report_to_the_next(before, after, expected):
    assert change(before, after) == expected

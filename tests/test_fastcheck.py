"""Fast paths agree with what they stand in for: the figure check with the marshmallow schema,
the query-string guard's quick check with its per-parameter check."""

import copy
import glob
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from api.build.fixtures import Checker, Record, load
from api.build.texts import texts_dir
from api.web.guard import MAX_PARAM_VALUES, QueryStringError, check_each_parameter, check_query_string, plainly_valid
from schemas.fixtures import FIXTURE_SCHEMAS, fast_load_claim, fast_load_figure

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = FIXTURE_SCHEMAS["figures"]
REAL = [
    r
    for f in sorted(glob.glob(str(ROOT / "fixtures/figures/*.yaml")))
    for r in yaml.safe_load(Path(f).read_text(encoding="utf-8"))
]


def marshmallow_load(record):
    try:
        return dict(SCHEMA.load(record))
    except ValidationError:
        return None


@pytest.mark.parametrize("record", REAL, ids=[r["id"] for r in REAL])
def test_fast_path_loads_every_real_figure_as_marshmallow_does(record):
    assert fast_load_figure(record) == marshmallow_load(record)


# Values that break a record in the ways curators (and generators) do.
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 40000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "",
            "x",
            "Not A Slug",
            "up_to",
            "range",
            "vague",
            "exact",
            "2025-13",
            "2025-06",
            "2025",
            "month",
            "day",
            "early",
            "-",
        ]
    ),
    st.lists(st.integers(-3, 5000), max_size=3),
    st.dictionaries(
        st.sampled_from(["low", "high", "hedge", "text", "entity", "as_written", "start", "precision", "phrase"]),
        st.none(),
        max_size=3,
    ),
)
PATHS = [
    ("id",),
    ("source",),
    ("metric",),
    ("via",),
    ("quote",),
    ("span",),
    ("note",),
    ("value",),
    ("value", "low"),
    ("value", "high"),
    ("value", "hedge"),
    ("value", "text"),
    ("period",),
    ("period", "start"),
    ("period", "end"),
    ("period", "precision"),
    ("period", "qualifier"),
    ("period", "resolved_from"),
    ("period", "resolution"),
    ("claimant",),
    ("claimant", "entity"),
    ("claimant", "as_written"),
    ("extra_field",),
]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(REAL), st.lists(st.tuples(st.sampled_from(PATHS), ODD, st.booleans()), min_size=1, max_size=3))
def test_fast_path_never_accepts_what_marshmallow_rejects(record, edits):
    record = copy.deepcopy(record)
    for path, value, delete in edits:
        target = record
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            continue
        if delete:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = value
    fast = fast_load_figure(record)
    if fast is not None:
        assert fast == marshmallow_load(record)


CLAIMS = yaml.safe_load((ROOT / "fixtures/claims/core.yaml").read_text(encoding="utf-8"))


def marshmallow_load_claim(record):
    try:
        return dict(FIXTURE_SCHEMAS["claims"].load(record))
    except ValidationError:
        return None


@pytest.mark.parametrize("record", CLAIMS, ids=[r["id"] for r in CLAIMS])
def test_fast_path_loads_every_real_claim_as_marshmallow_does(record):
    assert fast_load_claim(record) == marshmallow_load_claim(record)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(CLAIMS),
    st.lists(
        st.tuples(st.sampled_from(["id", "statement", "metric", "subject", "note", "extra_field"]), ODD, st.booleans()),
        min_size=1,
        max_size=3,
    ),
)
def test_claim_fast_path_never_accepts_what_marshmallow_rejects(record, edits):
    record = copy.deepcopy(record)
    for key, value, delete in edits:
        if delete:
            record.pop(key, None)
        else:
            record[key] = value
    fast = fast_load_claim(record)
    if fast is not None:
        assert fast == marshmallow_load_claim(record)


# ---- the query-string guard's quick check agrees with the per-parameter one -----------------------

QUERY_BYTES = st.sampled_from(
    [b"a", b"b", b"=", b"&", b"+", b"%", b"%2", b"%2C", b"%zz", b"%00", b"%1f", b"%7F", b"%C3", b"%A9", b"%C3%A9"]
    + [b"\xc3\xa9", b"\xff", b"\x01", b" ", b"q", b"%26", b"%3D", b"&&"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(QUERY_BYTES, max_size=30).map(b"".join))
def test_the_quick_check_passes_only_what_the_full_check_passes(raw):
    try:
        check_each_parameter(raw)
        valid = True
    except QueryStringError:
        valid = False
    if plainly_valid(raw):
        assert valid, raw
    elif raw.count(b"&") < MAX_PARAM_VALUES:  # below the repeat limit the two must agree exactly
        assert not valid, raw


def test_a_parameter_repeated_past_the_limit_is_found_by_the_full_check():
    raw = b"&".join([b"metric=x"] * (MAX_PARAM_VALUES + 1))
    assert not plainly_valid(raw)
    with pytest.raises(QueryStringError):
        check_query_string(raw, 0)
    check_query_string(b"&".join(b"m%d=x" % i for i in range(MAX_PARAM_VALUES + 1)), 0)


# ---- the figure check's one-expression common case agrees with the full check ---------------------

LOADED, _ = load(ROOT / "fixtures")
CHECKER = Checker(LOADED, texts_dir())
CHECKER.check_records()
FIGURES = LOADED.records["figures"]
IDS = sorted(
    {r.data["id"] for kind in ("sources", "claims", "metrics", "entities", "events") for r in LOADED.records[kind]}
)
FIGURE_EDITS = st.sampled_from(["source", "claim", "metric", "subject", "via", "event", "claimant", "span", "quote"])


def problems_of(check, rec: Record) -> list:
    before = len(CHECKER.problems)
    check(rec)
    found = CHECKER.problems[before:]
    del CHECKER.problems[before:]
    return found


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(FIGURES),
    st.lists(
        st.tuples(FIGURE_EDITS, st.one_of(st.none(), st.sampled_from(IDS), st.just("nope"), st.integers(-3, 5000))),
        max_size=3,
    ),
)
def test_the_figure_check_reports_what_the_full_check_reports(rec, edits):
    data = copy.deepcopy(rec.data)
    for key, value in edits:
        if key == "claimant":
            data["claimant"] = None if value is None else {"entity": value, "as_written": "officials"}
        elif key == "span":  # moved, or stretched (past the end of the text, too)
            start, end = data["span"]
            shift = value if isinstance(value, int) else 1
            data["span"] = [start, end + shift] if shift > 1000 else [max(0, start + shift), end + shift]
        elif key == "quote":
            data["quote"] = data["quote"][:-1] if value is None else data["quote"] + "x"
        elif not isinstance(value, int):
            data[key] = value
    for key in ("source", "claim"):
        if data[key] is None:
            data[key] = "nope"  # required: the schema would have rejected None
    fast, full = copy.deepcopy(data), copy.deepcopy(data)
    assert problems_of(CHECKER.check_figure, Record("figures", rec.file, rec.index, fast)) == problems_of(
        CHECKER._check_figure, Record("figures", rec.file, rec.index, full)
    )
    assert fast == full


def test_a_span_past_the_end_of_the_text_is_a_problem_even_where_the_quote_matches():
    rec = FIGURES[0]
    data = copy.deepcopy(rec.data)
    text = CHECKER.text_of(data["source"])
    data["span"] = [len(text) - 5, len(text) + 10]
    data["quote"] = text[-5:]
    found = problems_of(CHECKER.check_figure, Record("figures", rec.file, rec.index, data))
    assert [p.field for p in found] == ["span"] and "runs past the end" in found[0].message

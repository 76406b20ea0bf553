"""The query-string guard's quick check passes only what its per-parameter check passes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.web.guard import MAX_PARAM_VALUES, QueryStringError, check_each_parameter, check_query_string, plainly_valid

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

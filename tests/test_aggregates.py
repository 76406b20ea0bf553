"""Every aggregate keeps its hedges: a metric summary's range, the chart's range and a claim's spread.

Each hedge is tried alone and beside an exact figure through each aggregate's own
code path; then every claim, summary and chart the real data serves is checked
against the rule read off fixtures/README.md (an open hedge leaves its bound open,
a vague figure gives no number), written here without api.values.
"""

import xml.etree.ElementTree as ET

import pytest

from api.web.chart import render_chart
from api.web.queries.metric_summary import metric_summary
from schemas.vocabulary import HEDGES
from tests.conftest import get_all, get_json

SVG = "{http://www.w3.org/2000/svg}"
METRIC = {"id": "m", "label": "M", "unit": "troops", "category": "troops"}

EXAMPLES = {
    "exact": (30000, 30000),
    "about": (4000, 4000),
    "up_to": (None, 30000),
    "less_than": (None, 100),
    "at_least": (100, None),
    "more_than": (100, None),
    "range": (25000, 30000),
    "about_range": (25000, 30000),
    "vague": (None, None),
}
# (low, high, open_low, open_high, vague, approximate, the chart's words) of three figures of one hedge…
ALONE = {
    "exact": (30000, 30000, False, False, False, False, "All figures: 30,000"),
    "about": (4000, 4000, False, False, False, True, "All figures: 4,000 (some approximate)"),
    "up_to": (None, 30000, True, False, False, False, "All figures: ≤ 30,000"),
    "less_than": (None, 100, True, False, False, False, "All figures: ≤ 100"),
    "at_least": (100, None, False, True, False, False, "All figures: ≥ 100"),
    "more_than": (100, None, False, True, False, False, "All figures: ≥ 100"),
    "range": (25000, 30000, False, False, False, False, "All figures: 25,000–30,000"),
    "about_range": (25000, 30000, False, False, False, True, "All figures: 25,000–30,000 (some approximate)"),
    "vague": (None, None, False, False, True, False, "All figures: no number (some vague)"),
}
# …and of the same three beside an exact 50.
BESIDE_50 = {
    "exact": (50, 30000, False, False, False, False),
    "about": (50, 4000, False, False, False, True),
    "up_to": (None, 30000, True, False, False, False),
    "less_than": (None, 100, True, False, False, False),
    "at_least": (50, None, False, True, False, False),
    "more_than": (50, None, False, True, False, False),
    "range": (50, 30000, False, False, False, False),
    "about_range": (50, 30000, False, False, False, True),
    "vague": (50, 50, False, False, True, False),
}
KEYS = ("low", "high", "open_low", "open_high", "vague", "approximate")


def figure(ident: str, hedge: str, low, high) -> dict:
    return {
        "id": ident,
        "url": f"/api/v1/figures/{ident}",
        "subject": {"id": "s", "name": "S", "type": "country", "url": "/api/v1/entities/s"},
        "source": {"id": f"src-{ident}", "url": "", "published": "2025-07-02"},
        "value": {"low": low, "high": high, "hedge": hedge, "text": f"{hedge} {low}-{high}", "unit": "troops"},
        "attribution": None,
        "quote": {"text": "…"},
        "claimant_key": None,
        "claimant": None,
        "claim_id": "c",
        "source_title": None,
    }


def figures_of(hedge: str, beside_50: bool) -> list[dict]:
    out = [figure(f"{hedge}-{i}", hedge, *EXAMPLES[hedge]) for i in range(3)]
    return out + ([figure("fifty", "exact", 50, 50)] if beside_50 else [])


def chart_range(svg: str) -> tuple[tuple, str]:
    (line,) = [t for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == "range"]

    def read(key):
        raw = line.get(f"data-{key.replace('_', '-')}")
        if raw in ("true", "false"):
            return raw == "true"
        return None if raw == "" else float(raw)

    return tuple(read(k) for k in KEYS), line.text


def test_every_hedge_is_tried():
    assert set(ALONE) == set(BESIDE_50) == set(EXAMPLES) == set(HEDGES)


@pytest.mark.parametrize("hedge", HEDGES)
def test_summary_range_keeps_each_hedge(hedge):
    for beside_50, expected in ((False, ALONE[hedge][:6]), (True, BESIDE_50[hedge])):
        body = metric_summary(METRIC, None, figures_of(hedge, beside_50))
        assert tuple(body["range"][k] for k in KEYS) == expected, (hedge, beside_50)


@pytest.mark.parametrize("hedge", HEDGES)
def test_chart_range_keeps_each_hedge(hedge):
    for beside_50, expected in ((False, ALONE[hedge][:6]), (True, BESIDE_50[hedge])):
        values, text = chart_range(render_chart(METRIC, None, figures_of(hedge, beside_50)))
        assert values == expected, (hedge, beside_50)
        if not beside_50:
            assert text == ALONE[hedge][6]


def expected_span(values: list[dict]) -> dict:
    """The rule, read off fixtures/README.md's hedge table."""
    numbered = [v for v in values if v["hedge"] != "vague"]
    open_low = any(v["hedge"] in ("up_to", "less_than") for v in numbered)
    open_high = any(v["hedge"] in ("at_least", "more_than") for v in numbered)
    lows = [v["low"] for v in numbered if v["low"] is not None]
    highs = [v["high"] for v in numbered if v["high"] is not None]
    return {
        "low": None if open_low or not lows else min(lows),
        "high": None if open_high or not highs else max(highs),
        "open_low": open_low,
        "open_high": open_high,
        "vague": len(numbered) < len(values),
        "approximate": any(v["hedge"] in ("about", "about_range") for v in numbered),
    }


def test_every_claim_spread_follows_the_rule(client):
    claims = get_all(client, "/api/v1/claims?page_size=100")
    hedges = set()
    for claim in claims:
        values = [f["value"] for f in claim["figures"]]
        hedges |= {v["hedge"] for v in values}
        assert claim["spread"] == expected_span(values), claim["id"]
    assert {"up_to", "at_least", "vague", "about", "exact", "range"} <= hedges


def test_every_metric_summary_and_chart_follow_the_rule(client):
    checked = set()
    for metric in get_all(client, "/api/v1/metrics?page_size=100"):
        url = f"/api/v1/metrics/{metric['id']}"
        body = get_json(client, f"{url}/summary")
        figures = get_all(client, f"/api/v1/figures?metric={metric['id']}&page_size=100")
        expected = expected_span([f["value"] for f in figures])
        assert body["range"] == expected, metric["id"]
        values, _ = chart_range(client.get(f"{url}/chart.svg").get_data(as_text=True))
        assert values == tuple(expected[k] for k in KEYS), metric["id"]
        checked |= {f["value"]["hedge"] for f in figures}
    assert {"up_to", "at_least", "vague"} <= checked

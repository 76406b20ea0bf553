"""Metric summaries and their SVG charts.

Every expected answer below was read off the five archived texts through the
curated fixtures; they are asserted exactly.
"""

import xml.etree.ElementTree as ET

from openapi_spec_validator import validate

from api.web.chart import render_chart, x
from api.web.queries.metric_summary import metric_summary
from tests.conftest import ON_THE_DATED_SOURCE, PREPARING, conforms, get_all, get_json

SVG = "{http://www.w3.org/2000/svg}"


def test_metric_summary_of_the_additional_troops(client, spec):
    body = get_json(client, "/api/v1/metrics/troops-additional-planned/summary?subject=north-korea")
    conforms(spec, "MetricSummary", body)
    assert body["metric"]["id"] == "troops-additional-planned" and body["subject"]["id"] == "north-korea"
    assert body["counts"] == {"figures": 12, "sources": 5, "claimants": 6, "claims": 4}
    # "up to 30,000" leaves the range open below; "tens of thousands" gives no number.
    assert body["range"] == {
        "low": None,
        "high": 30000,
        "open_low": True,
        "open_high": False,
        "vague": True,
        "approximate": False,
    }
    assert [(c["key"], c["figure_count"], c["latest"]["id"]) for c in body["claimants"]] == [
        ("ukrainian-intelligence-assessment", 3, "s002-additional-troops-up-to-30000"),
        ("ukrainian-officials", 3, "s000-additional-troops-up-to-30000"),
        ("ukrainian-intelligence", 2, "s003-additional-troops-25000-30000"),
        (None, 2, "s000-headline-additional-troops-30000"),
        ("jenny-town", 1, "s001-town-phased-10000-20000"),
        ("western-officials", 1, "s002-western-estimate-up-to-30000"),
    ]
    latest = body["claimants"][0]["latest"]
    assert latest["source"] == {"id": PREPARING, "url": f"/api/v1/sources/{PREPARING}", "published": "2025-07-02"}
    assert latest["value"]["text"] == "up to 30,000" and latest["attribution"] == "intelligence reports"
    assert body["chart"] == "/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea"


def test_metric_summary_known_at_and_404s(client):
    body = get_json(
        client, f"/api/v1/metrics/troops-additional-planned/summary?subject=north-korea&{ON_THE_DATED_SOURCE}"
    )
    assert body["counts"] == {"figures": 3, "sources": 1, "claimants": 2, "claims": 2}
    assert [c["figures"] for c in body["claimants"]] == [
        ["s002-additional-troops-up-to-30000", "s002-ukraine-estimate-30000"],
        ["s002-western-estimate-up-to-30000"],
    ]
    # "82" and "at least 82": open above, never closed at 82.
    assert get_json(client, "/api/v1/metrics/ballistic-missile-strikes/summary")["range"] == {
        "low": 82,
        "high": None,
        "open_low": False,
        "open_high": True,
        "vague": False,
        "approximate": False,
    }
    for url in (
        "/api/v1/metrics/no-such-metric/summary",
        "/api/v1/metrics/no-such-metric/chart.svg",
    ):
        response = client.get(url)
        assert response.status_code == 404 and "no-such" in response.get_json()["detail"]
    # A subject filter that names nothing is a 422, like every id filter.
    response = client.get("/api/v1/metrics/troops-deployed/summary?subject=no-such-entity")
    assert response.status_code == 422 and set(response.get_json()["errors"]) == {"subject"}


def test_summary_groups_a_claimant_known_only_by_its_wording():
    def fig(ident, published, claimant_key, low, high, hedge):
        return {
            "id": ident,
            "source": {"id": f"src-{ident}", "url": "", "published": published},
            "value": {"low": low, "high": high, "hedge": hedge, "text": "", "unit": "troops"},
            "claimant_key": claimant_key,
            "claimant": {"id": None, "name": None, "attribution": claimant_key, "url": None} if claimant_key else None,
            "claim_id": "c",
            "source_title": None,
        }

    # Figures arrive most recent first, undated last (as metric_figures returns them).
    figures = [
        fig("a", "2025-07-02", "Western intelligence estimates", 4000, 4000, "about"),
        fig("b", None, "Western intelligence estimates", None, 5000, "up_to"),
        fig("c", None, None, 3000, None, "at_least"),
    ]
    body = metric_summary({"id": "m", "label": "M", "unit": "troops"}, None, figures)
    assert [(c["key"], c["latest"]["id"], c["figures"]) for c in body["claimants"]] == [
        ("Western intelligence estimates", "a", ["a", "b"]),
        (None, "c", ["c"]),
    ]
    assert body["range"] == {
        "low": None,
        "high": None,
        "open_low": True,
        "open_high": True,
        "vague": False,
        "approximate": True,
    }
    assert "claimant_key" not in body["claimants"][0]["latest"]


def marks(root):
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "mark"]


def test_chart_draws_one_mark_per_figure(client):
    response = client.get("/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG}svg"
    figures = get_all(client, "/api/v1/figures?metric=troops-additional-planned&subject=north-korea&page_size=100")
    drawn = [g.get("data-figure") for g in marks(root)]
    assert len(drawn) == 12 and sorted(drawn) == sorted(f["id"] for f in figures)
    for g in marks(root):
        tooltip = g.find(f"{SVG}title").text
        figure = next(f for f in figures if f["id"] == g.get("data-figure"))
        assert figure["value"]["text"] in tooltip and figure["quote"]["text"] in tooltip
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Additional troops planned — North Korea" in texts
    assert "Ukrainian officials — 3 figures" in texts and "Unattributed — 2 figures" in texts
    assert {"0", "10,000", "20,000", "30,000"} <= set(texts)


def test_chart_marks_each_hedge_distinctly(client):
    root = ET.fromstring(client.get("/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea").data)
    by_hedge = {}
    for g in marks(root):
        by_hedge.setdefault(g.get("data-hedge"), []).append({child.tag.removeprefix(SVG) for child in g})
    assert by_hedge["up_to"][0] == {"title", "line", "polygon"}  # bar end, dashed line and arrow to the axis edge
    assert by_hedge["range"][0] == {"title", "rect"}
    assert by_hedge["exact"][0] == {"title", "circle"}
    assert by_hedge["vague"][0] == {"title", "rect", "text"}
    # Within a claimant, rows follow publication date (the dated source first).
    assessment = next(g for g in root.iter(f"{SVG}g") if g.get("data-claimant") == "ukrainian-intelligence-assessment")
    assert [g.get("data-figure") for g in marks(assessment)] == [
        "s002-additional-troops-up-to-30000",
        "s002-ukraine-estimate-30000",
        "s003-tens-of-thousands-to-move",
    ]


def test_chart_escapes_xml():
    assert x('<a & "b">') == "&lt;a &amp; &quot;b&quot;&gt;"
    figure = {
        "id": 'f"1<',
        "subject": {"id": "s", "name": "S & T"},
        "source": {"id": "src", "url": "", "published": None},
        "value": {"low": 1, "high": 1, "hedge": "exact", "text": "<1>", "unit": "u"},
        "attribution": 'He said "&"',
        "quote": {"text": "a < b & c\x00"},
        "claimant_key": None,
        "claimant": None,
        "claim_id": "c",
        "source_title": "</svg>",
    }
    root = ET.fromstring(render_chart({"id": "m", "label": "M & <N>", "unit": "u"}, None, [figure]))
    (mark,) = marks(root)
    assert mark.get("data-figure") == 'f"1<'
    assert "a < b & c" in mark.find(f"{SVG}title").text
    assert ET.fromstring(render_chart({"id": "m", "label": "M", "unit": "u"}, None, [])).tag == f"{SVG}svg"


def test_chart_is_linked_from_the_docs_and_documented(client, spec):
    link = "/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea"
    assert f"]({link})" in spec["info"]["description"]
    assert client.get(link).status_code == 200
    operation = spec["paths"]["/api/v1/metrics/{metric_id}/chart.svg"]["get"]
    assert "image/svg+xml" in operation["responses"]["200"]["content"]
    validate(spec)


def test_chart_over_time_draws_one_mark_per_figure_with_its_bounds(client):
    response = client.get("/api/v1/metrics/ballistic-missile-strikes/chart.svg?axis=known")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.get("data-axis") == "known"
    figures = {f["id"]: f for f in get_all(client, "/api/v1/figures?metric=ballistic-missile-strikes&page_size=100")}
    drawn = {g.get("data-figure-id"): g for g in marks(root)}
    assert set(drawn) == set(figures)
    for ident, g in drawn.items():
        value = figures[ident]["value"]
        assert (g.get("data-low"), g.get("data-high")) == tuple(
            "" if v is None else f"{v:g}" for v in (value["low"], value["high"])
        )
    assert client.get("/api/v1/metrics/ballistic-missile-strikes/chart.svg?axis=time").status_code == 422

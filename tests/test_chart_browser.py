"""The chart over time (``chart.svg?axis=known``) rendered by Debian's Chromium, read back as a user would see it.

The app runs on gunicorn over a made-up variant of the story (tests/made_up.py:
reports months apart, two measures linked as one question). Chromium opens the
chart; every mark it drew is checked against the figures the API lists for the
same metric and its linked claims (ids and values), placed left to right in the
order the figures became known, and inside the plot.
"""

import json
from urllib.parse import urlsplit

import pytest

from scripts.servers import ServerError, get, serve
from tests.test_docs_browser import TIMEOUT_MS, browser  # noqa: F401 (a fixture)

# Chromium against gunicorn: outside `make test-fast`.
pytestmark = [pytest.mark.browser, pytest.mark.server]

METRICS = ("troops-deployed", "troops-additional-planned")
QUESTION_METRIC = "troops-deployed"  # the metric of the made-up question's first claim, linked to a multiplier


@pytest.fixture(scope="module")
def made_up_server(made_up_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("made-up-chart")
    try:
        with serve(made_up_db, out / "gunicorn.log", workers=1, threads=2) as server:
            yield server.base
    except ServerError as exc:
        pytest.fail(str(exc))


def api(base: str, path: str):
    status, _, body = get(f"{base}{path}")
    assert status == 200, (path, body[:300])
    return json.loads(body)


def every(base: str, path: str) -> list[dict]:
    items = []
    while path:
        body = api(base, path)
        items += body["items"]
        path = body["next"]
    return items


def expected_figures(base: str, metric: str) -> dict[str, dict]:
    """The figures of the metric and of every claim its claims are linked to, by id (what the chart should draw)."""
    found = {f["id"]: f for f in every(base, f"/api/v1/figures?metric={metric}&page_size=100")}
    for claim in every(base, f"/api/v1/claims?metric={metric}&page_size=100"):
        for report in every(base, f"/api/v1/claims/{claim['id']}/history?page_size=100"):
            found.setdefault(report["id"], {"id": report["id"], "value": report["value"]})
    return found


def bound(value) -> str:
    return "" if value is None else f"{value:g}"


READ_MARKS = """svg => {
  const plot = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('g.mark')].map(g => {
    const box = g.getBoundingClientRect();
    return {id: g.dataset.figureId, low: g.dataset.low, high: g.dataset.high, known: g.dataset.known,
            metric: g.dataset.metric, x: box.x + box.width / 2, width: box.width, height: box.height,
            inside: box.left >= plot.left && box.right <= plot.right && box.top >= plot.top &&
                    box.bottom <= plot.bottom};
  });
}"""


@pytest.mark.parametrize("metric", METRICS)
def test_chart_over_time_draws_each_figure_where_and_as_the_api_gives_it(browser, made_up_server, metric):  # noqa: F811
    base = made_up_server
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    outside, errors = [], []
    origin = urlsplit(base).netloc

    def route(r):
        if urlsplit(r.request.url).netloc != origin:
            outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        response = page.goto(f"{base}/api/v1/metrics/{metric}/chart.svg?axis=known")
        assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
        svg = page.locator("svg").first
        marks = svg.evaluate(READ_MARKS)
        texts = svg.evaluate("svg => [...svg.querySelectorAll('text')].map(t => t.textContent)")
    finally:
        context.close()
    assert not outside and not errors, (outside, errors)

    expected = expected_figures(base, metric)
    assert sorted(m["id"] for m in marks) == sorted(expected)
    for m in marks:
        value = expected[m["id"]]["value"]
        assert (m["low"], m["high"]) == (bound(value["low"]), bound(value["high"])), m["id"]
        assert m["inside"] and m["width"] > 0 and m["height"] > 0, m
    # Left to right in the order the figures became known (the same day shares a column).
    dated = sorted((m for m in marks if m["known"]), key=lambda m: m["known"])
    for a, b in zip(dated, dated[1:], strict=False):
        if a["known"] < b["known"]:
            assert a["x"] < b["x"], (a, b)
    assert len({m["known"] for m in marks}) >= 3
    # A readable legend and axes.
    assert "Claimant" in texts and "Measure" in texts
    assert any(t.startswith("Value (") for t in texts)
    assert any(t.startswith("Date the figure became known") for t in texts)
    assert {"2025-01", "2025-04"} <= set(texts)
    if metric == QUESTION_METRIC:
        assert {m["metric"] for m in marks} == {"troops-deployed", "deployment-multiplier"}

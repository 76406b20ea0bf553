"""The Swagger UI at /docs: served entirely by the app, and answering in a real browser.

The browser tests drive Debian's headless Chromium with Playwright against the app on gunicorn
(the live_server fixture) as a developer would: open /docs, expand an operation, press "Try it out",
fill in one or two parameters, press Execute and read the ids in the response panel. Every
request that is not to the server is aborted and fails the test, and so does any error in the
browser's console. Set CLAIMBASE_DOCS_SCREENSHOT=<path> to keep a screenshot of the figures answer.
"""

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from scripts.servers import get

CHROMIUM = "/usr/bin/chromium"  # Debian's (`make browser`); Playwright cannot download browsers here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000  # for one step (the machine is shared: rendering can be slow)
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
# What /docs must load, all from this app.
DOCS_ASSETS = {
    "/docs",
    "/docs/assets/swagger-ui.css",
    "/docs/assets/swagger-ui-bundle.js",
    "/docs/assets/swagger-ui-standalone-preset.js",
    "/static/docs.css",
    "/static/docs.js",
    "/openapi.json",
    "/docs/assets/favicon-32x32.png",
}


# ---------------------------------------------------------------- without a browser


class AssetLinks(HTMLParser):
    """Every URL an HTML page loads by itself: script src, link href, img src."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append((tag, attrs["src"]))
        elif tag == "link" and attrs.get("href"):
            self.urls.append((tag, attrs["href"]))
        elif tag in ("img", "iframe", "source") and attrs.get("src"):
            self.urls.append((tag, attrs["src"]))


def expected_content_type(path: str) -> str:
    suffix = Path(urlsplit(path).path).suffix
    return {".js": "javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}[suffix]


def test_docs_page_and_its_assets_are_served_by_the_app(client):
    with client.get("/docs") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        html = response.get_data(as_text=True)
        csp = response.headers["Content-Security-Policy"]

    parser = AssetLinks()
    parser.feed(html)
    urls = [url for _, url in parser.urls]
    assert {tag for tag, _ in parser.urls} >= {"script", "link"}, parser.urls
    assert "/docs/assets/swagger-ui-bundle.js" in urls and "/static/docs.js" in urls, urls
    for url in urls:
        # Local paths only: no scheme, no host, no protocol-relative //cdn.example/...
        assert url.startswith("/") and not url.startswith("//"), f"/docs loads {url!r} from elsewhere"
        with client.get(url) as asset:
            assert asset.status_code == 200, f"{url}: {asset.status_code}"
            assert expected_content_type(url) in asset.content_type, f"{url}: {asset.content_type}"
            assert len(asset.get_data()) > 0, url

    # The page's script starts Swagger UI on this server's own document.
    with client.get("/openapi.json") as document:
        assert document.status_code == 200
        assert document.mimetype == "application/json"
        assert document.get_json()["paths"]

    # And the browser is told to load scripts, styles and data from this origin only.
    directives = {name: sources for name, *sources in (part.split() for part in csp.split(";") if part.strip())}
    assert directives.get("default-src") == ["'none'"], csp
    for name in ("script-src", "style-src", "connect-src"):
        assert directives.get(name) == ["'self'"], csp


def test_root_redirects_to_docs(client):
    with client.get("/") as response:
        assert response.status_code in (301, 302, 303, 307, 308)
        assert urlsplit(response.headers["Location"]).path == "/docs"
    with client.get("/", follow_redirects=True) as response:
        assert response.status_code == 200
        assert response.request.path == "/docs"


# ---------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright (module-wide: starting it takes seconds)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("Chromium is not installed: run `make browser` (Debian's chromium package).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Docs:
    """One page of /docs, with every request it made and every console error it logged."""

    def __init__(self, browser, base: str):
        self.base = base
        self.origin = urlsplit(base).netloc
        self.context = browser.new_context(viewport={"width": 1280, "height": 1600})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url}"))

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.origin:
            self.outside.append(url)
            route.abort()
        else:
            route.continue_()

    def open(self):
        self.page.goto(f"{self.base}/docs")
        self.page.wait_for_selector(".opblock")
        return self

    def operation(self, path: str):
        """The operation block of GET ``path``, expanded."""
        summary = self.page.locator(f".opblock-get .opblock-summary-path[data-path='{path}']")
        block = summary.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' opblock ')][1]")
        block.locator(".opblock-summary").first.click()
        block.locator(".try-out__btn").wait_for()
        return block

    def close(self):
        self.context.close()


@pytest.fixture()
def docs(browser, live_server):
    page = Docs(browser, live_server).open()
    yield page
    page.close()
    # Nothing the page did may leave this server, and the console stays clean.
    assert not page.outside, f"requests beyond {page.origin}: {page.outside}"
    assert not page.errors, f"console errors: {page.errors}"


def try_it_out(block, fill: dict[str, str | list[str]]) -> tuple[str, int, dict]:
    """Press Try it out, fill the named parameters, press Execute: (request URL, status, JSON body)."""
    button = block.locator(".try-out__btn")
    assert button.inner_text().strip() == "Try it out", "Try it out must start off"
    # Off: the inputs are not there to be edited yet.
    assert block.locator("tr[data-param-name] input:enabled, tr[data-param-name] select:enabled").count() == 0
    button.click()
    # On a loaded machine a click that lands while the block is still rendering can be lost:
    # wait for the try-out state (the button becomes Cancel) and press once more if it did not come.
    try:
        block.locator(".try-out__btn.cancel").wait_for(timeout=10_000)
    except PlaywrightTimeoutError:
        button.click()
        block.locator(".try-out__btn.cancel").wait_for()
    for name, value in fill.items():
        row = block.locator(f"tr[data-param-name='{name}']")
        if row.locator("select").count():
            row.locator("select").select_option(value)
        else:
            row.locator("input").fill(value)
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    url = block.locator(".request-url pre").inner_text().strip()
    body = block.locator(".live-responses-table tbody .response-col_description pre").first.inner_text()
    return url, int(status.inner_text().strip()), json.loads(body)


def documented_defaults(spec: dict, path: str) -> dict[str, str]:
    """The query parameters of GET ``path`` that have a default, as Swagger UI sends them."""
    defaults = {}
    for parameter in spec["paths"][path]["get"].get("parameters", []):
        if parameter["in"] == "query" and "default" in parameter["schema"]:
            value = parameter["schema"]["default"]
            defaults[parameter["name"]] = json.dumps(value) if isinstance(value, bool) else str(value)
    return defaults


def api_ids(base: str, path_and_query: str) -> list[str]:
    status, _, body = get(base + path_and_query)
    assert status == 200, body[:300]
    return [item["id"] if "id" in item else item["value"] for item in json.loads(body)["items"]]


def shown_ids(body: dict) -> list[str]:
    return [item["id"] if "id" in item else item["value"] for item in body["items"]]


def check_sent(url: str, spec: dict, path: str, chosen: dict) -> None:
    """Swagger UI sent what was chosen, and otherwise only documented defaults (which change nothing)."""
    parts = urlsplit(url)
    assert parts.path == path, url
    defaults = documented_defaults(spec, path)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in chosen:
            wanted = chosen[name]
            assert value in (wanted if isinstance(wanted, list) else [wanted]), url
        else:
            assert defaults.get(name) == value, f"{name}={value} was pre-filled: {url}"
    assert {name for name, _ in parse_qsl(parts.query)} >= set(chosen), url


@pytest.mark.browser
@pytest.mark.server
def test_figures_by_category_from_try_it_out(docs, spec, live_server):
    """The headline: expand GET /api/v1/figures, Try it out, category=troops, Execute: the 28 troop figures."""
    block = docs.operation("/api/v1/figures")
    # The response headers are folded under a summary line, closed.
    folded = block.locator("details.claimbase-headers")
    assert folded.count() >= 1 and not folded.first.evaluate("d => d.open")
    url, status, body = try_it_out(block, {"category": "troops"})
    assert status == 200
    # Only what was filled in: no default or example was put in an input and sent.
    assert urlsplit(url).path == "/api/v1/figures" and urlsplit(url).query == "category=troops", url
    ids = shown_ids(body)
    # The same figures the API gives for category=troops alone, all of them troop figures.
    assert ids == api_ids(live_server, "/api/v1/figures?category=troops&page_size=500")
    assert len(ids) == 28, ids
    assert {figure["metric"]["category"] for figure in body["items"]} == {"troops"}
    if keep := os.environ.get("CLAIMBASE_DOCS_SCREENSHOT"):
        docs.page.screenshot(path=keep)


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.parametrize(
    ("path", "fill", "query"),
    [
        ("/api/v1/events", {"date_from": "2025-06", "date_to": "2025-06"}, "date_from=2025-06&date_to=2025-06"),
        ("/api/v1/claims", {"max_origins": "1"}, "max_origins=1"),
        ("/api/v1/discrepancies", {"kind": "hedge"}, "kind=hedge"),
        ("/api/v1/figures/facets", {"facet": "metric", "category": "troops"}, "facet=metric&category=troops"),
    ],
)
def test_lists_from_try_it_out(docs, spec, live_server, path, fill, query):
    block = docs.operation(path)
    url, status, body = try_it_out(block, fill)
    assert status == 200, body
    check_sent(url, spec, path, fill)
    ids = shown_ids(body)
    assert ids, f"{path}?{query} shows nothing"
    assert ids == api_ids(live_server, f"{path}?{query}")
    # The filter did something: the answer differs from the unfiltered list.
    unfiltered = "?facet=metric" if path.endswith("facets") else ""
    assert ids != api_ids(live_server, path + unfiltered)


TAG_ORDER = ["figures", "claims", "events", "sources", "entities", "metrics", "statements", "analysis"]
# px per operation at 1280 wide, collapsed: one line each, no schemas below (60 operations: 4,716 px, 79 a
# line; expanded, 45 operations took 8,658 px, 192 each).
MAX_HEIGHT_PER_OPERATION = 90


@pytest.mark.browser
@pytest.mark.server
def test_docs_start_collapsed_with_a_filter_and_tags_in_order(docs, spec):
    page = docs.page
    assert page.locator(".opblock.is-open").count() == 0, "an operation starts expanded"
    assert page.locator(".operation-filter-input").count() == 1, "no filter box"
    height = page.evaluate("document.documentElement.scrollHeight")
    operations = page.locator(".opblock").count()
    assert operations >= 45 and 1000 < height < MAX_HEIGHT_PER_OPERATION * operations, (height, operations)
    tags = [t.strip() for t in page.locator(".opblock-tag-section h3 .opblock-tag, h3.opblock-tag").all_inner_texts()]
    shown = [t.split()[0] for t in tags if t]
    assert shown[: len(TAG_ORDER)] == TAG_ORDER, shown
    assert [t["name"] for t in spec["tags"]][: len(TAG_ORDER)] == TAG_ORDER
    assert shown[-1] == "health", shown
    assert page.locator("section.models").count() == 0, "the schemas are listed below the operations"


@pytest.mark.browser
@pytest.mark.server
def test_docs_render_every_operation_from_this_server_only(docs, spec):
    """Every operation of the document is rendered with its summary, and every asset came from this server."""
    operations = [
        (method, path, op.get("summary", ""))
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]
    page = docs.page
    assert spec["info"]["title"] in page.locator(".info .title").inner_text()
    rendered = set()
    for block in page.locator(".opblock").all():
        method = block.locator(".opblock-summary-method").inner_text().strip().lower()
        summary_path = block.locator(
            ".opblock-summary-path, .opblock-summary-path__deprecated"
        )  # deprecated: struck through
        rendered.add((method, summary_path.get_attribute("data-path")))
    missing = {(m, p) for m, p, _ in operations} - rendered
    assert not missing, f"operations not rendered: {sorted(missing)}"
    shown = {re.sub(r"\s+", " ", t).strip() for t in page.locator(".opblock-summary-description").all_inner_texts()}
    unsummarised = [(m, p) for m, p, s in operations if s and re.sub(r"\s+", " ", s).strip() not in shown]
    assert not unsummarised, f"summaries not rendered for {unsummarised}"
    loaded = {urlsplit(url).path for url in docs.requests}
    assert loaded >= DOCS_ASSETS, f"not loaded: {sorted(DOCS_ASSETS - loaded)}"

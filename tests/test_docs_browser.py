"""The Swagger UI at /docs: served entirely by the app, and rendering in a real browser.

The browser test starts Debian's headless Chromium against the app on gunicorn (the live_server fixture),
with every connection that is not to loopback sent to a dead proxy, and checks the dumped DOM
(every operation rendered), the net log (everything the page requested came from 127.0.0.1 and
every TCP connection went to loopback) and a screenshot. Set CLAIMBASE_DOCS_SCREENSHOT=<path>
to keep a copy of the screenshot.
"""

import ipaddress
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scripts.servers import get

CHROMIUM_TIMEOUT = 120  # seconds for one headless run (loading, rendering and the screenshot)
WINDOW = (1280, 2000)
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


def chromium_path() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "Chromium is not installed: run `make browser` (it installs Debian's chromium package "
        "with apt-get), or deselect with -m 'not browser'.",
        pytrace=False,
    )


def run_chromium(chromium: str, url: str, workdir: Path) -> tuple[str, Path, Path, float]:
    """Load url in headless Chromium: (dumped DOM, net log path, screenshot path, seconds taken)."""
    netlog = workdir / "netlog.json"
    screenshot = workdir / "docs.png"
    stderr_path = workdir / "chromium.log"
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-breakpad",
        "--disable-features=OptimizationHints,Translate,MediaRouter,NetworkTimeServiceQuerying",
        # No network beyond loopback: names do not resolve, and every connection that is not to
        # loopback goes to a proxy on a closed loopback port (loopback itself is never proxied).
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        f"--user-data-dir={workdir / 'profile'}",
        f"--log-net-log={netlog}",
        "--net-log-capture-mode=Default",
        # Let Swagger UI fetch /openapi.json and render before the DOM and the screenshot are taken.
        "--virtual-time-budget=15000",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--screenshot={screenshot}",
        "--dump-dom",
        url,
    ]
    started = time.monotonic()
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
        )
    with process:
        try:
            dom, _ = process.communicate(timeout=CHROMIUM_TIMEOUT)
        except subprocess.TimeoutExpired:
            # Chromium and its helpers share the new session's process group: kill them all.
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"Chromium did not finish within {CHROMIUM_TIMEOUT} s:\n{tail(stderr_path)}")
    took = time.monotonic() - started
    assert process.returncode == 0, f"Chromium exited with {process.returncode}:\n{tail(stderr_path)}"
    return dom.decode("utf-8", errors="replace"), netlog, screenshot, took


def tail(path: Path, lines: int = 30) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    # Drop the D-Bus complaints of a headless container; keep the rest.
    kept = [line for line in text.splitlines() if "dbus" not in line.lower()]
    return "\n".join(kept[-lines:])


class RenderedOperations(HTMLParser):
    """Swagger UI's operation blocks in a dumped DOM: (method, path) pairs and their summaries."""

    def __init__(self):
        super().__init__()
        self.blocks = 0
        self.method: str | None = None
        self.operations: list[tuple[str, str]] = []
        self.summaries: list[str] = []
        self._summary_depth = 0  # > 0 inside an .opblock-summary-description element

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if self._summary_depth:
            self._summary_depth += 1
        if "opblock" in classes:
            self.blocks += 1
            self.method = next((c.removeprefix("opblock-") for c in classes if c.startswith("opblock-")), None)
        if "opblock-summary-path" in classes and attrs.get("data-path"):
            self.operations.append((self.method or "", attrs["data-path"]))
        if "opblock-summary-description" in classes:
            self._summary_depth = 1
            self.summaries.append("")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self._summary_depth:
            self._summary_depth -= 1

    def handle_data(self, data):
        if self._summary_depth:
            self.summaries[-1] += data


def netlog_events(path: Path) -> tuple[dict, list[dict]]:
    """The constants and events of a Chromium net log (tolerating a log cut short)."""
    text = path.read_text()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    return log["constants"], log["events"]


def is_loopback(address: str) -> bool:
    """True for '127.0.0.1:8000', '[::1]:443' and the like."""
    try:
        return ipaddress.ip_address(urlsplit(f"//{address}").hostname or "").is_loopback
    except ValueError:
        return False


def url_requests(constants: dict, events: list[dict]) -> dict[int, dict]:
    """Every URL request in the log by source id: its URLs, initiator, network isolation key, statuses."""
    names = {number: name for name, number in constants["logEventTypes"].items()}
    requests: dict[int, dict] = {}
    for event in events:
        name = names.get(event["type"])
        params = event.get("params") or {}
        if name == "URL_REQUEST_START_JOB" and "url" in params:
            request = requests.setdefault(event["source"]["id"], {"urls": [], "statuses": []})
            request["urls"].append(params["url"])
            request.setdefault("initiator", params.get("initiator", ""))
            request.setdefault("isolation_key", params.get("network_isolation_key", ""))
            request.setdefault("type", params.get("request_type", ""))
        elif name == "HTTP_TRANSACTION_READ_RESPONSE_HEADERS" and params.get("headers"):
            request = requests.setdefault(event["source"]["id"], {"urls": [], "statuses": []})
            request["statuses"].append(int(params["headers"][0].split()[1]))
    return requests


def tcp_destinations(constants: dict, events: list[dict]) -> list[str]:
    """Every address Chromium opened (or tried to open) a TCP connection to."""
    names = {number: name for name, number in constants["logEventTypes"].items()}
    addresses = []
    for event in events:
        name = names.get(event["type"])
        params = event.get("params") or {}
        if name in ("TCP_CONNECT", "TCP_CONNECT_ATTEMPT", "TCP_CONNECT_JOB_CONNECTOR_CONNECT_START"):
            addresses.extend(params.get("address_list", []))
            for key in ("address", "remote_address"):
                if key in params:
                    addresses.append(params[key])
    return addresses


@pytest.mark.browser
@pytest.mark.server
def test_docs_render_in_chromium_from_loopback_only(live_server, tmp_path):
    chromium = chromium_path()
    status, _, body = get(f"{live_server}/openapi.json")
    assert status == 200
    document = json.loads(body)
    operations = [
        (method, path, op.get("summary", ""))
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]
    assert operations

    dom, netlog, screenshot, took = run_chromium(chromium, f"{live_server}/docs", tmp_path)
    print(f"Chromium loaded and rendered /docs in {took:.1f} s")

    # (a) Swagger UI rendered every operation of the document, with its summary.
    assert "Failed to load API definition" not in dom
    rendered = RenderedOperations()
    rendered.feed(dom)
    assert rendered.blocks >= len(operations), f"{rendered.blocks} operation blocks for {len(operations)} operations"
    missing = {(m, p) for m, p, _ in operations} - set(rendered.operations)
    assert not missing, f"operations not rendered: {sorted(missing)}"
    summaries = {re.sub(r"\s+", " ", s).strip() for s in rendered.summaries}
    unsummarised = [(m, p) for m, p, s in operations if s and re.sub(r"\s+", " ", s).strip() not in summaries]
    assert not unsummarised, f"summaries not rendered for {unsummarised}"
    assert document["info"]["title"] in dom

    # (b) Everything the page requested came from this server, and the browser connected to nothing
    # but loopback. The browser's own background requests (updates, accounts...) are not the page's:
    # those have no 127.0.0.1 initiator or isolation key, and the dead proxy refused them.
    origin = urlsplit(live_server)
    constants, events = netlog_events(netlog)
    requests = url_requests(constants, events)
    page = [
        r
        for r in requests.values()
        if r["initiator"].startswith("http://127.0.0.1")
        or r["isolation_key"].startswith("http://127.0.0.1")
        or r["type"] == "main frame"
    ]
    page_urls = [url for r in page for url in r["urls"]]
    outside = [
        url
        for url in page_urls
        if urlsplit(url).scheme in ("http", "https", "ws", "wss")
        and (urlsplit(url).hostname, urlsplit(url).port) != (origin.hostname, origin.port)
    ]
    assert not outside, f"/docs fetched from outside {origin.netloc}: {outside}"
    assert all(urlsplit(url).scheme in ("http", "https", "data", "blob", "chrome") for url in page_urls), page_urls
    loaded = {urlsplit(url).path for r in page for url in r["urls"] if 200 in r["statuses"]}
    assert loaded >= DOCS_ASSETS, f"not loaded with 200: {sorted(DOCS_ASSETS - loaded)}"
    destinations = tcp_destinations(constants, events)
    assert any(address == origin.netloc for address in destinations), destinations
    assert all(is_loopback(address) for address in destinations), f"connections beyond loopback: {destinations}"

    # (c) The screenshot is a real picture of the page: a PNG of the window's size, not a blank one.
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == WINDOW
    assert len(png) > 20_000, f"screenshot is only {len(png)} bytes"
    if keep := os.environ.get("CLAIMBASE_DOCS_SCREENSHOT"):
        shutil.copyfile(screenshot, keep)

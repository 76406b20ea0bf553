"""Hostile input and how every answer to it must look, shared by the hardening tests.

The kinds of bad input (docs/hardening.md), the checks of an RFC 9457 problem
document and of the security headers, and raw HTTP requests to a server.
"""

import hashlib
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

import orjson

from scripts.servers import parse_response, raw_request

# name: (query string, the parameter or problem the answer must name, statuses allowed)
BAD_INPUT = {
    "100 KB q": ("q=" + "a" * 100_000, "query string", {414}),
    "600-character q": ("q=" + "a" * 600, "q", {422}),
    "1,000 repeated parameters": ("&".join(["q=a"] * 1000), "q", {422}),
    "1,000 repeated list values": ("&".join(["x=1"] * 1000), "x", {422}),
    "invalid UTF-8": ("q=%FF%FEabc", "UTF-8", {400}),
    "invalid percent-encoding": ("q=%zz", "percent-encoding", {400}),
    "a lone percent sign": ("q=100%", "percent-encoding", {400}),
    "NUL byte": ("q=a%00b", "U+0000", {422}),
    "control character in a name": ("me%01tric=x", "control character", {422}),
    "negative page size": ("page_size=-1", "page_size", {422}),
    "zero page size": ("page_size=0", "page_size", {422}),
    "huge page size": ("page_size=" + "9" * 40, "page_size", {422}),
    "page size not a number": ("page_size=ten", "page_size", {422}),
    "unknown parameter": ("metirc=troops", "metirc", {422}),
    "a single-valued parameter twice": ("page_size=10&page_size=500", "page_size", {422}),
}


FTS_INPUTS = ['"unbalanced', "NEAR(", "*", "a:b", "AND", "OR OR", '"', "-", "(troops", "^"]


SQL_FRAGMENTS = [
    "' OR 1=1 --",
    "x' OR '1'='1",
    "1; DROP TABLE figures",
    '" UNION SELECT * FROM sqlite_master --',
    "') OR ('a'='a",
]


def hostile_urls() -> list[str]:
    urls = []
    for query, _, _ in BAD_INPUT.values():
        urls += [f"/api/v1/figures?{query}", f"/api/v1/search?{query}"]
    for fragment in SQL_FRAGMENTS:
        urls += [f"/api/v1/figures?metric={quote(fragment)}", f"/api/v1/figures?q={quote(fragment)}"]
    urls += [f"/api/v1/events?q={quote(q)}" for q in FTS_INPUTS]
    return urls


def error_body(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.headers
    return problem(response.get_json(), response.status_code)


def problem(body: dict, status: int) -> dict:
    """Check ``body`` is an RFC 9457 problem document for ``status`` with the `errors` extension member."""
    assert set(body) == {"type", "title", "status", "detail", "errors"}, body
    assert body["type"] == "about:blank" and body["status"] == status, body
    assert body["title"] == HTTPStatus(status).phrase and body["detail"], body
    assert isinstance(body["errors"], dict), body
    assert all(isinstance(ms, list) and all(isinstance(m, str) for m in ms) for ms in body["errors"].values()), body
    return body


def names(body: dict, what: str) -> bool:
    return what.lower() in (body["detail"] + orjson.dumps(body["errors"]).decode()).lower()


def assert_security_headers(headers):
    lower = {k.lower(): v for k, v in dict(headers).items()}
    assert lower["x-content-type-options"] == "nosniff"
    csp = lower["content-security-policy"]
    assert csp.startswith("default-src 'none'") and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert lower["referrer-policy"] == "no-referrer"
    assert "/" not in lower.get("server", "")  # gunicorn and nginx name themselves, without a version


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw(server, data: bytes):
    """Send raw bytes to a running server; return (status, headers, body)."""
    return parse_response(raw_request(server.port, data))


def request(target: bytes, method: bytes = b"GET", extra: bytes = b"") -> bytes:
    return method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"Connection: close\r\n\r\n"

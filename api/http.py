"""HTTP concerns shared by every response: caching, CORS, security, logs."""

import hashlib
import sys
import time

import orjson
from flask import current_app, g, request

from api import db, guard

# The docs page loads its scripts and styles from this app only.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "cross-origin",
}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, Content-Type",
    "Access-Control-Expose-Headers": "ETag, Link",
    "Access-Control-Max-Age": "86400",
}


def request_etag() -> str | None:
    """Return the (unquoted) ETag of this request: the build id, the URL and the format."""
    if request.method not in ("GET", "HEAD") or not request.path.startswith("/api/"):
        return None
    build_id = db.build_info().get("build_id", "")
    accept = request.headers.get("Accept", "")
    raw = f"{build_id}\n{request.full_path}\n{accept}".encode()
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


def before_request():
    g.started = time.perf_counter()
    guard.check_request()  # malformed query strings are answered before any database work
    etag = request_etag()
    g.etag = etag
    if etag and request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
        response.set_etag(etag)
        return response
    return None


def after_request(response):
    headers = response.headers
    etag = g.get("etag")
    if etag and response.status_code in (200, 304):
        response.set_etag(etag)
        headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
        headers["Vary"] = "Accept"
    elif "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store" if response.status_code >= 400 else "public, max-age=60"
    for key, value in CORS_HEADERS.items():
        headers.setdefault(key, value)
    for key, value in SECURITY_HEADERS.items():
        headers.setdefault(key, value)
    if current_app.config["LOG_REQUESTS"]:
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        line = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(took, 3),
        }
        sys.stderr.write(orjson.dumps(line).decode() + "\n")
    return response


def init_app(app):
    app.before_request(before_request)
    app.after_request(after_request)

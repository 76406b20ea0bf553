"""HTTP concerns shared by every response: caching, CORS, security, logs."""

import hashlib
import sys
import time

import orjson
from flask import current_app, g, request

from api.web import db, guard

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
    # Weak comparison (RFC 9110): nginx marks the ETag weak when it compresses a response, and a
    # client revalidating sends it back as W/"…"; the body it stands for is the same.
    if etag and request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
        response.set_etag(etag)
        return response
    return None


# Added to every response that does not set them itself.
DEFAULT_HEADERS = [*CORS_HEADERS.items(), *SECURITY_HEADERS.items()]


def after_request(response):
    headers = response.headers
    # Werkzeug's Headers looks names up by scanning the list: collect what is there once and
    # append the rest, instead of a setdefault (a scan) per header.
    present = {key.lower() for key in headers.keys()}
    etag = g.get("etag")
    if etag and response.status_code in (200, 304):
        cache_control = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
        fresh = [("ETag", f'"{etag}"'), ("Cache-Control", cache_control), ("Vary", "Accept")]
    elif "cache-control" not in present:
        fresh = [("Cache-Control", "no-store" if response.status_code >= 400 else "public, max-age=60")]
    else:
        fresh = []
    for key, value in fresh:
        if key.lower() in present:
            headers.set(key, value)
        else:
            headers.add(key, value)
    headers.extend([(key, value) for key, value in DEFAULT_HEADERS if key.lower() not in present])
    if response.is_streamed and not response.direct_passthrough:
        # A streamed export (not a file sent as is) may be any size: a proxy in front may pass it on, but
        # not keep it in its cache (nginx reads this header, and does not forward it).
        headers["X-Accel-Expires"] = "0"
    log_request(response)
    return response


def log_request(response) -> None:
    """Write one JSON line per request on stderr (``CLAIMBASE_LOG_REQUESTS=0`` turns it off).

    ``client`` is the address of the peer, the proxy's behind one, unless ``CLAIMBASE_PROXIES`` says
    to trust the X-Forwarded-For it sets."""
    if current_app.config["LOG_REQUESTS"]:
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        line = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "client": request.remote_addr,
            "duration_ms": round(took, 3),
        }
        sys.stderr.write(orjson.dumps(line).decode() + "\n")


def init_app(app):
    app.before_request(before_request)
    app.after_request(after_request)

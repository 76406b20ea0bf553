"""An in-process cache of API responses, valid for one build of the database.

The database is a read-only build artifact, so the answer to a GET depends
only on the build and the request (path, query string and Accept header).
Each worker process keeps the most recently used JSON bodies up to a byte
budget (``CLAIMBASE_RESPONSE_CACHE_MB``, default 16; 0 turns it off) and
drops them all when a new build is renamed into place. Streamed exports and
errors are never cached. An entry is the whole response, headers included
(ETag, caching, CORS, security, as api.web.http set them): a hit skips the
query-string checks, argument parsing, SQL and serialisation. Conditional
requests (``If-None-Match``) always take the ordinary path.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, g, request

from api.web import db

MAX_BODY = 256 * 1024  # larger bodies are not worth the memory


class ResponseCache:
    """A thread-safe LRU of (status, body, headers) bounded in bytes."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self.build_id: str | None = None
        self.entries: OrderedDict[tuple, tuple] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, build_id: str, key: tuple):
        with self.lock:
            if build_id != self.build_id:
                self.entries.clear()
                self.used, self.build_id = 0, build_id
            entry = self.entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, build_id: str, key: tuple, entry: tuple) -> None:
        size = len(entry[1]) + 200
        with self.lock:
            if build_id != self.build_id or key in self.entries or size > self.budget:
                return
            self.entries[key] = entry
            self.used += size
            while self.used > self.budget:
                _, old = self.entries.popitem(last=False)
                self.used -= len(old[1]) + 200


def _key() -> tuple:
    # The raw query string, not the decoded one: two strings that decode alike need not both be valid.
    return (request.path, request.query_string, request.headers.get("Accept", ""))


def before_request():
    """Answer a GET from the cache (runs before api.web.http's checks: only valid requests were stored)."""
    g.started = time.perf_counter()
    cache: ResponseCache = current_app.extensions["claimbase_cache"]
    if request.method != "GET" or not request.path.startswith("/api/"):
        return None
    try:
        build_id = db.build_info()["build_id"]
    except db.DatabaseUnavailable:
        return None  # the view reports it
    g.cache_build_id = build_id
    if "If-None-Match" in request.headers:
        return None  # api.web.http answers conditional requests (304)
    entry = cache.get(build_id, _key())
    if entry is None:
        return None
    g.cache_hit = True
    status, body, headers = entry
    return current_app.response_class(body, status=status, headers=headers)


def after_request(response):
    """Keep a successful JSON answer, with every header api.web.http gave it (runs after api.web.http)."""
    build_id = g.get("cache_build_id")
    if build_id is None or g.get("cache_hit") or response.status_code != 200 or response.is_streamed:
        return response
    if response.mimetype not in ("application/json", "application/ld+json", "image/svg+xml"):
        return response
    body = response.get_data()
    if len(body) <= MAX_BODY:
        headers = [(k, v) for k, v in response.headers.items() if k != "Content-Length"]
        current_app.extensions["claimbase_cache"].put(build_id, _key(), (response.status_code, body, headers))
    return response


def init_app(app) -> None:
    budget = int(app.config.get("RESPONSE_CACHE_MB", 16) * 1024 * 1024)
    app.extensions["claimbase_cache"] = ResponseCache(budget)
    if budget > 0:
        app.before_request(before_request)
        app.after_request(after_request)

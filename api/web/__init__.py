"""Claimbase: structured, sourced claims extracted from news reporting."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api.web import db, errors, http
from api.web.jsonprovider import OrjsonProvider

ROOT = Path(__file__).resolve().parents[2]


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def create_app(config: dict | None = None) -> Flask:
    """Create the Claimbase WSGI application."""
    app = Flask(__name__)
    app.json_provider_class = OrjsonProvider
    app.json = OrjsonProvider(app)
    app.config.update(
        DATABASE=os.environ.get("CLAIMBASE_DB", str(ROOT / "data" / "claims.db")),
        QUERY_TIMEOUT_MS=_env_int("CLAIMBASE_QUERY_TIMEOUT_MS", 2000),
        CACHE_MAX_AGE=_env_int("CLAIMBASE_CACHE_MAX_AGE", 300),
        LOG_REQUESTS=os.environ.get("CLAIMBASE_LOG_REQUESTS", "1") == "1",
        MAX_QUERY_STRING=_env_int("CLAIMBASE_MAX_QUERY_STRING", 8192),
        SQLITE_CACHE_MB=float(os.environ.get("CLAIMBASE_SQLITE_CACHE_MB", 8)),
        SQLITE_MMAP_MB=float(os.environ.get("CLAIMBASE_SQLITE_MMAP_MB", 0)),
        # How many proxies in front set X-Forwarded-For/-Proto (nginx: 1); 0 trusts no such header.
        PROXIES=_env_int("CLAIMBASE_PROXIES", 0),
        **openapi_config(),
    )
    if config:
        app.config.update(config)
    db.init_app(app)
    http.init_app(app)
    from api.web.resources import register

    api = register(app)
    errors.init_app(app)
    app.extensions["claimbase_api"] = api
    if app.config["PROXIES"]:
        # The client's address and scheme as the trusted proxies saw them, never as a client claims them.
        n = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    return app


def openapi_config() -> dict:
    return {
        "API_TITLE": "Claimbase",
        "API_VERSION": "1.0.0",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        # /docs is served by api.web.resources.docs with local assets, not from a CDN.
        "OPENAPI_SWAGGER_UI_PATH": None,
    }

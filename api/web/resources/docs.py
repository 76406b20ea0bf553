"""The Swagger UI 5 at /docs, with every asset served by this app (no CDN); a trailing slash redirects."""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, abort, current_app, redirect, render_template, request, send_from_directory
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

bp = Blueprint("docs", __name__, template_folder="../templates", static_folder="../static", static_url_path="/static")

# swagger-ui-dist as flask-swagger-ui ships it (its own blueprint is not used: the page is ours).
SWAGGER_DIR = Path(flask_swagger_ui.__file__).parent / "dist"
SWAGGER_ASSETS = {
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "favicon-32x32.png",
    "favicon-16x16.png",
}


@bp.get("/")
def index():
    return redirect("/docs", code=302)


@bp.get("/docs")
def docs():
    return render_template("docs.html")


@bp.get("/docs/assets/<name>")
def docs_asset(name):
    if name not in SWAGGER_ASSETS:
        abort(404, description=f"No docs asset {name!r}.")
    response = send_from_directory(SWAGGER_DIR, name, max_age=86400)
    return response


@bp.get("/favicon.ico")
def favicon():
    """Answer the browser's own request for an icon (a 404 there is an error in every console)."""
    return send_from_directory(SWAGGER_DIR, "favicon-32x32.png", mimetype="image/png", max_age=86400)


@bp.before_app_request
def trailing_slash():
    """Redirect ``/api/v1/figures/`` to ``/api/v1/figures`` (308 keeps the method), when that path exists.

    Only a request that matched no route is looked at: every other request, and a path
    that exists with no slash either, goes on as before (a 404 stays a 404).
    """
    path = request.path
    if request.url_rule is not None or path == "/" or not path.endswith("/"):
        return None
    canonical = path.rstrip("/")
    try:
        current_app.url_map.bind("").match(canonical, method=request.method)
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return None
    if request.query_string:
        canonical += "?" + request.query_string.decode("latin-1")
    return redirect(canonical, code=308)

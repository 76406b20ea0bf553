"""The Swagger UI at /docs, with every asset served by this app (no CDN)."""

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, abort, redirect, render_template, send_from_directory

bp = Blueprint("docs", __name__, template_folder="../templates", static_folder="../static", static_url_path="/static")

SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)
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

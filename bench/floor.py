"""The floor: a minimal Flask app that returns precomputed bodies (no database, no serialisation).

``bench.run`` writes each benchmark query's Claimbase response to a directory
and serves this app over it with the same gunicorn settings, behind the same
nginx configuration, so that the difference between the two is what Claimbase
does per request. Each body goes out with the Cache-Control Claimbase sent with
it (``<name>.cache-control`` beside ``<name>.json``), so that nginx caches it as
it caches Claimbase's; the query string is ignored (the distinct-URL workload
varies it, so that no answer comes from the cache).

    FLOOR_BODIES=dir gunicorn --config gunicorn.conf.py 'bench.floor:create_app()'
"""

import os
from pathlib import Path

from flask import Flask, Response, abort


def create_app() -> Flask:
    app = Flask(__name__)
    directory = Path(os.environ["FLOOR_BODIES"])
    bodies = {p.stem: p.read_bytes() for p in directory.glob("*.json")}
    cache_control = {
        name: (directory / f"{name}.cache-control").read_text()
        if (directory / f"{name}.cache-control").exists()
        else ""
        for name in bodies
    }

    @app.get("/floor/<name>")
    def body(name):
        if name not in bodies:
            abort(404)
        headers = {"Cache-Control": cache_control[name]} if cache_control[name] else {}
        return Response(bodies[name], mimetype="application/json", headers=headers)

    @app.get("/floor-ready")
    def ready():
        return "ready"

    return app

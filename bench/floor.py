"""The floor: a minimal Flask app that returns precomputed bodies (no database, no serialisation).

``bench.run`` writes each benchmark query's Claimbase response to a directory
and serves this app over it with the same gunicorn settings, so that the
difference between the two is what Claimbase does per request.

    FLOOR_BODIES=dir gunicorn --config gunicorn.conf.py 'bench.floor:create_app()'
"""

import os
from pathlib import Path

from flask import Flask, Response, abort


def create_app() -> Flask:
    app = Flask(__name__)
    bodies = {p.stem: p.read_bytes() for p in Path(os.environ["FLOOR_BODIES"]).glob("*.json")}

    @app.get("/floor/<name>")
    def body(name):
        if name not in bodies:
            abort(404)
        return Response(bodies[name], mimetype="application/json")

    return app

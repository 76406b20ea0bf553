"""Health: is the database there and readable, and which build is it."""

import orjson
from marshmallow import fields

from api.web import db
from api.web.resources.common import Blueprint, json_response
from schemas.common import WireSchema, meta

blp = Blueprint("health", __name__, description="Liveness and build information.")


class HealthSchema(WireSchema):
    status = fields.String(required=True, metadata=meta("ok when the database answers.", "ok"))
    build_id = fields.String(
        required=True, metadata=meta("Hash of the fixtures the database was built from.", "2308fd0d082e6971")
    )
    schema_version = fields.String(required=True, metadata=meta("Database schema version.", "1"))
    release = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("The current release (the latest recorded); null when none is.", "2026.12.1"),
    )
    unreleased_changes = fields.Boolean(
        required=True,
        metadata=meta(
            "True when the served data was built from fixtures other than the current release's: it holds "
            "changes not yet released (and not in /changes).",
            False,
        ),
    )
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, metadata=meta("Rows per table.", {"figures": 56})
    )


@blp.get("/health")
@blp.response(200, HealthSchema)
@blp.errors(503)
def health():
    """Report the build id, the current release, whether the data holds unreleased changes, and row counts; 503 when the database is missing or unreadable."""
    info = db.build_info()
    body = {
        "status": "ok",
        "build_id": info["build_id"],
        "schema_version": info["schema_version"],
        "release": orjson.loads(info.get("current_release", "null")),
        "unreleased_changes": orjson.loads(info.get("unreleased", "true")),
        "counts": orjson.loads(info["counts"]),
    }
    return json_response(body, headers={"Cache-Control": "no-store"})

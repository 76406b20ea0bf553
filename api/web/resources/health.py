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
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, metadata=meta("Rows per table.", {"figures": 56})
    )


@blp.get("/health")
@blp.response(200, HealthSchema)
@blp.errors(503)
def health():
    """Report the build id and row counts; 503 when the database is missing or unreadable.

    Never cached (`Cache-Control: no-store`).
    """
    info = db.build_info()
    body = {
        "status": "ok",
        "build_id": info["build_id"],
        "schema_version": info["schema_version"],
        "counts": orjson.loads(info["counts"]),
    }
    return json_response(body, headers={"Cache-Control": "no-store"})

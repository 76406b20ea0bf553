"""Health: is the database there and readable, which build is it, and were its quotes checked against the texts."""

import orjson
from marshmallow import fields

from api.web import db
from api.web.resources.common import Blueprint, json_response
from schemas.common import WireSchema, meta

blp = Blueprint("health", __name__, description="Liveness and build information.")


class TextsSchema(WireSchema):
    verified = fields.Boolean(
        required=True,
        metadata=meta(
            "true when the build checked every quote and span against the archived texts, each with the sha256 "
            "its source records; false when the archive was not there (a clone without it): the quotes and "
            "spans are then as the fixtures give them, unchecked.",
            True,
        ),
    )
    sources = fields.Integer(
        required=True, metadata=meta("How many texts (one per source; each source's sha256 is on its record).", 5)
    )
    sha256 = fields.String(
        required=True,
        metadata=meta(
            "sha256 of the texts' manifest: one `<sha256>  <filename>` line per source, sorted by file name, "
            "as `sha256sum` writes it. The same with or without the archive.",
            "7d70cc0ef9c662273241fbc9b71d0d2d5308a888a6061b3f79121713b3fb814a",
        ),
    )


class HealthSchema(WireSchema):
    status = fields.String(required=True, metadata=meta("ok when the database answers.", "ok"))
    build_id = fields.String(
        required=True,
        metadata=meta(
            "Hash of the fixtures (with each text's sha256 as they record it) and of the code the database was "
            "built with.",
            "2308fd0d082e6971",
        ),
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
    texts = fields.Nested(
        TextsSchema, required=True, metadata=meta("Whether the quotes were checked against the texts.")
    )
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, metadata=meta("Rows per table.", {"figures": 56})
    )


@blp.get("/health")
@blp.response(200, HealthSchema)
@blp.errors(503)
def health():
    """Report the build id, the release, unreleased changes, whether quotes were verified, and row counts.

    503 when the database is missing or unreadable. Never cached (`Cache-Control: no-store`).
    """
    info = db.build_info()
    body = {
        "status": "ok",
        "build_id": info["build_id"],
        "schema_version": info["schema_version"],
        "release": orjson.loads(info.get("current_release", "null")),
        "unreleased_changes": orjson.loads(info.get("unreleased", "true")),
        "texts": orjson.loads(info["texts"]),
        "counts": orjson.loads(info["counts"]),
    }
    return json_response(body, headers={"Cache-Control": "no-store"})

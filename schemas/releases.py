"""Releases and changes: the wire format of /releases, /changes and the query strings they take."""

from marshmallow import fields, validate

from schemas.common import ListArgs, PageSchema, WireSchema, meta, named_enum
from schemas.figures import EXPORT_EXCLUDE

# In the order a release lists its records (a record after the records it refers to).
RECORD_KINDS = named_enum(
    "RecordKind",
    ("source", "entity", "metric", "claim", "figure", "event", "statement", "assessment", "exclusion"),
    "A kind of record a release holds.",
)
CHANGE_TYPES = named_enum("ChangeType", ("added", "changed", "renamed", "removed"), "How a record changed.")
VERSION_PATTERN = r"^\d{4}\.(1[0-2]|[1-9])\.[1-9]\d*$"
VERSION_HELP = "A release version, YEAR.MONTH.N (e.g. `2026.12.1`); an unknown one is a 422 naming the known ones."


def version_field(description: str, example: str):
    return fields.String(
        load_default=None,
        validate=validate.Regexp(VERSION_PATTERN, error="Not a version: use YEAR.MONTH.N, e.g. 2026.12.1."),
        metadata=meta(f"{description} {VERSION_HELP}", example, pattern=VERSION_PATTERN),
    )


class ReleaseQueryArgs(ListArgs):
    """Paging only: releases are listed oldest first."""


class ChangeQueryArgs(ListArgs):
    since = version_field(
        "The release the client has: every change after it, oldest first. Omitted: every record of `until` "
        "(the current release by default) as an addition, a first sync from empty. The current release: empty.",
        "2026.12.1",
    )
    until = version_field("The last release to include (default: the current release).", "2026.12.2")
    kind = fields.List(
        fields.String(validate=validate.OneOf(RECORD_KINDS)),
        load_default=None,
        metadata=meta("Only changes to records of this kind. Repeat to match any of several.", ["figure"]),
    )


class ChangeExportArgs(ChangeQueryArgs):
    """The filters of /changes, for an export of every change."""

    class Meta(ChangeQueryArgs.Meta):
        exclude = EXPORT_EXCLUDE


class FieldChangeSchema(WireSchema):
    field = fields.String(required=True, metadata=meta("The record's field (a top-level key).", "value"))
    # Any JSON value, null included: a field's values are of its record's schema.
    old = fields.Raw(
        required=True,
        metadata=meta("Its value in the release before, any JSON (null when the field was absent).", "old words"),
    )
    new = fields.Raw(
        required=True, metadata=meta("Its value in this release, any JSON (null when absent).", "new words")
    )


class ChangeSchema(WireSchema):
    release = fields.String(required=True, metadata=meta("The release that made the change.", "2026.12.2"))
    kind = fields.String(required=True, metadata=meta("The kind of record.", "figure", enum=list(RECORD_KINDS)))
    id = fields.String(
        required=True, metadata=meta("The record's id (after a rename, the new one).", "s000-additional-troops")
    )
    change = fields.String(
        required=True,
        metadata=meta(
            "added (`record` holds it whole), changed (`fields`), renamed (`previous_id`, and `fields` with the id "
            "and whatever else changed) or removed (only the id, and `last_version`).",
            "changed",
            enum=list(CHANGE_TYPES),
        ),
    )
    url = fields.String(
        required=True,
        allow_none=True,
        metadata=meta(
            "The record's URL; null when removed, or for kinds served only inside others (assessments, in their "
            "claim) or only in lists (exclusions).",
            "/api/v1/figures/s000-additional-troops",
        ),
    )
    previous_id = fields.String(
        required=True, allow_none=True, metadata=meta("A renamed record's id before; it answers as an alias.", None)
    )
    last_version = fields.String(
        required=True,
        allow_none=True,
        metadata=meta("A removed record's last release (the one before `release`); null otherwise.", None),
    )
    record = fields.Dict(
        required=True,
        allow_none=True,
        metadata=meta("An added record as the API serves it (its kind's schema); null otherwise.", None),
    )
    fields_ = fields.List(
        fields.Nested(FieldChangeSchema),
        data_key="fields",
        required=True,
        allow_none=True,
        metadata=meta("The fields of a changed or renamed record that differ, by name; null otherwise."),
    )


class ChangeListSchema(PageSchema):
    items = fields.List(fields.Nested(ChangeSchema), required=True)


class ReleaseSchema(WireSchema):
    version = fields.String(required=True, metadata=meta("The release's version (YEAR.MONTH.N).", "2026.12.1"))
    url = fields.String(required=True, metadata=meta("Link to the release.", "/api/v1/releases/2026.12.1"))
    date = fields.String(required=True, metadata=meta("The day it was recorded (ISO).", "2026-12-03"))
    notes = fields.String(
        required=True, metadata=meta("What changed, written once when the release was recorded.", "Three articles.")
    )
    previous = fields.String(
        required=True, allow_none=True, metadata=meta("The release before; null for the first.", None)
    )
    digest = fields.String(
        required=True,
        metadata=meta("sha256 of the release's records (its identity: the same records, the same digest).", "ecd2…"),
    )
    build_id = fields.String(
        required=True, allow_none=True, metadata=meta("The build that served the records when recorded.", "d873…")
    )
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata=meta("Records of each kind in the release.", {"figure": 56}),
    )
    summary = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        required=True,
        metadata=meta(
            "Its changes against the release before: by change (added, changed, renamed, removed), records of each "
            "kind.",
            {"added": {"figure": 3}, "changed": {"figure": 2}},
        ),
    )
    changes = fields.String(
        required=True,
        metadata=meta("The URL of its changes.", "/api/v1/changes?since=2026.12.1&until=2026.12.2"),
    )


class ReleaseListSchema(PageSchema):
    items = fields.List(fields.Nested(ReleaseSchema), required=True)

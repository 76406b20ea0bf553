"""Changes between releases (table ``changes``), and a release's records as additions for a first sync.

Each item is put together as JSON text: a record and its fields' old and new values are
stored as JSON already and go out as they are, never parsed.
"""

import orjson

from api.shape import url
from api.web.queries.listing import Export, Listing, any_of, compare

# Kinds with a URL of their own (assessments are served inside their claim, exclusions only in lists).
PATHS = {
    "source": "sources",
    "entity": "entities",
    "metric": "metrics",
    "claim": "claims",
    "figure": "figures",
    "event": "events",
    "statement": "statements",
}
COLUMNS = ("release", "kind", "id", "change", "url", "previous_id", "last_version", "record", "fields")


def record_url(kind: str, ident: str) -> str | None:
    return url(PATHS[kind], ident) if kind in PATHS else None


def change_item(r: dict) -> str:
    """One change as JSON text: its plain fields, then ``record`` and ``fields`` spliced in as stored."""
    head = {
        "release": r["release"],
        "kind": r["kind"],
        "id": r["id"],
        "change": r["change"],
        "url": None if r["change"] == "removed" else record_url(r["kind"], r["id"]),
        "previous_id": r["previous_id"],
        "last_version": r["last_version"],
    }
    return (
        orjson.dumps(head)[:-1].decode()
        + ',"record":'
        + (r["record"] or "null")
        + ',"fields":'
        + (r["fields"] or "null")
        + "}"
    )


def flatten_csv(item: str) -> dict:
    """A change as a CSV row: ``record`` and ``fields`` as JSON text."""
    change = orjson.loads(item)
    for key in ("record", "fields"):
        if change[key] is not None:
            change[key] = orjson.dumps(change[key]).decode()
    return change


def _shape(db, rows, args) -> list[str]:
    return [change_item(r) for r in rows]


# NDJSON lines keep ``record`` and ``fields`` as JSON; a CSV cell holds their JSON text.
EXPORTS = {"ndjson": Export(columns=COLUMNS, flatten=orjson.loads), "csv": Export(columns=COLUMNS, flatten=flatten_csv)}
EXPORT = EXPORTS["ndjson"]

# The view turns ``since``/``until`` into a range of change numbers (``after_n``, ``through_n``): pages
# walk the table's rowids.
CHANGES = Listing(
    select="""
SELECT c.n, c.kind, c.id, c.change, c.previous_id, x.doc AS record, c.fields, r.version AS release,
       CASE c.change WHEN 'removed' THEN (SELECT p.version FROM releases p WHERE p.seq = c.release_seq - 1)
       END AS last_version
FROM changes c JOIN releases r ON r.seq = c.release_seq
LEFT JOIN release_records x ON x.rowid = c.record_row
""",
    count="SELECT count(*) AS n FROM changes c",
    sort={"id": ("c.n", "n")},
    filters={
        "after_n": compare("c.n > ?"),
        "through_n": compare("c.n <= ?"),
        "kind": any_of("c.kind"),
    },
    shape=_shape,
    cursor_tag="changes",
    export=EXPORT,
)

# Without ``since``: every record of a release as an addition (a first sync starts from empty); the view
# gives the release's rows (``first_row``, ``last_row``).
SNAPSHOT = Listing(
    select="""
SELECT x.rowid AS n, x.kind, x.id, 'added' AS change, NULL AS previous_id, x.doc AS record, NULL AS fields,
       r.version AS release, NULL AS last_version
FROM release_records x JOIN releases r ON r.seq = x.release_seq
""",
    count="SELECT count(*) AS n FROM release_records x",
    sort={"id": ("x.rowid", "n")},
    filters={"first_row": compare("x.rowid >= ?"), "last_row": compare("x.rowid <= ?"), "kind": any_of("x.kind")},
    shape=_shape,
    cursor_tag="snapshot",
    export=EXPORT,
)

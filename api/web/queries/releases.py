"""Releases: the recorded versions of the data (tables written by api.builder.releases)."""

from urllib.parse import urlencode

import orjson

from api.shape import url
from api.web.queries.listing import Listing
from api.web.queries.paging import BadQuery

SELECT = """
SELECT r.*, p.version AS previous FROM releases r LEFT JOIN releases p ON p.seq = r.seq - 1
"""


def changes_url(version: str, previous: str | None) -> str:
    query = {"since": previous, "until": version} if previous else {"until": version}
    return "/api/v1/changes?" + urlencode(query)


def release_dict(r: dict) -> dict:
    return {
        "version": r["version"],
        "url": url("releases", r["version"]),
        "date": r["date"],
        "notes": r["notes"],
        "previous": r["previous"],
        "digest": r["digest"],
        "build_id": r["build_id"],
        "counts": orjson.loads(r["counts"]),
        "summary": orjson.loads(r["summary"]),
        "changes": changes_url(r["version"], r["previous"]),
    }


RELEASES = Listing(
    select=SELECT,
    count="SELECT count(*) AS n FROM releases r",
    sort={"id": ("r.seq", "seq")},
    shape=lambda db, rows, args: [release_dict(r) for r in rows],
    cursor_tag="releases",
)


def get_release(db, version: str) -> dict | None:
    row = db.execute(SELECT + " WHERE r.version = ?", (version,)).fetchone()
    return release_dict(row) if row else None


def current(db) -> dict | None:
    """The latest release (the current one), or None when none is recorded."""
    row = db.execute(SELECT + " ORDER BY r.seq DESC LIMIT 1").fetchone()
    return release_dict(row) if row else None


def positions(db) -> list[dict]:
    """Every release's version and where its records and changes lie, oldest first."""
    rows = db.execute(
        "SELECT seq, version, first_record, last_record, last_change, kind_rows FROM releases ORDER BY seq"
    ).fetchall()
    return [{**r, "kind_rows": orjson.loads(r["kind_rows"])} for r in rows]


def find(known: list[dict], param: str, version: str) -> dict:
    """The release ``version`` of ``known`` (``positions``); a 422 naming the known versions for another."""
    for release in known:
        if release["version"] == version:
            return release
    listed = ", ".join(r["version"] for r in known) if known else "none is recorded"
    raise BadQuery(f"{param}: no release is named {version!r}. Known releases: {listed}.", param, status=422)


def renamed_to(db, kind: str, ident: str) -> str | None:
    """The id a release renamed ``ident`` (of ``kind``) to, following later renames; None when never renamed."""
    found, seen = None, set()
    while ident not in seen:
        seen.add(ident)
        row = db.execute(
            "SELECT new_id FROM release_renames WHERE kind = ? AND old_id = ? ORDER BY release_seq DESC LIMIT 1",
            (kind, ident),
        ).fetchone()
        if row is None:
            break
        found = ident = row["new_id"]
    return found


# Per release: its added and changed figures grouped by metric and subject, for the feed.
FIGURE_GROUPS = """
SELECT c.change, json_extract(f.doc, '$.metric.label') AS metric, json_extract(f.doc, '$.subject.name') AS subject,
       count(*) AS n
FROM changes c JOIN release_records f ON f.kind = 'figure' AND f.id = c.id AND f.release_seq = c.release_seq
WHERE c.kind = 'figure' AND c.release_seq = ? AND c.change IN ('added', 'changed', 'renamed')
GROUP BY 1, 2, 3 ORDER BY n DESC, metric, subject
"""
FIGURE_LINKS = """
SELECT c.change, c.id, json_extract(f.doc, '$.value.text') AS value, json_extract(f.doc, '$.metric.label') AS metric,
       json_extract(f.doc, '$.source.id') AS source
FROM changes c JOIN release_records f ON f.kind = 'figure' AND f.id = c.id AND f.release_seq = c.release_seq
WHERE c.kind = 'figure' AND c.release_seq = ? AND c.change IN ('added', 'changed', 'renamed')
ORDER BY c.n LIMIT ?
"""


def feed_entries(db, limit: int) -> list[dict]:
    """Every release, newest first, with its new and changed figures (at most ``limit`` linked)."""
    entries = []
    for r in db.execute(SELECT + " ORDER BY r.seq DESC").fetchall():
        entry = release_dict(r)
        entry["groups"] = db.execute(FIGURE_GROUPS, (r["seq"],)).fetchall()
        entry["figures"] = db.execute(FIGURE_LINKS, (r["seq"], limit)).fetchall()
        entries.append(entry)
    return entries

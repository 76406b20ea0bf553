"""Load the recorded releases (``releases/``) and compute, in SQL, what changed between them.

A release is a folder ``releases/<version>/``: ``release.json`` (version, date, notes,
build id, digest, counts, the fixtures digest and the renames it records) and one JSON
Lines file per kind (``figures.jsonl``…), each record as the API served it, one a line,
sorted by id.  The build loads every release into ``release_records`` (each record as
canonical JSON: sorted keys, no spaces), checks each release's digest against its records,
and fills ``changes``: for each release against the one before, every record added,
removed, renamed or changed, and for a changed one the fields with their old and new
values.  docs/releases.md describes the format and how to record a release.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import orjson

from api.builder.fixtures import Fixtures, record_hash

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RELEASES_DIR = ROOT / "releases"

# Kind -> the file (and the list path) of its records.  In this order in a release and in
# its changes: a record comes after the records it refers to (a figure after its source).
KINDS = {
    "source": "sources",
    "entity": "entities",
    "metric": "metrics",
    "claim": "claims",
    "figure": "figures",
    "event": "events",
    "statement": "statements",
    "assessment": "assessments",
    "exclusion": "exclusions",
}
# Calendar versions: year, month, and the release's number within that month.
VERSION = re.compile(r"^(\d{4})\.(1[0-2]|[1-9])\.([1-9]\d*)$")
INT, T = "INTEGER", "TEXT"


class ReleaseError(RuntimeError):
    """A recorded release that cannot be loaded, naming the file and the record at fault."""


def version_key(version: str) -> tuple[int, int, int]:
    """Return the sort key of a version (``2026.12.1`` -> (2026, 12, 1)); ValueError when malformed."""
    match = VERSION.match(version)
    if not match:
        raise ValueError(f"{version!r} is not a version (YEAR.MONTH.N, e.g. 2026.12.1)")
    return tuple(int(part) for part in match.groups())


def canonical(record: dict) -> bytes:
    """Return the canonical JSON of a record: sorted keys, no spaces, UTF-8."""
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)


def records_digest(records: dict[str, list[dict]]) -> str:
    """Return the digest that identifies a release: sha256 over every record's canonical JSON, by kind and id."""
    digest = hashlib.sha256()
    for kind in KINDS:
        for record in sorted(records.get(kind, []), key=lambda r: r["id"]):
            digest.update(kind.encode() + b"\t" + canonical(record) + b"\n")
    return digest.hexdigest()


def fixtures_digest(fixtures: Fixtures) -> str:
    """Return a hash of the validated fixture records alone (no code, no texts), as a multiset.

    A release records the one of the fixtures it was made from: a build whose fixtures
    hash differently serves changes not yet released.
    """
    digest = hashlib.sha256()
    for kind, records in sorted(fixtures.records.items()):
        total = sum(record_hash(r.data) for r in records)
        digest.update(f"{kind}:{len(records)}:{total % (1 << 512):x};".encode())
    return digest.hexdigest()[:16]


def release_dirs(releases_dir: Path) -> list[Path]:
    """Return the release folders under ``releases_dir``, oldest first (by version)."""
    if not releases_dir.is_dir():
        return []
    found = []
    for path in releases_dir.iterdir():
        if path.is_dir() and (path / "release.json").is_file():
            try:
                found.append((version_key(path.name), path))
            except ValueError as exc:
                raise ReleaseError(f"{path}: {exc}") from None
    return [path for _, path in sorted(found)]


def read_release(path: Path) -> tuple[dict, dict[str, list[dict]]]:
    """Return (release.json, records by kind) of one release folder, checked against its digest."""
    meta_path = path / "release.json"
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except ValueError as exc:
        raise ReleaseError(f"{meta_path}: not JSON: {exc}") from None
    for key in ("version", "date", "notes", "digest"):
        if key not in meta:
            raise ReleaseError(f"{meta_path}: field {key!r} is missing")
    if meta["version"] != path.name:
        raise ReleaseError(f"{meta_path}: version {meta['version']!r} differs from its folder {path.name!r}")
    records: dict[str, list[dict]] = {}
    for kind, name in KINDS.items():
        file = path / f"{name}.jsonl"
        records[kind] = []
        if not file.is_file():
            continue
        seen = set()
        with open(file, "rb") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise ReleaseError(f"{file}:{n}: not JSON: {exc}") from None
                if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                    raise ReleaseError(f"{file}:{n}: a record is an object with a string 'id'")
                if record["id"] in seen:
                    raise ReleaseError(f"{file}:{n}: id {record['id']!r} appears twice")
                seen.add(record["id"])
                records[kind].append(record)
    digest = records_digest(records)
    if digest != meta["digest"]:
        raise ReleaseError(
            f"{meta_path}: digest {meta['digest']} does not match its records ({digest}): "
            "record files edited after the release was recorded"
        )
    return meta, records


# ---- tables ------------------------------------------------------------------

SCHEMA = f"""
CREATE TABLE releases (
    seq {INT} PRIMARY KEY, version {T} NOT NULL UNIQUE, date {T} NOT NULL, notes {T} NOT NULL,
    build_id {T}, digest {T} NOT NULL, fixtures_digest {T}, counts {T} NOT NULL, summary {T} NOT NULL,
    -- Where its records and changes lie, for reads by rowid range: the rowids of its first and
    -- last record in release_records, and the last change (n) through this release.
    first_record {INT}, last_record {INT}, last_change {INT} NOT NULL DEFAULT 0,
    -- The same by kind, {{kind: [first rowid, last rowid]}}: a kind's records are contiguous.
    kind_rows {T} NOT NULL DEFAULT '{{}}'
) STRICT;
CREATE TABLE release_records (
    release_seq {INT} NOT NULL REFERENCES releases (seq), kind {T} NOT NULL, kind_rank {INT} NOT NULL,
    id {T} NOT NULL, doc {T} NOT NULL
) STRICT;
CREATE TABLE release_renames (
    release_seq {INT} NOT NULL REFERENCES releases (seq), kind {T} NOT NULL, old_id {T} NOT NULL,
    new_id {T} NOT NULL, PRIMARY KEY (kind, old_id, release_seq)
) STRICT;
CREATE TABLE changes (
    n {INT} PRIMARY KEY, release_seq {INT} NOT NULL REFERENCES releases (seq), kind {T} NOT NULL,
    id {T} NOT NULL, change {T} NOT NULL, previous_id {T},
    -- An added record: its row in release_records (the document is stored once).
    record_row {INT}, fields {T}
) STRICT;
"""
INDEXES = """
CREATE UNIQUE INDEX idx_release_records_kind_id ON release_records (kind, id, release_seq);
CREATE INDEX idx_release_records_release ON release_records (release_seq, kind);
CREATE INDEX idx_release_renames_new ON release_renames (kind, new_id, release_seq);
CREATE INDEX idx_changes_release ON changes (release_seq);
CREATE INDEX idx_changes_kind ON changes (kind, n);
CREATE INDEX idx_changes_figure_added ON changes (release_seq, id) WHERE kind = 'figure';
"""

# One release (:cur) against the one before it (:prev): every difference, by kind and id.
# A pair of records is the same record when the ids match, or when the release records
# the rename of the old id to the new one.
PENDING_SQL = """
INSERT INTO temp.pending (kind_rank, kind, id, change, previous_id, old_row, new_row)
SELECT n.kind_rank, n.kind, n.id, 'changed', NULL, o.rowid, n.rowid
FROM release_records n JOIN release_records o ON o.kind = n.kind AND o.id = n.id AND o.release_seq = :prev
WHERE n.release_seq = :cur AND o.doc IS NOT n.doc
UNION ALL
SELECT n.kind_rank, n.kind, n.id, 'renamed', r.old_id, o.rowid, n.rowid
FROM release_renames r
JOIN release_records n ON n.kind = r.kind AND n.id = r.new_id AND n.release_seq = :cur
JOIN release_records o ON o.kind = r.kind AND o.id = r.old_id AND o.release_seq = :prev
WHERE r.release_seq = :cur
UNION ALL
SELECT n.kind_rank, n.kind, n.id, 'added', NULL, NULL, n.rowid
FROM release_records n
WHERE n.release_seq = :cur
  AND NOT EXISTS (SELECT 1 FROM release_records o WHERE o.kind = n.kind AND o.id = n.id AND o.release_seq = :prev)
  AND NOT EXISTS (SELECT 1 FROM release_renames r WHERE r.kind = n.kind AND r.new_id = n.id AND r.release_seq = :cur)
UNION ALL
SELECT o.kind_rank, o.kind, o.id, 'removed', NULL, o.rowid, NULL
FROM release_records o
WHERE o.release_seq = :prev
  AND NOT EXISTS (SELECT 1 FROM release_records n WHERE n.kind = o.kind AND n.id = o.id AND n.release_seq = :cur)
  AND NOT EXISTS (SELECT 1 FROM release_renames r WHERE r.kind = o.kind AND r.old_id = o.id AND r.release_seq = :cur)
"""


def _json_text(alias: str) -> str:
    """SQL for the JSON text of a json_each() value (NULL when the key is absent)."""
    return (
        f"CASE {alias}.type WHEN 'text' THEN json_quote({alias}.value) WHEN 'true' THEN 'true' "
        f"WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' ELSE CAST({alias}.value AS TEXT) END"
    )


# Each difference in order; a changed or renamed record with the fields that differ, by
# name, each with its old and new value (a field one side lacks is null there).  json()
# is applied where the array is built so that SQLite embeds the values as JSON.
CHANGES_SQL = f"""
INSERT INTO changes (release_seq, kind, id, change, previous_id, record_row, fields)
SELECT :cur, p.kind, p.id, p.change, p.previous_id,
       CASE p.change WHEN 'added' THEN p.new_row END,
       CASE WHEN p.change IN ('changed', 'renamed') THEN (
         SELECT json_group_array(json_object('field', d.field, 'old', json(d.old), 'new', json(d.new)))
         FROM (
           SELECT coalesce(b.key, a.key) AS field, coalesce({_json_text("a")}, 'null') AS old,
                  coalesce({_json_text("b")}, 'null') AS new
           FROM json_each((SELECT doc FROM release_records WHERE rowid = p.old_row)) a
           FULL JOIN json_each((SELECT doc FROM release_records WHERE rowid = p.new_row)) b ON b.key = a.key
           WHERE a.type IS NOT b.type OR a.value IS NOT b.value
           ORDER BY 1
         ) d
       ) END
FROM temp.pending p
ORDER BY p.kind_rank, p.id
"""
SUMMARY_SQL = """
SELECT kind, change, count(*) AS n FROM changes WHERE release_seq = ? GROUP BY kind, change
"""


def create_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def insert_release(conn: sqlite3.Connection, seq: int, meta: dict, records: dict[str, list[dict]]) -> None:
    """Insert one release's row, its records (canonical JSON, in kind and id order) and its renames."""
    counts = {kind: len(records.get(kind, [])) for kind in KINDS}
    conn.execute(
        "INSERT INTO releases (seq, version, date, notes, build_id, digest, fixtures_digest, counts, summary) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}')",
        (
            seq,
            meta["version"],
            meta["date"],
            meta["notes"],
            meta.get("build_id"),
            meta["digest"],
            meta.get("fixtures_digest"),
            json.dumps(counts),
        ),
    )
    for rank, kind in enumerate(KINDS):
        rows = sorted((r["id"], canonical(r).decode()) for r in records.get(kind, []))
        conn.executemany(
            "INSERT INTO release_records VALUES (?, ?, ?, ?, ?)", [(seq, kind, rank, i, doc) for i, doc in rows]
        )
    ranges = conn.execute(
        "SELECT kind, min(rowid), max(rowid) FROM release_records WHERE release_seq = ? GROUP BY kind", (seq,)
    ).fetchall()
    conn.execute(
        "UPDATE releases SET first_record = ?, last_record = ?, kind_rows = ? WHERE seq = ?",
        (
            min((r[1] for r in ranges), default=None),
            max((r[2] for r in ranges), default=None),
            json.dumps({kind: [first, last] for kind, first, last in ranges}, sort_keys=True),
            seq,
        ),
    )
    for rename in meta.get("renames", []):
        conn.execute(
            "INSERT INTO release_renames VALUES (?, ?, ?, ?)", (seq, rename["kind"], rename["from"], rename["to"])
        )


def check_renames(conn: sqlite3.Connection, path: Path, seq: int) -> None:
    """Raise ReleaseError unless each rename of release ``seq`` names an old id that left and a new one that came."""
    rows = conn.execute(
        """
        SELECT r.kind, r.old_id, r.new_id,
               EXISTS (SELECT 1 FROM release_records x WHERE x.kind = r.kind AND x.id = r.old_id AND x.release_seq = ?1 - 1),
               EXISTS (SELECT 1 FROM release_records x WHERE x.kind = r.kind AND x.id = r.old_id AND x.release_seq = ?1),
               EXISTS (SELECT 1 FROM release_records x WHERE x.kind = r.kind AND x.id = r.new_id AND x.release_seq = ?1),
               EXISTS (SELECT 1 FROM release_records x WHERE x.kind = r.kind AND x.id = r.new_id AND x.release_seq = ?1 - 1)
        FROM release_renames r WHERE r.release_seq = ?1
        """,
        (seq,),
    ).fetchall()
    for kind, old, new, was, stays, is_new, was_new in rows:
        if kind not in KINDS:
            raise ReleaseError(f"{path}/release.json: rename {old!r} -> {new!r}: unknown kind {kind!r}")
        if not was or stays or not is_new or was_new:
            raise ReleaseError(
                f"{path}/release.json: rename of {kind} {old!r} -> {new!r}: the old id must be in the "
                "previous release only and the new id in this release only"
            )


def compute_changes(conn: sqlite3.Connection, seq: int) -> None:
    """Fill ``changes`` for release ``seq`` against release ``seq - 1`` (all additions for the first)."""
    conn.execute("DROP TABLE IF EXISTS temp.pending")
    conn.execute(
        "CREATE TEMP TABLE pending (kind_rank INTEGER, kind TEXT, id TEXT, change TEXT, previous_id TEXT, "
        "old_row INTEGER, new_row INTEGER)"
    )
    conn.execute(PENDING_SQL, {"cur": seq, "prev": seq - 1})
    conn.execute(CHANGES_SQL, {"cur": seq})
    conn.execute("DROP TABLE temp.pending")
    summary: dict[str, dict[str, int]] = {}
    for kind, change, n in conn.execute(SUMMARY_SQL, (seq,)):
        summary.setdefault(change, {})[kind] = n
    conn.execute(
        "UPDATE releases SET summary = ?, last_change = (SELECT coalesce(max(n), 0) FROM changes) WHERE seq = ?",
        (json.dumps(summary, sort_keys=True), seq),
    )


def write_release_tables(conn: sqlite3.Connection, fixtures: Fixtures, releases_dir: Path | None = None) -> dict:
    """Create and fill the release tables of a build from ``releases_dir``; return what /health reports.

    That is the current (latest) release's version and whether the fixtures differ from
    the ones it was recorded from (``unreleased``: the served data holds changes not yet
    released; always true with no release).
    """
    releases_dir = DEFAULT_RELEASES_DIR if releases_dir is None else Path(releases_dir)
    create_tables(conn)
    paths = release_dirs(releases_dir)
    last = None
    with conn:
        for seq, path in enumerate(paths, 1):
            meta, records = read_release(path)
            insert_release(conn, seq, meta, records)
            last = meta
        conn.executescript(INDEXES)
        for seq, path in enumerate(paths, 1):
            check_renames(conn, path, seq)
            compute_changes(conn, seq)
    current = fixtures_digest(fixtures)
    return {
        "current_release": last["version"] if last else None,
        "fixtures_digest": current,
        "unreleased": last is None or last.get("fixtures_digest") != current,
    }


def releases_digest(releases_dir: Path | None = None) -> str:
    """Return a hash of every file of every release (for the build id: releases shape the served data)."""
    releases_dir = DEFAULT_RELEASES_DIR if releases_dir is None else Path(releases_dir)
    digest = hashlib.sha256()
    for path in release_dirs(releases_dir):
        for file in sorted(path.iterdir()):
            if file.is_file():
                digest.update(f"{path.name}/{file.name}:".encode() + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()

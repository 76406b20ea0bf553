"""Build the SQLite database from the fixtures: ``python -m api.builder``.

One process, in order: load every fixture file and check each record with its
marshmallow schema, then every reference and every quote against the archived
texts (api.builder.fixtures), reporting every problem at once; turn the records
into rows (api.builder.rows); write them to a temporary file beside the target
(the STRICT tables of schema.sql, one row a dict by column name), build the
indexes, the full-text indexes and the tables derived from the figures (claim
statistics, facet counts) in SQL; run ``foreign_key_check`` and
``quick_check``; and only then rename the file into place (an atomic replace:
on any failure the previous database stays as it was).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

import sqlite_utils

from api.builder.coverage import absent, coverage, gaps
from api.builder.fixtures import (
    DEFAULT_FIXTURES_DIR,
    FixtureError,
    Fixtures,
    load_and_validate,
    record_hash,
)
from api.builder.releases import ReleaseError, releases_digest, write_release_tables
from api.builder.review import review
from api.builder.rows import RECORD_TABLES, figure_rows
from api.builder.texts import texts_dir

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "data" / "claims.db"
# Bump when the tables change in a way the code hash below would not show.
SCHEMA_VERSION = "1"
# The code that shapes what the database stores: a change to any of these
# files changes the build id (and makes `make db` rebuild).
SHAPING_SOURCES = tuple(
    ROOT / name
    for name in (
        "api/builder/database.py",
        "api/builder/schema.sql",
        "api/builder/rows.py",
        "api/builder/mentions.py",  # citation_entities fills event_citation_entities
        "api/builder/releases.py",
        "api/builder/fixtures.py",
        "api/shape.py",
        "schemas/fixtures.py",
        "schemas/dates.py",
    )
)

SCHEMA = Path(__file__).with_name("schema.sql")
# A served figure (figure_docs) is about 1.2 KB: 8 KB pages hold six, 4 KB pages three.
PAGE_SIZE = 8192
# SQLite's page cache while the indexes are built: it sorts an index's keys in
# runs the size of this cache, then merges them, and small runs stay in the CPU's cache.
SORT_CACHE_KIB = 2048
BATCH = 10_000  # rows shaped and inserted at a time
# Counted in /health; the others are the build's own (build_info) or one row per figure (figure_docs).
UNCOUNTED = ("build_info", "figure_docs", "search_index")


INDEXES = {
    "entities": [["type", "id"]],
    "entity_names": [["entity_id"]],
    "entity_roles": [["source_id"]],
    "source_cites": [["entity_id"]],
    "claims": [["metric_id"], ["subject_id"], ["origin_count", "id"], ["source_count", "id"]],
    "events": [["date_first_day", "id"], ["type", "date_first_day", "id"], ["location_id"], ["status"]],
    "event_participants": [["entity_id", "event_id"]],
    "event_citations": [["event_id"], ["source_id", "event_id"]],
    "event_citation_entities": [["entity_id", "source_id", "event_id"]],
    "entity_mentions": [["source_id", "span_start"]],
    "figures": [
        # A category's figures by source and period (the headline question), of one subject or all,
        # and in id order; each holds the value bounds too, so that value_min/value_max are decided
        # from the index and a page sorted by its columns never reads the table's rows.
        ["category", "subject_id", "source_sort", "period_sort", "id", "high", "low"],
        ["category", "source_sort", "period_sort", "id", "high", "low"],
        ["category", "id"],
        # One metric's, subject's, source's or claim's figures in id order (the default sort), and
        # every figure by metric or claimant.
        ["metric_id", "id"],
        ["subject_id", "id"],
        ["source_id", "id"],
        ["claim_id", "id"],
        ["claimant_sort", "id"],
        # By the date each became known, assumed dates counted (sort=published_or_assumed).
        ["known_sort", "id"],
        ["category", "known_sort", "id"],
        ["metric_id", "subject_id", "published_sort", "id"],
        ["subject_id", "metric_id"],
        ["source_id", "period_sort", "id"],
        ["source_sort", "period_sort", "id"],
        ["source_sort", "id"],
        ["claim_id", "source_id"],
        ["claimant_id", "id"],
        ["event_id"],
        ["period_sort", "id"],
        ["published_sort", "id"],
        ["value_sort", "id"],
    ],
    "figure_counts": [["metric_id"], ["category"]],
    "exclusions": [["refers_to"]],
    "statements": [["source_id", "span_start"], ["speaker_id"]],
    "statement_about": [["entity_id", "statement_id"]],
    "assessments": [["claim_id"], ["entity_id"], ["stance"]],
}


# Every kind but figures, which figures_fts indexes (see api.web.queries.search.MATCHES).
SEARCH_SQL = """
INSERT INTO search_index (kind, record_id, title, body)
SELECT 'entity', e.id, e.name,
       coalesce((SELECT group_concat(name, ' | ') FROM entity_names n WHERE n.entity_id = e.id AND n.is_alias), '')
       || ' ' || e.description
FROM entities e
UNION ALL
SELECT 'event', id, title, summary FROM events
UNION ALL
SELECT 'event_citation', id, event_id, quote FROM event_citations
UNION ALL
SELECT 'source', id, coalesce(title, id), coalesce(author, '') FROM sources
UNION ALL
SELECT 'claim', id, id, statement FROM claims
UNION ALL
SELECT 'statement', id, coalesce(speaker, '') || ' ' || cue, quote FROM statements
"""
# Each claim's statistics, from its figures: how many figures, sources, origins
# and claimants report it, and who published it first (its spread keeps the
# hedges, so it is computed from the figures by api.values when served).
CLAIM_STATS_SQL = """
UPDATE claims SET
  figure_count = s.figure_count,
  source_count = s.source_count,
  origin_count = s.origin_count,
  claimant_count = s.claimant_count,
  first_published = s.first_published,
  first_source_id = s.first_source_id
FROM (
  SELECT claim_id,
         count(*) AS figure_count,
         count(DISTINCT source_id) AS source_count,
         count(DISTINCT origin) AS origin_count,
         count(DISTINCT coalesce(claimant_id, attribution)) AS claimant_count,
         min(published) AS first_published,
         -- The earliest dated source, ties broken by id: published is an ISO day (10 characters).
         substr(min(published || source_id), 11) AS first_source_id
  -- A scan and a sort: reading the figures in the order of idx_figures_claim_id_source_id jumps about the table.
  FROM figures NOT INDEXED GROUP BY claim_id
) AS s
WHERE s.claim_id = claims.id
"""
FIGURE_COUNTS_SQL = """
INSERT INTO figure_counts (subject_id, metric_id, category, n)
SELECT subject_id, metric_id, min(category), count(*) FROM figures
GROUP BY subject_id, metric_id ORDER BY subject_id, metric_id
"""
# The figures' full-text index: external content, keyed by the figures' rowid.
FIGURES_FTS_SQL = """
CREATE VIRTUAL TABLE "figures_fts" USING FTS5 (
    "quote", "value_text", "attribution",
    tokenize='unicode61 remove_diacritics 2',
    content="figures"
)
"""
# FTS5 writes a segment each time its in-memory terms pass 'hashsize' (1 MB by
# default) and then merges segments: a larger hash writes fewer segments to merge.
FTS_HASHSIZE = 64 << 20


def code_digest() -> str:
    """Return a hash of the source of the code that shapes the stored rows (``SHAPING_SOURCES``)."""
    digest = hashlib.sha256()
    for path in SHAPING_SOURCES:
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def texts_manifest(fixtures: Fixtures) -> str:
    """Return the archived texts the sources name, as ``sha256sum`` lists them: ``<sha256>  <filename>`` lines.

    The sha256 is the one the fixtures record (which the build checks against
    the archive when it is present), so the manifest is the same with or
    without the archive, and ``sha256sum -c`` checks an archive against it.
    """
    return "".join(
        f"{s['sha256']}  {s['filename']}\n" for s in sorted(fixtures.data("sources"), key=lambda s: s["filename"])
    )


def texts_status(fixtures: Fixtures, texts: Path | None) -> dict:
    """Say whether every quote and span was checked against the archived texts, and which texts (for /health)."""
    manifest = texts_manifest(fixtures)
    return {
        "verified": texts is not None,
        "sources": len(fixtures.records["sources"]),
        "sha256": hashlib.sha256(manifest.encode()).hexdigest(),
    }


def build_id_for(fixtures: Fixtures, releases: Path | None = None) -> str:
    """Return a short hash of everything that shapes the served data.

    That is the schema version, the source of the shaping code, the recorded
    releases and the validated records, which include each archived text's sha256 as the
    fixtures record it: the id does not depend on whether the archive was
    there to check the quotes against.  The records are hashed as a multiset
    (each record's canonical JSON hashed, the hashes summed): the same records
    in other files or another order give the same id.
    """
    digest = hashlib.sha256(
        f"schema {SCHEMA_VERSION};code {code_digest()};releases {releases_digest(releases)};".encode()
    )
    for kind, records in sorted(fixtures.records.items()):
        total = sum(record_hash(r.data) for r in records)
        digest.update(f"{kind}:{len(records)}:{total % (1 << 512):x};".encode())
    return digest.hexdigest()[:16]


class Timer:
    """Seconds spent in each phase of a build, in order."""

    def __init__(self):
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self._last
        self._last = now


def write_database(
    fixtures: Fixtures,
    path: Path,
    build_id: str,
    timer: Timer | None = None,
    releases: Path | None = None,
    texts: dict | None = None,
) -> dict[str, int]:
    """Write a complete, checked database of validated ``fixtures`` to ``path`` (an empty file); return row counts.

    ``texts`` is what :func:`texts_status` says of the quotes' verification.
    """
    timer = timer or Timer()
    db = sqlite_utils.Database(path)
    try:
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        # A scratch file until it is renamed into place: no journal, no syncs.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -262144")
        # Foreign keys are checked once, at the end, by foreign_key_check.
        db.execute("PRAGMA foreign_keys = OFF")
        # SQLite may sort an index's keys on a second thread.
        db.execute("PRAGMA threads = 2")
        db.conn.executescript(SCHEMA.read_text(encoding="utf-8"))
        tables = db.table_names()
        with db.conn:
            for name, rows in RECORD_TABLES.items():
                insert_rows(db.conn, name, rows(fixtures))
            insert_figures(db.conn, figure_rows(fixtures))
        timer.done("insert")
        db.execute(f"PRAGMA cache_size = -{SORT_CACHE_KIB}")
        for table, indexes in INDEXES.items():
            for cols in indexes:
                db[table].create_index(cols, index_name=f"idx_{table}_{'_'.join(cols)}")
        # Events sort by date with unknown dates last: index that very expression.
        db.execute("CREATE INDEX idx_events_date_sort ON events (coalesce(date_first_day, '~'), id)")
        timer.done("indexes")
        with db.conn:
            db.execute(SEARCH_SQL)
        db["search_index"].enable_fts(["title", "body"], tokenize="unicode61 remove_diacritics 2")
        with db.conn:
            db.execute(FIGURES_FTS_SQL)
            db.execute(f"INSERT INTO figures_fts (figures_fts, rank) VALUES ('hashsize', {FTS_HASHSIZE})")
            db.execute(
                "INSERT INTO figures_fts (rowid, quote, value_text, attribution) "
                "SELECT rowid, quote, value_text, attribution FROM figures ORDER BY rowid"
            )
        timer.done("full-text search")
        with db.conn:
            db.execute(CLAIM_STATS_SQL)
            db.execute(FIGURE_COUNTS_SQL)
        timer.done("derived tables")
        release = write_release_tables(db.conn, fixtures, releases)
        timer.done("releases")
        counts = {name: db[name].count for name in tables if name not in UNCOUNTED}
        info = {
            "build_id": build_id,
            "schema_version": SCHEMA_VERSION,
            "counts": json.dumps(counts, sort_keys=True),
            "texts": json.dumps(texts or texts_status(fixtures, None), sort_keys=True),
        }
        info |= {k: json.dumps(v) for k, v in release.items()}
        with db.conn:
            insert_rows(db.conn, "build_info", ({"key": k, "value": v} for k, v in info.items()))
        # Statistics for the query planner, from a sample of each index.
        db.execute("PRAGMA analysis_limit = 2000")
        db.execute("ANALYZE")
        db.conn.commit()
        timer.done("analyze")
        check_database(db.conn)
        timer.done("checks")
    finally:
        db.close()
    return counts


def insert_rows(conn: sqlite3.Connection, table: str, rows: Iterable[dict]) -> None:
    """Insert rows given as dicts keyed by column name (every column of ``table``, no other key).

    A row without one of the columns fails with that column's name; a key that
    is not a column (a misspelt one) fails here rather than being dropped.
    """
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        if unknown := batch[0].keys() - set(columns):
            raise RuntimeError(f"rows of {table} have keys that are not its columns: {sorted(unknown)}")
        conn.executemany(insert, batch)


def insert_figures(conn: sqlite3.Connection, figures: Iterable[tuple[dict, bytes]]) -> None:
    """Insert ``(row, served JSON)`` pairs, in id order, into ``figures`` and ``figure_docs``.

    Both tables number their rows 1, 2, 3… in that order: row n of
    ``figure_docs`` is the figure of rowid n, and rowid order is id order.
    The JSON goes in as UTF-8 bytes, which SQLite takes as text unconverted.
    """
    figures = iter(figures)
    while batch := list(islice(figures, BATCH)):
        insert_rows(conn, "figures", [row for row, _doc in batch])
        conn.executemany("INSERT INTO figure_docs (doc) VALUES (CAST(? AS TEXT))", [(doc,) for _row, doc in batch])


def check_database(conn: sqlite3.Connection) -> None:
    """Run ``foreign_key_check`` and ``quick_check`` on a finished database; raise on a problem.

    quick_check reads every page and record (and NOT NULL constraints);
    integrity_check would also re-verify each index against its table, which
    SQLite itself has just built from that table.
    """
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise RuntimeError(f"foreign_key_check failed: {problems[:10]}")
    integrity = conn.execute("PRAGMA quick_check").fetchall()
    if integrity != [("ok",)]:
        raise RuntimeError(f"quick_check failed: {integrity[:10]}")
    last = [
        conn.execute(f"SELECT coalesce(max(rowid), 0), count(*) FROM {t}").fetchone()
        for t in ("figures", "figure_docs")
    ]
    if last[0] != last[1] or last[0][0] != last[0][1]:
        raise RuntimeError(f"figure_docs is not aligned with figures: (last rowid, count) {last}")


def build(
    target: Path = DEFAULT_DB,
    fixtures_dir: Path = DEFAULT_FIXTURES_DIR,
    texts: Path | None = None,
    releases: Path | None = None,
) -> dict:
    """Validate the fixtures and atomically (re)place ``target`` with a new build.

    Nothing is written unless every record is valid; ``target`` is replaced
    only by a complete, checked database.
    """
    timer = Timer()
    target = Path(target)
    # A million records and no reference cycles among them: the cyclic
    # collector would only rescan them, again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        fixtures = load_and_validate(Path(fixtures_dir), texts)
        timer.done("load and validate")
        build_id = build_id_for(fixtures, releases)
        status = texts_status(fixtures, texts)
        timer.done("build id")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(name)
        try:
            counts = write_database(fixtures, tmp, build_id, timer, releases, status)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    finally:
        if collecting:
            gc.enable()
    return {"build_id": build_id, "counts": counts, "texts": status, "path": str(target), "timings": timer.phases}


def verification(status: dict, texts: Path | None) -> str:
    """Say in one line whether the quotes were checked against the archive, and against which texts."""
    which = f"the {status['sources']} texts whose sha256 the fixtures record (manifest sha256 {status['sha256'][:16]})"
    if status["verified"]:
        return f"verified every quote and span against {which}, read from {texts}"
    return f"NOT verified: no quote or span was checked against {which}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.builder", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("CLAIMBASE_DB", str(DEFAULT_DB)), help="database to write")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR), help="fixtures directory")
    parser.add_argument(
        "--texts",
        default=None,
        help="directory of archived texts (default: $CLAIMBASE_TEXTS, or ../shared/seeds when it exists)",
    )
    parser.add_argument(
        "--no-texts", action="store_true", help="skip the quote checks (when the texts are not available)"
    )
    parser.add_argument("--releases", type=Path, help="recorded releases (default: releases/)")
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    parser.add_argument("--timings", action="store_true", help="print the seconds spent in each phase")
    parser.add_argument("--report", type=Path, help="also write the build id, counts and timings to this JSON file")
    args = parser.parse_args(argv)
    texts = None if args.no_texts else texts_dir(args.texts)
    if texts is not None and not texts.is_dir():
        # A clone without the archive still validates and builds: the fixtures carry every quote, span and sha256.
        print(
            f"notice: no archived texts at {texts}: the quotes, spans and coverage are NOT verified against the "
            "texts (/health says so); set CLAIMBASE_TEXTS or --texts DIR to verify them",
            file=sys.stderr,
        )
        texts = None
    started = time.perf_counter()
    try:
        if args.check:
            fixtures = load_and_validate(Path(args.fixtures), texts)
            n = sum(len(v) for v in fixtures.records.values())
            print(f"ok: {n} records valid (build id {build_id_for(fixtures)})")
            print(verification(texts_status(fixtures, texts), texts))
            # Flags for review are warnings: printed, never a failed check (api.builder.review).
            flags = review(fixtures, texts)
            for flag in flags:
                print(f"review: {flag}")
            print(f"{len(flags)} flag(s) for review")
            # Strict coverage, the rule of `make coverage`: every number, date and cue owned by a record.
            report = coverage(fixtures, texts) if texts is not None else []
            for name in absent(report):
                print(f"notice: {name} not found in {texts}: its coverage is not checked", file=sys.stderr)
            missing = gaps(report)
            for line in missing:
                print(f"coverage: {line}", file=sys.stderr)
            if missing:
                print(f"error: {len(missing)} number(s), date(s) or cue(s) no record owns", file=sys.stderr)
                return 1
            return 0
        result = build(Path(args.db), Path(args.fixtures), texts, args.releases)
    except (FixtureError, ReleaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (sqlite3.Error, RuntimeError) as exc:
        print(f"error: build failed, {args.db} left unchanged: {exc}", file=sys.stderr)
        return 1
    took = time.perf_counter() - started
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result["counts"].items()))
    print(f"built {result['path']} (build {result['build_id']}) in {took:.2f}s: {counts}")
    print(verification(result["texts"], texts))
    if args.report:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
        report = {**result, "seconds": round(took, 3), "peak_rss_mb": round(peak_mb)}
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    if args.timings:
        figures = result["counts"].get("figures", 0)
        print(f"  {figures / took:,.0f} figures/s overall")
        for phase, seconds in result["timings"].items():
            print(f"  {phase:<20} {seconds:7.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the SQLite database from the fixtures: ``python -m api.build``.

The build validates everything and writes nothing if any check fails: every
record but the figures is loaded and checked here; the figures are streamed,
checked and shaped by worker processes into SQLite shards (api.build.shards).  It
then writes a temporary file beside the target: STRICT tables with foreign
keys, the records, the shards merged in id order, indexes, full-text search
and the claim statistics (computed from the shards meanwhile, api.build.derived),
``foreign_key_check`` and ``quick_check``; and only then renames the file into
place (an atomic replace)"""

from __future__ import annotations

import argparse
import gc
import hashlib
import heapq
import json
import multiprocessing
import os
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.request import pathname2url

import orjson
import sqlite_utils

from api.build.derived import DerivedTables, attach_shards, in_id_order
from api.build.fixtures import (
    DATE_SPEC_KEYS,
    DEFAULT_FIXTURES_DIR,
    KINDS,
    Checker,
    FixtureError,
    Fixtures,
    alias_key,
    date_columns,
    fixture_files,
    load,
    load_and_validate,
    record_hash,
)
from api.build.shards import FigureStage, default_jobs, docs_path, scratch_parent
from api.build.shards import run as run_shards
from api.build.texts import texts_dir
from api.shape import date_spec, entity_ref, event_part, figure_dict, metric_part, number, source_part

SCHEMA_VERSION = "1"
DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "claims.db"

# A served figure (figure_docs) is about 1.2 KB: 8 KB pages hold six, 4 KB pages three.
PAGE_SIZE = 8192
SORT_CACHE_KIB = 2048  # SQLite's page cache while the indexes are built (see write_database)
T, INT, R = str, int, float  # sqlite-utils column types: TEXT, INTEGER, REAL
# Values as given: an integer stays an INTEGER (served as 30000, not 30000.0), a fraction a REAL.
NUM = "ANY"

DATE_COLS = ("start", "end", "precision", "qualifier", "phrase", "resolved_from", "resolution", "first_day", "last_day")


def _date(prefix: str) -> dict:
    return {f"{prefix}_{k}": T for k in DATE_COLS}


# name -> (columns, pk, foreign keys, not null)
TABLES: dict[str, tuple[dict, object, list, set]] = {
    "build_info": ({"key": T, "value": T}, "key", [], {"value"}),
    "entities": (
        {"id": T, "name": T, "type": T, "description": T, "part_of": T, "note": T},
        "id",
        [("part_of", "entities", "id")],
        {"name", "type", "description"},
    ),
    "entity_names": (
        {"key": T, "name": T, "entity_id": T, "is_alias": INT},
        ("key", "name"),
        [("entity_id", "entities", "id")],
        {"name", "entity_id", "is_alias"},
    ),
    "sources": (
        {
            "id": T,
            "filename": T,
            "sha256": T,
            "char_count": INT,
            "title": T,
            "title_start": INT,
            "title_end": INT,
            "outlet_id": T,
            "author": T,
            "author_start": INT,
            "author_end": INT,
            **_date("published"),
            "published_quote": T,
            "published_quote_start": INT,
            "published_quote_end": INT,
            "reference_date": T,
            "reference_basis": T,
            "language": T,
            "stance": T,
            "note": T,
        },
        "id",
        [("outlet_id", "entities", "id")],
        {"filename", "sha256", "char_count", "language", "stance"},
    ),
    "source_cites": (
        {"source_id": T, "entity_id": T, "quote": T, "span_start": INT, "span_end": INT},
        ("source_id", "span_start", "entity_id"),
        [("source_id", "sources", "id"), ("entity_id", "entities", "id")],
        {"quote", "span_start", "span_end"},
    ),
    "source_stance_evidence": (
        {"source_id": T, "quote": T, "span_start": INT, "span_end": INT},
        ("source_id", "span_start"),
        [("source_id", "sources", "id")],
        {"quote", "span_end"},
    ),
    "entity_roles": (
        {"entity_id": T, "role": T, "source_id": T, "quote": T, "span_start": INT, "span_end": INT},
        ("entity_id", "source_id", "span_start", "role"),
        [("entity_id", "entities", "id"), ("source_id", "sources", "id")],
        {"quote", "span_end"},
    ),
    "metrics": (
        {"id": T, "label": T, "unit": T, "category": T, "description": T, "parent_id": T},
        "id",
        [("parent_id", "metrics", "id")],
        {"label", "unit", "category", "description"},
    ),
    "claims": (
        {
            "id": T,
            "statement": T,
            "metric_id": T,
            "subject_id": T,
            "note": T,
            "figure_count": INT,
            "source_count": INT,
            "origin_count": INT,
            "claimant_count": INT,
            "low_min": NUM,
            "high_max": NUM,
            "first_published": T,
            "first_source_id": T,
        },
        "id",
        [("metric_id", "metrics", "id"), ("subject_id", "entities", "id"), ("first_source_id", "sources", "id")],
        {"statement", "metric_id", "subject_id", "figure_count", "source_count", "origin_count", "claimant_count"},
    ),
    "events": (
        {
            "id": T,
            "type": T,
            "title": T,
            "summary": T,
            "status": T,
            "location_id": T,
            **_date("date"),
            "date_source_id": T,
            "citation_count": INT,
            "first_published": T,
            "note": T,
        },
        "id",
        [("location_id", "entities", "id"), ("date_source_id", "sources", "id")],
        {"type", "title", "summary", "status", "citation_count"},
    ),
    "event_participants": (
        {"event_id": T, "entity_id": T, "role": T},
        ("event_id", "entity_id", "role"),
        [("event_id", "events", "id"), ("entity_id", "entities", "id")],
        set(),
    ),
    "event_citations": (
        {
            "id": T,
            "event_id": T,
            "source_id": T,
            "quote": T,
            "span_start": INT,
            "span_end": INT,
            **_date("date"),
            "attribution_entity_id": T,
            "attribution": T,
            "actors": T,
            "via_id": T,
            "status": T,
            "note": T,
            "published": T,
        },
        "id",
        [
            ("event_id", "events", "id"),
            ("source_id", "sources", "id"),
            ("attribution_entity_id", "entities", "id"),
            ("via_id", "entities", "id"),
        ],
        {"event_id", "source_id", "quote", "span_start", "span_end"},
    ),
    "figures": (
        {
            "id": T,
            "source_id": T,
            "claim_id": T,
            "metric_id": T,
            "subject_id": T,
            "category": T,
            "low": NUM,
            "high": NUM,
            "hedge": T,
            "value_text": T,
            **_date("period"),
            "claimant_id": T,
            "attribution": T,
            "via_id": T,
            "origin": T,
            "quote": T,
            "span_start": INT,
            "span_end": INT,
            "event_id": T,
            "published": T,
            "note": T,
            # Sort keys without NULLs (unknown sorts last), so that keyset
            # pagination can compare row values and use the indexes.
            "published_sort": T,
            "period_sort": T,
            "value_sort": R,
            "claimant_sort": T,
        },
        "id",
        [
            ("source_id", "sources", "id"),
            ("claim_id", "claims", "id"),
            ("metric_id", "metrics", "id"),
            ("subject_id", "entities", "id"),
            ("claimant_id", "entities", "id"),
            ("via_id", "entities", "id"),
            ("event_id", "events", "id"),
        ],
        {
            "source_id",
            "claim_id",
            "metric_id",
            "subject_id",
            "category",
            "hedge",
            "value_text",
            "origin",
            "quote",
            "published_sort",
            "period_sort",
            "value_sort",
            "claimant_sort",
        },
    ),
    # Each figure as the API serves it (JSON), with the source, metric and
    # entities it embeds: a page of figures needs no work per row.  Row n is
    # the figure of rowid n (both tables are written in id order); kept apart
    # so that the figures table, which every index build and filter scans,
    # stays narrow.
    "figure_docs": ({"figure_rowid": INT, "doc": T}, "figure_rowid", [], {"doc"}),
    # Figures per subject and metric, for facet counts without a scan.
    "figure_counts": (
        {"subject_id": T, "metric_id": T, "category": T, "n": INT},
        ("subject_id", "metric_id"),
        [("subject_id", "entities", "id"), ("metric_id", "metrics", "id")],
        {"category", "n"},
    ),
    "exclusions": (
        {"source_id": T, "quote": T, "span_start": INT, "span_end": INT, "reason": T, "refers_to": T},
        ("source_id", "span_start", "span_end"),
        [("source_id", "sources", "id")],
        {"quote", "reason"},
    ),
}

INDEXES = {
    "entities": [["type", "id"]],
    "entity_names": [["entity_id"]],
    "entity_roles": [["source_id"]],
    "source_cites": [["entity_id"]],
    "claims": [["metric_id"], ["subject_id"], ["origin_count", "id"], ["source_count", "id"]],
    "events": [["date_first_day", "id"], ["type", "date_first_day", "id"], ["location_id"], ["status"]],
    "event_participants": [["entity_id", "event_id"]],
    "event_citations": [["event_id"], ["source_id", "event_id"]],
    "figures": [
        ["category", "subject_id", "source_id", "period_sort", "id"],
        ["metric_id", "subject_id", "published_sort", "id"],
        ["subject_id", "metric_id"],
        ["source_id", "period_sort", "id"],
        ["claim_id", "source_id"],
        ["claimant_id", "id"],
        ["event_id"],
        ["period_sort", "id"],
        ["published_sort", "id"],
        ["value_sort", "id"],
    ],
    "figure_counts": [["metric_id"], ["category"]],
    "exclusions": [["refers_to"]],
}


def build_id_for(fixtures: Fixtures) -> str:
    """Return a short hash of the validated fixtures and the schema version.

    It depends on the records, not on how they are laid out in files: each
    record's canonical JSON is hashed and the hashes are summed (a multiset
    hash), so the same records in other files or another order give the same id.
    """
    return build_id_from(
        {kind: (len(records), sum(record_hash(r.data) for r in records)) for kind, records in fixtures.records.items()}
    )


def build_id_from(sums: dict[str, tuple[int, int]]) -> str:
    """Return the build id from each kind's record count and sum of record hashes."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for kind, (count, total) in sorted(sums.items()):
        digest.update(f"{kind}:{count}:{total % (1 << 512):x};".encode())
    return digest.hexdigest()[:16]


def _span(span):
    return (span[0], span[1]) if span else (None, None)


def table_rows(fixtures: Fixtures) -> dict[str, list[dict]]:
    """Turn validated fixtures, other than figures, into table rows (before derived columns)."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES if name != "figures"}
    sources = fixtures.by_id("sources")
    metrics = fixtures.by_id("metrics")
    for e in sorted(fixtures.data("entities"), key=lambda d: d["id"]):
        rows["entities"].append({k: e[k] for k in ("id", "name", "type", "description", "part_of", "note")})
        for i, name in enumerate([e["name"], *e["aliases"]]):
            rows["entity_names"].append(
                {"key": alias_key(name), "name": name, "entity_id": e["id"], "is_alias": int(i > 0)}
            )
        for role in e["roles"]:
            start, end = _span(role["span"])
            rows["entity_roles"].append(
                {
                    "entity_id": e["id"],
                    "role": role["role"],
                    "source_id": role["source"],
                    "quote": role["quote"],
                    "span_start": start,
                    "span_end": end,
                }
            )
    published_of: dict[str, str | None] = {}
    for s in sorted(sources.values(), key=lambda d: d["id"]):
        pub = s["published"]
        cols = date_columns("published", pub)
        published_of[s["id"]] = cols["published_first_day"]
        t_start, t_end = _span(s["title_span"])
        a_start, a_end = _span(s["author_span"])
        p_start, p_end = _span(pub["span"] if pub else None)
        ref = s["reference_date"]
        rows["sources"].append(
            {
                "id": s["id"],
                "filename": s["filename"],
                "sha256": s["sha256"],
                "char_count": s["char_count"],
                "title": s["title"],
                "title_start": t_start,
                "title_end": t_end,
                "outlet_id": s["outlet"],
                "author": s["author"],
                "author_start": a_start,
                "author_end": a_end,
                **cols,
                "published_quote": pub["quote"] if pub else None,
                "published_quote_start": p_start,
                "published_quote_end": p_end,
                "reference_date": ref["date"] if ref else None,
                "reference_basis": ref["basis"] if ref else None,
                "language": s["language"],
                "stance": s["stance"],
                "note": s["note"],
            }
        )
        for cite in s["cites"]:
            start, end = _span(cite["span"])
            rows["source_cites"].append(
                {
                    "source_id": s["id"],
                    "entity_id": cite["entity"],
                    "quote": cite["quote"],
                    "span_start": start,
                    "span_end": end,
                }
            )
        for ev in s["stance_evidence"]:
            start, end = _span(ev["span"])
            rows["source_stance_evidence"].append(
                {"source_id": s["id"], "quote": ev["quote"], "span_start": start, "span_end": end}
            )
    for m in sorted(metrics.values(), key=lambda d: d["id"]):
        rows["metrics"].append(
            {k: m[k] for k in ("id", "label", "unit", "category", "description")} | {"parent_id": m["parent"]}
        )
    for c in sorted(fixtures.data("claims"), key=lambda d: d["id"]):
        rows["claims"].append(
            {
                "id": c["id"],
                "statement": c["statement"],
                "metric_id": c["metric"],
                "subject_id": c["subject"],
                "note": c["note"],
                # Filled in from the figures (api.build.derived.CLAIM_STATS_SELECT).
                "figure_count": 0,
                "source_count": 0,
                "origin_count": 0,
                "claimant_count": 0,
            }
        )
    for ev in sorted(fixtures.data("events"), key=lambda d: d["id"]):
        cits = []
        for i, cit in enumerate(ev["citations"]):
            start, end = _span(cit["span"])
            attribution = cit["attribution"] or {}
            cits.append(
                {
                    "id": f"{ev['id']}.{i}",
                    "event_id": ev["id"],
                    "source_id": cit["source"],
                    "quote": cit["quote"],
                    "span_start": start,
                    "span_end": end,
                    **date_columns("date", cit["date"]),
                    "attribution_entity_id": attribution.get("entity"),
                    "attribution": attribution.get("as_written"),
                    "actors": json.dumps(cit["actors"]) if cit["actors"] else None,
                    "via_id": cit["via"],
                    "status": cit["status"],
                    "note": cit["note"],
                    "published": published_of.get(cit["source"]),
                }
            )
        rows["event_citations"].extend(cits)
        dated = [c for c in cits if c["date_first_day"]]
        # The event's date is the narrowest date any source gives; every
        # source's own date stays on its citation (see /discrepancies).
        best = min(
            dated,
            key=lambda c: (
                _days(c["date_first_day"], c["date_last_day"]),
                c["published"] or "9999",
                c["source_id"],
            ),
            default=None,
        )
        date_cols = {f"date_{k}": (best[f"date_{k}"] if best else None) for k in DATE_COLS}
        known = sorted(c["published"] for c in cits if c["published"])
        rows["events"].append(
            {
                "id": ev["id"],
                "type": ev["type"],
                "title": ev["title"],
                "summary": ev["summary"],
                "status": ev["status"],
                "location_id": ev["location"],
                **date_cols,
                "date_source_id": best["source_id"] if best else None,
                "citation_count": len(cits),
                "first_published": known[0] if known else None,
                "note": ev["note"],
            }
        )
        for part in ev["participants"]:
            rows["event_participants"].append({"event_id": ev["id"], "entity_id": part["entity"], "role": part["role"]})
    for x in sorted(fixtures.data("exclusions"), key=lambda d: (d["source"], d["span"][0], d["span"][1])):
        start, end = _span(x["span"])
        rows["exclusions"].append(
            {
                "source_id": x["source"],
                "quote": x["quote"],
                "span_start": start,
                "span_end": end,
                "reason": x["reason"],
                "refers_to": x["refers_to"],
            }
        )
    return rows


class FigureShaper:
    """Turn a validated figure into its ``figures`` row: a tuple in column order.

    What a figure embeds (its source, metric, subject, via and event) is
    serialised once per record and spliced into each figure's document.
    """

    def __init__(self, rows: dict[str, list[dict]], metrics: dict[str, dict]):
        self.sources = {r["id"]: r for r in rows["sources"]}
        self.metrics = metrics
        self.names = {r["id"]: r["name"] for r in rows["entities"]}
        self.events = {r["id"]: r["title"] for r in rows["events"]}
        self.source_parts = {k: _fragment(source_part(r)) for k, r in self.sources.items()}
        self.metric_parts = {k: _fragment(metric_part(m)) for k, m in metrics.items()}
        self.entity_parts = {r["id"]: _fragment(entity_ref(r["id"], r["name"], r["type"])) for r in rows["entities"]}
        self.event_parts: dict[str, orjson.Fragment] = {}
        self.published = {k: r["published_first_day"] for k, r in self.sources.items()}
        self.periods: dict[tuple | None, tuple[tuple, dict | None]] = {}

    def event_part(self, event_id: str) -> orjson.Fragment:
        part = self.event_parts.get(event_id)
        if part is None:
            part = self.event_parts[event_id] = _fragment(event_part(event_id, self.events.get(event_id)))
        return part

    def __call__(self, f: dict) -> tuple:
        metric_id, subject_id, source_id, via, event = f["metric"], f["subject"], f["source"], f["via"], f["event"]
        metric = self.metrics[metric_id]
        claimant = f["claimant"] or {}
        claimant_id, attribution = claimant.get("entity"), claimant.get("as_written")
        span = f["span"]
        value = f["value"]
        low, high = number(value["low"]), number(value["high"])
        published = self.published[source_id]
        period_columns, period = self.period(f["period"])
        # Articles that report through the same intermediary share one origin.
        origin = f"entity:{via}" if via else f"source:{source_id}"
        doc = figure_dict(
            f,
            metric=self.metric_parts[metric_id],
            unit=metric["unit"],
            subject=self.entity_parts[subject_id],
            source=self.source_parts[source_id],
            period=period,
            via=self.entity_parts[via] if via else None,
            event=self.event_part(event) if event else None,
            claimant_name=self.names.get(claimant_id),
            origin=origin,
        )
        # In the column order of TABLES["figures"], then the served JSON.
        return (
            f["id"],
            source_id,
            f["claim"],
            metric_id,
            subject_id,
            metric["category"],
            low,
            high,
            value["hedge"],
            value["text"],
            *period_columns,
            claimant_id,
            attribution,
            via,
            origin,
            f["quote"],
            span[0],
            span[1],
            event,
            published,
            f["note"],
            published or UNKNOWN_LAST,
            period_columns[-2] or UNKNOWN_LAST,  # period_first_day
            low if low is not None else high if high is not None else UNKNOWN_VALUE,
            claimant_id or UNKNOWN_LAST,
            # The line the shard's documents file holds (api.build.shards.docs_path). Joined into
            # a new bytes object: orjson's own keep the capacity it grew them to (ten times
            # the memory, held until the shard is written).
            b"".join((f["id"].encode(), b"\t", orjson.dumps(doc), b"\n")),
        )

    def period(self, spec: dict | None) -> tuple[tuple, dict | None]:
        """Return a period's ``period_*`` column values and its served form, computed once per distinct period."""
        key = None if spec is None else tuple([spec[k] for k in DATE_SPEC_KEYS])
        hit = self.periods.get(key)
        if hit is None:
            columns = date_columns("period", spec)
            hit = self.periods[key] = (tuple(columns.values()), date_spec(columns, "period"))
        return hit


def _fragment(obj) -> orjson.Fragment:
    return orjson.Fragment(orjson.dumps(obj))


UNKNOWN_LAST = "~"  # sorts after every id and ISO date
UNKNOWN_VALUE = 1e308


def _days(first: str, last: str) -> int:
    import datetime as dt

    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days


# Every kind but figures, which figures_fts indexes (see api.web.queries.analysis.MATCHES).
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
"""


def create_tables(db: sqlite_utils.Database) -> None:
    for name, (columns, pk, fks, not_null) in TABLES.items():
        db[name].create(columns, pk=pk, foreign_keys=fks, not_null=not_null, strict=True)


def create_indexes(db: sqlite_utils.Database, timer: Timer | None = None) -> None:
    timer = timer or Timer()
    for table, indexes in INDEXES.items():
        for cols in indexes:
            db[table].create_index(cols, index_name=f"idx_{table}_{'_'.join(cols)}")
    # Events sort by date with unknown dates last: index that very expression.
    db.execute("CREATE INDEX idx_events_date_sort ON events (coalesce(date_first_day, '~'), id)")
    timer.done("indexes")
    db["search_index"].create({"rowid": INT, "kind": T, "record_id": T, "title": T, "body": T}, pk="rowid", strict=True)
    db.execute(SEARCH_SQL)
    db["search_index"].enable_fts(["title", "body"], tokenize="unicode61 remove_diacritics 2")
    timer.done("full-text search")


class Timer:
    """Seconds spent in each phase of a build, in order."""

    def __init__(self):
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self._last
        self._last = now


def insert_rows(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    """Insert rows (dicts with the same keys; absent columns stay NULL) with one prepared statement."""
    if not rows:
        return
    columns = [c for c in TABLES[table][0] if c in rows[0]]
    sql = (
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )
    conn.executemany(sql, rows)


RECORD_TABLES = (
    "entities",
    "entity_names",
    "sources",
    "source_cites",
    "source_stance_evidence",
    "entity_roles",
    "metrics",
    "claims",
    "events",
    "event_participants",
    "event_citations",
    "exclusions",
)


def start_database(rows: dict[str, list[dict]], path: Path) -> sqlite_utils.Database:
    """Create a database at ``path`` (which must not exist yet) with every table and every record but the figures.

    The build calls this while the figure workers run (api.build.shards.run's
    ``while_waiting``); :func:`write_database` adds the figures and the rest.
    """
    db = sqlite_utils.Database(path)
    db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    # Two sorter threads for the indexes; a large page cache for the inserts
    # and the merge (the indexes get a small one, see write_database).
    db.execute("PRAGMA threads = 2")
    db.execute("PRAGMA cache_size = -262144")
    # Foreign keys are checked once, after the inserts, by foreign_key_check
    # (the validation has already checked every reference).
    db.execute("PRAGMA foreign_keys = OFF")
    create_tables(db)
    with db.conn:
        for name in RECORD_TABLES:
            insert_rows(db.conn, name, rows[name])
    return db


def write_database(
    rows: dict[str, list[dict]],
    shards: list[str],
    derived: DerivedTables,
    path: Path,
    build_id: str,
    timer: Timer | None = None,
    db: sqlite_utils.Database | None = None,
) -> dict[str, int]:
    """Write a complete database to ``path`` from table rows and figure shards.

    ``db`` is what :func:`start_database` returned for ``path``, if the
    records are in already; else ``path`` must not exist yet.
    """
    timer = timer or Timer()
    if db is None:
        db = start_database(rows, path)
        timer.done("insert")
    with db.conn:
        merge_shards(db.conn, shards, timer)
    # SQLite sorts an index's keys in runs the size of its page cache, each
    # run on a worker thread (PRAGMA threads), then merges them: small runs
    # spread the sort over both cores and stay in the CPU's cache. At a
    # million figures the indexes take 5 s this way, 13 s with a 256 MB cache.
    db.execute(f"PRAGMA cache_size = -{SORT_CACHE_KIB}")
    create_indexes(db, timer)
    with db.conn:
        derived.copy_into(db.conn)
    timer.done("derived tables")
    counts = {name: db[name].count for name in TABLES if name not in ("build_info", "figure_docs")}
    # Row n of figure_docs is the figure of rowid n: both are numbered 1…count in id order.
    last = [db.execute(f"SELECT coalesce(max(rowid), 0) FROM {t}").fetchone()[0] for t in ("figures", "figure_docs")]
    if last != [counts["figures"]] * 2:
        raise RuntimeError(f"figure_docs is not aligned with figures: last rowids {last}, {counts['figures']} figures")
    info = {
        "build_id": build_id,
        "schema_version": SCHEMA_VERSION,
        "counts": json.dumps(counts, sort_keys=True),
    }
    db["build_info"].insert_all([{"key": k, "value": v} for k, v in info.items()])
    # Statistics for the query planner, from a sample of each index: the
    # tables were written in one pass and the indexes after, so there is
    # nothing for VACUUM to compact.
    db.execute("PRAGMA analysis_limit = 2000")
    db.execute("ANALYZE")
    db.conn.commit()
    db.close()
    timer.done("analyze")
    check_database(path)
    timer.done("checks")
    return counts


def check_database(path: Path) -> None:
    """Run ``foreign_key_check`` and ``quick_check`` on a finished database, side by side; raise on a problem.

    quick_check reads every page and record (and NOT NULL constraints);
    integrity_check would also re-verify each index against its table, which
    SQLite itself has just built from that table, at 7x the cost.  Each check
    has a read-only connection of its own, on a thread of its own (SQLite
    runs them in parallel: Python releases the GIL while a statement runs).
    """

    def pragma(sql: str) -> list:
        conn = sqlite3.connect("file:" + pathname2url(os.path.abspath(path)) + "?mode=ro", uri=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    with ThreadPoolExecutor(2) as pool:
        foreign_keys = pool.submit(pragma, "PRAGMA foreign_key_check")
        integrity = pool.submit(pragma, "PRAGMA quick_check")
        problems, integrity = foreign_keys.result(), integrity.result()
    if problems:
        raise RuntimeError(f"foreign_key_check failed: {problems[:10]}")
    if integrity != [("ok",)]:
        raise RuntimeError(f"quick_check failed: {integrity[:10]}")


def merge_shards(conn: sqlite3.Connection, shards: list[str], timer: Timer | None = None) -> None:
    """Copy the figure shards into ``figures`` and ``figure_docs`` in id order, so that rowids follow ids.

    Each shard's table is keyed by id, so SQLite merges the shards in order,
    reading each front to back, instead of sorting the rows; the documents'
    files are merged the same way.  Both tables number their rows 1, 2, 3…
    in that order, and so does the figures' full-text index (api.build.derived).
    """
    timer = timer or Timer()
    attach_shards(conn, shards)
    conn.execute(f"INSERT INTO figures {in_id_order(shards, '*')}")
    timer.done("merge figures")
    with ExitStack() as stack:
        files = [stack.enter_context(open(docs_path(shard), "rb")) for shard in shards]
        # Lines are "id<TAB>json": a tab sorts before every character of an id,
        # so the lines sort as their ids do (as SQLite's ORDER BY id: bytewise).
        # The JSON goes in as UTF-8 bytes, which SQLite takes as text unconverted.
        lines = heapq.merge(*files)
        conn.executemany(
            "INSERT INTO figure_docs (doc) VALUES (CAST(? AS TEXT))",
            ((line[line.index(b"\t") + 1 : -1],) for line in lines),
        )
    timer.done("merge documents")


def shard_tables_sql() -> str:
    """Return the CREATE TABLE statement of a shard's ``figures``: its columns (no served JSON), keyed by id.

    A worker writes its rows sorted by id (api.build.shards.write_shard): the table
    is then appended to in key order.
    """
    columns, _pk, _fks, not_null = TABLES["figures"]
    db = sqlite_utils.Database(memory=True)
    db["figures"].create(columns, pk="id", not_null=not_null, strict=True)
    schema = db["figures"].schema.rstrip().rstrip(";")
    # sqlite-utils writes "... ) STRICT": a WITHOUT ROWID table says both.
    assert schema.endswith("STRICT"), schema
    return f"{schema}, WITHOUT ROWID;\n"


# Events (nested citations, each checked by marshmallow) are the slowest of the
# other records to load: beyond this many bytes, a helper process loads them
# while this one loads the rest.
PARALLEL_EVENTS_MIN_BYTES = 1 << 20


def load_all_but_figures(directory: Path, jobs: int) -> tuple[Fixtures, list]:
    """Load and schema-check every record but the figures; return (Fixtures, problems) as ``load`` does."""
    kinds = tuple(k for k in KINDS if k != "figures")
    events_bytes = sum(f.stat().st_size for f in fixture_files(directory, "events"))
    if jobs <= 1 or events_bytes < PARALLEL_EVENTS_MIN_BYTES:
        return load(directory, kinds=kinds)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        events = pool.apply_async(load, (directory,), {"kinds": ("events",)})
        loaded = {kind: load(directory, kinds=(kind,)) for kind in kinds if kind != "events"}
        loaded["events"] = events.get()
    fixtures, problems = Fixtures(), []
    for kind in kinds:  # problems in the order one process finds them
        part, part_problems = loaded[kind]
        fixtures.records[kind] = part.records[kind]
        problems += part_problems
    return fixtures, problems


def build(
    target: Path = DEFAULT_DB,
    fixtures_dir: Path = DEFAULT_FIXTURES_DIR,
    texts: Path | None = None,
    jobs: int | None = None,
) -> dict:
    """Validate the fixtures and atomically (re)place ``target`` with a new build.

    Everything but the figures is loaded and checked here; the figures are
    checked, shaped and written by ``jobs`` worker processes (api.build.shards).
    Nothing is written to ``target`` unless every record is valid.
    """
    timer = Timer()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".work", dir=target.parent))
    tmp = workdir / target.name
    scratch = None  # where the shards go (api.build.shards.scratch_parent)
    db = None  # the database being written (start_database)
    # Millions of small objects and no cycles: the cyclic collector would
    # only rescan them, again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        jobs = jobs or default_jobs()
        fixtures, problems = load_all_but_figures(Path(fixtures_dir), jobs)
        checker = Checker(fixtures, texts)
        checker.check_records()
        # Rows are shaped only from valid records; with problems, the figures are only checked.
        valid = not (problems or checker.problems)
        rows = table_rows(fixtures) if valid else {}
        timer.done("load and validate")
        stage = FigureStage(
            directory=fixtures_dir,
            checker=checker,
            shape=FigureShaper(rows, fixtures.by_id("metrics")) if valid else None,
            create_sql=shard_tables_sql(),
            columns=len(TABLES["figures"][0]),
            write=valid,
        )
        sums: dict[str, tuple[int, int]] = {}

        def hash_the_rest():
            for kind, records in fixtures.records.items():
                if kind != "figures":
                    sums[kind] = (len(records), sum(record_hash(r.data) for r in records))

        files = fixture_files(Path(fixtures_dir), "figures")
        scratch = Path(tempfile.mkdtemp(prefix=".claimbase-build.", dir=scratch_parent(files, workdir)))

        def while_waiting():
            nonlocal db
            hash_the_rest()
            if valid:  # the other records go in while the workers run
                db = start_database(rows, tmp)

        shards = run_shards(stage, files, jobs, scratch, while_waiting=while_waiting)
        timer.done("figures")
        checker.check_after_figures(
            [pair for shard in shards for pair in shard.ids], set().union(*(s.claims for s in shards))
        )
        problems += checker.problems
        for shard in shards:
            problems += shard.problems
        if problems:
            raise FixtureError(problems)
        sums["figures"] = (sum(s.count for s in shards), sum(s.digest for s in shards))
        build_id = build_id_from(sums)
        paths = [s.path for s in shards]
        derived = DerivedTables(str(scratch / "derived.db"), paths, parallel=len(shards) > 1)
        try:
            counts = write_database(rows, paths, derived, tmp, build_id, timer, db)
        finally:
            derived.stop()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if db is not None:
            db.close()  # closed already unless the build failed
        shutil.rmtree(workdir, ignore_errors=True)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        if collecting:
            gc.enable()
    return {
        "build_id": build_id,
        "counts": counts,
        "path": str(target),
        "timings": timer.phases,
        "jobs": len(shards),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.build", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("CLAIMBASE_DB", str(DEFAULT_DB)), help="database to write")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR), help="fixtures directory")
    parser.add_argument(
        "--texts",
        default=None,
        help="directory of archived texts (default: $CLAIMBASE_TEXTS or ../shared/seeds)",
    )
    parser.add_argument(
        "--no-texts", action="store_true", help="skip the quote checks (when the texts are not available)"
    )
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    parser.add_argument(
        "--jobs", type=int, default=None, help="worker processes for the figures (default: up to 2, by CPU count)"
    )
    parser.add_argument("--timings", action="store_true", help="print the seconds spent in each phase")
    parser.add_argument("--report", type=Path, help="also write the build id, counts and timings to this JSON file")
    args = parser.parse_args(argv)
    texts = None if args.no_texts else texts_dir(args.texts)
    if texts is not None and not texts.is_dir():
        print(f"error: texts directory {texts} not found (use --texts or --no-texts)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        if args.check:
            fixtures = load_and_validate(Path(args.fixtures), texts)
            n = sum(len(v) for v in fixtures.records.values())
            print(f"ok: {n} records valid (build id {build_id_for(fixtures)})")
            return 0
        result = build(Path(args.db), Path(args.fixtures), texts, jobs=args.jobs)
    except FixtureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (sqlite3.Error, RuntimeError) as exc:
        print(f"error: build failed, {args.db} left unchanged: {exc}", file=sys.stderr)
        return 1
    took = time.perf_counter() - started
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result["counts"].items()))
    print(f"built {result['path']} (build {result['build_id']}) in {took:.2f}s: {counts}")
    if args.report:
        # Linux reports KiB; for children, the largest one's peak.
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        report = {
            **result,
            "seconds": round(took, 3),
            "peak_rss_mb": round(peak_mb),
            "peak_worker_rss_mb": round(worker_mb),
        }
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    if args.timings:
        figures = result["counts"].get("figures", 0)
        print(f"  {figures / took:,.0f} figures/s overall")
        for phase, seconds in result["timings"].items():
            print(f"  {phase:<20} {seconds:7.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

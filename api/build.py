"""Build the SQLite database from the fixtures: ``python -m api.build``.

The build validates everything first and writes nothing if any check fails.
It then writes a temporary file beside the target, creates STRICT tables with
foreign keys, inserts the records, adds indexes, full-text search and the
derived claim statistics, runs ``foreign_key_check`` and ``quick_check``,
and only then renames the file into place (an atomic replace).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import orjson
import sqlite_utils

from api.fixtures import (
    DEFAULT_FIXTURES_DIR,
    FixtureError,
    Fixtures,
    alias_key,
    date_columns,
    load_and_validate,
)
from api.queries.figures import figure_dict
from api.texts import texts_dir

SCHEMA_VERSION = "1"
DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "claims.db"

T, INT, R = str, int, float  # sqlite-utils column types: TEXT, INTEGER, REAL

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
            "low_min": R,
            "high_max": R,
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
            "low": R,
            "high": R,
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
            # The figure as the API serves it (JSON), with the source, metric
            # and entities it embeds: a page of figures needs no work per row.
            "doc": T,
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
            "doc",
        },
    ),
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
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for kind, records in sorted(fixtures.records.items()):
        total = sum(
            int.from_bytes(hashlib.blake2b(orjson.dumps(r.data, option=orjson.OPT_SORT_KEYS)).digest(), "big")
            for r in records
        )
        digest.update(f"{kind}:{len(records)}:{total % (1 << 512):x};".encode())
    return digest.hexdigest()[:16]


def _span(span):
    return (span[0], span[1]) if span else (None, None)


def _rows(fixtures: Fixtures) -> dict[str, list[dict]]:
    """Turn validated fixtures into table rows (before derived columns)."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
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
                # Filled in from the figures by CLAIM_STATS_SQL.
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
    sources_by_id = {r["id"]: r for r in rows["sources"]}
    entities = {e["id"]: e for e in rows["entities"]}
    events = {e["id"]: e for e in rows["events"]}
    for f in sorted(fixtures.data("figures"), key=lambda d: d["id"]):
        claimant = f["claimant"] or {}
        start, end = _span(f["span"])
        value = f["value"]
        rows["figures"].append(
            {
                "id": f["id"],
                "source_id": f["source"],
                "claim_id": f["claim"],
                "metric_id": f["metric"],
                "subject_id": f["subject"],
                "category": metrics[f["metric"]]["category"],
                "low": value["low"],
                "high": value["high"],
                "hedge": value["hedge"],
                "value_text": value["text"],
                **date_columns("period", f["period"]),
                "claimant_id": claimant.get("entity"),
                "attribution": claimant.get("as_written"),
                "via_id": f["via"],
                # Articles that report through the same intermediary share one origin.
                "origin": f"entity:{f['via']}" if f["via"] else f"source:{f['source']}",
                "quote": f["quote"],
                "span_start": start,
                "span_end": end,
                "event_id": f["event"],
                "published": published_of.get(f["source"]),
                "note": f["note"],
            }
        )
        row = rows["figures"][-1]
        row["published_sort"] = row["published"] or UNKNOWN_LAST
        row["period_sort"] = row["period_first_day"] or UNKNOWN_LAST
        row["value_sort"] = _first_not_none(value["low"], value["high"], UNKNOWN_VALUE)
        row["claimant_sort"] = row["claimant_id"] or UNKNOWN_LAST
        row["doc"] = figure_doc(row, sources_by_id, metrics, entities, events)
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


UNKNOWN_LAST = "~"  # sorts after every id and ISO date
UNKNOWN_VALUE = 1e308


def _first_not_none(*values):
    return next(v for v in values if v is not None)


def figure_doc(row: dict, sources: dict, metrics: dict, entities: dict, events: dict) -> str:
    """Return the JSON of a figure as served, from its row and what it embeds."""
    source, metric = sources[row["source_id"]], metrics[row["metric_id"]]
    subject = entities[row["subject_id"]]
    claimant = entities.get(row["claimant_id"]) or {}
    via = entities.get(row["via_id"]) or {}
    joined = {
        **row,
        "s_title": source["title"],
        "s_outlet": source["outlet_id"],
        "s_pub": source["published_start"],
        "s_pub_precision": source["published_precision"],
        "s_pub_first": source["published_first_day"],
        "s_stance": source["stance"],
        "m_label": metric["label"],
        "m_unit": metric["unit"],
        "sub_name": subject["name"],
        "sub_type": subject["type"],
        "c_name": claimant.get("name"),
        "v_name": via.get("name"),
        "v_type": via.get("type"),
        "e_title": (events.get(row["event_id"]) or {}).get("title"),
    }
    return orjson.dumps(figure_dict(joined)).decode()


def _days(first: str, last: str) -> int:
    import datetime as dt

    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days


CLAIM_STATS_SQL = """
UPDATE claims SET
  figure_count = s.figure_count,
  source_count = s.source_count,
  origin_count = s.origin_count,
  claimant_count = s.claimant_count,
  low_min = s.low_min,
  high_max = s.high_max,
  first_published = s.first_published,
  first_source_id = s.first_source_id
FROM (
  SELECT claim_id,
         count(*) AS figure_count,
         count(DISTINCT source_id) AS source_count,
         count(DISTINCT origin) AS origin_count,
         count(DISTINCT coalesce(claimant_id, attribution)) AS claimant_count,
         min(coalesce(low, high)) AS low_min,
         max(coalesce(high, low)) AS high_max,
         min(published) AS first_published,
         -- The earliest dated source, ties broken by id: published is an ISO day (10 characters).
         substr(min(published || source_id), 11) AS first_source_id
  FROM figures GROUP BY claim_id
) AS s
WHERE s.claim_id = claims.id
"""

FIGURE_COUNTS_SQL = """
INSERT INTO figure_counts (subject_id, metric_id, category, n)
SELECT subject_id, metric_id, min(category), count(*) FROM figures GROUP BY subject_id, metric_id
"""

SEARCH_SQL = """
INSERT INTO search_index (kind, record_id, title, body)
SELECT 'figure', id, value_text, quote FROM figures
UNION ALL
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
    db["figures"].enable_fts(["quote", "value_text", "attribution"], tokenize="unicode61 remove_diacritics 2")
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


def write_database(fixtures: Fixtures, path: Path, build_id: str, timer: Timer | None = None) -> dict[str, int]:
    """Write a complete database to ``path`` (which must not exist yet)."""
    timer = timer or Timer()
    rows = _rows(fixtures)
    timer.done("rows")
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    # Foreign keys are checked once, after the inserts, by foreign_key_check
    # (the validation has already checked every reference).
    db.execute("PRAGMA foreign_keys = OFF")
    create_tables(db)
    with db.conn:
        for name in (
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
            "figures",
            "exclusions",
        ):
            insert_rows(db.conn, name, rows[name])
        timer.done("insert")
        db.execute(CLAIM_STATS_SQL)
        db.execute(FIGURE_COUNTS_SQL)
        timer.done("claim stats")
    create_indexes(db, timer)
    counts = {name: db[name].count for name in TABLES if name != "build_info"}
    info = {
        "build_id": build_id,
        "schema_version": SCHEMA_VERSION,
        "counts": json.dumps(counts, sort_keys=True),
    }
    db["build_info"].insert_all([{"key": k, "value": v} for k, v in info.items()])
    problems = list(db.execute("PRAGMA foreign_key_check").fetchall())
    if problems:
        raise RuntimeError(f"foreign_key_check failed: {problems[:10]}")
    # quick_check reads every page and record (and NOT NULL constraints);
    # integrity_check would also re-verify each index against its table,
    # which SQLite itself has just built from that table, at 7x the cost.
    integrity = db.execute("PRAGMA quick_check").fetchone()[0]
    if integrity != "ok":
        raise RuntimeError(f"quick_check failed: {integrity}")
    timer.done("checks")
    # Statistics for the query planner, from a sample of each index: the
    # tables were written in one pass and the indexes after, so there is
    # nothing for VACUUM to compact.
    db.execute("PRAGMA analysis_limit = 2000")
    db.execute("ANALYZE")
    db.conn.commit()
    db.close()
    timer.done("analyze")
    return counts


def build(
    target: Path = DEFAULT_DB,
    fixtures_dir: Path = DEFAULT_FIXTURES_DIR,
    texts: Path | None = None,
    extra: dict[str, list[dict]] | None = None,
) -> dict:
    """Validate the fixtures and atomically (re)place ``target`` with a new build."""
    timer = Timer()
    fixtures = load_and_validate(fixtures_dir, texts, extra)
    timer.done("load and validate")
    build_id = build_id_for(fixtures)
    timer.done("build id")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        counts = write_database(fixtures, tmp, build_id, timer)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"build_id": build_id, "counts": counts, "path": str(target), "timings": timer.phases}


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
        result = build(Path(args.db), Path(args.fixtures), texts)
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
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
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

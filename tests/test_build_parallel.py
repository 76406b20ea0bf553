"""The parallel build: worker processes and the helper give exactly what one process gives.

A synthetic dataset (bench.synth) large enough for the figures to be split
between two workers is built with ``jobs=1`` and ``jobs=2``; the databases must
hold the same rows in every table, including the full-text index copied in from
the helper process, and problems found inside a worker must be reported as the
in-memory validation reports them.
"""

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from api.build import database as build_module
from api.build.database import build
from api.build.fixtures import FixtureError
from api.build.shards import PARALLEL_MIN_BYTES, plan, scratch_parent
from bench.synth import generate

TABLES = [
    "figures",
    "figure_docs",
    "claims",
    "figure_counts",
    "events",
    "event_citations",
    "sources",
    "entities",
    "search_index",
    "figures_fts_data",
    "figures_fts_idx",
    "figures_fts_docsize",
    "figures_fts_config",
]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("parallel")
    generate(out, figures=20_000, sources=400, entities=200, claims=4000, events=400, seed=11)
    return out


@pytest.fixture(scope="module")
def both_builds(synthetic):
    one = build(synthetic / "one.db", synthetic / "fixtures", synthetic / "texts", jobs=1)
    two = build(synthetic / "two.db", synthetic / "fixtures", synthetic / "texts", jobs=2)
    return one, two


def table_digest(path, table) -> str:
    conn = sqlite3.connect(path)
    digest = hashlib.sha256()
    without_rowid = conn.execute("SELECT wr FROM pragma_table_list WHERE name = ?", [table]).fetchone()[0]
    if without_rowid:  # FTS5's idx table: ordered by its primary key
        rows = sorted(conn.execute(f"SELECT * FROM {table}"))
    else:
        rows = conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid")
    for row in rows:
        digest.update(repr(row).encode())
    conn.close()
    return digest.hexdigest()


def test_the_figures_are_split_between_two_workers(synthetic):
    files = sorted((synthetic / "fixtures" / "figures").glob("*.jsonl"))
    assert sum(f.stat().st_size for f in files) > PARALLEL_MIN_BYTES
    groups = plan(files, 2)
    assert len(groups) == 2 and [f for g in groups for f in g] == files


def test_files_of_equal_size_are_split_evenly(tmp_path):
    files = []
    for n in range(10):
        files.append(tmp_path / f"part-{n:02}.jsonl")
        with open(files[-1], "wb") as fh:  # sparse, slightly growing, as generated parts are
            fh.truncate(PARALLEL_MIN_BYTES // 4 + n)
    assert [len(g) for g in plan(files, 2)] == [5, 5]
    assert [len(g) for g in plan(files, 3)] in ([3, 4, 3], [4, 3, 3], [3, 3, 4])


def test_shards_go_where_the_environment_says(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMBASE_BUILD_SCRATCH", str(tmp_path))
    assert scratch_parent([], tmp_path / "fallback") == tmp_path
    monkeypatch.delenv("CLAIMBASE_BUILD_SCRATCH")
    huge = tmp_path / "huge.jsonl"
    with open(huge, "wb") as fh:  # a sparse file far larger than any machine's memory
        fh.truncate(1 << 40)
    assert scratch_parent([huge], tmp_path / "fallback") == tmp_path / "fallback"
    small = tmp_path / "small.jsonl"
    small.write_text("{}\n")
    in_memory = Path("/dev/shm")
    expected = in_memory if os.access(in_memory, os.W_OK) else tmp_path / "fallback"
    assert scratch_parent([small], tmp_path / "fallback") == expected


def test_each_figure_document_is_at_its_figures_rowid(synthetic, both_builds):
    for name in ("one.db", "two.db"):
        conn = sqlite3.connect(synthetic / name)
        rows = conn.execute(
            "SELECT f.rowid, f.id, d.figure_rowid, d.doc FROM figures f LEFT JOIN figure_docs d ON d.figure_rowid = f.rowid "
            "ORDER BY f.rowid"
        ).fetchall()
        assert len(rows) == 20_000 == conn.execute("SELECT count(*) FROM figure_docs").fetchone()[0]
        assert all(json.loads(doc)["id"] == ident for _rowid, ident, _d, doc in rows)
        # ... and rowid order is id order.
        assert [r[1] for r in rows] == sorted(r[1] for r in rows)
        conn.close()


def test_one_and_two_workers_build_the_same_database(synthetic, both_builds):
    one, two = both_builds
    assert (one["jobs"], two["jobs"]) == (1, 2)
    assert one["build_id"] == two["build_id"]
    assert one["counts"] == two["counts"] and one["counts"]["figures"] == 20_000
    for table in TABLES:
        assert table_digest(synthetic / "one.db", table) == table_digest(synthetic / "two.db", table), table


def test_the_copied_full_text_index_matches_the_figures(synthetic, both_builds):
    conn = sqlite3.connect(synthetic / "two.db")
    # FTS5 checks its index against the content table, row by row.
    conn.execute("INSERT INTO figures_fts (figures_fts) VALUES ('integrity-check')")
    (word,) = conn.execute("SELECT value_text FROM figures WHERE hedge = 'up_to' LIMIT 1").fetchone()
    matched = {r[0] for r in conn.execute("SELECT rowid FROM figures_fts WHERE figures_fts MATCH ?", [f'"{word}"'])}
    like = {r[0] for r in conn.execute("SELECT rowid FROM figures WHERE value_text = ?", [word])}
    assert like and like <= matched
    ids = [r[0] for r in conn.execute("SELECT id FROM figures ORDER BY rowid")]
    assert ids == sorted(ids)
    conn.close()


def test_a_problem_found_by_a_worker_names_file_and_record(synthetic, tmp_path, both_builds):
    fixtures = tmp_path / "fixtures"
    (fixtures / "figures").mkdir(parents=True)
    for path in (synthetic / "fixtures").rglob("*.jsonl"):
        target = fixtures / path.relative_to(synthetic / "fixtures")
        target.write_bytes(path.read_bytes())
    last = sorted((fixtures / "figures").glob("*.jsonl"))[-1]
    lines = last.read_text().splitlines()
    record = json.loads(lines[3])
    record["span"] = [record["span"][0] + 1, record["span"][1] + 1]
    lines[3] = json.dumps(record)
    first = json.loads(sorted((fixtures / "figures").glob("*.jsonl"))[0].read_text().splitlines()[0])
    lines.append(json.dumps(first))  # the same id again, in the other worker's files
    last.write_text("\n".join(lines) + "\n")
    target = synthetic / "two.db"
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    with pytest.raises(FixtureError) as info:
        build(target, fixtures, synthetic / "texts", jobs=2)
    problems = {(p.file.rsplit("/", 1)[-1], p.record, p.field): p.message for p in info.value.problems}
    assert "not the quote" in problems[(last.name, record["id"], "span")]
    assert "duplicate id" in problems[(last.name, first["id"], "id")]
    assert len(problems) == 2, problems
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert not list(synthetic.glob(".two.db.*"))


def test_events_loaded_by_a_helper_process_are_what_one_process_loads(synthetic, tmp_path, monkeypatch):
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    for name in ("sources", "entities", "metrics", "claims", "events"):
        lines = (synthetic / "fixtures" / f"{name}.jsonl").read_text().splitlines()
        if name in ("events", "sources"):  # one problem in each, found by different processes
            record = json.loads(lines[2])
            record["id"] = "Not A Slug"
            lines[2] = json.dumps(record)
        (fixtures / f"{name}.jsonl").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(build_module, "PARALLEL_EVENTS_MIN_BYTES", 0)
    one_fixtures, one_problems = build_module.load_all_but_figures(fixtures, jobs=1)
    two_fixtures, two_problems = build_module.load_all_but_figures(fixtures, jobs=2)
    assert [(p.file, p.record, p.field) for p in two_problems] == [(p.file, p.record, p.field) for p in one_problems]
    assert {p.file.rsplit("/", 1)[-1] for p in two_problems} == {"events.jsonl", "sources.jsonl"}
    for kind, records in one_fixtures.records.items():
        assert [(r.file, r.index, r.data) for r in two_fixtures.records[kind]] == [
            (r.file, r.index, r.data) for r in records
        ], kind
    assert len(two_fixtures.records["events"]) == 399

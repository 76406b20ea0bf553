"""The build: real fixtures build cleanly; bad fixtures are rejected and change nothing."""

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from api.build.database import build, main
from api.build.fixtures import FixtureError
from api.build.texts import read_text

ROOT = Path(__file__).resolve().parent.parent
QUOTED = {
    "figures": ("quote", "span_start", "span_end", "source_id"),
    "event_citations": ("quote", "span_start", "span_end", "source_id"),
    "exclusions": ("quote", "span_start", "span_end", "source_id"),
    "entity_roles": ("quote", "span_start", "span_end", "source_id"),
    "source_cites": ("quote", "span_start", "span_end", "source_id"),
    "source_stance_evidence": ("quote", "span_start", "span_end", "source_id"),
}


def connect(path):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def test_build_has_no_foreign_key_or_integrity_problems(db_path):
    with connect(db_path) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        strict = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%STRICT'").fetchall()
        assert {"figures", "sources", "entities", "events", "claims", "metrics"} <= {r[0] for r in strict}
        assert conn.execute("SELECT count(*) FROM figures").fetchone()[0] > 0


def test_every_quote_is_verbatim_at_its_span(db_path, texts):
    checked = 0
    with connect(db_path) as conn:
        docs = {r["id"]: read_text(texts, r["filename"]) for r in conn.execute("SELECT id, filename FROM sources")}
        for table, (quote, start, end, source) in QUOTED.items():
            for row in conn.execute(f"SELECT {quote}, {start}, {end}, {source} FROM {table}"):
                assert docs[row[source]][row[start] : row[end]] == row[quote], (table, row[source], row[quote])
                checked += 1
        for row in conn.execute("SELECT id, title, title_start, title_end FROM sources WHERE title IS NOT NULL"):
            assert docs[row["id"]][row["title_start"] : row["title_end"]] == row["title"]
    assert checked > 100


def test_same_fixtures_give_the_same_build(tmp_path, texts, db_path):
    again = tmp_path / "again.db"
    result = build(again, texts=texts)
    with connect(db_path) as a, connect(again) as b:
        assert a.execute("SELECT value FROM build_info WHERE key = 'build_id'").fetchone()[0] == result["build_id"]
        for table in ("figures", "events", "event_citations", "claims", "entities", "sources"):
            assert (
                a.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                == b.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            )


@pytest.fixture()
def fixture_copy(tmp_path):
    """A writable copy of fixtures/ and an existing database built from it."""
    copy = tmp_path / "fixtures"
    shutil.copytree(ROOT / "fixtures", copy)
    return copy


def edit(path: Path, change):
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")


def first_figure_file(fixtures: Path) -> Path:
    return sorted((fixtures / "figures").glob("*.yaml"))[0]


def set_first(key, value):
    def change(records):
        records[0][key] = value

    return change


BAD_FIXTURES = {
    "dangling entity id": (
        lambda fx: (first_figure_file(fx), set_first("subject", "atlantis")),
        "subject",
        "unknown entity id 'atlantis'",
    ),
    "duplicate id": (
        lambda fx: (fx / "metrics.yaml", lambda records: records.append(dict(records[0]))),
        "id",
        "duplicate id",
    ),
    "misquoted span": (
        lambda fx: (
            first_figure_file(fx),
            lambda records: records[0].update(span=[records[0]["span"][0] + 1, records[0]["span"][1] + 1]),
        ),
        "span",
        "not the quote",
    ),
    "bad date": (
        lambda fx: (fx / "sources.yaml", lambda records: records[2]["published"].update(start="2025-13-45")),
        "published.start",
        "not YYYY, YYYY-MM or YYYY-MM-DD",
    ),
    "id with a trailing line break": (
        lambda fx: (fx / "metrics.yaml", set_first("id", "troops-deployed\n")),
        "id",
        "kebab-case slug",
    ),
    "unknown field": (
        lambda fx: (fx / "metrics.yaml", set_first("colour", "red")),
        "colour",
        "Unknown field",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FIXTURES))
def test_bad_fixture_is_rejected_and_database_untouched(case, fixture_copy, tmp_path, texts):
    target = tmp_path / "claims.db"
    build(target, fixture_copy, texts)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    make_change, field, message = BAD_FIXTURES[case]
    path, change = make_change(fixture_copy)
    edit(path, change)
    with pytest.raises(FixtureError) as info:
        build(target, fixture_copy, texts)
    problems = info.value.problems
    matching = [p for p in problems if p.field == field and message in p.message]
    assert matching, [str(p) for p in problems]
    problem = matching[0]
    assert problem.file.endswith(path.name)
    assert problem.record and problem.record != "(file)"
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob(".claims.db.*"))


def test_all_problems_are_reported_at_once(fixture_copy, texts, capsys, tmp_path):
    edit(fixture_copy / "metrics.yaml", lambda records: [r.update(unit=None) for r in records[:3]])
    code = main(["--db", str(tmp_path / "x.db"), "--fixtures", str(fixture_copy), "--texts", str(texts)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("metrics.yaml") == 3 and "unit" in err
    assert not (tmp_path / "x.db").exists()

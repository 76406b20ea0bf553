"""The build: real fixtures build cleanly; bad fixtures are rejected and change nothing."""

import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import yaml

from api.builder import database
from api.builder import texts as texts_module
from api.builder.database import build, main
from api.builder.fixtures import FixtureError, load_and_validate
from api.builder.rows import RECORD_TABLES, question_groups
from api.builder.texts import read_text
from scripts.stack import build_id
from tests.conftest import make_app

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
        for col in ("published_quote", "archive_line", "reference_quote"):
            for row in conn.execute(f"SELECT id, {col}, {col}_start, {col}_end FROM sources WHERE {col} IS NOT NULL"):
                assert docs[row["id"]][row[f"{col}_start"] : row[f"{col}_end"]] == row[col], (row["id"], col)
    assert checked > 100


def test_same_fixtures_give_the_same_build(tmp_path, story_fixtures, texts, db_path):
    again = tmp_path / "again.db"
    result = build(again, story_fixtures, texts)
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
    "same quantity as a claim of another metric": (
        lambda fx: (fx / "claims" / "core.yaml", set_first("same_quantity_as", ["kn-missile-strikes"])),
        "same_quantity_as.0",
        "another metric",
    ),
    "same question as itself": (
        lambda fx: (
            fx / "claims" / "core.yaml",
            lambda records: records[0].update(same_question_as=[records[0]["id"]]),
        ),
        "same_question_as.0",
        "cannot name itself",
    ),
    "a date from archive metadata without the archive line": (
        lambda fx: (fx / "sources.yaml", lambda records: records[2]["published"].update(basis="archive-metadata")),
        "published",
        "needs the source's archive_line",
    ),
    "an archive line that is not the text": (
        lambda fx: (
            fx / "sources.yaml",
            lambda records: records[2].update(archive_line={"quote": "Source: X", "span": [0, 9]}),
        ),
        "archive_line.span",
        "not the quote",
    ),
    "an undated source's reference date not marked assumed": (
        lambda fx: (fx / "sources.yaml", lambda records: records[0]["reference_date"].update(basis="the text's date")),
        "reference_date",
        "start basis with 'assumed'",
    ),
    "a reference date completed from outside the text not marked assumed": (
        lambda fx: (
            fx / "sources.yaml",
            lambda records: records[2]["reference_date"].update(outside_text="the year, from another source"),
        ),
        "reference_date.basis",
        "start basis with 'assumed'",
    ),
    "unknown field": (
        lambda fx: (fx / "metrics.yaml", set_first("colour", "red")),
        "colour",
        "Unknown field",
    ),
}


@pytest.fixture(scope="module")
def built_from_fixtures(tmp_path_factory, texts) -> Path:
    """A database built once from fixtures/, for each bad-fixture case to start from a copy of."""
    path = tmp_path_factory.mktemp("good") / "claims.db"
    build(path, ROOT / "fixtures", texts)
    return path


@pytest.mark.parametrize("case", sorted(BAD_FIXTURES))
def test_bad_fixture_is_rejected_and_database_untouched(case, fixture_copy, built_from_fixtures, tmp_path, texts):
    target = tmp_path / "claims.db"
    shutil.copyfile(built_from_fixtures, target)  # the good build of the same fixtures, made once
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


def test_problems_in_a_json_lines_file_name_file_record_and_field(fixture_copy, texts, tmp_path):
    figure = yaml.safe_load(first_figure_file(fixture_copy).read_text(encoding="utf-8"))[0]
    text = read_text(texts, sources_by_id(fixture_copy)[figure["source"]]["filename"])
    moved = dict(figure, id="moved-span", span=[figure["span"][0] + 1, figure["span"][1] + 1])
    past_end = dict(figure, id="past-the-end", quote=text[-5:], span=[len(text) - 5, len(text) + 10])
    lines = [json.dumps(r) for r in (moved, figure, past_end)]  # the second repeats an id of another file
    (fixture_copy / "figures" / "generated.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FixtureError) as info:
        build(tmp_path / "claims.db", fixture_copy, texts)
    found = {(p.file, p.record, p.field): p.message for p in info.value.problems}
    where = "fixtures/figures/generated.jsonl"
    assert "not the quote" in found[(where, "moved-span", "span")]
    # Even where the text's last characters are the quote, a span past the end is a problem.
    assert "runs past the end of the text" in found[(where, "past-the-end", "span")]
    assert found[(where, figure["id"], "id")].startswith("duplicate id (first defined in fixtures/figures/")
    assert len(found) == 3, found
    assert not (tmp_path / "claims.db").exists()


def sources_by_id(fixtures: Path) -> dict:
    return {s["id"]: s for s in yaml.safe_load((fixtures / "sources.yaml").read_text(encoding="utf-8"))}


def test_a_build_that_fails_after_writing_leaves_the_previous_database(
    tmp_path, texts, built_from_fixtures, monkeypatch
):
    target = tmp_path / "claims.db"
    shutil.copyfile(built_from_fixtures, target)
    before = hashlib.sha256(target.read_bytes()).hexdigest()

    def failing_check(conn):
        raise RuntimeError("quick_check failed")

    monkeypatch.setattr(database, "check_database", failing_check)
    with pytest.raises(RuntimeError):
        build(target, texts=texts)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir()] == ["claims.db"]


def test_figures_are_stored_in_id_order_with_their_served_json_and_full_text_index(db_path):
    with connect(db_path) as conn:
        rows = conn.execute(
            "SELECT f.rowid, f.id, d.doc FROM figures f LEFT JOIN figure_docs d ON d.figure_rowid = f.rowid "
            "ORDER BY f.rowid"
        ).fetchall()
        assert len(rows) == conn.execute("SELECT count(*) FROM figure_docs").fetchone()[0] > 0
        assert [r["rowid"] for r in rows] == list(range(1, len(rows) + 1))
        assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
        assert all(json.loads(r["doc"])["id"] == r["id"] for r in rows)
        # FTS5 checks its index against the content table, row by row.
        conn.execute("INSERT INTO figures_fts (figures_fts) VALUES ('integrity-check')")


def test_claim_statistics_and_facet_counts_are_computed_from_the_figures(db_path):
    with connect(db_path) as conn:
        figures = conn.execute("SELECT * FROM figures").fetchall()
        for claim in conn.execute("SELECT * FROM claims"):
            mine = [f for f in figures if f["claim_id"] == claim["id"]]
            assert claim["figure_count"] == len(mine) > 0
            assert claim["source_count"] == len({f["source_id"] for f in mine})
            assert claim["origin_count"] == len({f["origin"] for f in mine})
        counts = {(r["subject_id"], r["metric_id"]): r["n"] for r in conn.execute("SELECT * FROM figure_counts")}
        expected = {}
        for f in figures:
            expected[f["subject_id"], f["metric_id"]] = expected.get((f["subject_id"], f["metric_id"]), 0) + 1
        assert counts == expected


# ---- the build id covers everything that shapes the served data ----------------------------------


def test_the_build_id_changes_with_the_code_that_shapes_a_row(tmp_path, story_fixtures, texts, monkeypatch, db_path):
    shape = tmp_path / "shape.py"
    shape.write_bytes((ROOT / "api" / "shape.py").read_bytes() + b"\n# one more line\n")
    sources = [shape if p == ROOT / "api" / "shape.py" else p for p in database.SHAPING_SOURCES]
    assert sources != list(database.SHAPING_SOURCES)
    monkeypatch.setattr(database, "SHAPING_SOURCES", tuple(sources))
    build(tmp_path / "patched.db", story_fixtures, texts)
    assert build_id(tmp_path / "patched.db") != build_id(db_path)
    monkeypatch.undo()
    build(tmp_path / "again.db", story_fixtures, texts)
    assert build_id(tmp_path / "again.db") == build_id(db_path)


def test_every_module_that_shapes_a_row_is_hashed():
    hashed = {p.relative_to(ROOT).as_posix() for p in database.SHAPING_SOURCES}
    assert {"api/shape.py", "schemas/fixtures.py", "schemas/dates.py", "api/builder/rows.py"} <= hashed
    assert all(p.is_file() for p in database.SHAPING_SOURCES)


def test_the_build_id_is_the_same_with_or_without_the_archive_and_health_says_which(tmp_path, story_fixtures, texts):
    with_texts = build(tmp_path / "verified.db", story_fixtures, texts)
    without = build(tmp_path / "unverified.db", story_fixtures, None)
    assert with_texts["build_id"] == without["build_id"]
    health = {
        name: make_app(tmp_path / name).test_client().get("/health").get_json()
        for name in ("verified.db", "unverified.db")
    }
    verified, unverified = health["verified.db"]["texts"], health["unverified.db"]["texts"]
    assert verified["verified"] is True and unverified["verified"] is False
    # Both name the same texts: the sha256 of what `sha256sum` prints for the archived files the sources name.
    names = sorted(s["filename"] for s in load_and_validate(story_fixtures, texts).data("sources"))
    manifest = "".join(f"{hashlib.sha256((texts / n).read_bytes()).hexdigest()}  {n}\n" for n in names)
    assert verified["sha256"] == unverified["sha256"] == hashlib.sha256(manifest.encode()).hexdigest()
    assert verified["sources"] == unverified["sources"] == len(names)


def test_a_changed_text_is_a_problem_not_another_build_id(tmp_path, texts):
    copy = tmp_path / "texts"
    shutil.copytree(texts, copy)
    changed = sorted(copy.glob("*.txt"))[0]
    data = bytearray(changed.read_bytes())
    data[-1] = ord("?") if data[-1] != ord("?") else ord("!")
    changed.write_bytes(bytes(data))
    # The fixtures pin each text's sha256: a text that differs from it fails the build.
    with pytest.raises(FixtureError) as info:
        build(tmp_path / "claims.db", texts=copy)
    assert any(p.field == "sha256" and p.file.endswith("sources.yaml") for p in info.value.problems)


def test_without_the_archive_the_build_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CLAIMBASE_TEXTS", raising=False)
    monkeypatch.setattr(texts_module, "DEFAULT_TEXTS_DIR", tmp_path / "no-archive")
    for argv in ([], ["--texts", str(tmp_path / "elsewhere")]):
        target = tmp_path / f"claims-{len(argv)}.db"
        assert main(["--db", str(target), *argv]) == 0
        out = capsys.readouterr()
        assert "notice: no archived texts at" in out.err and "NOT verified" in out.out
        assert make_app(target).test_client().get("/health").get_json()["texts"]["verified"] is False


def make_question(target: Path, texts: Path, *newer: str) -> int:
    """Ask make (question mode) whether ``target`` is up to date, as if ``newer`` had just changed."""
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    what_if = [arg for name in newer for arg in ("-W", name)]
    command = ["make", "-q", "-o", ".venv/.runtime", *what_if, f"DB={target}", f"TEXTS={texts}", str(target)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, check=False).returncode


def test_make_rebuilds_the_database_when_code_texts_or_fixtures_change(tmp_path, texts):
    target = tmp_path / "claims.db"
    build(target, texts=texts)
    assert make_question(target, texts) == 0
    text = str(sorted(texts.glob("*.txt"))[0])
    for changed in ("api/shape.py", "api/builder/rows.py", "schemas/dates.py", "fixtures/metrics.yaml", text):
        assert make_question(target, texts, changed) == 1, changed


# ---- rows by name --------------------------------------------------------------------------------


def test_a_row_missing_a_column_or_with_a_misspelt_one_fails_naming_it(tmp_path):
    conn = sqlite3.connect(tmp_path / "rows.db")
    conn.executescript(database.SCHEMA.read_text(encoding="utf-8"))
    row = {"id": "m", "label": "M", "unit": "people", "category": "troops", "description": "d", "parent_id": None}
    database.insert_rows(conn, "metrics", [row])
    assert conn.execute("SELECT label, parent_id FROM metrics").fetchall() == [("M", None)]
    with pytest.raises(sqlite3.ProgrammingError, match="parent_id"):
        database.insert_rows(conn, "metrics", [{k: v for k, v in row.items() if k != "parent_id"} | {"id": "n"}])
    with pytest.raises(RuntimeError, match="'lable'"):
        database.insert_rows(conn, "metrics", [row | {"id": "o", "lable": "typo"}])


def test_every_table_the_build_fills_from_records_is_in_the_schema(tmp_path):
    conn = sqlite3.connect(tmp_path / "rows.db")
    conn.executescript(database.SCHEMA.read_text(encoding="utf-8"))
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert set(RECORD_TABLES) | {"figures", "figure_docs"} <= tables


def test_claims_linked_as_answers_to_one_question_are_linked_both_ways_and_transitively():
    claims = [
        {"id": "killed", "same_question_as": ["killed-or-wounded"]},
        {"id": "killed-or-wounded", "same_question_as": []},
        {"id": "casualties", "same_question_as": ["killed-or-wounded"]},
        {"id": "deployed", "same_question_as": []},
    ]
    assert question_groups(claims) == {
        "killed": ["casualties", "killed-or-wounded"],
        "killed-or-wounded": ["casualties", "killed"],
        "casualties": ["killed", "killed-or-wounded"],
        "deployed": [],
    }


def test_the_database_stores_each_claims_question_group_symmetrically(db_path):
    with connect(db_path) as db:
        links = {cid: json.loads(q) for cid, q in db.execute("SELECT id, same_question_as FROM claims")}
    for cid, others in links.items():
        assert cid not in others
        for other in others:
            assert cid in links[other], (cid, other)

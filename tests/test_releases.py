"""Releases and changes: recorded from the served records, compared in SQL at build time, served as a feed.

The tests record two releases of their own into a scratch ``releases/``: the story's data
(release A), then the same fixtures with a figure's note corrected, a figure removed, a
figure and an entity renamed (release B, which records both renames). A client that
starts from A and applies ``/changes?since=A`` arrives at B, which is what ``/figures``
serves.
"""

import csv
import html
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import feedparser
import pytest

from api.builder.database import build, build_id_for
from api.builder.fixtures import Fixtures, load_and_validate
from api.builder.releases import (
    DEFAULT_RELEASES_DIR,
    KINDS,
    ReleaseError,
    read_release,
    release_dirs,
    write_release_tables,
)
from scripts.release import app_getter, parse_rename, record
from tests.conftest import get_all, make_app

A, B = "2026.1.1", "2026.2.1"
NOTE_FIGURE = "s003-tripling"  # its note is corrected in B
GONE_FIGURE = "s003-additional-troops-25000-30000"  # removed in B
RENAMED_FIGURE = ("s003-first-deployment-roughly-11000", "s003-first-contingent-roughly-11000")
RENAMED_ENTITY = ("jenny-town", "jenny-town-stimson")
NEW_NOTE = "A corrected note: the sentence is unattributed."


def rename_everywhere(directory: Path, old: str, new: str) -> None:
    pattern = re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])")
    for path in [*directory.rglob("*.yaml"), *directory.rglob("*.jsonl")]:
        text = path.read_text("utf-8")
        if pattern.search(text):
            path.write_text(pattern.sub(new, text), "utf-8")


def corrected_fixtures(story_fixtures: Path, out: Path) -> Path:
    """The story's fixtures with B's corrections."""
    shutil.copytree(story_fixtures, out)
    figures = out / "figures" / "cnn-nk-up-to-30000-troops.yaml"
    text = figures.read_text("utf-8")
    # The note of one figure, and one figure's record dropped (from its "- id:" line to the next).
    blocks = re.split(r"(?m)^(?=- id: )", text)
    kept = []
    for block in blocks:
        if block.startswith(f"- id: {GONE_FIGURE}\n"):
            continue
        if block.startswith(f"- id: {NOTE_FIGURE}\n"):
            block = re.sub(r"(?m)^  note: .*$", f'  note: "{NEW_NOTE}"', block)
        kept.append(block)
    figures.write_text("".join(kept), "utf-8")
    rename_everywhere(out, *RENAMED_FIGURE)
    rename_everywhere(out, *RENAMED_ENTITY)
    return out


def record_two_releases(root: Path, story_fixtures: Path, texts: Path) -> tuple[Path, Path, Path]:
    """Record releases A and B under ``root``; return (releases dir, a database serving B, B's fixtures)."""
    rel = root / "releases"
    first = root / "a.db"
    build(first, story_fixtures, texts, rel)
    record(app_getter(first), A, "The story's five texts.", rel, story_fixtures, date="2026-01-15")
    fixtures_b = corrected_fixtures(story_fixtures, root / "fixtures-b")
    second = root / "b.db"
    build(second, fixtures_b, texts, rel)
    renames = [parse_rename(f"figure:{RENAMED_FIGURE[0]}={RENAMED_FIGURE[1]}")]
    renames.append(parse_rename(f"entity:{RENAMED_ENTITY[0]}={RENAMED_ENTITY[1]}"))
    notes = "A corrected note, a figure removed, two ids renamed."
    record(app_getter(second), B, notes, rel, fixtures_b, "2026-02-01", renames)
    served = root / "served.db"
    build(served, fixtures_b, texts, rel)
    return rel, served, fixtures_b


@pytest.fixture(scope="module")
def releases(tmp_path_factory, story_fixtures, texts):
    """(releases dir, database serving B with both releases, fixtures of B)."""
    return record_two_releases(tmp_path_factory.mktemp("releases"), story_fixtures, texts)


@pytest.fixture(scope="module")
def client(releases):
    return make_app(releases[1], TESTING=True).test_client()


def changes(client, query: str) -> list[dict]:
    return get_all(client, f"/api/v1/changes?page_size=7&{query}")


def by_id(items: list[dict]) -> dict:
    return {(c["kind"], c["id"]): c for c in items}


def test_each_release_is_recorded_as_served_and_identified_by_its_records(releases):
    rel, _, _ = releases
    assert [p.name for p in release_dirs(rel)] == [A, B]
    meta, records = read_release(rel / B)
    assert meta["counts"]["figure"] == len(records["figure"])
    lines = (rel / B / "figures.jsonl").read_text("utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == sorted(ids) and RENAMED_FIGURE[1] in ids and GONE_FIGURE not in ids
    # The first line of a record file is a whole served record, readable in a diff.
    assert json.loads(lines[0])["url"] == f"/api/v1/figures/{ids[0]}"
    assert read_release(rel / A)[0]["digest"] != meta["digest"]


def test_an_edited_record_file_fails_the_build_naming_it(releases, tmp_path, texts):
    rel, _, fixtures_b = releases
    copy = tmp_path / "releases"
    shutil.copytree(rel, copy)
    path = copy / B / "figures.jsonl"
    path.write_text(path.read_text("utf-8").replace(NEW_NOTE, "edited by hand"), "utf-8")
    with pytest.raises(ReleaseError, match=rf"{B}/release.json: digest"):
        build(tmp_path / "x.db", fixtures_b, texts, copy)


def test_a_rename_of_an_id_still_served_is_refused(releases, tmp_path, texts):
    rel, _, fixtures_b = releases
    copy = tmp_path / "releases"
    shutil.copytree(rel, copy)
    meta_path = copy / B / "release.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta["renames"].append({"kind": "figure", "from": NOTE_FIGURE, "to": GONE_FIGURE})
    meta_path.write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ReleaseError, match=rf"rename of figure {NOTE_FIGURE!r}"):
        build(tmp_path / "x.db", fixtures_b, texts, copy)


def test_recording_the_same_records_again_is_refused(releases, tmp_path):
    rel, served, fixtures_b = releases
    copy = tmp_path / "releases"
    shutil.copytree(rel, copy)
    with pytest.raises(SystemExit, match=f"those of release {B}"):
        record(app_getter(served), "2026.3.1", "nothing new", copy, fixtures_b)
    with pytest.raises(SystemExit, match=f"does not come after the latest release {B}"):
        record(app_getter(served), "2026.1.2", "too early", copy, fixtures_b)


def test_releases_list_with_counts_and_a_summary_of_their_changes(client):
    body = client.get("/api/v1/releases").get_json()
    assert [r["version"] for r in body["items"]] == [A, B]
    first, second = body["items"]
    assert first["previous"] is None and second["previous"] == A
    assert second["summary"]["removed"] == {"figure": 1}
    assert second["summary"]["renamed"] == {"entity": 1, "figure": 1}
    assert sum(first["summary"]["added"].values()) == sum(first["counts"].values())
    one = client.get(f"/api/v1/releases/{B}").get_json()
    assert one == second and one["notes"].startswith("A corrected note")
    assert client.get("/api/v1/releases/2026.9.9").status_code == 404


def test_changes_since_a_release_name_each_record_and_field(client):
    items = changes(client, f"since={A}")
    found = by_id(items)
    assert {c["release"] for c in items} == {B}
    note = found[("figure", NOTE_FIGURE)]
    assert note["change"] == "changed" and note["record"] is None
    assert {"field": "note", "old": note["fields"][0]["old"], "new": NEW_NOTE} in note["fields"]
    assert note["fields"][0]["old"] != NEW_NOTE
    gone = found[("figure", GONE_FIGURE)]
    assert gone["change"] == "removed" and gone["last_version"] == A and gone["url"] is None
    renamed = found[("figure", RENAMED_FIGURE[1])]
    assert renamed["change"] == "renamed" and renamed["previous_id"] == RENAMED_FIGURE[0]
    assert {"field": "id", "old": RENAMED_FIGURE[0], "new": RENAMED_FIGURE[1]} in renamed["fields"]
    entity = found[("entity", RENAMED_ENTITY[1])]
    assert entity["change"] == "renamed" and entity["previous_id"] == RENAMED_ENTITY[0]
    # A rename is no removal and addition; the records that name the renamed entity changed.
    assert ("entity", RENAMED_ENTITY[0]) not in found and ("figure", RENAMED_FIGURE[0]) not in found
    assert any(RENAMED_ENTITY[1] in json.dumps(c["fields"]) for c in items if c["change"] == "changed")
    # Oldest first, in the order of the kinds, then by id.
    order = [(list(KINDS).index(c["kind"]), c["id"]) for c in items]
    assert order == sorted(order)


def test_changes_filter_by_kind_and_page_with_a_link(client):
    figures = changes(client, f"since={A}&kind=figure")
    assert figures and {c["kind"] for c in figures} == {"figure"}
    assert figures == [c for c in changes(client, f"since={A}") if c["kind"] == "figure"]
    response = client.get(f"/api/v1/changes?since={A}&page_size=2&total=true")
    body = response.get_json()
    assert body["next"] and response.headers["Link"] == f'<{body["next"]}>; rel="next"'
    assert body["total"] == len(changes(client, f"since={A}"))


def test_without_since_every_record_of_a_release_is_an_addition(client, releases):
    rel, _, _ = releases
    for version in (A, B):
        query = "" if version == B else f"until={version}"
        items = changes(client, query)
        _, records = read_release(rel / version)
        assert {c["change"] for c in items} == {"added"} and {c["release"] for c in items} == {version}
        assert sorted((c["kind"], c["id"]) for c in items) == sorted(
            (k, r["id"]) for k, rs in records.items() for r in rs
        )
        assert all(c["record"]["id"] == c["id"] for c in items)
    everything = changes(client, "")
    some = changes(client, "kind=metric&kind=figure")
    assert some and some == [c for c in everything if c["kind"] in ("metric", "figure")]
    assert changes(client, "kind=assessment") == [c for c in everything if c["kind"] == "assessment"]


def test_bad_versions_and_kinds_are_422_problems(client):
    cases = {
        "since=2026.13.1": "since",
        "since=yesterday": "since",
        "since=2026.9.9": "since",
        "until=2027.1.1": "until",
        f"since={B}&until={A}": "since",
        "kind=planet": "kind",
    }
    for query, param in cases.items():
        response = client.get(f"/api/v1/changes?{query}")
        assert response.status_code == 422, query
        assert response.mimetype == "application/problem+json"
        assert param in response.get_json()["errors"], query
    detail = client.get("/api/v1/changes?since=2026.9.9").get_json()["detail"]
    assert A in detail and B in detail
    current = client.get(f"/api/v1/changes?since={B}")
    assert current.status_code == 200 and current.get_json()["items"] == []


def test_the_exports_hold_the_same_changes(client):
    items = changes(client, f"since={A}")
    ndjson = client.get(f"/api/v1/changes.ndjson?since={A}")
    assert ndjson.status_code == 200 and ndjson.mimetype == "application/x-ndjson"
    assert [json.loads(line) for line in ndjson.get_data(as_text=True).splitlines()] == items
    csv_body = client.get(f"/api/v1/changes.csv?since={A}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(csv_body)))
    assert [(r["kind"], r["id"], r["change"]) for r in rows] == [(c["kind"], c["id"], c["change"]) for c in items]
    changed = next(r for r in rows if r["id"] == NOTE_FIGURE)
    assert NEW_NOTE in json.loads(changed["fields"])[0]["new"] or NEW_NOTE in changed["fields"]


def test_applying_the_changes_to_the_first_release_gives_what_is_served(client):
    """The sync a client makes: start from A's records, apply every change since A, compare with the lists."""
    store = {(c["kind"], c["id"]): c["record"] for c in changes(client, f"until={A}")}
    for change in changes(client, f"since={A}"):
        key = (change["kind"], change["id"])
        if change["change"] == "added":
            store[key] = change["record"]
        elif change["change"] == "removed":
            del store[key]
        else:
            old = store.pop((change["kind"], change["previous_id"] or change["id"]))
            store[key] = {**old, **{f["field"]: f["new"] for f in change["fields"]}}
    served = {(("figure"), f["id"]): f for f in get_all(client, "/api/v1/figures?page_size=500")}
    assert {k: v for k, v in store.items() if k[0] == "figure"} == served
    entities = {("entity", e["id"]): e for e in get_all(client, "/api/v1/entities?page_size=500")}
    assert {k: v for k, v in store.items() if k[0] == "entity"} == entities


def test_a_renamed_id_answers_as_an_alias(client):
    old, new = RENAMED_FIGURE
    response = client.get(f"/api/v1/figures/{old}")
    assert response.status_code == 200 and response.headers["Content-Location"] == f"/api/v1/figures/{new}"
    assert response.get_json() == client.get(f"/api/v1/figures/{new}").get_json()
    # An entity keeps its former id as an alias: it answers as the canonical id, with Content-Location.
    old, new = RENAMED_ENTITY
    response = client.get(f"/api/v1/entities/{old}/figures?page_size=5")
    assert response.status_code == 200
    assert response.headers["Content-Location"] == f"/api/v1/entities/{new}/figures?page_size=5"
    assert client.get(f"/api/v1/figures/{GONE_FIGURE}").status_code == 404


def test_health_names_the_release_and_unreleased_changes(client, releases, tmp_path, story_fixtures, texts):
    body = client.get("/health").get_json()
    assert body["release"] == B and body["unreleased_changes"] is False
    rel, _, _ = releases
    # The story's fixtures are A's: served with both releases recorded, they differ from B's.
    other = tmp_path / "story.db"
    build(other, story_fixtures, texts, rel)
    body = make_app(other, TESTING=True).test_client().get("/health").get_json()
    assert body["release"] == B and body["unreleased_changes"] is True


def test_the_feed_parses_and_its_links_resolve(client):
    response = client.get("/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert [e.title.split(":")[0] for e in parsed.entries] == [B, A]
    first = parsed.entries[1]
    assert re.search(r"\d+ new estimates? of ", first.title), first.title
    latest = parsed.entries[0]
    assert "corrected estimate" in latest.title
    links = {link.href for entry in parsed.entries for link in entry.links}
    links |= {html.unescape(h) for h in re.findall(r'href="([^"]+)"', latest.content[0].value)}
    assert any(f"/api/v1/figures/{NOTE_FIGURE}" in link for link in links)
    for link in links:
        path = link.replace("http://localhost", "")
        assert client.get(path).status_code == 200, path


def test_the_changes_are_the_same_in_any_build(releases, tmp_path, texts):
    rel, served, fixtures_b = releases
    again = tmp_path / "again.db"
    build(again, fixtures_b, texts, rel)
    dump = "SELECT release_seq, kind, id, change, previous_id, record_row, fields FROM changes ORDER BY n"
    assert sqlite3.connect(again).execute(dump).fetchall() == sqlite3.connect(served).execute(dump).fetchall()


def test_the_recorded_releases_load(tmp_path):
    """releases/ of the repository: each release reads back against its digest, in version order."""

    paths = release_dirs(DEFAULT_RELEASES_DIR)
    assert paths and paths[0].name == "2026.12.1"
    conn = sqlite3.connect(tmp_path / "r.db")
    info = write_release_tables(conn, Fixtures(), DEFAULT_RELEASES_DIR)
    assert info["current_release"] == paths[-1].name
    first = conn.execute("SELECT summary FROM releases WHERE seq = 1").fetchone()[0]
    assert json.loads(first)["added"]["figure"] == read_release(paths[0])[0]["counts"]["figure"]


def test_a_release_folder_must_be_named_by_its_version(releases, tmp_path):
    rel, _, _ = releases
    copy = tmp_path / "releases"
    shutil.copytree(rel, copy)
    (copy / B).rename(copy / "2026.2.2")
    with pytest.raises(ReleaseError, match=r"2026.2.2/release.json: version '2026.2.1' differs"):
        read_release(copy / "2026.2.2")
    (copy / "2026.2.2").rename(copy / "latest")
    with pytest.raises(ReleaseError, match="'latest' is not a version"):
        release_dirs(copy)


def test_the_releases_are_part_of_the_build_id(releases, tmp_path, texts):
    rel, _, fixtures_b = releases
    fixtures = load_and_validate(fixtures_b, texts)
    with_both = build_id_for(fixtures, rel)
    copy = tmp_path / "releases"
    shutil.copytree(rel / A, copy / A)
    assert build_id_for(fixtures, copy) != with_both
    shutil.copytree(rel / B, copy / B)
    assert build_id_for(fixtures, copy) == with_both

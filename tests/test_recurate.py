"""Re-curating a text from scratch: the held-out copy of the fixtures, and comparing two curations."""

import shutil

import pytest
import yaml

from api.builder import database
from api.builder.fixtures import DEFAULT_FIXTURES_DIR, load, load_and_validate
from api.curate import compare, holdout
from api.curate.vocab import held_out

FIXTURES, _ = load(DEFAULT_FIXTURES_DIR)
SOURCES = sorted(FIXTURES.data("sources"), key=lambda s: s["filename"])


# The source whose held-out copy leaves out a record of every kind but one (metrics, claims,
# entities, events, assessments, …) stands for all in `make test-fast`; `make test` holds out each.
REPRESENTATIVE = "russia-north-korea-troop-build-up"
assert REPRESENTATIVE in {s["id"] for s in SOURCES}, "name another source to stand for all"


@pytest.mark.parametrize(
    "source",
    [pytest.param(s, id=s["id"], marks=() if s["id"] == REPRESENTATIVE else pytest.mark.slow) for s in SOURCES],
)
def test_held_out_copy_validates_and_keeps_nothing_of_the_source(source, tmp_path, texts):
    out = tmp_path / "held-out"
    holdout.write(DEFAULT_FIXTURES_DIR, source["id"], out)
    held = load_and_validate(out, texts)  # raises FixtureError on a dangling reference
    assert (out / "README.md").read_text(encoding="utf-8") == (DEFAULT_FIXTURES_DIR / "README.md").read_text("utf-8")
    assert source["id"] not in _source_fields(held.records)
    assert source["filename"] not in {s["filename"] for s in held.data("sources")}
    # What goes is what only the source's own records named.
    own = _strings(
        [source]
        + [
            r
            for k in ("figures", "exclusions", "statements", "assessments")
            for r in FIXTURES.data(k)
            if r["source"] == source["id"]
        ]
        + [c for ev in FIXTURES.data("events") for c in ev["citations"] if c["source"] == source["id"]]
        + [ev for ev in FIXTURES.data("events") if {c["source"] for c in ev["citations"]} == {source["id"]}]
        + [c for c in FIXTURES.data("claims") if c["id"] not in held.by_id("claims")]
    )
    for kind in ("entities", "claims"):
        gone = set(FIXTURES.by_id(kind)) - set(held.by_id(kind))
        assert gone <= own | _roles_only_of(source["id"]), (kind, gone - own)
    # Every other source keeps all its records, unchanged (compared on the copy loaded once, as
    # compare.Side.read loads it: reading both directories again for each source is most of the time).
    copy, _ = load(out)
    for kind in ("figures", "exclusions", "statements", "assessments"):
        assert copy.data(kind) == [r for r in FIXTURES.data(kind) if r["source"] != source["id"]]
    for other in SOURCES:
        if other is not source:
            rep = compare.compare(_side(FIXTURES, other["filename"]), _side(copy, other["filename"]))
            assert rep.lines == []
            assert all(n == [0, 0] for n in rep.only.values())


def _side(fx, filename: str) -> compare.Side:
    """The curation of ``filename`` in fixtures already loaded, as ``compare.Side.read`` finds it."""
    (source,) = [s for s in fx.data("sources") if s["filename"] == filename]
    return compare.Side(fx, source)


def _strings(value) -> set:
    if isinstance(value, str):
        return {value}
    values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return set().union(*map(_strings, values)) if values else set()


def _roles_only_of(source_id) -> set:
    """The entities whose every role is in ``source_id``: the source's own mentions."""
    return {
        e["id"] for e in FIXTURES.data("entities") if e["roles"] and {r["source"] for r in e["roles"]} == {source_id}
    }


def test_holding_out_nothing_keeps_everything(tmp_path):
    assert held_out(FIXTURES, None) == {kind: FIXTURES.data(kind) for kind in held_out(FIXTURES, None)}
    holdout.write(DEFAULT_FIXTURES_DIR, [], tmp_path / "copy")
    copy, problems = load(tmp_path / "copy")
    assert problems == []
    assert database.build_id_for(copy) == database.build_id_for(FIXTURES)


def test_a_ninth_source_held_out_leaves_the_story_as_it_was(tmp_path, story_fixtures):
    # What tests/conftest.py story_fixtures does when a curator has added an article.
    story, _ = load(story_fixtures)
    grown = tmp_path / "fixtures"
    shutil.copytree(story_fixtures, grown)
    ninth = {**story.data("sources")[0], "id": "valdoria-floods", "filename": "905_valdoria.txt", "cites": []}
    _append(grown / "sources.yaml", [ninth])
    _append(
        grown / "metrics.yaml",
        [
            {
                "id": "people-displaced",
                "label": "People displaced",
                "unit": "people",
                "category": "personnel",
                "description": "People displaced.",
                "parent": None,
            }
        ],
    )
    _append(
        grown / "entities" / "valdoria.yaml",
        [{"id": "valdoria", "name": "Valdoria", "type": "country", "aliases": [], "description": "Valdoria."}],
    )
    _append(
        grown / "claims" / "valdoria.yaml",
        [
            {
                "id": "valdoria-displaced",
                "statement": "People displaced in Valdoria.",
                "metric": "people-displaced",
                "subject": "valdoria",
            }
        ],
    )
    figure = {
        **story.data("figures")[0],
        "id": "s905-displaced",
        "source": "valdoria-floods",
        "claim": "valdoria-displaced",
        "event": None,
        "via": None,
    }
    figure["period"] = None
    _append(grown / "figures" / "valdoria.yaml", [figure])
    grew, problems = load(grown)
    assert problems == [] and len(grew.data("sources")) == len(story.data("sources")) + 1
    holdout.write(grown, ["valdoria-floods"], tmp_path / "again")
    again, problems = load(tmp_path / "again")
    assert problems == []
    for kind in again.records:
        assert again.data(kind) == story.data(kind), kind


def test_an_entity_kept_keeps_what_it_is_part_of(tmp_path, story_fixtures):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(story_fixtures, fixtures)
    path = fixtures / "entities" / "core.yaml"
    entities = yaml.safe_load(path.read_text(encoding="utf-8"))
    # Only 003's byline names tamilla-hasanova; an entity every source names becomes part of her.
    next(e for e in entities if e["id"] == "north-korea")["part_of"] = "tamilla-hasanova"
    path.write_text(yaml.safe_dump(entities, sort_keys=False, allow_unicode=True), encoding="utf-8")
    holdout.write(fixtures, "cnn-nk-up-to-30000-troops", tmp_path / "copy")  # validates the copy, or exits
    copy, _ = load(tmp_path / "copy")
    assert copy.by_id("entities")["tamilla-hasanova"]["roles"] == []


def test_the_holdout_command(tmp_path, capsys):
    out = tmp_path / "copy"
    assert holdout.main(["cnn-nk-up-to-30000-troops", str(out)]) == 0
    assert "without cnn-nk-up-to-30000-troops; records left out: sources 1," in capsys.readouterr().out
    with pytest.raises(SystemExit):
        holdout.main(["cnn-nk-up-to-30000-troops", str(out)])  # the directory exists
    assert "exists; give a new directory" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="no source 'nope'"):
        holdout.main(["nope", str(tmp_path / "other")])


def _append(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    old = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
    path.write_text(yaml.safe_dump(old + records, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _source_fields(value) -> set:
    """Every value of a ``source`` key anywhere in ``value``."""
    if isinstance(value, dict):
        return set().union({value["source"]} if "source" in value else set(), *map(_source_fields, value.values()))
    if isinstance(value, list):
        return set().union(*map(_source_fields, value))
    return _source_fields(value.data) if hasattr(value, "data") else set()


def test_held_out_refuses_an_unknown_source(tmp_path):
    with pytest.raises(SystemExit, match="no source"):
        holdout.write(DEFAULT_FIXTURES_DIR, "no-such-source", tmp_path / "x")


def _edit(path, edit):
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(records)
    path.write_text(yaml.safe_dump(records, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_compare_names_every_difference(tmp_path):
    other = tmp_path / "fixtures"
    shutil.copytree(DEFAULT_FIXTURES_DIR, other)
    name = "cnn-nk-up-to-30000-troops"
    filename = next(s["filename"] for s in SOURCES if s["id"] == name)
    same = compare.compare(compare.Side.read(DEFAULT_FIXTURES_DIR, filename), compare.Side.read(other, filename))
    assert same.lines == [] and same.matched["figures"] == 13

    def figure(records):
        records[1]["value"]["hedge"] = "about_range"
        records[1]["claimant"] = None
        records[1]["id"] = "renamed-by-the-second-curator"  # ids may differ; the place in the text matches

    _edit(other / "figures" / f"{name}.yaml", figure)
    _edit(other / "statements" / f"{name}.yaml", lambda records: records.pop(0))
    rep = compare.compare(compare.Side.read(DEFAULT_FIXTURES_DIR, filename), compare.Side.read(other, filename))
    changed = [line for line in rep.lines if line.startswith("figures:")]
    assert len(changed) == 1
    assert "value (25000.0, 30000.0, 'range') | (25000.0, 30000.0, 'about_range')" in changed[0]
    assert "claimant 'ukrainian-intelligence' | None" in changed[0]
    assert rep.same["figures"] == 12 and rep.matched["figures"] == 13
    assert rep.only["statements"] == [1, 0]
    assert [line for line in rep.lines if line.startswith("statements:")] == [
        "statements: only a: s003-report-russia-equipped-to-supply 'The Ukrainian report states that Russia’s defence ministry is equipped'"
    ]

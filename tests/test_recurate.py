"""Re-curating a text from scratch: the held-out copy of the fixtures, and comparing two curations."""

import shutil

import pytest
import yaml

from api.build.fixtures import DEFAULT_FIXTURES_DIR, load, load_and_validate
from api.curate import compare, holdout
from api.curate.vocab import Vocabulary

FIXTURES, _ = load(DEFAULT_FIXTURES_DIR)
SOURCES = sorted(FIXTURES.data("sources"), key=lambda s: s["filename"])


@pytest.mark.parametrize("source", SOURCES, ids=[s["id"] for s in SOURCES])
def test_held_out_copy_validates_and_keeps_nothing_of_the_source(source, tmp_path, texts):
    out = tmp_path / "held-out"
    holdout.write(DEFAULT_FIXTURES_DIR, source["id"], out)
    held = load_and_validate(out, texts)  # raises FixtureError on a dangling reference
    assert (out / "README.md").read_text(encoding="utf-8") == (DEFAULT_FIXTURES_DIR / "README.md").read_text("utf-8")
    assert source["id"] not in _source_fields(held.records)
    assert source["filename"] not in {s["filename"] for s in held.data("sources")}
    # The same rule as the leave-one-out drafts of `make draft-eval`.
    vocab = Vocabulary.from_fixtures(FIXTURES, exclude=source["id"])
    assert set(held.by_id("entities")) == set(vocab.entities)
    assert set(held.by_id("claims")) == set(vocab.claims)
    # Every other source keeps all its records, unchanged.
    for other in SOURCES:
        if other is not source:
            rep = compare.compare(
                compare.Side.read(DEFAULT_FIXTURES_DIR, other["filename"]),
                compare.Side.read(out, other["filename"]),
            )
            assert rep.lines == []
            assert all(n == [0, 0] for n in rep.only.values())


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

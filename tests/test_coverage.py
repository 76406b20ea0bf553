"""Strict coverage: an item is covered only by a record whose own value, date, cue or exclusion it is."""

import copy
import shutil

import yaml

from api.builder import coverage as coverage_cli
from api.builder import database
from api.builder.coverage import coverage, find_cues, find_items, gaps, own, uncovered

TEXT = "Officials said on Monday that 40 ships and 7 planes left, and 12 more will follow next week."


def _figure(value, **extra):
    record = {
        "id": f"f-{value}",
        "source": "s",
        "value": {"text": value},
        "period": None,
        "claimant": None,
        "via": None,
        "quote": TEXT,
        "span": [0, len(TEXT)],
    }
    record.update(extra)
    return record


def test_a_number_inside_another_records_quote_is_not_covered():
    # One figure quoting the whole sentence owns its own value only.
    left = uncovered(TEXT, {"figures": [_figure("40")]}, "s")
    assert [(i.kind, i.text) for i in left] == [
        ("cue", "said"),
        ("date", "Monday"),
        ("number", "7"),
        ("number", "12"),
        ("date", "next week"),
    ]


def test_each_record_owns_its_value_its_date_phrase_and_its_cue():
    figures = [
        _figure("40", claimant={"entity": None, "as_written": "Officials"}, period={"phrase": "on Monday"}),
        _figure("7"),
        _figure("12 more", period={"phrase": "next week"}),
    ]
    assert uncovered(TEXT, {"figures": figures}, "s") == []
    # An exclusion owns what it quotes: "7 planes" is not a claim here.
    exclusion = {
        "source": "s",
        "quote": "7 planes",
        "span": [TEXT.index("7 planes"), TEXT.index(" left")],
        "reason": "x",
    }
    assert uncovered(TEXT, {"figures": [figures[0], figures[2]], "exclusions": [exclusion]}, "s") == []


def test_a_cue_far_from_the_claimant_is_not_the_claimants():
    text = "Officials in the capital region of the country said 40 ships left."
    figure = _figure("40", quote=text, span=[0, len(text)], claimant={"entity": None, "as_written": "Officials"})
    assert [i.text for i in uncovered(text, {"figures": [figure]}, "s")] == ["said"]
    figure["claimant"]["as_written"] = "Officials in the capital region of the country"
    assert uncovered(text, {"figures": [figure]}, "s") == []


def test_a_cue_beside_a_named_party_is_that_records():
    text = "Later, the minister Ana Lind confirmed the visit on Friday."
    citation = {"source": "s", "quote": text, "span": [0, len(text)], "date": {"phrase": "on Friday"}}
    records = {"events": [{"id": "e", "citations": [citation]}], "entities": [{"id": "lind", "name": "Ana Lind"}]}
    assert [i.text for i in uncovered(text, records, "s")] == ["confirmed"]
    citation["actors"] = ["lind"]
    assert uncovered(text, records, "s") == []


def test_a_value_that_occurs_twice_in_its_quote_is_reported_not_guessed():
    text = "Some 40 left on Monday and 40 on Tuesday."
    owned, ambiguous = own({"figures": [_figure("40", quote=text, span=[0, len(text)])]})
    assert owned == {}
    assert [(a.label, a.field) for a in ambiguous] == [("figure f-40", "value.text")]
    assert "occurs 2 times" in ambiguous[0].message
    _, missing = own({"figures": [_figure("41", quote=text, span=[0, len(text)])]})
    assert "not in the record's quote" in missing[0].message


def test_a_statement_cue_that_occurs_twice_is_the_one_beside_its_speaker():
    text = "He said it was late. Ana Lind said no."
    statement = {
        "id": "st",
        "source": "s",
        "speaker": {"entity": None, "as_written": "Ana Lind"},
        "cue": "said",
        "quote": text,
        "span": [0, len(text)],
    }
    owned, ambiguous = own({"statements": [statement]})
    assert ambiguous == []
    assert [(o.start, o.end) for o in owned["s"]] == [(text.rindex("said"), text.rindex("said") + 4)]


def test_every_curated_text_is_covered_strictly(curated, texts):
    report = coverage(curated, texts)
    assert len(report) == 8
    assert gaps(report) == []


def test_deleting_any_figure_uncovers_its_number(curated, texts):
    # The containment rule let two figures of a text be deleted with every number still "covered".
    records = curated.records["figures"]
    alone = 0
    for i, rec in enumerate(records):
        fixtures = copy.copy(curated)
        # Only the figure's own text can lose coverage (each is covered before: the test above).
        own = [r for r in curated.records["sources"] if r.data["id"] == rec.data["source"]]
        fixtures.records = {**curated.records, "figures": records[:i] + records[i + 1 :], "sources": own}
        report = coverage(fixtures, texts)
        a = rec.data["span"][0] + rec.data["quote"].index(rec.data["value"]["text"])
        mine = {(a + m.start, a + m.end) for m in find_items(rec.data["value"]["text"]) if m.kind == "number"}
        rows = [r for e in report for r in e["rows"] if e["source"]["id"] == rec.data["source"]]
        left = [r for r in rows if (r["item"].start, r["item"].end) in mine]
        assert left, rec.data["id"]  # a value with a number in it is found by the coverage check
        # Still covered only where another record owns the same words (a citation's "second visit").
        if all(not r["covered_by"] for r in left):
            alone += 1
            assert gaps(report), rec.data["id"]
    assert alone >= 0.9 * len(records)


def test_the_coverage_command_fails_when_a_figure_is_deleted(tmp_path, story_fixtures, texts, capsys):
    assert coverage_cli.main(["--fixtures", str(story_fixtures), "--texts", str(texts)]) == 0
    copy_dir = tmp_path / "fixtures"
    shutil.copytree(story_fixtures, copy_dir)
    path = copy_dir / "figures" / "cnn-nk-up-to-30000-troops.yaml"
    figures = yaml.safe_load(path.read_text())
    kept = [f for f in figures if f["id"] not in ("s003-kn-missile-strikes-82", "s003-pokrovsk-civilians-killed-11")]
    assert len(kept) == len(figures) - 2
    path.write_text(yaml.safe_dump(kept, allow_unicode=True, sort_keys=False))
    capsys.readouterr()
    assert coverage_cli.main(["--fixtures", str(copy_dir), "--texts", str(texts)]) == 1
    out = capsys.readouterr().out
    assert "UNCOVERED number" in out and "[82]" in out and "[11] civilians" in out


def test_without_the_archive_coverage_is_a_notice(tmp_path, capsys):
    assert coverage_cli.main(["--texts", str(tmp_path / "absent")]) == 0
    assert "notice:" in capsys.readouterr().err


def test_cues_are_found_in_made_up_sentences():
    assert [i.text for i in find_cues("The agency reportedly said, according to aides.")] == [
        "reportedly",
        "said",
        "according to",
    ]


def test_make_check_applies_the_same_rule(tmp_path, story_fixtures, texts, capsys):
    copy_dir = tmp_path / "fixtures"
    shutil.copytree(story_fixtures, copy_dir)
    path = copy_dir / "figures" / "nk-plans-30000-more-troops.yaml"
    figures = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump(figures[1:], allow_unicode=True, sort_keys=False))
    assert database.main(["--check", "--fixtures", str(copy_dir), "--texts", str(texts)]) == 1
    err = capsys.readouterr().err
    assert "coverage: 000: UNCOVERED number" in err
    # Without the archive there is nothing to check against: a notice, not an error.
    assert database.main(["--check", "--fixtures", str(copy_dir), "--texts", str(tmp_path / "absent")]) == 0
    assert "notice:" in capsys.readouterr().err

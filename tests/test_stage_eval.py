"""The stage scorer's own judgements, on made-up records: what names a claimant, which cue governs."""

from api.curate.stage_eval import _names, _pick, rules_at

ENTITY = {"name": "Port Authority", "aliases": ["the harbour board"]}


def test_a_speaker_names_an_entity_by_name_alias_or_curated_words():
    assert _names("the Port Authority's spokesman", ENTITY, None)
    assert _names("The harbour board", ENTITY, None)
    assert _names("its chief", ENTITY, "its chief")
    assert not _names("Port Authorityx", ENTITY, None)
    assert not _names("He", ENTITY, "he")  # a pronoun names no one until it is resolved
    assert not _names(None, ENTITY, "Port Authority")


def cue(start, kind="verb", speaker=(0, 5)):
    return {"cue_start": start, "cue_end": start + 4, "kind": kind, "start": speaker[0], "end": speaker[1]}


def test_the_governing_cue_is_according_to_after_then_the_nearest_before_then_one_after():
    before, nearer, after, according = cue(10), cue(30), cue(80), cue(90, "after", (100, 110))
    value = (50, 55)
    assert _pick([before, nearer, after, according], value) is according
    assert _pick([before, nearer, after], value) is nearer
    assert _pick([after], value) is after
    assert _pick([], value) is None


def test_the_rules_of_a_commit_are_scored_from_that_commit():
    rules = rules_at("HEAD")
    assert rules.values.__name__ == "rules_then.values" and rules.label == "HEAD"
    text = "Officials counted about 40 ferries in port."
    assert [text[v.start : v.end] for v in rules.values.find_values(text, [])] == ["about 40"]
    assert rules.attribution.Vocabulary is rules.vocab.Vocabulary  # imports point into the same commit

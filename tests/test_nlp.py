"""The spaCy adapter on made-up sentences: plain data out, offsets into the text as given.

The pipeline loads once per test session (``nlp.pipeline`` is cached), so these tests cost one
load and a few milliseconds each.
"""

import pytest

from api.curate import nlp


def texts(text: str, spans) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_an_abbreviated_month_does_not_end_the_sentence():
    text = "The ministry said on Dec. 23 that 40 boats had docked at the harbour. Officials welcomed the news."
    assert texts(text, nlp.sentences(text)) == [
        "The ministry said on Dec. 23 that 40 boats had docked at the harbour.",
        "Officials welcomed the news.",
    ]
    assert [d["text"] for d in nlp.date_spans(text)] == ["Dec. 23"]


def test_a_line_break_ends_a_sentence():
    text = "Ferries return to the island\nThe port reopened on Monday after a storm."
    assert texts(text, nlp.sentences(text)) == [
        "Ferries return to the island",
        "The port reopened on Monday after a storm.",
    ]


def test_numbers_keep_their_hedge_words_and_a_day_is_not_a_number():
    text = "Inspectors counted about 1,200 ferries and some 300 barges, while at least 15 tugs stayed in port."
    assert [n["text"] for n in nlp.number_spans(text)] == ["about 1,200", "some 300", "at least 15"]
    first = nlp.number_spans(text)[0]
    assert text[first["number"][0] : first["number"][1]] == "1,200"
    dated = "On Jan. 11, 30 trucks crossed the bridge."
    assert [n["text"] for n in nlp.number_spans(dated)] == ["30"]
    assert [d["text"] for d in nlp.date_spans(dated)] == ["Jan. 11"]


@pytest.mark.parametrize(
    ("text", "cue", "speaker"),
    [
        (
            "The harbour master of the island told reporters that 40 boats sank.",
            "told",
            "The harbour master of the island",
        ),
        ("“We are ready for the season,” Mayor Anna Berg said.", "said", "Mayor Anna Berg"),
        ("Rescuers found nearly 80 people, the agency said last week.", "said", "the agency"),
        ("According to the port authority, 12 ships left before noon.", "According to", "the port authority"),
        ("The fire was reported by a neighbour.", "reported", "a neighbour"),
        ("Twelve ships were reported missing.", "reported", None),
    ],
)
def test_the_speaker_of_a_cue_as_written(text, cue, speaker):
    found = [s for s in nlp.reporting_subjects(text) if s["cue"] == cue]
    assert len(found) == 1, nlp.reporting_subjects(text)
    assert found[0]["text"] == speaker
    if speaker:
        assert text[found[0]["start"] : found[0]["end"]] == speaker


@pytest.mark.parametrize(
    ("text", "cue", "speaker"),
    [
        ("The coast guard estimated that more than 50 sailors were rescued.", "estimated", "The coast guard"),
        ("The navy has not confirmed the port's estimate of 40 ships.", "estimate", "the port's estimate"),
        ("Ships left early, the report adds.", "adds", "the report"),
    ],
)
def test_the_speaker_of_a_cue_found_by_another_finder(text, cue, speaker):
    at = text.index(cue)
    assert nlp.speaker_at(text, at, at + len(cue))["text"] == speaker


def test_entities_are_plain_dicts_with_labels():
    text = "Anna Berg visited the town in March with the Baltic Ferry Company."
    found = {(e["text"], e["label"]) for e in nlp.entities(text)}
    assert {("Anna Berg", "PERSON"), ("March", "DATE"), ("the Baltic Ferry Company", "ORG")} <= found
    assert all(text[e["start"] : e["end"]] == e["text"] for e in nlp.entities(text))


def test_one_parse_serves_every_function():
    text = "Officials said 14 ferries sailed on Friday."
    nlp.parse.cache_clear()
    nlp.sentences(text), nlp.number_spans(text), nlp.date_spans(text), nlp.reporting_subjects(text)
    assert nlp.parse.cache_info().misses == 1

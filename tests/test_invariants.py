"""Invariants over every record: attribution where the text attributes, prose that agrees with its record,
periods as narrow as the text gives them. Each check holds on the curated data and fires on a made-up breach."""

import copy

from api.builder.review import review, sentence_before


def _flags(fixtures, texts) -> dict[tuple[str, str], str]:
    return {(p.record, p.field): p.message for p in review(fixtures, texts)}


def _by_id(fixtures, kind):
    return {r.data["id"]: r.data for r in fixtures.records[kind]}


def test_the_curated_records_hold_every_invariant(curated, texts):
    assert review(curated, texts) == []


def test_sentence_before_reaches_back_one_sentence():
    text = "First one. Second one said so. Third “quoted.” Fourth"
    assert sentence_before(text, text.index("Fourth")) == "Third “quoted.” "
    assert sentence_before(text, text.index("Third")) == "Second one said so. "
    assert sentence_before(text, 3) == "Fir"


def test_a_citation_actor_its_quote_does_not_name_is_flagged(curated, texts):
    fixtures = copy.deepcopy(curated)
    event = _by_id(fixtures, "events")["kn-23-kn-24-missile-strikes-on-ukraine"]
    event["citations"][0]["actors"] = ["volodymyr-zelensky"]
    event["citations"][0]["note"] = None
    flags = _flags(fixtures, texts)
    assert "not named" in flags[("kn-23-kn-24-missile-strikes-on-ukraine", "citations.0.actors.0")]


def test_an_attribution_far_from_its_quote_is_flagged_unless_the_note_says_why(curated, texts):
    fixtures = copy.deepcopy(curated)
    citation = _by_id(fixtures, "events")["kn-23-kn-24-missile-strikes-on-ukraine"]["citations"][0]
    citation["attribution"] = {"entity": "volodymyr-zelensky", "as_written": "Zelensky said"}
    key = ("kn-23-kn-24-missile-strikes-on-ukraine", "citations.0.attribution")
    assert key in _flags(fixtures, texts)
    citation["note"] = "The attribution is two paragraphs before."
    assert key not in _flags(fixtures, texts)


def test_a_claimant_with_no_cue_nearby_is_flagged(curated, texts):
    fixtures = copy.deepcopy(curated)
    figure = next(f for f in fixtures.data("figures") if f["claimant"] is None and not f["note"])
    figure["claimant"] = {"entity": "south-korea", "as_written": "Seoul"}
    assert "is it who the sentence credits" in _flags(fixtures, texts)[(figure["id"], "claimant")]


def test_a_note_its_field_contradicts_is_flagged(curated, texts):
    fixtures = copy.deepcopy(curated)
    dated = next(f for f in fixtures.data("figures") if f["period"])
    dated["note"] = "Undated in this sentence, so period is null."
    hedged = next(f for f in fixtures.data("figures") if f["value"]["hedge"] == "about" and f is not dated)
    hedged["note"] = "The hedge is exact here."
    unattributed = next(f for f in fixtures.data("figures") if f["claimant"] is not None and f is not dated)
    unattributed["note"] = "The text names no claimant."
    flags = _flags(fixtures, texts)
    assert "period is null" in flags[(dated["id"], "note")]
    assert "hedge is exact" in flags[(hedged["id"], "note")]
    assert "no claimant" in flags[(unattributed["id"], "note")]
    # Prose that agrees with its field is not flagged.
    dated["note"] = "The period is set from the event."
    assert (dated["id"], "note") not in _flags(fixtures, texts)


def test_a_fixture_file_name_in_served_text_is_flagged(curated, texts):
    fixtures = copy.deepcopy(curated)
    exclusion = fixtures.records["exclusions"][0]
    exclusion.data["reason"] += " (see exclusions/other.yaml)"
    figure = fixtures.records["figures"][0].data
    figure["note"] = "Checked against drafts.jsonl."
    flags = _flags(fixtures, texts)
    assert "exclusions/other.yaml" in flags[(exclusion.label, "reason")]
    assert "drafts.jsonl" in flags[(figure["id"], "note")]


def test_a_date_phrase_outside_its_quote_is_flagged(curated, texts):
    fixtures = copy.deepcopy(curated)
    event = next(e for e in fixtures.data("events") if e["citations"][0]["date"])
    event["citations"][0]["date"]["phrase"] = "on a day the quote does not give"
    flags = _flags(fixtures, texts)
    assert "not in the record's quote" in flags[(event["id"], "citations.0.date.phrase")]


def test_a_period_wider_than_its_own_sources_event_date_is_flagged(curated, texts):
    fixtures = copy.deepcopy(curated)
    figure = _by_id(fixtures, "figures")["s002-south-korea-additional-troops-3000"]
    figure["period"].update(start="2025", end=None, precision="year")
    flags = _flags(fixtures, texts)
    assert "2025-01-01..2025-03-31" in flags[("s002-south-korea-additional-troops-3000", "period")]


def test_the_earlier_this_year_figures_end_with_the_month_of_the_report(curated):
    figures = {
        f["id"]: f["period"] for f in curated.data("figures") if f["claim"] == "south-korea-additional-troops-2025"
    }
    reported_in_march = {k: v for k, v in figures.items() if v and v["phrase"] == "earlier this year"}
    assert len(reported_in_march) == 2 and all(
        (p["start"], p["end"]) == ("2025-01", "2025-03") for p in reported_in_march.values()
    )
    # The March report itself gives the months: January and February.
    in_march = {k: (v["start"], v["end"]) for k, v in figures.items() if k.startswith("s007-") and v}
    assert in_march and set(in_march.values()) == {("2025-01", "2025-02")}

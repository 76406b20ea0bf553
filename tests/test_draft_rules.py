"""The drafting rules one by one, each on made-up sentences (none from the archived texts)."""

import datetime as dt

import pytest

from api.curate import dates, values
from api.curate.attribution import sentences
from api.curate.draft import Drafter
from api.curate.vocab import Vocabulary

THU = dt.date(2031, 5, 15)  # a Thursday


def one_date(text, ref=THU):
    found = [d for d in dates.find_dates(text, ref, assumed=False) if d.spec is not None or ref is None]
    assert len(found) == 1, [(d.phrase, d.spec) for d in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("The mayor spoke on Dec. 23 about the dam.", "2030-12-23"),
        ("The mayor spoke on Dec 3 about the dam.", "2030-12-03"),
        ("Trains stopped on Sept. 4, 2029 in the valley.", "2029-09-04"),
        ("Trains stopped Jan. 11.", "2031-01-11"),
        ("Trains stopped on May 2.", "2031-05-02"),
    ],
)
def test_abbreviated_months_with_and_without_a_period_are_days(text, start):
    d = one_date(text)
    assert d.spec["start"] == start and d.spec["precision"] == "day"


def test_a_month_abbreviation_before_its_day_does_not_end_the_sentence():
    text = "The council said on Nov. 9 that 40 bridges closed. Gen. Oduya agreed. They left in Dec. The end."
    assert [text[a:b] for a, b in sentences(text)] == [
        "The council said on Nov. 9 that 40 bridges closed.",
        "Gen. Oduya agreed.",
        "They left in Dec.",
        "The end.",
    ]


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("the ministry said Thursday.", "2031-05-15"),  # the publication day named by its weekday
        ("the ministry said on Tuesday.", "2031-05-13"),
        ("the ministry said last Thursday.", "2031-05-08"),
        ("the ministry will say next Monday.", "2031-05-19"),
    ],
)
def test_weekdays_count_back_from_the_publication_day_including_it(text, start):
    assert one_date(text).spec["start"] == start


@pytest.mark.parametrize(
    ("text", "start", "precision"),
    [
        ("Prices rose earlier this year.", "2031", "year"),
        ("Prices rose last month.", "2031-04", "month"),
        ("Prices rose this month.", "2031-05", "month"),
        ("Prices rose earlier in November.", "2030-11", "month"),
    ],
)
def test_relative_phrases_resolve_against_the_reference_date(text, start, precision):
    d = one_date(text)
    assert (d.spec["start"], d.spec["precision"]) == (start, precision)
    assert d.spec["resolved_from"] == THU.isoformat()


def test_without_a_reference_date_only_dates_that_state_their_year_resolve():
    found = {d.phrase: d.spec for d in dates.find_dates("On Dec. 2 and last month, and in March 2029.", None)}
    assert found["On Dec. 2"] is None and found["last month"] is None
    assert found["in March 2029"]["start"] == "2029-03"


def test_every_pattern_has_a_resolver():
    assert {name for name, _ in dates.PATTERNS} == set(dates.RESOLVERS)


def value(text):
    found = [v for v in values.find_values(text, []) if v.kind == "figure"]
    assert len(found) == 1, [(text[v.start : v.end], v.value) for v in found]
    return found[0].value


@pytest.mark.parametrize(
    ("text", "low", "high", "hedge", "words"),
    [
        ("The toll has surpassed 4,200, the agency said.", 4200, None, "more_than", "has surpassed 4,200"),
        ("The toll exceeded 70 by noon.", 70, None, "more_than", "exceeded 70"),
        ("Some 600 or more boats sailed.", 600, None, "at_least", "Some 600 or more"),
        ("About 90 or so boats sailed.", 90, 90, "about", "About 90 or so"),
        ("A 500-plus crowd came.", 500, None, "at_least", "500-plus"),
        ("Nearly 800 people voted.", None, 800, "up_to", "Nearly 800"),
        ("Almost 30 ships docked.", None, 30, "up_to", "Almost 30"),
        ("Over 900 people voted.", 900, None, "more_than", "Over 900"),
        ("20 or fewer seats remain.", None, 20, "up_to", "20 or fewer"),
    ],
)
def test_hedges_before_and_after_the_number(text, low, high, hedge, words):
    assert value(text) == {"low": low, "high": high, "hedge": hedge, "text": words}


def test_every_hedge_rule_is_documented_and_names_a_known_hedge():
    from schemas.vocabulary import HEDGES

    for rule in [*values.HEDGE_BEFORE, *values.HEDGE_AFTER]:
        assert rule.doc and rule.hedge in HEDGES, rule.name


@pytest.mark.parametrize(
    ("text", "quote", "rule"),
    [
        ("The navy fired 155 mm shells.", "155 mm", "calibre"),
        ("The navy fired 76 millimeter shells.", "76 millimeter", "calibre"),
        ("They carried 12-inch guns.", "12-inch", "calibre"),
        ("A 34-year-old farmer was hurt.", "34-year-old", "age"),
        ("The 42nd Rifle Division moved.", "42nd Rifle", "ordinal_name"),
    ],
)
def test_numbers_that_describe_or_name_something_are_exclusions(text, quote, rule):
    found = values.find_values(text, [])
    (ex,) = [v for v in found if v.kind == "exclusion"]
    assert text[ex.start : ex.end] == quote
    assert ex.reason == next(r.reason for r in values.NOT_A_CLAIM if r.name == rule)
    assert not [v for v in found if v.kind == "figure"]


VALUE_CASES = [
    # (rule, made-up sentence, the words it reads, figure or exclusion, (low, high, hedge) of a figure)
    ("vague", "Thousands of volunteers cleared the beach.", "Thousands of volunteers", "figure", (None, None, "vague")),
    ("described", "The ferry carried 20 mm cannon.", "20 mm", "exclusion", None),
    ("described", "A 61-year-old baker won.", "61-year-old", "exclusion", None),
    ("name_part", "The lab tested the XR-7 drone.", "XR-7", "exclusion", None),
    ("one_as_pronoun", "Only one of the bridges held.", "one", "exclusion", None),
    ("one_as_pronoun", "They chose the red one.", "one", "exclusion", None),
    ("named_group", "The three nations signed the pact.", "The three nations", "exclusion", None),
    ("modifier", "The 800-strong garrison left the fort.", "800-strong garrison", "exclusion", None),
    ("quantity", "The storm felled 240 trees.", "240", "figure", (240, 240, "exact")),
    ("quantity", "Between 5-10 boats sank.", "Between 5-10", "figure", (5, 10, "range")),
    ("quantity", "Volunteers aged 18 to 25 came.", "aged 18 to 25", "figure", (18, 25, "range")),
    ("quantity", "Roughly 40 to 50 kites flew.", "Roughly 40 to 50", "figure", (40, 50, "about_range")),
    ("ordinal_name", "The 3rd Harbour Brigade left.", "3rd Harbour", "exclusion", None),
    ("multiplier", "Ticket sales tripled in a year.", "tripled", "figure", (3, 3, "exact")),
    ("first", "It was the first flood in the valley.", "the first flood", "exclusion", None),
    ("ordinal", "The mayor made a second visit to the dam.", "second visit", "figure", (2, 2, "exact")),
    ("vague_word", "Half the fleet stayed home.", "Half", "exclusion", None),
    ("vague_word", "The mill stood for decades.", "decades", "exclusion", None),
]


@pytest.mark.parametrize(("rule", "text", "quote", "kind", "bounds"), VALUE_CASES)
def test_each_value_rule_on_a_made_up_sentence(rule, text, quote, kind, bounds):
    (found,) = values.find_values(text, [])
    assert (found.rule, text[found.start : found.end], found.kind) == (rule, quote, kind)
    if bounds:
        assert (found.value["low"], found.value["high"], found.value["hedge"]) == bounds
        assert found.value["text"] == quote
    else:
        assert found.reason


def test_every_value_rule_is_documented_and_tried():
    assert {r.name for r in values.VALUE_RULES} == {case[0] for case in VALUE_CASES}
    assert {r.pattern for r in values.VALUE_RULES} == set(values.PATTERNS)
    assert all(r.doc for r in values.VALUE_RULES)


def test_an_earlier_rule_holds_its_words():
    # "tens of thousands" is one vague quantity, not two numbers; a taken span (a date) is no number.
    text = "Tens of thousands marched in 2029."
    found = values.find_values(text, [(text.index("2029"), len(text) - 1)])
    assert [(v.rule, v.value["text"]) for v in found] == [("vague", "Tens of thousands")]


@pytest.fixture(scope="module")
def vocab(story_fixtures):
    from api.builder.fixtures import load

    fx, problems = load(story_fixtures)
    assert problems == []
    return Vocabulary.from_fixtures(fx)


ARCHIVED = """Floodwaters Reach Old Harbour, Officials Say
Source: The Valdoria Ledger, 2031-05-15

More than 2,000 homes were flooded on Thursday, the harbour office said.
"""


def test_the_archive_source_line_is_metadata_not_a_figure(vocab):
    out = Drafter(vocab).draft(ARCHIVED, "950_ledger.txt")
    (source,) = out["sources"]
    assert source["outlet"] == "the-valdoria-ledger"
    assert source["published"]["start"] == "2031-05-15" and source["published"]["quote"] == "2031-05-15"
    assert source["reference_date"]["basis"].startswith("archive metadata")
    assert "archive metadata" in source["note"]
    assert [f["value"]["text"] for f in out["figures"]] == ["More than 2,000"]
    (fig,) = out["figures"]
    assert fig["period"] is None or fig["period"]["start"] == "2031-05-15"
    (outlet,) = [e for e in out["entities"] if e["id"] == "the-valdoria-ledger"]
    assert outlet["type"] == "media-outlet"
    (event,) = [e for e in out["events"] if e["citations"][0]["date"]]
    assert event["citations"][0]["date"]["start"] == "2031-05-15"  # "on Thursday": the day of publication


DATELINED = """Dam Holds After Storm
PORTVALE, Oct. 3, 2031 (Valnews) -- Engineers said Friday that 14 gates opened last week.
"""
UNDATED_DATELINE = """Dam Holds After Storm
PORTVALE, Oct. 3 (Valnews) -- Engineers said Friday that 14 gates opened last week.
"""


def test_a_dated_dateline_dates_the_text_and_is_not_a_figure(vocab):
    out = Drafter(vocab).draft(DATELINED, "951_dateline.txt")
    (source,) = out["sources"]
    assert source["published"]["start"] == "2031-10-03"
    assert source["reference_date"]["basis"] == "the date of the text's dateline"
    assert [f["value"]["text"] for f in out["figures"]] == ["14"]
    assert out["figures"][0]["period"]["start"] == "2031-09-22"  # last week: the Monday of the week before


def test_a_dateline_without_a_year_gives_no_reference_date_and_is_an_exclusion(vocab):
    out = Drafter(vocab).draft(UNDATED_DATELINE, "952_dateline.txt")
    (source,) = out["sources"]
    assert source["reference_date"] is None
    assert source["draft"]["why"]["reference_date"].startswith("no reference date")
    assert [f["value"]["text"] for f in out["figures"]] == ["14"]
    assert out["figures"][0]["period"] is None
    (ex,) = [x for x in out["exclusions"] if "dateline" in x["reason"]]
    assert ex["quote"].startswith("PORTVALE, Oct. 3")


METRICS = {
    "troops-additional-planned": {
        "id": "troops-additional-planned",
        "words": ["plans to send", "preparing", "likely"],
        "overrides": ["troops-deployed"],
    },
    "troops-deployed": {"id": "troops-deployed", "words": ["sent", "send", "deployed", "dispatched"]},
    "troops-killed-or-wounded": {
        "id": "troops-killed-or-wounded",
        "words": ["killed and wounded", "killed, wounded", "casualties"],
    },
    "troops-killed": {"id": "troops-killed", "words": ["killed", "dead", "fatalities"]},
    "civilians-killed": {"id": "civilians-killed", "words": ["killed"], "requires": ["civilians"]},
    "shells-supplied": {"id": "shells-supplied", "words": ["supplied", "supply"], "requires": ["shells"]},
    "multiplier": {"id": "multiplier", "words": ["triple", "double"]},
}


def metric_of(sentence, number):
    from api.curate import metrics

    a = sentence.index(number)
    b = a + len(number)
    w0, w1 = metrics.window(sentence, 0, len(sentence), a, b, [], metrics.metric_words(METRICS))
    wide = f"{sentence[:w0]} | {sentence[w1:]}"
    found = metrics.fit(METRICS, sentence[w0:a], sentence[b:w1], wide, number)
    return found[0].metric if found else None


@pytest.mark.parametrize(
    ("sentence", "number", "metric"),
    [
        ("At least 40 soldiers were killed and wounded near the ford", "40", "troops-killed-or-wounded"),
        ("Some 40 soldiers were killed near the ford", "40", "troops-killed"),
        ("Over 40 soldiers killed, wounded in the valley", "40", "troops-killed-or-wounded"),
        ("12 civilians were killed in the blast", "12", "civilians-killed"),
        ("The army has 900 casualties", "900", "troops-killed-or-wounded"),
        ("The state dispatched 700 troops in May", "700", "troops-deployed"),
        ("The state plans to send 700 more troops", "700", "troops-additional-planned"),
        ("The state is preparing to grow its force, sending 700 troops", "700", "troops-additional-planned"),
        ("On top of the 700 deployed in May, more are likely", "700", "troops-deployed"),
        ("The number of killed and wounded soldiers has passed 300", "300", "troops-killed-or-wounded"),
        ("The move would tripled the force", "tripled", "multiplier"),
        ("The mayor praised the 40 volunteers", "40", None),
    ],
)
def test_a_number_takes_the_metric_whose_words_stand_next_to_it(sentence, number, metric):
    assert metric_of(sentence, number) == metric


def test_what_a_number_counts_must_follow_it_when_anything_does():
    # "supply" names the shells' metric, but the 50 counts launchers, not shells.
    assert metric_of("They supply shells, and 50 launchers", "50") is None
    assert metric_of("They supply ammunition, including 50 shells", "50") == "shells-supplied"


def test_a_number_no_metric_fits_gets_a_proposed_metric_with_its_words():
    from api.curate import metrics

    assert metrics.propose("at least 40 were killed and", " injured", "") == {
        "id": "items-injured",
        "label": "Items injured",
        "unit": "items",
        "words": ["injured"],
    }
    proposed = metrics.propose("the army lost", " pieces of heavy howitzers", "")
    assert proposed["id"] == "howitzers-counted" and proposed["unit"] == "howitzers"


def test_leave_one_out_drops_the_metric_words_only_the_held_out_text_brought():
    from api.curate import metrics

    kept = metrics.held_out_words(METRICS, "They were dispatched and killed.", ["Troops were killed."])
    assert "dispatched" not in kept["troops-deployed"]["words"]  # only the held-out text has it
    assert "killed" in kept["troops-killed"]["words"]  # another text has it too
    assert "sent" in kept["troops-deployed"]["words"]  # no text has it: a general word stays


def test_every_curated_metric_has_words_and_they_name_no_text(story_fixtures, texts):
    import yaml

    metrics = yaml.safe_load((story_fixtures / "metrics.yaml").read_text("utf-8"))
    for m in metrics:
        assert m["words"], m["id"]
        for term in m["words"] + m.get("requires", []):
            assert len(term.split()) <= 4, (m["id"], term)  # a general term, not a phrase of a text


STORY = """Floods Hit Valdoria, Officials Say
Source: The Valdoria Ledger, 2031-05-15

At least 40 people were killed, a Valdorian lawmaker told reporters on Thursday.
Briefed by Valdoria's flood agency, lawmaker Anna Brisk said 300 homes were lost.
Brisk said the Valdorian Rescue Command (VRC) sent 200 boats.
The VRC said 12 bridges closed. The lawmaker said more rain was due.
Valdorian river officials reported 900 people displaced.
"""


def test_claimants_come_from_who_is_named_and_later_short_forms(vocab):
    out = Drafter(vocab).draft(STORY, "953_floods.txt")
    by_value = {f["value"]["text"]: f for f in out["figures"]}
    ents = {e["id"]: e for e in out["entities"]}
    assert ents["anna-brisk"]["type"] == "person" and "Brisk" not in ents  # no entity for a short form
    assert ents["valdorian-rescue-command"]["aliases"] == ["VRC"]
    assert ents["valdorian-rescue-command"]["type"] == "military"
    # "a Valdorian lawmaker" before the name, "Brisk" and "The lawmaker" after it: the person introduced.
    assert by_value["At least 40"]["claimant"]["entity"] == "anna-brisk"
    assert by_value["300"]["claimant"]["entity"] == "anna-brisk"
    assert by_value["200"]["claimant"]["entity"] == "anna-brisk"
    assert by_value["12"]["claimant"]["entity"] == "valdorian-rescue-command"  # "The VRC"
    # An unnamed party is a suggested entity typed from its words, not the nearest known one.
    assert by_value["900"]["claimant"]["entity"] == "valdorian-river-officials"
    assert ents["valdorian-river-officials"]["type"] == "group"
    statement = next(s for s in out["statements"] if s["quote"].startswith("The lawmaker"))
    assert statement["speaker"]["entity"] == "anna-brisk"


def test_entity_suggestions_are_proper_nouns_of_the_body_only(vocab):
    out = Drafter(vocab).draft(STORY, "953_floods.txt")
    names = {e["name"] for e in out["entities"]}
    assert not {"Floods", "Hit", "Say", "Officials", "Briefed", "At", "Thursday"} & names
    assert "The Valdoria Ledger" in names  # the archive's outlet, as a media outlet


@pytest.mark.parametrize(
    ("phrase", "rule"),
    [
        ("Ministry of Ports", "government"),
        ("Harbour Intelligence Service", "agency"),
        ("Ninth Rifle Brigade", "unit"),
        ("Daily Lantern", "outlet"),
        ("Kavor Oblast", "region"),
    ],
)
def test_a_new_name_is_typed_by_its_words(phrase, rule):
    from api.curate.entities import NAME_TYPES, type_of

    assert type_of(NAME_TYPES, phrase)[0] == next(r.type for r in NAME_TYPES if r.name == rule)


def test_a_possessive_names_the_owners_party_with_the_same_head(vocab):
    from api.curate.entities import TextEntities, TextVocabulary

    text = "South Korea's spy agency said so, and the South's military agreed."
    tv = TextVocabulary(vocab, text, TextEntities(), "x")
    assert tv.best_entity("South Korea's spy agency")[0] == "national-intelligence-service"
    assert tv.best_entity("The South's military")[0] == "south-korean-military"


def test_a_known_event_is_cited_only_when_type_actors_and_date_agree(vocab):
    from api.curate import events

    index = events.EventIndex(vocab.events)
    massing = "Russia is massing its own troops near the eastern hub of Pokrovsk ahead of an offensive."
    assert [k for k, _ in events.known_events(vocab, index, massing, [], dt.date(2025, 7, 2))] == [
        "russia-masses-troops-near-pokrovsk"
    ]
    # The same words, but a visit: the type disagrees.
    visit = "Russia's envoy visited troops near the eastern hub of Pokrovsk ahead of an offensive."
    assert "russia-masses-troops-near-pokrovsk" not in [
        k for k, _ in events.known_events(vocab, index, visit, [], None)
    ]


def test_a_date_in_the_cues_phrase_dates_the_saying_not_the_number(vocab):
    text = "The mayor told reporters on Oct. 2 that 40 homes flooded.\nAt least 12 roads closed since early October, a clerk said.\n"
    out = Drafter(vocab).draft(text, "955_told.txt", reference=dt.date(2031, 10, 5))
    by_value = {f["value"]["text"]: f for f in out["figures"]}
    assert by_value["40"]["period"] is None
    assert by_value["At least 12"]["period"]["start"] == "2031-10"  # between the number and the speaker: the number's


def test_a_clause_with_a_count_before_the_speaker_is_not_an_appositive(vocab):
    text = "12 barges sank on Monday, the river authority said.\n"
    (fig,) = Drafter(vocab).draft(text, "957_barges.txt", reference=dt.date(2031, 10, 5))["figures"]
    assert fig["claimant"]["as_written"] == "the river authority"


def test_the_assessment_refers_back_to_the_previous_speaker(vocab):
    text = "The harbour office said 40 homes flooded. The assessment came as the rain went on.\n"
    out = Drafter(vocab).draft(text, "956_assessment.txt", reference=dt.date(2031, 10, 5))
    (st,) = [s for s in out["statements"] if s["quote"].startswith("The assessment")]
    (fig,) = out["figures"]
    assert fig["claimant"]["entity"] is not None
    assert st["speaker"]["entity"] == fig["claimant"]["entity"]


def test_a_proposed_metric_takes_the_past_form_a_metric_lists_and_the_texts_unit():
    from api.curate import metrics

    proposed = metrics.propose("", " launchers", "They supply shells | ", METRICS)
    assert proposed["id"] == "launchers-supplied" and proposed["words"] == ["supplied"]
    assert metrics.propose("the number of injured is due to reach", "", "", METRICS, unit="troops")["id"] == (
        "troops-injured"
    )


@pytest.mark.parametrize(
    ("rule", "text", "start", "end", "precision"),
    [
        ("month_or_month", "The fair opened in July or August.", "2030-07", "2030-08", "month"),
        ("month_day", "The fair opened on Feb. 9.", "2031-02-09", None, "day"),
        ("day_month", "The fair opened on 9 February.", "2031-02-09", None, "day"),
        ("month", "The fair opened last November.", "2030-11", None, "month"),
        ("season", "The fair opened in fall 2029.", "2029-09", "2029-11", "season"),
        ("weekday", "The fair opened on Monday.", "2031-05-12", None, "day"),
        ("relative", "The fair opened last week.", "2031-05-05", "2031-05-11", "week"),
        ("ago", "The fair opened two weeks ago.", "2031-04-28", "2031-05-04", "week"),
        ("within", "The fair opens within 48 hours.", "2031-05-13", "2031-05-15", "day"),
        ("yesterday", "The fair opened yesterday.", "2031-05-14", None, "day"),
        ("year", "The fair opened in 2027.", "2027", None, "year"),
    ],
)
def test_each_date_rule_on_a_made_up_sentence(rule, text, start, end, precision):
    (found,) = [d for d in dates.find_dates(text, THU, assumed=False) if d.spec]
    assert (
        next(name for name, rx in dates.COMPILED if rx.search(text) and rx.search(text).group() == found.phrase) == rule
    )
    assert (found.spec["start"], found.spec.get("end"), found.spec["precision"]) == (start, end, precision)

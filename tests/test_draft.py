"""Curation tools: drafting a new text, the build refusing drafts, the review page, the leave-one-out score."""

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from api.builder.coverage import find_cues, find_items
from api.builder.fixtures import DEFAULT_FIXTURES_DIR, FixtureError, load, load_and_validate
from api.curate import draft as draft_cli
from api.curate import evaluate, review
from api.curate.draft import Drafter, write_draft
from api.curate.vocab import Vocabulary

ROOT = Path(__file__).resolve().parent.parent
REF = dt.date(2025, 7, 2)  # a reference date for made-up texts that give none (make draft … REF=…)

# A made-up article: none of it is in fixtures/ or the archived texts.
ARTICLE = """Floods displace thousands in Valdoria
Published: March 14, 2026
Heavy rain has forced more than 12,000 people from their homes in northern Valdoria, the Interior Ministry said on Tuesday.
Aid agencies estimate that between 3,000 and 5,000 families will need shelter, according to TASS.
Governor Elena Marsh told CNN that up to 300 soldiers and roughly 25,000 to 30,000 sandbags were sent last November.
The flood could triple the damage of 2024, when nine million euros of crops were lost and tens of thousands fled.
Relief teams reached the KN-23 depot on June 4, officials said.
"""


@pytest.fixture(scope="module")
def fixtures(story_fixtures):
    fx, problems = load(story_fixtures)
    assert problems == []
    return fx


@pytest.fixture(scope="module")
def drafted(fixtures):
    return Drafter(Vocabulary.from_fixtures(fixtures)).draft(ARTICLE, "900_valdoria.txt")


def figure(drafted, value_text):
    found = [f for f in drafted["figures"] if f["value"]["text"] == value_text]
    assert len(found) == 1, (value_text, [f["value"]["text"] for f in drafted["figures"]])
    return found[0]


def test_source_record_has_the_text_facts_and_no_invented_ones(drafted):
    (source,) = drafted["sources"]
    assert source["char_count"] == len(ARTICLE)
    assert len(source["sha256"]) == 64
    assert source["title"] == "Floods displace thousands in Valdoria"
    assert ARTICLE[slice(*source["title_span"])] == source["title"]
    assert source["published"]["start"] == "2026-03-14"
    assert source["reference_date"] == {"date": "2026-03-14", "basis": "the publication date the text gives"}
    assert source["author"] is None and source["unconfirmed"] is True


def test_a_text_without_a_date_resolves_no_relative_date_and_says_why(fixtures):
    text = "Officials said 400 troops arrived last November.\n"
    out = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "901_undated.txt")
    (source,) = out["sources"]
    assert source["published"] is None and source["title"] is None
    assert source["reference_date"] is None
    assert source["draft"]["why"]["reference_date"].startswith("no reference date")
    (fig,) = out["figures"]
    assert fig["period"] is None


def test_a_reference_date_given_when_drafting_resolves_relative_dates_as_assumed(fixtures):
    text = "Officials said 400 troops arrived last November.\n"
    out = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "901_undated.txt", reference=dt.date(2026, 2, 1))
    (source,) = out["sources"]
    assert source["reference_date"]["basis"].startswith("assumed:")
    (fig,) = out["figures"]
    assert fig["period"]["start"] == "2025-11" and fig["period"]["resolved_from"] == "2026-02-01"


@pytest.mark.parametrize(
    ("text", "low", "high", "hedge"),
    [
        ("more than 12,000", 12000, None, "more_than"),
        ("between 3,000 and 5,000", 3000, 5000, "range"),
        ("up to 300", None, 300, "up_to"),
        ("roughly 25,000 to 30,000", 25000, 30000, "about_range"),
        ("triple", 3, 3, "exact"),
        ("nine million", 9_000_000, 9_000_000, "exact"),
        ("tens of thousands", None, None, "vague"),
    ],
)
def test_values_are_read_from_the_words_around_the_number(drafted, text, low, high, hedge):
    value = figure(drafted, text)["value"]
    assert (value["low"], value["high"], value["hedge"]) == (low, high, hedge)


@pytest.mark.parametrize(
    ("sentence", "text"),
    [
        ("Moving tens of thousands of foreign troops takes months.", "tens of thousands"),
        ("Hundreds of thousands of shells were sent.", "Hundreds of thousands"),
        ("The ship carries hundreds of troops at a time.", "hundreds of troops"),
    ],
)
def test_a_vague_quantity_keeps_the_noun_it_counts_and_no_more(fixtures, sentence, text):
    (fig,) = Drafter(Vocabulary.from_fixtures(fixtures)).draft(sentence + "\n", "907_vague.txt")["figures"]
    assert fig["value"] == {"low": None, "high": None, "hedge": "vague", "text": text}


def test_the_source_record_cites_every_party_an_attribution_names(fixtures):
    text = (
        "Joe Byrne of the UK-based Open Source Centre said 400 soldiers crossed.\n"
        "Ukrainian officials told CNN that 30 trucks followed, and Byrne said so again.\n"
    )
    (source,) = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "911_cites.txt")["sources"]
    cites = {c["entity"]: c for c in source["cites"]}
    assert set(cites) == {"joe-byrne", "open-source-centre", "ukrainian-officials", "cnn"}
    assert cites["cnn"]["quote"] == "told CNN"
    assert cites["joe-byrne"]["quote"] == "Joe Byrne of the UK-based Open Source Centre said"  # the first mention
    assert all(text[slice(*c["span"])] == c["quote"] for c in source["cites"])
    assert "check each" in source["draft"]["why"]["cites"]


def test_a_sentence_cites_an_event_once_whatever_the_dates_it_gives(fixtures):
    text = (
        "South Korean military sources stated in March that another 3,000 North Korean troops "
        "were deployed to Russia earlier this year.\n"
    )
    events = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "913_twice.txt", reference=REF)["events"]
    merges = [e["draft"]["merge_into"] for e in events if e["draft"]["merge_into"]]
    assert merges and len(merges) == len(set(merges))


def test_citations_of_one_event_from_two_sentences_say_to_keep_one(fixtures):
    text = (
        "Russia is massing its own troops near the eastern hub of Pokrovsk ahead of an offensive.\n"
        "Kyiv says Russia is massing troops near Pokrovsk for a fresh offensive.\n"
    )
    events = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "917_twice.txt", reference=REF)["events"]
    pokrovsk = [e for e in events if e["draft"]["merge_into"] == "russia-masses-troops-near-pokrovsk"]
    assert len(pokrovsk) == 2
    assert all("a source cites an event once" in e["draft"]["why"]["same_event_as"] for e in pokrovsk)


def test_a_cue_that_names_no_speaker_is_drafted_as_an_exclusion_not_a_statement(fixtures):
    text = "While the purpose of the flights is not confirmed, the convoys kept moving north.\n"
    out = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "914_passive.txt")
    assert out["statements"] == []
    (excl,) = out["exclusions"]
    assert excl["quote"] == "confirmed" and "names no one" in excl["reason"]


def test_an_event_citation_quotes_the_clause_that_holds_its_date(fixtures):
    text = "The convoy left on June 2; officials said the bridge reopened on June 9.\n"
    events = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "915_clauses.txt", reference=REF)["events"]
    quotes = {e["citations"][0]["date"]["phrase"]: e["citations"][0]["quote"] for e in events}
    assert quotes == {
        "on June 2": "The convoy left on June 2",
        "on June 9": "officials said the bridge reopened on June 9.",
    }


def test_a_date_of_an_included_part_does_not_date_the_total(fixtures):
    text = "Officials documented 82 strikes, including one in January 2024 that killed 11 civilians.\n"
    figs = {
        f["value"]["text"]: f
        for f in Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "912_part.txt")["figures"]
    }
    assert figs["82"]["period"] is None
    assert figs["11"]["period"]["phrase"] == "in January 2024"


def test_a_figure_quotes_the_clause_between_semicolons_that_holds_it(fixtures):
    text = "Officials said 300 soldiers crossed in May; the ministry reported 40 trucks later.\n"
    figs = {
        f["value"]["text"]: f
        for f in Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "910_semi.txt")["figures"]
    }
    assert figs["300"]["quote"] == "Officials said 300 soldiers crossed in May"
    assert figs["40"]["quote"] == "the ministry reported 40 trucks later."
    assert text[slice(*figs["40"]["span"])] == figs["40"]["quote"]
    assert figs["40"]["claimant"]["as_written"] == "the ministry"


@pytest.mark.parametrize(
    ("sentence", "claimant"),
    [
        ("The United States sent 300 soldiers to the region in May.", None),
        ("The Baltic states sent 300 soldiers.", None),
        ("Analysts read the notes and 300 soldiers moved.", None),
        ("The report states that 300 soldiers moved.", "The report"),
        ("The assessment notes a 300-strong unit.", "The assessment"),
        ("“About 300 soldiers moved,” the document states.", "the document"),
        ("The soldiers, 300 of them, flew to the United States.", None),
    ],
)
def test_states_and_notes_attribute_only_as_verbs(fixtures, sentence, claimant):
    (fig,) = Drafter(Vocabulary.from_fixtures(fixtures)).draft(sentence + "\n", "916_states.txt")["figures"]
    assert (fig["claimant"] or {}).get("as_written") == claimant


def test_the_document_refers_back_to_the_document_named_before(fixtures):
    text = (
        "The Ukrainian report states that Russia is ready to equip the units.\n"
        "The document also points to evidence that aircraft moved about 400 soldiers.\n"
    )
    (fig,) = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "908_document.txt")["figures"]
    assert fig["claimant"] == {"entity": "ukrainian-intelligence-assessment", "as_written": "The document"}
    assert "refers back to 'The Ukrainian report'" in fig["draft"]["why"]["claimant"]


def test_records_drafted_from_one_date_do_not_share_it_in_the_yaml(fixtures, tmp_path):
    text = "Last November, 300 soldiers and 40 trucks crossed the border, officials said.\n"
    out = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "909_shared.txt", reference=REF)
    assert [f["period"]["phrase"] for f in out["figures"]] == ["Last November", "Last November"]
    (path,) = [p for p in write_draft(out, tmp_path) if p.parent.name == "figures"]
    assert "&id" not in path.read_text(encoding="utf-8")
    first, second = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert first["period"]["start"] == second["period"]["start"] == "2024-11"
    first["period"]["start"] = "2024-12"  # a curator's edit of one record
    assert second["period"]["start"] == "2024-11"


def test_claimant_via_and_period_come_from_the_sentence(drafted):
    moved = figure(drafted, "more than 12,000")
    assert moved["claimant"]["as_written"] == "the Interior Ministry"
    assert moved["period"] is None, "'said on Tuesday' dates the statement, not the number"
    families = figure(drafted, "between 3,000 and 5,000")
    assert families["claimant"]["as_written"] == "Aid agencies" and families["via"] == "tass"
    soldiers = figure(drafted, "up to 300")
    assert soldiers["claimant"]["as_written"] == "Governor Elena Marsh" and soldiers["via"] == "cnn"
    assert soldiers["claimant"]["entity"] == "elena-marsh"  # the new entity the draft suggests
    assert (soldiers["period"]["start"], soldiers["period"]["precision"]) == ("2025-11", "month")
    assert soldiers["period"]["resolved_from"] == "2026-03-14" and soldiers["period"]["phrase"] == "last November"


def test_unknown_names_become_suggested_entities_and_names_are_not_figures(drafted):
    names = {e["name"]: e for e in drafted["entities"]}
    assert {"Interior Ministry", "Elena Marsh", "Valdoria"} <= set(names)
    assert names["Interior Ministry"]["type"] == "government"  # a ministry, as curation types them
    assert names["Valdoria"]["type"] == "place"
    assert not {"Floods", "Heavy", "Relief"} & set(names)  # headline words and sentence starts are not names
    assert all(e["unconfirmed"] and e["draft"]["why"] for e in drafted["entities"])
    assert "CNN" not in names and "TASS" not in names  # the vocabulary knows them
    assert any(x["quote"] == "KN-23" and "name" in x["reason"] for x in drafted["exclusions"])


def test_every_quote_is_exact_and_every_record_unconfirmed_with_reasons(drafted):
    quoted = [r for k in ("figures", "statements", "exclusions") for r in drafted[k]]
    quoted += [c for e in drafted["events"] for c in e["citations"]]
    assert len(quoted) > 10
    for rec in quoted:
        assert ARTICLE[rec["span"][0] : rec["span"][1]] == rec["quote"]
    for kind, records in drafted.items():
        for rec in records:
            assert rec["unconfirmed"] is True, (kind, rec)
            assert rec["draft"]["why"], (kind, rec)
    for fig in drafted["figures"]:
        assert {"value", "claimant", "metric"} <= set(fig["draft"]["why"])


def test_every_number_date_and_cue_gets_a_record(drafted):
    spans = [r["span"] for k in ("figures", "statements", "exclusions") for r in drafted[k]]
    spans += [c["span"] for e in drafted["events"] for c in e["citations"]]
    source = drafted["sources"][0]
    spans += [source["published"]["span"]]
    for item in find_items(ARTICLE) + find_cues(ARTICLE):
        assert any(a <= item.start and item.end <= b for a, b in spans), item


def test_no_curated_claim_is_suggested_for_an_unrelated_subject(drafted):
    """The curated claims are about North Korea; Valdoria's floods match none of them."""
    for fig in drafted["figures"]:
        assert fig["claim"].startswith(drafted["sources"][0]["id"]), (fig["value"]["text"], fig["claim"])


def test_a_claim_key_is_suggested_where_a_curated_claim_matches(fixtures):
    text = (
        "Ukrainian officials told CNN that North Korea is preparing to send up to 30,000 more troops to Russia.\n"
        "Western officials estimate that about 4,000 North Korean soldiers were killed or wounded.\n"
    )
    out = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "902_nk.txt", reference=REF)
    claims = {f["value"]["text"]: (f["claim"], f["metric"], f["claimant"]["entity"]) for f in out["figures"]}
    assert claims["up to 30,000"] == (
        "nk-additional-deployment-size",
        "troops-additional-planned",
        "ukrainian-officials",
    )
    assert claims["about 4,000"] == ("nk-first-deployment-casualties", "troops-killed-or-wounded", "western-officials")


def test_an_outlet_the_lead_relays_is_the_via_of_every_record_that_names_none(fixtures):
    vocab = Vocabulary.from_fixtures(fixtures)
    relayed = (
        "North Korea will send more troops, according to an assessment reviewed by CNN.\n"
        "About 400 soldiers crossed the border last week, officials said.\n"
    )
    (fig,) = Drafter(vocab).draft(relayed, "903_relayed.txt")["figures"]
    assert fig["via"] == "cnn"
    assert "reviewed by CNN" in fig["draft"]["why"]["via"] and "check" in fig["draft"]["why"]["via"]
    titled = Drafter(vocab).draft("CNN: Pyongyang sends troops\nAbout 400 soldiers crossed.\n", "904_titled.txt")
    assert titled["figures"][0]["via"] == "cnn"
    # "according to TASS" sources its own sentence, not the text.
    one_sentence = "About 400 soldiers crossed the border, according to TASS.\nOfficials said 120 vehicles followed.\n"
    vias = {f["value"]["text"]: f["via"] for f in Drafter(vocab).draft(one_sentence, "905_once.txt")["figures"]}
    assert vias == {"About 400": "tass", "120": None}


def test_a_figure_is_linked_to_the_event_its_claim_describes(fixtures):
    text = "Ukrainian officials told CNN that North Korea is preparing to send up to 30,000 more troops to Russia.\n"
    out = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "902_nk.txt", reference=REF)
    (fig,) = out["figures"]
    assert fig["claim"] == "nk-additional-deployment-size"
    linked = {f["event"] for f in fixtures.data("figures") if f["claim"] == "nk-additional-deployment-size"}
    assert fig["event"] in linked - {None}
    assert "describe event" in fig["draft"]["why"]["event"]
    # The figure's source must cite the event it links to: the draft has that citation too.
    assert fig["event"] in {e["draft"]["merge_into"] for e in out["events"]}
    assert "no drafted citation" not in fig["draft"]["why"]["event"]


def test_a_sentence_reporting_a_known_event_gets_a_citation_to_merge_into_it(fixtures):
    text = (
        "Strategic implications\n"
        "Russia is massing its own troops near the eastern hub of Pokrovsk ahead of an offensive.\n"
        "The harvest festival in Valdoria drew large crowds to the old town square on a mild evening.\n"
    )
    events = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "906_known.txt", reference=REF)["events"]
    merged = {e["draft"]["merge_into"]: e for e in events}
    assert "russia-masses-troops-near-pokrovsk" in merged
    cite = merged["russia-masses-troops-near-pokrovsk"]
    assert cite["citations"][0]["quote"].startswith("Russia is massing") and cite["citations"][0]["date"] is None
    assert "pokrovsk" in cite["draft"]["why"]["same_event_as"]
    # Its actors are the known event's, as far as the clause names them (never a place).
    event = next(e for e in fixtures.data("events") if e["id"] == "russia-masses-troops-near-pokrovsk")
    theirs = {p["entity"] for p in event["participants"]} | {a for c in event["citations"] for a in c["actors"]}
    assert cite["citations"][0]["actors"] == ["russia"] and "russia" in theirs
    assert "actors of russia-masses-troops-near-pokrovsk" in cite["draft"]["why"]["actors"]
    # Neither a heading nor a sentence about something else is matched to an event.
    assert all(e["citations"][0]["quote"].startswith("Russia is massing") for e in events)


# ---------------------------------------------------------------- the build refuses drafts


def copy_fixtures(tmp_path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(DEFAULT_FIXTURES_DIR, target, ignore=shutil.ignore_patterns("drafts"))
    return target


def test_the_build_refuses_an_unconfirmed_record_naming_file_record_and_field(tmp_path, texts):
    fx = copy_fixtures(tmp_path)
    path = fx / "figures" / "cnn-nk-up-to-30000-troops.yaml"
    records = yaml.safe_load(path.read_text("utf-8"))
    records[1]["unconfirmed"] = True
    records[1]["draft"] = {"why": {"value": "read from the words"}}
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), "utf-8")
    with pytest.raises(FixtureError) as err:
        load_and_validate(fx, texts)
    (problem,) = err.value.problems
    assert problem.file == "fixtures/figures/cnn-nk-up-to-30000-troops.yaml"
    assert problem.record == records[1]["id"]
    assert problem.field == "unconfirmed"
    # The command line says the same and fails.
    run = subprocess.run(
        [sys_python(), "-m", "api.builder", "--check", "--fixtures", str(fx), "--texts", str(texts)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert f"fixtures/figures/cnn-nk-up-to-30000-troops.yaml: {records[1]['id']}: unconfirmed:" in run.stderr
    # A person confirms it: the mark goes; a leftover draft block is accepted and dropped.
    del records[1]["unconfirmed"]
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), "utf-8")
    loaded = load_and_validate(fx, texts)
    assert all("draft" not in f and "unconfirmed" not in f for f in loaded.data("figures"))


def test_a_whole_draft_moved_into_place_is_refused_record_by_record(tmp_path, texts, fixtures):
    fx = copy_fixtures(tmp_path)
    archive = tmp_path / "texts"
    shutil.copytree(texts, archive)
    (archive / "900_valdoria.txt").write_text(ARTICLE, "utf-8")
    records = Drafter(Vocabulary.from_fixtures(fixtures)).draft(ARTICLE, "900_valdoria.txt")
    out = tmp_path / "draft"
    write_draft(records, out)
    for path in out.rglob("*.yaml"):
        rel = path.relative_to(out)
        if rel.name == "sources.yaml":
            existing = (fx / "sources.yaml").read_text("utf-8")
            (fx / "sources.yaml").write_text(existing + path.read_text("utf-8"), "utf-8")
        else:
            (fx / rel).parent.mkdir(parents=True, exist_ok=True)  # metrics/ for a proposed metric
            shutil.copy(path, fx / rel)
    with pytest.raises(FixtureError) as err:
        load_and_validate(fx, archive)
    refused = {(p.record, p.field) for p in err.value.problems if p.field == "unconfirmed"}
    assert (records["sources"][0]["id"], "unconfirmed") in refused
    for fig in records["figures"]:
        assert (fig["id"], "unconfirmed") in refused


def test_drafts_under_fixtures_drafts_are_not_data(tmp_path, texts):
    fx = copy_fixtures(tmp_path)
    before, _ = load(fx)
    drafts = fx / "drafts" / "some-source" / "figures"
    drafts.mkdir(parents=True)
    (drafts / "some-source.yaml").write_text("- {id: x, unconfirmed: true}\n", "utf-8")
    after, problems = load(fx)
    assert problems == []
    assert len(after.data("figures")) == len(before.data("figures"))


def sys_python() -> str:
    import sys

    return sys.executable


# ---------------------------------------------------------------- the command line and the review page


def test_draft_and_review_commands_write_the_files(tmp_path):
    article = tmp_path / "900_valdoria.txt"
    article.write_text(ARTICLE, "utf-8")
    out = tmp_path / "drafts" / "valdoria"
    assert draft_cli.main([str(article), "--out", str(out), "--id", "valdoria"]) == 0
    figures = yaml.safe_load((out / "figures" / "valdoria.yaml").read_text("utf-8"))
    assert {f["value"]["text"] for f in figures} >= {"more than 12,000", "up to 300"}
    page = tmp_path / "valdoria.html"
    assert review.main(["valdoria", "--drafts", str(out), "--out", str(page)]) == 0
    html = page.read_text("utf-8")
    # Every figure is highlighted and linked to its card; the number links to its own record.
    for fig in figures:
        assert f'data-record="{fig["id"]}"' in html
    linked = re.search(
        r'<a class="hl k-figure" href="#(d-figure-\d+)" data-record="valdoria-more-than-12-000"[^>]*>'
        r'<span class="item i-number"[^>]*>12,000</span></a>',
        html,
    )
    assert linked, "the number is highlighted as a figure and linked to its record"
    assert f'<section class="card" id="{linked.group(1)}" data-kind="figure">' in html
    assert "k-event" in html and "k-exclusion" in html
    assert 'class="badge unconfirmed"' in html
    # Self-contained: nothing to fetch.
    assert not re.search(r"https?://|<script|<link|@import|src=", html)


def test_make_draft_passes_the_source_id_and_folder_on():
    dry = subprocess.run(
        ["make", "-n", "draft", "TEXT=005_x.txt", "ID=valdoria-floods", "OUT=/tmp/d"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "-m api.curate.draft 005_x.txt --id valdoria-floods --out /tmp/d" in dry


def test_the_review_page_marks_what_no_record_covers(fixtures):
    records = Drafter(Vocabulary.from_fixtures(fixtures)).draft(ARTICLE, "900_valdoria.txt")
    marks = []
    tmp_kinds = {k: v for k, v in records.items() if k not in ("figures", "events")}
    for kind, recs in tmp_kinds.items():
        for n, rec in enumerate(recs):
            if "span" in rec:
                marks.append(review.Mark(rec["span"][0], rec["span"][1], kind[:-1], f"x{n}", "r", rec, True))
    html = review.render(ARTICLE, "valdoria", marks, tmp_kinds)
    uncovered = re.findall(r'<span class="uncovered i-number"[^>]*>([^<]*)</span>', html)
    # Without the figures and events, the numbers in their sentences are marked uncovered.
    assert "12,000" in uncovered and "300" in uncovered
    assert "KN" not in "".join(uncovered)
    # Strict: a statement whose quote holds a number does not cover it (make coverage's rule).
    number = next(i for i in find_items(ARTICLE) if i.kind == "number" and i.text == "12,000")
    sentence = ARTICLE.rfind(".", 0, number.start) + 1
    quote_end = ARTICLE.find(".", number.end) + 1
    statement = {"id": "s", "source": tmp_kinds["sources"][0]["id"], "quote": ARTICLE[sentence:quote_end]}
    statement["span"] = [sentence, quote_end]
    with_statement = {**tmp_kinds, "statements": [*tmp_kinds.get("statements", []), statement]}
    html = review.render(ARTICLE, "valdoria", marks, with_statement)
    assert "12,000" in re.findall(r'<span class="uncovered i-number"[^>]*>([^<]*)</span>', html)


@pytest.mark.browser
def test_the_review_page_renders_in_chromium(tmp_path, fixtures):
    chromium = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
    if not chromium:
        pytest.fail("Chromium is not installed: run `make browser`", pytrace=False)
    records = Drafter(Vocabulary.from_fixtures(fixtures)).draft(ARTICLE, "900_valdoria.txt")
    out = tmp_path / "draft"
    write_draft(records, out)
    sid = records["sources"][0]["id"]
    marks = review.records_of(out, sid, draft=True)
    page = tmp_path / "review.html"
    page.write_text(review.render(ARTICLE, sid, marks, review.records_in([out])), "utf-8")
    shot = tmp_path / "review.png"
    run = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,900",
            f"--screenshot={shot}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert dom.count('class="hl k-figure"') >= len(records["figures"])
    assert 'id="records"' in dom
    assert shot.stat().st_size > 10_000


# ---------------------------------------------------------------- the leave-one-out score


@pytest.fixture(scope="module")
def scores(story_fixtures, texts, tmp_path_factory):
    out = tmp_path_factory.mktemp("draft-eval")
    return evaluate.run(story_fixtures, texts, out), out


def test_leave_one_out_never_reads_the_held_out_sources_records(fixtures):
    for source in fixtures.data("sources"):
        vocab = Vocabulary.from_fixtures(fixtures, exclude=source["id"])
        assert all(ex.source != source["id"] for ex in vocab.examples)
        others = {f["claim"] for f in fixtures.data("figures") if f["source"] != source["id"]}
        assert set(vocab.claims) == others
        assert all(c["source"] != source["id"] for ev in vocab.events for c in ev["citations"])


def test_the_score_counts_what_it_says(scores, fixtures):
    results, out = scores
    by_source = {s.source: s for s in results}
    assert set(by_source) == {s["id"] for s in fixtures.data("sources")}
    for sid, score in by_source.items():
        curated = [f for f in fixtures.data("figures") if f["source"] == sid]
        assert score.counts["figures"] == [len(curated), len(curated)]
        assert score.counts["value"][1] == len(curated)
        assert (out / sid / "figures" / f"{sid}.yaml").is_file()
    total = evaluate.total(results)
    assert total.counts["figures"][0] == len(fixtures.data("figures"))
    table = evaluate.table(results)
    right, of = total.counts["value"]
    assert re.search(rf"^total\s+{of}\s+{right}/{of} {100 * right / of:.0f}%", table, re.M)


def test_a_wrong_draft_value_lowers_the_score(fixtures, texts):
    from api.builder.texts import read_text

    source = fixtures.by_id("sources")["cnn-nk-up-to-30000-troops"]
    text = read_text(texts, source["filename"])
    vocab = Vocabulary.from_fixtures(fixtures, exclude=source["id"])
    records = Drafter(vocab).draft(text, source["filename"], source["id"])
    before = evaluate.compare(fixtures, source, text, records, vocab.claims)
    hit = next(f for f in records["figures"] if f["value"]["text"] == "82")
    hit["value"] = {**hit["value"], "hedge": "at_least", "high": None}
    hit["quote"] = hit["quote"][:-1]
    after = evaluate.compare(fixtures, source, text, records, vocab.claims)
    assert after.counts["value"][0] == before.counts["value"][0] - 1
    assert after.counts["exact"][0] == before.counts["exact"][0] - 1


@pytest.mark.parametrize("text", ["", "   \n", "No numbers here.", "42"])
def test_texts_with_little_in_them_draft_without_errors(fixtures, text):
    out = Drafter(Vocabulary.from_fixtures(fixtures)).draft(text, "903_small.txt")
    assert out["sources"][0]["char_count"] == len(text)
    for rec in out["figures"] + out["exclusions"]:
        assert text[rec["span"][0] : rec["span"][1]] == rec["quote"]


def test_a_group_held_out_together_knows_none_of_the_group(story_fixtures, fixtures, texts, tmp_path):
    group = sorted(fixtures.data("sources"), key=lambda s: s["filename"])[-3:]
    ids = {s["id"] for s in group}
    numbers = [s["filename"].split("_")[0] for s in group]
    results = evaluate.run(story_fixtures, texts, tmp_path, together=numbers)
    assert {s.source for s in results} == ids
    # A claim only the group's figures gave is unknown before any of them was curated: no draft may use it.
    only_group = {f["claim"] for f in fixtures.data("figures") if f["source"] in ids} - {
        f["claim"] for f in fixtures.data("figures") if f["source"] not in ids
    }
    assert only_group, "the group must have brought a claim of its own for this test to mean anything"
    for sid in ids:
        drafted = yaml.safe_load((tmp_path / sid / "figures" / f"{sid}.yaml").read_text())
        assert not only_group & {f.get("claim") for f in drafted}

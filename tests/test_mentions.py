"""Every place a curated text names an entity is a mention, served with its spelling and sentence."""

import re

import pytest

from api.builder.database import build
from api.builder.fixtures import DEFAULT_FIXTURES_DIR, load, load_and_validate, validate
from api.builder.mentions import find_mentions, sentence_spans
from api.builder.texts import read_text
from api.shape import alias_key, source_order
from tests.conftest import get_all, get_json, make_app


@pytest.fixture(scope="module")
def fixtures(texts):
    return load_and_validate(DEFAULT_FIXTURES_DIR, texts)


@pytest.fixture(scope="module")
def text_of(fixtures, texts):
    return {s["id"]: read_text(texts, s["filename"]) for s in fixtures.data("sources")}


def test_every_mention_quote_and_spelling_stand_at_their_spans(fixtures, text_of):
    mentions = fixtures.data("mentions")
    assert mentions
    for m in mentions:
        text = text_of[m["source"]]
        assert text[slice(*m["span"])] == m["as_written"], m
        assert text[slice(*m["quote_span"])] == m["quote"], m
        assert m["quote_span"][0] <= m["span"][0] < m["span"][1] <= m["quote_span"][1], m


def _occurrences(text: str, name: str) -> list[tuple[int, int]]:
    """Where ``name`` occurs as whole words, found afresh: every non-word run of the text as one space."""
    folded, where = [], []
    for i, ch in enumerate(text):
        c = ch.casefold() if ch.isalnum() or ch in "'’" else " "
        if c == " " and folded and folded[-1] == " ":
            continue
        folded.append("'" if c == "’" else c)
        where.append(i)
    flat = "".join(folded)
    key = alias_key(name)
    found = []
    for m in re.finditer(rf"(?<![\w']){re.escape(key)}(?![\w])", flat):
        found.append((where[m.start()], where[m.end() - 1] + 1))
    return found


def test_every_name_and_alias_in_each_curated_text_is_a_mention(fixtures, text_of):
    spans: dict[tuple, list] = {}
    for m in fixtures.data("mentions"):
        spans.setdefault((m["source"], m["entity"]), []).append(m["span"])
    curated = {m["source"] for m in fixtures.data("mentions")}
    assert curated == set(text_of), "every source is curated for mentions"
    metadata = {s["id"]: [(s["archive_line"] or {"span": (0, 0)})["span"]] for s in fixtures.data("sources")}
    checked = 0
    for source in curated:
        for e in fixtures.data("entities"):
            for name in [e["name"], *e["aliases"]]:
                # An acronym names its entity only in capitals ("UN", not the "Un" of "Kim Jong Un").
                hits = _occurrences(text_of[source], name)
                if name.isupper():
                    hits = [(s, t) for s, t in hits if text_of[source][s:t] == name]
                for start, end in hits:
                    if any(a < end and start < b for a, b in metadata[source]):
                        continue  # the line the archive wrote names nothing
                    checked += 1
                    # Where two names of one entity overlap ("the North Korean") the longer is the mention.
                    covering = [s for s in spans.get((source, e["id"]), []) if s[0] < end and start < s[1]]
                    assert covering, f"{source}: {e['id']} named as {text_of[source][start:end]!r} at {start}"
    assert checked > 400


def test_dropping_or_inventing_a_mention_fails_the_build(texts):
    fx, problems = load(DEFAULT_FIXTURES_DIR)
    assert problems == []
    records = fx.records["mentions"]
    dropped = records.pop(len(records) // 2)
    found = validate(fx, texts)
    assert any(
        p.field == "mentions" and dropped.data["entity"] in p.message and str(dropped.data["span"]) in p.message
        for p in found
    ), found
    records.append(dropped)
    moved = {**dropped.data, "span": [dropped.data["span"][0] + 1, dropped.data["span"][1]]}
    records.append(type(dropped)(dropped.kind, dropped.file, 99999, moved))
    assert any(p.field == "span" for p in validate(fx, texts))


def test_a_source_without_mentions_is_not_checked_for_them(texts):
    fx, _ = load(DEFAULT_FIXTURES_DIR)
    source = fx.data("sources")[0]["id"]
    fx.records["mentions"] = [r for r in fx.records["mentions"] if r.data["source"] != source]
    assert not [p for p in validate(fx, texts) if p.field == "mentions"]


def test_find_mentions_on_made_up_sentences():
    names = {"ruritania": ["Ruritania", "RR"], "ada-vole": ["Ada Vole", "Vole"], "acme": ["ACME"]}
    text = "The Ruritanian envoy met Ada-Vole. Vole’s aide said RR and Acme agreed.\nRuritania's reply came later."
    found = [(m["entity"], m["as_written"]) for m in find_mentions(text, names)]
    # A possessive names its entity; the spelling is the name without the "'s".
    assert found == [
        ("ruritania", "Ruritanian"),
        ("ada-vole", "Ada-Vole"),
        ("ada-vole", "Vole"),
        ("ruritania", "RR"),
        ("ruritania", "Ruritania"),
    ]
    assert [text[s:e] for s, e in sentence_spans(text)][1] == "Vole’s aide said RR and Acme agreed."


def test_the_line_the_archive_wrote_names_nothing():
    names = {"ruritania": ["Ruritania"], "herald": ["The Ruritania Herald"], "vole": ["Ada Vole"]}
    text = "Vole wins\nSource: The Ruritania Herald, 2020-01-02\n\nThe Ruritania Herald says Ada Vole won Ruritania."
    line = text.index("Source:"), text.index("\n\n")
    found = [(m["entity"], m["span"][0]) for m in find_mentions(text, names, [line])]
    body = line[1]
    assert found and all(start > body for _, start in found)
    assert {entity for entity, _ in found} == {"ruritania", "herald", "vole"}
    assert len(find_mentions(text, names)) == len(found) + 2  # the outlet and the country in its name


def test_no_mention_lies_in_the_archive_line_or_keeps_a_possessive(fixtures, text_of):
    lines = {s["id"]: s["archive_line"]["span"] for s in fixtures.data("sources") if s["archive_line"]}
    assert lines
    for m in fixtures.data("mentions"):
        start, end = lines.get(m["source"], (0, 0))
        assert not (m["span"][0] < end and start < m["span"][1]), m
        assert not re.search(r"['’]s$", m["as_written"]), m
        # The spelling is the whole name: no word goes on right after it.
        assert not re.match(r"\w", text_of[m["source"]][m["span"][1] :][:1]), m


def test_mentions_are_served_with_source_spelling_span_and_quote(client, text_of):
    items = get_all(client, "/api/v1/entities/kim-jong-un/mentions?page_size=2")
    assert items
    for m in items:
        text = text_of[m["source"]["id"]]
        assert text[m["span"]["start"] : m["span"]["end"]] == m["spelling"]
        assert text[m["quote"]["start"] : m["quote"]["end"]] == m["quote"]["text"]
        assert m["entity"] == "kim-jong-un"
    files = [m["source"]["id"] for m in items]
    assert files == sorted(files, key=list(text_of).index)  # by file number, as the sources are listed


def test_one_request_tells_which_texts_name_an_entity_how_and_which_never_do(client, fixtures):
    per_source = get_all(client, "/api/v1/entities/kim-jong-un/mentions/sources")
    mentions = fixtures.data("mentions")
    assert [r["source"]["id"] for r in per_source] == [s["id"] for s in fixtures.data("sources")]
    for row in per_source:
        own = [m["as_written"] for m in mentions if m["entity"] == "kim-jong-un" and m["source"] == row["source"]["id"]]
        assert row["mention_count"] == len(own) == sum(s["count"] for s in row["spellings"])
        assert row["names"] == bool(own)
        assert {s["spelling"] for s in row["spellings"]} == set(own)
    never = get_all(client, "/api/v1/entities/kim-jong-un/mentions/sources?names=false")
    assert never and all(not r["names"] for r in never)
    assert len(never) + len(get_all(client, "/api/v1/entities/kim-jong-un/mentions/sources?names=true")) == len(
        per_source
    )


def test_the_source_filter_takes_a_file_number_and_an_alias_answers(client):
    by_number = get_json(client, "/api/v1/entities/kim-jong-un/mentions?source=004")["items"]
    assert by_number and {m["source"]["id"] for m in by_number} == {"nk-reportedly-preparing-to-triple-troops"}
    by_alias = client.get("/api/v1/entities/Kim/mentions")
    assert by_alias.status_code == 200 and by_alias.get_json() == get_json(
        client, "/api/v1/entities/kim-jong-un/mentions"
    )
    assert client.get("/api/v1/entities/no-such-entity/mentions").status_code == 404


def test_an_entity_named_only_as_a_qualifier_exists(client):
    rows = get_all(client, "/api/v1/entities/united-kingdom/mentions")
    assert rows and all(r["spelling"] == "UK" for r in rows)
    assert all("UK-based" in r["quote"]["text"] for r in rows)


def file_order(filename: str) -> tuple:
    """The document's file number (``001_….txt``) first; a file without one after them, by name."""
    head, sep, _ = filename.partition("_")
    return (0, int(head), filename) if sep and head.isdigit() else (1, 0, filename)


def test_the_file_number_orders_as_a_number_and_unnumbered_files_follow_by_name():
    files = ["notes.txt", "010_b.txt", "9_a.txt", "000_c.txt", "2024-report.txt", "010_a.txt", "x_1.txt"]
    keys = {f: source_order(f, "id-" + f) for f in files}
    assert sorted(files, key=keys.get) == [
        "000_c.txt",
        "9_a.txt",
        "010_a.txt",
        "010_b.txt",
        "2024-report.txt",
        "notes.txt",
        "x_1.txt",
    ]
    # Two sources of one file name still sort one way: by id.
    assert source_order("a.txt", "a") < source_order("a.txt", "b")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/statements?sort=source",
        "/api/v1/exclusions?sort=source",
        "/api/v1/entities/north-korea/mentions",
        "/api/v1/figures?sort=source",
        "/api/v1/figures?sort=source,period",
        "/api/v1/figures?category=troops&sort=source,-period",
    ],
)
def test_sort_by_source_follows_the_file_number(client, fixtures, url):
    number = {s["id"]: file_order(s["filename"]) for s in fixtures.data("sources")}
    items = get_all(client, url + ("&" if "?" in url else "?") + "page_size=7")
    order = [number[i["source"]["id"]] for i in items]
    assert len(set(order)) > 1
    assert order == sorted(order)
    descending = [number[i["source"]["id"]] for i in get_all(client, url.replace("sort=source", "sort=-source"))]
    if "sort=source" in url:
        assert descending == sorted(order, reverse=True)


def test_without_the_archive_the_build_serves_the_mentions_as_kept(tmp_path, story_fixtures, fixtures):
    path = tmp_path / "claims.db"
    build(path, story_fixtures, None)
    served = get_all(make_app(path, TESTING=True).test_client(), "/api/v1/entities/kim-jong-un/mentions")
    kept = [m for m in fixtures.data("mentions") if m["entity"] == "kim-jong-un"]
    assert sorted((m["source"]["id"], m["span"]["start"], m["spelling"]) for m in served) == sorted(
        (m["source"], m["span"][0], m["as_written"]) for m in kept
    )


def test_a_spelling_not_at_its_place_in_its_quote_is_an_error_without_the_archive():
    fx, _ = load(DEFAULT_FIXTURES_DIR)
    record = fx.records["mentions"][0]
    record.data["as_written"] = record.data["as_written"].upper() + "X"
    assert [p.field for p in validate(fx, None)] == ["as_written"]

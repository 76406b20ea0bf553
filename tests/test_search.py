"""Search: /search ranks every kind of record matching a full-text query (relevance, best first), and
full-text `q` (/search, /figures, /events) takes what people type: numbers however written,
punctuation, FTS5 operators.

Every expected answer below was read off the five archived texts through the
curated fixtures; they are asserted exactly.
"""

from urllib.parse import quote

import pytest

from api.web.queries import fulltext
from tests.conftest import conforms, get_all, get_json

# ---- /search -----------------------------------------------------------------------------------


def test_search_finds_an_entity_by_its_alias(client):
    kiev = get_json(client, "/api/v1/search?q=Kiev")["items"]
    assert (kiev[0]["type"], kiev[0]["id"], kiev[0]["url"], kiev[0]["title"]) == (
        "entity",
        "kyiv",
        "/api/v1/entities/kyiv",
        "Kyiv",
    )
    assert "<mark>Kiev</mark>" in kiev[0]["snippet"]
    kim = get_json(client, '/api/v1/search?q="Kim Jong-un"&type=entity')["items"]
    assert kim[0]["id"] == "kim-jong-un" and kim[0]["title"] == "Kim Jong Un"


def test_search_links_a_citation_match_to_its_event(client):
    items = get_json(client, "/api/v1/search?q=Kiev&type=event")["items"]
    by_id = {i["id"]: i for i in items}
    hit = by_id["white-house-halts-weapons-transfers-to-kyiv-2025-07"]
    assert hit["type"] == "event" and hit["matched"] == "event_citation"
    assert hit["url"] == "/api/v1/events/white-house-halts-weapons-transfers-to-kyiv-2025-07"
    assert "<mark>Kiev</mark>" in hit["snippet"]


def test_search_ranks_one_result_per_record(client, spec):
    body = get_json(client, "/api/v1/search?q=Ropucha&total=true")
    conforms(spec, "SearchResultList", body)
    keys = [(i["type"], i["id"]) for i in body["items"]]
    assert len(keys) == len(set(keys)) == body["total"]
    assert [i["score"] for i in body["items"]] == sorted((i["score"] for i in body["items"]), reverse=True)
    assert {"entity", "claim", "event", "figure"} <= {t for t, _ in keys}
    assert all(i["type"] == "figure" for i in get_json(client, "/api/v1/search?q=Ropucha&type=figure")["items"])
    paged = get_all(client, "/api/v1/search?q=Ropucha&page_size=2")
    assert [(i["type"], i["id"]) for i in paged] == keys


@pytest.mark.parametrize(
    ("query", "param"),
    [("q=", "q"), ("type=planet&q=Kiev", "type"), ("", "q")],
)
def test_search_errors_are_problems_naming_the_parameter(client, spec, query, param):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    body = response.get_json()
    conforms(spec, "Error", body)
    assert set(body["errors"]) == {param} and param in body["detail"], body


# ---- full-text q -------------------------------------------------------------------------------

FULL_TEXT_LISTS = ["/api/v1/figures", "/api/v1/events", "/api/v1/search"]


def found(client, url: str, q: str) -> list[tuple]:
    joiner = "&" if "?" in url else "?"
    return [(i.get("type"), i["id"]) for i in get_all(client, f"{url}{joiner}q={quote(q)}&page_size=500")]


def figures(client, q: str) -> list[dict]:
    return get_all(client, f"/api/v1/figures?q={quote(q)}&page_size=500")


@pytest.mark.parametrize("q", ["30,000", "30000"])
def test_a_number_finds_the_figures_with_it_however_it_is_written(client, q):
    hits = figures(client, q)
    assert hits and all("30" in f["quote"]["text"] or "30" in f["value"]["text"] for f in hits)
    texts = {f["value"]["text"] for f in hits}
    assert {"up to 30,000", "25,000 to 30,000"} <= texts, texts


def test_thirty_thousand_with_or_without_its_comma_is_one_search(client):
    for url in FULL_TEXT_LISTS:
        assert found(client, url, "30,000") == found(client, url, "30000") != [], url


@pytest.mark.parametrize("q", ["25,000–30,000", "25,000-30,000", "25000 - 30000", "25,000 to 30,000"])
def test_a_range_finds_the_figures_with_both_numbers(client, q):
    hits = figures(client, q)
    assert {f["value"]["text"] for f in hits} >= {"25,000–30,000", "25,000 to 30,000"}
    assert all("25" in f["quote"]["text"] and "30" in f["quote"]["text"] for f in hits)
    # Each of the three sources that give the range.
    assert {f["source"]["id"] for f in hits if f["value"]["text"].startswith("25,000")} == {
        "russia-north-korea-troop-build-up",
        "cnn-nk-up-to-30000-troops",
        "nk-reportedly-preparing-to-triple-troops",
    }


@pytest.mark.parametrize(
    "q",
    ['"unbalanced', "NEAR(", "*", "a:b", "AND", "OR OR", '"', "-", "(troops", "^", "30,000!", "$30,000?", "(25,000)"],
)
@pytest.mark.parametrize("url", FULL_TEXT_LISTS + ["/api/v1/figures/facets?facet=metric"])
def test_punctuation_never_gives_an_error(client, url, q):
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}q={quote(q)}")
    assert response.status_code == 200, (q, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Kim Jong-un", '"Kim Jong-un"'),  # a hyphen is FTS5 syntax; the words are a phrase
        ('"Pokrovsk', "Pokrovsk"),  # an unbalanced quote
        ("troops (Kursk", "troops Kursk"),  # an unbalanced parenthesis
        ("Shoigu: Pyongyang", "Shoigu Pyongyang"),  # a colon after a word that is not a column
    ],
)
@pytest.mark.parametrize("url", FULL_TEXT_LISTS)
def test_text_that_is_not_full_text_syntax_is_a_search_for_its_words(client, url, typed, words):
    assert found(client, url, typed) == found(client, url, words)


def test_the_word_search_finds_something(client):
    assert found(client, "/api/v1/search", "Kim Jong-un")
    assert found(client, "/api/v1/figures", '"Pokrovsk')
    assert found(client, "/api/v1/events", "Shoigu: Pyongyang")


def test_operators_keep_working(client):
    pokrovsk, kursk = set(found(client, "/api/v1/figures", "Pokrovsk")), set(found(client, "/api/v1/figures", "Kursk"))
    assert pokrovsk and kursk and pokrovsk != kursk
    assert set(found(client, "/api/v1/figures", "Pokrovsk OR Kursk")) == pokrovsk | kursk
    assert set(found(client, "/api/v1/figures", "Pokrovsk AND Kursk")) == pokrovsk & kursk
    assert set(found(client, "/api/v1/figures", "Pokrovsk NOT Kursk")) == pokrovsk - kursk
    troop = set(found(client, "/api/v1/figures", "troop"))
    assert set(found(client, "/api/v1/figures", "troop*")) > troop
    phrase = set(found(client, "/api/v1/figures", '"up to 30,000"'))
    assert phrase and phrase < set(found(client, "/api/v1/figures", "30,000"))
    quoted_column = set(found(client, "/api/v1/figures", "value_text:30000"))
    assert quoted_column and quoted_column <= set(found(client, "/api/v1/figures", "30000"))


def test_numbers_combine_with_operators(client):
    thirty, eleven = set(found(client, "/api/v1/figures", "30,000")), set(found(client, "/api/v1/figures", "11,000"))
    assert set(found(client, "/api/v1/figures", "30,000 OR 11,000")) == thirty | eleven
    assert set(found(client, "/api/v1/figures", "30,000 NOT 11,000")) == thirty - eleven
    assert set(found(client, "/api/v1/figures", "troops 30000")) <= thirty


def test_search_scores_are_higher_for_better_matches(client):
    items = get_all(client, "/api/v1/search?q=Kiev&page_size=500")
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    # The entity whose alias is the very word ranks first.
    assert (items[0]["type"], items[0]["id"]) == ("entity", "kyiv")


def test_the_document_describes_q_and_score(client):
    spec = client.get("/openapi.json").get_json()
    score = spec["components"]["schemas"]["SearchResult"]["properties"]["score"]["description"]
    assert "higher is better" in score
    for path, fields in {
        "/api/v1/figures": ("quote", "attribution"),
        "/api/v1/events": ("title", "summary", "quote"),
        "/api/v1/search": ("aliases", "statement", "author"),
    }.items():
        q = next(p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "q")
        assert "plain words" in q["description"] and all(f in q["description"] for f in fields), path


# ---- the rewriting itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expression"),
    [
        ("30,000", '("30 000" OR "30000")'),
        ("30000", '("30000" OR "30 000")'),
        ("1.5", '"1 5"'),
        ("11", '"11"'),
        ("troops 30,000", 'troops AND ("30 000" OR "30000")'),
        ("30,000 OR 11,000", '("30 000" OR "30000") OR ("11 000" OR "11000")'),
        ("troops NOT 30000", 'troops NOT ("30000" OR "30 000")'),
        ("25,000–30,000", '("25 000" OR "25000") AND ("30 000" OR "30000")'),
        ('"30,000 troops"', '"30,000 troops"'),  # inside quotes the tokenizer splits it the same way
        ("300*", "300*"),  # a prefix query
        ("NEAR(troops Russia, 10)", "NEAR(troops Russia, 10)"),  # the distance is not a number to find
        ("F16", "F16"),
    ],
)
def test_numbers_are_rewritten_outside_quotes(typed, expression):
    assert fulltext.rewrite(typed) == expression


@pytest.mark.parametrize(
    ("typed", "expression"),
    [
        ("Kim Jong-un", '"Kim" AND "Jong-un"'),
        ('"unbalanced', '"unbalanced"'),
        ("25,000-30,000 troops!", '("25 000" OR "25000") AND ("30 000" OR "30000") AND "troops"'),
        ("!!!", '""'),
    ],
)
def test_the_plain_form_is_every_word_required(typed, expression):
    assert fulltext.plain(typed) == expression
    assert fulltext.is_valid(expression, fulltext.FIGURE_COLUMNS)


def test_valid_syntax_is_kept_and_invalid_syntax_falls_back():
    assert fulltext.match_expression("Pokrovsk OR Kursk", fulltext.FIGURE_COLUMNS) == "Pokrovsk OR Kursk"
    assert fulltext.match_expression("quote:Kursk", fulltext.FIGURE_COLUMNS) == "quote:Kursk"
    # A column of one index only: on the other (or on both, as /search runs it) it is plain words.
    assert fulltext.match_expression("quote:Kursk", fulltext.SEARCH_COLUMNS) == '"quote" AND "Kursk"'
    both = (fulltext.SEARCH_COLUMNS, fulltext.FIGURE_COLUMNS)
    assert fulltext.match_expression("quote:Kursk", *both) == '"quote" AND "Kursk"'

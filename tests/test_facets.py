"""/figures/facets: counts of the matching figures by one field."""

from collections import Counter

import pytest

from tests.conftest import get_all

FIELD = {
    "metric": lambda f: f["metric"]["id"],
    "category": lambda f: f["metric"]["category"],
    "subject": lambda f: f["subject"]["id"],
    "claimant": lambda f: (f["claimant"] or {}).get("id"),
    "source": lambda f: f["source"]["id"],
    "hedge": lambda f: f["value"]["hedge"],
    "claim": lambda f: f["claim"]["id"],
}


def expected(client, facet: str, filters: str) -> list[tuple]:
    """Count what /figures lists for the same filters, ordered as facets are."""
    figures = get_all(client, f"/api/v1/figures?page_size=500&{filters}")
    counts = Counter(FIELD[facet](f) for f in figures)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is not None, kv[0] or ""))


@pytest.mark.parametrize("facet", sorted(FIELD))
@pytest.mark.parametrize(
    "filters",
    [
        "",
        "subject=north-korea",  # answered from figure_counts for metric and category
        "category=troops&subject=north-korea",
        "metric=troops-deployed&metric=troops-additional-planned",
        "source=cnn-nk-up-to-30000-troops&hedge=up_to&hedge=range",
        "q=troops",
        "value_min=10000&period_from=2024",
        "known_at=2025-07-02",
    ],
)
def test_facet_counts_equal_the_listed_figures(client, facet, filters):
    response = client.get(f"/api/v1/figures/facets?facet={facet}&limit=1000&{filters}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    want = expected(client, facet, filters)
    # Null sorts first among equal counts in SQL; compare as multisets of (value, count) plus the order of counts.
    assert sorted(((i["value"] or ""), i["count"]) for i in body["items"]) == sorted(((v or ""), n) for v, n in want)
    assert [i["count"] for i in body["items"]] == [n for _, n in want]
    assert body["total"] == sum(n for _, n in want)
    assert body["complete"] is True
    assert body["facet"] == facet


def test_the_headline_facet_by_metric(client):
    body = client.get("/api/v1/figures/facets?facet=metric&category=troops&subject=north-korea").get_json()
    # The earlier texts add troops already sent (the first deployment and the early-2025 one).
    assert [(i["value"], i["count"]) for i in body["items"]] == [
        ("troops-deployed", 14),
        ("troops-additional-planned", 12),
    ]
    assert body["items"][1]["url"] == "/api/v1/metrics/troops-additional-planned"
    assert body["total"] == 26


def test_limit_keeps_the_most_frequent_and_says_more_exist(client):
    full = client.get("/api/v1/figures/facets?facet=source&limit=1000").get_json()
    top = client.get("/api/v1/figures/facets?facet=source&limit=2").get_json()
    assert top["items"] == full["items"][:2]
    assert top["complete"] is False and full["complete"] is True
    assert top["total"] == full["total"] == 72


@pytest.mark.parametrize(
    "query, param",
    [
        ("", "facet"),
        ("facet=bogus", "facet"),
        ("facet=metric&limit=0", "limit"),
        ("facet=metric&page_size=5", "page_size"),
        ("facet=metric&sort=id", "sort"),
        ("facet=metric&period_from=2025-13", "period_from"),
        ("facet=metric&subject=atlantis", "subject"),
    ],
)
def test_bad_facet_queries_are_422_naming_the_parameter(client, query, param):
    response = client.get(f"/api/v1/figures/facets?{query}")
    assert response.status_code == 422
    assert param in response.get_json()["errors"]


def test_facet_text_that_is_not_full_text_syntax_is_a_word_search(client):
    unbalanced = client.get('/api/v1/figures/facets?facet=metric&q="Pokrovsk')
    plain = client.get("/api/v1/figures/facets?facet=metric&q=Pokrovsk")
    assert unbalanced.status_code == 200 and unbalanced.get_json() == plain.get_json()
    assert plain.get_json()["total"] > 0

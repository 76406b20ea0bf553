"""Numbers as the JSON they are: 30000, not 30000.0; fractions stay fractions (JSON, NDJSON and CSV)."""

import csv
import io
import json
import re
import sqlite3

from api.shape import number

# A number written with a zero fraction, in JSON ("high":30000.0) or CSV (,30000.0,).
ZERO_FRACTION = re.compile(r"(?<![\w.])-?\d+\.0+(?![\d])")

URLS = (
    "/api/v1/figures?page_size=500",
    "/api/v1/figures.ndjson",
    "/api/v1/figures.csv",
    "/api/v1/claims?page_size=500",
    "/api/v1/claims.ndjson",
    "/api/v1/claims.csv",
    "/api/v1/discrepancies?page_size=500",
    "/api/v1/metrics/troops-additional-planned/summary",
    "/api/v1/figures/facets?facet=metric",
)


def test_number_keeps_fractions_and_drops_zero_fractions():
    assert number(30000.0) == 30000 and type(number(30000.0)) is int
    assert number(2.5) == 2.5 and type(number(2.5)) is float
    assert number(None) is None
    assert type(number(7)) is int


def test_no_response_writes_an_integer_as_a_float(client):
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        # Quotes hold the sources' words ("30,000.0" never occurs there; ids hold no numbers with a dot).
        found = ZERO_FRACTION.findall(text)
        assert not found, f"{url}: {found[:5]}"


def test_values_are_integers_in_json_and_csv(client):
    figure = client.get("/api/v1/figures/s002-additional-troops-up-to-30000").get_json()
    assert figure["value"]["high"] == 30000 and type(figure["value"]["high"]) is int
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/figures.csv").get_data(as_text=True))))
    highs = {row["id"]: row["value_high"] for row in rows}
    assert highs["s002-additional-troops-up-to-30000"] == "30000"
    lines = client.get("/api/v1/figures.ndjson").get_data(as_text=True).splitlines()
    by_id = {doc["id"]: doc for doc in map(json.loads, lines)}
    assert type(by_id["s002-additional-troops-up-to-30000"]["value_high"]) is int
    claim = client.get("/api/v1/claims/nk-additional-deployment-size").get_json()
    assert type(claim["spread"]["high"]) is int


def test_the_database_keeps_fractions_as_reals(db_path, tmp_path):
    """The value columns take values as given (STRICT ANY): an integer stays one and a fraction stays REAL."""
    copy = tmp_path / "copy.db"
    with sqlite3.connect(db_path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM figures WHERE typeof(low) = 'real'").fetchone() == (0,)
        conn.execute("UPDATE figures SET low = 2.5 WHERE id = (SELECT min(id) FROM figures WHERE low IS NOT NULL)")
        kinds = conn.execute("SELECT typeof(low), printf('%s', low) FROM figures WHERE low = 2.5").fetchall()
    assert kinds == [("real", "2.5")]
    conn.close()

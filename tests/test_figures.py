"""/figures: every filter, sort key, the cursor and the export formats."""

import csv
import io

import orjson
import pytest

from tests.conftest import get_all, ids

TROOPS_BY_SOURCE_AND_PERIOD = [
    "s000-first-deployment-11000",
    "s000-additional-troops-up-to-30000",
    "s000-headline-additional-troops-30000",
    "s001-first-deployment-11000",
    "s001-south-korea-additional-troops-3000",
    "s001-pokrovsk-massing-110000",
    "s001-additional-troops-25000-30000",
    "s001-town-phased-10000-20000",
    "s002-first-deployment-11000",
    "s002-south-korea-additional-troops-3000",
    "s002-pokrovsk-troops-massed-110000",  # as of Syrskyi's statement on Friday (2025-06-27)
    "s002-additional-troops-up-to-30000",
    "s002-ukraine-estimate-30000",
    "s002-western-estimate-up-to-30000",
    "s003-initial-deployment-11000",
    "s003-first-deployment-roughly-11000",
    "s003-south-korea-additional-troops-3000",
    "s003-additional-troops-25000-30000",
    "s003-tens-of-thousands-to-move",
    "s003-title-additional-troops-up-to-30000",
    "s004-first-deployment-11000",
    "s004-additional-troops-25000-30000",
    "s004-tens-of-thousands-to-move",
    "s006-nk-troops-deployed-about-12000",
    "s007-nk-dispatched-at-least-3000-jan-feb",  # 2025-01 to 2025-02
    "s007-nk-dispatched-some-3000-or-more-this-year",  # 'this year', narrowed to January and February
    "s007-nk-first-dispatched-some-11000",
    "s007-nk-more-troops-at-least-3000-headline",
]


@pytest.fixture(scope="module")
def everything(app):
    return get_all(app.test_client(), "/api/v1/figures?page_size=500")


def test_all_troop_estimates_by_source_and_date(client):
    assert (
        ids(client.get("/api/v1/figures?category=troops&sort=source,period&page_size=500"))
        == TROOPS_BY_SOURCE_AND_PERIOD
    )


def test_repeated_and_combined_filters(client):
    url = "/api/v1/figures?source=cnn-nk-up-to-30000-troops&source=nk-reportedly-preparing-to-triple-troops&hedge=range"
    assert ids(client.get(url)) == ["s003-additional-troops-25000-30000", "s004-additional-troops-25000-30000"]


@pytest.mark.parametrize(
    ("param", "value", "pick"),
    [
        ("metric", "troops-massed", lambda f: f["metric"]["id"] == "troops-massed"),
        ("category", "munitions", lambda f: f["metric"]["category"] == "munitions"),
        ("subject", "pokrovsk", lambda f: f["subject"]["id"] == "pokrovsk"),
        ("claimant", "western-officials", lambda f: (f["claimant"] or {}).get("id") == "western-officials"),
        ("source", "nk-plans-30000-more-troops", lambda f: f["source"]["id"] == "nk-plans-30000-more-troops"),
        ("claim", "nk-first-deployment-casualties", lambda f: f["claim"]["id"] == "nk-first-deployment-casualties"),
        ("hedge", "at_least", lambda f: f["value"]["hedge"] == "at_least"),
    ],
)
def test_each_filter_keeps_exactly_the_matching_figures(client, everything, param, value, pick):
    expected = sorted(f["id"] for f in everything if pick(f))
    assert expected, f"no figure has {param}={value}"
    assert ids(client.get(f"/api/v1/figures?{param}={value}&page_size=500")) == expected


def test_period_window_overlaps_at_the_periods_own_precision(client):
    # 'last fall' (Sep–Nov 2024) overlaps September; 'last November' does not;
    # a year ('last year', 2024) does.
    got = ids(client.get("/api/v1/figures?period_from=2024-09&period_to=2024-09&category=troops"))
    assert got == ["s000-first-deployment-11000", "s003-initial-deployment-11000"]
    years = ids(client.get("/api/v1/figures?period_from=2024-09&period_to=2024-09&category=munitions"))
    assert years and all("un-report" in i for i in years)
    june = ids(client.get("/api/v1/figures?period_from=2025-06-15&period_to=2025-06-15"))
    assert june == [
        "s001-shoigu-construction-workers-5000",  # announced in June (2025-06)
        "s001-shoigu-sappers-1000",
        "s001-shoigu-second-visit",  # in June (2025-06)
        "s001-south-korea-additional-troops-3000",  # earlier in 2025
        # 002's and 003's "earlier this year", reported in March, end in March.
    ]


def test_published_window_and_known_at(client, everything):
    dated = sorted(f["id"] for f in everything if f["source"]["published"])
    in_2025 = sorted(f["id"] for f in everything if (f["source"]["published"] or {}).get("date", "").startswith("2025"))
    assert len(in_2025) < len(dated)
    assert ids(client.get("/api/v1/figures?published_from=2024&published_to=2025&page_size=500")) == dated
    assert ids(client.get("/api/v1/figures?published_from=2025&published_to=2025&page_size=500")) == in_2025
    assert ids(client.get("/api/v1/figures?published_to=2024-12-18")) == []
    assert ids(client.get("/api/v1/figures?known_at=2025-07-02&page_size=500")) == dated
    assert ids(client.get("/api/v1/figures?known_at=2024-12-18")) == []
    first = [f["id"] for f in everything if (f["source"]["published"] or {}).get("date") == "2024-12-19"]
    assert first and ids(client.get("/api/v1/figures?known_at=2025-01-01&page_size=500")) == sorted(first)


def test_value_range_overlaps_intervals_and_honours_open_bounds(client, everything):
    got = ids(client.get("/api/v1/figures?value_min=26000&value_max=29000&page_size=500"))
    # 'up to 30,000' (no lower bound) and '25,000–30,000' reach into the window; '30,000' does not.
    assert "s000-additional-troops-up-to-30000" in got and "s001-additional-troops-25000-30000" in got
    assert "s000-headline-additional-troops-30000" not in got
    # at least 100 missiles: open upward.
    assert "s002-un-report-missiles-at-least-100" in ids(client.get("/api/v1/figures?value_min=1000000&page_size=500"))
    # Vague figures never match a value filter.
    assert not any(f["value"]["hedge"] == "vague" for f in everything if f["id"] in got)


def test_full_text_search_in_quotes(client):
    got = client.get("/api/v1/figures?q=Pokrovsk&page_size=500").get_json()["items"]
    every = get_all(client, "/api/v1/figures?page_size=500")
    assert [f["id"] for f in got] == sorted(f["id"] for f in every if "Pokrovsk" in f["quote"]["text"])
    assert ids(client.get('/api/v1/figures?q="blood debt"')) == []


@pytest.mark.parametrize("key", ["published", "period", "value", "source", "metric", "claimant", "id"])
def test_every_sort_key_orders_with_id_as_tie_breaker(client, everything, key):
    # Sources sort by their document's file number (000_….txt, 001_….txt…).
    filename = {s["id"]: s["document"]["filename"] for s in get_all(client, "/api/v1/sources?page_size=500")}
    extract = {
        "published": lambda f: (f["source"]["published"] or {}).get("first_day") or "~",
        "period": lambda f: (f["period"] or {}).get("first_day") or "~",
        "value": lambda f: next((v for v in (f["value"]["low"], f["value"]["high"]) if v is not None), 1e308),
        "source": lambda f: int(filename[f["source"]["id"]].split("_")[0]),
        "metric": lambda f: f["metric"]["id"],
        "claimant": lambda f: (f["claimant"] or {}).get("id") or "~",
        "id": lambda f: f["id"],
    }[key]
    ascending = [f["id"] for f in sorted(everything, key=lambda f: (extract(f), f["id"]))]
    assert ids(client.get(f"/api/v1/figures?sort={key}&page_size=500")) == ascending
    if key != "id":
        descending = [f["id"] for f in sorted(sorted(everything, key=lambda f: f["id"]), key=extract, reverse=True)]
        assert ids(client.get(f"/api/v1/figures?sort=-{key}&page_size=500")) == descending


@pytest.mark.parametrize("sort", ["id", "source,period", "-value", "-published,metric", "claimant,-period"])
def test_cursor_pages_return_every_row_once_in_order(client, sort):
    whole = ids(client.get(f"/api/v1/figures?sort={sort}&page_size=500"))
    paged, url, pages = [], f"/api/v1/figures?sort={sort}&page_size=7", 0
    while url:
        response = client.get(url)
        body = response.get_json()
        paged += [f["id"] for f in body["items"]]
        if body["next"]:
            assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
        url, pages = body["next"], pages + 1
    assert paged == whole and len(set(paged)) == len(paged)
    assert pages == -(-len(whole) // 7)


@pytest.mark.parametrize(("repeated", "once"), [("source,-source", "source"), ("-period,id,-period", "-period")])
def test_a_sort_key_given_twice_sorts_as_its_first_place_says(client, repeated, once):
    whole = ids(client.get(f"/api/v1/figures?sort={once}&page_size=500"))
    assert whole and ids(client.get(f"/api/v1/figures?sort={repeated}&page_size=500")) == whole
    assert [f["id"] for f in get_all(client, f"/api/v1/figures?sort={repeated}&page_size=7")] == whole


def test_total_is_available(client, everything):
    body = client.get("/api/v1/figures?category=troops&total=true&page_size=1").get_json()
    assert body["total"] == len(TROOPS_BY_SOURCE_AND_PERIOD) and len(body["items"]) == 1
    assert client.get("/api/v1/figures").get_json()["total"] is None


def test_csv_and_ndjson_stream_the_whole_result_as_flat_rows(client):
    json_items = get_all(client, "/api/v1/figures?category=troops&sort=source,period&page_size=5")
    csv_response = client.get("/api/v1/figures.csv?category=troops&sort=source,period")
    assert csv_response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
    ndjson = client.get("/api/v1/figures.ndjson?category=troops&sort=source,period")
    assert ndjson.mimetype == "application/x-ndjson"
    lines = [orjson.loads(line) for line in ndjson.get_data().splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in lines] == [f["id"] for f in json_items]
    for row, line, item in zip(rows, lines, json_items, strict=True):
        assert line["value_text"] == row["value_text"] == item["value"]["text"]
        assert line["quote"] == row["quote"] == item["quote"]["text"]
        assert line["source_id"] == row["source_id"] == item["source"]["id"]
        assert float(row["value_high"] or "nan") == pytest.approx(item["value"]["high"] or float("nan"), nan_ok=True)


def test_the_csv_export_has_its_own_url(client):
    response = client.get("/api/v1/figures.csv?claim=kn-missile-strikes")
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines()[0].startswith("id,claim_id,metric_id")
    refused = client.get("/api/v1/figures?claim=kn-missile-strikes", headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    assert "/api/v1/figures.csv?claim=kn-missile-strikes" in refused.get_json()["detail"]


def test_events_and_claims_export_too(client):
    events = client.get("/api/v1/events.csv")
    assert len(list(csv.DictReader(io.StringIO(events.get_data(as_text=True))))) == len(
        get_all(client, "/api/v1/events")
    )
    claims = client.get("/api/v1/claims.ndjson")
    assert len(claims.get_data().splitlines()) == len(get_all(client, "/api/v1/claims"))


@pytest.mark.parametrize("extra", ["", "&category=troops", "&source=cnn-nk-up-to-30000-troops&hedge=up_to"])
def test_full_text_pages_in_id_order_match_the_unpaged_answer(client, everything, extra):
    """Search in id order is driven by the FTS index: paging through it gives every match once, in id order."""
    paged = get_all(client, f"/api/v1/figures?q=troops&page_size=3{extra}")
    by_other_sort = get_all(client, f"/api/v1/figures?q=troops&sort=-value&page_size=500{extra}")
    assert [f["id"] for f in paged] == sorted(f["id"] for f in by_other_sort)
    assert len(paged) > 0
    total = client.get(f"/api/v1/figures?q=troops&total=true{extra}").get_json()["total"]
    assert total == len(paged)


def test_figure_rowids_follow_id_order(db_path):
    """The build inserts figures sorted by id; id-ordered full-text paging relies on it."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    ids_by_rowid = [r[0] for r in conn.execute("SELECT id FROM figures ORDER BY rowid")]
    conn.close()
    assert ids_by_rowid == sorted(ids_by_rowid) and len(ids_by_rowid) > 0


def flatten_figure(f: dict) -> dict:
    """Flatten a served figure into the columns of its CSV and NDJSON exports (the oracle the exports are held to)."""
    period = f["period"] or {}
    claimant = f["claimant"] or {}
    pub = f["source"]["published"] or {}
    return {
        "id": f["id"],
        "claim_id": f["claim"]["id"],
        "metric_id": f["metric"]["id"],
        "metric_category": f["metric"]["category"],
        "subject_id": f["subject"]["id"],
        "value_low": f["value"]["low"],
        "value_high": f["value"]["high"],
        "value_hedge": f["value"]["hedge"],
        "value_text": f["value"]["text"],
        "value_unit": f["value"]["unit"],
        "period_start": period.get("start"),
        "period_end": period.get("end"),
        "period_precision": period.get("precision"),
        "period_phrase": period.get("phrase"),
        "period_first_day": period.get("first_day"),
        "period_last_day": period.get("last_day"),
        "claimant_id": claimant.get("id"),
        "claimant_attribution": claimant.get("attribution"),
        "via_id": (f["via"] or {}).get("id"),
        "source_id": f["source"]["id"],
        "source_title": f["source"]["title"],
        "source_published": pub.get("date"),
        "quote": f["quote"]["text"],
        "quote_start": f["quote"]["start"],
        "quote_end": f["quote"]["end"],
        "event_id": (f["event"] or {}).get("id"),
        "origin": f["origin"],
        "note": f["note"],
    }


def test_flat_export_rows_are_the_flattened_documents(client, everything):
    """Exports read flat columns from the tables; they must say what the JSON documents say."""
    from api.web.queries.figures import FLAT_COLUMNS

    text = client.get("/api/v1/figures.csv?sort=id").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(FLAT_COLUMNS)
    lines = client.get("/api/v1/figures.ndjson?sort=id").get_data(as_text=True).splitlines()
    by_id = {f["id"]: f for f in everything}
    assert [r["id"] for r in rows] == sorted(by_id) == [orjson.loads(line)["id"] for line in lines]
    for row, line in zip(rows, lines, strict=True):
        expected = flatten_figure(by_id[row["id"]])
        assert orjson.loads(line) == expected
        assert row == {k: "" if v is None else str(v) for k, v in expected.items()}


@pytest.mark.parametrize("sort", ["id", "-id", "source,period", "-value"])
def test_csv_written_by_sqlite_is_what_csv_writer_writes(client, app, sort):
    """The CSV export (lines built in SQL) is byte for byte what csv.writer makes of the flat rows."""
    from api.web.db import get_db
    from api.web.queries.figures import FIGURES, FLAT_COLUMNS, FLAT_FIELDS, TOKEN
    from api.web.queries.listing import export

    body = client.get(f"/api/v1/figures.csv?sort={sort}").get_data(as_text=True)
    with app.app_context():
        rows = list(export(get_db(), FIGURES, {"sort": sort}))
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(FLAT_COLUMNS)
    writer.writerows(rows)
    assert body == expected.getvalue()
    assert len(rows) > 50
    # Token columns (ids, enums, dates) are written unquoted: nothing in them needs quotes.
    tokens = [i for i, (_, _, kind) in enumerate(FLAT_FIELDS) if kind == TOKEN]
    assert not any(set(str(row[i] or "")) & set('",\n\r') for row in rows for i in tokens)


ODD_TEXT = ["plain", "", None, 'say "up to"', "a, b", "two\nlines", "cr\rhere", '",\n', "Kim Jong-un’s 30,000", "'"]
REALISTIC_NUMBERS = [None, 0, 3, 30000, 25000.0, 1.5, 0.25, 110000.0, 1234567.0]


@pytest.mark.parametrize("text", ODD_TEXT)
@pytest.mark.parametrize("number", REALISTIC_NUMBERS)
def test_csv_field_quotes_as_csv_writer_does(text, number):
    import sqlite3

    from api.web.queries.figures import NUMBER, TEXT, csv_field

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a TEXT, b REAL, c TEXT)")
    conn.execute("INSERT INTO t VALUES (?, ?, ?)", [text, number, text])
    sql = " || ',' || ".join([csv_field("a", TEXT), csv_field("b", NUMBER), csv_field("c", TEXT)])
    line = conn.execute(f"SELECT {sql} || char(10) FROM t").fetchone()[0]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerow([text, float(number) if number is not None else None, text])
    expected = expected.getvalue()
    if text and "\r" in text and not any(c in text for c in '",\n'):
        # csv.writer leaves a lone carriage return unquoted; the export quotes it (RFC 4180).
        expected = expected.replace(text, f'"{text}"')
    assert line == expected
    assert next(csv.reader(io.StringIO(line))) == [text or "", "" if number is None else str(float(number)), text or ""]

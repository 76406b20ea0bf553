"""The headline queries use indexes at scale: no full scans, no sorting of whole result sets.

The plans are read with EXPLAIN QUERY PLAN from the statements the app really
runs, on a synthetic database (bench.synth, through the normal validated build)
large enough for the planner's statistics to look like production's.
"""

import functools
import re
import sqlite3
import tracemalloc
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
import yaml

from api.web import db
from schemas.common import ID_FILTERS
from tests.conftest import SYNTHETIC_FIGURES, RecordingConnection, make_app


@pytest.fixture(scope="module")
def top_subject(synthetic_db):
    conn = sqlite3.connect(synthetic_db)
    (subject,) = conn.execute(
        "SELECT subject_id FROM figure_counts WHERE category = 'troops' GROUP BY 1 ORDER BY sum(n) DESC LIMIT 1"
    ).fetchone()
    conn.close()
    return subject


@pytest.fixture(scope="module")
def synthetic_app(synthetic_db):
    """One app over the synthetic database: it opens its connection per thread through db.connect."""
    return make_app(synthetic_db)


def plans_of(app, synthetic_db, monkeypatch, url):
    statements = []
    real = db.connect
    monkeypatch.setattr(db, "connect", lambda path: RecordingConnection(real(path), statements))
    monkeypatch.setattr(db._local, "conn", None, raising=False)
    monkeypatch.setattr(db._local, "key", None, raising=False)
    response = app.test_client().get(url)
    assert response.status_code == 200, f"{url}: {response.get_data(as_text=True)}"
    conn = sqlite3.connect(synthetic_db)
    plans = []
    for sql, params in statements:
        if sql.lstrip().upper().startswith("SELECT") and "build_info" not in sql:
            rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            plans.append((sql, [r[3] for r in rows]))
    conn.close()
    assert plans, f"no query recorded for {url}"
    return plans


# Tables of one row per release of the data (not per record): read whole by design.
SMALL_TABLES = {"releases"}


def assert_indexed(plans, what=""):
    for sql, details in plans:
        # Facets sort their groups (one per distinct value); the lookups that embed records in a
        # page (no LIMIT: "WHERE event_id IN (<the page's ids>)") sort at most a page's rows.
        bounded = "GROUP BY" in sql or "LIMIT" not in sql
        for detail in details:
            # Reading a whole table without an index grows with the table. (Walking an index in
            # order, "SCAN ... USING INDEX", stops at the page's LIMIT.)
            scan = detail.startswith("SCAN ") and "USING" not in detail and "VIRTUAL TABLE" not in detail
            assert not (scan and detail.split()[1] not in SMALL_TABLES), f"{what} full scan in {sql}: {details}"
            # Sorting every matching row would too; sorting the groups of a facet (one per distinct value) does not.
            if not bounded:
                assert "TEMP B-TREE" not in detail, f"{what} sort of the whole result in {sql}: {details}"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/figures?category=troops&subject={s}&sort=source,period",
        "/api/v1/figures?category=troops&subject={s}&sort=source,period&value_min=1000&value_max=100000"
        "&period_from=2023&period_to=2024",
        "/api/v1/figures?sort=published",
        "/api/v1/figures?sort=source",
        "/api/v1/figures?sort=source,period",
        "/api/v1/figures?sort=period",
        "/api/v1/figures?sort=value",
        "/api/v1/figures?metric=troops-deployed&subject={s}&sort=published",
        "/api/v1/figures?source=source-000001&sort=period",
        "/api/v1/figures?q=%22satellite%20imagery%22",
        "/api/v1/figures?q=satellite&category=troops",
        "/api/v1/figures/facets?facet=metric&subject={s}",
        "/api/v1/figures/facets?facet=category&subject={s}",
        "/api/v1/events?sort=date",
    ],
)
def test_headline_queries_use_indexes(synthetic_app, synthetic_db, monkeypatch, top_subject, url):
    assert_indexed(plans_of(synthetic_app, synthetic_db, monkeypatch, url.format(s=top_subject)))


@pytest.mark.parametrize("sort", ["id", "published", "source,period"])
def test_exports_read_in_index_order_without_sorting(synthetic_app, synthetic_db, monkeypatch, sort):
    plans = plans_of(synthetic_app, synthetic_db, monkeypatch, f"/api/v1/figures.csv?sort={sort}")
    export = [(sql, details) for sql, details in plans if "CROSS JOIN sources" in sql]
    assert export, plans
    for _sql, details in export:
        # In the order of an index, or of the table itself (rowids follow ids).
        assert details[0] == "SCAN f" if sort == "id" else details[0].startswith("SCAN f USING"), details
        assert not any("TEMP B-TREE" in d for d in details), details


def test_sources_without_a_file_number_sort_by_name_then_id(synthetic_app, synthetic_db):
    """Synthetic files carry no number: sort=source still pages through every figure in one order."""
    conn = sqlite3.connect(synthetic_db)
    filename = dict(conn.execute("SELECT id, filename FROM sources"))
    period = dict(conn.execute("SELECT id, period_sort FROM figures"))
    conn.close()
    assert not any(name.partition("_")[0].isdigit() for name in filename.values())
    client = synthetic_app.test_client()
    items, url = [], "/api/v1/figures?sort=source,period&page_size=500&category=troops"
    while url:
        body = client.get(url).get_json()
        items += body["items"]
        url = body["next"]
    keys = [(filename[f["source"]["id"]], f["source"]["id"], period[f["id"]], f["id"]) for f in items]
    assert len({f["source"]["id"] for f in items}) > 1 and keys == sorted(keys) and len(set(keys)) == len(keys)


def test_a_deep_cursor_page_uses_the_index(synthetic_app, synthetic_db, monkeypatch):
    client = synthetic_app.test_client()
    url = "/api/v1/figures?sort=published&page_size=500"
    for _ in range(20):  # 10,000 rows deep
        url = client.get(url).get_json()["next"]
    plans = plans_of(synthetic_app, synthetic_db, monkeypatch, url)
    assert_indexed(plans)
    assert any("f.published_sort, f.id) > (?, ?)" in sql for sql, _ in plans), plans


def stream(client, url):
    """Read a streamed export chunk by chunk.

    Returns (lines, bytes, most Python memory held between two chunks, peak
    Python memory at any moment), both above what was held before the first chunk.
    """
    response = client.get(url, buffered=False)
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    lines = size = held = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n" if isinstance(chunk, bytes) else "\n")
        held = max(held, tracemalloc.get_traced_memory()[0] - start)
    response.close()
    peak = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    return lines, size, held, peak


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_the_full_export_streams_in_flat_memory(synthetic_app, fmt):
    """Exporting every figure holds a batch at a time: four times the rows, not four times the memory."""
    client = synthetic_app.test_client()
    stream(client, f"/api/v1/figures.{fmt}?hedge=exact")  # warm: statement cache, imports
    part_lines, part_size, part_held, _ = stream(client, f"/api/v1/figures.{fmt}?hedge=about")
    all_lines, all_size, all_held, all_peak = stream(client, f"/api/v1/figures.{fmt}")
    assert all_lines == SYNTHETIC_FIGURES + (1 if fmt == "csv" else 0)
    assert all_size > 4 * part_size > 0
    assert all_held < part_held + 1_000_000, (
        f"{fmt}: {all_size:,} bytes held {all_held:,} bytes of memory; {part_size:,} bytes held {part_held:,}"
    )
    # A batch of rows (2,000) and a chunk (500 rows) at a time, whatever the size of the export.
    assert all_peak < 16_000_000, f"{fmt}: peak {all_peak:,} bytes"


# ---- every list, every documented filter and sort ---------------------------

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A URL the docs show: /api/v1/<path>?<query>, up to a space, quote, backtick or closing bracket.
DOC_URL = re.compile(r"/api/v1/[\w{}./-]+\?[^\s`'\"<>)|]+")
EXPORT_SUFFIX = re.compile(r"\.(csv|ndjson)$")
# Values that need a companion parameter to mean anything, given with it.
COMPANIONS = {"known_at_basis": {"known_at": "2024-06-30"}}
# The lists checked filter by filter and sort by sort: those of the table that grows by millions.
MATRIX = ("/api/v1/figures",)
# The filters the bench and the headline question narrow figures with first.
HEADLINE = {"category": "troops", "sort": "source,period"}


@functools.cache
def list_operations() -> dict[str, dict]:
    """Every list operation of openapi.yaml (a page with a Link header): path -> query parameters."""
    # Read once: the document is large, and every URL checked asks for it.
    document = yaml.load((ROOT / "openapi.yaml").read_text(), Loader=yaml.CSafeLoader)
    lists = {}
    for path, operations in document["paths"].items():
        operation = operations.get("get", {})
        if "Link" not in operation.get("responses", {}).get("200", {}).get("headers", {}):
            continue
        params = {}
        for param in operation.get("parameters", []):
            if "$ref" in param:
                param = document["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
            if param["in"] == "query" and param["name"] not in ("page_size", "cursor", "total"):
                params[param["name"]] = resolve(document, param["schema"])
        lists[path] = params
    return lists


def resolve(document, schema: dict) -> dict:
    if "$ref" in schema:
        return resolve(document, document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if schema.get("type") == "array":
        return {**schema, "items": resolve(document, schema["items"])}
    return schema


def operation_of(path: str, lists: dict) -> str | None:
    """The list operation (its templated path) that serves ``path``, or None."""
    for template in lists:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return template
    return None


def documented_list_urls() -> list[tuple[str, str]]:
    """(file, URL) for every list URL with a query string the docs show; an export's as its list's."""
    lists, found = list_operations(), []
    for doc in DOC_FILES:
        for raw in DOC_URL.findall(doc.read_text()):
            url = raw.rstrip(".,;:")
            path, _, query = url.partition("?")
            path = EXPORT_SUFFIX.sub("", path)
            if operation_of(path, lists):
                found.append((doc.name, f"{path}?{query}"))
    return found


@pytest.fixture(scope="module")
def samples(synthetic_db):
    return sample_values(synthetic_db)


def sample_values(path) -> dict:
    """A value of the synthetic database for each id filter and path parameter: the most common ones."""
    conn = sqlite3.connect(path)

    def one(sql):
        return conn.execute(sql).fetchone()[0]

    entity = one("SELECT subject_id FROM figures GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    values = {
        "entity": entity,
        "source": one("SELECT source_id FROM figures GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
        "metric": one("SELECT metric_id FROM figures GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
        "claim": one("SELECT claim_id FROM figures GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
        "event": one("SELECT event_id FROM event_participants GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"),
        "release": one("SELECT version FROM releases ORDER BY seq LIMIT 1"),
    }
    conn.close()
    by_name = {name: values[kind] for name, kind in ID_FILTERS.items()}
    by_name.update(since=values["release"], until=values["release"], q="satellite")
    by_name.update(entity_id=entity, source_id=values["source"], claim_id=values["claim"])
    return by_name


def sample(name: str, schema: dict, samples: dict) -> str:
    """A value for query parameter ``name`` of JSON schema ``schema``."""
    if name in samples:
        return samples[name]
    schema = schema.get("items", schema)
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("type") == "boolean":
        return "true"
    if schema.get("type") in ("integer", "number"):
        return "2"
    if "date" in name or name.endswith(("_from", "_to")) or name == "known_at":
        return "2024-06-30" if name == "known_at" else "2024-06"
    raise AssertionError(f"no sample value for parameter {name!r} ({schema}): add one to samples()")


def sort_keys_of(schema: dict) -> list[str]:
    """The sort keys a ``sort`` parameter's pattern allows: ``^-?(a|b)(,…`` -> [a, b]."""
    match = re.match(r"\^-\?\(([\w|]+)\)", schema.get("pattern", ""))
    return match.group(1).split("|") if match else []


def fill(template: str, samples: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: samples[m.group(1)], template)


def matrix(samples: dict) -> list[str]:
    """Each list alone, with each of its filters alone (and its companion), and sorted by each key either way;
    figures also under the headline filters (category, subject, by source and period) with each other filter."""
    urls = []
    for template, params in list_operations().items():
        if template not in MATRIX:
            continue
        path = fill(template, samples)
        urls.append(path)
        for name, schema in params.items():
            if name == "sort":
                urls += [f"{path}?sort={d}{key}" for key in sort_keys_of(schema) for d in ("", "-")]
                continue
            query = {**COMPANIONS.get(name, {}), name: sample(name, schema, samples)}
            urls.append(f"{path}?{urlencode(query)}")
            if template == "/api/v1/figures" and name not in HEADLINE:
                headline = {**HEADLINE, "subject": samples["subject"], **query}
                urls.append(f"{path}?{urlencode(headline)}")
    return urls


def synthetic(url: str, samples: dict) -> str:
    """A documented URL with the synthetic database's ids in place of the curated ones."""
    path, _, query = url.partition("?")
    lists = list_operations()
    template = operation_of(path, lists)
    parts = [(a, b) for a, b in zip(template.split("/"), path.split("/"), strict=True)]
    path = "/".join(samples[a[1:-1]] if a.startswith("{") else b for a, b in parts)
    pairs = [(k, samples[k] if k in ID_FILTERS or k in ("since", "until") else v) for k, v in parse_qsl(query)]
    return f"{path}?{urlencode(pairs)}"


def unindexed(app, synthetic_db, monkeypatch, urls) -> dict[str, str]:
    """URL -> the first line of its failed check (a full scan or a sort of the whole result)."""
    failures = {}
    for what, url in urls:
        try:
            assert_indexed(plans_of(app, synthetic_db, monkeypatch, url), what)
        except AssertionError as exc:
            failures[url] = " ".join(str(exc).split())[:400]
    return failures


# What no index answers yet, each with why; a test fails when one of them becomes indexed, so
# that the list only shrinks. (The releases table, one row per release of the data, is read whole.)
KNOWN_UNINDEXED = {
    r"sort=-(?!id\b)": "a descending key is followed by the id ascending (the tie-breaker): no one-way index gives that order",
    r"/api/v1/discrepancies\?": "discrepancies are found in Python over every figure and statement the filters keep",
    r"/api/v1/claims\?known_at=": "each claim's statistics are counted again over its figures known by then",
}


def known_gap(url: str) -> bool:
    return any(re.search(pattern, url) for pattern in KNOWN_UNINDEXED)


def check_all(app, synthetic_db, monkeypatch, urls) -> set[str]:
    """Assert that every URL but the known gaps uses indexes; return the patterns of the known gaps seen."""
    failures = unindexed(app, synthetic_db, monkeypatch, urls)
    unexpected = [message for url, message in failures.items() if not known_gap(url)]
    assert not unexpected, "\n".join(unexpected)
    assert not [url for _, url in urls if known_gap(url) and url not in failures], "indexed now: shrink KNOWN_UNINDEXED"
    return {pattern for pattern in KNOWN_UNINDEXED for url in failures if re.search(pattern, url)}


def test_the_docs_show_list_urls():
    """The check below reads the docs' URLs: it must find the headline question's among them."""
    urls = [url for _, url in documented_list_urls()]
    assert "/api/v1/figures?category=troops&sort=source,period" in urls, urls
    assert any("known_at" in url for url in urls), urls


def test_every_documented_list_url_uses_indexes(synthetic_app, synthetic_db, monkeypatch, samples):
    urls = [
        (f"{doc}: {url} as {synthetic(url, samples)}", synthetic(url, samples)) for doc, url in documented_list_urls()
    ]
    check_all(synthetic_app, synthetic_db, monkeypatch, urls)


def test_every_figure_filter_and_sort_uses_indexes(synthetic_app, synthetic_db, monkeypatch, samples):
    urls = matrix(samples)
    assert len(urls) > 40, urls
    gaps = check_all(synthetic_app, synthetic_db, monkeypatch, [(url, url) for url in urls])
    assert gaps == {r"sort=-(?!id\b)"}, gaps


def test_the_distinct_mix_reads_no_figure_rows(synthetic_app, synthetic_db, monkeypatch, top_subject):
    """A page of a category and subject above a value, by source and period: the index answers it all
    (the filters, the order, the cursor's keys); only each figure's stored document is read."""
    url = f"/api/v1/figures?sort=source,period&category=troops&subject={top_subject}&value_min=1234.5"
    plans = plans_of(synthetic_app, synthetic_db, monkeypatch, url)
    page = [details for sql, details in plans if "LIMIT" in sql]
    assert page and page[0][0].startswith("SEARCH f USING COVERING INDEX idx_figures_category_subject_id_"), page

"""The OpenAPI document as a contract: typed nested objects, every header sent documented, exports by URL.

What a client generated from the document relies on: a nested object that may be null is "that
object, or null" (so a wrong shape is an error, not "any object"), the query parameters put no
value in a form that the reader did not choose, every header a response carries is documented on
that response, and every export has a URL whose response has one content type.
"""

import copy
import csv
import io

import pytest

from tests.conftest import make_app
from tests.contract import problems

FIGURE = "s002-additional-troops-up-to-30000"
HTTP_METHODS = {"get", "head", "options"}
# Headers of the HTTP exchange itself, described by the response's content rather than as headers.
FRAMING = {"content-type", "content-length"}


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def walk(node, trail=()):
    """Every dict in a schema tree, with the keys leading to it."""
    if isinstance(node, dict):
        yield trail, node
        for key, value in node.items():
            yield from walk(value, (*trail, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*trail, index))


# ---------------------------------------------------------------- typed nested objects


def test_nullable_nested_objects_are_typed_references(spec):
    nullable_refs = []
    for trail, node in walk(spec["components"]["schemas"]):
        assert "anyOf" not in node, f"{'.'.join(map(str, trail))}: anyOf (an untyped alternative)"
        if "allOf" in node:
            # One reference: "that object" (with a description beside it), or null where nullable.
            assert [list(part) for part in node["allOf"]] == [["$ref"]], trail
            if node.get("nullable") is True:
                nullable_refs.append(".".join(map(str, trail)))
        if node.get("nullable") is True and "type" not in node:
            assert "allOf" in node, f"{trail}: nullable without a type or a reference"
    # The ones a client reads most: an event's location, a figure's claimant, a source's publication date.
    for expected in (
        "Event.properties.location",
        "Figure.properties.claimant",
        "Figure.properties.event",
        "Figure.properties.via",
        "SourceRef.properties.published",
        "Citation.properties.via",
        "ClaimFigure.properties.claimant",
    ):
        assert expected in nullable_refs, (expected, nullable_refs)


def test_a_wrong_shape_of_a_nested_object_fails_validation(client, spec):
    figure = client.get(f"/api/v1/figures/{FIGURE}").get_json()
    assert figure["claimant"] is not None
    assert problems(spec, "Figure", figure) == []
    assert problems(spec, "Figure", {**figure, "claimant": None}) == []  # null is allowed
    wrong = problems(spec, "Figure", {**figure, "claimant": {"anything": 1}})
    assert wrong and all(p.startswith("['claimant']") for p in wrong), wrong
    assert problems(spec, "Figure", {**figure, "event": {"anything": 1}})
    assert problems(spec, "Figure", {**figure, "claimant": "Ukrainian officials"})
    published = copy.deepcopy(figure)
    published["source"]["published"] = {"date": 2025}
    assert problems(spec, "Figure", published)

    event = client.get("/api/v1/events?page_size=500").get_json()["items"]
    located = next(e for e in event if e["location"] is not None)
    assert problems(spec, "Event", located) == []
    assert problems(spec, "Event", {**located, "location": {"anything": 1}})

    claim = client.get("/api/v1/claims/nk-additional-deployment-size").get_json()
    assert problems(spec, "Claim", claim) == []
    broken = copy.deepcopy(claim)
    broken["figures"][0]["claimant"] = {"anything": 1}
    assert problems(spec, "Claim", broken)


def test_every_operation_has_a_unique_operation_id(spec):
    ids = [operation.get("operationId") for _, _, operation in operations(spec)]
    assert all(ids) and len(set(ids)) == len(ids), ids
    assert spec["paths"]["/api/v1/figures.csv"]["get"]["operationId"] == "export_figures_csv"


# ---------------------------------------------------------------- query parameters


def test_query_parameters_prefill_nothing(spec):
    """No example or null default that Swagger UI would put in an input (and send); no null in an enum."""
    for path, method, operation in operations(spec):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            where = f"{method.upper()} {path} ?{parameter['name']}"
            schema = parameter["schema"]
            assert "example" not in schema and "examples" not in parameter and "example" not in parameter, where
            assert schema.get("default", "absent") is not None, f"{where}: default null"
            assert "nullable" not in schema, where
            assert None not in schema.get("enum", []), where
            assert None not in schema.get("items", {}).get("enum", []), where
    format_parameter = next(p for p in spec["paths"]["/api/v1/figures"]["get"]["parameters"] if p["name"] == "format")
    assert format_parameter["schema"]["enum"] == ["json", "csv", "ndjson"]
    assert "Example: `csv`" in format_parameter["description"]  # the example moved into the text


# ---------------------------------------------------------------- headers


def documented_headers(spec, path, status):
    response = spec["paths"][path]["get"]["responses"][str(status)]
    headers = {}
    for name, header in response.get("headers", {}).items():
        if "$ref" in header:
            header = spec["components"]["headers"][header["$ref"].rsplit("/", 1)[1]]
        headers[name.lower()] = header
    return headers


HEADER_CASES = [
    # (request, headers to send, the document's path, status)
    ("/api/v1/figures?category=troops&page_size=2", {}, "/api/v1/figures", 200),  # with a Link
    ("/api/v1/figures?format=csv", {}, "/api/v1/figures", 200),
    ("/api/v1/figures", {"Accept": "application/x-ndjson"}, "/api/v1/figures", 200),
    ("/api/v1/figures.csv?category=troops", {}, "/api/v1/figures.csv", 200),
    ("/api/v1/events.ndjson", {}, "/api/v1/events.ndjson", 200),
    (f"/api/v1/figures/{FIGURE}", {}, "/api/v1/figures/{figure_id}", 200),
    ("/api/v1/figures/no-such-figure", {}, "/api/v1/figures/{figure_id}", 404),
    ("/api/v1/figures?metirc=x", {}, "/api/v1/figures", 422),
    ("/api/v1/entities/Umerov", {}, "/api/v1/entities/{entity_id}", 301),
    ("/api/v1/entities/Umerov/figures.csv", {}, "/api/v1/entities/{entity_id}/figures.csv", 301),
    ("/api/v1/metrics/troops-additional-planned/chart.svg", {}, "/api/v1/metrics/{metric_id}/chart.svg", 200),
    ("/api/v1/timeline", {}, "/api/v1/timeline", 200),
    ("/health", {}, "/health", 200),
]


def check_headers(spec, response, path, status):
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:300])
    documented = documented_headers(spec, path, status)
    sent = {name.lower() for name, _ in response.headers}
    undocumented = sent - FRAMING - set(documented)
    assert not undocumented, f"{path} {status} sends undocumented headers: {sorted(undocumented)}"
    missing = {name for name, header in documented.items() if header.get("required")} - sent
    assert not missing, f"{path} {status} lacks required headers: {sorted(missing)}"


@pytest.mark.parametrize(("url", "headers", "path", "status"), HEADER_CASES)
def test_every_header_sent_is_documented_where_it_is_sent(client, spec, url, headers, path, status):
    check_headers(spec, client.get(url, headers=headers), path, status)


def test_link_etag_vary_and_not_modified_headers(client, spec):
    first = client.get("/api/v1/figures?category=troops&page_size=2")
    assert first.headers["Link"].endswith('; rel="next"')
    assert first.headers["Vary"] == "Accept" and first.headers["ETag"]
    again = client.get("/api/v1/figures?category=troops&page_size=2", headers={"If-None-Match": first.headers["ETag"]})
    check_headers(spec, again, "/api/v1/figures", 304)


def test_retry_after_is_documented_on_503(spec, tmp_path):
    app = make_app(tmp_path / "missing.db", TESTING=True)
    response = app.test_client().get("/api/v1/figures")
    check_headers(spec, response, "/api/v1/figures", 503)
    assert int(response.headers["Retry-After"]) >= 0


# ---------------------------------------------------------------- exports


EXPORTS = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
EXPORT_LISTS = [
    "/api/v1/figures",
    "/api/v1/events",
    "/api/v1/claims",
    "/api/v1/entities/{entity_id}/figures",
    "/api/v1/entities/{entity_id}/events",
    "/api/v1/entities/{entity_id}/claims",
    "/api/v1/sources/{source_id}/figures",
    "/api/v1/sources/{source_id}/events",
    "/api/v1/claims/{claim_id}/history",
    "/api/v1/changes",
]
# The query each export is compared with (changes come in release order: no sort).
EXPORT_QUERY = {"/api/v1/changes": "kind=figure"}
IDS = {
    "{entity_id}": "north-korea",
    "{source_id}": "nk-plans-30000-more-troops",
    "{claim_id}": "nk-additional-deployment-size",
}
CLAIMANT = "ukrainian-officials"  # credited with claims (North Korea is the subject of figures, not a claimant)


def concrete(path):
    if path == "/api/v1/entities/{entity_id}/claims":
        return path.replace("{entity_id}", CLAIMANT)
    for placeholder, value in IDS.items():
        path = path.replace(placeholder, value)
    return path


def test_every_list_that_exports_has_an_export_url_per_format(spec):
    exporting = {
        path
        for path, method, operation in operations(spec)
        if "text/csv" in operation["responses"]["200"].get("content", {}) and not path.endswith((".csv", ".ndjson"))
    }
    assert exporting == set(EXPORT_LISTS)
    for path in EXPORT_LISTS:
        for fmt, mimetype in EXPORTS.items():
            content = spec["paths"][f"{path}.{fmt}"]["get"]["responses"]["200"]["content"]
            assert list(content) == [mimetype], (path, fmt, content)
            names = {p["name"] for p in spec["paths"][f"{path}.{fmt}"]["get"]["parameters"] if p["in"] == "query"}
            assert not names & {"format", "page_size", "cursor", "total"}, (path, names)


@pytest.mark.parametrize("path", EXPORT_LISTS)
@pytest.mark.parametrize("fmt", sorted(EXPORTS))
def test_an_export_url_answers_what_format_and_accept_answer(client, path, fmt):
    url, query = concrete(path), EXPORT_QUERY.get(path, "sort=id")
    by_url = client.get(f"{url}.{fmt}?{query}")
    assert by_url.status_code == 200
    assert by_url.mimetype == EXPORTS[fmt]
    body = by_url.get_data(as_text=True)
    assert body.count("\n") >= 2, body[:200]  # a header and a row, or two records
    assert client.get(f"{url}?{query}&format={fmt}").get_data(as_text=True) == body
    assert client.get(f"{url}?{query}", headers={"Accept": EXPORTS[fmt]}).get_data(as_text=True) == body


def test_an_export_url_takes_the_lists_filters(client):
    troops = list(csv.DictReader(io.StringIO(client.get("/api/v1/figures.csv?category=troops").get_data(as_text=True))))
    listed = client.get("/api/v1/figures?category=troops&page_size=500").get_json()["items"]
    assert [row["id"] for row in troops] == [figure["id"] for figure in listed]
    assert len(troops) == 23
    for wrong in ("format=json", "page_size=3", "cursor=x", "total=true", "category=nonsense"):
        assert client.get(f"/api/v1/figures.csv?{wrong}").status_code == 422, wrong


# ---------------------------------------------------------------- trailing slashes


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/api/v1/figures/", "/api/v1/figures"),
        ("/api/v1/figures/?category=troops", "/api/v1/figures?category=troops"),
        (f"/api/v1/figures/{FIGURE}/", f"/api/v1/figures/{FIGURE}"),
        ("/api/v1/metrics/troops-deployed/summary/", "/api/v1/metrics/troops-deployed/summary"),
        ("/health/", "/health"),
        ("/docs/", "/docs"),
    ],
)
def test_a_trailing_slash_redirects_to_the_canonical_path(client, url, location):
    response = client.get(url)
    assert response.status_code == 308
    assert response.headers["Location"] == location
    assert client.get(url, follow_redirects=True).status_code == 200


def test_a_trailing_slash_on_nothing_is_a_404(client):
    for url in ("/api/v1/nothing/", "/nothing/", "/api/v1/figures/a/b/"):
        assert client.get(url).status_code == 404, url

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


NULL = {"type": "null"}


def test_nullable_nested_objects_are_typed_references(spec):
    """OpenAPI 3.1: "that object, or null" is ``anyOf: [{$ref}, {type: 'null'}]``; no ``nullable`` anywhere."""
    nullable_refs = []
    for trail, node in walk(spec):
        where = ".".join(map(str, trail))
        assert "nullable" not in node or not isinstance(node["nullable"], bool), f"{where}: 3.0's nullable"
        if "anyOf" in node:
            # The one alternative the document writes: a reference, or null (no "any object").
            assert len(node["anyOf"]) == 2 and node["anyOf"][1] == NULL, where
            assert list(node["anyOf"][0]) == ["$ref"], where
            nullable_refs.append(where.removeprefix("components.schemas."))
        if "allOf" in node:
            assert [list(part) for part in node["allOf"]] == [["$ref"]], where
    # The ones a client reads most: an event's location, a figure's claimant, a source's publication date.
    for expected in (
        "Event.properties.location",
        "Figure.properties.claimant",
        "Figure.properties.event",
        "Figure.properties.via",
        "SourceRef.properties.published",
        "Citation.properties.via",
        "ClaimFigure.properties.claimant",
        "Discrepancy.properties.relation",
    ):
        assert expected in nullable_refs, (expected, nullable_refs)


def test_every_vocabulary_is_one_named_component(spec):
    """An enum is written once, as a component, and every field and parameter refers to it."""
    schemas = spec["components"]["schemas"]
    named = {name for name, schema in schemas.items() if "enum" in schema}
    assert {"Hedge", "MetricCategory", "Relation", "EventType", "EntityType"} <= named, named
    for name in named:
        assert schemas[name]["type"] == "string" and None not in schemas[name]["enum"], name
    values = [frozenset(schemas[name]["enum"]) for name in named]
    assert len(set(values)) == len(values), "two components with the same values"
    inline = [
        ".".join(map(str, trail))
        for trail, node in walk({"paths": spec["paths"], "schemas": schemas})
        if "enum" in node and not (len(trail) == 2 and trail[0] == "schemas")
    ]
    assert not inline, inline
    relation = schemas["Discrepancy"]["properties"]["relation"]
    assert relation["anyOf"] == [{"$ref": "#/components/schemas/Relation"}, NULL]
    category = next(p for p in spec["paths"]["/api/v1/figures"]["get"]["parameters"] if p["name"] == "category")
    assert category["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/MetricCategory"},
        "maxItems": category["schema"]["maxItems"],
    }


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


def test_200_comes_first_and_path_ids_have_an_example(spec):
    """Swagger UI lists responses in the document's order; a path id is described and filled in."""
    for path, _method, operation in operations(spec):
        codes = list(operation["responses"])
        if "200" in codes:
            assert codes[0] == "200", (path, codes)
    ids = [(path, p) for path, item in spec["paths"].items() for p in item.get("parameters", []) if p["in"] == "path"]
    assert len(ids) >= 20, ids
    for path, parameter in ids:
        assert parameter.get("description") and parameter.get("example"), (path, parameter)


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
    q = next(p for p in spec["paths"]["/api/v1/figures"]["get"]["parameters"] if p["name"] == "q")
    assert "Example: `Pokrovsk`" in q["description"]  # the example moved into the text
    page_size = next(p for p in spec["paths"]["/api/v1/figures"]["get"]["parameters"] if p["name"] == "page_size")
    assert "default" not in page_size["schema"] and "Default: `50`." in page_size["description"]


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
    ("/api/v1/figures?format=csv", {}, "/api/v1/figures", 422),
    ("/api/v1/figures", {"Accept": "application/x-ndjson"}, "/api/v1/figures", 406),
    ("/api/v1/figures.csv?category=troops", {}, "/api/v1/figures.csv", 200),
    ("/api/v1/events.ndjson", {}, "/api/v1/events.ndjson", 200),
    (f"/api/v1/figures/{FIGURE}", {}, "/api/v1/figures/{figure_id}", 200),
    ("/api/v1/figures/no-such-figure", {}, "/api/v1/figures/{figure_id}", 404),
    ("/api/v1/figures?metirc=x", {}, "/api/v1/figures", 422),
    ("/api/v1/entities/Umerov", {}, "/api/v1/entities/{entity_id}", 200),
    ("/api/v1/entities/Umerov/figures.csv", {}, "/api/v1/entities/{entity_id}/figures.csv", 200),
    ("/api/v1/sources/001/figures", {}, "/api/v1/sources/{source_id}/figures", 200),
    ("/api/v1/entities/north-korea/claims", {}, "/api/v1/entities/{entity_id}/claims", 301),
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


def test_etag_and_vary_are_documented_as_the_app_and_nginx_send_them(client, spec):
    """Strong ETag and `Vary: Accept` from the app; weak and `Accept, Accept-Encoding` through gzip."""
    from jsonschema import Draft202012Validator

    headers = spec["components"]["headers"]
    etag, vary = (Draft202012Validator(headers[name]["schema"]) for name in ("ETag", "Vary"))
    sent = client.get("/api/v1/figures?category=troops")
    assert etag.is_valid(sent.headers["ETag"]) and vary.is_valid(sent.headers["Vary"])
    assert etag.is_valid("W/" + sent.headers["ETag"])  # what nginx sends for a compressed body
    assert vary.is_valid("Accept, Accept-Encoding")
    for wrong in ('W/"short"', "abc", '"' + "0" * 24 + '"x'):
        assert not etag.is_valid(wrong), wrong
    assert vary.is_valid("Accept-Encoding")  # one of the two lines, read alone
    assert not vary.is_valid("Accept-Encoding, Accept") and not vary.is_valid("*")


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
    "/api/v1/entities/{entity_id}/claims-made",
    "/api/v1/entities/{entity_id}/claims-about",
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
    if path == "/api/v1/entities/{entity_id}/claims-made":
        return path.replace("{entity_id}", CLAIMANT)
    for placeholder, value in IDS.items():
        path = path.replace(placeholder, value)
    return path


def is_list(spec, operation) -> bool:
    """A list operation, by what it answers: a page (``items`` and ``next_cursor``), whatever its name."""
    schema = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return {"items", "next_cursor"} <= set(schema.get("properties", {}))


def test_every_list_operation_documents_link_and_answers_json_only(spec):
    lists = [(path, operation) for path, method, operation in operations(spec) if is_list(spec, operation)]
    assert len(lists) >= 18, [path for path, _ in lists]
    for path, operation in lists:
        ok = operation["responses"]["200"]
        assert "Link" in ok.get("headers", {}), f"{path}: a list page without Link"
        assert list(ok["content"]) == ["application/json"], f"{path}: {list(ok['content'])}"
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert "format" not in names and {"page_size", "cursor", "total"} <= names, (path, names)


def test_a_page_schema_of_another_name_still_gets_link(app):
    """The Link header comes from registering a list, not from its schema's name."""
    from api.web.resources import ClaimbaseApi, lists
    from api.web.resources.common import Blueprint
    from api.web.spec import SharedRulesPlugin
    from schemas.common import ListArgs, PageSchema

    class FigurePageSchema(PageSchema):
        pass

    blp = Blueprint("renamed", __name__, url_prefix="/api/v1")

    @lists.register(blp, "/renamed", ListArgs, FigurePageSchema)
    def list_renamed(args):
        """List nothing."""

    other = type(app)(__name__)
    other.config.update({k: v for k, v in app.config.items() if k.startswith(("API_", "OPENAPI_"))})
    api = ClaimbaseApi(other, spec_kwargs={"extra_plugins": [SharedRulesPlugin()]})
    api.register_blueprint(blp)
    ok = api.spec.to_dict()["paths"]["/api/v1/renamed"]["get"]["responses"]["200"]
    assert "Link" in ok["headers"], ok


def test_every_list_that_exports_has_an_export_url_per_format(spec):
    exporting = {path for path in spec["paths"] if path.endswith(".csv")}
    assert {path.removesuffix(".csv") for path in exporting} - {"/api/v1/entities/{entity_id}/claims"} == set(
        EXPORT_LISTS
    )
    for path in EXPORT_LISTS:
        for fmt, mimetype in EXPORTS.items():
            content = spec["paths"][f"{path}.{fmt}"]["get"]["responses"]["200"]["content"]
            assert list(content) == [mimetype], (path, fmt, content)
            assert content[mimetype]["schema"] == {"type": "string"}
            names = {p["name"] for p in spec["paths"][f"{path}.{fmt}"]["get"]["parameters"] if p["in"] == "query"}
            assert not names & {"format", "page_size", "cursor", "total"}, (path, names)


@pytest.mark.parametrize("path", EXPORT_LISTS)
@pytest.mark.parametrize("fmt", sorted(EXPORTS))
def test_a_list_refuses_other_formats_naming_the_export_url(client, path, fmt):
    url, query = concrete(path), EXPORT_QUERY.get(path, "sort=id")
    by_url = client.get(f"{url}.{fmt}?{query}")
    body = by_url.get_data(as_text=True)
    assert by_url.status_code == 200
    assert by_url.mimetype == EXPORTS[fmt]
    assert body.count("\n") >= 2, body[:200]  # a header and a row, or two records
    export = f"{url}.{fmt}?{query}"
    by_format = client.get(f"{url}?{query}&format={fmt}&page_size=3")
    assert by_format.status_code == 422 and by_format.mimetype == "application/problem+json"
    assert export in by_format.get_json()["detail"] and export in by_format.get_json()["errors"]["format"][0]
    by_accept = client.get(f"{url}?{query}", headers={"Accept": EXPORTS[fmt]})
    assert by_accept.status_code == 406 and export in by_accept.get_json()["detail"]
    # JSON among what the client takes: the list answers it.
    both = client.get(f"{url}?{query}", headers={"Accept": f"{EXPORTS[fmt]}, application/json;q=0.5"})
    assert both.status_code == 200 and both.mimetype == "application/json"
    assert client.get(f"{url}?{query}&format=json").status_code == 422


def test_an_export_url_takes_the_lists_filters(client):
    troops = list(csv.DictReader(io.StringIO(client.get("/api/v1/figures.csv?category=troops").get_data(as_text=True))))
    listed = client.get("/api/v1/figures?category=troops&page_size=500").get_json()["items"]
    assert [row["id"] for row in troops] == [figure["id"] for figure in listed]
    assert len(troops) == 28
    for wrong in ("format=json", "page_size=3", "cursor=x", "total=true", "category=nonsense"):
        assert client.get(f"/api/v1/figures.csv?{wrong}").status_code == 422, wrong


# ---------------------------------------------------------------- aliases and renamed paths


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("/api/v1/entities/Umerov", "/api/v1/entities/rustem-umerov"),
        ("/api/v1/entities/Umerov/figures?category=troops", "/api/v1/entities/rustem-umerov/figures?category=troops"),
        ("/api/v1/entities/Umerov/events.csv", "/api/v1/entities/rustem-umerov/events.csv"),
        ("/api/v1/sources/001", "/api/v1/sources/russia-north-korea-troop-build-up"),
        (
            "/api/v1/sources/001_6b8e2fb9c51fcc7a.txt/figures",
            "/api/v1/sources/russia-north-korea-troop-build-up/figures",
        ),
        ("/api/v1/sources/001/statements", "/api/v1/sources/russia-north-korea-troop-build-up/statements"),
    ],
)
def test_an_alias_answers_as_its_canonical_id_with_content_location(client, alias, canonical):
    by_alias = client.get(alias)
    alias_body = by_alias.get_data()  # read a streamed export before the next request
    by_id = client.get(canonical)
    assert by_alias.status_code == by_id.status_code == 200
    assert by_alias.headers["Content-Location"] == canonical
    assert "Content-Location" not in by_id.headers
    assert alias_body == by_id.get_data()


def test_claims_of_an_entity_name_the_relation(client, spec):
    made = client.get(f"/api/v1/entities/{CLAIMANT}/claims-made?page_size=500").get_json()["items"]
    assert made and made == client.get(f"/api/v1/claims?claimant={CLAIMANT}&page_size=500").get_json()["items"]
    about = client.get("/api/v1/entities/north-korea/claims-about?page_size=500").get_json()["items"]
    assert about == client.get("/api/v1/claims?subject=north-korea&page_size=500").get_json()["items"]
    assert about and not client.get("/api/v1/entities/north-korea/claims-made").get_json()["items"]
    for old, new in (
        ("/api/v1/entities/north-korea/claims?page_size=2", "/api/v1/entities/north-korea/claims-made?page_size=2"),
        (f"/api/v1/entities/{CLAIMANT}/claims.csv", f"/api/v1/entities/{CLAIMANT}/claims-made.csv"),
    ):
        moved = client.get(old)
        assert moved.status_code == 301 and moved.headers["Location"] == new
    for suffix in ("", ".csv", ".ndjson"):
        assert spec["paths"][f"/api/v1/entities/{{entity_id}}/claims{suffix}"]["get"]["deprecated"] is True


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

"""A stock OpenAPI 3.1 validator accepts every response of the curated database.

Every JSON operation of the served document is called: each list page by page to the end, and
each operation with an id in its path once for every id its parent list gives (every figure,
every entity's figures, events, claims and statements, every metric's summary, ...). Each body is
checked by ``openapi-schema-validator``'s ``OAS31Validator`` against the schema the document gives
that response, with nothing in the document rewritten.
"""

import re

from openapi_schema_validator import OAS31Validator

# The list whose items' ids fill each path parameter.
PARENT_LISTS = {
    "figure_id": "/api/v1/figures",
    "entity_id": "/api/v1/entities",
    "source_id": "/api/v1/sources",
    "metric_id": "/api/v1/metrics",
    "event_id": "/api/v1/events",
    "claim_id": "/api/v1/claims",
    "statement_id": "/api/v1/statements",
    "version": "/api/v1/releases",
}
ID_FIELD = {"version": "version"}  # the field of a list item that fills the parameter (else `id`)


def json_operations(spec):
    """(path, the schema of its 200 JSON answer, whether it pages) of every JSON GET operation."""
    for path, item in spec["paths"].items():
        operation = item.get("get")
        content = operation["responses"].get("200", {}).get("content", {}) if operation else {}
        if "application/json" in content:
            parameters = operation.get("parameters", [])
            paged = any(p["name"] == "page_size" for p in parameters)
            required = [p for p in parameters if p["in"] == "query" and p.get("required")]
            yield path, content["application/json"]["schema"], paged, required


def required_values(spec, required: list) -> list[str]:
    """Query strings giving each value of a required parameter in turn.

    A vocabulary's every value; for free text the documented example and words of the story.
    """
    queries = [""]
    for parameter in required:
        if "$ref" in parameter["schema"]:
            values = spec["components"]["schemas"][parameter["schema"]["$ref"].rsplit("/", 1)[1]]["enum"]
        else:
            values = [*re.findall(r"Example: `([^`]+)`", parameter["description"]), "troops", "30,000", "North Korea"]
        queries = [f"{q}&{parameter['name']}={v}" for q in queries for v in values]
    return queries


def pages(client, url: str, paged: bool, query: str = ""):
    """Every page of ``url`` (one body when it does not page)."""
    url += ("?page_size=500" if paged else "?") + query
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        body = response.get_json()
        yield url, body
        url = body.get("next") if paged else None


def all_ids(client, path: str, field: str = "id") -> list[str]:
    return [item[field] for _, body in pages(client, path, True) for item in body["items"]]


def test_a_stock_oas31_validator_accepts_every_response(client, spec):
    assert spec["openapi"].startswith("3.1.")
    ids = {name: all_ids(client, path, ID_FIELD.get(name, "id")) for name, path in PARENT_LISTS.items()}
    checked, kinds, failures = 0, set(), []
    for path, schema, paged, required in json_operations(spec):
        validator = OAS31Validator({**schema, "components": spec["components"]})
        names = re.findall(r"{(\w+)}", path)
        assert len(names) <= 1, path
        urls = [path.replace(f"{{{names[0]}}}", value) for value in ids[names[0]]] if names else [path]
        assert urls, f"{path}: no id to call it with"
        for url in urls:
            for query, (page_url, body) in (
                (q, page) for q in required_values(spec, required) for page in pages(client, url, paged, q)
            ):
                assert query is not None
                checked += 1
                failures += [f"{page_url}: {list(e.path)}: {e.message}" for e in validator.iter_errors(body)][:3]
        kinds.add(path)
    assert not failures, failures[:10]
    # Every JSON operation was called, and the whole database went through it.
    assert kinds == {path for path, *_ in json_operations(spec)}
    assert checked > sum(map(len, ids.values())), checked


def test_the_validator_refuses_a_wrong_null_and_a_wrong_shape(client, spec):
    """The check can fail: null where the document does not allow it, a nested object of another shape."""
    figure = client.get(f"/api/v1/figures/{all_ids(client, '/api/v1/figures')[0]}").get_json()
    validator = OAS31Validator({"$ref": "#/components/schemas/Figure", "components": spec["components"]})
    assert validator.is_valid(figure)
    assert validator.is_valid({**figure, "claimant": None})  # documented as "a Claimant, or null"
    assert not validator.is_valid({**figure, "metric": None})
    assert not validator.is_valid({**figure, "claimant": {"anything": 1}})
    assert not validator.is_valid({**figure, "value": {**figure["value"], "hedge": "roughly"}})

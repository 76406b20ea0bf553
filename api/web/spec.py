"""What every operation shares, written into the OpenAPI document once.

The resources document their own parameters and responses; this apispec plugin
adds what holds for all of them, so that the document states exactly what the
server does (and the contract fuzzer in tests/test_fuzz.py can hold it to it):

- the query-string rules of api.web.guard: no control characters in string
  parameters (``pattern``), at most ``MAX_PARAM_VALUES`` values of a repeatable
  parameter (``maxItems``), and the 400/414/422 answers to a query string that
  breaks them;
- the headers every response carries (security, CORS, caching), the ETag and
  ``Vary`` of API reads with their 304, ``Link`` on list pages,
  ``Content-Disposition`` on exports, ``Location`` on 301 and ``Retry-After`` on 503;
- query parameters without ``example`` or ``null`` defaults: Swagger UI would put
  them in its inputs and send them (an example ``format=csv`` turns the answer into
  CSV); the example moves into the description instead;
- a nested object that may be null as ``allOf: [$ref]`` with ``nullable: true``
  (apispec writes "the type, or any object, or null", which generated clients
  cannot type and validators cannot check).
- an OpenAPI link from each list to the operation that gets one of its items
  (clients and the stateful fuzzer follow it).
"""

import json

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin

from api.web.guard import CONTROL_FREE_PATTERN, MAX_PARAM_VALUES
from api.web.http import CORS_HEADERS, SECURITY_HEADERS

ERROR_REF = {"$ref": "#/components/schemas/Error"}
PROBLEM_JSON = "application/problem+json"  # RFC 9457, the media type of every error

# Responses any operation can give, whatever its parameters (api.web.guard answers before the view runs).
QUERY_STRING_ERRORS = {
    "400": "The query string cannot be read (invalid percent-encoding, or not UTF-8 once decoded), or `cursor` is "
    "not one this server issued for this list and sort: a cursor is an opaque token, so no schema can tell a "
    "valid one from an invalid one.",
    "414": "The query string is longer than the server's limit (8192 bytes unless CLAIMBASE_MAX_QUERY_STRING "
    "says otherwise).",
    "422": f"Invalid query parameters, named in `errors`: unknown names, invalid values, control characters, "
    f"a single-valued parameter given twice, more than {MAX_PARAM_VALUES} values of one parameter, or a value of "
    "an id filter that names no record (the message gives the closest known ids).",
}
NOT_MODIFIED = "Not modified: the `ETag` given in `If-None-Match` still matches."

# The operation that gets one item of each kind of list page: (path, its id parameter).
ITEM_OF_LIST = {
    "FigureList": ("/api/v1/figures/{figure_id}", "figure_id"),
    "EventList": ("/api/v1/events/{event_id}", "event_id"),
    "ClaimList": ("/api/v1/claims/{claim_id}", "claim_id"),
    "EntityList": ("/api/v1/entities/{entity_id}", "entity_id"),
    "SourceList": ("/api/v1/sources/{source_id}", "source_id"),
    "MetricList": ("/api/v1/metrics/{metric_id}", "metric_id"),
}


def item_link(list_schema: str) -> dict | None:
    """The OpenAPI link from a page of ``list_schema`` to the operation getting its first item."""
    if list_schema not in ITEM_OF_LIST:
        return None
    path, parameter = ITEM_OF_LIST[list_schema]
    pointer = path.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D")
    return {
        "operationRef": f"#/paths/{pointer}/get",
        "parameters": {parameter: "$response.body#/items/0/id"},
        "description": f"Get the first item of the page (`{parameter}` is its `id`).",
    }


HEADERS = {
    "X-Content-Type-Options": {
        "description": "Always `nosniff`.",
        "required": True,
        "schema": {"type": "string", "enum": ["nosniff"]},
    },
    "Content-Security-Policy": {
        "description": "Scripts, styles, images and fonts from this server only (the docs page's local assets).",
        "required": True,
        "schema": {"type": "string", "pattern": "^default-src 'none'; "},
    },
    "Referrer-Policy": {
        "description": "Always `no-referrer`.",
        "required": True,
        "schema": {"type": "string", "enum": ["no-referrer"]},
    },
    "Access-Control-Allow-Origin": {
        "description": "CORS: reads are allowed from any origin.",
        "required": True,
        "schema": {"type": "string", "enum": ["*"]},
    },
    "Access-Control-Allow-Methods": {
        "description": "CORS: only reads are served.",
        "required": True,
        "schema": {"type": "string", "enum": ["GET, HEAD, OPTIONS"]},
    },
    "X-Frame-Options": {
        "description": "Always `DENY`: no page may frame this API.",
        "required": True,
        "schema": {"type": "string", "enum": ["DENY"]},
    },
    "Cross-Origin-Resource-Policy": {
        "description": "Always `cross-origin`: pages elsewhere may load the responses.",
        "required": True,
        "schema": {"type": "string", "enum": ["cross-origin"]},
    },
    "Access-Control-Allow-Headers": {
        "description": "CORS: the request headers a page may send.",
        "required": True,
        "schema": {"type": "string", "enum": ["Accept, If-None-Match, Content-Type"]},
    },
    "Access-Control-Expose-Headers": {
        "description": "CORS: the response headers a page may read.",
        "required": True,
        "schema": {"type": "string", "enum": ["ETag, Link"]},
    },
    "Access-Control-Max-Age": {
        "description": "CORS: seconds a browser may keep the answer to its preflight request.",
        "required": True,
        "schema": {"type": "integer", "enum": [86400]},
    },
    "Cache-Control": {
        "description": "`public, max-age=…` for reads (CLAIMBASE_CACHE_MAX_AGE), `no-store` for errors and /health.",
        "required": True,
        "schema": {"type": "string", "pattern": "^(public, max-age=[0-9]+|no-store)$"},
    },
    "ETag": {
        "description": "Build id, URL and Accept header hashed: send it back in `If-None-Match` for a 304.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9a-f]{24}"$'},
    },
    "Vary": {
        "description": "Always `Accept` on API reads: the format may follow the Accept header.",
        "required": True,
        "schema": {"type": "string", "enum": ["Accept"]},
    },
    "Content-Disposition": {
        "description": "On CSV and NDJSON responses: shown inline, with a file name for saving "
        '(`inline; filename="figures.csv"`).',
        "required": False,
        "schema": {"type": "string", "pattern": '^inline; filename="[^"]+[.](csv|ndjson)"$'},
    },
    "X-Accel-Expires": {
        "description": "On CSV and NDJSON exports: `0`, so that a proxy in front passes the stream on without "
        "keeping it in its cache (nginx reads it and does not forward it; seen only without a proxy).",
        "required": False,
        "schema": {"type": "string", "enum": ["0"]},
    },
    "Link": {
        "description": 'The next page: `<url>; rel="next"` (absent on the last page).',
        "required": False,
        "schema": {"type": "string", "pattern": '^<[^>]+>; rel="next"$'},
    },
    "Location": {
        "description": "The canonical URL of the record.",
        "required": True,
        "schema": {"type": "string", "pattern": "^/api/v1/"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
}
# On every response, errors included (api.web.http.after_request).
ALWAYS = (*SECURITY_HEADERS, *CORS_HEADERS, "Cache-Control")


EXPORT_TYPES = {"text/csv", "application/x-ndjson"}


def nullable_reference(field, ret, **kwargs) -> dict:
    """OpenAPI 3.0 attributes of a field that may be null: a nested object as ``allOf: [$ref]`` + ``nullable``."""
    if not field.allow_none:
        return {}
    if "$ref" in ret:
        return {"allOf": [{"$ref": ret.pop("$ref")}], "nullable": True}
    return {"nullable": True}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


def _is_free_string(schema: dict) -> bool:
    """A string schema that admits any characters (no enum, pattern or format of its own)."""
    return schema.get("type") == "string" and not ({"enum", "pattern", "format"} & schema.keys())


class SharedRulesPlugin(BasePlugin):
    """Add api.web.guard's query-string rules and the common responses and headers to every operation."""

    def init_spec(self, spec):
        self.spec = spec
        for name, header in HEADERS.items():
            spec.components.header(name, header)
        for plugin in spec.plugins:
            if isinstance(plugin, MarshmallowPlugin):
                functions = plugin.converter.attribute_functions
                functions[functions.index(plugin.converter.field2nullable)] = nullable_reference

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        for operation in (operations or {}).values():
            if rule is not None:
                # The view's name (list_figures, get_figure, list_figures_csv): what a generated client calls.
                operation.setdefault("operationId", rule.endpoint.rsplit(".", 1)[-1])
            for parameter in operation.get("parameters", []):
                if isinstance(parameter, dict) and parameter.get("in") == "query":
                    self._constrain(parameter.get("schema", {}))
                    self._leave_empty(parameter)
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)  # every status the server sends is listed explicitly
            for code, text in QUERY_STRING_ERRORS.items():
                responses.setdefault(code, {"content": {PROBLEM_JSON: {"schema": dict(ERROR_REF)}}})
                responses[code]["description"] = text
            is_api = path.startswith("/api/")
            if is_api:
                responses.setdefault("304", {"description": NOT_MODIFIED})
            for code, response in responses.items():
                if isinstance(response, dict):
                    self._add_headers(str(code), response, is_api)
                    self._add_item_link(code, response)

    @staticmethod
    def _constrain(schema: dict):
        if _is_free_string(schema):
            schema["pattern"] = CONTROL_FREE_PATTERN
        if schema.get("type") == "array":
            schema["maxItems"] = MAX_PARAM_VALUES
            if _is_free_string(schema.get("items", {})):
                schema["items"]["pattern"] = CONTROL_FREE_PATTERN

    @staticmethod
    def _leave_empty(parameter: dict):
        """Keep Swagger UI's input empty: no example or null default in the schema (the example goes in the text)."""
        schema = parameter.get("schema", {})
        if "example" in schema:
            example = schema.pop("example")
            shown = ", ".join(map(str, example)) if isinstance(example, list) else json.dumps(example).strip('"')
            parameter["description"] = parameter.get("description", "").rstrip() + f" Example: `{shown}`."
        if "default" in schema and schema["default"] is None:
            del schema["default"]
        # A query parameter is absent or has a value: it is never null.
        schema.pop("nullable", None)
        if "enum" in schema:
            schema["enum"] = [value for value in schema["enum"] if value is not None]

    @staticmethod
    def _add_item_link(code, response: dict):
        """Link a list page to the operation getting its first item (see ITEM_OF_LIST)."""
        schema_ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        link = item_link(schema_ref.rsplit("/", 1)[-1]) if str(code) == "200" else None
        if link:
            response.setdefault("links", {}).setdefault("item", link)

    @staticmethod
    def _add_headers(code: str, response: dict, is_api: bool):
        names = list(ALWAYS)
        if is_api and code in ("200", "304"):
            names += ["ETag", "Vary"]
        schema_ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        if code == "200" and schema_ref.endswith("List"):
            names.append("Link")
        if code == "200" and set(response.get("content", {})) & EXPORT_TYPES:
            names += ["Content-Disposition", "X-Accel-Expires"]
        if code == "301":
            names.append("Location")
        if code == "503":
            names.append("Retry-After")
        headers = response.setdefault("headers", {})
        for name in names:
            headers.setdefault(name, _ref(name))

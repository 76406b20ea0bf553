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
- query parameters without ``example`` or ``default``: Swagger UI would put them in
  its inputs and send them; both move into the description instead, and a query
  parameter is never null;
- each closed vocabulary (schemas.common.ENUMS) as one named schema that fields and
  parameters refer to (a nullable one as ``anyOf: [{$ref}, {type: 'null'}]``: OpenAPI 3.1);
- an OpenAPI link from each list to the operation that gets one of its items
  (clients and the stateful fuzzer follow it).
"""

import json
import re

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin

from api.web.guard import CONTROL_FREE_PATTERN, MAX_PARAM_VALUES
from api.web.http import CORS_HEADERS, SECURITY_HEADERS
from schemas.common import ENUM_DESCRIPTIONS, ENUMS

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
        "description": "Build id, URL and Accept header hashed: send it back in `If-None-Match` for a 304. "
        'Strong (`"…"`) from the app itself; weak (`W/"…"`) through a proxy that compresses the body, as '
        "nginx does with gzip (the body it stands for is the same; `If-None-Match` takes either form).",
        "required": True,
        "schema": {"type": "string", "pattern": '^(W/)?"[0-9a-f]{24}"$'},
    },
    "Vary": {
        "description": "`Accept` on API reads (the format may follow the Accept header). Through a proxy that "
        "compresses, `Accept-Encoding` too: nginx's gzip adds it as a second `Vary` line, which a client joins "
        "with the first (`Accept, Accept-Encoding`) or, reading one line, sees alone.",
        "required": True,
        "schema": {"type": "string", "enum": ["Accept", "Accept, Accept-Encoding", "Accept-Encoding"]},
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
    "Content-Location": {
        "description": "On a request that names a record by an alias (an entity's name, a source's file number): "
        "the same URL with the canonical id. The body is the canonical record's.",
        "required": False,
        "schema": {"type": "string", "pattern": "^/api/v1/"},
    },
    "Location": {
        "description": "Where the resource is now.",
        "required": True,
        "schema": {"type": "string", "pattern": "^/api/v1/"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
}
# Each path id: what it names and an example Swagger UI fills in (a real record of the curated data).
PATH_IDS = {
    "figure_id": ("A figure's id.", "s002-additional-troops-up-to-30000"),
    "claim_id": ("A claim key.", "nk-additional-deployment-size"),
    "event_id": ("An event's id.", "ropucha-ship-docks-at-dunai-2025-05"),
    "source_id": (
        "A source's id, or its archived document's file name, stem or number (`001`): an alias answers as the "
        "canonical id does, with `Content-Location` naming the canonical URL.",
        "nk-plans-30000-more-troops",
    ),
    "entity_id": (
        "An entity's id, or any of its names or aliases (`DPRK`, `Umerov`): an alias answers as the canonical id "
        "does, with `Content-Location` naming the canonical URL.",
        "north-korea",
    ),
    "metric_id": ("A metric's id.", "troops-additional-planned"),
    "statement_id": ("A statement's id.", "s003-report-russia-equipped-to-supply"),
    "version": ("A release version, YEAR.MONTH.N.", "2026.12.1"),
}
# Path parameters that take an alias (api.web.resources.common.canonical_id).
ALIAS_PARAMETERS = {"entity_id", "source_id"}
# On every response, errors included (api.web.http.after_request).
ALWAYS = (*SECURITY_HEADERS, *CORS_HEADERS, "Cache-Control")


EXPORT_TYPES = {"text/csv", "application/x-ndjson"}


def enum_reference(spec):
    """An attribute function of apispec's field converter: a vocabulary of schemas.common.ENUMS by reference.

    Runs before apispec's own ``field2nullable``, which then writes a nullable one as
    ``anyOf: [{$ref}, {type: 'null'}]`` (OpenAPI 3.1), and a nullable scalar as ``type: [..., 'null']``.
    """
    by_values = {frozenset(values): name for name, values in ENUMS.items()}

    def convert(field, ret, **kwargs) -> dict:
        values = ret.get("enum")
        if not values:
            return {}
        name = by_values.get(frozenset(v for v in values if v is not None))
        if name is None:
            return {}
        if name not in spec.components.schemas:
            schema = {"type": "string", "enum": list(ENUMS[name]), "description": ENUM_DESCRIPTIONS[name]}
            spec.components.schema(name, schema)
        del ret["enum"]
        ret.pop("type", None)
        ret["$ref"] = f"#/components/schemas/{name}"
        return {}

    return convert


def not_null(schema: dict) -> None:
    """Take null out of a schema (OpenAPI 3.1: ``type: [X, 'null']`` or ``anyOf: [..., {type: 'null'}]``)."""
    if isinstance(schema.get("type"), list):
        types = [t for t in schema["type"] if t != "null"]
        schema["type"] = types[0] if len(types) == 1 else types
    if "anyOf" in schema:
        rest = [part for part in schema["anyOf"] if part != {"type": "null"}]
        del schema["anyOf"]
        if len(rest) == 1:
            schema.update(rest[0])
        else:
            schema["anyOf"] = rest
    if "enum" in schema:
        schema["enum"] = [value for value in schema["enum"] if value is not None]
    if isinstance(schema.get("items"), dict):
        not_null(schema["items"])


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
                functions.insert(functions.index(plugin.converter.field2nullable), enum_reference(spec))

    def path_helper(self, path=None, operations=None, parameters=None, **kwargs):
        """Describe each path id, with an example."""
        for parameter in parameters or []:
            if isinstance(parameter, dict) and parameter.get("in") == "path" and parameter["name"] in PATH_IDS:
                description, example = PATH_IDS[parameter["name"]]
                parameter.setdefault("description", description)
                if example is not None:
                    parameter.setdefault("example", example)

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        for operation in (operations or {}).values():
            if rule is not None:
                # The view's name (list_figures, get_figure, list_figures_csv): what a generated client calls.
                operation.setdefault("operationId", rule.endpoint.rsplit(".", 1)[-1])
            for parameter in operation.get("parameters", []):
                if isinstance(parameter, dict) and parameter.get("in") == "query":
                    self._leave_empty(parameter)
                    self._constrain(parameter.get("schema", {}))
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
                    self._add_headers(str(code), response, is_api, re.findall(r"{(\w+)}", path))
                    self._add_item_link(code, response)
            # 200 first, then the other statuses in order (as Swagger UI lists them).
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))

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
        """Keep Swagger UI's input empty: no example or default in the schema (both are stated in the text)."""
        schema = parameter.get("schema", {})
        if "example" in schema:
            example = schema.pop("example")
            shown = ", ".join(map(str, example)) if isinstance(example, list) else json.dumps(example).strip('"')
            parameter["description"] = parameter.get("description", "").rstrip() + f" Example: `{shown}`."
        if "default" in schema:
            # Stated, not in the schema: Swagger UI would fill its input with it and send it.
            default = schema.pop("default")
            if default is not None:
                shown = json.dumps(default).strip('"')
                parameter["description"] = parameter.get("description", "").rstrip() + f" Default: `{shown}`."
        # A query parameter is absent or has a value: it is never null.
        not_null(schema)

    @staticmethod
    def _add_item_link(code, response: dict):
        """Link a list page to the operation getting its first item (see ITEM_OF_LIST)."""
        schema_ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
        link = item_link(schema_ref.rsplit("/", 1)[-1]) if str(code) == "200" else None
        if link:
            response.setdefault("links", {}).setdefault("item", link)

    @staticmethod
    def _add_headers(code: str, response: dict, is_api: bool, path_parameters=()):
        names = list(ALWAYS)
        if is_api and code in ("200", "304"):
            names += ["ETag", "Vary"]
        if is_api and code in ("200", "304") and ALIAS_PARAMETERS & set(path_parameters):
            names.append("Content-Location")
        if code == "200" and set(response.get("content", {})) & EXPORT_TYPES:
            names += ["Content-Disposition", "X-Accel-Expires"]
        if code == "301":
            names.append("Location")
        if code == "503":
            names.append("Retry-After")
        headers = response.setdefault("headers", {})
        for name in names:
            headers.setdefault(name, _ref(name))

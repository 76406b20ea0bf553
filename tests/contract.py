"""Validate bodies against the OpenAPI document the way generated clients read it.

OpenAPI 3.0 writes "a Claimant, or null" as ``{allOf: [{$ref: Claimant}], nullable: true}``
(what openapi-python-client types as ``Claimant | None``). A strict reading of 3.0.3 lets
``nullable`` act only beside a ``type``, so a plain OAS 3.0 validator would refuse the null
the document allows; here such a schema reads as "the reference, or null", and nothing else
is loosened.
"""

import copy

from openapi_schema_validator import OAS30Validator


def with_nullable_references(node):
    """Return a copy of a schema tree where ``nullable`` without ``type`` means "or null"."""
    if isinstance(node, list):
        return [with_nullable_references(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: with_nullable_references(value) for key, value in node.items()}
    if node.get("nullable") is True and "type" not in node:
        rest = {key: value for key, value in node.items() if key != "nullable"}
        return {"anyOf": [rest, {"enum": [None]}]}
    return node


def validator(spec: dict, name: str) -> OAS30Validator:
    """A validator of ``#/components/schemas/<name>`` in ``spec``."""
    components = with_nullable_references(copy.deepcopy(spec["components"]))
    return OAS30Validator({"$ref": f"#/components/schemas/{name}", "components": components})


def problems(spec: dict, name: str, body) -> list[str]:
    """Where ``body`` breaks the schema ``name`` (empty when it conforms)."""
    errors = sorted(validator(spec, name).iter_errors(body), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in errors]

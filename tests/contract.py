"""Validate bodies against the OpenAPI document with a stock OAS 3.1 validator.

The document is OpenAPI 3.1: a value that may be null is ``type: [X, 'null']``, and a nested
object that may be null is ``anyOf: [{$ref: X}, {type: 'null'}]``. ``openapi-schema-validator``'s
``OAS31Validator`` reads it as it is, nothing rewritten.
"""

from openapi_schema_validator import OAS31Validator


def validator(spec: dict, name: str) -> OAS31Validator:
    """A validator of ``#/components/schemas/<name>`` in ``spec``."""
    return OAS31Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})


def problems(spec: dict, name: str, body) -> list[str]:
    """Where ``body`` breaks the schema ``name`` (empty when it conforms)."""
    errors = sorted(validator(spec, name).iter_errors(body), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in errors]

"""openapi.yaml is generated from the code and kept in sync."""

from pathlib import Path

import yaml
from openapi_spec_validator import validate

from api.web.openapi import generate

ROOT = Path(__file__).resolve().parent.parent


def test_openapi_yaml_is_up_to_date():
    committed = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert committed == generate(), "openapi.yaml is out of date: run `make openapi`"


def test_openapi_document_is_valid():
    # libyaml's loader: the pure-Python one takes seconds over a document this size.
    validate(yaml.load((ROOT / "openapi.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))


def test_every_operation_is_documented(client):
    spec = client.get("/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if method not in ("get", "head", "options"):
                continue
            assert op.get("summary"), f"{method} {path} has no summary"
            assert op.get("tags"), f"{method} {path} has no tag"
            for param in op.get("parameters", []):
                if param["in"] == "query":
                    assert param.get("description"), f"{path} ?{param['name']} has no description"

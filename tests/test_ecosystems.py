"""Tools of other ecosystems read openapi.yaml as it is: Redocly, Spectral, a TypeScript client.

The npm packages are pinned in tests/js/package.json with a lockfile, and installed by
`make test` (`make js`: `npm ci`, from the npm registry, never a CDN at run time) on Node 20.
Each linter must pass with no error, and with no warning but those explained here. A TypeScript
client of the headline (openapi-typescript's types, openapi-fetch) must type-check under
`tsc --strict`. And the Swagger UI the docs page serves (flask-swagger-ui, from PyPI) must be
npm's swagger-ui-dist of the same version, byte for byte.
"""

import json
import shutil
import subprocess
from pathlib import Path

import flask_swagger_ui
import pytest

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "tests" / "js"
BIN = JS / "node_modules" / ".bin"
DOCUMENT = ROOT / "openapi.yaml"
TIMEOUT = 300  # seconds for one tool on a shared machine

# Warnings each linter may give, and why they stay.
REDOCLY_EXPLAINED = {
    # The repository declares no licence: the document cannot name one it does not have.
    ("info-license", "#/info"),
    # The deprecated /entities/{entity_id}/claims paths only redirect (301) to …/claims-made.
    ("operation-2xx-response", "#/paths/~1api~1v1~1entities~1{entity_id}~1claims/get/responses"),
    ("operation-2xx-response", "#/paths/~1api~1v1~1entities~1{entity_id}~1claims.csv/get/responses"),
    ("operation-2xx-response", "#/paths/~1api~1v1~1entities~1{entity_id}~1claims.ndjson/get/responses"),
}
SPECTRAL_EXPLAINED = {
    # No contact to publish: a deployment names its own operator.
    ("info-contact", "info"),
}


def tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make js` (npm ci in tests/js)", pytrace=False)
    return path


def run(command: list, cwd: Path = JS) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def test_redocly_recommended_passes():
    result = run([tool("redocly"), "lint", DOCUMENT, "--extends", "recommended", "--format", "json"])
    report = json.loads(result.stdout[result.stdout.index("{") :])
    problems = {(p["ruleId"], p["location"][0]["pointer"], p["severity"]) for p in report["problems"]}
    errors = {p for p in problems if p[2] == "error"}
    assert not errors, sorted(errors)
    assert {(rule, pointer) for rule, pointer, _ in problems} == REDOCLY_EXPLAINED, sorted(problems)


def test_spectral_oas_passes():
    result = run([tool("spectral"), "lint", DOCUMENT, "--ruleset", JS / ".spectral.yaml", "--format", "json"])
    results = json.loads(result.stdout[result.stdout.index("[") :])
    found = {(r["code"], ".".join(map(str, r["path"]))) for r in results}
    assert not [r for r in results if r["severity"] == 0], results  # 0: error
    assert found == SPECTRAL_EXPLAINED, sorted(found)


def test_a_typescript_client_of_the_headline_type_checks(tmp_path):
    """openapi-typescript's types of the document, openapi-fetch, tsc --strict: data.items needs no narrowing."""
    client = tmp_path / "client"
    shutil.copytree(JS / "client", client, ignore=shutil.ignore_patterns("schema.d.ts"))
    (client / "node_modules").symlink_to(JS / "node_modules")
    generated = run([tool("openapi-typescript"), DOCUMENT, "-o", client / "schema.d.ts"])
    assert generated.returncode == 0, generated.stderr[-2000:]
    checked = run([tool("tsc"), "-p", client / "tsconfig.json"], cwd=client)
    assert checked.returncode == 0, (checked.stdout + checked.stderr)[-3000:]
    # The check can fail: a list answering "FigureList or CSV text" does not type-check.
    (client / "schema.d.ts").write_text(
        (client / "schema.d.ts")
        .read_text("utf-8")
        .replace(
            '"application/json": components["schemas"]["FigureList"];',
            '"application/json": components["schemas"]["FigureList"];\n                    "text/csv": string;',
        ),
        "utf-8",
    )
    broken = run([tool("tsc"), "-p", client / "tsconfig.json"], cwd=client)
    assert broken.returncode != 0 and "headline.ts" in broken.stdout, broken.stdout[-2000:]


SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "favicon-32x32.png")


def test_the_served_swagger_ui_is_npms_swagger_ui_dist():
    """The PyPI bundle the docs page serves holds swagger-ui-dist unchanged, at the version pinned here."""
    bundled = Path(flask_swagger_ui.__file__).parent / "dist"
    dist = JS / "node_modules" / "swagger-ui-dist"
    version = json.loads((dist / "package.json").read_text("utf-8"))["version"]
    assert (bundled / "VERSION").read_text("utf-8").strip() == f"v{version}"
    assert version.startswith("5."), version  # Swagger UI 5 renders OpenAPI 3.1
    for name in SWAGGER_FILES:
        assert (bundled / name).read_bytes() == (dist / name).read_bytes(), name

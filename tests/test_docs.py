"""The docs show only what exists: every `make` verb, API path and linked file.

As Datasette tests its documentation against the code: a command or URL that
the README or a page of docs/ shows must be a Makefile target, an operation in
openapi.yaml, or a file of the repository.
"""

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "fixtures" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PAGE_IDS = [str(p.relative_to(ROOT)) for p in PAGES]

MAKE_VERB = re.compile(r"(?<![\w/.-])make ([a-z][a-z0-9-]*)")
# A path as the docs write it: /api/v1/... in a URL, or a short /figures/{id} in backticks.
FULL_PATH = re.compile(r"/api/v1(/[A-Za-z0-9_{}./-]*[A-Za-z0-9_}])")
SHORT_PATH = re.compile(r"`(/[a-z][A-Za-z0-9_{}./-]*)`")
LINK = re.compile(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)")
OUTSIDE_API = {"/health", "/docs", "/openapi.json", "/feed.atom", "/"}


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text("utf-8")
    return set(re.findall(r"(?m)^([a-z][a-z0-9-]*):", text))


@cache  # openapi.yaml is large: read it once, not once per page
def openapi() -> dict:
    return yaml.load((ROOT / "openapi.yaml").read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def operation_patterns() -> list[re.Pattern]:
    spec = openapi()
    patterns = []
    for path in spec["paths"]:
        short = path.removeprefix("/api/v1")
        patterns.append(re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", r"[^/]+", re.escape(short)) + r"\Z"))
    return patterns


def known_path(path: str, patterns: list[re.Pattern]) -> bool:
    path = path.split("?")[0]
    return path in OUTSIDE_API or any(p.match(path) for p in patterns)


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_every_make_verb_shown_is_a_target(page):
    targets = makefile_targets()
    unknown = sorted({v for v in MAKE_VERB.findall(page.read_text("utf-8")) if v not in targets})
    assert not unknown, f"{page.name} shows make verbs the Makefile lacks: {unknown}"


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_every_api_path_shown_is_an_operation(page):
    text = page.read_text("utf-8")
    patterns = operation_patterns()
    shown = set(FULL_PATH.findall(text))
    # Short paths in backticks that name an API resource (not a file such as `/tmp/x`).
    resources = {p.removeprefix("/api/v1").split("/")[1].split(".")[0] for p in map(lambda x: x.split("?")[0], shown)}
    resources |= {"figures", "claims", "events", "sources", "entities", "metrics", "statements", "exclusions"}
    shown |= {p for p in SHORT_PATH.findall(text) if p.split("/")[1].split(".")[0].split("?")[0] in resources}
    unknown = sorted(p for p in shown if not known_path(p, patterns))
    assert not unknown, f"{page.name} shows paths openapi.yaml lacks: {unknown}"


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_every_relative_link_resolves(page):
    links = [link for link in LINK.findall(page.read_text("utf-8")) if not link.startswith("http")]
    missing = sorted(link for link in links if not (page.parent / link).exists())
    assert not missing, f"{page.name} links to files that do not exist: {missing}"


def test_the_readme_names_every_operation():
    """A newcomer sees every path in the README's table (docs/api.md has the detail)."""
    spec = openapi()
    readme = (ROOT / "README.md").read_text("utf-8")
    named = {re.sub(r"\{[a-z_]+\}", "{id}", p) for p in SHORT_PATH.findall(readme)}
    missing = sorted(p for p in spec["paths"] if re.sub(r"\{[a-z_]+\}", "{id}", p.removeprefix("/api/v1")) not in named)
    assert not missing, f"README.md's endpoint table lacks {missing}"


def test_the_readme_stays_short():
    assert len((ROOT / "README.md").read_bytes()) < 10_000

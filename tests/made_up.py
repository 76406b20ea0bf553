"""A made-up variant of the story's fixtures, for answers that need time to pass.

The undated sources get reference dates months apart (December, March, May),
and two claims of different measures are linked as answers to one question, so
that a history and a chart over time have something to travel through.
"""

import shutil
from pathlib import Path

import yaml

from api.builder.database import build

MADE_UP_DATES = {
    "nk-plans-30000-more-troops": "2024-12-19",
    "russia-north-korea-troop-build-up": "2025-03-27",
    "cnn-nk-up-to-30000-troops": "2025-05-10",
}
QUESTION = ("nk-first-deployment-size", "nk-deployment-tripling")  # troops deployed; a multiplier of them


def _edit(path: Path, change, wanted: int) -> None:
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    changed = sum(bool(change(record)) for record in records)
    assert changed == wanted, f"{path.name}: {changed} records changed, {wanted} expected"
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")


def build_made_up(story_fixtures: Path, texts: Path, out: Path) -> Path:
    """Write the made-up fixtures under ``out``, build them and return the database's path."""
    fixtures = out / "fixtures"
    shutil.copytree(story_fixtures, fixtures)

    def date(source):
        if source["id"] in MADE_UP_DATES:
            source["reference_date"] = {"date": MADE_UP_DATES[source["id"]], "basis": "assumed: made up for a test"}
            return True
        return False

    def link(claim):
        if claim["id"] == QUESTION[1]:
            claim["same_question_as"] = [QUESTION[0]]
            return True
        return False

    _edit(fixtures / "sources.yaml", date, len(MADE_UP_DATES))
    _edit(fixtures / "claims" / "core.yaml", link, 1)
    path = out / "claims.db"
    build(path, fixtures, texts)
    return path

"""Write a copy of the fixtures as if one source had never been curated.

``python -m api.curate.holdout <source-id>… <out-dir>`` is the starting point
for re-curating a text from scratch (to practise the workflow, or to measure
how long a text takes and how two curations of it differ): the copy keeps
everything the other sources need and nothing only ``<source-id>`` used,
under the same rule :func:`api.curate.vocab.held_out` applies to the
leave-one-out drafts of ``make draft-eval``.  Comments in the fixture files
are not carried over.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Collection
from pathlib import Path

import orjson
import yaml

from api.builder.fixtures import (
    DEFAULT_FIXTURES_DIR,
    KINDS,
    FixtureError,
    fixture_files,
    load,
    load_and_validate,
    read_records,
)
from api.curate.vocab import BY_SOURCE, held_out


def keep_raw(kind: str, raw: dict, exclude: set[str], kept_ids: dict[str, set]) -> dict | None:
    """Return the raw record as the held-out copy has it, or None to drop it."""
    if kind in BY_SOURCE:
        return raw if raw.get("source") not in exclude else None
    if kind == "mentions":
        return raw if raw.get("source") not in exclude and raw.get("entity") in kept_ids["entities"] else None
    if kind == "events":
        cits = [c for c in raw.get("citations", []) if c.get("source") not in exclude]
        return {**raw, "citations": cits} if cits else None
    if raw.get("id") not in kept_ids[kind]:
        return None
    if kind == "entities":
        return {**raw, "roles": [r for r in raw.get("roles", []) if r.get("source") not in exclude]}
    if kind == "claims" and raw.get("same_quantity_as"):
        return {**raw, "same_quantity_as": [c for c in raw["same_quantity_as"] if c in kept_ids["claims"]]}
    return raw


def write(fixtures_dir: Path, exclude: str | Collection[str], out: Path) -> dict[str, int]:
    """Write the copy of ``fixtures_dir`` without source ``exclude`` (or each of several) to ``out``.

    Return how many records of each kind were left out.
    """
    fx, problems = load(fixtures_dir)
    if problems:
        raise SystemExit("the fixtures do not load; run make check first")
    exclude = {exclude} if isinstance(exclude, str) else set(exclude)
    unknown = exclude - {s["id"] for s in fx.data("sources")}
    if unknown:
        raise SystemExit(f"no source {', '.join(map(repr, sorted(unknown)))} in {fixtures_dir}")
    kept = held_out(fx, exclude)
    out.mkdir(parents=True, exist_ok=True)
    if (fixtures_dir / "README.md").is_file():  # the curator's guide goes with the records
        shutil.copyfile(fixtures_dir / "README.md", out / "README.md")
    kept_ids = {kind: {r.get("id") for r in records} for kind, records in kept.items()}
    dropped = {}
    for kind in KINDS:
        dropped[kind] = 0
        for path in fixture_files(fixtures_dir, kind):
            raws = read_records(path)
            records = [r for r in (keep_raw(kind, raw, exclude, kept_ids) for raw in raws) if r is not None]
            dropped[kind] += len(raws) - len(records)
            if not records:
                continue
            target = out / path.relative_to(fixtures_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".jsonl":
                target.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
            else:
                target.write_text(yaml.safe_dump(records, sort_keys=False, allow_unicode=True, width=120), "utf-8")
    try:  # a reference the rule missed would surface here, not in the curator's first `make check`
        load_and_validate(out, None)
    except FixtureError as err:
        raise SystemExit(f"the copy in {out} does not validate:\n{err}") from err
    return dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.curate.holdout", description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", metavar="source", help="the id of a source to leave out")
    parser.add_argument("out", help="directory to write the copy to (must not exist)")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES_DIR))
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.exists():
        parser.error(f"{out} exists; give a new directory")
    dropped = write(Path(args.fixtures), args.sources, out)
    left_out = ", ".join(f"{kind} {n}" for kind, n in dropped.items() if n)
    print(f"wrote {out} without {', '.join(args.sources)}; records left out: {left_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

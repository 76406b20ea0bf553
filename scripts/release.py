"""Record a release: the records the API serves, written to ``releases/<version>/``.

``make release VERSION=2026.12.2 NOTES="…"`` runs ``python -m scripts.release``: it reads
every record of every kind from the app on the built database (or, with ``--url``, from a
running server), writes one JSON Lines file per kind (records as served, sorted by id) and
``release.json`` (version, date, notes, build id, counts, the digest of the records and the
digest of the fixtures they were built from, and the renames given with ``--rename``).
It refuses a version that does not come after the latest release and a release whose
records are those of the latest one.  See docs/releases.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

from api.builder.fixtures import DEFAULT_FIXTURES_DIR, FixtureError, load_and_validate
from api.builder.releases import (
    DEFAULT_RELEASES_DIR,
    KINDS,
    fixtures_digest,
    read_release,
    records_digest,
    release_dirs,
    version_key,
)

PAGE = 500


def list_records(get: Callable[[str], dict], plural: str) -> list[dict]:
    """Every item of ``/api/v1/<plural>``, following the pages."""
    items, url = [], f"/api/v1/{plural}?page_size={PAGE}"
    while url:
        body = get(url)
        items.extend(body["items"])
        url = body["next"]
    return items


def served_records(get: Callable[[str], dict]) -> dict[str, list[dict]]:
    """Return every record by kind as the API serves it.

    Assessments are served inside their claim: each is recorded with its claim's id and
    URL added (``claim``), the form a client that keeps them apart needs.
    """
    records = {kind: list_records(get, plural) for kind, plural in KINDS.items() if kind != "assessment"}
    records["assessment"] = [
        {**a, "claim": {"id": c["id"], "url": c["url"]}} for c in records["claim"] for a in c.get("assessments", [])
    ]
    return {kind: sorted(records[kind], key=lambda r: r["id"]) for kind in KINDS}


def app_getter(db: Path) -> Callable[[str], dict]:
    from api.web import create_app

    # No time limit: recording reads every record once, offline.
    config = {"DATABASE": str(db), "LOG_REQUESTS": False, "TESTING": True, "QUERY_TIMEOUT_MS": 0}
    client = create_app(config).test_client()

    def get(path: str) -> dict:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"error: GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json()

    return get


def url_getter(base: str) -> Callable[[str], dict]:
    def get(path: str) -> dict:
        with urllib.request.urlopen(base.rstrip("/") + path, timeout=60) as response:
            return json.load(response)

    return get


def parse_rename(text: str) -> dict:
    """``entity:old-id=new-id`` -> {"kind": "entity", "from": "old-id", "to": "new-id"}."""
    kind, sep, rest = text.partition(":")
    old, sep2, new = rest.partition("=")
    if not (sep and sep2 and kind in KINDS and old and new):
        raise argparse.ArgumentTypeError(f"{text!r}: give KIND:OLD=NEW with KIND one of {', '.join(KINDS)}")
    return {"kind": kind, "from": old, "to": new}


def record(
    get: Callable[[str], dict],
    version: str,
    notes: str,
    releases_dir: Path = DEFAULT_RELEASES_DIR,
    fixtures_dir: Path | None = DEFAULT_FIXTURES_DIR,
    date: str | None = None,
    renames: list[dict] | None = None,
) -> Path:
    """Write the release ``version`` of the records ``get`` serves to ``releases_dir``; return its folder."""
    version_key(version)
    if not notes.strip():
        raise SystemExit("error: a release needs notes (NOTES=…): what changed, in a sentence or two")
    existing = release_dirs(releases_dir)
    latest = read_release(existing[-1])[0] if existing else None
    if latest and version_key(version) <= version_key(latest["version"]):
        raise SystemExit(f"error: version {version} does not come after the latest release {latest['version']}")
    records = served_records(get)
    digest = records_digest(records)
    if latest and latest["digest"] == digest:
        raise SystemExit(f"error: the served records are those of release {latest['version']}: nothing to release")
    meta = {
        "version": version,
        "date": date or datetime.datetime.now(datetime.UTC).date().isoformat(),
        "notes": notes.strip(),
        "build_id": get("/health")["build_id"],
        "digest": digest,
        "fixtures_digest": _fixtures_digest(fixtures_dir),
        "counts": None,  # filled in by write_release
        "renames": renames or [],
    }
    return write_release(releases_dir, meta, records)


def write_release(releases_dir: Path, meta: dict, records: dict[str, list[dict]]) -> Path:
    """Write ``release.json`` (``meta`` with the digest and counts of ``records``) and the record files."""
    records = {kind: sorted(records.get(kind, []), key=lambda r: r["id"]) for kind in KINDS}
    meta = {
        **meta,
        "digest": records_digest(records),
        "counts": {kind: len(records[kind]) for kind in KINDS},
        "renames": sorted(meta.get("renames", []), key=lambda r: (r["kind"], r["from"])),
    }
    out = releases_dir / meta["version"]
    out.mkdir(parents=True, exist_ok=False)
    for kind, plural in KINDS.items():
        with open(out / f"{plural}.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records[kind])
    (out / "release.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
    read_release(out)  # what the build will read back
    return out


def _fixtures_digest(fixtures_dir: Path | None) -> str | None:
    if fixtures_dir is None:
        return None
    try:
        # Validated as the build validates them (validation fills in what the build hashes).
        return fixtures_digest(load_and_validate(Path(fixtures_dir), None))
    except FixtureError as exc:
        raise SystemExit(f"error: the fixtures at {fixtures_dir} are not valid: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.release", description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True, help="YEAR.MONTH.N, after the latest release (e.g. 2026.12.2)")
    parser.add_argument("--notes", required=True, help="what changed, written once and served with the release")
    parser.add_argument("--date", help="the release's date (default: today, UTC)")
    parser.add_argument("--db", type=Path, default=Path("data/claims.db"), help="the built database to read")
    parser.add_argument("--url", help="read from a running server at this base URL instead of --db")
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES_DIR, help="the fixtures the data came from")
    parser.add_argument("--releases", type=Path, default=DEFAULT_RELEASES_DIR, help="where releases are recorded")
    parser.add_argument(
        "--rename", type=parse_rename, action="append", default=[], help="KIND:OLD=NEW, an id this release renames"
    )
    args = parser.parse_args(argv)
    try:
        version_key(args.version)
    except ValueError as exc:
        parser.error(str(exc))
    get = url_getter(args.url) if args.url else app_getter(args.db)
    out = record(get, args.version, args.notes, args.releases, args.fixtures, args.date, args.rename)
    meta = json.loads((out / "release.json").read_text("utf-8"))
    counts = ", ".join(f"{k} {v}" for k, v in meta["counts"].items())
    print(f"recorded release {meta['version']} in {out} (digest {meta['digest'][:16]}): {counts}")
    print("rebuild (make db) to serve it")
    return 0


if __name__ == "__main__":
    sys.exit(main())

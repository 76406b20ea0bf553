"""Time the changes between two releases of synthetic data, and /changes pages against /figures pages.

``python -m bench.releases --figures 200000 --changed 10000`` (``make bench-releases``; ``make
bench`` runs it too): builds the synthetic dataset (bench.prepare), records its served records
as release A, derives release B with ``--changed`` figures changed (70%), removed (10%),
renamed (10%) and added (10%), loads both into a copy of the database as the build does, and
times the changes step (api.builder.releases.compute_changes for B against A) on its own.
Then serves the copy with gunicorn on 127.0.0.1 and, one request at a time over one
connection, pages through ``/figures``, ``/changes?since=A`` and ``/changes`` (every record
as an addition) at the same page size, round-robin, and reports each one's p50 and p90.
Writes ``<dir>/releases-<time>.json``.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from api.builder import releases as rel
from bench.prepare import ROOT, prepare
from scripts.release import app_getter, served_records, write_release
from scripts.servers import percentile, serve

A, B = "2000.1.1", "2000.1.2"
RELEASE_TABLES = ("changes", "release_renames", "release_records", "releases")


def derive(records: dict[str, list[dict]], changed: int) -> tuple[dict[str, list[dict]], list[dict]]:
    """Release B's records from A's: ``changed`` figures touched, spread over the ids; and its renames."""
    figures = sorted(records["figure"], key=lambda r: r["id"])
    step = max(1, len(figures) // changed)
    touched = figures[::step][:changed]
    n_removed = n_renamed = n_added = changed // 10
    n_changed = changed - n_removed - n_renamed - n_added
    out = {kind: list(items) for kind, items in records.items() if kind != "figure"}
    keep = {r["id"]: r for r in figures}
    renames = []
    for i, figure in enumerate(touched):
        if i < n_changed:
            new = copy.deepcopy(figure)
            new["note"] = f"corrected in {B}"
            new["value"]["text"] = new["value"]["text"] + " (corrected)"
            keep[figure["id"]] = new
        elif i < n_changed + n_removed:
            del keep[figure["id"]]
        elif i < n_changed + n_removed + n_renamed:
            del keep[figure["id"]]
            renamed = {**figure, "id": figure["id"] + "-renamed", "url": figure["url"] + "-renamed"}
            keep[renamed["id"]] = renamed
            renames.append({"kind": "figure", "from": figure["id"], "to": renamed["id"]})
        else:
            added = {**figure, "id": figure["id"] + "-added", "url": figure["url"] + "-added"}
            keep[added["id"]] = added
    out["figure"] = list(keep.values())
    return out, renames


def load_releases(db: Path, releases_dir: Path) -> dict:
    """Replace the release tables of ``db`` with ``releases_dir``'s, timing the load and each changes step."""
    conn = sqlite3.connect(db)
    timings = {}
    with conn:
        for table in RELEASE_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
    started = time.perf_counter()
    rel.create_tables(conn)
    with conn:
        for seq, path in enumerate(rel.release_dirs(releases_dir), 1):
            meta, records = rel.read_release(path)
            rel.insert_release(conn, seq, meta, records)
        conn.executescript(rel.INDEXES)
    timings["load_seconds"] = round(time.perf_counter() - started, 2)
    for seq, version in ((1, A), (2, B)):
        started = time.perf_counter()
        with conn:
            rel.compute_changes(conn, seq)
        timings[f"changes_{version}_seconds"] = round(time.perf_counter() - started, 2)
    timings["changes"] = dict(
        conn.execute("SELECT change, count(*) FROM changes WHERE release_seq = 2 GROUP BY change").fetchall()
    )
    conn.execute("ANALYZE")
    conn.close()
    return timings


def latencies(base: str, paths: dict[str, str], pages: int) -> dict[str, list[float]]:
    """Page through each path ``pages`` times following ``next``, round-robin, one request at a time."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    nexts = dict(paths)
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(pages):
        for name in paths:
            started = time.perf_counter()
            conn.request("GET", nexts[name])
            response = conn.getresponse()
            body = response.read()
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status == 200, (nexts[name], response.status, body[:200])
            nexts[name] = json.loads(body)["next"] or paths[name]
    conn.close()
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.releases", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "data-releases")
    parser.add_argument("--figures", type=int, default=200_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--pages", type=int, default=300, help="pages fetched of each list")
    args = parser.parse_args(argv)
    build = prepare(args.dir / "data", args.figures, seed=1)
    releases_dir = args.dir / "releases"
    shutil.rmtree(releases_dir, ignore_errors=True)
    started = time.perf_counter()
    records = served_records(app_getter(args.dir / "data" / "claims.db"))
    read_seconds = time.perf_counter() - started
    base_meta = {"date": "2000-01-01", "notes": "synthetic", "build_id": None, "fixtures_digest": None}
    write_release(releases_dir, {"version": A, **base_meta}, records)
    b_records, renames = derive(records, args.changed)
    write_release(releases_dir, {"version": B, **base_meta, "renames": renames}, b_records)
    total = sum(len(v) for v in records.values())
    print(f"release {A}: {total:,} records read from the app in {read_seconds:.1f} s; {B}: {args.changed:,} changed")
    served = args.dir / "served.db"
    shutil.copyfile(args.dir / "data" / "claims.db", served)
    timings = load_releases(served, releases_dir)
    print(
        f"load both releases: {timings['load_seconds']} s; changes step {B} against {A}: "
        f"{timings[f'changes_{B}_seconds']} s ({timings['changes']}); {A} from empty: {timings[f'changes_{A}_seconds']} s"
    )
    size = args.page_size
    paths = {
        "figures": f"/api/v1/figures?page_size={size}",
        "changes since A": f"/api/v1/changes?since={A}&page_size={size}",
        "changes (all records)": f"/api/v1/changes?page_size={size}",
    }
    with serve(served, args.dir / "gunicorn.log", workers=1, threads=1) as server:
        latencies(server.base, paths, 20)  # warm up
        times = latencies(server.base, paths, args.pages)
    summary = {
        name: {"p50_ms": round(percentile(t, 50), 2), "p90_ms": round(percentile(t, 90), 2)}
        for name, t in times.items()
    }
    figures_p50 = summary["figures"]["p50_ms"]
    for name, s in summary.items():
        ratio = s["p50_ms"] / figures_p50
        s["p50_vs_figures"] = round(ratio, 2)
        print(f"  {name:<24} p50 {s['p50_ms']:7.2f} ms  p90 {s['p90_ms']:7.2f} ms  {ratio:.2f}x /figures")
    report = {
        "figures": args.figures,
        "changed": args.changed,
        "records_per_release": total,
        "page_size": size,
        "pages": args.pages,
        "build_seconds": build.get("build_seconds"),
        **timings,
        "latency": summary,
    }
    out = args.dir / f"releases-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

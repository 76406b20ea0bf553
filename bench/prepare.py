"""Generate the synthetic benchmark dataset and build its database: ``python -m bench.prepare``.

The fixtures come from ``bench.synth`` (deterministic for a seed) and go through
the normal validated build (``api.builder``), run as a child process so that its
peak memory can be measured. The result is cached: a second run with the same
parameters and the same code reuses ``<dir>/claims.db``.

Writes ``<dir>/build.json``: parameters, seconds per phase, figures/s and peak RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Code whose change invalidates a cached dataset: the generator and everything the build runs.
CODE = ["bench/synth.py", "api/builder/*.py", "api/builder/*.sql", "api/shape.py", "schemas/*.py"]


def stamp(params: dict) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode())
    for pattern in CODE:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def sizes(figures: int) -> dict:
    """The shape of the dataset for a number of figures (1M: 20k sources, 10k entities, 200k claims)."""
    return {
        "figures": figures,
        "sources": max(10, figures // 50),
        "entities": max(10, figures // 100),
        "claims": max(10, figures // 5),
        "events": max(10, figures // 50),
    }


def prepare(directory: Path, figures: int, seed: int, force: bool = False) -> dict:
    params = {**sizes(figures), "seed": seed}
    key = stamp(params)
    report_path = directory / "build.json"
    db = directory / "claims.db"
    if not force and db.exists() and report_path.exists():
        report = json.loads(report_path.read_text())
        if report.get("stamp") == key:
            print(f"reusing {db} (build.json stamp {key}); --force to rebuild")
            return report
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bench.synth", str(directory), *(f"--{k}={v}" for k, v in params.items())],
        cwd=ROOT,
        check=True,
    )
    generated = time.perf_counter() - started
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.builder",
            "--fixtures",
            str(directory / "fixtures"),
            "--texts",
            str(directory / "texts"),
            "--db",
            str(db),
            "--report",
            str(directory / "build-result.json"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - started
    print(result.stdout, end="")
    built = json.loads((directory / "build-result.json").read_text())
    rows = sum(built["counts"].values())
    report = {
        "stamp": key,
        "params": params,
        "generate_seconds": round(generated, 2),
        "build_seconds": round(took, 2),
        "figures_per_second": round(figures / took),
        "rows": rows,
        "rows_per_second": round(rows / took),
        "build_peak_rss_mb": built["peak_rss_mb"],
        "phases": {k: round(v, 2) for k, v in built["timings"].items()},
        "db_bytes": db.stat().st_size,
    }
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"build: {took:.1f} s for {figures:,} figures ({report['rows']:,} rows in all): "
        f"{report['figures_per_second']:,} figures/s, {report['rows_per_second']:,} rows/s, "
        f"peak RSS {report['build_peak_rss_mb']} MB, database {report['db_bytes'] / 1e6:.0f} MB"
    )
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.prepare", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--figures", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="regenerate and rebuild even if cached")
    args = parser.parse_args(argv)
    prepare(args.dir, args.figures, args.seed, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())

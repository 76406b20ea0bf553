"""Profile the distinct-URL mix in-process: ``python -m bench.profile``.

Serves the bench's distinct-URL mix (``bench.run``: figures of a category and
subject, a ``value_min`` of its own at every request) through the app's test
client on a synthetic database (``bench.prepare``, cached), without a server:
only Python and SQLite. Prints the milliseconds a request without the profiler,
then the same number of new URLs under ``cProfile`` and its top entries by
cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

from api.web import create_app
from bench.prepare import prepare
from bench.run import mix_url, pick_parameters

ROOT = Path(__file__).resolve().parent.parent


def timed(client, urls: list[str]) -> float:
    """Serve every URL once; return the milliseconds a request."""
    started = time.perf_counter()
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} {response.get_data(as_text=True)[:200]}")
    return (time.perf_counter() - started) * 1000 / len(urls)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "data-profile")
    parser.add_argument("--figures", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=1000, help="URLs per timed run (each new)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs without the profiler (median reported)")
    parser.add_argument("--top", type=int, default=30, help="profile entries to print")
    args = parser.parse_args(argv)
    prepare(args.dir, args.figures, seed=1)
    db = args.dir / "claims.db"
    params = pick_parameters(db)
    app = create_app({"DATABASE": str(db), "LOG_REQUESTS": False})
    client = app.test_client()
    n = args.requests
    batches = [[mix_url("claimbase", params, k) for k in range(i * n, (i + 1) * n)] for i in range(args.runs + 2)]
    timed(client, batches[0])  # warm: imports, the connection, SQLite's page cache
    runs = [timed(client, batch) for batch in batches[1:-1]]
    profiler = cProfile.Profile()
    profiler.enable()
    profiled = timed(client, batches[-1])
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    print(
        f"{args.figures:,} figures, {n} distinct URLs a run: {statistics.median(runs):.3f} ms a request "
        f"(median of {len(runs)} runs: {', '.join(f'{r:.3f}' for r in runs)}); {profiled:.3f} ms under cProfile"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

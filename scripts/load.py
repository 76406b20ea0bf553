"""Load without errors: drive the production stack on 127.0.0.1 with wrk over realistic URLs, watch the workers.

    python -m scripts.load --duration 60 --connections 64      # `make load`

Starts the stack (scripts/stack.py: nginx in front of two gunicorn instances under supervisord, each over its own copy
of the built database) on a free loopback port, checks every URL of the rotation answers 2xx/3xx,
then runs wrk against nginx with a Lua script that rotates over them; with --distinct, every request
is for a URL not asked before (a page size and a counter in the query), so none is answered from the
cache. Reports requests served, non-2xx/3xx responses and socket errors, latency p50/p90/p99, and each
gunicorn worker's RSS (VmRSS) before and after. Exits 1 if there was any error, a worker was replaced
or died, a replica logged a traceback, or a worker's RSS grew by more than --max-rss-growth-mb.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.servers import DEFAULT_DB, ServerError, ensure_db, free_port, get, rss_kb
from scripts.stack import Stack

LUA = """
local urls = {%(urls)s}
local distinct = %(distinct)s
local i = 0
local n = 0
local thread_no = 0
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
end
init = function(args)
  i = math.random(#urls)
end
request = function()
  i = (i %% #urls) + 1
  if distinct then
    -- A URL no one asked before: the figures list with a page size and a page-size-neutral counter.
    n = n + 1
    return wrk.format("GET", string.format("/api/v1/figures?page_size=%%d&q=troops&value_min=-%%d%%03d", n %% 500 + 1, n, thread_no))
  end
  return wrk.format("GET", urls[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'CLAIMBASE_RESULT {"requests":%%d,"duration_us":%%d,"bytes":%%d,' ..
    '"errors":{"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d},' ..
    '"latency_us":{"p50":%%d,"p90":%%d,"p99":%%d,"max":%%d,"mean":%%.1f}}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

# What clients ask for: the headline question, its CSV, filters, records, analysis, a redirect, health.
STATIC_URLS = [
    "/api/v1/figures?category=troops&sort=source,period",
    "/api/v1/figures.csv?category=troops&sort=source,period",
    "/api/v1/figures",
    "/api/v1/figures?value_min=20000&sort=-value&page_size=10",
    "/api/v1/figures?q=troops&total=true",
    "/api/v1/claims",
    "/api/v1/claims?max_origins=1",
    "/api/v1/events?date_from=2025-06&date_to=2025-06",
    "/api/v1/events.ndjson",
    "/api/v1/entities?q=kim",
    "/api/v1/entities/Kiev",
    "/api/v1/sources",
    "/api/v1/metrics",
    "/api/v1/search?q=troops",
    "/api/v1/discrepancies",
    "/api/v1/timeline",
    "/api/v1/metrics/troops-additional-planned/summary?subject=north-korea",
    "/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea",
    "/health",
]


def urls_for(db_path: Path, per_kind: int = 3) -> list[str]:
    """The rotation: the static URLs and a few records of each kind read from the database."""
    urls = list(STATIC_URLS)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        for table in ("figures", "events", "sources", "claims", "entities"):
            for (ident,) in conn.execute(f"SELECT id FROM {table} ORDER BY id LIMIT ?", [per_kind]):
                urls.append(f"/api/v1/{table}/{ident}")
    finally:
        conn.close()
    return urls


def lua_script(urls: list[str], distinct: bool = False) -> str:
    return LUA % {"urls": ", ".join(json.dumps(u) for u in urls), "distinct": "true" if distinct else "false"}


def run_wrk(
    base: str, urls: list[str], duration: float, connections: int, threads: int, workdir: Path, distinct: bool = False
) -> dict:
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    if not Path(wrk).exists():
        raise ServerError("wrk is not installed: run `make wrk` (Debian's wrk package)")
    script = workdir / "rotate.lua"
    script.write_text(lua_script(urls, distinct))
    command = [
        wrk,
        f"--threads={max(1, min(threads, connections))}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration))}s",
        "--timeout=5s",
        f"--script={script}",
        base + urls[0],
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    lines = [line for line in done.stdout.splitlines() if line.startswith("CLAIMBASE_RESULT ")]
    if done.returncode != 0 or not lines:
        raise ServerError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(lines[-1].removeprefix("CLAIMBASE_RESULT "))
    result["command"] = " ".join(command)
    return result


def run(
    db_path: Path,
    duration: float,
    connections: int,
    threads: int = 2,
    instances: int = 2,
    workers: int = 1,
    max_rss_growth_mb: float = 50.0,
    log_requests: bool = False,
    distinct: bool = False,
    workdir: Path | None = None,
) -> dict:
    """Serve ``db_path`` through the stack, load it, and return the measurements with a list of ``problems`` (empty: passed)."""
    with tempfile.TemporaryDirectory(prefix="claimbase-load-") as tmp:
        workdir = Path(workdir or tmp)
        stack = Stack(workdir / "run", free_port(), instances=instances, workers=workers, log_requests=log_requests)
        stack.start(db_path)
        try:
            urls = urls_for(db_path)
            problems = []
            for url in urls:  # every URL of the rotation must work before it is repeated
                status = get(stack.base + url)[0]
                if not 200 <= status < 400:
                    problems.append(f"warm-up: GET {url} answered {status}")
            if problems:
                return {"problems": problems, "log": stack.log(0)[-3000:]}
            pids = stack.worker_pids()
            rss_start = {pid: rss_kb(pid) for pid in pids}
            result = run_wrk(stack.base, urls, duration, connections, threads, workdir, distinct)
            after = stack.worker_pids()
            rss_end = {pid: rss_kb(pid) for pid in after if pid in rss_start}
            health = get(stack.base + "/health")[0]
            log = "".join(stack.log(i) for i in range(instances)) + stack.nginx.error_log_text()
        finally:
            stack.stop()
        result.update(
            urls=len(urls),
            distinct=distinct,
            instances=instances,
            workers=len(pids),
            rss_start_kb=rss_start,
            rss_end_kb=rss_end,
            health_after=health,
        )
        errors = result["errors"]
        if errors["status"]:
            problems.append(f"{errors['status']} responses were not 2xx/3xx")
        socket_errors = {k: v for k, v in errors.items() if k != "status" and v}
        if socket_errors:
            problems.append(f"socket errors: {socket_errors}")
        if sorted(after) != sorted(pids):
            problems.append(f"workers changed during the run: {sorted(pids)} -> {sorted(after)}")
        for pid, start in rss_start.items():
            if pid in rss_end and (rss_end[pid] - start) / 1024 > max_rss_growth_mb:
                problems.append(f"worker {pid} RSS grew {(rss_end[pid] - start) / 1024:.1f} MB (> {max_rss_growth_mb})")
        if health != 200:
            problems.append(f"/health answered {health} after the run")
        for marker in ("Traceback", "WORKER TIMEOUT", "Worker exiting", "[ERROR]", "[alert]", "[emerg]"):
            if marker in log:
                problems.append(f"a log has {marker!r}")
        if result["requests"] == 0:
            problems.append("no request was served")
        result["problems"] = problems
        return result


def report(result: dict) -> str:
    if "latency_us" not in result:
        return "\n".join(result["problems"])
    lat = result["latency_us"]
    seconds = result["duration_us"] / 1e6
    lines = [
        f"command: {result['command']}",
        ("every URL distinct (none from the cache)" if result["distinct"] else f"rotation of {result['urls']} URLs")
        + f", through nginx to {result['instances']} gunicorn instances, {result['workers']} workers in all",
        f"requests: {result['requests']} in {seconds:.1f} s ({result['requests'] / seconds:.0f}/s), "
        f"{result['bytes'] / 1e6:.1f} MB",
        f"non-2xx/3xx: {result['errors']['status']}; socket errors: connect {result['errors']['connect']}, "
        f"read {result['errors']['read']}, write {result['errors']['write']}, timeout {result['errors']['timeout']}",
        f"latency: p50 {lat['p50'] / 1000:.2f} ms, p90 {lat['p90'] / 1000:.2f} ms, p99 {lat['p99'] / 1000:.2f} ms, "
        f"max {lat['max'] / 1000:.2f} ms",
    ]
    for pid, start in result["rss_start_kb"].items():
        end = result["rss_end_kb"].get(pid)
        end_text = f"{end / 1024:.1f} MB ({(end - start) / 1024:+.1f} MB)" if end is not None else "gone"
        lines.append(f"worker {pid} RSS: {start / 1024:.1f} MB -> {end_text}")
    lines.append("PASS" if not result["problems"] else "FAIL: " + "; ".join(result["problems"]))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.load", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--instances", type=int, default=2, help="gunicorn instances behind nginx (default 2)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per instance (default 1)")
    parser.add_argument("--distinct", action="store_true", help="every request for a URL not asked before")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"database to serve (default {DEFAULT_DB})")
    parser.add_argument("--max-rss-growth-mb", type=float, default=50.0, help="per worker (default 50)")
    parser.add_argument("--log-requests", action="store_true", help="keep the app's per-request log lines on")
    args = parser.parse_args(argv)
    db_path = ensure_db(args.db.resolve())
    print(f"load: {args.duration:g} s at {args.connections} connections against the stack over {db_path}", flush=True)
    try:
        result = run(
            db_path,
            args.duration,
            args.connections,
            threads=args.threads,
            instances=args.instances,
            workers=args.workers,
            distinct=args.distinct,
            max_rss_growth_mb=args.max_rss_growth_mb,
            log_requests=args.log_requests,
        )
    except ServerError as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    print(report(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())

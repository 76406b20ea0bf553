"""Benchmark Claimbase against Datasette and the floor over HTTP: ``python -m bench.run``.

One run serves the same database three ways on 127.0.0.1:

- **claimbase**: ``gunicorn --config gunicorn.conf.py 'api.web:create_app()'`` (the README's settings);
- **datasette**: Datasette in immutable mode (``-i``), in its own virtualenv
  (``bench/.venv-datasette``, from ``bench/requirements-datasette.txt``), answering
  the same questions through its JSON API (the same SQL where its table API cannot
  express the query);
- **floor**: ``bench.floor``, a minimal Flask app under the same gunicorn settings
  returning, for each query, Claimbase's own response body, precomputed.

It drives each with wrk (same threads, connections and duration) in interleaved
rounds (the server order rotates every round), reports the median requests/s and
p50/p99 latency per query and server, the ratios, the deep-page/first-page
latency ratio, the Claimbase workers' resident memory, and the streaming CSV
export of every figure (rows/s and the worker's memory while it streams), and
writes everything to a JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from api.web.queries.paging import encode_cursor

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DATASETTE_VENV = ROOT / "bench" / ".venv-datasette"
SERVERS = ("claimbase", "uncached", "datasette", "floor")
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with _opener.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextmanager
def serve(name: str, command: list[str], env: dict, ready_path: str, log_dir: Path):
    """Start a server on a free port ({port} in command); yield its base URL; stop it."""
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    log = open(log_dir / f"{name}.log", "wb")
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {log.name}")
            try:
                if fetch(base + ready_path, timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start within 120 s; see {log.name}")
            time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def datasette_bin() -> Path:
    """Install Datasette into its own virtualenv (once) and return its executable."""
    exe = DATASETTE_VENV / "bin" / "datasette"
    if not exe.exists():
        print("installing Datasette into bench/.venv-datasette ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run(
            [
                str(DATASETTE_VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "-r",
                str(ROOT / "bench" / "requirements-datasette.txt"),
            ],
            check=True,
        )
    return exe


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process. RssAnon leaves out the database pages mapped from the file (mmap)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


# ---------------------------------------------------------------- queries


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time consumed so far by these processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def settle(master: int, limit: float = 120.0) -> float:
    """Wait until a server has finished the work a load run left queued (below 5% of a core
    over 0.25 s) so that it cannot take CPU from the next measurement; return the wait."""
    started = time.monotonic()
    pids = [master, *worker_pids(master)]
    last = cpu_seconds(pids)
    while time.monotonic() - started < limit:
        time.sleep(0.25)
        now = cpu_seconds(pids)
        if now - last < 0.0125:
            break
        last = now
    return round(time.monotonic() - started, 2)


def answer(name: str, body: bytes) -> list:
    """What a response says, in a form both servers' answers reduce to: ids, or facet counts."""
    data = json.loads(body)
    if isinstance(data, dict) and "rows" in data:  # Datasette, _shape=objects
        rows = data["rows"]
        return [(r["value"], r["count"]) for r in rows] if name == "facet" else [r["id"] for r in rows]
    if name == "facet":
        return [(i["value"], i["count"]) for i in data["items"]]
    return [i["id"] for i in data["items"]] if "items" in data else []


def pick_parameters(db: Path) -> dict:
    """Choose the subject and the deep cursor from the data itself."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    subject = conn.execute(
        "SELECT subject_id FROM figure_counts WHERE category = 'troops' GROUP BY subject_id ORDER BY sum(n) DESC LIMIT 1"
    ).fetchone()[0]
    troops = conn.execute(
        "SELECT sum(n) FROM figure_counts WHERE category = 'troops' AND subject_id = ?", [subject]
    ).fetchone()[0]
    total = conn.execute("SELECT count(*) FROM figures").fetchone()[0]
    depth = min(10_000 * 50, total - 50)  # page 10,001 of 50, or as deep as the table goes
    deep = conn.execute(
        "SELECT published_sort, id FROM figures ORDER BY published_sort, id LIMIT 1 OFFSET ?", [depth - 1]
    ).fetchone()
    conn.close()
    return {
        "subject": subject,
        "subject_troop_figures": troops,
        "figures": total,
        "deep_row": depth,
        "deep_cursor": encode_cursor("published", list(deep)),
        "deep_after": list(deep),
    }


def queries(p: dict) -> dict[str, dict[str, str]]:
    """Query name -> server -> path (the floor's path is filled in later)."""
    s = p["subject"]
    qs = urllib.parse.urlencode
    headline_sql = (
        "select * from figures where category = 'troops' and subject_id = :s "
        "order by source_id, period_sort, id limit 50"
    )
    filtered_sql = (
        "select * from figures where category = 'troops' and subject_id = :s "
        "and (low is not null or high is not null) and coalesce(high, 1e308) >= 1000 "
        "and coalesce(low, -1e308) <= 100000 and period_last_day >= '2023-01-01' "
        "and period_first_day <= '2024-12-31' order by source_id, period_sort, id limit 50"
    )
    page_sql = "select * from figures order by published_sort, id limit 50"
    deep_sql = "select * from figures where (published_sort, id) > (:p, :i) order by published_sort, id limit 50"
    # Datasette's table API would answer these two with more work than the question needs (its facet
    # also selects the first row by primary key, 0.5 s here; its search counts every match), so it
    # gets the SQL Claimbase runs: the same precomputed counts, matches in rowid order from the index.
    facet_sql = (
        "select metric_id as value, sum(n) as count from figure_counts where subject_id = :s "
        "group by 1 order by 2 desc, 1 limit 101"
    )
    search_sql = (
        "select * from figures where rowid in (select rowid from figures_fts where figures_fts match :q "
        "order by rowid limit 50) order by rowid"
    )
    ds = "/claims.json?"
    return {
        "headline": {
            "claimbase": "/api/v1/figures?" + qs({"category": "troops", "subject": s, "sort": "source,period"}),
            "datasette": ds + qs({"sql": headline_sql, "s": s, "_shape": "objects"}),
        },
        "filtered": {
            "claimbase": "/api/v1/figures?"
            + qs(
                {
                    "category": "troops",
                    "subject": s,
                    "sort": "source,period",
                    "value_min": 1000,
                    "value_max": 100000,
                    "period_from": 2023,
                    "period_to": 2024,
                }
            ),
            "datasette": ds + qs({"sql": filtered_sql, "s": s, "_shape": "objects"}),
        },
        "page_1": {
            "claimbase": "/api/v1/figures?sort=published",
            "datasette": ds + qs({"sql": page_sql, "_shape": "objects"}),
        },
        "page_10001": {
            "claimbase": "/api/v1/figures?" + qs({"sort": "published", "cursor": p["deep_cursor"]}),
            "datasette": ds
            + qs({"sql": deep_sql, "p": p["deep_after"][0], "i": p["deep_after"][1], "_shape": "objects"}),
        },
        "facet": {
            "claimbase": "/api/v1/figures/facets?" + qs({"facet": "metric", "subject": s}),
            "datasette": ds + qs({"sql": facet_sql, "s": s, "_shape": "objects"}),
        },
        "search": {
            "claimbase": "/api/v1/figures?" + qs({"q": '"satellite imagery"'}),
            "datasette": ds + qs({"sql": search_sql, "q": '"satellite imagery"', "_shape": "objects"}),
        },
        "health": {
            "claimbase": "/health",
            "datasette": "/-/databases.json",
        },
    }


# ---------------------------------------------------------------- wrk


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, threads: int, connections: int, seconds: float) -> dict:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        result[f"p{pct}_ms"] = _ms(re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", out, re.M).group(1))
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return result


# ---------------------------------------------------------------- export


def measure_export(base: str, master: int) -> dict:
    """Stream every figure as CSV; sample the workers' memory while it streams."""
    samples: list[float] = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            pids = worker_pids(master)
            if pids:
                samples.append(max(rss_mb(pid, "RssAnon") for pid in pids))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    before = max(rss_mb(pid, "RssAnon") for pid in worker_pids(master))
    sampler.start()
    started = time.perf_counter()
    rows = -1  # the header line
    size = 0
    with _opener.open(base + "/api/v1/figures?format=csv&sort=id", timeout=600) as response:
        while chunk := response.read(1 << 20):
            size += len(chunk)
            rows += chunk.count(b"\n")
    took = time.perf_counter() - started
    done.set()
    sampler.join()
    return {
        "rows": rows,
        "seconds": round(took, 2),
        "rows_per_second": round(rows / took),
        "megabytes": round(size / 1e6, 1),
        "worker_anon_rss_before_mb": round(before, 1),
        "worker_anon_rss_max_during_mb": round(max(samples or [before]), 1),
        "worker_rss_samples": len(samples),
    }


# ---------------------------------------------------------------- main


def run(db: Path, rounds: int, seconds: float, threads: int, connections: int, out: Path) -> dict:
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk (make bench does)")
    params = pick_parameters(db)
    qmap = queries(params)
    work = out.parent / "bench-work"
    shutil.rmtree(work, ignore_errors=True)
    (work / "floor").mkdir(parents=True)
    gunicorn = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--config",
        "gunicorn.conf.py",
        "--bind",
        f"{HOST}:{{port}}",
    ]
    settings = {"workers": os.cpu_count(), "threads": 4, "worker_class": "gthread"}
    results: dict = {
        "parameters": params,
        "settings": {**settings, "wrk": f"-t{threads} -c{connections} -d{seconds:g}s"},
    }
    with ExitStack() as stack:
        claimbase, cb_proc = stack.enter_context(
            serve("claimbase", [*gunicorn, "api.web:create_app()"], {"CLAIMBASE_DB": str(db)}, "/health", work)
        )
        # The same, with its response cache off: every request parses, queries and serialises.
        uncached, uc_proc = stack.enter_context(
            serve(
                "uncached",
                [*gunicorn, "api.web:create_app()"],
                {"CLAIMBASE_DB": str(db), "CLAIMBASE_RESPONSE_CACHE_MB": "0"},
                "/health",
                work,
            )
        )
        # The floor returns Claimbase's own bodies.
        sizes = {}
        for name, paths in qmap.items():
            status, body = fetch(claimbase + paths["claimbase"])
            if status != 200:
                raise RuntimeError(f"claimbase {name}: {status} {body[:300]!r}")
            (work / "floor" / f"{name}.json").write_bytes(body)
            paths["floor"] = f"/floor/{name}"
            paths["uncached"] = paths["claimbase"]
            sizes[name] = len(body)
        floor, fl_proc = stack.enter_context(
            serve(
                "floor",
                [*gunicorn, "bench.floor:create_app()"],
                {"FLOOR_BODIES": str(work / "floor")},
                "/floor/health",
                work,
            )
        )
        # Table counts computed once, ahead of time, as Datasette's docs advise for
        # immutable databases; without them it counts rows on every request.
        inspect_file = work / "datasette-inspect.json"
        subprocess.run([str(datasette_bin()), "inspect", str(db), "--inspect-file", str(inspect_file)], check=True)
        datasette, ds_proc = stack.enter_context(
            serve(
                "datasette",
                [
                    str(datasette_bin()),
                    "serve",
                    "-i",
                    str(db),
                    "--inspect-file",
                    str(inspect_file),
                    "--host",
                    HOST,
                    "--port",
                    "{port}",
                    "--setting",
                    "sql_time_limit_ms",
                    "10000",
                    "--setting",
                    "facet_time_limit_ms",
                    "10000",
                    # Its docs' advice for large tables: no facet suggestions computed per request.
                    "--setting",
                    "suggest_facets",
                    "off",
                ],
                {},
                "/-/versions.json",
                work,
            )
        )
        bases = {"claimbase": claimbase, "uncached": uncached, "datasette": datasette, "floor": floor}
        masters = {"claimbase": cb_proc.pid, "uncached": uc_proc.pid, "datasette": ds_proc.pid, "floor": fl_proc.pid}
        for name, paths in qmap.items():
            status, body = fetch(datasette + paths["datasette"])
            if status != 200:
                raise RuntimeError(f"datasette {name}: {status} {body[:300]!r}")
            sizes[f"{name}:datasette"] = len(body)
            if name != "health":  # the same question must get the same answer
                ours = answer(name, (work / "floor" / f"{name}.json").read_bytes())
                theirs = answer(name, body)
                if not ours or ours != theirs:
                    raise RuntimeError(f"{name}: Datasette answers {theirs[:5]}..., Claimbase {ours[:5]}...")
        results["body_bytes"] = sizes
        results["urls"] = qmap
        # Warm every server and query once (page cache, connections).
        for paths in qmap.values():
            for server in SERVERS:
                wrk(bases[server] + paths[server], 1, 2, 1)
                settle(masters[server])
        raw: dict[str, dict[str, list[dict]]] = {q: {s: [] for s in SERVERS} for q in qmap}
        for r in range(rounds):
            order = SERVERS[r % len(SERVERS) :] + SERVERS[: r % len(SERVERS)]
            for name, paths in qmap.items():
                for server in order:
                    measured = wrk(bases[server] + paths[server], threads, connections, seconds)
                    measured["settle_s"] = settle(masters[server])
                    raw[name][server].append(measured)
            print(f"round {r + 1}/{rounds} done", flush=True)
        workers = worker_pids(cb_proc.pid)
        results["claimbase_worker_rss_mb"] = [round(rss_mb(pid), 1) for pid in workers]
        results["claimbase_worker_anon_rss_mb"] = [round(rss_mb(pid, "RssAnon"), 1) for pid in workers]
        results["export_csv"] = measure_export(claimbase, cb_proc.pid)
    results["raw"] = raw
    medians = {
        q: {
            s: {k: round(statistics.median(run[k] for run in runs), 2) for k in ("rps", "p50_ms", "p90_ms", "p99_ms")}
            | {"errors": sum(run["errors"] for run in runs), "requests": sum(run["requests"] for run in runs)}
            | {"settle_s_max": max(run["settle_s"] for run in runs)}
            for s, runs in servers.items()
        }
        for q, servers in raw.items()
    }
    results["medians"] = medians
    results["ratios"] = {
        q: {
            "claimbase/datasette": ratio(m["claimbase"]["rps"], m["datasette"]["rps"]),
            "claimbase/floor": ratio(m["claimbase"]["rps"], m["floor"]["rps"]),
            "uncached/datasette": ratio(m["uncached"]["rps"], m["datasette"]["rps"]),
            "uncached/floor": ratio(m["uncached"]["rps"], m["floor"]["rps"]),
        }
        for q, m in medians.items()
    }
    results["deep_over_first_p50"] = round(
        medians["page_10001"]["claimbase"]["p50_ms"] / medians["page_1"]["claimbase"]["p50_ms"], 2
    )
    return results


def ratio(a: float, b: float) -> float | None:
    """a/b, or None when b served nothing (every request of b timed out)."""
    return round(a / b, 2) if b else None


def fmt_ratio(value: float | None) -> str:
    return "n/a (no responses)" if value is None else f"{value:.2f}x"


def print_table(results: dict) -> None:
    medians, ratios = results["medians"], results["ratios"]
    print()
    print(f"{'query':<12} {'server':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'settle s':>9}")
    for q, servers in medians.items():
        for s, m in servers.items():
            print(
                f"{q:<12} {s:<10} {m['rps']:>9.0f} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f} {m['errors']:>7}"
                f" {m['settle_s_max']:>9.2f}"
            )
        r = ratios[q]
        print(
            f"{'':<12} claimbase/datasette {fmt_ratio(r['claimbase/datasette'])}, claimbase/floor {fmt_ratio(r['claimbase/floor'])}"
        )
    print()
    print(
        f"deep page (row {results['parameters']['deep_row']:,}) p50 / page 1 p50: {results['deep_over_first_p50']:.2f}x"
    )
    print(
        f"claimbase worker RSS after the run: {results['claimbase_worker_rss_mb']} MB "
        f"(anonymous, without the mapped database file: {results['claimbase_worker_anon_rss_mb']} MB)"
    )
    e = results["export_csv"]
    print(
        f"CSV export: {e['rows']:,} rows in {e['seconds']} s = {e['rows_per_second']:,} rows/s; "
        f"worker anonymous RSS {e['worker_anon_rss_before_mb']} MB before, "
        f"at most {e['worker_anon_rss_max_during_mb']} MB while streaming"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "data", help="where bench.prepare built claims.db")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3, help="duration of each wrk run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--out", type=Path, help="JSON results (default: <dir>/results-<time>.json)")
    args = parser.parse_args(argv)
    db = args.dir / "claims.db"
    if not db.exists():
        sys.exit(f"{db} not found: run python -m bench.prepare (make bench-data) first")
    out = args.out or args.dir / f"results-{time.strftime('%Y%m%dT%H%M%S')}.json"
    results = run(db, args.rounds, args.seconds, args.threads, args.connections, out)
    build = args.dir / "build.json"
    if build.exists():
        results["build"] = json.loads(build.read_text())
    out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark Claimbase against Datasette and the floor, each behind the same nginx: ``python -m bench.run``.

One run serves the same database three ways on 127.0.0.1, each behind its own nginx rendered from
deploy/nginx.conf.template (the same buffering, limits, gzip and cache), so the proxy costs all three alike:

- **claimbase**: the production stack (scripts/stack.py): two stock gunicorn instances of one gthread
  worker with four threads, each over its own copy of the database;
- **datasette**: Datasette in immutable mode (``-i``), in its own virtualenv
  (``bench/.venv-datasette``, from ``bench/requirements-datasette.txt``), answering the same questions
  through its JSON API (the same SQL where its table API cannot express the query);
- **floor**: ``bench.floor``, a minimal Flask app under gunicorn.conf.py (one worker per core, four
  threads) returning, for each query, Claimbase's own response body, precomputed, with its Cache-Control.

Two workloads, driven by wrk (same threads, connections and duration) in interleaved rounds (the
server order rotates every round):

- **repeated**: each query's one URL again and again (what a cache in front answers);
- **distinct**: a mix in which no URL is asked twice in the whole run (category x subject x a
  ``value_min`` that differs every request: thousands of filter combinations), so no cache can
  answer: the path through Python and SQLite. Datasette gets the same filter as SQL; the floor, its
  one body under URLs that differ in the query string.

Also measured: what nginx adds to the floor at one connection (distinct URLs, direct and through
nginx), the Claimbase workers' resident memory, and the streaming CSV export of every figure. A
measurement that fails (a server that does not start, a wrk run that errs, a 503 on the export)
is recorded, in the JSON and in the table, and the run goes on. Results go to a JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from api.web.queries.paging import encode_cursor
from scripts.servers import children, free_port, start_process, stop, wait_ready
from scripts.stack import Nginx, Stack, Upstream

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DATASETTE_VENV = ROOT / "bench" / ".venv-datasette"
SERVERS = ("claimbase", "datasette", "floor")
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# ---------------------------------------------------------------- servers


def fetch(url: str, timeout: float = 30.0, headers: dict | None = None) -> tuple[int, bytes]:
    """GET ``url``: (status, body); ``headers``, if given, receives the response's headers."""
    try:
        with _opener.open(url, timeout=timeout) as response:
            if headers is not None:
                headers.update(response.headers)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


@contextmanager
def upstream(name: str, command: list[str], env: dict, ready_path: str, work: Path):
    """Start an HTTP server on a free port ({port} in command); yield (port, process); stop it."""
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    log = work / f"{name}.log"
    process = start_process(command, log, {**os.environ, **env})
    try:
        wait_ready(name, process, f"http://{HOST}:{port}{ready_path}", log, timeout=120)
        yield port, process
    finally:
        stop(process)


@contextmanager
def behind_nginx(name: str, port: int, work: Path):
    """nginx from deploy/nginx.conf.template in front of one upstream port; yield its base URL."""
    nginx = Nginx(work / f"nginx-{name}", free_port(), [Upstream(port=port)], cache_key_prefix=name)
    nginx.run_dir.mkdir(parents=True, exist_ok=True)
    nginx.start()
    try:
        yield nginx.base
    finally:
        nginx.stop()


def datasette_bin() -> Path:
    """Install Datasette into its own virtualenv (once) and return its executable."""
    exe = DATASETTE_VENV / "bin" / "datasette"
    if not exe.exists():
        print("installing Datasette into bench/.venv-datasette ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        requirements = ROOT / "bench" / "requirements-datasette.txt"
        pip = [str(DATASETTE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(requirements)]
        subprocess.run(pip, check=True)
    return exe


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process. RssAnon leaves out the database pages mapped from the file (mmap)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


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


def settle(masters: list[int], limit: float = 120.0) -> float:
    """Wait until a server has finished the work a load run left queued (below 5% of a core
    over 0.25 s) so that it cannot take CPU from the next measurement; return the wait."""
    started = time.monotonic()
    pids = [p for m in masters for p in (m, *children(m))]
    last = cpu_seconds(pids)
    while time.monotonic() - started < limit:
        time.sleep(0.25)
        now = cpu_seconds(pids)
        if now - last < 0.0125:
            break
        last = now
    return round(time.monotonic() - started, 2)


# ---------------------------------------------------------------- queries


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
    """Choose the subject, the deep cursor and the distinct mix's subjects and categories from the data."""
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
    subjects = [
        r[0]
        for r in conn.execute(
            "SELECT subject_id FROM figure_counts GROUP BY subject_id ORDER BY sum(n) DESC, subject_id LIMIT 24"
        )
    ]
    categories = [r[0] for r in conn.execute("SELECT DISTINCT category FROM figure_counts ORDER BY category")]
    conn.close()
    return {
        "subject": subject,
        "subject_troop_figures": troops,
        "figures": total,
        "deep_row": depth,
        "deep_cursor": encode_cursor("published", list(deep)),
        "deep_after": list(deep),
        "mix_subjects": subjects,
        "mix_categories": categories,
    }


DS = "/claims.json?"
MIX_SQL = (
    "select * from figures where category = :c and subject_id = :s "
    "and (low is not null or high is not null) and coalesce(high, 1e308) >= cast(:n as real) "
    "order by source_sort, period_sort, id limit 50"
)


def queries(p: dict) -> dict[str, dict[str, str]]:
    """Query name -> server -> path (the floor's path is filled in later)."""
    s = p["subject"]
    qs = urllib.parse.urlencode
    headline_sql = (
        "select * from figures where category = 'troops' and subject_id = :s "
        "order by source_sort, period_sort, id limit 50"
    )
    filtered_sql = (
        "select * from figures where category = 'troops' and subject_id = :s "
        "and (low is not null or high is not null) and coalesce(high, 1e308) >= 1000 "
        "and coalesce(low, -1e308) <= 100000 and period_last_day >= '2023-01-01' "
        "and period_first_day <= '2024-12-31' order by source_sort, period_sort, id limit 50"
    )
    page_sql = "select * from figures order by published_sort, id limit 50"
    deep_sql = "select * from figures where (published_sort, id) > (:p, :i) order by published_sort, id limit 50"
    # Datasette's table API would answer these two with more work than the question needs (its facet
    # also selects the first row by primary key, 0.5 s at 1M figures; its search counts every match), so
    # it gets the SQL Claimbase runs: the same precomputed counts, matches in rowid order from the index.
    facet_sql = (
        "select metric_id as value, sum(n) as count from figure_counts where subject_id = :s "
        "group by 1 order by 2 desc, 1 limit 101"
    )
    search_sql = (
        "select * from figures where rowid in (select rowid from figures_fts where figures_fts match :q "
        "order by rowid limit 50) order by rowid"
    )
    return {
        "headline": {
            "claimbase": "/api/v1/figures?" + qs({"category": "troops", "subject": s, "sort": "source,period"}),
            "datasette": DS + qs({"sql": headline_sql, "s": s, "_shape": "objects"}),
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
            "datasette": DS + qs({"sql": filtered_sql, "s": s, "_shape": "objects"}),
        },
        "page_1": {
            "claimbase": "/api/v1/figures?sort=published",
            "datasette": DS + qs({"sql": page_sql, "_shape": "objects"}),
        },
        "page_10001": {
            "claimbase": "/api/v1/figures?" + qs({"sort": "published", "cursor": p["deep_cursor"]}),
            "datasette": DS
            + qs({"sql": deep_sql, "p": p["deep_after"][0], "i": p["deep_after"][1], "_shape": "objects"}),
        },
        "facet": {
            "claimbase": "/api/v1/figures/facets?" + qs({"facet": "metric", "subject": s}),
            "datasette": DS + qs({"sql": facet_sql, "s": s, "_shape": "objects"}),
        },
        "search": {
            "claimbase": "/api/v1/figures?" + qs({"q": '"satellite imagery"'}),
            "datasette": DS + qs({"sql": search_sql, "q": '"satellite imagery"', "_shape": "objects"}),
        },
        "health": {
            "claimbase": "/health",
            "datasette": "/-/databases.json",
        },
    }


# The distinct-URL mix: {c} category, {s} subject, {n} value_min (each request its own), in this order.
MIX_TEMPLATES = {
    "claimbase": "/api/v1/figures?sort=source,period&category={c}&subject={s}&value_min={n}",
    "datasette": DS + "sql=" + urllib.parse.quote(MIX_SQL, safe="") + "&c={c}&s={s}&n={n}&_shape=objects",
    "floor": "/floor/headline?c={c}&s={s}&n={n}",
}


def mix_value(k: int) -> str:
    """The value_min of request number ``k``: a figure-sized number, unique to ``k`` (as its fraction)."""
    return f"{k % 50_000}.{k:d}1"


def mix_url(server: str, p: dict, k: int) -> str:
    """Request ``k`` of the mix, as wrk's Lua script builds it (for checking the answers beforehand)."""
    subjects, categories = p["mix_subjects"], p["mix_categories"]
    s = subjects[k % len(subjects)]
    c = categories[(k // len(subjects)) % len(categories)]
    q = urllib.parse.quote
    url = MIX_TEMPLATES[server].replace("{c}", q(c, safe="")).replace("{s}", q(s, safe=""))
    return url.replace("{n}", mix_value(k))


MIX_LUA = """
local before_c, before_s, before_n, after_n = %(pieces)s
local subjects = {%(subjects)s}
local categories = {%(categories)s}
local offset = %(offset)d
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
local n = 0
request = function()
  n = n + 1
  -- Unique over the run: the offset is the measurement's, the thread and the count its own.
  local k = offset + n * 64 + tid
  local s = subjects[k %% #subjects + 1]
  local c = categories[math.floor(k / #subjects) %% #categories + 1]
  local value = string.format("%%d.%%d1", k %% 50000, k)
  return wrk.format("GET", before_c .. c .. before_s .. s .. before_n .. value .. after_n)
end
"""


def mix_script(server: str, p: dict, offset: int, work: Path) -> Path:
    q = urllib.parse.quote
    script = work / f"mix-{server}-{offset}.lua"
    script.write_text(
        MIX_LUA
        % {
            "pieces": ", ".join(json.dumps(piece) for piece in re.split(r"\{[csn]\}", MIX_TEMPLATES[server])),
            "subjects": ", ".join(json.dumps(q(s, safe="")) for s in p["mix_subjects"]),
            "categories": ", ".join(json.dumps(q(c, safe="")) for c in p["mix_categories"]),
            "offset": offset,
        }
    )
    return script


# ---------------------------------------------------------------- wrk


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, threads: int, connections: int, seconds: float, script: Path | None = None) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    if done.returncode != 0 or "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:300]} {out[-300:]}")
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        result[f"p{pct}_ms"] = _ms(re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", out, re.M).group(1))
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return result


# ---------------------------------------------------------------- export


def measure_export(base: str, masters: list[int]) -> dict:
    """Stream every figure as CSV through nginx; sample the Claimbase workers' memory while it streams."""
    samples: list[float] = []
    done = threading.Event()

    def workers() -> list[int]:
        return [pid for m in masters for pid in children(m)]

    def sample():
        while not done.is_set():
            pids = workers()
            if pids:
                samples.append(max(rss_mb(pid, "RssAnon") for pid in pids))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    before = max(rss_mb(pid, "RssAnon") for pid in workers())
    sampler.start()
    started = time.perf_counter()
    rows = -1  # the header line
    size = 0
    try:
        with _opener.open(base + "/api/v1/figures.csv?sort=id", timeout=600) as response:
            while chunk := response.read(1 << 20):
                size += len(chunk)
                rows += chunk.count(b"\n")
    finally:
        done.set()
        sampler.join()
    took = time.perf_counter() - started
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


def failure(results: dict, what: str, exc: BaseException) -> str:
    """Record a failed measurement (and go on): its name and what went wrong."""
    text = f"{type(exc).__name__}: {str(exc).strip()[:500]}"
    results["failures"].append({"what": what, "error": text})
    print(f"FAILED {what}: {text}", flush=True)
    return text


def run(db: Path, rounds: int, seconds: float, threads: int, connections: int, out: Path) -> dict:
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk (make bench does)")
    params = pick_parameters(db)
    qmap = queries(params)
    work = out.parent / "bench-work"
    shutil.rmtree(work, ignore_errors=True)
    (work / "floor").mkdir(parents=True)
    results: dict = {
        "parameters": params,
        "settings": {
            "claimbase": "the stack: nginx, 2 gunicorn instances x 1 gthread worker x 4 threads",
            "floor": f"nginx, gunicorn {os.cpu_count()} gthread workers x 4 threads",
            "datasette": "nginx, datasette serve -i (one process)",
            "wrk": f"-t{threads} -c{connections} -d{seconds:g}s",
        },
        "failures": [],
    }
    bases: dict[str, str] = {}
    masters: dict[str, list[int]] = {}
    sizes: dict[str, int] = {}
    direct_floor = None
    with ExitStack() as stack:
        try:
            cb = Stack(work / "claimbase", free_port(), instances=2, workers=1, threads=4, log_requests=False)
            cb.start(db)
            stack.callback(cb.stop)
            bases["claimbase"], masters["claimbase"] = cb.base, [p.pid for p in cb.processes]
        except Exception as exc:
            failure(results, "start claimbase", exc)
        # The floor returns Claimbase's bodies, fetched from an instance directly.
        for name, paths in qmap.items():
            paths["floor"] = f"/floor/{name}"
            if "claimbase" not in bases:
                continue
            headers: dict = {}
            status, body = fetch(cb.base + paths["claimbase"], headers=headers)
            if status != 200:
                failure(results, f"claimbase {name}", RuntimeError(f"{status} {body[:300]!r}"))
                continue
            (work / "floor" / f"{name}.json").write_bytes(body)
            (work / "floor" / f"{name}.cache-control").write_text(headers.get("Cache-Control", ""))
            sizes[name] = len(body)
        try:
            gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "--config", "gunicorn.conf.py"]
            port, process = stack.enter_context(
                upstream(
                    "floor",
                    [*gunicorn, "--bind", f"{HOST}:{{port}}", "bench.floor:create_app()"],
                    {"FLOOR_BODIES": str(work / "floor")},
                    "/floor-ready",
                    work,
                )
            )
            direct_floor = f"http://{HOST}:{port}"
            bases["floor"] = stack.enter_context(behind_nginx("floor", port, work))
            masters["floor"] = [process.pid]
        except Exception as exc:
            failure(results, "start floor", exc)
        try:
            # Table counts computed once, ahead of time, as Datasette's docs advise for immutable
            # databases; without them it counts rows on every request.
            inspect_file = work / "datasette-inspect.json"
            subprocess.run([str(datasette_bin()), "inspect", str(db), "--inspect-file", str(inspect_file)], check=True)
            settings = ["sql_time_limit_ms", "10000", "facet_time_limit_ms", "10000", "suggest_facets", "off"]
            command = [str(datasette_bin()), "serve", "-i", str(db), "--inspect-file", str(inspect_file)]
            command += ["--host", HOST, "--port", "{port}"]
            for i in range(0, len(settings), 2):
                command += ["--setting", settings[i], settings[i + 1]]
            port, process = stack.enter_context(upstream("datasette", command, {}, "/-/versions.json", work))
            bases["datasette"] = stack.enter_context(behind_nginx("datasette", port, work))
            masters["datasette"] = [process.pid]
        except Exception as exc:
            failure(results, "start datasette", exc)
        # The same question must get the same answer: checked, and a difference recorded.
        if "datasette" in bases and "claimbase" in bases:
            for name, paths in qmap.items():
                status, body = fetch(bases["datasette"] + paths["datasette"])
                sizes[f"{name}:datasette"] = len(body)
                if name == "health" or not (work / "floor" / f"{name}.json").exists():
                    continue
                ours = answer(name, (work / "floor" / f"{name}.json").read_bytes())
                theirs = answer(name, body) if status == 200 else [f"status {status}"]
                if not ours or ours != theirs:
                    failure(
                        results, f"same answer: {name}", RuntimeError(f"datasette {theirs[:5]}, claimbase {ours[:5]}")
                    )
            for k in (1, 777, 123_457):  # a few of the mix, as the Lua script builds them
                c, d = (fetch(bases[s] + mix_url(s, params, k)) for s in ("claimbase", "datasette"))
                if c[0] != 200 or d[0] != 200 or answer("mix", c[1]) != answer("mix", d[1]):
                    failure(results, f"same answer: mix #{k}", RuntimeError(f"claimbase {c[0]}, datasette {d[0]}"))
        results["body_bytes"] = sizes
        results["urls"] = qmap
        results["mix_example"] = {s: mix_url(s, params, 777) for s in SERVERS}
        live = [s for s in SERVERS if s in bases]
        raw: dict[str, dict[str, list[dict]]] = {q: {s: [] for s in SERVERS} for q in [*qmap, "distinct"]}

        def measure(q: str, server: str, offset: int, duration: float) -> None:
            try:
                if q == "distinct":
                    script = mix_script(server, params, offset, work)
                    measured = wrk(bases[server] + mix_url(server, params, 0), threads, connections, duration, script)
                else:
                    measured = wrk(bases[server] + qmap[q][server], threads, connections, duration)
                measured["settle_s"] = settle(masters[server])
            except Exception as exc:
                measured = {"error": failure(results, f"{q} on {server}", exc)}
            raw[q][server].append(measured)

        # Warm every server and query once (page cache, connections); the mix warms with URLs of its own.
        offset = 1
        for q in raw:
            for server in live:
                measure(q, server, offset * 10_000_000, 1)
                raw[q][server].clear()
                offset += 1
        for r in range(rounds):
            order = live[r % len(live) :] + live[: r % len(live)]
            for q in raw:
                for server in order:
                    measure(q, server, offset * 10_000_000, seconds)
                    offset += 1
            print(f"round {r + 1}/{rounds} done", flush=True)
        results["raw"] = raw
        # What nginx adds: the floor at one connection, distinct URLs, direct and through nginx.
        if direct_floor and "floor" in bases:
            proxy = {}
            for label, base in (("direct", direct_floor), ("nginx", bases["floor"])):
                runs = []
                for _ in range(3):
                    try:
                        script = mix_script("floor", params, offset * 10_000_000, work)
                        runs.append(wrk(base + mix_url("floor", params, 0), 1, 1, max(2, seconds), script))
                    except Exception as exc:
                        failure(results, f"proxy cost ({label})", exc)
                    offset += 1
                if runs:
                    proxy[label] = {k: statistics.median(r[k] for r in runs) for k in ("p50_ms", "p99_ms", "rps")}
            if len(proxy) == 2:
                proxy["added_p50_ms"] = round(proxy["nginx"]["p50_ms"] - proxy["direct"]["p50_ms"], 3)
            results["proxy_cost"] = proxy
        if "claimbase" in bases:
            workers = [pid for m in masters["claimbase"] for pid in children(m)]
            results["claimbase_worker_rss_mb"] = [round(rss_mb(pid), 1) for pid in workers]
            results["claimbase_worker_anon_rss_mb"] = [round(rss_mb(pid, "RssAnon"), 1) for pid in workers]
            try:
                results["export_csv"] = measure_export(bases["claimbase"], masters["claimbase"])
            except Exception as exc:
                results["export_csv"] = {"error": failure(results, "CSV export", exc)}
    results["medians"] = medians(raw)
    results["ratios"] = {
        q: {
            "claimbase/datasette": ratio(m.get("claimbase"), m.get("datasette")),
            "claimbase/floor": ratio(m.get("claimbase"), m.get("floor")),
        }
        for q, m in results["medians"].items()
    }
    first, deep = (results["medians"].get(q, {}).get("claimbase") for q in ("page_1", "page_10001"))
    results["deep_over_first_p50"] = round(deep["p50_ms"] / first["p50_ms"], 2) if first and deep else None
    return results


def medians(raw: dict) -> dict:
    """Per query and server, the median of the runs that succeeded (and how many failed)."""
    table: dict = {}
    for q, servers in raw.items():
        table[q] = {}
        for s, runs in servers.items():
            ok = [run for run in runs if "error" not in run]
            if not runs:
                continue
            entry = {"runs": len(ok), "failed_runs": len(runs) - len(ok)}
            if ok:
                entry |= {
                    k: round(statistics.median(run[k] for run in ok), 2) for k in ("rps", "p50_ms", "p90_ms", "p99_ms")
                }
                entry |= {"errors": sum(run["errors"] for run in ok), "requests": sum(run["requests"] for run in ok)}
                entry |= {"settle_s_max": max(run["settle_s"] for run in ok)}
            table[q][s] = entry
    return table


def ratio(a: dict | None, b: dict | None) -> float | None:
    """a/b of requests/s, or None when either has no measurement (failed, or served nothing)."""
    if not a or not b or not a.get("rps") or not b.get("rps"):
        return None
    return round(a["rps"] / b["rps"], 2)


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def print_table(results: dict) -> None:
    medians_, ratios = results["medians"], results["ratios"]
    print()
    print(f"{'query':<12} {'server':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'settle s':>9}")
    for q, servers in medians_.items():
        for s, m in servers.items():
            if "rps" not in m:
                print(f"{q:<12} {s:<10} FAILED ({m['failed_runs']} of {m['failed_runs']} runs)")
                continue
            failed = f"  ({m['failed_runs']} runs failed)" if m["failed_runs"] else ""
            print(
                f"{q:<12} {s:<10} {m['rps']:>9.0f} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f} {m['errors']:>7}"
                f" {m['settle_s_max']:>9.2f}{failed}"
            )
        r = ratios[q]
        print(
            f"{'':<12} claimbase/datasette {fmt_ratio(r['claimbase/datasette'])}, "
            f"claimbase/floor {fmt_ratio(r['claimbase/floor'])}"
        )
    print()
    if results.get("deep_over_first_p50") is not None:
        print(
            f"deep page (row {results['parameters']['deep_row']:,}) p50 / page 1 p50: {results['deep_over_first_p50']:.2f}x"
        )
    proxy = results.get("proxy_cost", {})
    if "added_p50_ms" in proxy:
        print(
            f"nginx in front of the floor at one connection: p50 {proxy['direct']['p50_ms']:.3f} ms direct, "
            f"{proxy['nginx']['p50_ms']:.3f} ms through nginx (+{proxy['added_p50_ms']:.3f} ms)"
        )
    if "claimbase_worker_rss_mb" in results:
        print(
            f"claimbase worker RSS after the run: {results['claimbase_worker_rss_mb']} MB "
            f"(anonymous, without the mapped database file: {results['claimbase_worker_anon_rss_mb']} MB)"
        )
    e = results.get("export_csv")
    if e and "error" not in e:
        print(
            f"CSV export through nginx: {e['rows']:,} rows in {e['seconds']} s = {e['rows_per_second']:,} rows/s; "
            f"worker anonymous RSS {e['worker_anon_rss_before_mb']} MB before, "
            f"at most {e['worker_anon_rss_max_during_mb']} MB while streaming"
        )
    for f in results["failures"]:
        print(f"FAILED {f['what']}: {f['error']}")


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
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers on the way out
    try:
        results = run(db, args.rounds, args.seconds, args.threads, args.connections, out)
    except Exception:
        traceback.print_exc()
        return 1
    build = args.dir / "build.json"
    if build.exists():
        results["build"] = json.loads(build.read_text())
    out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nwrote {out}")
    return 1 if results["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())

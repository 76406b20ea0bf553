"""Faults a public server meets, against gunicorn on 127.0.0.1: each prints what it did and the outcome.

    python -m scripts.faults                 # `make faults`: all three, full size
    python -m scripts.faults --only swap     # one of: disconnects, slow, swap

(a) disconnects: clients that ask for an export and close (half with a reset) after a few bytes,
    many times; the server must keep serving with the same workers and nothing in its log but the
    disconnects it noticed.
(b) slow clients: slowloris-style connections sending their request head one byte at a time, for a
    bounded time, while normal requests go on; each normal request must be answered within a bound.
(c) database swap: while requests run, a second build (different fixtures, so a different build id)
    is renamed over the served file; no request may fail, and /health must then report the new build.

Exits 1 if any fault is not survived.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from scripts.servers import DEFAULT_DB, HOST, ROOT, Server, ServerError, ensure_db, get, percentile, serve

EXPORT = "/api/v1/figures?format=csv"
NORMAL = "/api/v1/figures?category=troops&sort=source,period"


@dataclass
class Outcome:
    name: str
    did: str = ""
    facts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        lines = [f"[{'PASS' if self.ok else 'FAIL'}] {self.name}: {self.did}"]
        lines += [f"    {fact}" for fact in self.facts]
        lines += [f"    problem: {problem}" for problem in self.problems]
        return "\n".join(lines)


def _still_serving(server: Server, workers: list[int], outcome: Outcome, log_before: int) -> None:
    """The same workers, /health and a normal request answered, no traceback logged since ``log_before``."""
    if not server.alive():
        outcome.problems.append("the gunicorn master exited")
        return
    now = server.workers
    if sorted(now) != sorted(workers):
        outcome.problems.append(f"workers changed: {sorted(workers)} -> {sorted(now)}")
    for url in ("/health", NORMAL):
        status = get(server.base + url, timeout=5)[0]
        if status != 200:
            outcome.problems.append(f"GET {url} answered {status} afterwards")
    log = server.log()[log_before:]
    for marker in ("Traceback", "WORKER TIMEOUT", "[CRITICAL]", "Worker exiting"):
        if marker in log:
            outcome.problems.append(f"the server log has {marker!r} since the fault began")


# ---- (a) clients that disconnect mid-response ------------------------------------------------------


def disconnects(server: Server, count: int, url: str = EXPORT, read_bytes: int = 64) -> Outcome:
    outcome = Outcome("disconnects", f"{count} clients GET {url} and close after {read_bytes} bytes")
    workers, log_before = server.workers, len(server.log())
    full = get(server.base + url, timeout=10)
    outcome.facts.append(f"the whole response is {len(full[2]):,} bytes ({full[0]})")
    started, first_lines = time.monotonic(), set()
    for i in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small receive window, so the server is still writing when the client goes away.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        sock.settimeout(5)
        try:
            sock.connect((HOST, server.port))
            sock.sendall(f"GET {url} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
            got = b""
            while len(got) < read_bytes:
                chunk = sock.recv(read_bytes - len(got))
                if not chunk:
                    break
                got += chunk
            first_lines.add(got.split(b"\r\n", 1)[0].decode("latin-1"))
            if i % 2:  # half reset the connection, half close it
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        finally:
            sock.close()
    took = time.monotonic() - started
    outcome.facts.append(f"{count} disconnects in {took:.1f} s; first lines seen: {sorted(first_lines)}")
    time.sleep(0.5)  # let the workers notice
    noticed = server.log()[log_before:]
    resets = noticed.count("Ignoring connection reset") + noticed.count("Ignoring connection epipe")
    outcome.facts.append(f"the workers noticed {resets} of them mid-response (EPIPE/ECONNRESET, debug log)")
    if first_lines != {"HTTP/1.1 200 OK"}:
        outcome.problems.append(f"unexpected first lines: {sorted(first_lines)}")
    _still_serving(server, workers, outcome, log_before)
    return outcome


# ---- (b) slow clients --------------------------------------------------------------------------------


def slow_clients(server: Server, count: int, seconds: float, interval: float = 0.5, bound: float = 2.0) -> Outcome:
    outcome = Outcome(
        "slow clients",
        f"{count} connections send a request head one byte every {interval} s for {seconds:g} s "
        f"while normal requests must each be answered within {bound} s",
    )
    workers, log_before = server.workers, len(server.log())
    head = f"GET {NORMAL} HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: slow\r\nX-Padding: {'a' * 200}\r\n\r\n".encode()
    stop = threading.Event()
    sent = [0] * count
    closed_by_server = [0]

    def slow(i: int) -> None:
        try:
            with socket.create_connection((HOST, server.port), timeout=5) as sock:
                for byte in head:
                    if stop.is_set():
                        return
                    sock.sendall(bytes([byte]))
                    sent[i] += 1
                    if stop.wait(interval):
                        return
        except OSError:
            closed_by_server[0] += 1  # the server gave up on it: fine, and counted

    threads = [threading.Thread(target=slow, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(min(1.0, seconds / 3))  # let them all start
    latencies, failures = [], []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        began = time.monotonic()
        try:
            status = get(server.base + NORMAL, timeout=bound * 3)[0]
        except OSError as exc:
            status = repr(exc)
        took = time.monotonic() - began
        latencies.append(took)
        if status != 200:
            failures.append(status)
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    outcome.facts.append(
        f"{len(latencies)} normal requests: p50 {percentile(latencies, 50) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms; {len(failures)} failed"
    )
    outcome.facts.append(
        f"slow clients sent {sum(sent)} bytes in all ({min(sent)}–{max(sent)} each); "
        f"{closed_by_server[0]} were cut off by the server"
    )
    if failures:
        outcome.problems.append(f"normal requests failed: {failures[:5]}")
    slow_ones = [t for t in latencies if t > bound]
    if slow_ones:
        outcome.problems.append(
            f"{len(slow_ones)} normal requests took longer than {bound} s (max {max(slow_ones):.1f} s)"
        )
    if not latencies:
        outcome.problems.append("no normal request was made")
    _still_serving(server, workers, outcome, log_before)
    return outcome


# ---- (c) the database replaced while serving ---------------------------------------------------------


def build_variant(target: Path, workdir: Path) -> str:
    """Build the fixtures, with one figure's note changed, to ``target``; return its build id."""
    fixtures = workdir / "fixtures"
    shutil.copytree(ROOT / "fixtures", fixtures)
    note = fixtures / "README.md"
    note.write_text(note.read_text() + "\n")  # not a fixture: the build id would not change
    sources = fixtures / "sources.yaml"
    text = sources.read_text()
    marker = "note: null"
    if marker not in text:
        raise ServerError(f"cannot make a variant build: no {marker!r} in {sources}")
    sources.write_text(text.replace(marker, "note: variant build for scripts.faults", 1))
    subprocess.run(
        [sys.executable, "-m", "api.build", "--fixtures", str(fixtures), "--db", str(target)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return build_id(target)


def build_id(path: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT value FROM build_info WHERE key = 'build_id'").fetchone()[0]
    finally:
        conn.close()


def db_swap(server: Server, served: Path, workdir: Path, seconds: float, clients: int = 8) -> Outcome:
    outcome = Outcome(
        "database swap",
        f"{clients} clients request for {seconds:g} s; a new build is renamed over {served.name} midway",
    )
    workers, log_before = server.workers, len(server.log())
    old_id = orjson.loads(get(server.base + "/health")[2])["build_id"]
    new_path = served.with_name(served.name + ".next")
    new_id = build_variant(new_path, workdir)
    outcome.facts.append(f"serving build {old_id}; built {new_id} to {new_path.name}")
    if new_id == old_id:
        outcome.problems.append("the variant build has the same build id")
        return outcome
    urls = [NORMAL, EXPORT, "/api/v1/claims", "/api/v1/search?q=troops", "/api/v1/discrepancies", "/health"]
    stop = threading.Event()
    results: list[tuple[float, str, int | str, str | None]] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        n = i
        while not stop.is_set():
            url = urls[n % len(urls)]
            n += 1
            try:
                status, _, body = get(server.base + url, timeout=10)
                seen = orjson.loads(body)["build_id"] if url == "/health" and status == 200 else None
            except OSError as exc:
                status, seen = repr(exc), None
            with lock:
                results.append((time.monotonic(), url, status, seen))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 2)
    swapped_at = time.monotonic()
    os.replace(new_path, served)
    time.sleep(seconds / 2)
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    after = get(server.base + "/health")
    now_id = orjson.loads(after[2]).get("build_id") if after[0] == 200 else None
    failed = [(url, status) for _, url, status, _ in results if status not in (200, 301)]
    before_ids = {seen for t, _, _, seen in results if seen and t < swapped_at}
    after_ids = {seen for t, _, _, seen in results if seen and t > swapped_at + 0.5}
    outcome.facts.append(
        f"{len(results)} requests ({sum(1 for r in results if r[0] < swapped_at)} before the swap), "
        f"{len(failed)} failed; /health saw {sorted(before_ids)} before, {sorted(after_ids)} after"
    )
    outcome.facts.append(f"/health after: {after[0]} build {now_id}")
    if failed:
        outcome.problems.append(f"requests failed: {failed[:5]}")
    if now_id != new_id or (after_ids and after_ids != {new_id}):
        outcome.problems.append(f"after the swap /health reports {now_id} / {sorted(after_ids)}, not {new_id}")
    _still_serving(server, workers, outcome, log_before)
    return outcome


# ---- running them ------------------------------------------------------------------------------------


def run(
    db_path: Path,
    only: list[str] | None = None,
    disconnect_count: int = 200,
    slow_count: int = 50,
    slow_seconds: float = 10.0,
    swap_seconds: float = 6.0,
    workers: int | None = None,
    threads: int | None = None,
) -> list[Outcome]:
    """Run the faults against a fresh gunicorn over a copy of ``db_path``; return their outcomes."""
    only = only or ["disconnects", "slow", "swap"]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="claimbase-faults-") as tmp:
        workdir = Path(tmp)
        served = workdir / "claims.db"
        shutil.copyfile(db_path, served)  # the swap replaces the served file: never the caller's
        env = {"GUNICORN_CMD_ARGS": "--log-level debug"}  # to see the disconnects the workers notice
        with serve(served, workdir / "gunicorn.log", workers=workers, threads=threads, env=env) as server:
            if "disconnects" in only:
                outcomes.append(disconnects(server, disconnect_count))
            if "slow" in only:
                outcomes.append(slow_clients(server, slow_count, slow_seconds))
            if "swap" in only:
                outcomes.append(db_swap(server, served, workdir, swap_seconds))
    return outcomes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.faults", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"database to copy and serve (default {DEFAULT_DB})"
    )
    parser.add_argument("--only", action="append", choices=["disconnects", "slow", "swap"])
    parser.add_argument("--disconnects", type=int, default=200, help="disconnecting clients (default 200)")
    parser.add_argument("--slow-clients", type=int, default=50, help="slow connections (default 50)")
    parser.add_argument("--slow-seconds", type=float, default=10.0, help="how long they last (default 10)")
    parser.add_argument("--swap-seconds", type=float, default=6.0, help="load around the swap (default 6)")
    args = parser.parse_args(argv)
    db_path = ensure_db(args.db.resolve())
    print(f"faults: against gunicorn (gunicorn.conf.py) on {HOST} over a copy of {db_path}", flush=True)
    try:
        outcomes = run(
            db_path,
            args.only,
            disconnect_count=args.disconnects,
            slow_count=args.slow_clients,
            slow_seconds=args.slow_seconds,
            swap_seconds=args.swap_seconds,
        )
    except ServerError as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    for outcome in outcomes:
        print(outcome, flush=True)
    failed = [o.name for o in outcomes if not o.ok]
    print("FAIL: " + ", ".join(failed) if failed else "PASS: every fault survived")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

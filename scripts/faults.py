"""Faults a public server meets, against the production stack on 127.0.0.1 (nginx in front of two
gunicorn instances under supervisord, scripts/stack.py): each prints what it did and the outcome.

    python -m scripts.faults                 # `make faults`: all four, full size
    python -m scripts.faults --only rollout  # one of: disconnects, slow, rollout, kill

(a) disconnects: clients that ask for an export and close (half with a reset) after a few bytes,
    many times; the stack must keep serving with the same processes and no traceback logged.
(b) slow clients: slowloris-style connections sending their request head one byte at a time, for a
    bounded time, while normal requests (each for a URL not asked before, so gunicorn answers it)
    go on; each must be answered within a bound.
(c) rollout: while requests run, a second build (different fixtures, so a different build id) is
    rolled out to every replica (scripts.stack.rollout); no request may fail, every answer is of one
    build, and none of the old build is served once the rollout has returned.
(d) kill: one gunicorn instance is killed (SIGKILL to its process group) while requests run; at
    most its requests in flight (workers x threads) may fail, none once nginx has marked it down;
    supervisord starts it again, and the other instance keeps running.

Exits 1 if any fault is not survived.
"""

from __future__ import annotations

import argparse
import http.client
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

from scripts.servers import DEFAULT_DB, HOST, ROOT, ServerError, ensure_db, free_port, get, percentile
from scripts.stack import Stack, build_id

EXPORT = "/api/v1/figures.csv"
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


def _processes(stack: Stack) -> list[int]:
    """nginx's master and every gunicorn master and worker of the stack."""
    return sorted([stack.nginx_pid(), *(m.pid for m in stack.processes), *stack.worker_pids()])


def _log_size(stack: Stack) -> list[int]:
    return [len(stack.log(i)) for i in range(len(stack.upstreams))]


def _still_serving(stack: Stack, processes: list[int], outcome: Outcome, log_before: list[int]) -> None:
    """The same processes, /health and a normal request answered through nginx, no traceback logged since."""
    now = _processes(stack)
    if now != processes:
        outcome.problems.append(f"processes changed (nginx, gunicorn masters and workers): {processes} -> {now}")
    for url in ("/health", NORMAL):
        status = get(stack.base + url, timeout=5)[0]
        if status != 200:
            outcome.problems.append(f"GET {url} answered {status} afterwards")
    for i, before in enumerate(log_before):
        log = stack.log(i)[before:]
        for marker in ("Traceback", "WORKER TIMEOUT", "[CRITICAL]", "Worker exiting"):
            if marker in log:
                outcome.problems.append(f"replica {i}'s log has {marker!r} since the fault began")


# ---- (a) clients that disconnect mid-response ------------------------------------------------------


def disconnects(stack: Stack, count: int, url: str = EXPORT, read_bytes: int = 64) -> Outcome:
    outcome = Outcome("disconnects", f"{count} clients GET {url} and close after {read_bytes} bytes")
    processes, log_before = _processes(stack), _log_size(stack)
    full = get(stack.base + url, timeout=10)
    outcome.facts.append(f"the whole response is {len(full[2]):,} bytes ({full[0]})")
    started, first_lines = time.monotonic(), set()
    for i in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small receive window, so the server is still writing when the client goes away.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        sock.settimeout(5)
        try:
            sock.connect((HOST, stack.port))
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
    time.sleep(0.5)
    if first_lines != {"HTTP/1.1 200 OK"}:
        outcome.problems.append(f"unexpected first lines: {sorted(first_lines)}")
    _still_serving(stack, processes, outcome, log_before)
    return outcome


# ---- (b) slow clients --------------------------------------------------------------------------------


def slow_clients(stack: Stack, count: int, seconds: float, interval: float = 0.5, bound: float = 2.0) -> Outcome:
    outcome = Outcome(
        "slow clients",
        f"{count} connections send a request head one byte every {interval} s for {seconds:g} s "
        f"while normal requests (each for a URL not asked before) must each be answered within {bound} s",
    )
    processes, log_before = _processes(stack), _log_size(stack)
    head = f"GET {NORMAL} HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: slow\r\nX-Padding: {'a' * 200}\r\n\r\n".encode()
    stop = threading.Event()
    sent = [0] * count
    closed_by_server = [0]

    def slow(i: int) -> None:
        try:
            with socket.create_connection((HOST, stack.port), timeout=5) as sock:
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
    n = 0
    while time.monotonic() < deadline:
        began = time.monotonic()
        n += 1
        try:
            status = get(f"{stack.base}{NORMAL}&page_size={n % 500 + 1}&q=troops", timeout=bound * 3)[0]
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
    _still_serving(stack, processes, outcome, log_before)
    return outcome


# ---- (c) the database replaced while serving ---------------------------------------------------------


def build_variant(target: Path, workdir: Path) -> str:
    """Build the fixtures, with one figure's note changed, to ``target``; return its build id."""
    fixtures = workdir / "fixtures"
    shutil.copytree(ROOT / "fixtures", fixtures)
    sources = fixtures / "sources.yaml"
    text = sources.read_text()
    marker = "note: null"
    if marker not in text:
        raise ServerError(f"cannot make a variant build: no {marker!r} in {sources}")
    sources.write_text(text.replace(marker, "note: variant build for scripts.faults", 1))
    subprocess.run(
        [sys.executable, "-m", "api.builder", "--fixtures", str(fixtures), "--db", str(target)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return build_id(target)


class Load:
    """Client threads requesting ``urls`` in turn until stopped; each answer recorded as (began, url, status, body)."""

    def __init__(self, base: str, urls: list[str], clients: int):
        self.base, self.urls = base, urls
        self.results: list[tuple[float, str, int | str, bytes]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(clients)]

    def client(self, i: int) -> None:
        n = i
        while not self.stop.is_set():
            url = self.urls[n % len(self.urls)]
            n += len(self.threads)
            began = time.monotonic()
            try:
                status, _, body = get(self.base + url, timeout=10)
            except (OSError, http.client.HTTPException) as exc:  # refused, reset, or cut short (IncompleteRead)
                status, body = repr(exc), b""
            with self.lock:
                self.results.append((began, url, status, body))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)


def rollout_under_load(stack: Stack, workdir: Path, seconds: float, clients: int = 8) -> Outcome:
    outcome = Outcome(
        "rollout",
        f"{clients} clients request for {seconds:g} s; a new build is rolled out to every replica midway",
    )
    old_id = orjson.loads(get(stack.base + "/health")[2])["build_id"]
    new_path = workdir / "next.db"
    new_id = build_variant(new_path, workdir)
    outcome.facts.append(f"serving build {old_id}; built {new_id}")
    if new_id == old_id:
        outcome.problems.append("the variant build has the same build id")
        return outcome
    urls = ["/health", "/api/v1/sources", NORMAL, "/api/v1/claims", "/api/v1/discrepancies"]
    old = {url: get(stack.base + url)[2] for url in urls[1:]}
    with Load(stack.base, urls, clients) as load:
        time.sleep(seconds / 2)
        timings = stack.rollout(new_path)
        returned = time.monotonic()
        time.sleep(seconds / 2)
    new = {url: get(stack.base + url)[2] for url in urls[1:]}
    failed, neither, late_old = [], [], []
    for began, url, status, body in load.results:
        if status != 200:
            failed.append((url, status))
            continue
        if url == "/health":
            build = orjson.loads(body)["build_id"]
        elif body == new[url]:
            build = new_id
        elif body == old[url]:
            build = old_id
        else:
            neither.append(url)
            continue
        if began > returned and build != new_id:
            late_old.append(url)
    outcome.facts.append(
        f"{len(load.results)} requests, {len(failed)} failed; rollout: replicas {timings['replicas_s']} s, "
        f"nginx reload {timings['reload_s']} s, {timings['total_s']} s in all"
    )
    outcome.facts.append(
        f"answers of neither build (cut or mixed): {len(neither)}; old build after the rollout returned: {len(late_old)}"
    )
    if failed:
        outcome.problems.append(f"requests failed: {failed[:5]}")
    if neither:
        outcome.problems.append(f"answers of neither build: {neither[:5]}")
    if late_old:
        outcome.problems.append(f"old build served after the rollout returned: {late_old[:5]}")
    return outcome


def _answers(url: str, within: float = 15.0) -> bool:
    """Whether ``url`` answers 200 within ``within`` seconds (a restarted replica on a busy machine)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if get(url, timeout=5)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def kill_under_load(stack: Stack, seconds: float, clients: int = 8, restart_bound: float = 10.0) -> Outcome:
    bound = stack.workers * stack.threads
    outcome = Outcome(
        "kill",
        f"{clients} clients request URLs never asked before for {seconds:g} s; replica 0 is killed (SIGKILL to "
        f"master and workers) after {seconds / 3:.1f} s; at most {bound} requests (its workers x threads) may fail, "
        f"none 0.5 s after the kill; supervisord must start it again within {restart_bound:g} s, the other untouched",
    )
    # Never the same URL twice (value_min below every value changes nothing but the URL).
    sorts = ("id", "-value", "published", "source,period")
    urls = [f"/api/v1/figures?page_size={k % 500 + 1}&sort={sorts[k % 4]}&value_min=-{k}" for k in range(50_000)]
    other = stack.info(1)["pid"]
    with Load(stack.base, urls, clients) as load:
        time.sleep(seconds / 3)
        killed_at = time.monotonic()
        killed = stack.kill_instance(0)
        restarted = None
        while restarted is None and time.monotonic() - killed_at < restart_bound:
            info = stack.info(0)
            if info["pid"] not in (0, killed) and info["statename"] == "RUNNING":
                restarted = time.monotonic() - killed_at
            time.sleep(0.05)
        time.sleep(max(0.0, seconds * 2 / 3 - (time.monotonic() - killed_at)))
    failed = [(round(began - killed_at, 3), url, status) for began, url, status, _ in load.results if status != 200]
    late = [f for f in failed if f[0] > 0.5]
    after = sum(1 for r in load.results if r[0] > killed_at)
    outcome.facts.append(
        f"{len(load.results)} requests ({after} after the kill), {len(failed)} failed "
        f"({len(late)} of them started more than 0.5 s after the kill)"
    )
    marked = [line for line in stack.nginx.error_log_text().splitlines() if f":{stack.upstreams[0].port}" in line]
    outcome.facts.append(f"nginx logged {len(marked)} failures of the killed replica")
    outcome.facts.append(
        f"supervisord: replica 0 (pid {killed}) running again after {restarted:.1f} s as pid {stack.info(0)['pid']}"
        if restarted is not None
        else f"supervisord: replica 0 not serving again {restart_bound:g} s after the kill"
    )
    if len(failed) > bound:
        outcome.problems.append(f"{len(failed)} requests failed, more than {bound}: {failed[:5]}")
    if late:
        outcome.problems.append(f"requests failed after nginx marked the replica down: {late[:5]}")
    if restarted is None:
        outcome.problems.append(f"the killed replica was not started again within {restart_bound:g} s")
    elif not _answers(f"http://{HOST}:{stack.upstreams[0].port}/health"):
        outcome.problems.append("the restarted replica does not answer /health")
    if stack.info(1)["pid"] != other:
        outcome.problems.append("the other replica was restarted too")
    if get(stack.base + "/health")[0] != 200:
        outcome.problems.append("/health failed afterwards")
    return outcome


# ---- running them ------------------------------------------------------------------------------------


FAULTS = ["disconnects", "slow", "rollout", "kill"]


def run(
    db_path: Path,
    only: list[str] | None = None,
    disconnect_count: int = 200,
    slow_count: int = 50,
    slow_seconds: float = 10.0,
    rollout_seconds: float = 6.0,
    kill_seconds: float = 6.0,
    workers: int = 1,
    threads: int = 4,
) -> list[Outcome]:
    """Run the faults against a fresh stack over a copy of ``db_path``; return their outcomes."""
    only = only or FAULTS
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="claimbase-faults-") as tmp:
        workdir = Path(tmp)
        stack = Stack(workdir / "run", free_port(), instances=2, workers=workers, threads=threads, log_requests=False)
        stack.start(db_path)
        try:
            if "disconnects" in only:
                outcomes.append(disconnects(stack, disconnect_count))
            if "slow" in only:
                outcomes.append(slow_clients(stack, slow_count, slow_seconds))
            if "rollout" in only:
                outcomes.append(rollout_under_load(stack, workdir / "variant", rollout_seconds))
            if "kill" in only:
                outcomes.append(kill_under_load(stack, kill_seconds))
        finally:
            stack.stop()
    return outcomes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.faults", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"database to copy and serve (default {DEFAULT_DB})"
    )
    parser.add_argument("--only", action="append", choices=FAULTS)
    parser.add_argument("--disconnects", type=int, default=200, help="disconnecting clients (default 200)")
    parser.add_argument("--slow-clients", type=int, default=50, help="slow connections (default 50)")
    parser.add_argument("--slow-seconds", type=float, default=10.0, help="how long they last (default 10)")
    parser.add_argument("--rollout-seconds", type=float, default=6.0, help="load around the rollout (default 6)")
    parser.add_argument("--kill-seconds", type=float, default=6.0, help="load around the kill (default 6)")
    args = parser.parse_args(argv)
    db_path = ensure_db(args.db.resolve())
    print(f"faults: against the stack (nginx, two gunicorn instances) on {HOST} over copies of {db_path}", flush=True)
    try:
        outcomes = run(
            db_path,
            args.only,
            disconnect_count=args.disconnects,
            slow_count=args.slow_clients,
            slow_seconds=args.slow_seconds,
            rollout_seconds=args.rollout_seconds,
            kill_seconds=args.kill_seconds,
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

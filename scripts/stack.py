"""The production stack on one machine: nginx (deploy/nginx.conf.template) in front of gunicorn instances.

    python -m scripts.stack serve --db data/claims.db --port 8080      # `make serve`: foreground, Ctrl-C stops all
    python -m scripts.stack rollout --db data/claims.db                # `make rollout`: a new build to every replica

Each instance is a stock gunicorn (gunicorn.conf.py) in its own process group, on its own loopback
port, over its own copy of the database: a stand-in for a machine. nginx balances between them,
buffers, limits, compresses and caches (docs/deploying.md). The run directory holds everything the
stack writes: the rendered nginx.conf, nginx's pid, temp, cache and logs, each replica's database
and log, and stack.json, which `rollout` reads to find the running stack.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from scripts.servers import (
    DEFAULT_DB,
    HOST,
    ROOT,
    ServerError,
    _tail,
    children,
    ensure_db,
    free_port,
    get,
    gunicorn_command,
    server_env,
    start_process,
    stop,
    wait_ready,
)

DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "nginx.conf.template"
RELOAD_TIMEOUT = 20.0  # worker_shutdown_timeout (10 s) and some
# A replica is marked down after this many failed attempts, for this long (nginx's max_fails/fail_timeout).
MAX_FAILS, FAIL_TIMEOUT = 1, 10


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise ServerError("nginx is not installed: run `make nginx` (Debian's nginx package)")
    return found


def build_id(path: Path) -> str:
    """The build id recorded in a database file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT value FROM build_info WHERE key = 'build_id'").fetchone()[0]
    finally:
        conn.close()


def render(template: str, values: dict[str, str]) -> str:
    """Replace each ``{{name}}`` of ``template``; every name must be given, and every value used."""
    names = set(re.findall(r"{{(\w+)}}", template))
    if names != set(values):
        raise ServerError(f"template names {sorted(names)} do not match the values {sorted(values)}")
    return re.sub(r"{{(\w+)}}", lambda m: values[m.group(1)], template)


def default_cache_dir(run_dir: Path) -> Path:
    """Where nginx keeps its cache for the stack in ``run_dir``: in /dev/shm (memory) if there is one."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm / f"claimbase-cache-{hashlib.sha1(str(run_dir).encode()).hexdigest()[:12]}"
    return run_dir / "cache"


@dataclass
class Upstream:
    """One gunicorn instance (or, for the benchmark, any HTTP server) behind nginx."""

    port: int
    pid: int | None = None
    db: str | None = None
    log: str | None = None


@dataclass
class Nginx:
    """nginx rendered from the template into ``run_dir``, listening on ``port``, balancing ``upstreams``."""

    run_dir: Path
    port: int
    upstreams: list[Upstream]
    cache_key_prefix: str = ""
    worker_processes: str = "auto"
    access_log: bool = True
    cache_max_size: str = "256m"
    fail_timeout: int = FAIL_TIMEOUT
    process: subprocess.Popen | None = field(default=None, repr=False)

    cache_dir: Path | None = None

    def __post_init__(self):
        self.run_dir = Path(self.run_dir).resolve()  # nginx resolves relative paths against its prefix
        if self.cache_dir is None:
            self.cache_dir = default_cache_dir(self.run_dir)

    @property
    def conf(self) -> Path:
        return self.run_dir / "nginx.conf"

    @property
    def error_log(self) -> Path:
        return self.run_dir / "nginx-error.log"

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def values(self) -> dict[str, str]:
        # Started as root (a container), nginx would hand its workers to `nobody`, who cannot enter the run directory.
        user = "user root;" if os.geteuid() == 0 else "# (the user nginx was started as)"
        servers = "\n".join(
            f"        server {HOST}:{u.port} max_fails={MAX_FAILS} fail_timeout={self.fail_timeout}s;"
            for u in self.upstreams
        )
        return {
            "user": user,
            "worker_processes": self.worker_processes,
            "run_dir": str(self.run_dir),
            "access_log": f"{self.run_dir}/access.log combined buffer=64k flush=1s" if self.access_log else "off",
            "cache_max_size": self.cache_max_size,
            "cache_dir": str(self.cache_dir),
            "upstream_servers": servers,
            "listen": f"{HOST}:{self.port}",
            # Quoted in the config: a build id is hex, but keep anything else out of it.
            "cache_key_prefix": re.sub(r"[^A-Za-z0-9_.-]", "", self.cache_key_prefix) + "|",
        }

    def write_config(self) -> None:
        (self.run_dir / "tmp").mkdir(parents=True, exist_ok=True)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEPLOY / "problem-headers.conf", self.run_dir / "problem-headers.conf")
        text = render(TEMPLATE.read_text(), self.values())
        next_conf = self.conf.with_name("nginx.conf.next")
        next_conf.write_text(text)
        self._command("-t", conf=next_conf)  # refuse a config nginx would refuse, before it replaces the served one
        os.replace(next_conf, self.conf)

    def _command(self, *args: str, conf: Path | None = None) -> None:
        done = subprocess.run(
            [nginx_binary(), "-p", f"{self.run_dir}/", "-c", str(conf or self.conf), "-e", str(self.error_log), *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if done.returncode != 0:
            raise ServerError(f"nginx {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")

    def start(self, timeout: float = 20.0) -> None:
        self.write_config()
        command = [nginx_binary(), "-p", f"{self.run_dir}/", "-c", str(self.conf), "-e", str(self.error_log)]
        self.process = start_process(command, self.run_dir / "nginx.out", dict(os.environ))
        try:
            wait_ready("nginx", self.process, f"{self.base}/.nginx-ready", self.run_dir / "nginx.out", timeout)
        except ServerError:
            raise ServerError(
                f"nginx did not start:\n{_tail(self.error_log)}\n{_tail(self.run_dir / 'nginx.out')}"
            ) from None

    @property
    def pid(self) -> int:
        if self.process is not None:
            return self.process.pid
        return int((self.run_dir / "nginx.pid").read_text())

    def reload(self, timeout: float = RELOAD_TIMEOUT) -> float:
        """Re-render the config and reload nginx gracefully; return once every old worker has exited
        (its requests finished), so that nothing served afterwards comes from the old config. Returns seconds."""
        started = time.monotonic()
        self.write_config()
        old = set(children(self.pid))
        os.kill(self.pid, signal.SIGHUP)
        deadline = started + timeout
        while old & set(children(self.pid)) or not set(children(self.pid)) - old:
            if time.monotonic() > deadline:
                raise ServerError(
                    f"nginx's old workers still running {timeout:.0f} s after a reload:\n{_tail(self.error_log)}"
                )
            time.sleep(0.02)
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, signal.SIGTERM)  # fast shutdown: the master stops its workers
        if self.cache_dir != self.run_dir / "cache":
            shutil.rmtree(self.cache_dir, ignore_errors=True)  # memory, not the run directory: give it back

    def error_log_text(self) -> str:
        return self.error_log.read_text(errors="replace") if self.error_log.exists() else ""


@dataclass
class Stack:
    """nginx on ``port`` in front of ``instances`` gunicorn instances, each over its own copy of the database."""

    run_dir: Path
    port: int
    instances: int = 2
    workers: int = 1
    threads: int = 4
    log_requests: bool = True
    env: dict = field(default_factory=dict)
    fail_timeout: int = FAIL_TIMEOUT
    nginx: Nginx | None = None
    upstreams: list[Upstream] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list, repr=False)

    def __post_init__(self):
        self.run_dir = Path(self.run_dir).resolve()

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, db: Path) -> Stack:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            for i in range(self.instances):
                replica = self.run_dir / f"replica-{i}"
                replica.mkdir(exist_ok=True)
                copy = replica / "claims.db"
                install(db, copy)
                self.upstreams.append(Upstream(port=free_port(), db=str(copy), log=str(replica / "gunicorn.log")))
            for upstream in self.upstreams:
                self.processes.append(self._start_instance(upstream))
            for upstream, process in zip(self.upstreams, self.processes, strict=True):
                wait_ready("gunicorn", process, f"http://{HOST}:{upstream.port}/health", Path(upstream.log))
            self.nginx = Nginx(
                self.run_dir, self.port, self.upstreams, cache_key_prefix=build_id(db), fail_timeout=self.fail_timeout
            )
            self.nginx.start()
            self.save()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_instance(self, upstream: Upstream) -> subprocess.Popen:
        env = server_env(Path(upstream.db), self.log_requests, {"CLAIMBASE_PROXIES": "1", **self.env})
        command = gunicorn_command(f"{HOST}:{upstream.port}", self.workers, self.threads)
        process = start_process(command, Path(upstream.log), env)
        upstream.pid = process.pid
        return process

    def save(self) -> None:
        state = {
            "port": self.port,
            "nginx_pid": self.nginx.pid if self.nginx else None,
            "build_id": self.nginx.cache_key_prefix if self.nginx else None,
            "worker_processes": self.nginx.worker_processes if self.nginx else None,
            "fail_timeout": self.fail_timeout,
            "upstreams": [asdict(u) for u in self.upstreams],
        }
        write_state(self.run_dir, state)

    def kill_instance(self, i: int) -> None:
        """SIGKILL instance ``i``'s whole process group (master and workers): a machine gone at once."""
        os.killpg(self.upstreams[i].pid, signal.SIGKILL)
        self.processes[i].wait(timeout=10)

    def log(self, i: int) -> str:
        return Path(self.upstreams[i].log).read_text(errors="replace")

    def request_lines(self) -> list[dict]:
        """The app's request log lines of every instance (one JSON object per request that reached gunicorn)."""
        lines = []
        for i in range(len(self.upstreams)):
            for line in self.log(i).splitlines():
                if line.startswith("{"):
                    lines.append(json.loads(line))
        return lines

    def rollout(self, db: Path) -> dict:
        """Roll ``db`` out; see rollout()."""
        return rollout(self.run_dir, db, nginx=self.nginx)

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for process in self.processes:
            stop(process)


def write_state(run_dir: Path, state: dict) -> None:
    """Write stack.json whole or not at all (a rollout may read it at any time)."""
    partial = run_dir / "stack.json.partial"
    partial.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(partial, run_dir / "stack.json")


def install(source: Path, target: Path) -> None:
    """Copy ``source`` beside ``target`` and rename it over ``target`` (atomic: readers see one file or the other)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.copyfile(source, partial)
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, target)


def rollout(run_dir: Path, db: Path, nginx: Nginx | None = None, timeout: float = 20.0, log=print) -> dict:
    """Roll the build ``db`` out to every replica of the stack in ``run_dir``, one at a time.

    For each replica: copy the file beside its database and rename it over it; the replica's next
    request opens the new file (requests in flight finish on the old one); wait until its /health
    reports the new build. Then nginx is reloaded with the new build id in its cache key, and this
    returns once its old workers have exited: from then on no response of the old build is served
    (none from a replica, none from the cache). Returns the timings.
    """
    state = json.loads((run_dir / "stack.json").read_text())
    new_id = build_id(db)
    upstreams = [Upstream(**u) for u in state["upstreams"]]
    if nginx is None:
        nginx = Nginx(
            run_dir,
            state["port"],
            upstreams,
            worker_processes=state["worker_processes"] or "auto",
            fail_timeout=state.get("fail_timeout", FAIL_TIMEOUT),
        )
    started = time.monotonic()
    timings = {"build_id": new_id, "replicas_s": []}
    for i, upstream in enumerate(upstreams):
        began = time.monotonic()
        install(db, Path(upstream.db))
        deadline = began + timeout
        while True:
            try:
                status, _, body = get(f"http://{HOST}:{upstream.port}/health", timeout=5)
                seen = json.loads(body).get("build_id") if status == 200 else None
            except (OSError, ValueError):
                seen = None
            if seen == new_id:
                break
            if time.monotonic() > deadline:
                raise ServerError(f"replica {i} does not serve build {new_id} {timeout:.0f} s after the rename")
            time.sleep(0.05)
        timings["replicas_s"].append(round(time.monotonic() - began, 3))
        log(f"replica {i} (127.0.0.1:{upstream.port}) serves build {new_id}")
    nginx.cache_key_prefix = new_id
    timings["reload_s"] = round(nginx.reload(), 3)
    state["build_id"] = new_id
    write_state(run_dir, state)
    timings["total_s"] = round(time.monotonic() - started, 3)
    log(f"nginx reloaded with build {new_id} in its cache key; rollout took {timings['total_s']} s")
    return timings


# ---- the command line --------------------------------------------------------------------------------


def serve_forever(args) -> int:
    db = ensure_db(args.db.resolve())
    run_dir = args.run_dir.resolve()
    if (run_dir / "stack.json").exists():
        state = json.loads((run_dir / "stack.json").read_text())
        pid = state.get("nginx_pid")
        if (
            pid
            and Path(f"/proc/{pid}").exists()
            and "nginx" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
        ):
            print(f"a stack is already running from {run_dir} (nginx {pid})", file=sys.stderr)
            return 1
        shutil.rmtree(run_dir)

    def on_signal(signum, frame):
        raise KeyboardInterrupt  # SIGTERM stops the stack as Ctrl-C does

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stack = Stack(run_dir, args.port, args.instances, args.workers, args.threads, log_requests=args.log_requests)
    try:
        stack.start(db)
        print(f"serving {db} (build {stack.nginx.cache_key_prefix}) at {stack.base}", flush=True)
        for i, upstream in enumerate(stack.upstreams):
            print(
                f"  replica {i}: gunicorn pid {upstream.pid} on 127.0.0.1:{upstream.port}, log {upstream.log}",
                flush=True,
            )
        print(f"  nginx pid {stack.nginx.pid}, logs in {run_dir}; Ctrl-C stops everything", flush=True)
        reported: set[int] = set()
        while True:
            if stack.nginx.process.poll() is not None:
                print(
                    f"nginx exited ({stack.nginx.process.returncode}):\n{_tail(stack.nginx.error_log)}", file=sys.stderr
                )
                return 1
            for i, process in enumerate(stack.processes):
                if process.poll() is not None and i not in reported:
                    reported.add(i)
                    print(
                        f"replica {i} exited ({process.returncode}); nginx routes around it",
                        file=sys.stderr,
                        flush=True,
                    )
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("stopping nginx and the replicas", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.stack", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the stack in the foreground until SIGINT/SIGTERM")
    serve.add_argument("--db", type=Path, default=DEFAULT_DB)
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--instances", type=int, default=2, help="gunicorn instances (replicas), default 2")
    serve.add_argument("--workers", type=int, default=1, help="gunicorn workers per instance, default 1")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker, default 4")
    serve.add_argument("--run-dir", type=Path, default=ROOT / "run" / "serve")
    serve.add_argument("--no-log-requests", dest="log_requests", action="store_false")
    roll = sub.add_parser("rollout", help="roll a build out to every replica of the running stack")
    roll.add_argument("--db", type=Path, default=DEFAULT_DB)
    roll.add_argument("--run-dir", type=Path, default=ROOT / "run" / "serve")
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return serve_forever(args)
        if not (args.run_dir / "stack.json").exists():
            print(f"no stack runs from {args.run_dir} (start one with `make serve`)", file=sys.stderr)
            return 1
        rollout(args.run_dir.resolve(), args.db.resolve())
        return 0
    except ServerError as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

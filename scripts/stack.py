"""The production stack on one machine: nginx in front of gunicorn instances, run by supervisord.

    python -m scripts.stack serve --db data/claims.db --port 8080      # `make serve`: foreground, Ctrl-C stops all
    python -m scripts.stack rollout --db data/claims.db                # `make rollout`: a new build to every replica

The run directory is prepared here (each replica's copy of the database, nginx.conf rendered by
deploy/render-nginx); supervisord (deploy/supervisord.conf) then runs the stock gunicorn instances,
one per loopback port, and nginx, restarts whichever exits, and stops them all on SIGINT or SIGTERM.
`rollout` asks the running supervisord (its socket in the run directory) which replicas there are.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path

import psutil
from supervisor.xmlrpc import SupervisorTransport

from scripts.servers import (
    DEFAULT_DB,
    HOST,
    ROOT,
    ServerError,
    ensure_db,
    free_port,
    get,
    start_process,
    stop,
    wait_ready,
)

DEPLOY = ROOT / "deploy"
TIMEOUT = 20.0  # for the stack to answer, a replica to serve a new build, nginx's old workers to exit
# A replica is marked down after this many failed attempts, for this long (nginx's max_fails/fail_timeout):
# short, since supervisord has a killed replica serving again within about two seconds.
MAX_FAILS, FAIL_TIMEOUT = 1, 2


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


def install(source: Path, target: Path) -> None:
    """Copy ``source`` beside ``target`` and rename it over ``target`` (atomic: readers see one file or the other)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.copyfile(source, partial)
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, target)


def default_cache_dir(run_dir: Path) -> Path:
    """Where nginx keeps its cache for the stack in ``run_dir``: in /dev/shm (memory) if there is one."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm / f"claimbase-cache-{hashlib.sha1(str(run_dir).encode()).hexdigest()[:12]}"
    return run_dir / "cache"


@dataclass
class Upstream:
    """One server behind nginx: a gunicorn instance of the stack (its database and log), or any HTTP server."""

    port: int
    db: Path | None = None
    log: Path | None = None


def nginx_command(run_dir: Path, *args: str) -> list[str]:
    """nginx with the stack's prefix, config and error log in ``run_dir``."""
    return [
        nginx_binary(),
        "-p",
        f"{run_dir}/",
        "-c",
        f"{run_dir}/nginx.conf",
        "-e",
        f"{run_dir}/nginx-error.log",
        *args,
    ]


def name_build(run_dir: Path, build: str) -> None:
    """Write build.conf: the build id every cache key starts with."""
    if not build.replace("-", "").replace("_", "").isalnum():
        raise ServerError(f"not a build id: {build!r}")
    (run_dir / "build.conf").write_text(f'geo $build_id {{ default "{build}"; }}\n')


def reload_nginx(run_dir: Path, build: str, timeout: float = TIMEOUT) -> float:
    """Name ``build`` in the cache key and `nginx -s reload`; return (seconds) once every old worker has
    exited (its requests finished), so that nothing served afterwards comes from the old key."""
    started = time.monotonic()
    name_build(run_dir, build)
    old = psutil.Process(int((run_dir / "nginx.pid").read_text())).children()
    for args in (("-q", "-t"), ("-s", "reload")):
        done = subprocess.run(nginx_command(run_dir, *args), capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise ServerError(f"nginx {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    # nginx answers the signal by starting new workers, then asks the old ones to finish their requests.
    if psutil.wait_procs(old, timeout=timeout)[1]:
        raise ServerError(f"nginx's old workers still running {timeout:.0f} s after a reload")
    return time.monotonic() - started


class Nginx:
    """nginx.conf rendered into ``run_dir`` for ``upstreams``, listening on 127.0.0.1:``port``."""

    def __init__(self, run_dir: Path, port: int, upstreams: list[Upstream], cache_key_prefix: str = "", **options):
        self.run_dir = Path(run_dir).resolve()  # nginx resolves relative paths against its prefix
        self.port, self.upstreams = port, upstreams
        self.fail_timeout = options.get("fail_timeout", FAIL_TIMEOUT)
        self.access_log = options.get("access_log", True)
        self.cache_dir = Path(options.get("cache_dir") or default_cache_dir(self.run_dir))
        self.process: subprocess.Popen | None = None  # when started here rather than by supervisord
        self.render(cache_key_prefix)

    base = property(lambda self: f"http://{HOST}:{self.port}")
    conf = property(lambda self: self.run_dir / "nginx.conf")
    error_log = property(lambda self: self.run_dir / "nginx-error.log")

    def command(self, *args: str) -> list[str]:
        return nginx_command(self.run_dir, *args)

    def render(self, build: str) -> None:
        """Render the template with deploy/render-nginx (envsubst, then `nginx -t`) and name the build."""
        servers = " ".join(
            f"server {HOST}:{u.port} max_fails={MAX_FAILS} fail_timeout={self.fail_timeout}s;" for u in self.upstreams
        )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "NGINX_BIN": nginx_binary(),
            # Started as root (a container), nginx would hand its workers to `nobody`, who cannot enter the run directory.
            "NGINX_USER": "user root;" if os.geteuid() == 0 else "",
            "NGINX_WORKER_PROCESSES": "auto",
            "NGINX_RUN_DIR": str(self.run_dir),
            "NGINX_ACCESS_LOG": f"{self.run_dir}/access.log combined buffer=64k flush=1s" if self.access_log else "off",
            "NGINX_CACHE_DIR": str(self.cache_dir),
            "NGINX_CACHE_MAX_SIZE": "256m",
            "NGINX_UPSTREAMS": servers,
            "NGINX_LISTEN": f"{HOST}:{self.port}",
        }
        self.run_dir.mkdir(parents=True, exist_ok=True)
        name_build(self.run_dir, build)
        done = subprocess.run([DEPLOY / "render-nginx"], env=env, capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise ServerError(f"deploy/render-nginx failed ({done.returncode}):\n{done.stderr}")

    def start(self) -> None:
        """Run nginx alone (the benchmark's front for other servers); the stack's runs under supervisord."""
        self.process = start_process(self.command(), self.run_dir / "nginx.out", dict(os.environ))
        wait_ready("nginx", self.process, f"{self.base}/.nginx-ready", self.error_log)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
        if self.cache_dir != self.run_dir / "cache":
            shutil.rmtree(self.cache_dir, ignore_errors=True)  # memory, not the run directory: give it back

    def error_log_text(self) -> str:
        return self.error_log.read_text(errors="replace") if self.error_log.exists() else ""


def consecutive_free_ports(count: int, tries: int = 50) -> int:
    """The first of ``count`` consecutive loopback ports nothing listens on (supervisord numbers replicas by port)."""
    for _ in range(tries):
        first = free_port()
        if first + count < 65536 and all(_free(first + i) for i in range(1, count)):
            return first
    raise ServerError(f"no {count} consecutive free ports on {HOST}")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def supervisor(run_dir: Path, method: str, *args):
    """Call ``method`` of the XML-RPC interface of the supervisord running the stack in ``run_dir``."""
    transport = SupervisorTransport(None, None, f"unix://{run_dir}/supervisor.sock")
    with xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport) as proxy:
        return getattr(proxy.supervisor, method)(*args)


def running(run_dir: Path) -> bool:
    """Whether a supervisord answers on ``run_dir``'s socket."""
    try:
        return supervisor(run_dir, "getState")["statename"] == "RUNNING"
    except (OSError, xmlrpc.client.Error):
        return False


class Stack:
    """nginx on ``port`` in front of ``instances`` gunicorn instances, each over its own copy of the
    database, under supervisord. ``serve`` hands the prepared directory to supervisord in the foreground;
    ``start`` runs it in the background for the tests, faults, load and benchmark."""

    def __init__(self, run_dir: Path, port: int, instances: int = 2, workers: int = 1, threads: int = 4, **options):
        self.run_dir, self.port, self.instances = Path(run_dir).resolve(), port, instances
        self.workers, self.threads = workers, threads
        self.log_requests = options.get("log_requests", True)
        self.fail_timeout = options.get("fail_timeout", FAIL_TIMEOUT)
        self.upstreams: list[Upstream] = []
        self.nginx: Nginx | None = None
        self.supervisord: subprocess.Popen | None = None

    base = property(lambda self: f"http://{HOST}:{self.port}")

    def prepare(self, db: Path) -> tuple[list[str], dict]:
        """Copy the database for each replica and render nginx.conf; return supervisord's command and environment."""
        first = consecutive_free_ports(self.instances)
        for port in range(first, first + self.instances):
            replica = self.run_dir / f"replica-{port}"
            replica.mkdir(parents=True, exist_ok=True)
            install(db, replica / "claims.db")
            self.upstreams.append(Upstream(port=port, db=replica / "claims.db", log=replica / "gunicorn.log"))
        self.nginx = Nginx(self.run_dir, self.port, self.upstreams, build_id(db), fail_timeout=self.fail_timeout)
        env = dict(
            os.environ,
            CLAIMBASE_RUN_DIR=str(self.run_dir),
            CLAIMBASE_INSTANCES=str(self.instances),
            CLAIMBASE_FIRST_PORT=str(first),
            CLAIMBASE_BIN=str(Path(sys.executable).parent),
            CLAIMBASE_NGINX=nginx_binary(),
            CLAIMBASE_WORKERS=str(self.workers),
            CLAIMBASE_THREADS=str(self.threads),
            CLAIMBASE_LOG_REQUESTS="1" if self.log_requests else "0",
        )
        command = [str(Path(sys.executable).with_name("supervisord")), "-n", "-c", str(DEPLOY / "supervisord.conf")]
        return command, env

    def start(self, db: Path, timeout: float = TIMEOUT) -> Stack:
        command, env = self.prepare(db)
        self.supervisord = start_process(command, self.run_dir / "supervisord.out", env)
        try:
            for upstream in self.upstreams:
                wait_ready("replica", self.supervisord, f"http://{HOST}:{upstream.port}/health", upstream.log, timeout)
            wait_ready("nginx", self.supervisord, f"{self.base}/.nginx-ready", self.nginx.error_log, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """SIGTERM to supervisord, which stops every program; whatever is left after that is killed."""
        if self.supervisord is not None:
            try:
                left = psutil.Process(self.supervisord.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                left = []
            stop(self.supervisord)
            for process in psutil.wait_procs(left, timeout=5)[1]:
                process.kill()
        if self.nginx is not None:
            self.nginx.stop()

    def info(self, i: int) -> dict:
        """supervisord's view of replica ``i``: its state, pid, start time."""
        return supervisor(self.run_dir, "getProcessInfo", f"replica:{self.upstreams[i].port}")

    @property
    def processes(self) -> list[psutil.Process]:
        """The gunicorn master of each running replica."""
        programs = supervisor(self.run_dir, "getAllProcessInfo")
        return [psutil.Process(p["pid"]) for p in programs if p["group"] == "replica" and p["pid"]]

    def worker_pids(self) -> list[int]:
        """Every gunicorn worker of the running replicas."""
        return sorted(child.pid for master in self.processes for child in master.children())

    def nginx_pid(self) -> int:
        return supervisor(self.run_dir, "getProcessInfo", "nginx")["pid"]

    def kill_instance(self, i: int) -> int:
        """SIGKILL replica ``i``'s process group (master and workers), a machine gone at once; return its pid.
        supervisord starts it again."""
        pid = self.info(i)["pid"]
        os.killpg(pid, signal.SIGKILL)
        return pid

    def log(self, i: int) -> str:
        return self.upstreams[i].log.read_text(errors="replace")

    def request_lines(self) -> list[dict]:
        """The app's request log lines of every instance (one JSON object per request that reached gunicorn)."""
        lines = []
        for i in range(len(self.upstreams)):
            lines += [json.loads(line) for line in self.log(i).splitlines() if line.startswith("{")]
        return lines

    def rollout(self, db: Path) -> dict:
        """Roll ``db`` out; see rollout()."""
        return rollout(self.run_dir, db)


def rollout(run_dir: Path, db: Path, timeout: float = TIMEOUT, log=print) -> dict:
    """Roll the build ``db`` out to every replica of the stack in ``run_dir``, one at a time.

    For each replica: copy the file beside its database and rename it over it (requests in flight
    finish on the old one), HUP its gunicorn (new workers; the old ones finish their requests and
    exit), and wait until its /health reports the new build and its old workers are gone. An old
    worker closes its idle keep-alive connections as it exits: a request nginx sent on one at that
    moment is retried on another replica, and nginx marks this one down for FAIL_TIMEOUT, so the next
    replica is reloaded only once that has passed. Then name the new build in nginx's cache key and
    `nginx -s reload`; return once nginx's old workers have exited: from then on no response of the
    old build is served (none from a replica, none from the cache). Returns the timings.
    """
    ports = sorted(int(p["name"]) for p in supervisor(run_dir, "getAllProcessInfo") if p["group"] == "replica")
    new_id, started = build_id(db), time.monotonic()
    timings = {"build_id": new_id, "replicas_s": []}
    for n, port in enumerate(ports):
        began = time.monotonic()
        if n:
            time.sleep(FAIL_TIMEOUT)
        old = psutil.Process(supervisor(run_dir, "getProcessInfo", f"replica:{port}")["pid"]).children()
        install(db, run_dir / f"replica-{port}" / "claims.db")
        supervisor(run_dir, "signalProcess", f"replica:{port}", "HUP")
        while _serving(port) != new_id or psutil.wait_procs(old, timeout=0.05)[1]:
            if time.monotonic() - began > timeout:
                raise ServerError(f"replica {port} does not serve build {new_id} alone {timeout:.0f} s after the HUP")
        timings["replicas_s"].append(round(time.monotonic() - began, 3))
        log(f"replica {HOST}:{port} serves build {new_id}")
    timings["reload_s"] = round(reload_nginx(run_dir, new_id, timeout), 3)
    timings["total_s"] = round(time.monotonic() - started, 3)
    log(f"nginx reloaded with build {new_id} in its cache key; rollout took {timings['total_s']} s")
    return timings


def _serving(port: int) -> str | None:
    try:
        status, _, body = get(f"http://{HOST}:{port}/health", timeout=5)
        return json.loads(body).get("build_id") if status == 200 else None
    except (OSError, ValueError):
        return None


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
    run_dir = args.run_dir.resolve()
    try:
        if args.command == "rollout":
            if not running(run_dir):
                print(f"no stack runs from {run_dir} (start one with `make serve`)", file=sys.stderr)
                return 1
            rollout(run_dir, args.db.resolve())
            return 0
        if running(run_dir):
            print(f"a stack is already running from {run_dir}", file=sys.stderr)
            return 1
        db = ensure_db(args.db.resolve())
        shutil.rmtree(run_dir, ignore_errors=True)  # what a stopped stack left
        shutil.rmtree(default_cache_dir(run_dir), ignore_errors=True)
        stack = Stack(run_dir, args.port, args.instances, args.workers, args.threads, log_requests=args.log_requests)
        command, env = stack.prepare(db)
        ports = ", ".join(str(u.port) for u in stack.upstreams)
        print(f"serving {db} (build {build_id(db)}) at {stack.base}: nginx in front of gunicorn on ports {ports}")
        print(f"logs in {run_dir}; Ctrl-C stops everything", flush=True)
        os.execve(command[0], command, env)  # supervisord runs and stops it all from here
    except ServerError as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

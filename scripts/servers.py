"""Start and stop the real server (gunicorn with the repo's gunicorn.conf.py) on 127.0.0.1, and look at it.

Shared by scripts/stack.py (the nginx stack that load.py and faults.py drive), the benchmark and the
tests that need a real server. Everything here talks to loopback only and every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_DB = ROOT / "data" / "claims.db"
STARTUP_TIMEOUT = 20.0  # seconds for /health to answer 200
STOP_TIMEOUT = 20.0  # seconds for a server to exit on SIGTERM before it and its children are killed

# Talk to the server directly, whatever proxy the environment configures.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerError(RuntimeError):
    """The server could not be started, or misbehaved in a way that ends the run."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5.0, headers: dict | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET a URL without any proxy: (status, headers, body). HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def raw_request(port: int, data: bytes, timeout: float = 5.0, limit: int = 1 << 20) -> bytes:
    """Send ``data`` as is on a new connection to 127.0.0.1:``port``; return what comes back until close."""
    chunks, size = [], 0
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        deadline = time.monotonic() + timeout
        while size < limit and time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks)


def parse_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Split a raw HTTP/1.1 response (one, with Content-Length or up to close) into status, headers, body."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/"):
        raise ServerError(f"not an HTTP response: {raw[:200]!r}")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return status, headers, body


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers, for the master)."""
    return sorted(child.pid for child in psutil.Process(pid).children())


def rss_kb(pid: int) -> int:
    """Resident set size of ``pid`` in kB."""
    return psutil.Process(pid).memory_info().rss // 1024


def ensure_db(path: Path) -> Path:
    """Build the database from fixtures/ at ``path`` if there is none yet."""
    if not path.exists():
        print(f"{path} does not exist: building it (python -m api.builder --db {path})", flush=True)
        subprocess.run([sys.executable, "-m", "api.builder", "--db", str(path)], cwd=ROOT, check=True)
    return path


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Server:
    """A running gunicorn: its base URL, port, master process and log file."""

    base: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def workers(self) -> list[int]:
        return children(self.process.pid)

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines)

    def wait_for_workers(self, count: int, timeout: float = STARTUP_TIMEOUT) -> list[int]:
        deadline = time.monotonic() + timeout
        while len(pids := self.workers) < count:
            if time.monotonic() > deadline:
                raise ServerError(f"{len(pids)} of {count} gunicorn workers after {timeout:.0f} s:\n{self.tail()}")
            time.sleep(0.05)
        return pids


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a process started by start_process with ``sig`` (gunicorn's master stops its workers, supervisord
    its programs); SIGKILL it and anything it started that is still running after STOP_TIMEOUT."""
    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    if process.poll() is None:
        process.send_signal(sig)
    for left in psutil.wait_procs(family, timeout=STOP_TIMEOUT)[1]:
        left.kill()
    process.wait(timeout=STOP_TIMEOUT)


def gunicorn_command(
    bind: str,
    workers: int | None = None,
    threads: int | None = None,
    app: str = "api.web:create_app()",
    config: Path | None = None,
) -> list[str]:
    """``gunicorn --config gunicorn.conf.py --bind <bind> [--workers N] [--threads N] <app>``."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        raise ServerError(f"gunicorn not found next to {sys.executable}; install requirements.txt")
    command = [str(gunicorn), "--config", str(config or ROOT / "gunicorn.conf.py"), "--bind", bind]
    if workers is not None:
        command += ["--workers", str(workers)]
    if threads is not None:
        command += ["--threads", str(threads)]
    return [*command, app]


def start_process(command: list[str], log_path: Path, env: dict) -> subprocess.Popen:
    """Start ``command`` in a process group of its own (so that it and its children can be stopped
    together, and a Ctrl-C meant for the caller does not reach it), output to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_ready(
    name: str, process: subprocess.Popen, url: str, log_path: Path, timeout: float = STARTUP_TIMEOUT
) -> None:
    """Wait until ``url`` answers 200; raise ServerError (with the log's tail) if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    status = None
    while True:
        if process.poll() is not None:
            raise ServerError(f"{name} exited with {process.returncode} before serving:\n{_tail(log_path)}")
        try:
            status = get(url, timeout=1.0)[0]
        except OSError:
            status = None
        if status == 200:
            return
        if time.monotonic() > deadline:
            raise ServerError(
                f"{name} did not answer GET {url} with 200 within {timeout:.0f} s (last status {status}):\n{_tail(log_path)}"
            )
        time.sleep(0.1)


def server_env(db_path: Path, log_requests: bool, env: dict | None = None) -> dict:
    return dict(
        os.environ,
        CLAIMBASE_DB=str(db_path),
        CLAIMBASE_LOG_REQUESTS="1" if log_requests else "0",
        PYTHONUNBUFFERED="1",
        **(env or {}),
    )


@contextmanager
def serve(
    db_path: Path,
    log_path: Path,
    *,
    workers: int | None = None,
    threads: int | None = None,
    log_requests: bool = False,
    env: dict | None = None,
    config: Path | None = None,
) -> Iterator[Server]:
    """Run ``gunicorn --config gunicorn.conf.py 'api.web:create_app()'`` on a free loopback port over ``db_path``.

    ``workers``/``threads`` default to gunicorn.conf.py's own (one worker per core, four threads);
    gunicorn's stdout and stderr (its log and the app's request lines) go to ``log_path``.
    """
    port = free_port()
    base = f"http://{HOST}:{port}"
    env_ = server_env(db_path, log_requests, env)
    log_path.unlink(missing_ok=True)
    process = start_process(gunicorn_command(f"{HOST}:{port}", workers, threads, config=config), log_path, env_)
    try:
        wait_ready("gunicorn", process, f"{base}/health", log_path)
        yield Server(base=base, port=port, process=process, log_path=log_path)
    finally:
        stop(process)


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0–100) of ``values``, nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]

"""Serve the app on a real WSGI server (gunicorn) on 127.0.0.1 for tests that need one.

`live_server` is a session-scoped fixture yielding the base URL, e.g. "http://127.0.0.1:41234".
Import it into a test module (or re-export it from conftest.py) to use it.
"""

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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 20.0  # seconds for /health to answer 200
STOP_TIMEOUT = 10.0  # seconds for gunicorn to exit on SIGTERM before it is killed

# Talk to the server directly, whatever proxy the environment configures.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """GET a URL without any proxy: (status, headers, body). HTTP errors are returned, not raised."""
    try:
        with _opener.open(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen) -> None:
    """Terminate gunicorn (the master stops its workers), killing its process group if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # The master is still alive (not reaped), so its process group is still ours: kill it and its workers.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def serve(db_path: Path, log_path: Path) -> Iterator[str]:
    """Run `gunicorn 'api:create_app()'` on a free loopback port over db_path; yield its base URL."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    assert gunicorn.exists(), f"gunicorn not found next to {sys.executable}; install requirements.txt"
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = dict(os.environ, CLAIMBASE_DB=str(db_path), CLAIMBASE_LOG_REQUESTS="0")
    command = [
        str(gunicorn),
        "--config",
        str(ROOT / "gunicorn.conf.py"),  # the deployment settings; the flags below override bind and sizing
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "1",
        "--threads",
        "2",
        "api:create_app()",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        status = None
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode} before serving:\n{_tail(log_path)}")
            try:
                status = get(f"{base}/health", timeout=1.0)[0]
            except OSError:
                status = None
            if status == 200:
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"gunicorn did not answer GET /health with 200 within {STARTUP_TIMEOUT:.0f} s "
                    f"(last status {status}):\n{_tail(log_path)}"
                )
            time.sleep(0.1)
        yield base
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def live_server(db_path, tmp_path_factory) -> Iterator[str]:
    """The app on gunicorn at 127.0.0.1:<free port>, over the session database; yields the base URL."""
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with serve(db_path, log_path) as base:
        yield base

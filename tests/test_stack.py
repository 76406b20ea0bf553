"""The production stack with real processes on 127.0.0.1: nginx (deploy/nginx.conf.template) in front of
two stock gunicorn instances, each over its own copy of the database (scripts/stack.py).

(a) 200 slow clients; (b) gzip and weak ETags; (c) the cache; (d) a rollout under load; (e) an
instance killed under load; (f) what nginx answers itself; and `make serve` stopping everything.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import orjson
import psutil
import pytest

from api.web.http import CORS_HEADERS, SECURITY_HEADERS
from scripts.faults import Load, build_variant
from scripts.servers import (
    HOST,
    ROOT,
    free_port,
    get,
    parse_response,
    percentile,
    raw_request,
)
from scripts.stack import Stack, build_id, default_cache_dir

pytestmark = pytest.mark.server


def start_stack(db_path: Path, run_dir: Path, **options) -> Stack:
    return Stack(run_dir, free_port(), **options).start(db_path)


def stack_processes(stack: Stack) -> list[psutil.Process]:
    """supervisord and everything it runs: nginx's master and workers, each gunicorn master and its workers."""
    supervisord = psutil.Process(stack.supervisord.pid)
    return [supervisord, *supervisord.children(recursive=True)]


@pytest.fixture(scope="module")
def stack(db_path, tmp_path_factory):
    running = start_stack(db_path, tmp_path_factory.mktemp("stack"))
    try:
        yield running
    finally:
        running.stop()


def established(port: int) -> int:
    """Connections established to 127.0.0.1:``port`` right now (from /proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":
            count += 1
    return count


def problem_checks(status: int, headers: dict[str, str], body: bytes) -> dict:
    """A problem nginx answered: the API's shape, type, CORS and security headers."""
    assert headers["content-type"] == "application/problem+json", headers
    problem = orjson.loads(body)
    assert set(problem) == {"type", "title", "status", "detail", "errors"}, problem
    assert problem["status"] == status and problem["type"] == "about:blank"
    assert problem["errors"] == ({"method": [problem["detail"]]} if status == 405 else {})
    for name, value in {**CORS_HEADERS, **SECURITY_HEADERS}.items():
        assert headers[name.lower()] == value, name
    assert headers["cache-control"] == "no-store"
    assert headers["server"] == "nginx"  # no version
    return problem


# ---- (a) slow clients --------------------------------------------------------------------------------


def test_200_slow_clients_cost_nginx_connections_not_gunicorn_threads(stack):
    """100 clients send their request head a byte at a time, 100 ask for the CSV export and never read
    it; meanwhile 150 ordinary requests, each for a URL not asked before (so gunicorn must answer it),
    keep p99 under 100 ms. Two instances of one worker with four threads each: 8 threads in all."""
    stop = threading.Event()
    opened = []

    def slowloris():
        try:
            with socket.create_connection((HOST, stack.port), timeout=10) as sock:
                opened.append(1)
                for byte in b"GET /api/v1/figures HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200:
                    sock.sendall(bytes([byte]))
                    if stop.wait(0.5):
                        return
        except OSError:
            pass

    def non_reader():
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        try:
            sock.settimeout(10)
            sock.connect((HOST, stack.port))
            opened.append(1)
            sock.sendall(b"GET /api/v1/figures.csv HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n")
            stop.wait(30)
        except OSError:
            pass
        finally:
            sock.close()

    threads = [threading.Thread(target=slowloris, daemon=True) for _ in range(100)]
    threads += [threading.Thread(target=non_reader, daemon=True) for _ in range(100)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 10
        while established(stack.port) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        held = established(stack.port)
        assert held >= 200, f"only {held} connections held"
        latencies, statuses = [], []
        for n in range(150):
            url = f"{stack.base}/api/v1/figures?page_size={n % 500 + 1}&sort=-value&category=troops&q=troops"
            began = time.perf_counter()
            status, _, _ = get(url, timeout=5)
            latencies.append(time.perf_counter() - began)
            statuses.append(status)
        still_held = established(stack.port)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    p99 = percentile(latencies, 99) * 1000
    print(
        f"{held} slow connections held; 150 requests: p50 {percentile(latencies, 50) * 1000:.1f} ms, p99 {p99:.1f} ms"
    )
    assert statuses == [200] * 150
    assert still_held >= 200, f"the slow clients were dropped: {still_held} connections left"
    assert p99 < 100, (
        f"p99 {p99:.1f} ms with {held} slow connections held (p50 {percentile(latencies, 50) * 1000:.1f} ms)"
    )


# ---- (b) compression and ETags -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, content_type",
    [
        ("/api/v1/figures?category=troops", "application/json"),
        ("/api/v1/figures.csv", "text/csv"),
        ("/api/v1/events.ndjson", "application/x-ndjson"),
        ("/api/v1/metrics/troops-additional-planned/chart.svg?subject=north-korea", "image/svg+xml"),
        ("/static/docs.js", "javascript"),
        ("/docs/assets/swagger-ui-bundle.js", "javascript"),
        ("/docs/assets/swagger-ui.css", "text/css"),
        ("/docs", "text/html"),
    ],
)
def test_gzip_when_accepted_and_a_weak_etag_still_gives_304(stack, url, content_type):
    status, plain_headers, plain = get(stack.base + url)
    assert status == 200 and content_type in plain_headers["Content-Type"]
    assert "Content-Encoding" not in plain_headers
    status, headers, body = get(stack.base + url, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip", headers
    assert gzip.decompress(body) == plain and len(body) < len(plain)
    if "ETag" in plain_headers:
        etag = headers["ETag"]
        assert etag.startswith('W/"') and etag[2:] == plain_headers["ETag"]  # nginx weakened the app's strong tag
        for sent in (etag, plain_headers["ETag"]):  # weak, as a client revalidating sends it back; and strong
            again = get(stack.base + url, headers={"Accept-Encoding": "gzip", "If-None-Match": sent})
            assert again[0] == 304 and again[2] == b"", (sent, again[0])
        other = get(stack.base + url, headers={"If-None-Match": 'W/"0000"'})
        assert other[0] == 200


def test_one_vary_line_names_accept_and_accept_encoding(stack):
    """The app's Vary and gzip's in one line: a client that reads the first Vary line alone gets both."""
    for path in (b"/api/v1/figures?category=troops", b"/api/v1/claims.csv"):
        for extra in (b"", b"Accept-Encoding: gzip\r\n", b""):  # a miss, then hits (or bypasses)
            head = raw_request(stack.port, _request(path, extra=extra)).split(b"\r\n\r\n", 1)[0].decode("latin-1")
            varies = [line for line in head.lower().split("\r\n") if line.startswith("vary:")]
            assert varies == ["vary: accept, accept-encoding"], (path, extra, head)


# ---- (c) the cache -----------------------------------------------------------------------------------


def app_requests(stack: Stack, path: str, settle: float = 1.0) -> list[dict]:
    """The app's request log lines for ``path``, across the instances (after letting the logs catch up)."""
    time.sleep(settle)
    return [line for line in stack.request_lines() if line["path"] == path]


def test_a_repeated_url_is_answered_from_the_cache_without_reaching_gunicorn(stack):
    path = "/api/v1/metrics/troops-additional-planned/summary"
    url = f"{stack.base}{path}?subject=north-korea"
    assert app_requests(stack, path, settle=0) == []
    answers = [get(url) for _ in range(20)]
    answers.append(get(url, headers={"Accept-Encoding": "gzip"}))
    assert {a[0] for a in answers} == {200}
    assert [a[1]["X-Cache"] for a in answers] == ["MISS"] + ["HIT"] * 20
    assert len({a[2] for a in answers[:20]}) == 1
    reached = app_requests(stack, path)
    assert len(reached) == 1, reached
    # Another Accept is another answer (the app's Vary: Accept): it reaches gunicorn once.
    assert get(url, headers={"Accept": "application/ld+json"})[1]["X-Cache"] == "MISS"
    assert get(url, headers={"Accept": "application/ld+json"})[1]["X-Cache"] == "HIT"
    assert len(app_requests(stack, path)) == 2


def test_errors_health_and_exports_are_not_cached(stack):
    for url, status, cache in (
        ("/api/v1/figures?metirc=1", 422, "MISS"),  # no-store
        ("/api/v1/figures/nope", 404, "MISS"),
        ("/health", 200, "MISS"),
        ("/api/v1/claims.csv", 200, "BYPASS"),  # an export: never looked up
        ("/api/v1/claims", 200, "HIT"),  # (the same list as JSON is cached)
    ):
        if cache == "HIT":
            get(stack.base + url)
        seen = [get(stack.base + url) for _ in range(2)]
        assert [s[0] for s in seen] == [status, status]
        assert [s[1]["X-Cache"] for s in seen] == [cache, cache], url
        assert "X-Accel-Expires" not in seen[0][1]


def test_the_client_address_reaches_the_app_and_a_forged_one_does_not(stack):
    """From 127.0.0.2 (nginx's peer), with a forged X-Forwarded-For: the app logs 127.0.0.2."""
    path = "/api/v1/entities/kyiv/figures"
    with socket.create_connection((HOST, stack.port), timeout=5, source_address=("127.0.0.2", 0)) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: close\r\n\r\n".encode()
        )
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    assert parse_response(response)[0] == 200
    (line,) = app_requests(stack, path)
    assert line["client"] == "127.0.0.2"


# ---- (f) what nginx answers itself ---------------------------------------------------------------------


def _request(target: bytes, method: bytes = b"GET", extra: bytes = b"") -> bytes:
    return method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"Connection: close\r\n\r\n"


NGINX_ANSWERS = {
    "a 100 KB request line": (_request(b"/api/v1/figures?q=" + b"a" * 100_000), 414),
    "2,000 headers (a 40 KB head)": (
        _request(b"/health", extra=b"".join(b"X-%d: y\r\n" % i for i in range(2000))),
        431,
    ),
    "a 20 KB header": (_request(b"/health", extra=b"X-Big: " + b"y" * 20_000 + b"\r\n"), 431),
    "a method that is not a token": (_request(b"/health", method=b"G(T"), 400),
    "a NUL byte in the request line": (_request(b"/api/v1/figures?q=a\x00b"), 400),
    "raw bytes that are not ASCII": (_request(b"/api/v1/figures?q=\xff\xfe"), 400),
    "a control character in Accept": (_request(b"/health", extra=b"Accept: a\x01b\r\n"), 400),
    "invalid percent-encoding in the path": (_request(b"/api/v1/figures/%zz"), 400),
    "no Host in HTTP/1.1": (b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
    "not HTTP at all": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
    "an unsupported HTTP version": (b"GET /health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", 505),
    "a 100 KB body": (
        _request(b"/api/v1/figures", method=b"POST", extra=b"Content-Length: 100000\r\n") + b"x" * 100_000,
        413,
    ),
}


def settled_request_count(stack) -> int:
    """The number of requests gunicorn logged, once earlier requests' lines are all written (a line follows its answer)."""
    count = len(stack.request_lines())
    for _ in range(50):
        time.sleep(0.1)
        now = len(stack.request_lines())
        if now == count:
            return count
        count = now
    return count


@pytest.mark.parametrize("case", list(NGINX_ANSWERS))
def test_nginx_answers_bad_requests_itself_in_the_error_shape_with_cors(stack, case):
    data, expected = NGINX_ANSWERS[case]
    before = settled_request_count(stack)
    status, headers, body = parse_response(raw_request(stack.port, data))
    assert status == expected, (case, body[:300])
    problem_checks(status, headers, body)
    assert settled_request_count(stack) == before  # gunicorn never saw it
    assert get(stack.base + "/health")[0] == 200


def _methods(allow: str) -> set[str]:
    return set(allow.replace(" ", "").split(","))


@pytest.mark.parametrize("method", ["TRACE", "CONNECT"])
@pytest.mark.parametrize("path", ["/api/v1/figures", "/api/v1/figures/anything", "/health", "/docs"])
def test_methods_nginx_refuses_itself_are_answered_as_the_app_answers_a_405(stack, app, method, path):
    """nginx answers TRACE and CONNECT before any location: the app's 405 problem, Allow, CORS and all."""
    before = settled_request_count(stack)
    status, headers, body = parse_response(raw_request(stack.port, _request(path.encode(), method=method.encode())))
    assert status == 405, body[:300]
    problem = problem_checks(status, headers, body)
    assert _methods(headers["allow"]) == {"GET", "HEAD", "OPTIONS"}
    expected = app.test_client().open(path, method=method)
    assert expected.status_code == 405
    app_allow = expected.headers["Allow"]
    assert _methods(app_allow) == _methods(headers["allow"])
    # The app lists the methods in the order its router holds them; nginx in a fixed one.
    assert problem == orjson.loads(expected.get_data().replace(app_allow.encode(), headers["allow"].encode()))
    assert settled_request_count(stack) == before  # gunicorn never saw it


def test_other_methods_reach_the_app_and_get_its_405(stack):
    status, headers, body = parse_response(raw_request(stack.port, _request(b"/api/v1/figures", method=b"DELETE")))
    assert status == 405 and _methods(headers["allow"]) == {"GET", "HEAD", "OPTIONS"}
    assert problem_checks(status, headers, body)["errors"]["method"][0].startswith("Method DELETE is not allowed")


def test_headers_the_app_does_not_read_never_reach_gunicorn(stack):
    """A control character in a header nginx lets through would make gunicorn answer an HTML 400."""
    status, headers, body = parse_response(raw_request(stack.port, _request(b"/health", extra=b"X-A: a\x01b\r\n")))
    assert status == 200 and orjson.loads(body)["status"] == "ok"


# ---- (d) a rollout under load --------------------------------------------------------------------------


def test_a_rollout_under_load_fails_no_request_and_leaves_no_old_answer(db_path, tmp_path):
    served = tmp_path / "source.db"
    shutil.copyfile(db_path, served)
    variant = tmp_path / "variant.db"
    new_id = build_variant(variant, tmp_path / "variant")
    old_id = build_id(served)
    assert new_id != old_id
    stack = start_stack(served, tmp_path / "run")
    try:
        urls = ["/health", "/api/v1/sources", "/api/v1/figures?category=troops&sort=source,period", "/api/v1/claims"]
        old = {url: get(stack.base + url)[2] for url in urls[1:]}
        with Load(stack.base, urls, clients=6) as load:
            time.sleep(1.5)
            timings = stack.rollout(variant)
            returned = time.monotonic()
            time.sleep(1.5)
        new = {url: get(stack.base + url)[2] for url in urls[1:]}
    finally:
        stack.stop()
    assert old["/api/v1/sources"] != new["/api/v1/sources"]  # the variant's note shows there
    failed = [(url, status) for _, url, status, _ in load.results if status != 200]
    assert failed == [], failed[:5]
    builds_after, late_old = set(), []
    for began, url, _, body in load.results:
        if url == "/health":
            build = orjson.loads(body)["build_id"]
            assert build in (old_id, new_id)
        else:
            assert body in (old[url], new[url]), f"{url}: a body of neither build ({len(body)} bytes)"
            build = old_id if body == old[url] and body != new[url] else new_id
        if began > returned:
            builds_after.add(build)
            if build == old_id:
                late_old.append(url)
    assert late_old == [], f"old build served after the rollout returned: {late_old[:5]}"
    assert builds_after == {new_id}
    assert len(load.results) > 50
    assert timings["total_s"] < 30, timings


# ---- (e) an instance killed under load ------------------------------------------------------------------


def test_an_instance_killed_under_load_costs_at_most_its_requests_in_flight(db_path, tmp_path):
    """SIGKILL one of two instances (master and workers) while clients request URLs that are never
    cached. nginx retries a request whose connection failed before the response head on the other
    instance, and marks the dead one down (max_fails=1) on its first failure: the only requests that
    may fail are those whose response head had already come back from the killed instance, at most its
    workers x threads (4); every request started after the kill is marked succeeds. fail_timeout is
    1 s here, so nginx tries the dead instance again twice during the run: those tries cost no client."""
    stack = start_stack(db_path, tmp_path / "run", fail_timeout=1)
    in_flight_bound = stack.workers * stack.threads
    other, killed = stack.info(1)["pid"], psutil.Process(stack.info(0)["pid"])
    # Never the same URL twice (value_min below every value changes nothing but the URL).
    sorts = ("id", "-value", "published", "source,period")
    urls = [f"/api/v1/figures?page_size={k % 500 + 1}&sort={sorts[k % 4]}&value_min=-{k}" for k in range(50_000)]
    try:
        with Load(stack.base, urls, clients=8) as load:
            time.sleep(1.0)
            killed_at = time.monotonic()
            stack.kill_instance(0)
            time.sleep(3.0)
        error_log = stack.nginx.error_log_text()
        survivor_ok = get(stack.base + "/health")[0] == 200
        # supervisord started the killed instance again, on its port; the other kept running.
        restarted, untouched = stack.info(0), stack.info(1)
        replica_ok = get(f"http://{HOST}:{stack.upstreams[0].port}/health")[0] == 200
        everything = stack_processes(stack)
    finally:
        stack.stop()
    assert not killed.is_running()
    assert restarted["statename"] == "RUNNING" and restarted["pid"] != killed.pid and replica_ok
    assert untouched["pid"] == other
    assert [p.pid for p in everything if p.is_running()] == []
    failed = [(began - killed_at, url, status) for began, url, status, _ in load.results if status != 200]
    after = [r for r in load.results if r[0] > killed_at + 0.5]
    print(f"{len(load.results)} requests, {len(after)} started 0.5 s after the kill; failed: {failed}")
    assert len(failed) <= in_flight_bound, failed
    assert [r for r in after if r[2] != 200] == []
    assert len(after) > 20 and survivor_ok
    assert len({r[1] for r in load.results}) == len(load.results)  # no URL twice: none answered from the cache
    assert f"127.0.0.1:{stack.upstreams[0].port}" in error_log  # nginx saw the instance fail


# ---- make serve ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["SIGTERM to make", "Ctrl-C"])
def test_make_serve_runs_the_stack_and_stops_every_process(db_path, tmp_path, how):
    db = tmp_path / "claims.db"
    shutil.copyfile(db_path, db)
    run_dir = tmp_path / "run"
    port = free_port()
    # -o: the set-up (virtualenv) is not what this tests, and make test has just done it.
    command = ["make", "--no-print-directory", "-o", ".venv/.runtime", "serve"]
    make = subprocess.Popen(
        [*command, f"PORT={port}", f"DB={db}", f"RUN_DIR={run_dir}", "INSTANCES=2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert make.poll() is None, make.stdout.read().decode()
            try:
                if get(f"http://{HOST}:{port}/health", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "make serve did not answer within 30 s"
            time.sleep(0.2)
        # make's recipe execs supervisord, which runs nginx (master, workers) and each gunicorn (master, workers).
        started = psutil.Process(make.pid).children(recursive=True)
        names = sorted({p.name() for p in started})
        assert any(arg.endswith("/supervisord") for p in started for arg in p.cmdline()[:2]), names
        masters = [p for p in started if "--bind" in p.cmdline() and p.parent().name() != p.name()]
        assert len(masters) == 2 and all(p.children() for p in masters), names
        assert get(f"http://{HOST}:{port}/api/v1/figures")[0] == 200
        if how == "SIGTERM to make":  # and `make rollout` from another shell finds it and rolls a build out
            variant = tmp_path / "variant.db"
            new_id = build_variant(variant, tmp_path / "variant")
            rollout = ["make", "--no-print-directory", "-o", ".venv/.runtime", "rollout", f"DB={variant}"]
            rolled = subprocess.run(
                [*rollout, f"RUN_DIR={run_dir}"], cwd=ROOT, capture_output=True, text=True, timeout=60
            )
            assert rolled.returncode == 0, rolled.stdout + rolled.stderr
            assert orjson.loads(get(f"http://{HOST}:{port}/health")[2])["build_id"] == new_id
            assert f'"{new_id}"' in (run_dir / "build.conf").read_text()  # the cache key's new prefix
            # gunicorn's HUP: new workers, the same masters.
            assert all(m.is_running() for m in masters)
        if how == "Ctrl-C":
            os.killpg(make.pid, signal.SIGINT)  # what the terminal does: the whole foreground group
        else:
            make.send_signal(signal.SIGTERM)
        make.wait(timeout=40)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
        everything = locals().get("started", [])
        for process in psutil.wait_procs(everything, timeout=1)[1]:
            process.kill()  # make was killed: what it started cannot be left running
        shutil.rmtree(default_cache_dir(run_dir), ignore_errors=True)  # in memory, outside the run directory
        with make.stdout:
            output = make.stdout.read().decode()
    assert "received SIG" in output and "stopped: nginx" in output, output
    assert [p for p in everything if p.is_running()] == [], output
    with pytest.raises(OSError):
        get(f"http://{HOST}:{port}/health", timeout=1)


# ---- a real host: systemd units and the nginx environment ----------------------------------------------

SYSTEMD = ROOT / "deploy" / "systemd"


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    """The instance template and nginx's unit, with /opt/claimbase read as this checkout (so that the
    executables they name exist): no error and no warning."""
    assert shutil.which("systemd-analyze"), "systemd-analyze (Debian's systemd package) is needed to check the units"
    for unit in SYSTEMD.glob("*.service"):
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/claimbase", str(ROOT)))
    units = [str(tmp_path / "claimbase-nginx.service"), str(tmp_path / "claimbase@8001.service")]
    done = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    # A unit that names a missing executable fails: the check is real.
    bad = tmp_path / "claimbase-broken.service"
    bad.write_text(
        (tmp_path / "claimbase-nginx.service").read_text().replace("/usr/sbin/nginx ", "/usr/sbin/nginx-gone ")
    )
    assert subprocess.run(["systemd-analyze", "verify", str(bad)], capture_output=True, timeout=60).returncode != 0


def host_environment(tmp_path: Path) -> dict[str, str]:
    """deploy/systemd/nginx.env, its directories moved under ``tmp_path``."""
    env = {}
    for line in (SYSTEMD / "nginx.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = (
                value.strip('"').replace("/var/lib/claimbase", str(tmp_path)).replace("/var/cache", str(tmp_path))
            )
    return env


def test_the_host_environment_renders_a_config_nginx_accepts(tmp_path):
    env = host_environment(tmp_path)
    done = subprocess.run(
        [ROOT / "deploy" / "render-nginx"], env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    conf = (tmp_path / "nginx" / "nginx.conf").read_text()
    # Every name filled (the template's comments aside), nginx's own variables left alone.
    assert not re.search(r"^[^#]*\$\{NGINX_", conf, re.M) and "$build_id|$scheme" in conf
    assert "server 127.0.0.1:8002 max_fails=1 fail_timeout=2s;" in conf and "listen 127.0.0.1:8080;" in conf
    del env["NGINX_LISTEN"]
    done = subprocess.run(
        [ROOT / "deploy" / "render-nginx"], env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True
    )
    assert done.returncode == 2 and "NGINX_LISTEN is not set" in done.stderr

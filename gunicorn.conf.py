"""gunicorn settings for serving Claimbase (see README: Deploying)."""

import multiprocessing
import os

bind = os.environ.get("CLAIMBASE_BIND", "127.0.0.1:8000")
# Work is CPU-bound (SQLite + JSON): one process per core, a few threads each
# to overlap I/O with slow clients.
workers = int(os.environ.get("CLAIMBASE_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("CLAIMBASE_THREADS", 4))
# gunicorn's gthread worker, dispatching a request to a thread only once its head has arrived whole,
# so that slow clients (slowloris) cannot hold the threads (see api/worker.py).
worker_class = "api.web.worker.HeadFirstThreadWorker"
timeout = 30
graceful_timeout = 10
keepalive = 5
# Bounds on what a client may send.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = None  # the app logs one structured line per request on stderr
errorlog = "-"
# No runtime control socket ($HOME/.gunicorn/gunicorn.ctl by default since gunicorn 25.1): nothing uses
# it, it is one more way in, and two servers on one machine would share its path.
control_socket_disable = True


# ---- what gunicorn itself answers (see README: Hardening) -------------------------------------------
# gunicorn 27 has no setting for either of these, so the two functions it uses are replaced here.


def _without_server_header():
    """Send no `Server: gunicorn` header (the software behind the API is nobody's business)."""
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "claimbase", False):
        return

    def headers_without_server(self):
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    headers_without_server.claimbase = True
    wsgi.Response.default_headers = headers_without_server


def _json_error_pages():
    """Answer requests gunicorn rejects itself (bad request line, URI over limit_request_line, too many
    or too large headers) as the API's problem documents (RFC 9457) with its security headers, not an HTML page."""
    from gunicorn import util

    if getattr(util.write_error, "claimbase", False):
        return

    def write_error(sock, status_int, reason, mesg):
        from api.web.errors import PROBLEM_JSON, problem_bytes
        from api.web.http import SECURITY_HEADERS

        body = problem_bytes(status_int, str(mesg))
        head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close", f"Content-Type: {PROBLEM_JSON}"]
        head += [f"Content-Length: {len(body)}", "Cache-Control: no-store"]
        head += [f"{name}: {value}" for name, value in SECURITY_HEADERS.items()]
        util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    write_error.claimbase = True
    util.write_error = write_error


_without_server_header()
_json_error_pages()

"""gunicorn's gthread worker, holding a thread only once a request head has arrived whole.

gunicorn 27's gthread worker hands a connection to a thread as soon as it is accepted (the thread
then waits up to 5 s for a first byte) and, once a byte arrives, reads the rest of the request head
with blocking reads. A client that sends its head a byte at a time (slowloris) keeps a thread for as
long as it likes, and a few dozen of them take every thread of every worker: normal requests wait.

This worker gathers the head without blocking: each time the socket is readable, a thread takes
what has arrived (non-blocking) and, until the blank line that ends the head is there, gives the
connection back to gunicorn's poller at once. The parser then reads the complete head from memory.
A head not complete within ``CLAIMBASE_HEAD_TIMEOUT`` seconds (default 10) of its first byte gets
a JSON 408 and the connection is closed; gunicorn's poller still closes connections that send
nothing for ``keepalive`` seconds. Connections are closed on the worker thread, not on the poller
(where gunicorn's lingering close would stall every other connection of the worker for up to 2 s
per client that does not close its side). Used by gunicorn.conf.py (``worker_class``).

Connections are shared fairly between the workers. Every worker polls the same listening socket and
the first to call accept() takes a new connection, so a burst of keep-alive clients can land on one
worker while the other sits idle (seen: all 16 connections of a benchmark on one of two workers,
40% of the throughput). Each worker publishes how many connections it holds in a small table shared by
the workers of one master; a worker holding two or more above the least busy one waits
``ACCEPT_DEFER`` seconds before accepting, and by then the other has usually taken the connection.
"""

import errno
import multiprocessing
import os
import select
import socket
import time
from multiprocessing.sharedctypes import RawArray

from gunicorn import util
from gunicorn.workers import gthread

HEAD_TIMEOUT = float(os.environ.get("CLAIMBASE_HEAD_TIMEOUT", "10"))
CLOSE_LINGER = 1.0  # seconds a closing connection waits for the client's FIN (gunicorn: 2, on its poller)
FIRST_WAIT = 0.05  # a new connection's request usually follows its handshake within microseconds
HEAD_ENDS = (b"\r\n\r\n", b"\n\n")
ABORT = object()  # _gather_head: the head took too long, a 408 was sent
ACCEPT_DEFER = 0.001  # seconds a worker busier than another waits before it accepts a connection
ACCEPT_SLACK = 2  # connections a worker may hold above the least busy one before it defers
SLOTS = 64  # workers of one master that the table of connection counts can hold
# Made when gunicorn's master imports this module (to find worker_class), so that every worker it
# forks shares them: (pid, connections) of each worker, and a lock for claiming a slot.
_LOAD = RawArray("q", 2 * SLOTS)
_LOAD_LOCK = multiprocessing.Lock()


def _json_408() -> bytes:
    from api.web.errors import PROBLEM_JSON, problem_bytes
    from api.web.http import SECURITY_HEADERS

    body = problem_bytes(408, f"The request head did not arrive within {HEAD_TIMEOUT:g} s.")
    head = ["HTTP/1.1 408 Request Timeout", "Connection: close", f"Content-Type: {PROBLEM_JSON}"]
    head += [f"Content-Length: {len(body)}", "Cache-Control: no-store"]
    head += [f"{name}: {value}" for name, value in SECURITY_HEADERS.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class HeadFirstThreadWorker(gthread.ThreadWorker):
    """A gthread worker that dispatches a request only once its head is complete (see the module doc)."""

    _slot = None

    @property
    def nr_conns(self) -> int:
        return self._nr_conns

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:
        # gthread counts its connections here; the other workers read the count from the table.
        self._nr_conns = value
        if self._slot is not None:
            _LOAD[2 * self._slot + 1] = value

    def init_process(self):
        pid = os.getpid()
        with _LOAD_LOCK:
            for slot in range(SLOTS):
                holder = _LOAD[2 * slot]
                if holder == 0 or holder == pid or not _alive(holder):
                    _LOAD[2 * slot], _LOAD[2 * slot + 1] = pid, self._nr_conns
                    self._slot = slot
                    break
        super().init_process()

    def accept(self, listener):
        if self._busier_than_another():
            time.sleep(ACCEPT_DEFER)  # the poller waits; the threads go on serving
        super().accept(listener)  # EAGAIN (handled there) if another worker took it meanwhile

    def _busier_than_another(self) -> bool:
        if self._slot is None:
            return False
        mine = self._nr_conns
        if mine < ACCEPT_SLACK:
            return False
        for slot in range(SLOTS):
            pid = _LOAD[2 * slot]
            if pid and slot != self._slot and _LOAD[2 * slot + 1] <= mine - ACCEPT_SLACK and _alive(pid):
                return True
        return False

    def handle(self, conn):
        state = self._gather_head(conn)
        if state is ABORT:
            util.close(conn.sock)  # no lingering for a client that was too slow already
            return False
        result = super().handle(conn) if state is True else state  # or _DEFER (to the poller), False (close)
        if result is False:
            # gunicorn closes on its poller thread, lingering up to 2 s for the client to close its side
            # (RFC 9112 9.6): a client that never does would stall every connection of this worker for
            # that long. Linger here, on this thread.
            util.close_graceful(conn.sock, timeout=CLOSE_LINGER)
        return result

    def finish_request(self, conn, fs):
        # A connection closed already (by handle() above) is only counted off: gunicorn's own would
        # close it again, fail on the closed socket, and count it off a second time in its error path
        # (the counts went negative, and with them the sharing of connections and the wait for open
        # connections at a graceful stop).
        if conn.sock.fileno() == -1:
            self.nr_conns -= 1
            return
        super().finish_request(conn, fs)

    def _head_limit(self) -> int:
        cfg = self.cfg
        return cfg.limit_request_line + 2 + cfg.limit_request_fields * (cfg.limit_request_field_size + 2) + 2

    def _gather_head(self, conn):
        """True when the head is complete (it waits in the parser's buffer), _DEFER to wait for more,
        False to close, ABORT to close at once."""
        if conn.is_http2 or self.cfg.is_ssl:
            return True  # not used here; gunicorn's own handling
        if not conn.initialized:
            if not conn.data_ready and not _readable(conn.sock, FIRST_WAIT):
                return gthread._DEFER  # nothing yet: wait in the poller, not in a thread
            conn.init()  # creates the parser; with no TLS and no h2c, it reads nothing
        unreader = conn.parser.unreader
        buffered = unreader.take_buffered()
        closed = False
        try:
            while True:
                chunk = conn.sock.recv(65536, socket.MSG_DONTWAIT)
                if not chunk:
                    closed = True
                    break
                buffered += chunk
                if len(buffered) > self._head_limit():
                    break
        except BlockingIOError:
            pass
        except OSError as exc:
            if exc.errno not in (errno.ECONNRESET, errno.ENOTCONN, errno.EPIPE):
                raise
            closed = True
        unreader.unread(buffered)
        if not buffered:
            conn.head_started = None
            return False if closed else gthread._DEFER
        if closed or any(end in buffered for end in HEAD_ENDS) or len(buffered) > self._head_limit():
            conn.head_started = None
            conn.data_ready = True
            return True  # the parser answers an incomplete or oversized head itself
        first_line_too_long = b"\n" not in buffered and len(buffered) > self.cfg.limit_request_line + 2
        if first_line_too_long:
            conn.data_ready = True
            return True  # let the parser answer 414 now
        started = getattr(conn, "head_started", None)
        if started is None:
            conn.head_started = started = time.monotonic()
        if time.monotonic() - started > HEAD_TIMEOUT:
            self.log.info("Request head from %s incomplete after %.0f s: 408", conn.client, HEAD_TIMEOUT)
            try:
                conn.sock.send(_json_408(), socket.MSG_DONTWAIT)
            except OSError:
                pass
            return ABORT
        conn.data_ready = False
        return gthread._DEFER


def _readable(sock, timeout: float) -> bool:
    try:
        ready, _, _ = select.select([sock], [], [], timeout)
    except (OSError, ValueError):
        return False
    return bool(ready)

"""Read-only SQLite connections, one per worker thread, reused across requests.

A connection is reopened when the database file is replaced (a new build is
renamed into place): requests already running finish on the old file, new
ones see the new build.
"""

import os
import sqlite3
import threading
import time
from urllib.request import pathname2url

from flask import current_app, g, has_app_context

_local = threading.local()


class DatabaseUnavailable(Exception):
    """The database file is missing or unreadable."""


class QueryTimeout(Exception):
    """A query ran past the configured time limit."""


def dict_rows():
    """A row factory making each row a dict, reading the column names once per statement, not once per row.

    One per connection (a connection serves one thread at a time): it keeps the last
    statement's description, and its names, while rows of that statement come.
    """
    last = [None, ()]

    def factory(cursor, row):
        description = cursor.description
        if description is not last[0]:
            last[:] = description, tuple(c[0] for c in description)
        return dict(zip(last[1], row, strict=False))

    return factory


def _progress_handler():
    deadline = getattr(_local, "deadline", None)
    return 1 if deadline is not None and time.monotonic() > deadline else 0


def connect(path: str) -> sqlite3.Connection:
    """Open ``path`` read-only (``mode=ro``, ``query_only``) with a query time limit."""
    uri = "file:" + pathname2url(os.path.abspath(path)) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.row_factory = dict_rows()
    conn.execute("PRAGMA query_only = ON")
    config = current_app.config if has_app_context() else {}
    # Each worker thread has its own page cache; memory-mapped reads would
    # count the pages a thread maps in the worker's resident memory too.
    conn.execute(f"PRAGMA cache_size = -{int(config.get('SQLITE_CACHE_MB', 8) * 1024)}")
    conn.execute(f"PRAGMA mmap_size = {int(config.get('SQLITE_MMAP_MB', 0) * (1 << 20))}")
    conn.set_progress_handler(_progress_handler, 5000)
    return conn


def get_db() -> sqlite3.Connection:
    """Return this thread's connection to the configured database."""
    if "db" in g:
        return g.db
    path = current_app.config["DATABASE"]
    try:
        st = os.stat(path)
    except OSError as exc:
        raise DatabaseUnavailable(f"database {path} not found") from exc
    key = (path, st.st_ino, st.st_mtime_ns, st.st_size)
    conn = getattr(_local, "conn", None)
    if conn is None or getattr(_local, "key", None) != key:
        if conn is not None:
            conn.close()
        _local.conn = conn = None
        try:
            conn = connect(path)
            _check_size(conn, path, st.st_size)
            rows = conn.execute("SELECT key, value FROM build_info").fetchall()
        except (sqlite3.Error, DatabaseUnavailable) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, DatabaseUnavailable):
                raise
            raise DatabaseUnavailable(f"database {path} cannot be read: {exc}") from exc
        _local.conn, _local.key = conn, key
        _local.info = {r["key"]: r["value"] for r in rows}
    extend_deadline()
    g.db = conn
    return conn


def _check_size(conn: sqlite3.Connection, path: str, size: int) -> None:
    """Refuse a file shorter than its header says (a truncated copy): SQLite would only notice on the missing pages."""
    page_size = conn.execute("PRAGMA page_size").fetchone()["page_size"]
    page_count = conn.execute("PRAGMA page_count").fetchone()["page_count"]
    if page_size * page_count > size:
        raise DatabaseUnavailable(
            f"database {path} is truncated: {size} bytes, its header says {page_count} pages of {page_size}"
        )


def extend_deadline() -> None:
    """Give this thread's queries ``QUERY_TIMEOUT_MS`` from now (0 means no limit).

    Called when a request first uses the database, and by streamed exports after each
    chunk they send, so that the limit bounds the work between two chunks, not the time
    the client takes to read the whole export.
    """
    timeout = current_app.config["QUERY_TIMEOUT_MS"]
    _local.deadline = time.monotonic() + timeout / 1000 if timeout else None


def close_db(exc=None):
    """Forget the request's handle; the thread keeps its connection."""
    g.pop("db", None)
    _local.deadline = None


def build_info() -> dict:
    """Return the build id, schema version and counts of the open database."""
    get_db()
    return _local.info


def init_app(app):
    app.teardown_appcontext(close_db)

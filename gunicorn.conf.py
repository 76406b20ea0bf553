"""gunicorn settings for serving Claimbase (see README: Deploying)."""

import multiprocessing
import os

bind = os.environ.get("CLAIMBASE_BIND", "127.0.0.1:8000")
# Work is CPU-bound (SQLite + JSON): one process per core, a few threads each
# to overlap I/O with slow clients.
workers = int(os.environ.get("CLAIMBASE_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("CLAIMBASE_THREADS", 4))
worker_class = "gthread"
timeout = 30
graceful_timeout = 10
keepalive = 5
# Bounds on what a client may send.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = None  # the app logs one structured line per request on stderr
errorlog = "-"

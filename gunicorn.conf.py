"""gunicorn settings for serving Claimbase (see README: Deploying).

Stock gunicorn, nothing replaced: `make run` serves with these alone on 127.0.0.1:8000; `make serve`
puts nginx in front of several instances (deploy/nginx.conf.template), and nginx then buffers slow
clients, enforces the request limits and answers what it rejects in the API's error shape.
"""

import multiprocessing
import os

bind = os.environ.get("CLAIMBASE_BIND", "127.0.0.1:8000")
# Work is CPU-bound (SQLite + JSON): one process per core, a few threads each to overlap I/O.
workers = int(os.environ.get("CLAIMBASE_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("CLAIMBASE_THREADS", 4))
worker_class = "gthread"
# One listening socket per worker, so the kernel spreads new connections between the workers rather
# than the first worker to wake taking a burst of them (measured: README, Deploying).
reuse_port = True
timeout = 30
graceful_timeout = 10
keepalive = 5
# Bounds on what a client may send. Behind nginx (CLAIMBASE_PROXIES set), nginx enforces the request
# limits and answers them itself in the API's error shape; gunicorn's own would only turn a request
# nginx accepted into one of gunicorn's HTML error pages, so they are opened up to their maximum.
behind_proxy = int(os.environ.get("CLAIMBASE_PROXIES", "0")) > 0
limit_request_line = 0 if behind_proxy else 8190
limit_request_fields = 32768 if behind_proxy else 100
limit_request_field_size = 0 if behind_proxy else 8190
accesslog = None  # the app logs one structured line per request on stderr
errorlog = "-"
# No runtime control socket ($HOME/.gunicorn/gunicorn.ctl by default since gunicorn 25.1): nothing uses
# it, it is one more way in, and two servers on one machine would share its path.
control_socket_disable = True

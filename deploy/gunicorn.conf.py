"""gunicorn settings for the portal (docs/operations.md → Deploying).

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py

Synchronous workers, one request at a time each (the worker model of docs/operations.md):
the portal's slow work (uploads' content checks, PDF rendering) is CPU-bound, so threads or
an event loop would not serve more; nginx in front buffers slow clients' requests and
responses, so a worker is never held by a slow network. Each setting can be overridden
from the environment (GUNICORN_*), e.g. in /etc/portal/portal.env.
"""

import multiprocessing
import os
import tempfile
from pathlib import Path

wsgi_app = "portal.wsgi:application"
# Only nginx on the same machine talks to the app server (TRUSTED_PROXY_COUNT=1 trusts it).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "sync"
# 2 x cores + 1: while one worker waits on PostgreSQL another computes.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
# An upload may take its content check (20 s, PORTAL_UPLOAD_CHECK_SECONDS) plus clamd's scan
# (30 s, CLAMD_TIMEOUT) before it is stored; a first download renders and signs a PDF (~1 s).
# Past this a worker is killed and restarted. nginx waits a little longer (proxy_read_timeout).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "90"))
graceful_timeout = 30  # on restart, requests in flight get this long to finish
# Recycle workers now and then, so that a slow leak in a library never grows for weeks.
max_requests = 2000
max_requests_jitter = 200
# Request lines and headers: gunicorn's defaults, stated (nginx has the same limits in front).
limit_request_line = 4094
limit_request_fields = 100
# The scheme comes from nginx's X-Forwarded-Proto (Django's SECURE_PROXY_SSL_HEADER); gunicorn
# believes forwarded headers from the local nginx only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "portal-web"
# Logs to standard output and error: journald keeps them (journalctl -u portal-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Workers start without the app loaded before the fork: `systemctl reload portal-web` (HUP)
# then starts new workers on the new code, and no database connection is shared across forks.
preload_app = False


# /metrics (portal.metrics) adds up every worker's counts with prometheus_client's multiprocess
# mode: each worker writes its counters to files in PROMETHEUS_MULTIPROC_DIR. The folder is
# emptied when gunicorn starts (counters start again from zero, as Prometheus expects after a
# restart); without PROMETHEUS_MULTIPROC_DIR in the environment gunicorn makes a fresh one in
# the (private) /tmp. A reload (HUP) keeps the folder and the counts.
def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        folder = tempfile.mkdtemp(prefix="portal-prometheus-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # the workers, forked later, inherit it
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

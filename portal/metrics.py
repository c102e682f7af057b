"""Prometheus metrics at /metrics (docs/operations.md → Metrics), for the monitoring network only.

Per request (MetricsMiddleware): `portal_http_requests_total{method,status}` and
`portal_http_request_duration_seconds{method}`. At each scrape, one aggregate query each:
`portal_tasks{state}` (django-tasks' database queue) and `portal_proposals{state}`; and
`portal_build_info{release,django,python}`.

Several gunicorn workers: each worker counts its own requests. With PROMETHEUS_MULTIPROC_DIR
set (deploy/gunicorn.conf.py sets it and empties it at start), prometheus_client writes the
counts to files in that folder and a scrape answered by any worker adds up all of them
(prometheus_client's multiprocess mode). Without it, a scrape sees only the worker that
answers it, so production must set it.

Who may scrape: the peer that connected (REMOTE_ADDR) and every address in X-Forwarded-For
must lie in PORTAL_METRICS_ALLOWED_CIDRS (default loopback only). A forged header can only make
a scrape fail, never pass: the peer is always judged, and a request that came through our
proxy from outside carries the outside address in the header.
"""

import ipaddress
import os
import platform
import time

import django
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "portal_http_requests", "HTTP requests answered, by method and status.", ["method", "status"]
)
# Buckets around the portal's own targets (docs/benchmarks.md: pages well under a second, a
# first PDF about one, an upload with its checks up to the 90 s worker timeout).
DURATION = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by method.",
    ["method"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 90),
)
# Methods outside this set are counted as "other", so a client cannot make up label values.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    """Early in MIDDLEWARE (after the request id): counts every response, errors included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(method, str(response.status_code)).inc()
        DURATION.labels(method).observe(time.monotonic() - started)
        return response


class DatabaseCollector:
    """Figures read at scrape time, one aggregate query each; a failing query is left out
    (the scrape still answers, and /readyz reports the database)."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from grants.models import Proposal

        for name, documentation, model, field in (
            (
                "portal_tasks",
                "Tasks in django-tasks' database queue, by state.",
                DBTaskResult,
                "status",
            ),
            ("portal_proposals", "Proposals, by state.", Proposal, "state"),
        ):
            try:
                family = _by_state(name, documentation, model, field)
            except DatabaseError:
                continue
            yield family
        build = GaugeMetricFamily(
            "portal_build_info",
            "The running release (always 1).",
            labels=["release", "django", "python"],
        )
        build.add_metric([_release(), django.get_version(), platform.python_version()], 1)
        yield build


def _by_state(name, documentation, model, field):
    family = GaugeMetricFamily(name, documentation, labels=["state"])
    rows = model.objects.order_by().values_list(field).annotate(n=Count("pk"))
    for state, count in sorted(rows):
        family.add_metric([state], count)
    return family


_release_name = None


def _release():
    global _release_name
    if _release_name is None:
        from portal.observability import release_name

        _release_name = getattr(settings, "SENTRY_RELEASE", "") or release_name()
    return _release_name


_database_registry = CollectorRegistry(auto_describe=False)
_database_registry.register(DatabaseCollector())


def _networks():
    return [
        ipaddress.ip_network(cidr.strip(), strict=False)
        for cidr in settings.PORTAL_METRICS_ALLOWED_CIDRS
    ]


def _address(value):
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # ::ffff:127.0.0.1 is 127.0.0.1 (a dual-stack socket reports IPv4 peers so).
    return getattr(address, "ipv4_mapped", None) or address


def scrape_allowed(request):
    """Every address the request shows or claims is in the monitoring networks."""
    claimed = [request.META.get("REMOTE_ADDR") or ""]
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded.strip():
        claimed += forwarded.split(",")
    networks = _networks()
    for value in claimed:
        address = _address(value)
        if address is None or not any(address in network for network in networks):
            return False
    return True


def _process_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@never_cache
def metrics(request):
    """Prometheus' text format; 404 (not 403) outside the monitoring network, as if absent."""
    if not scrape_allowed(request):
        raise Http404
    body = generate_latest(_process_registry()) + generate_latest(_database_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)

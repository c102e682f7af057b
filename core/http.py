"""Small request helpers shared by the apps: who is asking, where they may be sent, how often."""

import datetime
import ipaddress
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The address of the person behind the request, for audit entries and rate limits.

    With `TRUSTED_PROXY_COUNT` = N proxies of ours in front of the portal (docs/operations.md),
    each appends the address it received the request from to X-Forwarded-For, so the N-th
    entry from the right was written by our first proxy: that is the client. Entries further
    left come from the client itself and are never used. With N = 0 the header is ignored and
    REMOTE_ADDR is the client. A header shorter than N (a request that skipped a proxy) holds
    only addresses our proxies wrote: its left-most entry is the nearest client we know.
    allauth's rate limits use this function too (researchers.adapters.AccountAdapter).
    """
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted > 0 and forwarded.strip():
        hops = forwarded.split(",")
        address = _valid_ip(hops[-min(trusted, len(hops))])
        if address:
            return address
    return _valid_ip(remote) if remote else None


def safe_next(request, target, default):
    """`target` when it is a path or URL on this site (same scheme rule as the request), else
    `default` (a URL name or path). Stops `?next=https://evil.example/` open redirects."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def rate_source(address):
    """An IPv6 client holds a whole /64 (as allauth counts them): count the network, not the
    address, or it could take a new one for every request."""
    if not address:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def rate_limited(request, scope):
    """Count one request of `scope` from this client; True once the client is over the limit
    `settings.PORTAL_RATE_LIMITS[scope]` = (requests, seconds) in the current window (a fixed
    window in the cache, shared by the app servers when CACHES is Redis). No entry, no limit."""
    rule = settings.PORTAL_RATE_LIMITS.get(scope)
    if not rule:
        return False
    limit, period = rule
    window = int(time.time() // period)
    key = f"portal:rl:{scope}:{rate_source(client_ip(request))}:{window}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        count = 1
    return count > limit


# -- when a request arrived ----------------------------------------------------------------------

# nginx's `proxy_set_header X-Request-Start "t=${msec}"` (deploy/nginx/portal.conf): seconds since
# the epoch with milliseconds. Only digits and one dot: anything else is not our proxy's.
_REQUEST_START = re.compile(r"^t=(\d{9,11}(?:\.\d{1,6})?)$")
# A proxy's clock may run a little ahead of the app server's (NTP keeps them within milliseconds).
ARRIVAL_CLOCK_SKEW = datetime.timedelta(seconds=1)


class ArrivalMiddleware:
    """Stamp every request with the moment it reached the portal, before any other middleware
    (and before it waits for a database lock), for `arrival_time`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.portal_arrived_at = timezone.now()
        return self.get_response(request)


def arrival_time(request):
    """The moment the person's request arrived, which decides a deadline (a dossier sent at
    23:59:59 was sent in time, however long the servers then take to answer it).

    Behind our own proxy (`TRUSTED_PROXY_COUNT` > 0), the time it wrote in X-Request-Start: the
    request may have queued there and in the WSGI server's backlog on the night a call closes.
    That time is believed only when it is plausible: no later than the portal's own stamp (plus
    a second of clock skew) and no earlier than `PORTAL_ARRIVAL_MAX_QUEUE` seconds before it (a
    request does not wait longer than the proxy's timeout). Otherwise, or with no proxy, the
    moment the request reached Django (`ArrivalMiddleware`); outside a request, now.
    """
    reached = getattr(request, "portal_arrived_at", None) or timezone.now()
    if settings.TRUSTED_PROXY_COUNT <= 0:
        return reached
    match = _REQUEST_START.match(request.META.get("HTTP_X_REQUEST_START", "").strip())
    if not match:
        return reached
    started = datetime.datetime.fromtimestamp(float(match.group(1)), tz=datetime.UTC)
    earliest = reached - datetime.timedelta(seconds=settings.PORTAL_ARRIVAL_MAX_QUEUE)
    if not earliest <= started <= reached + ARRIVAL_CLOCK_SKEW:
        return reached
    return min(started, reached)

"""Small request helpers shared by the apps: who is asking, where they may be sent, how often."""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import resolve_url
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

"""One counter in the cache that says which generation of the public figures is current.

Whoever caches figures computed from the data (`/stats/`, `/api/v1/stats/`, a dashboard) puts
`current()` in the cache key; `bump()` moves every such key out of use at once, so nobody has to
know which keys exist. `core.transitions.fire` bumps after each committed state change, and the
portal bumps when a published record (a call, a sector, a listing) is saved outside a transition.

The counter never expires. If the cache is unreachable, `current()` answers 0 (callers then
compute without caching) and `bump()` logs and gives up: the figures' own timeout bounds how
stale they may get.
"""

import logging

from django.core.cache import cache
from django.db import transaction

KEY = "figures:version"
logger = logging.getLogger(__name__)


def current():
    """The generation now in force (an integer ≥ 1; 0 when the cache cannot be read)."""
    try:
        version = cache.get(KEY)
        if version is None:
            cache.add(KEY, 1, timeout=None)
            version = cache.get(KEY, 1)
        return int(version)
    except Exception:  # the cache backend's own errors (Redis away): figures stay uncached
        logger.warning("figures version unreadable", exc_info=True)
        return 0


def bump():
    """Start a new generation: every figure cached under an older one is forgotten."""
    try:
        try:
            cache.incr(KEY)
        except ValueError:  # no counter yet (or it was evicted): any new value will do
            cache.add(KEY, 2, timeout=None)
    except Exception:
        logger.warning("figures version not bumped", exc_info=True)


def cached(name, compute, *, timeout, fresh=None):
    """`compute()` from the cache under `name` and the current generation, for at most `timeout`
    seconds (and while `fresh(copy)`, if given, holds); computed and stored when there is no
    such copy. The cache unreachable, computed each time."""
    version = current()
    if not version:
        return compute()
    key = f"{name}:v{version}"
    try:
        found = cache.get(key)
    except Exception:  # the cache backend's own errors (Redis away)
        logger.warning("cached figures unreadable: %s", name, exc_info=True)
        return compute()
    if found is not None and (fresh is None or fresh(found)):
        return found
    found = compute()
    try:
        cache.set(key, found, timeout)
    except Exception:
        logger.warning("figures not cached: %s", name, exc_info=True)
    return found


def bump_on_commit():
    """Bump once the current transaction commits (at once outside of one)."""
    transaction.on_commit(bump)

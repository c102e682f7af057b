"""The test settings with the limits on, for the app servers tests/portal/test_shared_cache.py
starts (REDIS_URL and DATABASE_URL come from the test)."""

from portal.settings.test import *  # noqa: F403

ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
PORTAL_RATE_LIMITS = {"api_anonymous": (3, 60)}

"""Tests: the database comes from DATABASE_URL (PostgreSQL under `make test`), SQLite otherwise."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
_tmp = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
MEDIA_ROOT = _tmp / "media"
PRIVATE_MEDIA_ROOT = _tmp / "private"
STATIC_ROOT = _tmp / "static"
STATIC_ROOT.mkdir()
WHITENOISE_USE_FINDERS = True
STORAGES["private"]["OPTIONS"]["location"] = str(PRIVATE_MEDIA_ROOT)
ACCOUNT_RATE_LIMITS = False
PORTAL_RATE_LIMITS = {}  # tests that check a limit turn it on with the settings fixture
PORTAL_BASE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"
# No virus scan unless a test starts its own clamd (tests/security/test_uploads.py).
CLAMD_SOCKET = CLAMD_HOST = ""

# The throwaway demo certificate (core.demo_signing), made per test run by seed_demo.
SIGNING_DEMO_DIR = _tmp / "signing"
SIGNING_PKCS12_PATH = ""
SIGNING_ALLOW_DEMO = True
if not SIGNING_PKCS12_PATH:
    from core.demo_signing import DEMO_PASSWORD, P12_NAME

    SIGNING_PKCS12_PATH = str(SIGNING_DEMO_DIR / P12_NAME)
    SIGNING_PKCS12_PASSWORD = DEMO_PASSWORD

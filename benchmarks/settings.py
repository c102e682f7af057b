"""Benchmark settings: production-like (DEBUG off, real middleware), plus the floor page."""

import tempfile

from portal.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "benchmark-only-not-secret"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "benchmarks.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
_tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))  # noqa: F405
MEDIA_ROOT = _tmp / "media"
PRIVATE_MEDIA_ROOT = _tmp / "private"
if not PORTAL_S3_BUCKET:  # noqa: F405 - on S3 (cluster.py), the servers' buckets as they are
    STORAGES["private"]["OPTIONS"]["location"] = str(PRIVATE_MEDIA_ROOT)  # noqa: F405
WHITENOISE_USE_FINDERS = True
WAGTAILADMIN_BASE_URL = "http://testserver"
STATIC_ROOT = _tmp / "static"
STATIC_ROOT.mkdir()

# The throwaway demo certificate (core.demo_signing, made by seed_demo), as in dev and tests.
SIGNING_DEMO_DIR = _tmp / "signing"
SIGNING_ALLOW_DEMO = True
from core.demo_signing import DEMO_PASSWORD, P12_NAME  # noqa: E402

SIGNING_PKCS12_PATH = str(SIGNING_DEMO_DIR / P12_NAME)
SIGNING_PKCS12_PASSWORD = DEMO_PASSWORD

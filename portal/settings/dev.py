"""Local development and `make run`: SQLite, mail printed to the console."""

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-9f2c6b1e4d7a"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
WHITENOISE_USE_FINDERS = True
# `make run` serves the demo with DEBUG off (the portal's own error pages); uploads still come
# from Django (portal/urls.py), static files from WhiteNoise's finders.
PORTAL_SERVE_MEDIA = True

# The throwaway demo certificate (core.demo_signing), unless the environment names a real one.
SIGNING_ALLOW_DEMO = True
if not SIGNING_PKCS12_PATH:
    from core.demo_signing import DEMO_PASSWORD, P12_NAME

    SIGNING_PKCS12_PATH = str(SIGNING_DEMO_DIR / P12_NAME)
    SIGNING_PKCS12_PASSWORD = DEMO_PASSWORD

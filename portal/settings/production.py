"""Production: PostgreSQL, secrets and hosts from the environment, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters."
    )
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names.")

# Several app servers and workers share one cache (rate limits, sessions, menus): issue 17.
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL must be set (redis://host:6379/0): the app servers share their cache, "
        "sessions and rate limits through Redis (docs/operations.md → Redis)."
    )

# Public pages for anonymous visitors, 15 s in the shared cache (core.page_cache): the call page
# and the catalogue are rendered once per 15 s the night a call closes, not once per visitor.
PORTAL_PUBLIC_PAGE_CACHE_SECONDS = int(env("PUBLIC_PAGE_CACHE_SECONDS", "15"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# Production logs are JSON lines (docs/operations.md → Logging); LOG_FORMAT=text overrides.
LOGGING["formatters"]["portal"] = LOG_FORMATTERS[env("LOG_FORMAT", "json")]  # noqa: F405
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
PORTAL_BASE_URL = env(
    "PORTAL_BASE_URL", env("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0]}")
)
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL

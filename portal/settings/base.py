"""Settings shared by every environment. Everything site-specific comes from the environment."""

import copy
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Our apps first so that their templates and translations take precedence.
    "core",
    "portal",
    "researchers",
    "cms",
    "grants",
    "projects",
    "transfer",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "core.http.ArrivalMiddleware",  # first: the moment a request arrived decides deadlines
    "portal.observability.RequestIdMiddleware",  # before anything logs (docs: Logging)
    "portal.metrics.MetricsMiddleware",  # counts every response (docs: Metrics)
    "django.middleware.security.SecurityMiddleware",
    "core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session's: a hit reads no session, no user, no row (docs/operations.md → Caching).
    "core.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cms.middleware.CachedSiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.security.PrivateCacheMiddleware",
    "portal.tokens.TokenCallAudit",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.StaffTwoFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Security headers on every response, in every environment (docs/operations.md → "Security
# headers"). HSTS is production-only. The policy: nothing inline, nothing from another origin.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Third-party pages that cannot live under that policy get a looser one by path prefix
# (core.security.ContentSecurityPolicyMiddleware); directives not named keep the policy above.
from csp.constants import NONCE  # noqa: E402  (beside its only use)

PORTAL_CSP_BY_PATH = {
    # Swagger UI (both languages): its page has one inline script, which carries the request's
    # nonce (templates/drf_spectacular/swagger_ui.html); the style nonce lets no inline style in.
    "/api/docs/": {"script-src": ["'self'", NONCE], "style-src": ["'self'", NONCE]},
    "/en/api/docs/": {"script-src": ["'self'", NONCE], "style-src": ["'self'", NONCE]},
    # Wagtail's admin writes inline <script> for its form widgets (date choosers, …) and inline
    # style attributes; it frames its own page previews. No 'unsafe-eval': it works without.
    "/admin/": {
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "frame-ancestors": ["'self'"],
    },
}
# Staff e-mail hashes are not sent to gravatar.com (and the admin's img-src stays 'self').
WAGTAIL_GRAVATAR_PROVIDER_URL = None

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Client-side cursors: one round trip less for small choice lists, and safe behind
    # PgBouncer in transaction pooling (docs/operations.md → scaling).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", True
    )
    # Django's psycopg connection pool (psycopg-pool), one per process, when
    # DATABASE_POOL_MAX_SIZE is set: connections are shared by the threads of a gthread worker
    # instead of one kept open per thread (docs/operations.md → "Sizing the app servers").
    _pool_size = int(env("DATABASE_POOL_MAX_SIZE", "0"))
    if _pool_size > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": _pool_size,
            "timeout": int(env("DATABASE_POOL_TIMEOUT", "10")),
        }

# -- Read replica (core/replica.py, docs/decisions/0015-read-replica.md) ---------------------
# DATABASE_REPLICA_URL: a streaming replica of DATABASE_URL. Only a visitor's public reads go
# there (never a read inside a transaction, after a write, or of a signed-in person); the tests'
# database mirrors `default`, and migrations run on `default` only.
# Where the replica is comes from its URL (and its own ?options, e.g. sslmode); how the portal
# uses a connection comes from the primary's: the same pool, persistent connections, health
# checks and client-side cursors, so each process's replica connections are bounded as well.
if env("DATABASE_REPLICA_URL", ""):
    _replica = dj_database_url.parse(env("DATABASE_REPLICA_URL"))
    DATABASES["replica"] = {
        **DATABASES["default"],
        **{key: _replica[key] for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")},
        "OPTIONS": {
            **copy.deepcopy(DATABASES["default"].get("OPTIONS", {})),
            **_replica.get("OPTIONS", {}),
        },
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "core.replica.PublicReadsMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's and allauth's backends, loading the signed-in user with their profile, roles and
# two-factor state in one query (researchers/backends.py).
AUTHENTICATION_BACKENDS = [
    "researchers.backends.ModelBackend",
    "researchers.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: e-mail only, verified before first use; no usernames (django-allauth).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_ADAPTER = "researchers.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "researchers.adapters.user_display"
ACCOUNT_FORMS = {"signup": "researchers.forms.SignupForm"}
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Sở KH&CN An Giang] "
# Failed sign-ins: 10 a minute from one address, and 5 in any 5 minutes for one account. The
# account limit is a sliding window that refused attempts do not extend: a stranger typing wrong
# passwords locks the account for 5 minutes at most after their 5th try, never for good.
# Failed sign-ins: 10 a minute per address; 5 in 5 minutes per account from one address (a
# stranger locks out only themselves: researchers.adapters); 100 an hour per account in all.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "100/h/key",
}
# Reverse proxies of ours in front of the app servers (docs/operations.md → Client addresses):
# the client is the N-th address from the right of X-Forwarded-For; 0 ignores that header.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# A deadline is judged at the moment a request arrived (core.http.arrival_time): behind our
# proxy, the X-Request-Start it writes, believed up to this many seconds before the request
# reached Django (the proxy's read timeout; deploy/nginx/portal.conf).
PORTAL_ARRIVAL_MAX_QUEUE = int(env("PORTAL_ARRIVAL_MAX_QUEUE", "120"))
# -- Shared cache and sessions (issue 17, docs/operations.md → Redis) ---------------------------
# REDIS_URL (redis://host:6379/0): the cache every app server and worker shares (menus, the site
# cache, allauth's and the portal's rate limits) and sessions in it in front of the database
# (docs/decisions/0016-sessions-in-redis.md). Without it: per-process memory, one process only.
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "portal"),
            "TIMEOUT": 300,
            # Redis away: a request fails within a second instead of hanging its worker.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Anonymous visitors' public pages are kept this many seconds in the shared cache
# (core.page_cache); 0 turns it off. Off by default, so that a page is always fresh while
# developing and in the tests; production sets 15.
PORTAL_PUBLIC_PAGE_CACHE_SECONDS = int(env("PUBLIC_PAGE_CACHE_SECONDS", "0"))
# The portal's own limits per client address (core.http.rate_limited): (requests, seconds).
# `api_anonymous`: the JSON API for callers not signed in (core.rest.AnonymousRateLimit).
PORTAL_RATE_LIMITS = {
    "receipt_verify": (20, 60),
    "document_verify": (10, 60),
    "api_anonymous": (int(env("API_ANONYMOUS_PER_MINUTE", "120")), 60),
}
# A form sent with a stale or missing CSRF token gets the portal's 403 page, explained.
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Sở KH&CN An Giang"
# Accept the code of the previous or next 30-second period too (RFC 6238 §5.2): a phone clock a
# few seconds off, or a code typed as the period turns, still works. Used codes stay refused.
MFA_TOTP_TOLERANCE = 1

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Applicants' files live outside the public media root and are served by permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# --- Object storage (issue 17; docs/operations.md → "Object storage") ---
# With PORTAL_S3_BUCKET set, public media and private files live on S3-compatible storage
# (several app servers see the same files); without it, on the local disk as above.
PORTAL_S3_BUCKET = env("PORTAL_S3_BUCKET", "")
if PORTAL_S3_BUCKET:
    from .object_storage import public_origin, s3_storages

    _s3 = {
        "bucket": PORTAL_S3_BUCKET,
        "endpoint_url": env("PORTAL_S3_ENDPOINT_URL", ""),
        "region": env("PORTAL_S3_REGION", "us-east-1"),
        "public_url": env("PORTAL_S3_PUBLIC_URL", ""),
    }
    if not env("PORTAL_S3_PRIVATE_BUCKET"):
        raise ImproperlyConfigured("PORTAL_S3_BUCKET needs PORTAL_S3_PRIVATE_BUCKET beside it.")
    STORAGES |= s3_storages(
        **_s3,
        private_bucket=env("PORTAL_S3_PRIVATE_BUCKET"),
        access_key=env("AWS_ACCESS_KEY_ID", ""),
        secret_key=env("AWS_SECRET_ACCESS_KEY", ""),
    )
    # Pages show public images from the bucket's origin.
    for _policy in (CONTENT_SECURITY_POLICY["DIRECTIVES"], PORTAL_CSP_BY_PATH["/admin/"]):
        _policy["img-src"] = [*_policy["img-src"], public_origin(**_s3)]
# What `manage.py backup` archives besides the database (staticfiles is rebuilt by collectstatic),
# where it writes, and PostgreSQL's tools (default: the server's version under /usr/lib/postgresql).
PORTAL_BACKUP_STORAGES = ["default", "private"]
PORTAL_BACKUP_DIR = Path(env("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
PORTAL_PG_BIN = env("PG_BIN", "")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Uploads are checked by their whole structure (core.files; docs/operations.md → Uploads).
PORTAL_MAX_UPLOAD_MB = int(env("PORTAL_MAX_UPLOAD_MB", "20"))
PORTAL_UPLOAD_MAX_UNZIPPED_MB = int(env("PORTAL_UPLOAD_MAX_UNZIPPED_MB", "100"))
PORTAL_UPLOAD_MAX_MEMBERS = 1000
PORTAL_UPLOAD_MAX_RATIO = 100
PORTAL_UPLOAD_MAX_PDF_PAGES = int(env("PORTAL_UPLOAD_MAX_PDF_PAGES", "2000"))
PORTAL_UPLOAD_MAX_PDF_OBJECTS = 500_000
PORTAL_UPLOAD_MAX_PIXELS = 40_000_000
PORTAL_UPLOAD_CHECK_SECONDS = 20
# The optional virus scan (core.scan): a clamd Unix socket, or host and port; none: no scan.
# Digital signatures on decisions and contracts (core.signing; docs/operations.md → "Digital
# signatures"): the Department's certificate and key as a PKCS#12 file, its password, and
# optionally a PEM file with the CA certificates its chain ends at. The demo certificate
# (core.demo_signing, written into SIGNING_DEMO_DIR by seed_demo) is refused unless
# SIGNING_ALLOW_DEMO, which only the dev and test settings turn on.
SIGNING_PKCS12_PATH = env("SIGNING_PKCS12_PATH", "")
SIGNING_PKCS12_PASSWORD = env("SIGNING_PKCS12_PASSWORD", "")
SIGNING_CA_PATH = env("SIGNING_CA_PATH", "")
SIGNING_ALLOW_DEMO = False
SIGNING_DEMO_DIR = Path(env("SIGNING_DEMO_DIR", str(BASE_DIR / "var" / "signing")))

CLAMD_SOCKET = env("CLAMD_SOCKET", "")
CLAMD_HOST = env("CLAMD_HOST", "")
CLAMD_PORT = int(env("CLAMD_PORT", "3310"))
CLAMD_TIMEOUT = int(env("CLAMD_TIMEOUT", "30"))

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (`make cluster-test`).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Sở KH&CN An Giang <no-reply@skhcn.angiang.gov.vn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {
    "default": {"BACKEND": env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}
}
# A task RUNNING longer than this was left by a worker that died: `manage.py
# requeue_stale_tasks` (cron) gives it back to the queue.
TASKS_STALE_AFTER_MINUTES = int(env("TASKS_STALE_AFTER_MINUTES", "30"))

# Webhooks (core.webhooks, docs/integrations.md): seconds a receiver has to answer, and whether
# endpoints on private, loopback or link-local addresses are refused (production may want it;
# the provincial platform may live on a private network, and the tests' receiver is 127.0.0.1).
WEBHOOK_TIMEOUT = float(env("WEBHOOK_TIMEOUT", "5"))
WEBHOOK_REFUSE_PRIVATE_ADDRESSES = env_bool("WEBHOOK_REFUSE_PRIVATE_ADDRESSES", False)
# `manage.py prune_webhook_deliveries` deletes sent and failed deliveries older than this.
WEBHOOK_DELIVERY_RETENTION_DAYS = int(env("WEBHOOK_DELIVERY_RETENTION_DAYS", "90"))

WAGTAIL_SITE_NAME = "Cổng Đổi mới sáng tạo An Giang"
# The address the portal is served at: links in e-mails and the receipt's QR code start with it.
# `make run PORT=8080` sets it to http://127.0.0.1:8080; WAGTAILADMIN_BASE_URL is the old name.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000"))
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx"]
WAGTAILIMAGES_EXTENSIONS = ["png", "jpg", "jpeg", "webp"]
# Every image carries its text alternative (the `description`, rendered as `alt`).
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.forms.AltTextImageForm"
# Pages go live once another officer approves them (cms.moderation, four-eyes).
WAGTAIL_FINISH_WORKFLOW_ACTION = "cms.moderation.publish_approved"
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_USAGE_COUNT_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
# Wagtail sends people to its /admin/login/, which portal.admin_signin hands to allauth (and
# answers 403 to someone signed in without access, who would otherwise loop via allauth).
WAGTAILADMIN_LOGIN_URL = "wagtailadmin_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"

# Roles that must use TOTP two-factor before they can use the portal (core.roles).
STAFF_ROLES_REQUIRING_MFA = ("officer", "manager")

# -- Observability (docs/operations.md → Logging, Sentry, Health checks) ----------------------
# Every log line carries the request's id (portal.observability). LOG_FORMAT=json writes one JSON
# object a line (production's default); "text" is for people reading a terminal.
LOG_FORMAT = env("LOG_FORMAT", "text")
LOG_FORMATTERS = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        "timestamp": False,
    },
}
if LOG_FORMAT not in LOG_FORMATTERS:
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.observability.RequestIdFilter"}},
    "formatters": {"portal": LOG_FORMATTERS[LOG_FORMAT]},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "portal",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Wagtail logs every page action and django-tasks every task run at INFO.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Django's own 4xx/5xx line repeats portal.access's (the traceback still goes to ERROR).
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
# One access line a request from Django (portal.access): status, duration, view, user id.
PORTAL_ACCESS_LOG = env_bool("PORTAL_ACCESS_LOG", True)
# /readyz fails when a task due this many minutes ago still waits for the worker.
PORTAL_WORKER_STALE_MINUTES = int(env("PORTAL_WORKER_STALE_MINUTES", "10"))
# Who may read /metrics (portal.metrics): networks, comma-separated. The peer and every
# X-Forwarded-For address must be inside one (docs/operations.md → Metrics).
PORTAL_METRICS_ALLOWED_CIDRS = [
    cidr.strip()
    for cidr in env("PORTAL_METRICS_ALLOWED_CIDRS", "127.0.0.1/32,::1/128").split(",")
    if cidr.strip()
]
for _cidr in PORTAL_METRICS_ALLOWED_CIDRS:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"PORTAL_METRICS_ALLOWED_CIDRS: {_cidr!r} is no network."
        ) from _error
# Sentry (portal.observability.init_sentry) only when a DSN is set; no personal data is sent.
SENTRY_DSN = env("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = env("SENTRY_RELEASE", "")
if SENTRY_DSN:
    from portal.observability import init_sentry, release_name

    init_sentry(
        SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=SENTRY_RELEASE or release_name()
    )

PORTAL_DEMO_PASSWORD = "AnGiang@2025"
PORTAL_DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"

# The JSON API (/api/v1/): the browser session for people, with CSRF on every change.
REST_FRAMEWORK = {
    # An integration token (`Authorization: Bearer …`, portal/tokens.py) or the web session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.rest.TokenScopePermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.rest.AnonymousRateLimit"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # `{"detail": …, "code": …}`, as the portal's own JSON errors under /api/ (portal/errors.py).
    "EXCEPTION_HANDLER": "portal.errors.api_exception_handler",
}
# The public reads take tokens only (core.rest.PublicAPIView): a session reads what a visitor does.
PORTAL_TOKEN_AUTHENTICATION = ["portal.tokens.TokenAuthentication"]
SPECTACULAR_SETTINGS = {
    "TITLE": "An Giang Innovation Portal API",
    "DESCRIPTION": (
        "Open data of the An Giang Innovation Portal (calls, funded projects, technologies, "
        "needs, figures) and, for signed-in users, their proposals and the workflow steps "
        "their role allows."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # A proposal's state is one type wherever it appears (a proposal's `state`, the feed's
    # `state` and the `from` / `to` of its history).
    "ENUM_NAME_OVERRIDES": {"StateEnum": "grants.models.ProposalState"},
    "PREPROCESSING_HOOKS": ["portal.api.portal_endpoints_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.document_errors",
    ],
    # Swagger UI and ReDoc are served by the portal itself: no CDN on a government network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Without deep links an operation's summary is one button, not a link inside a button
    # (axe: nested-interactive) on the portal's /api/docs/.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
}

# Personal-data requests (correction, deletion) are answered within this many days of receipt:
# Decree 356/2025/NĐ-CP under Law 91/2025/QH15 (see researchers.privacy.request_deadline).
PRIVACY_REQUEST_DAYS = int(env("PRIVACY_REQUEST_DAYS", "10"))

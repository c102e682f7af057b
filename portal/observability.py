"""Request ids, the access log line and Sentry (docs/operations.md → Logging).

Every request carries an id: the proxy's `X-Request-ID` when it is a sane token (nginx sends
its `$request_id`, 32 hex digits), else a new one. It is on the response header, on every log
line written while the request runs (a contextvar, so each gunicorn worker thread keeps its
own), in Sentry's tags and on the error pages, so a citizen can quote it.
"""

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings

request_id_var = contextvars.ContextVar("request_id", default="-")
_request_var = contextvars.ContextVar("request", default=None)

# Letters, digits and - _ . only, 8 to 64 long: a proxy's id, never arbitrary text for the logs.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

access_log = logging.getLogger("portal.access")


def sane_request_id(value):
    return value if value and _SANE_ID.fullmatch(value) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the request's id, method, path and user id on every record (never the e-mail)."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        request = _request_var.get()
        if request is not None:
            record.method = getattr(record, "method", request.method)
            record.path = getattr(record, "path", request.path)
            # Only a user already loaded: the filter never reads the session or the database.
            user = getattr(request, "_cached_user", None)
            record.user_id = user.pk if user is not None and user.is_authenticated else None
        return True


class RequestIdMiddleware:
    """First in MIDDLEWARE: the id exists before anything else logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = sane_request_id(request.META.get("HTTP_X_REQUEST_ID", ""))
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        request_token = _request_var.set(request)
        started = time.monotonic()
        try:
            _tag_sentry(request_id)
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if getattr(settings, "PORTAL_ACCESS_LOG", True):
                match = getattr(request, "resolver_match", None)
                access_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                        "view": match.view_name if match else "",
                    },
                )
            return response
        finally:
            _request_var.reset(request_token)
            request_id_var.reset(id_token)


def _tag_sentry(request_id):
    if not getattr(settings, "SENTRY_DSN", ""):
        return
    import sentry_sdk

    sentry_sdk.set_tag("request_id", request_id)


def init_sentry(dsn, *, environment, release):
    """sentry-sdk with the Django integration; no personal data (no e-mail, cookie or IP)."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), LoggingIntegration(event_level=None)],
        send_default_pii=False,
        environment=environment,
        release=release,
        traces_sample_rate=0.0,
    )


def _check(checks, name, probe):
    try:
        probe()
        checks[name] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        checks[name] = f"error: {exc.__class__.__name__}"


def _database():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    from django.core.cache import cache

    value = uuid.uuid4().hex
    cache.set("readyz:probe", value, 30)
    if cache.get("readyz:probe") != value:
        raise RuntimeError("cache round trip")


def _storage():
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    storage = storages["private"]
    name = storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with storage.open(name) as probe:
            if probe.read() != b"ok":
                raise RuntimeError("storage read back")
    finally:
        storage.delete(name)


class WorkerStalled(Exception):
    pass


def _worker():
    """The django-tasks db worker records no heartbeat of its own: it is stalled when a task
    due more than PORTAL_WORKER_STALE_MINUTES ago still waits (nothing picks the queue up)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    limit = timezone.now() - timedelta(minutes=settings.PORTAL_WORKER_STALE_MINUTES)
    if DBTaskResult.objects.filter(status="READY", run_after__lt=limit).exists():
        raise WorkerStalled


def readiness_checks():
    checks = {}
    for name, probe in (
        ("database", _database),
        ("cache", _cache),
        ("storage", _storage),
        ("worker", _worker),
    ):
        _check(checks, name, probe)
    return checks


def release_name():
    """The deployed commit (`git rev-parse`), else the package version from pyproject.toml."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, fixed args
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        if commit:
            return f"portal@{commit}"
    except (OSError, subprocess.SubprocessError):
        pass
    import tomllib

    with open(root / "pyproject.toml", "rb") as project:
        return f"portal@{tomllib.load(project)['project']['version']}"

"""The optional read replica (docs/decisions/0015-read-replica.md).

When `DATABASE_REPLICA_URL` is set, the settings add a `replica` database alias, this router and
`PublicReadsMiddleware`. Only a visitor's public page or API read goes to the replica: the
middleware marks an anonymous, safe-method request without credentials as replica-ok for its
own duration (a context variable), and the router sends a read there only while that mark
stands, no transaction is open and the request has written nothing. Everything else — every
write, every read inside `transaction.atomic` (so every read of a transition), every read after
a write in the same request, every signed-in person's request, the worker, the commands — uses
`default`, the primary. Migrations run on `default` only.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Pages a visitor reaches just after a write of their own (a sign-up's confirmation link, a
# password reset, the admin's sign-in), and the probes that must see the primary.
PRIMARY_ONLY_PREFIXES = ("/accounts/", "/admin/", "/django-admin/", "/healthz", "/readyz")


class _Mark:
    __slots__ = ("written",)

    def __init__(self):
        self.written = False


_mark = contextvars.ContextVar("replica_reads", default=None)


@contextmanager
def replica_reads():
    """Within this block, reads outside a transaction may go to the replica (until a write)."""
    token = _mark.set(_Mark())
    try:
        yield
    finally:
        _mark.reset(token)


def replica_ok():
    mark = _mark.get()
    return (
        mark is not None
        and not mark.written
        and REPLICA in settings.DATABASES
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    )


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # Always an answer: Django's fallback would follow the instance's own database, and an
        # object read from the replica must not pull its relations from there in a transition.
        return REPLICA if replica_ok() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        mark = _mark.get()
        if mark is not None:
            mark.written = True  # read your own write: the rest of the request reads the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _strip_language(path):
    language = path.split("/")[1] if path.count("/") > 1 else ""
    if language in {code for code, _name in settings.LANGUAGES}:
        return path[len(language) + 1 :]
    return path


def is_public_read(request):
    """An anonymous visitor's safe request with no credentials, outside the account pages."""
    if request.method not in SAFE_METHODS or "HTTP_AUTHORIZATION" in request.META:
        return False
    if _strip_language(request.path).startswith(PRIMARY_ONLY_PREFIXES):
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class PublicReadsMiddleware:
    """After AuthenticationMiddleware: lets a visitor's public read use the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public_read(request):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)

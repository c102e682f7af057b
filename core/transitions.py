"""The one shape of every state change, shared by `grants.workflow` and `transfer.workflow`.

In one transaction: lock the row, check the role, the state and the conditions, apply the
change, fire the django-fsm transition, save, and let the caller write its audit entry and
queue its notice. A missing role is PermissionDenied, a stale state the caller's conflict error,
unmet conditions GuardFailed (messages per field)."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from core import figures_version

BUSY = _(
    "Someone else was changing this record at the same moment, so this action was not applied. "
    "Reload the page to see where it stands."
)


class WorkflowError(Exception):
    pass


class GuardFailed(WorkflowError):
    """The transition's conditions are not met; `errors` maps field names to messages."""

    def __init__(self, errors):
        self.errors = {key: [str(m) for m in msgs] for key, msgs in errors.items()}
        super().__init__(" ".join(m for msgs in self.errors.values() for m in msgs))


def required(value, key, message):
    """A guard's error when a text the step needs (a reason, a note) is empty."""
    return {} if (value or "").strip() else {key: [message]}


def fire(rows, pk, name, *, allowed, denied, conflict, guard=None, apply=None, record=None):
    """Move the row `pk` of the queryset `rows` by its transition method `name`.

    `allowed(locked)` → bool (else PermissionDenied(denied)); `conflict(locked)` → the exception
    for a state the transition does not start from; `guard(locked)` → {field: [messages]};
    `apply(locked)` changes fields before the transition and may return data for the record;
    `record(locked, source, data)` writes the audit entry and queues notices (on commit).
    Returns the saved, locked row.

    A lock that cannot be had (SQLite's "database is locked" while another request writes;
    PostgreSQL's lock timeout) is the same conflict, with a message saying so: the other
    request goes first, this one changes nothing."""
    locked = None
    try:
        with transaction.atomic():
            locked = rows.select_for_update(of=("self",)).get(pk=pk)
            if not allowed(locked):
                raise PermissionDenied(denied)
            if not can_proceed(getattr(locked, name)):
                raise conflict(locked)
            errors = guard(locked) if guard else {}
            if errors:
                raise GuardFailed(errors)
            source = locked.state
            data = apply(locked) if apply else None
            getattr(locked, name)()
            locked.save()
            if record:
                record(locked, source, data)
            # The public figures count states: forget the cached ones once this commits.
            figures_version.bump_on_commit()
    except OperationalError as error:
        if not is_lock_wait(error):
            raise
        busy = conflict(locked if locked is not None else rows.model(pk=pk))
        busy.args = (str(BUSY),)
        raise busy from error
    return locked


def is_lock_wait(error):
    """Whether a database error means "another transaction holds the lock" (not a bug)."""
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return (
        sqlstate == "55P03" or "database is locked" in str(error) or "table is locked" in str(error)
    )

"""The shape every step of a funded task's execution shares, and the helpers they share.

Each step takes the record, the acting user and the request's IP, and then, inside one
transaction with the row locked: checks the role (PermissionDenied), the state (StateConflict),
the guard (GuardFailed with messages by field), applies the change, writes the append-only
`ProjectEntry` the proposal's timeline shows (`trail`), and queues its notice once the transaction
commits. The proposal's own transitions (funded → in_progress …) are fired through
`grants.workflow`.

The steps themselves live by concept, for views, the API and commands alike:
`projects.contracts` (prepare and sign the contract), `projects.tranches` (release the funds),
`projects.reports` (progress reports), `projects.changes` (extension, reallocation, new
investigator), `projects.schedule` (report periods and how an extension moves the calendar),
`projects.inspection`, `projects.acceptance` (the dossier), `projects.council` (the acceptance
council), `projects.verdict`, `projects.registration`.
"""

import calendar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import roles
from core.transitions import GuardFailed, WorkflowError
from grants.workflow import current_time, replaying
from projects.models import ProjectEntry

__all__ = ["GuardFailed", "StateConflict", "WorkflowError"]


class StateConflict(WorkflowError):
    """The record has moved on (another officer acted first): nothing was applied."""


def add_months(day, months):
    """The same day `months` later (the last day of a shorter month): 31/01 + 1 → 28/02."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def notice_on_commit(task, *args):
    """Enqueue the notice `task(*args)` once the step's transaction commits; nobody is e-mailed
    while the demo's history is replayed (`grants.workflow.clock`)."""
    if replaying():
        return
    transaction.on_commit(lambda: task.enqueue(*args))


def trail(proposal, action, *, by, ip=None, record="", source="", target="", comment="", data=None):
    """Write the project's append-only trail entry (call it inside the step's transaction).
    `record` is a short label ("report 2", a member's name): cut to the column's length so that
    a long name never fails a step (PostgreSQL refuses what SQLite would store); the full
    identities are in `data` and `actor`."""
    limit = ProjectEntry._meta.get_field("record").max_length
    return ProjectEntry.objects.create(
        proposal_id=getattr(proposal, "pk", proposal), action=action, record=str(record)[:limit],
        source=source, target=target, actor=by, ip=ip or None, comment=comment,
        data=data or {}, at=current_time(),
    )  # fmt: skip


def require_officer(user, proposal=None):
    """An officer of the Department, and — for a step on a proposal — one who takes no part in
    it (not the applicant, on the team or of the host: `grants.rules.is_officer`)."""
    from grants import rules as grants_rules

    if not roles.has_role(user, roles.OFFICER):
        raise PermissionDenied(_("Only an officer of the Department may do this."))
    if proposal is not None and not grants_rules.is_officer(proposal, user):
        raise PermissionDenied(_("You take part in this proposal: another officer does this."))


def local_date(moment):
    """The day of `moment` in An Giang's calendar (None stays None)."""
    return timezone.localdate(moment) if moment else None


def local_today():
    """Today in An Giang's calendar, by the clock the workflow uses (`current_time`)."""
    return timezone.localdate(current_time())


def format_day(value):
    """A date as Vietnamese documents write it: 31/12/2027."""
    return value.strftime("%d/%m/%Y")

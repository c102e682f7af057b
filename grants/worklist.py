"""What waits for the Department in the officers' queue: named filters over the dossiers
(`/proposals/?todo=<key>`), the same ones the officer's dashboard counts, and the queue's
default order (work first, oldest first).

Each filter is `queryset -> queryset` with a fixed number of subqueries, whatever the number of
dossiers. grants knows no app built on it, so an app with its own steps on a dossier (projects:
the result registration) adds a filter with `register` from an `AppConfig.ready()`.
"""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import Ballot, ProposalState, ReviewAssignment

S = ProposalState
Status = ReviewAssignment.Status


@dataclass(frozen=True)
class Todo:
    key: str
    label: str  # what the queue's heading says about these rows
    apply: object  # callable(queryset, now) -> queryset


def _seats_taken():
    """The seats of a dossier's council not declined (invited or accepted)."""
    return (
        ReviewAssignment.objects.filter(proposal=OuterRef("pk"))
        .exclude(status=Status.DECLINED)
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )


def waiting_for_council(proposals, now=None):
    """Eligible dossiers nobody has been invited to score yet (declined seats do not count)."""
    seats = ReviewAssignment.objects.filter(proposal=OuterRef("pk")).exclude(status=Status.DECLINED)
    return proposals.filter(state=S.ELIGIBLE).exclude(Exists(seats))


def council_short(proposals, now=None):
    """Eligible dossiers whose council has begun but holds fewer seats (invited or accepted)
    than the call's council size: a seat is missing or a member declined."""
    return (
        proposals.filter(state=S.ELIGIBLE)
        .annotate(seats_taken=Subquery(_seats_taken()))
        .filter(seats_taken__gt=0, seats_taken__lt=F("call__min_reviewers"))
    )


def ready_to_close(proposals, now=None):
    """Reviews whose every accepted member has submitted a ballot (the guard of
    `complete_review`): the officer closes them, or reads why the automatic close refused."""
    voted = Ballot.objects.filter(
        proposal=OuterRef("proposal"), reviewer=OuterRef("reviewer"), submitted_at__isnull=False
    )
    accepted = ReviewAssignment.objects.filter(proposal=OuterRef("pk"), status=Status.ACCEPTED)
    return proposals.filter(state=S.UNDER_REVIEW).filter(
        Exists(accepted), ~Exists(accepted.exclude(Exists(voted)))
    )


def appraisal_to_record(proposals, now=None):
    """Reviewed dossiers that passed the council and have no budget appraisal yet."""
    return proposals.filter(state=S.REVIEWED, passed=True, appraised_amount__isnull=True)


def decision_waiting(proposals, now=None):
    """Reviewed dossiers a manager can decide now: passed and appraised (fund or reject), or
    failed (reject)."""
    return proposals.filter(state=S.REVIEWED).filter(
        Q(passed=True, appraised_amount__isnull=False) | Q(passed=False)
    )


def returned_late(proposals, now=None):
    """Returned dossiers whose revision deadline has passed without a resubmission (the
    applicant may resubmit up to the deadline itself)."""
    now = now or timezone.now()
    return proposals.filter(state=S.RETURNED, revision_deadline__lt=now)


_todos = {}


def register(key, label, apply):
    """Add a named filter of the queue (idempotent: `ready()` may run twice in tests)."""
    _todos[key] = Todo(key, label, apply)


for _key, _label, _apply in (
    ("council", _("Dossiers waiting for a council"), waiting_for_council),
    ("short", _("Councils short of members"), council_short),
    ("close", _("Reviews ready to close"), ready_to_close),
    ("appraisal", _("Budget appraisals to record"), appraisal_to_record),
    ("decision", _("Decisions waiting for a manager"), decision_waiting),
    ("late", _("Returned dossiers past their revision deadline"), returned_late),
):
    register(_key, _label, _apply)


def todos():
    """Every named filter, in the order the dashboard lists them."""
    return list(_todos.values())


def todo(key):
    return _todos.get(key)


def counts(proposals, now=None):
    """{key: number of dossiers} for every named filter: one COUNT per filter."""
    now = now or timezone.now()
    return {item.key: item.apply(proposals, now).count() for item in _todos.values()}


# -- the queue's default order --------------------------------------------------------------------


def work_first(proposals):
    """The queue's default order: work first (`Proposal.work_rank`, see WORK_FIRST), and within
    it the oldest submission first; an index serves it (ascending puts NULLs last, as here)."""
    return proposals.order_by("work_rank", F("submitted_at").asc(nulls_last=True), "pk")

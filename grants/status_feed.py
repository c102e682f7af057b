"""The dossier-status feed (issue 15, /api/v1/dossier-status/): every received dossier with its
state, the date its decision is expected, and its state changes — read from the transition
audit (`AuditEntry`) the workflow writes, without the comments or who made them.

The expected decision date is the portal's commitment, not a date the law sets: the steps after
the call closes (DOMAIN.md, "The life of a task", steps 3–8: screening, the council with its
documents sent 7 working days before, the host's revision within 20 days, the budget appraisal
and a second revision within 15 days, then the decision) fit in `DECISION_WITHIN_DAYS` calendar
days after the call's closing date (Asia/Ho_Chi_Minh). A dossier that ended before any decision
(withdrawn, ineligible) expects none."""

import datetime

from django.db.models import Max, Prefetch
from django.utils import timezone

from grants.models import AuditEntry, Proposal, ProposalState

DECISION_WITHIN_DAYS = 90

# States in which no funding decision will ever come (the dossier left the selection before it).
ENDED_BEFORE_DECISION = (ProposalState.WITHDRAWN, ProposalState.INELIGIBLE)


def expected_decision_date(proposal):
    """The date by which the Department means to decide on the dossier (see the module's
    docstring), or None when no decision will come."""
    if proposal.state in ENDED_BEFORE_DECISION and not proposal.decided_at:
        return None
    closes = timezone.localdate(proposal.call.closes_at)
    return closes + datetime.timedelta(days=DECISION_WITHIN_DAYS)


def state_changes():
    """The audit entries that are state changes, oldest first, only the columns the feed shows
    (never `comment`, `actor`, `ip` or `data`)."""
    return AuditEntry.objects.only("proposal", "transition", "source", "target", "at").order_by(
        "at", "pk"
    )


def received_dossiers(*, owner=None, updated_since=None, call=None, receipt=None):
    """Received dossiers (a receipt number: never drafts), the ones whose state changed least
    recently first (`status_changed_at`, then id: a stable order to page through), with their
    history prefetched in one query whatever the page size.

    `updated_since`: only dossiers with a state change at or after that moment (inclusive, so a
    client that passes the last `status_changed_at` it saw misses nothing). `call`: a call code.
    `owner`: only that applicant's dossiers."""
    dossiers = (
        Proposal.objects.filter(receipt_number__isnull=False)
        .select_related("call")
        .only(
            "pk",
            "receipt_number",
            "state",
            "submitted_at",
            "decided_at",
            "updated_at",
            "call__code",
            "call__closes_at",
        )  # fmt: skip
        .annotate(status_changed_at=Max("audit_entries__at"))
        .prefetch_related(Prefetch("audit_entries", queryset=state_changes(), to_attr="history"))
    )
    if owner is not None:
        dossiers = dossiers.filter(owner=owner)
    if call:
        dossiers = dossiers.filter(call__code=call.strip().upper())
    if receipt:
        dossiers = dossiers.filter(receipt_number=receipt.strip().upper())
    if updated_since is not None:
        dossiers = dossiers.filter(status_changed_at__gte=updated_since)
    return dossiers.order_by("status_changed_at", "pk")


def received_at(proposal):
    """When the dossier was first received: its first `submit` (a resubmission after a return
    moves `submitted_at`, not the date of receipt)."""
    for entry in getattr(proposal, "history", ()):
        if entry.transition == "submit":
            return entry.at
    return proposal.submitted_at

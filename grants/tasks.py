"""Notifications of the proposal workflow, sent by the task worker (immediately in dev and tests)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django_tasks import task

from core import roles
from core.mail import send_templated

# Who hears about each transition besides the record itself.
TO_OWNER = {
    "submit",
    "return_for_revision",
    "mark_eligible",
    "mark_ineligible",
    "fund",
    "reject",
    "sign_contract",
    "accept_results",
    "terminate",
    "mark_transferred",
}
TO_OFFICERS = {"submit", "withdraw"}


def officer_emails():
    users = get_user_model().objects.filter(groups__name=roles.OFFICER, is_active=True)
    return sorted(set(users.values_list("email", flat=True)) - {""})


@task()
def notify_transition(entry_id):
    """The e-mails of one fired transition, once: the task runs at least once (a worker killed
    mid-task has its task requeued by `manage.py requeue_stale_tasks`), and the TransitionNotice
    written in the transaction that sends makes a second run send nothing. A run that died
    before its commit left no notice and the next one sends; only a death between the mail
    server taking the message and the commit sends it twice."""
    from grants.documents import receipt_document
    from grants.models import AuditEntry, TransitionNotice

    entry = AuditEntry.objects.select_related("proposal__call", "proposal__owner", "actor").get(
        pk=entry_id
    )
    if TransitionNotice.objects.filter(entry=entry).exists():
        return 0
    proposal = entry.proposal
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    to_owner = entry.transition in TO_OWNER and proposal.owner.email
    attachments = []
    if to_owner and entry.transition == "submit":
        name = f"bien-nhan-{proposal.receipt_number}.pdf"
        # The receipt is rendered here, once, and stored: the download serves these bytes
        # (stored before the notice's transaction: a second run reuses it).
        with translation.override(settings.LANGUAGE_CODE):
            attachments.append((name, receipt_document(proposal), "application/pdf"))
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        # A second worker on the same entry waits here for the first one's commit (the unique
        # key), then finds the notice and sends nothing.
        _notice, first = TransitionNotice.objects.get_or_create(entry=entry)
        if not first:
            return 0
        context = {
            "entry": entry,
            "proposal": proposal,
            "link": base + proposal.get_absolute_url(),
            "state": proposal.get_state_display(),
        }
        sent = 0
        if to_owner:
            send_templated("grants/email/owner", context, [proposal.owner.email], attachments)
            sent += 1
        # A draft withdrawn before it was ever submitted concerns nobody at the Department.
        if entry.transition in TO_OFFICERS and (
            entry.transition == "submit" or entry.source != "draft"
        ):
            recipients = officer_emails()
            if recipients:
                send_templated("grants/email/officer", context, recipients)
                sent += 1
    return sent


@task()
def notify_review(assignment_id, event):
    """A reviewer invited onto a council; an officer told that a seat was declined."""
    from grants.models import ReviewAssignment

    assignment = ReviewAssignment.objects.select_related("proposal__call", "reviewer__profile").get(
        pk=assignment_id
    )
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {"assignment": assignment, "proposal": assignment.proposal, "base": base}
        to = [assignment.reviewer.email] if event == "invited" else officer_emails()
        if to:
            send_templated(f"grants/email/review_{event}", context, to)
    return len(to)

"""Notices of a running task's reports, sent by the task worker (immediately in dev and tests)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from core.mail import send_templated

# Who hears about each step of a report: the officers when it arrives, the investigator when
# the Department has decided on it.
TO_OFFICERS = {"submit"}
TO_INVESTIGATOR = {"accept", "return_report"}


def _officer_emails():
    from grants.tasks import officer_emails

    return officer_emails()


def _context(report):
    proposal = report.contract.proposal
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return {
        "report": report,
        "proposal": proposal,
        "investigator": proposal.owner,
        "link": base + reverse("project_report", args=[proposal.pk, report.number]),
    }


@task()
def notify_report(report_id, event):
    """Tell the officers that a report was submitted, or the investigator how it was decided."""
    from projects.models import ProgressReport

    report = ProgressReport.objects.select_related(
        "contract__proposal__owner__profile", "decided_by"
    ).get(pk=report_id)
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(report) | {"event": event}
        if event in TO_OFFICERS:
            to = _officer_emails()
        elif event in TO_INVESTIGATOR:
            to = (
                [report.contract.proposal.owner.email]
                if report.contract.proposal.owner.email
                else []
            )
        else:
            to = []
        if to:
            send_templated("projects/email/report", context, to)
    return len(to)


@task()
def remind_overdue_reports(today=None):
    """Once a day: e-mail the investigator and the officers about each report of a running task
    past its due date and not yet submitted. `overdue_notified_on` is set in the same
    conditional update that claims the report, so a second run the same day (or two workers at
    once) sends nothing more; the next day it goes out again. `today`: "YYYY-MM-DD" (tests)."""
    from projects.models import ProgressReport
    from projects.reporting import overdue_queryset

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    officers = _officer_emails()
    sent = 0
    due = (
        overdue_queryset(day)
        .exclude(overdue_notified_on=day)
        .select_related("contract__proposal__owner__profile")
        .order_by("due_on", "pk")
    )
    for report in due:
        with transaction.atomic():
            claimed = (
                ProgressReport.objects.filter(pk=report.pk)
                .exclude(overdue_notified_on=day)
                .update(overdue_notified_on=day)
            )
            if not claimed:
                continue
            owner = report.contract.proposal.owner
            to = sorted({owner.email, *officers} - {""})
            if not to:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                context = _context(report) | {"today": day, "days": (day - report.due_on).days}
                send_templated("projects/email/report_overdue", context, to)
            sent += 1
    return sent

"""E-mail council members whose ballot is due soon or overdue (run daily: cron or the worker).

manage.py remind_reviewers            # due within 3 days, or overdue
manage.py remind_reviewers --days 1
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from core.mail import send_templated
from grants.models import Ballot, ReviewAssignment


class Command(BaseCommand):
    help = "Remind council members of ballots due soon or overdue."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args, days, **options):
        now = timezone.now()
        due = (
            ReviewAssignment.objects.filter(
                status__in=[ReviewAssignment.Status.INVITED, ReviewAssignment.Status.ACCEPTED],
                proposal__state__in=["eligible", "under_review"],
                due_at__lte=now + datetime.timedelta(days=days),
            )
            .exclude(
                Exists(
                    Ballot.objects.filter(
                        proposal=OuterRef("proposal"),
                        reviewer=OuterRef("reviewer"),
                        submitted_at__isnull=False,
                    )
                )
            )
            .select_related("reviewer__profile", "proposal__call")
            .order_by("reviewer_id", "due_at")
        )
        by_reviewer = {}
        for assignment in due:
            by_reviewer.setdefault(assignment.reviewer, []).append(assignment)
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        with translation.override(settings.LANGUAGE_CODE):
            for reviewer, assignments in by_reviewer.items():
                context = {
                    "reviewer": reviewer,
                    "assignments": assignments,
                    "now": now,
                    "base": base,
                }
                send_templated("grants/email/reminder", context, [reviewer.email])
        self.stdout.write(f"{len(by_reviewer)} reminders sent")

"""Fire a proposal transition from the command line, through grants.workflow like the pages.

    manage.py proposal_transition 42 mark_eligible --as officer@example.org
    manage.py proposal_transition 42 return_for_revision --as officer@example.org \\
        --comment "Bổ sung báo giá" --deadline "2026-12-10 17:00"
    manage.py proposal_transition 42 mark_transferred            # the system itself
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grants import workflow
from grants.models import Proposal


class Command(BaseCommand):
    help = "Fire a transition of DESIGN.md's table on one proposal."

    def add_arguments(self, parser):
        parser.add_argument("proposal", type=int)
        parser.add_argument("transition", choices=sorted(workflow.FUNCTIONS))
        parser.add_argument("--as", dest="email", help="the acting user (omit for the system)")
        parser.add_argument("--comment", default="")
        parser.add_argument("--deadline", help="revision deadline, YYYY-MM-DD HH:MM in An Giang")
        parser.add_argument("--amount", type=int, help="approved amount in VND")

    def handle(self, *args, proposal, transition, email, comment, deadline, amount, **options):
        try:
            record = Proposal.objects.get(pk=proposal)
        except Proposal.DoesNotExist as error:
            raise CommandError(f"No proposal {proposal}.") from error
        user = None
        if email:
            user = get_user_model().objects.filter(email=email, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {email}.")
        spec = workflow.SPECS[transition]
        when = (
            timezone.make_aware(datetime.datetime.strptime(deadline, "%Y-%m-%d %H:%M"))
            if deadline and spec.needs_deadline
            else None
        )
        try:
            done = workflow.fire_named(
                transition, record, by=user, comment=comment, revision_deadline=when,
                approved_amount=amount,
            )  # fmt: skip
        except PermissionDenied as error:
            raise CommandError(f"Refused: {error}") from error
        except workflow.WorkflowError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{done.receipt_number or done.pk}: {done.get_state_display()}")

"""The acceptance council's notices, sent by the task worker once the step has committed
(immediately in dev and tests): the member invited, the officers when a member declines, the
members when grading opens, the investigator and the officers when the verdict is recorded (the
minutes are signed by the close itself, `projects.grading`, not by this notice)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from core.mail import send_templated


def _link(name, proposal):
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return base + reverse(name, args=[proposal.pk])


@task()
def notify(event, pk):
    from grants.tasks import officer_emails
    from projects.models import Acceptance, AcceptanceSeat

    with translation.override(settings.LANGUAGE_CODE):
        if event in ("invited", "declined"):
            seat = AcceptanceSeat.objects.select_related(
                "acceptance__contract__proposal", "member__profile"
            ).get(pk=pk)
            acceptance = seat.acceptance
            to = [seat.member.email] if event == "invited" else officer_emails()
        else:
            seat = None
            acceptance = Acceptance.objects.select_related("contract__proposal__owner").get(pk=pk)
            if event == "grading":
                to = list(
                    acceptance.seats.filter(status="accepted").values_list(
                        "member__email", flat=True
                    )
                )
            else:
                to = [acceptance.contract.proposal.owner.email, *officer_emails()]
        proposal = acceptance.contract.proposal
        to = sorted(set(to) - {""})
        if not to:
            return 0
        if event in ("invited", "grading"):
            page = "project_acceptance_council_grade"
        elif event == "declined":
            page = "project_acceptance_council"  # the officers seat another member there
        else:
            # The verdict reaches the investigator too, who may not open the council's page:
            # the acceptance page shows it to both, with the officer's "Accept the results".
            page = "project_acceptance"
        context = {
            "event": event,
            "seat": seat,
            "acceptance": acceptance,
            "proposal": proposal,
            "link": _link(page, proposal),
        }
        send_templated("projects/email/council", context, to)
    return len(to)

"""Notices of the acceptance dossier, sent by the task worker once the step has committed
(immediately in dev and tests): the officers hear that a dossier arrived, the principal
investigator that it was returned for correction."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from core.mail import send_templated

TO_OFFICERS = {"submit"}
TO_INVESTIGATOR = {"return_dossier"}


@task()
def notify_acceptance(acceptance_id, event):
    from grants.tasks import officer_emails
    from projects.models import Acceptance

    acceptance = Acceptance.objects.select_related("contract__proposal__owner__profile").get(
        pk=acceptance_id
    )
    proposal = acceptance.contract.proposal
    if event in TO_OFFICERS:
        to = officer_emails()
    elif event in TO_INVESTIGATOR:
        to = [proposal.owner.email] if proposal.owner.email else []
    else:
        to = []
    if not to:
        return 0
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "acceptance": acceptance,
            "proposal": proposal,
            "investigator": proposal.owner,
            "event": event,
            "link": base + reverse("project_acceptance", args=[proposal.pk]),
        }
        send_templated("projects/email/acceptance", context, to)
    return len(to)

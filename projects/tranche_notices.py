"""The investigator's notice of a released tranche, sent by the task worker once the release
has committed (immediately in dev and tests)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from core.mail import send_templated


@task()
def notify_release(tranche_id):
    from projects.models import Tranche

    tranche = Tranche.objects.select_related(
        "contract__proposal__owner__profile", "released_by__profile"
    ).get(pk=tranche_id)
    contract = tranche.contract
    proposal = contract.proposal
    if not proposal.owner.email:
        return 0
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "tranche": tranche,
            "contract": contract,
            "proposal": proposal,
            "link": base + reverse("project_tranches", args=[proposal.pk]),
        }
        send_templated("projects/email/tranche_released", context, [proposal.owner.email])
    return 1

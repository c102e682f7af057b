"""The investigator's notice of a recorded inspection, sent by the task worker once the record
has committed (immediately in dev and tests)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from core.mail import send_templated


@task()
def notify_inspection(inspection_id):
    from projects.models import Inspection

    inspection = Inspection.objects.select_related(
        "contract__proposal__owner__profile", "recorded_by__profile"
    ).get(pk=inspection_id)
    proposal = inspection.contract.proposal
    if not proposal.owner.email:
        return 0
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "inspection": inspection,
            "contract": inspection.contract,
            "proposal": proposal,
            "investigator": proposal.owner,
            "link": base + reverse("project_inspections", args=[proposal.pk]),
        }
        send_templated("projects/email/inspection_recorded", context, [proposal.owner.email])
    return 1

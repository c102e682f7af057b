"""Notices of the change requests (django-tasks, like the proposal notices): the managers hear
of a request waiting for them, the principal investigator of the decision."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from core import roles
from core.mail import send_templated


def manager_emails():
    users = get_user_model().objects.filter(groups__name=roles.MANAGER, is_active=True)
    return sorted(set(users.values_list("email", flat=True)) - {""})


@task()
def notify_change(change_id, event):
    """`event`: "requested" (to the managers), "approve" or "refuse" (to the investigator)."""
    from projects.models import ChangeRequest

    change = ChangeRequest.objects.select_related(
        "contract__proposal__owner__profile", "decided_by__profile"
    ).get(pk=change_id)
    proposal = change.contract.proposal
    with translation.override(settings.LANGUAGE_CODE):
        link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
            "project_changes", args=[proposal.pk]
        )
        context = {"change": change, "proposal": proposal, "event": event, "link": link}
        if event == "requested":
            recipients = manager_emails()
            name = "projects/email/change_requested"
        else:
            recipients = [proposal.owner.email] if proposal.owner.email else []
            name = "projects/email/change_decided"
        if recipients:
            send_templated(name, context, recipients)
    return len(recipients)

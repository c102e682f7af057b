"""Notices of membership decisions, sent by the task worker (immediately in dev and tests)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from core.mail import send_templated


@task()
def notify_membership(entry_id):
    """Tell the person what became of their membership (and the officer's note)."""
    from researchers.models import MembershipEntry

    entry = MembershipEntry.objects.select_related(
        "membership__user__profile", "membership__organisation"
    ).get(pk=entry_id)
    person = entry.membership.user
    if not person.email:
        return 0
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "entry": entry,
            "membership": entry.membership,
            "person": person,
            "link": base + reverse("profile"),
        }
        send_templated("researchers/email/membership", context, [person.email])
    return 1

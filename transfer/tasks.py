"""Notices of the transfer deals (django-tasks, like the proposal notices)."""

from django.conf import settings
from django.utils import translation
from django_tasks import task

from grants.tasks import officer_emails
from portal.mail import send_templated


@task()
def notify_deal(deal_id, action):
    from transfer.models import TransferDeal

    deal = TransferDeal.objects.select_related("technology__owner", "business").get(pk=deal_id)
    owner, business = deal.technology.owner.email, deal.business.email
    recipients = {
        "request": [owner],
        "accept": [business],
        "decline": [business],
        "cancel": [owner, business],
        "record_terms": [owner, business, *officer_emails()],
        "complete": [owner, business],
    }.get(action, [])
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {"deal": deal, "action": action, "link": base + deal.get_absolute_url()}
        recipients = sorted(set(recipients) - {""})
        if recipients:
            send_templated("transfer/email/deal", context, recipients)
    return len(recipients)

"""Notices of the transfer deals (django-tasks, like the proposal notices)."""

from django.conf import settings
from django.utils import translation
from django_tasks import task

from core.mail import send_templated
from grants.tasks import officer_emails


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


@task()
def refresh_matches(technology_id=None, need_id=None):
    """Store the rankings touched by a newly published technology or need (transfer.matching)."""
    from transfer import matching
    from transfer.models import Technology, TechnologyNeed

    if technology_id is not None:
        technology = Technology.objects.select_related("sector").get(pk=technology_id)
        matching.refresh_technology(technology)
    if need_id is not None:
        need = TechnologyNeed.objects.select_related("sector").get(pk=need_id)
        matching.refresh_need(need)


@task()
def notify_catalogue(entry_id):
    """Tell the other side of a catalogue step: officers of a listing to moderate, the owner of
    a moderation outcome, the business of a need an officer closed."""
    from transfer.models import CatalogueEntry

    entry = CatalogueEntry.objects.select_related("technology__owner", "need__business").get(
        pk=entry_id
    )
    record = entry.technology or entry.need
    owner = entry.technology.owner if entry.technology else entry.need.business
    if entry.action in ("submit", "revise"):
        recipients = officer_emails()
        link = "technology_moderation"
    elif entry.actor_id != owner.pk and entry.action in (
        "publish",
        "send_back",
        "archive",
        "close",
    ):
        recipients = [owner.email]
        link = None
    else:
        return 0
    from django.urls import reverse

    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        url = base + (reverse(link) if link else record.get_absolute_url())
        context = {"entry": entry, "record": record, "link": url}
        recipients = sorted(set(recipients) - {""})
        if recipients:
            send_templated("transfer/email/catalogue", context, recipients)
    return len(recipients)

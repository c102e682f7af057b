"""The webhook events of the catalogue and the deals (core.webhooks), emitted by
`transfer.workflow`: a technology published, a deal completed. Public facts and ids only (no
message, no terms, no contact details); docs/integrations.md lists them."""

from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core import webhooks
from core.models import WebhookEndpoint
from grants import workflow as grants_workflow


def _public(path_name, *args):
    with translation.override(settings.LANGUAGE_CODE):
        return urljoin(settings.PORTAL_BASE_URL, reverse(path_name, args=args))


def technology_summary(technology):
    source = technology.source_proposal
    return {
        "id": technology.pk,
        "title": technology.title,
        "trl": technology.trl,
        "sector": technology.sector.slug if technology.sector_id else None,
        "source_receipt_number": (source.receipt_number or None) if source else None,
        "url": _public("technology_detail", technology.pk),
    }


def technology_published(technology):
    if grants_workflow.replaying():
        return
    webhooks.emit(
        WebhookEndpoint.Event.TECHNOLOGY_PUBLISHED,
        {
            "technology": technology_summary(technology),
            "published_at": technology.published_at.isoformat(),
        },
    )


def deal_completed(deal):
    if grants_workflow.replaying():
        return
    webhooks.emit(
        WebhookEndpoint.Event.DEAL_COMPLETED,
        {
            "deal": {"id": deal.pk, "mode": deal.mode or None, "state": deal.state},
            "technology": technology_summary(deal.technology),
            "completed_at": grants_workflow.current_time().isoformat(),
        },
    )

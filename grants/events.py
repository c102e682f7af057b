"""The webhook events of a proposal (core.webhooks), emitted by `grants.workflow` with each step.

Payloads carry what an integrator (the provincial public-service system) needs to follow a
dossier: ids, the receipt and decision numbers, the states, the times and links; never the
applicant's personal data, a comment or the dossier's content. docs/integrations.md lists them.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core import webhooks
from core.models import WebhookEndpoint

EVENT = WebhookEndpoint.Event


def _link(name, *args):
    with translation.override(settings.LANGUAGE_CODE):
        return urljoin(settings.PORTAL_BASE_URL, reverse(name, args=args))


def _labels(display):
    """A state's label in Vietnamese and English."""
    labels = {}
    for code in ("vi", "en"):
        with translation.override(code):
            labels[code] = str(display())
    return labels


def proposal_summary(proposal):
    return {
        "id": proposal.pk,
        "receipt_number": proposal.receipt_number or None,
        "call": proposal.call.code,
        "state": proposal.state,
        "state_label": _labels(proposal.get_state_display),
        "url": _link("proposal_detail", proposal.pk),  # the portal's page, behind sign-in
        "receipt_url": (
            _link("receipt_verify", proposal.verification_code)  # public
            if proposal.receipt_number
            else None
        ),
    }


def emit_transition(proposal, entry):
    """Every step: `proposal.state_changed`; a submission also `dossier.received`, a funding
    decision (fund or reject) also `decision.signed`."""
    summary = proposal_summary(proposal)
    at = entry.at.isoformat()
    webhooks.emit(
        EVENT.PROPOSAL_STATE_CHANGED,
        {
            "proposal": summary,
            "transition": entry.transition,
            "from": entry.source,
            "to": entry.target,
            "at": at,
        },
    )
    if entry.transition == "submit":
        webhooks.emit(
            EVENT.DOSSIER_RECEIVED,
            {
                "proposal": summary,
                "receipt_number": proposal.receipt_number,
                "received_at": proposal.submitted_at.isoformat(),
                "version": proposal.version,
            },
        )
    elif entry.transition in ("fund", "reject"):
        webhooks.emit(
            EVENT.DECISION_SIGNED,
            {
                "proposal": summary,
                "decision_number": proposal.decision_number,
                "outcome": "funded" if entry.transition == "fund" else "rejected",
                "approved_amount": proposal.approved_amount if entry.transition == "fund" else None,
                "decided_at": proposal.decided_at.isoformat(),
            },
        )

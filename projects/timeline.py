"""The project's trail in the proposal's timeline: `grants.timeline` asks this source for the
`ProjectEntry` rows of a proposal (registered in `ProjectsConfig.ready`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants.models import FUNDED_STATES
from grants.timeline import Item, actor_name
from projects.models import ProjectEntry

# Each step of projects.workflow in words. The trail keeps the action's name; the words are
# chosen when the page is shown, in the reader's language.
ACTION_LABELS = {
    "prepare_contract": gettext_lazy("Contract prepared"),
    "sign_contract": gettext_lazy("Contract signed"),
    "release_tranche": gettext_lazy("Tranche released"),
    "report_submit": gettext_lazy("Progress report submitted"),
    "report_accept": gettext_lazy("Progress report accepted"),
    "report_return_report": gettext_lazy("Progress report returned for correction"),
    "request_change": gettext_lazy("Change requested"),
    "approve_change": gettext_lazy("Change approved"),
    "refuse_change": gettext_lazy("Change refused"),
}


def label(action):
    known = ACTION_LABELS.get(action)
    if known is not None:
        return str(known)
    return _("Project step (%(action)s)") % {"action": action.replace("_", " ")}


def project_steps(proposal):
    """The proposal's execution steps, oldest first, in one query."""
    if proposal.state not in FUNDED_STATES:
        return []  # a contract exists only from funding on: earlier pages need not ask
    entries = (
        ProjectEntry.objects.filter(proposal=proposal)
        .select_related("actor__profile")
        .order_by("at", "pk")
    )
    return [
        Item(
            at=entry.at,
            label=label(entry.action),
            actor=actor_name(entry.actor),
            comment=entry.comment,
            record=entry.record,
        )
        for entry in entries
    ]

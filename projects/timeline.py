"""The project's trail in the proposal's timeline: `grants.timeline` asks this source for the
`ProjectEntry` rows of a proposal, each with its page (the contract's PDF, the report, the
tranche ledger, the acceptance, the registration), and this module adds the acceptance's
documents to the `accept_results` transition (both registered in `ProjectsConfig.ready`).

The execution pages are for the principal investigator and the Department's staff
(`Viewer.follows_execution`), so only they get those links; the page of a slice that has not
arrived yet (`project_acceptance_minutes` …) is linked once its URL can be reversed."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants.models import FUNDED_STATES
from grants.timeline import Item, actor_name, link, links
from projects.acceptance import acceptance_of
from projects.models import AcceptanceState, ProjectEntry

# Each step of the project's modules in words. The trail keeps the action's name; the words are
# chosen when the page is shown, in the reader's language.
ACTION_LABELS = {
    "prepare_contract": gettext_lazy("Contract prepared"),
    "sign_contract": gettext_lazy("Contract signed"),
    "release_tranche": gettext_lazy("Tranche released"),
    "report_submit": gettext_lazy("Progress report submitted"),
    "report_accept": gettext_lazy("Progress report accepted"),
    "report_return_report": gettext_lazy("Progress report returned for correction"),
    "change_request": gettext_lazy("Change requested"),
    "change_approve": gettext_lazy("Change approved"),
    "change_refuse": gettext_lazy("Change refused"),
    "move_schedule": gettext_lazy("Schedule moved with the extension"),
    "record_inspection": gettext_lazy("Annual inspection recorded"),
    "acceptance_submit": gettext_lazy("Acceptance dossier submitted"),
    "acceptance_return_dossier": gettext_lazy("Acceptance dossier returned for correction"),
    "acceptance_refund": gettext_lazy("Refund of the budget recorded"),
    "acceptance_council_size": gettext_lazy("Acceptance council size set"),
    "acceptance_seat": gettext_lazy("Member invited to the acceptance council"),
    "acceptance_unseat": gettext_lazy("Member removed from the acceptance council"),
    "acceptance_replace": gettext_lazy("Acceptance council member replaced"),
    "acceptance_declare": gettext_lazy("Council member answered the invitation"),
    "acceptance_start_grading": gettext_lazy("Acceptance council started grading"),
    "acceptance_grades_submitted": gettext_lazy("Council member submitted the grades"),
    "acceptance_decided": gettext_lazy("Acceptance council's verdict recorded"),
    "registration_file": gettext_lazy("Results filed for registration"),
    "registration_refile": gettext_lazy("Filed results corrected"),
    "registration_record": gettext_lazy("Results registered"),
}

# The stage of the whole path each kind of step belongs to (by the action's name or prefix).
MILESTONES = (
    ("sign_contract", "contract"),
    ("prepare_contract", "contract"),
    ("release_tranche", "tranche"),
    ("report_", "report"),
    ("change_", "change"),
    ("acceptance", "acceptance"),
    ("registration_", "registration"),
)
AFTER_ACCEPTANCE = ("completed", "terminated", "transferred")


def label(action):
    known = ACTION_LABELS.get(action)
    if known is not None:
        return str(known)
    return _("Project step (%(action)s)") % {"action": action.replace("_", " ")}


def milestone(action):
    for prefix, stage in MILESTONES:
        if action.startswith(prefix):
            return stage
    return ""


def _report_number(record):
    """The report's number in the entry's record ("report 2", "báo cáo 2")."""
    found = re.search(r"(\d+)\s*$", record or "")
    return int(found.group(1)) if found else None


def _links(entry, stage, proposal, reader, acceptance):
    """The page of one step, for a reader who follows the execution."""
    if reader is None or not reader.follows_execution:
        return ()
    pk = proposal.pk
    if entry.action == "sign_contract":
        return links(link("project_contract_pdf", pk, label=_("Contract (PDF)")))
    if stage == "tranche":
        return links(link("project_tranches", pk, label=_("Ledger of tranches")))
    if stage == "report":
        number = _report_number(entry.record)
        if number is not None:
            return links(link("project_report", pk, number, label=_("Open the report")))
        return links(link("project_reports", pk, label=_("Progress reports")))
    if stage == "change":
        return links(link("project_changes", pk, label=_("Changes to the task")))
    if stage == "acceptance" and acceptance is not None:
        return links(link("project_acceptance", pk, label=_("Acceptance dossier and verdict")))
    if stage == "registration":
        return links(
            link("project_registration", pk, label=_("Registration of the results")),
            link("project_registration_pdf", pk, label=_("Registration certificate (PDF)"))
            if entry.action == "registration_record"
            else None,
        )
    return ()


def _acceptance(proposal, reader):
    """The final acceptance of the proposal's contract, if any (one query, and only when a
    reader who follows the execution may be shown its pages)."""
    if reader is None or not reader.follows_execution:
        return None
    return acceptance_of(proposal)


def project_steps(proposal, reader=None):
    """The proposal's execution steps, oldest first, in two queries at most."""
    if proposal.state not in FUNDED_STATES:
        return []  # a contract exists only from funding on: earlier pages need not ask
    entries = (
        ProjectEntry.objects.filter(proposal=proposal)
        .select_related("actor__profile")
        .order_by("at", "pk")
    )
    acceptance = _acceptance(proposal, reader) if proposal.state in AFTER_ACCEPTANCE else None
    items = []
    for entry in entries:
        stage = milestone(entry.action)
        items.append(
            Item(
                at=entry.at,
                label=label(entry.action),
                actor=actor_name(entry.actor),
                comment=entry.comment,
                record=entry.record,
                links=_links(entry, stage, proposal, reader, acceptance),
                milestone=stage,
            )
        )
    return items


def acceptance_documents(proposal, reader):
    """The acceptance's documents on grants' `accept_results` (→ completed) and `terminate`,
    for those who follow the execution: its page, its council's minutes once the verdict is
    recorded (the investigator reads them too, as the minutes view allows), and on `accept_results` the registration that follows."""
    if proposal.state not in AFTER_ACCEPTANCE or not reader.follows_execution:
        return {}
    acceptance = _acceptance(proposal, reader)
    pk = proposal.pk
    documents = ()
    if acceptance is not None:
        documents = links(
            link("project_acceptance", pk, label=_("Acceptance dossier and verdict")),
            link(
                "project_acceptance_minutes", pk,
                label=_("Minutes of the acceptance council (PDF)"),
            )
            if acceptance.state == AcceptanceState.DECIDED
            else None,
        )  # fmt: skip
    # Accepted, the results are registered next (projects.registration).
    registering = links(
        link("project_registration", pk, label=_("Registration of the results"))
    )  # fmt: skip
    return {"accept_results": (*documents, *registering), "terminate": documents}

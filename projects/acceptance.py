"""The final acceptance dossier (hồ sơ đánh giá nghiệm thu, Circular 11/2014/TT-BKHCN) and
what follows the council's verdict.

The principal investigator writes the dossier (the final report — báo cáo tổng hợp kết quả —,
each deliverable against the indicators the contract promised, the self-evaluation, files),
autosaved like a progress report, and submits it; an officer who takes no part in the task
returns it with the reason, or the council (`projects.council`, `projects.grading`) grades it.
After a `fail` verdict a manager terminates the task (`projects.termination`).

Same shape as `projects.workflow`: role check (PermissionDenied), state (StateConflict), guard
(GuardFailed by field), the proposal's row then the acceptance's locked, the trail entry
(`projects.workflow.trail`) and the notice once the transaction commits.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core import roles
from core.text import group_thousands
from core.transitions import GuardFailed, WorkflowError, fire, required
from grants import rules as grants_rules
from grants.models import Proposal, ProposalState
from grants.workflow import current_time
from projects import reporting
from projects.models import (
    Acceptance,
    AcceptanceAttachment,
    AcceptanceState,
    Contract,
    Grade,
    ReportState,
)
from projects.workflow import StateConflict, format_day, local_today, notice_on_commit, trail

__all__ = ["GuardFailed", "StateConflict", "WorkflowError"]

EDITABLE = (AcceptanceState.DRAFT, AcceptanceState.RETURNED)
# Every part of a deliverable's result: what quantity and quality were reached, and a note.
RESULT_PARTS = ("quantity", "quality", "note")
TEXT_LIMIT = reporting.TEXT_LIMIT  # per part of a deliverable's result
FINAL_REPORT_LIMIT = 50000
NOTE_LIMIT = 10000
LABEL_LIMIT = 200
REASON_LIMIT = 5000


def is_investigator(proposal, user):
    """The principal investigator: the proposal's owner, who signed the contract's party B."""
    return user is not None and user.is_authenticated and proposal.owner_id == user.pk


def is_seated(acceptance, user):
    """A member of the acceptance council who declared no conflict (reads the dossier)."""
    return (
        user is not None
        and user.is_authenticated
        and acceptance.seats.filter(member=user, status="accepted").exists()
    )


def may_read(acceptance, proposal, user):
    """Who reads the acceptance dossier: the investigator always; the Department's staff and
    the seated council members once it has been submitted (a draft is the investigator's
    working copy, as a progress report's is)."""
    if is_investigator(proposal, user):
        return True
    if acceptance.state == AcceptanceState.DRAFT:
        return False
    return roles.has_role(user, roles.OFFICER, roles.MANAGER) or is_seated(acceptance, user)


def _conflict(acceptance):
    return StateConflict(
        _("This acceptance dossier is now “%(state)s”, so this action was not applied.")
        % {"state": acceptance.get_state_display()}
    )


def _proposal_conflict(proposal):
    return StateConflict(
        _("This proposal is now “%(state)s”: the acceptance dossier is written while the task "
          "is in progress.")
        % {"state": proposal.get_state_display()}
    )  # fmt: skip


def _lock_proposal(proposal_id):
    return Proposal.objects.select_for_update(of=("self",)).get(pk=proposal_id)


def lock_acceptance(acceptance):
    return (
        Acceptance.objects.select_for_update(of=("self",))
        .select_related("contract__proposal")
        .get(pk=acceptance.pk)
    )


def acceptance_of(proposal, *related):
    """The final acceptance of the proposal's contract (a proposal or its pk), or None when no
    dossier was opened (no signed contract yet, or a task accepted before the acceptance
    council existed). The one lookup the pages, the timeline and the registration share;
    `related` are `select_related` paths."""
    pk = getattr(proposal, "pk", proposal)
    return Acceptance.objects.select_related(*related).filter(contract__proposal_id=pk).first()


def acceptance_for(contract):
    """The contract's acceptance, created as an empty draft the first time it is asked for —
    only for a signed contract of a task in progress (the dossier closes the running task).
    An acceptance once created is returned whatever the proposal's state (its record stays).
    StateConflict when there is none and none can be opened."""
    existing = Acceptance.objects.filter(contract_id=contract.pk).first()
    if existing is not None:
        return existing
    contract = Contract.objects.select_related("proposal").get(pk=contract.pk)
    if not contract.is_signed:
        raise StateConflict(_("The contract has not been signed."))
    if contract.proposal.state != ProposalState.IN_PROGRESS:
        raise _proposal_conflict(contract.proposal)
    try:
        with transaction.atomic():
            return Acceptance.objects.create(contract=contract)
    except IntegrityError:  # two first visits at once: the other one created it
        return Acceptance.objects.get(contract_id=contract.pk)


# -- the investigator's draft -------------------------------------------------------------------


def too_long(limit):
    return _("At most %(limit)s characters.") % {"limit": group_thousands(limit)}


def clean_values(acceptance, values):
    """The dossier as it will be stored, and the errors by field: texts too long, a grade that
    is not one of the Circular's three, results of deliverables the contract does not have
    (silently dropped). Fields: `final_report`, `quantity-<pk>`, `quality-<pk>`, `note-<pk>`,
    `self_evaluation`, `self_evaluation_note`."""
    errors = {}
    values = values or {}
    final_report = str(values.get("final_report") or "").strip()
    if len(final_report) > FINAL_REPORT_LIMIT:
        errors["final_report"] = [too_long(FINAL_REPORT_LIMIT)]
    known = {str(pk) for pk in acceptance.contract.deliverables.values_list("pk", flat=True)}
    results = {}
    for pk, entry in (values.get("results") or {}).items():
        if str(pk) not in known or not isinstance(entry, dict):
            continue
        row = {}
        for part in RESULT_PARTS:
            text = str(entry.get(part) or "").strip()
            if len(text) > TEXT_LIMIT:
                errors[f"{part}-{pk}"] = [too_long(TEXT_LIMIT)]
            row[part] = text
        results[str(pk)] = row
    grade = str(values.get("self_evaluation") or "").strip()
    if grade and grade not in Grade.values:
        errors["self_evaluation"] = [_("Choose excellent, pass or fail.")]
    note = str(values.get("self_evaluation_note") or "").strip()
    if len(note) > NOTE_LIMIT:
        errors["self_evaluation_note"] = [too_long(NOTE_LIMIT)]
    clean = {
        "final_report": final_report,
        "results": results,
        "self_evaluation": grade,
        "self_evaluation_note": note,
    }
    return clean, errors


def _require_investigator(proposal, user, message=None):
    if not is_investigator(proposal, user):
        raise PermissionDenied(
            message or _("Only the principal investigator writes the acceptance dossier.")
        )


def _editable(proposal_id, acceptance, by):
    """Lock the proposal and the acceptance (in that order, as every step here does) and check
    that the dossier is still the investigator's to write."""
    proposal = _lock_proposal(proposal_id)
    _require_investigator(proposal, by)
    locked = lock_acceptance(acceptance)
    if proposal.state != ProposalState.IN_PROGRESS:
        raise _proposal_conflict(proposal)
    if locked.state not in EDITABLE:
        raise _conflict(locked)
    return proposal, locked


def save_acceptance_draft(acceptance, *, by, values):
    """The investigator's draft of the dossier, saved as it stands (parts may still be missing:
    the page autosaves it). In draft or returned only, while the task is in progress. Texts too
    long and an unknown grade are refused by the field and nothing is saved. Drafts are no
    trail entries: what reaches the Department is."""
    proposal_id = acceptance.contract.proposal_id
    _require_investigator(acceptance.contract.proposal, by)
    with transaction.atomic():
        _proposal, locked = _editable(proposal_id, acceptance, by)
        clean, errors = clean_values(locked, values)
        if errors:
            raise GuardFailed(errors)
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.save(update_fields=[*clean, "updated_at"])
    return locked


def add_acceptance_attachment(acceptance, upload, *, by, label):
    """A file of the dossier (the products' evidence, test results, the financial settlement…),
    checked by its content (`core.files.check`)."""
    from core import files

    # Before the file is read: a stranger's upload costs nothing.
    _require_investigator(acceptance.contract.proposal, by)
    label = (label or "").strip()
    errors = {}
    if not label:
        errors["label"] = [_("Say what this file is.")]
    elif len(label) > LABEL_LIMIT:
        errors["label"] = [too_long(LABEL_LIMIT)]
    checked = None
    if upload is None:
        errors["file"] = [_("Choose a file.")]
    else:
        try:
            checked = files.check(upload)
        except ValidationError as error:
            errors["file"] = [str(m) for m in error.messages]
    with transaction.atomic():
        _proposal, locked = _editable(acceptance.contract.proposal_id, acceptance, by)
        if errors:
            raise GuardFailed(errors)
        attachment = AcceptanceAttachment(
            acceptance=locked, label=label, uploaded_by=by, sha256=checked[3]
        )
        attachment.take(upload, checked)
        attachment.save()
    return attachment


def remove_acceptance_attachment(attachment, *, by):
    """The investigator takes a file back while the dossier is still theirs to write."""
    acceptance = attachment.acceptance
    _require_investigator(acceptance.contract.proposal, by)
    with transaction.atomic():
        _editable(acceptance.contract.proposal_id, acceptance, by)
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        # The stored file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(name))


# -- submitting, returning ----------------------------------------------------------------------


def acceptance_problems(acceptance, proposal=None, today=None):
    """What the Department needs before the dossier goes to the council (Circular 11/2014,
    art. 4–5: the final report, the products against the contract's indicators, the host's
    self-evaluation), by field:

    - `state`: the task is in progress (a terminated task is not accepted);
    - `final_report`: the final report (báo cáo tổng hợp kết quả) is written;
    - `quantity-<pk>`, `quality-<pk>`: for every deliverable of the contract, the quantity and
      the quality reached, against its indicators (the note is optional);
    - `self_evaluation`, `self_evaluation_note`: the self-evaluation (tự đánh giá) is one of
      excellent / pass / fail, and says why;
    - `reports`: the periodic inspection is closed (Circular 04/2015): no progress report is
      waiting for the Department's decision or sent back for correction, and every report
      whose period has ended was accepted. Reports of periods not yet over are covered by
      the dossier itself (a task may deliver early).

    Files are welcome (evidence of the products, test reports, the financial settlement) but
    not required: the council judges the products themselves."""
    proposal = proposal or acceptance.contract.proposal
    today = today or local_today()
    errors = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    if proposal.state != ProposalState.IN_PROGRESS:
        add(
            "state",
            _("The task is now “%(state)s”: only a task in progress is accepted.")
            % {"state": proposal.get_state_display()},
        )
    if not (acceptance.final_report or "").strip():
        add("final_report", _("Write the final report on the task's results."))
    results = acceptance.results or {}
    for deliverable in acceptance.contract.deliverables.all():
        entry = results.get(str(deliverable.pk)) or {}
        if not (entry.get("quantity") or "").strip():
            add(
                f"quantity-{deliverable.pk}",
                _("Say what quantity of this product was delivered, against its indicator."),
            )
        if not (entry.get("quality") or "").strip():
            add(
                f"quality-{deliverable.pk}",
                _("Say what quality this product reached, against its indicator."),
            )
    if acceptance.self_evaluation not in Grade.values:
        add("self_evaluation", _("Choose your self-evaluation: excellent, pass or fail."))
    if not (acceptance.self_evaluation_note or "").strip():
        add("self_evaluation_note", _("Explain your self-evaluation."))
    for report in acceptance.contract.reports.order_by("number"):
        if report.state == ReportState.SUBMITTED:
            add(
                "reports",
                _("Progress report %(number)s is still waiting for the Department's decision.")
                % {"number": report.number},
            )
        elif report.state == ReportState.RETURNED:
            add(
                "reports",
                _("Progress report %(number)s was returned: correct it and submit it first.")
                % {"number": report.number},
            )
        elif report.state == ReportState.DRAFT and report.period_end < today:
            add(
                "reports",
                _("Progress report %(number)s (period ended %(day)s) has not been submitted.")
                % {"number": report.number, "day": format_day(report.period_end)},
            )
    return errors


def _notify(acceptance, event):
    from projects import acceptance_notices

    notice_on_commit(acceptance_notices.notify_acceptance, acceptance.pk, event)


def _fire(acceptance, name, *, by, ip, allowed, denied, guard=None, apply=None, comment=""):
    """Fire the acceptance's transition `name` under the proposal's row lock, then the
    acceptance's; the trail entry is `acceptance_<name>`."""

    def record(locked, source, data):
        trail(
            locked.contract.proposal_id, f"acceptance_{name}", by=by, ip=ip,
            record=str(_("final acceptance")), source=source, target=locked.state,
            comment=comment, data=data or {},
        )  # fmt: skip
        _notify(locked, name)

    with transaction.atomic():
        proposal = _lock_proposal(acceptance.contract.proposal_id)
        return fire(
            Acceptance.objects.select_related("contract__proposal"), acceptance.pk, name,
            allowed=lambda locked: allowed(proposal, locked), denied=denied,
            conflict=_conflict,
            guard=(lambda locked: guard(proposal, locked)) if guard else None,
            apply=apply, record=record,
        )  # fmt: skip


def submit_acceptance(acceptance, *, by, ip=None):
    """The principal investigator sends the dossier to the Department for the acceptance
    council (Circular 11/2014; everything of `acceptance_problems`); the officers are told."""

    def apply(locked):
        locked.submitted_at = current_time()
        locked.return_reason = ""
        return {
            "self_evaluation": locked.self_evaluation,
            "deliverables": len(locked.results or {}),
            "attachments": locked.attachments.count(),
        }

    return _fire(
        acceptance, "submit", by=by, ip=ip,
        allowed=lambda proposal, locked: is_investigator(proposal, by),
        denied=_("Only the principal investigator submits the acceptance dossier."),
        guard=lambda proposal, locked: acceptance_problems(locked, proposal),
        apply=apply,
    )  # fmt: skip


def may_return(proposal, user):
    """An officer of the Department who takes no part in the task (`grants.rules.takes_part`)."""
    return grants_rules.is_officer(proposal, user)


def return_acceptance(acceptance, *, by, ip=None, reason):
    """An officer sends the submitted dossier back to the investigator with what it must
    correct, before the council is formed (Circular 11/2014: the Department checks that the
    dossier is complete); the investigator edits it and submits it again."""
    reason = (reason or "").strip()

    def guard(proposal, locked):
        errors = required(reason, "reason", _("Say what the dossier must correct."))
        if proposal.state != ProposalState.IN_PROGRESS:
            errors["state"] = [
                _("The task is now “%(state)s”: only a task in progress is accepted.")
                % {"state": proposal.get_state_display()}
            ]
        if len(reason) > REASON_LIMIT:
            errors["reason"] = [too_long(REASON_LIMIT)]
        return errors

    def apply(locked):
        locked.return_reason = reason

    return _fire(
        acceptance, "return_dossier", by=by, ip=ip,
        allowed=lambda proposal, locked: may_return(proposal, by),
        denied=_("Only an officer of the Department who takes no part in the task returns "
                 "the dossier."),
        guard=guard, apply=apply, comment=reason,
    )  # fmt: skip

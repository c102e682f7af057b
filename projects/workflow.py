"""Every step of a funded task's execution, in one place, for views, the API and commands alike.

Each function takes the record, the acting user and the request's IP, and then, inside one
transaction with the row locked: checks the role (PermissionDenied), the state (StateConflict),
the guard (GuardFailed with messages by field), applies the change, writes the append-only
`ProjectEntry` the proposal's timeline shows, and queues its notice once the transaction commits.
The proposal's own transitions (funded → in_progress …) are fired through `grants.workflow`.
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import roles
from core.text import group_thousands
from core.transitions import GuardFailed, WorkflowError, fire, required
from grants import workflow as grants_workflow
from grants.models import Proposal, ProposalState
from grants.workflow import current_time
from projects import reporting
from projects.models import (
    Contract,
    Deliverable,
    ProgressReport,
    ProjectEntry,
    ReportAttachment,
    ReportState,
    Tranche,
)

__all__ = ["GuardFailed", "StateConflict", "WorkflowError"]


class StateConflict(WorkflowError):
    """The record has moved on (another officer acted first): nothing was applied."""


def add_months(day, months):
    """The same day `months` later (the last day of a shorter month): 31/01 + 1 → 28/02."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def trail(proposal, action, *, by, ip=None, record="", source="", target="", comment="", data=None):
    """Write the project's append-only trail entry (call it inside the step's transaction)."""
    return ProjectEntry.objects.create(
        proposal_id=getattr(proposal, "pk", proposal), action=action, record=record,
        source=source, target=target, actor=by, ip=ip or None, comment=comment,
        data=data or {}, at=current_time(),
    )  # fmt: skip


def _require_officer(user):
    if not roles.has_role(user, roles.OFFICER):
        raise PermissionDenied(_("Only an officer of the Department may do this."))


def _local_date(moment):
    return timezone.localdate(moment) if moment else None


# -- the contract -------------------------------------------------------------------------------

CONTRACT_FIELDS = (
    "number", "signed_on", "starts_on", "ends_on", "department_signatory",
    "department_signatory_title", "host_representative", "host_representative_title",
    "principal_investigator", "report_every_months",
)  # fmt: skip


def contract_defaults(proposal):
    """What the contract form starts from: the decision, the host and the investigator."""
    decided = _local_date(proposal.decided_at) or timezone.localdate()
    owner = proposal.owner
    investigator = (
        getattr(getattr(owner, "profile", None), "full_name", "") or owner.get_full_name()
    )
    return {
        "number": "",
        "signed_on": None,
        "starts_on": None,
        "ends_on": None,
        "department_signatory": "",
        "department_signatory_title": "Giám đốc Sở Khoa học và Công nghệ",
        "host_representative": "",
        "host_representative_title": "",
        "principal_investigator": investigator,
        "report_every_months": 6,
        "decided_on": decided,
    }


def deliverables_from_dossier(proposal):
    """The dossier's expected products, one per non-empty line, as the first deliverables."""
    rows = []
    for line in (proposal.expected_products or "").splitlines():
        name = line.strip(" -•*\t")
        if name:
            rows.append({"name": name[:300], "quantity_indicator": "", "quality_indicator": ""})
    return rows


def contract_problems(proposal, values, tranches, deliverables):
    """Everything wrong with a contract as the officer prepared it, by field (`tranches-0-amount`
    for a tranche row's amount, `deliverables` for the list)."""
    errors = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    number = (values.get("number") or "").strip()
    if not number:
        add("number", _("Enter the contract number."))
    elif Contract.objects.filter(number=number).exclude(proposal=proposal).exists():
        add("number", _("Another contract already has this number."))
    for key, label in (
        ("department_signatory", _("Enter the Department's signatory.")),
        ("host_representative", _("Enter the host organisation's legal representative.")),
        ("principal_investigator", _("Enter the principal investigator.")),
    ):
        if not (values.get(key) or "").strip():
            add(key, label)
    signed, starts, ends = values.get("signed_on"), values.get("starts_on"), values.get("ends_on")
    decided = _local_date(proposal.decided_at)
    if signed is None:
        add("signed_on", _("Enter the signing date."))
    elif decided and signed < decided:
        add("signed_on", _("The contract cannot be signed before the funding decision."))
    if starts is None:
        add("starts_on", _("Enter the start date."))
    elif signed and starts < signed:
        add("starts_on", _("The task cannot start before the contract is signed."))
    if ends is None:
        add("ends_on", _("Enter the end date."))
    elif starts and ends <= starts:
        add("ends_on", _("The end date must be after the start date."))
    elif (
        starts and proposal.duration_months and ends > add_months(starts, proposal.duration_months)
    ):
        add(
            "ends_on",
            _("The decision approved %(months)s months: the task must end by %(day)s.")
            % {
                "months": proposal.duration_months,
                "day": add_months(starts, proposal.duration_months).strftime("%d/%m/%Y"),
            },
        )
    every = values.get("report_every_months")
    if not isinstance(every, int) or not 1 <= every <= 12:
        add("report_every_months", _("Reports are due every 1 to 12 months."))

    reports = (
        len(report_periods(starts, ends, every))
        if starts and ends and not errors.get("report_every_months")
        else None
    )
    if not tranches:
        add("tranches", _("Add at least one tranche."))
    total = 0
    for index, row in enumerate(tranches):
        prefix = f"tranches-{index}-"
        amount = row.get("amount")
        if not isinstance(amount, int) or amount <= 0:
            add(prefix + "amount", _("The amount must be a whole number of đồng above zero."))
        else:
            total += amount
        due = row.get("due_on")
        if due is None:
            add(prefix + "due_on", _("Enter the due date."))
        elif signed and due < signed:
            add(prefix + "due_on", _("A tranche cannot be due before the contract is signed."))
        condition = row.get("condition")
        if condition not in Tranche.Condition.values:
            add(prefix + "condition", _("Choose the condition of this tranche."))
        elif condition == Tranche.Condition.REPORT_ACCEPTED:
            number_ = row.get("report_number")
            if not isinstance(number_, int) or number_ < 1:
                add(prefix + "report_number", _("Say which progress report must be accepted."))
            elif reports is not None and number_ > reports:
                add(
                    prefix + "report_number",
                    _("The schedule has %(count)s progress reports.") % {"count": reports},
                )
    approved = proposal.approved_amount or 0
    if tranches and total != approved and not any(k.endswith("-amount") for k in errors):
        add(
            "tranches",
            _("The tranches add up to %(total)s ₫; the approved amount is %(approved)s ₫.")
            % {"total": group_thousands(total), "approved": group_thousands(approved)},
        )
    if not [d for d in deliverables if (d.get("name") or "").strip()]:
        add("deliverables", _("List at least one product the task delivers."))
    return errors


def report_periods(starts, ends, every):
    """(number, period start, period end, due date) of each periodic report: one per `every`
    months that end before the contract does (the last stretch is covered by the acceptance
    dossier), due 15 days after its period ends."""
    periods = []
    number, begin = 1, starts
    while True:
        end = add_months(starts, number * every) - datetime.timedelta(days=1)
        if end >= ends:
            break
        periods.append((number, begin, end, end + datetime.timedelta(days=15)))
        number, begin = number + 1, end + datetime.timedelta(days=1)
    return periods


def prepare_contract(proposal, *, by, ip=None, values, tranches, deliverables):
    """Record (or correct) the contract of a funded proposal, with its tranche schedule and its
    deliverables, before it is signed. All or nothing: on any problem nothing is saved."""
    _require_officer(by)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
        if locked.state != ProposalState.FUNDED:
            raise StateConflict(
                _("This proposal is now “%(state)s”, so the contract cannot be changed.")
                % {"state": locked.get_state_display()}
            )
        errors = contract_problems(locked, values, tranches, deliverables)
        if errors:
            raise GuardFailed(errors)
        contract, created = Contract.objects.get_or_create(proposal=locked)
        for key in CONTRACT_FIELDS:
            value = values.get(key)
            setattr(contract, key, value.strip() if isinstance(value, str) else value)
        contract.approved_amount = locked.approved_amount or 0
        contract.original_ends_on = contract.ends_on
        contract.prepared_by = by
        contract.prepared_at = current_time()
        contract.save()
        contract.tranches.all().delete()
        Tranche.objects.bulk_create(
            Tranche(
                contract=contract, position=index, due_on=row["due_on"], amount=row["amount"],
                condition=row["condition"],
                report_number=row.get("report_number")
                if row["condition"] == Tranche.Condition.REPORT_ACCEPTED else None,
            )
            for index, row in enumerate(tranches, start=1)
        )  # fmt: skip
        contract.deliverables.all().delete()
        Deliverable.objects.bulk_create(
            Deliverable(
                contract=contract, position=index, name=row["name"].strip()[:300],
                quantity_indicator=(row.get("quantity_indicator") or "").strip()[:300],
                quality_indicator=(row.get("quality_indicator") or "").strip()[:500],
            )
            for index, row in enumerate(
                [d for d in deliverables if (d.get("name") or "").strip()], start=1
            )
        )  # fmt: skip
        trail(
            locked, "prepare_contract", by=by, ip=ip, record=contract.number,
            data={"number": contract.number, "tranches": len(tranches),
                  "approved_amount": contract.approved_amount},
        )  # fmt: skip
    return contract


def signing_problems(proposal):
    """What keeps the prepared contract from being signed (the same checks, read back)."""
    contract = Contract.objects.filter(proposal=proposal).first()
    if contract is None or contract.prepared_at is None:
        return {"contract": [_("Prepare the contract first.")]}
    values = {key: getattr(contract, key) for key in CONTRACT_FIELDS}
    tranches = list(contract.tranches.values("due_on", "amount", "condition", "report_number"))
    deliverables = list(contract.deliverables.values("name"))
    return contract_problems(proposal, values, tranches, deliverables)


def sign_contract(proposal, *, by, ip=None, comment=""):
    """The contract is signed: the proposal moves funded → in_progress (through
    `grants.workflow`, under its lock), the report schedule is set, the trail written."""
    _require_officer(by)

    def apply(locked):
        contract = Contract.objects.select_for_update().get(proposal=locked)
        contract.signed_at = current_time()
        contract.signed_by = by
        contract.approved_amount = locked.approved_amount or 0
        contract.save()
        ProgressReport.objects.bulk_create(
            ProgressReport(
                contract=contract, number=number, period_start=begin, period_end=end, due_on=due
            )
            for number, begin, end, due in report_periods(
                contract.starts_on, contract.ends_on, contract.report_every_months
            )
        )
        trail(
            locked, "sign_contract", by=by, ip=ip, record=contract.number,
            source=ProposalState.FUNDED, target=ProposalState.IN_PROGRESS,
            data={"number": contract.number, "signed_on": contract.signed_on.isoformat()},
        )  # fmt: skip
        return {"contract_number": contract.number}

    return grants_workflow.sign_contract(
        proposal, by=by, ip=ip, comment=comment, guard=signing_problems, apply=apply
    )


# -- tranches -----------------------------------------------------------------------------------

# -- progress reports ---------------------------------------------------------------------------
# Circular 04/2015/TT-BKHCN (inspection of tasks) and the contract of Circular 05/2014: the
# investigator reports progress periodically by the contract's schedule (work done per product, indicators reached, spending of the state budget, problems
# and proposals); the Department accepts the report or sends it back to be corrected.

REPORT_EDITABLE = (ReportState.DRAFT, ReportState.RETURNED)


def _is_investigator(report, user):
    return user is not None and report.contract.proposal.owner_id == user.pk


def _require_investigator(report, user):
    if not _is_investigator(report, user):
        raise PermissionDenied(_("Only the principal investigator writes the progress reports."))


def _report_conflict(report):
    return StateConflict(
        _("This report is now “%(state)s”, so this action was not applied.")
        % {"state": report.get_state_display()}
    )


def report_problems(report):
    """What a report needs before it is submitted, by field: for every deliverable the work done
    and the indicators reached (`work-<id>`, `reached-<id>`); for every approved budget category
    the spending of the period as whole đồng, zero being a figure and a blank not
    (`spending-<category>`), and never more in total, with the earlier reports, than the
    category's approved budget (a reallocation is asked for on the changes page first);
    the problems met and the proposals (`problems`)."""
    errors = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    work = report.work or {}
    for deliverable in report.contract.deliverables.all():
        entry = work.get(str(deliverable.pk)) or {}
        if not (entry.get("work") or "").strip():
            add(f"work-{deliverable.pk}", _("Say what was done on this product in the period."))
        if not (entry.get("reached") or "").strip():
            add(
                f"reached-{deliverable.pk}",
                _("Say how far this product's indicators have been reached."),
            )
    spending = report.spending or {}
    for row in reporting.budget_rows(report):
        key = f"spending-{row['category']}"
        amount = spending.get(row["category"])
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            add(key, _("Enter the spending of the period (0 if nothing was spent)."))
        elif row["over"]:
            add(
                key,
                _(
                    "With the earlier reports this comes to %(total)s ₫, more than the %(approved)s"
                    " ₫ approved for this category: ask for a budget reallocation first."
                )
                % {
                    "total": group_thousands(row["total"]),
                    "approved": group_thousands(row["approved"]),
                },
            )
    if not (report.problems or "").strip():
        add("problems", _("Describe the problems met and your proposals (or write “none”)."))
    return errors


def _clean_draft(report, work, spending, problems):
    """The draft as it will be stored, and the errors by field (bad numbers, texts too long)."""
    errors = {}
    known = {str(d.pk) for d in report.contract.deliverables.all()}
    clean_work = {}
    for pk, entry in (work or {}).items():
        if str(pk) not in known or not isinstance(entry, dict):
            continue
        row = {}
        for part in ("work", "reached"):
            text = str(entry.get(part) or "").strip()
            if len(text) > reporting.TEXT_LIMIT:
                errors[f"{part}-{pk}"] = [
                    _("At most %(limit)s characters.") % {"limit": reporting.TEXT_LIMIT}
                ]
            row[part] = text
        clean_work[str(pk)] = row
    categories = reporting.approved_budget(report.contract)
    clean_spending = {}
    for category, raw in (spending or {}).items():
        if category not in categories:
            continue
        amount, error = reporting.parse_amount(raw)
        if error:
            errors[f"spending-{category}"] = [error]
        elif amount is not None:
            clean_spending[category] = amount
    problems = (problems or "").strip()
    if len(problems) > 10000:
        errors["problems"] = [_("At most %(limit)s characters.") % {"limit": 10000}]
    return {"work": clean_work, "spending": clean_spending, "problems": problems}, errors


def _locked_report(report):
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("contract__proposal")
        .get(pk=report.pk)
    )


def save_report_draft(report, *, by, work, spending, problems):
    """The investigator's draft of a report, saved as it stands (parts may still be missing; the
    page autosaves it). Drafts and returned reports only. Bad numbers and texts too long are
    refused by the field and nothing is saved. Drafts are not trail entries: only what reaches
    the Department is (submit, accept, return)."""
    with transaction.atomic():
        locked = _locked_report(report)
        _require_investigator(locked, by)
        if locked.state not in REPORT_EDITABLE:
            raise _report_conflict(locked)
        clean, errors = _clean_draft(locked, work, spending, problems)
        if errors:
            raise GuardFailed(errors)
        locked.work, locked.spending, locked.problems = (
            clean["work"], clean["spending"], clean["problems"],
        )  # fmt: skip
        locked.save(update_fields=["work", "spending", "problems", "updated_at"])
    return locked


def add_report_attachment(report, upload, *, by, label):
    """A file attached to a report being written (checked by its content: `core.files.check`)."""
    from core import files

    _require_investigator(report, by)  # before the file is read: strangers cost nothing
    label = (label or "").strip()
    errors = {}
    if not label:
        errors["label"] = [_("Say what this file is.")]
    elif len(label) > 200:
        errors["label"] = [_("At most %(limit)s characters.") % {"limit": 200}]
    checked = None
    if upload is None:
        errors["file"] = [_("Choose a file.")]
    else:
        try:
            checked = files.check(upload)
        except ValidationError as error:
            errors["file"] = [str(m) for m in error.messages]
    with transaction.atomic():
        locked = _locked_report(report)
        _require_investigator(locked, by)
        if locked.state not in REPORT_EDITABLE:
            raise _report_conflict(locked)
        if errors:
            raise GuardFailed(errors)
        attachment = ReportAttachment(report=locked, label=label, uploaded_by=by, sha256=checked[3])
        attachment.take(upload, checked)
        attachment.save()
    return attachment


def remove_report_attachment(attachment, *, by):
    """The investigator takes a file back while the report is still theirs to write."""
    with transaction.atomic():
        locked = _locked_report(attachment.report)
        _require_investigator(locked, by)
        if locked.state not in REPORT_EDITABLE:
            raise _report_conflict(locked)
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        # The stored file goes only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(name))


def _notify_report(locked, event):
    if grants_workflow.replaying():
        return
    from projects import tasks

    pk = locked.pk
    transaction.on_commit(lambda: tasks.notify_report.enqueue(pk, event))


def _fire_report(report, name, *, by, ip, allowed, denied, guard=None, apply=None, comment=""):
    def record(locked, source, data):
        trail(
            locked.contract.proposal_id, f"report_{name}", by=by, ip=ip,
            record=str(_("report %(number)s") % {"number": locked.number}),
            source=source, target=locked.state, comment=comment, data=data or {},
        )  # fmt: skip
        _notify_report(locked, name)

    return fire(
        ProgressReport.objects.select_related("contract__proposal"), report.pk, name,
        allowed=allowed, denied=denied, conflict=_report_conflict, guard=guard, apply=apply,
        record=record,
    )  # fmt: skip


def submit_report(report, *, by, ip=None):
    """The principal investigator sends the report to the Department (every part filled in:
    `report_problems`); the officers are told by e-mail."""

    def apply(locked):
        locked.submitted_at = current_time()
        locked.return_reason = ""
        return {"spent": reporting.spent_total(locked)}

    return _fire_report(
        report, "submit", by=by, ip=ip,
        allowed=lambda locked: _is_investigator(locked, by),
        denied=_("Only the principal investigator submits the progress reports."),
        guard=report_problems, apply=apply,
    )  # fmt: skip


def accept_report(report, *, by, ip=None, comment=""):
    """An officer accepts a submitted report (it may unlock a tranche); the investigator is
    told by e-mail."""

    def apply(locked):
        locked.decided_at = current_time()
        locked.decided_by = by

    return _fire_report(
        report, "accept", by=by, ip=ip,
        allowed=lambda locked: roles.has_role(by, roles.OFFICER),
        denied=_("Only an officer of the Department may do this."),
        apply=apply, comment=comment,
    )  # fmt: skip


def return_report(report, *, by, ip=None, comment=""):
    """Back to the investigator with the reason, to be corrected and submitted again."""

    def apply(locked):
        locked.decided_at = current_time()
        locked.decided_by = by
        locked.return_reason = comment.strip()

    return _fire_report(
        report, "return_report", by=by, ip=ip,
        allowed=lambda locked: roles.has_role(by, roles.OFFICER),
        denied=_("Only an officer of the Department may do this."),
        guard=lambda locked: required(comment, "comment", _("Say what the report must correct.")),
        apply=apply, comment=comment,
    )  # fmt: skip


# -- change requests ----------------------------------------------------------------------------

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
    """Write the project's append-only trail entry (call it inside the step's transaction).
    `record` is a short label ("report 2", a member's name): cut to the column's length so that
    a long name never fails a step (PostgreSQL refuses what SQLite would store); the full
    identities are in `data` and `actor`."""
    limit = ProjectEntry._meta.get_field("record").max_length
    return ProjectEntry.objects.create(
        proposal_id=getattr(proposal, "pk", proposal), action=action, record=str(record)[:limit],
        source=source, target=target, actor=by, ip=ip or None, comment=comment,
        data=data or {}, at=current_time(),
    )  # fmt: skip


def _require_officer(user, proposal=None):
    """An officer of the Department, and — for a step on a proposal — one who takes no part in
    it (not the applicant, on the team or of the host: `grants.rules.is_officer`)."""
    from grants import rules as grants_rules

    if not roles.has_role(user, roles.OFFICER):
        raise PermissionDenied(_("Only an officer of the Department may do this."))
    if proposal is not None and not grants_rules.is_officer(proposal, user):
        raise PermissionDenied(_("You take part in this proposal: another officer does this."))


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
    """The dossier's expected products as the first deliverables: one per line, or per item of a
    list written on one line and separated by semicolons ("02 giống lúa; 01 quy trình")."""
    import re

    rows = []
    for item in re.split(r"[;\n]", proposal.expected_products or ""):
        name = item.strip(" -•*\t.")
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
    _require_officer(by, proposal)
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
        from projects import inspection

        inspection.schedule(contract)  # one inspection a contract year (Circular 04/2015)
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

# The acceptance verdicts that unlock the last tranche (Circular 11/2014: "đạt" or "xuất sắc").
PASSING_VERDICTS = ("pass", "excellent")


def condition_text(tranche):
    """The tranche's condition in words, as the ledger and the contract say it."""
    if tranche.condition == Tranche.Condition.REPORT_ACCEPTED:
        return _("after progress report %(number)s is accepted") % {"number": tranche.report_number}
    if tranche.condition == Tranche.Condition.ACCEPTANCE_PASSED:
        return _("after the results pass the final acceptance")
    return _("on signing of the contract")


def condition_problems(tranche, contract=None, proposal=None):
    """Whether the tranche's own condition holds now: {} when it does, else {"condition": [why]}."""
    from projects.models import ReportState

    contract = contract or tranche.contract
    proposal = proposal or contract.proposal
    if not contract.is_signed:
        return {"condition": [_("The contract has not been signed.")]}
    if tranche.condition == Tranche.Condition.REPORT_ACCEPTED:
        accepted = ProgressReport.objects.filter(
            contract=contract, number=tranche.report_number, state=ReportState.ACCEPTED
        )
        if not accepted.exists():
            why = _("Progress report %(number)s has not been accepted yet.")
            return {"condition": [why % {"number": tranche.report_number}]}
    passed = proposal.acceptance_verdict in PASSING_VERDICTS
    if tranche.condition == Tranche.Condition.ACCEPTANCE_PASSED and not passed:
        return {"condition": [_("The results have not passed the final acceptance yet.")]}
    return {}


def release_problems(tranche, contract=None, proposal=None):
    """What keeps the tranche from being released now, by key (Circular 04/2015: funds follow the
    contract's schedule): already released (`tranche`), the task not running (`state`: in
    progress, or completed for the tranche after acceptance), the condition not met
    (`condition`). The payment order is checked apart (`payment_order_problems`)."""
    contract = contract or tranche.contract
    proposal = proposal or contract.proposal
    if tranche.is_released:
        return {"tranche": [_("This tranche has already been released.")]}
    errors = {}
    acceptance = tranche.condition == Tranche.Condition.ACCEPTANCE_PASSED
    running = proposal.state == ProposalState.IN_PROGRESS or (
        acceptance and proposal.state == ProposalState.COMPLETED
    )
    if proposal.state == ProposalState.COMPLETED and not running:
        errors["state"] = [
            _("The task is completed: only the tranche after acceptance is released now.")
        ]
    elif not running:
        errors["state"] = [
            _("Tranches are released while the task is in progress; it is now “%(state)s”.")
            % {"state": proposal.get_state_display()}
        ]
    errors.update(condition_problems(tranche, contract, proposal))
    return errors


def payment_order_problems(contract, number, day, today=None):
    """The payment order (lệnh chi) that pays the tranche: its number, and its date between the
    contract's signing and today."""
    errors = {}
    number = (number or "").strip()
    if not number:
        errors["payment_order_number"] = [_("Enter the payment order's number.")]
    elif len(number) > Tranche._meta.get_field("payment_order_number").max_length:
        errors["payment_order_number"] = [_("The payment order's number is at most 40 characters.")]
    today = today or timezone.localdate(current_time())
    if not isinstance(day, datetime.date):
        errors["payment_order_date"] = [_("Enter the payment order's date.")]
    elif contract.signed_on and day < contract.signed_on:
        errors["payment_order_date"] = [
            _("The payment order cannot be dated before the contract was signed (%(day)s).")
            % {"day": contract.signed_on.strftime("%d/%m/%Y")}
        ]
    elif day > today:
        errors["payment_order_date"] = [_("The payment order cannot be dated in the future.")]
    return errors


def _tranche_conflict(tranche):
    return StateConflict(
        _("Tranche %(position)s was already released on %(day)s (payment order %(number)s), so "
          "it was not released again.")
        % {
            "position": tranche.position,
            "day": timezone.localtime(tranche.released_at).strftime("%d/%m/%Y %H:%M"),
            "number": tranche.payment_order_number,
        }
    )  # fmt: skip


def release_tranche(tranche, *, by, ip=None, payment_order_number, payment_order_date):
    """An officer releases a tranche whose condition holds, recording the payment order
    (Circular 04/2015; the contract's schedule, Circular 05/2014).

    Under the contract's row lock (then the tranche's) the conditions are read again and the
    amount is added to the running total with an F() update, so that the database's check
    constraint `contract_released_within_approved` is the last guard: however two requests
    interleave, the released total never passes the approved amount. Of two officers releasing
    the same tranche at once, the second waits for the first and gets StateConflict."""
    # Imported here so that this section stands on its own beside the others of the module.
    from django.db import IntegrityError, OperationalError
    from django.db.models import F

    from core.text import vnd
    from core.transitions import BUSY, is_lock_wait
    from grants import rules as grants_rules

    contract = Contract.objects.select_related("proposal").get(pk=tranche.contract_id)
    if not roles.has_role(by, roles.OFFICER):
        raise PermissionDenied(_("Only an officer of the Department may do this."))
    if grants_rules.takes_part(contract.proposal, by):
        raise PermissionDenied(
            _("You take part in this task: another officer releases its tranches.")
        )
    number = (payment_order_number or "").strip()
    locked = None
    try:
        with transaction.atomic():
            contract = (
                Contract.objects.select_for_update(of=("self",))
                .select_related("proposal")
                .get(pk=tranche.contract_id)
            )
            locked = Tranche.objects.select_for_update().get(pk=tranche.pk)
            if locked.is_released:
                raise _tranche_conflict(locked)
            errors = release_problems(locked, contract, contract.proposal)
            errors.update(payment_order_problems(contract, number, payment_order_date))
            if errors:
                raise GuardFailed(errors)
            try:
                with transaction.atomic():
                    Contract.objects.filter(pk=contract.pk).update(
                        released_amount=F("released_amount") + locked.amount
                    )
            except IntegrityError as error:
                raise GuardFailed(
                    {
                        "amount": [
                            _("Releasing %(amount)s would take the released total past the "
                              "approved %(approved)s: nothing was released.")
                            % {"amount": vnd(locked.amount), "approved": vnd(contract.approved_amount)}
                        ]
                    }
                ) from error  # fmt: skip
            locked.released_at = current_time()
            locked.released_by = by
            locked.payment_order_number = number
            locked.payment_order_date = payment_order_date
            locked.save(
                update_fields=[
                    "released_at", "released_by", "payment_order_number", "payment_order_date"
                ]
            )  # fmt: skip
            contract.refresh_from_db(fields=["released_amount"])
            trail(
                contract.proposal, "release_tranche", by=by, ip=ip,
                record=str(_("tranche %(position)s") % {"position": locked.position}),
                data={
                    "position": locked.position, "amount": locked.amount,
                    "payment_order_number": number,
                    "payment_order_date": payment_order_date.isoformat(),
                    "released_amount": contract.released_amount,
                },
            )  # fmt: skip
            if not grants_workflow.replaying():
                from projects import tranche_notices

                pk = locked.pk
                transaction.on_commit(lambda: tranche_notices.notify_release.enqueue(pk))
    except OperationalError as error:
        if not is_lock_wait(error):
            raise
        raise StateConflict(str(BUSY)) from error
    locked.contract = contract
    return locked


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


def period_problems(report, today=None):
    """A periodic report covers a period that has ended (Circular 04/2015: the periodic report
    is sent after its period, by the due date `report_periods` sets 15 days after the period's
    last day). It may be sent from the day after `period_end`, in An Giang's calendar; on the
    period's last day the period is still running, and the 15 days before the end are not
    allowed either: what a report says of the period must be what was done in all of it."""
    today = today or _today()
    if today > report.period_end:
        return {}
    return {
        "period": [
            _("This report covers the period up to %(end)s: it can be submitted from %(day)s.")
            % {
                "end": _day(report.period_end),
                "day": _day(report.period_end + datetime.timedelta(days=1)),
            }
        ]
    }


def submit_report(report, *, by, ip=None):
    """The principal investigator sends the report to the Department once its period has ended
    (`period_problems`) with every part filled in (`report_problems`); the officers are told by
    e-mail."""

    def guard(locked):
        return period_problems(locked) | report_problems(locked)

    def apply(locked):
        locked.submitted_at = current_time()
        locked.return_reason = ""
        return {"spent": reporting.spent_total(locked)}

    return _fire_report(
        report, "submit", by=by, ip=ip,
        allowed=lambda locked: _is_investigator(locked, by),
        denied=_("Only the principal investigator submits the progress reports."),
        guard=guard, apply=apply,
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

from core.text import fold  # noqa: E402  (this section's own imports, kept with it)
from grants import rules  # noqa: E402
from projects.models import ChangeRequest, ChangeState, ReportState  # noqa: E402

# Circular 04/2015/TT-BKHCN: one extension at most, up to 12 months for a task longer than 24
# months and up to 6 otherwise, asked at least a month before the end. The portal's own rule for
# reallocations (docs/decisions/0006-project-changes.md): over the contract's life the approved
# reallocations move at most a tenth of the approved amount into other categories.
LONG_TASK_MONTHS = 24
LONG_EXTENSION_MONTHS = 12
SHORT_EXTENSION_MONTHS = 6
ASK_MONTHS_BEFORE_END = 1
REALLOCATION_SHARE = (1, 10)
SPENDING_REPORTED = (ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.RETURNED)


def _today():
    return timezone.localdate(current_time())


def _day(value):
    return value.strftime("%d/%m/%Y")


def is_long_task(contract):
    """Longer than 24 months, from the start to the end first signed: 01/01/2027 → 31/12/2028
    is 24 months (not longer); one day more is longer."""
    ends = contract.original_ends_on or contract.ends_on
    return ends >= add_months(contract.starts_on, LONG_TASK_MONTHS)


def extension_window(contract):
    """When an extension may be asked (`ask_by`, inclusive) and the latest end it may reach."""
    months = LONG_EXTENSION_MONTHS if is_long_task(contract) else SHORT_EXTENSION_MONTHS
    ends = contract.ends_on
    return {
        "months": months,
        "ask_by": add_months(ends, -ASK_MONTHS_BEFORE_END),
        # The same day-before-the-anniversary shape as the contract's own end date.
        "latest": add_months(ends + datetime.timedelta(days=1), months)
        - datetime.timedelta(days=1),
    }


def _base_budget(proposal, approved):
    """The approved budget per category: the appraised lines (the requested ones when no
    appraisal was recorded), scaled to the `approved` amount when the decision cut it further
    (largest remainders, so the categories still add up to the approved amount exactly)."""
    from grants.models import AppraisalLine, BudgetLine

    lines = list(
        AppraisalLine.objects.filter(appraisal__proposal=proposal).values_list(
            "budget_line__category", "amount"
        )
    ) or list(BudgetLine.objects.filter(proposal=proposal).values_list("category", "amount"))
    base = {}
    for category, amount in lines:
        base[category] = base.get(category, 0) + amount
    order = {value: index for index, value in enumerate(BudgetLine.Category.values)}
    base = dict(sorted(base.items(), key=lambda item: order.get(item[0], len(order))))
    total = sum(base.values())
    if not approved or not total or total == approved:
        return base
    shares = {key: divmod(amount * approved, total) for key, amount in base.items()}
    scaled = {key: whole for key, (whole, _rest) in shares.items()}
    left = approved - sum(scaled.values())
    for key in sorted(shares, key=lambda key: -shares[key][1])[:left]:
        scaled[key] += 1
    return scaled


def approved_budget(contract):
    """The contract's budget per category after its approved reallocations: what the
    progress reports' spending is measured against. {category: whole VND}."""
    budget = _base_budget(
        contract.proposal, contract.approved_amount or contract.proposal.approved_amount
    )
    for moves in contract.changes.filter(
        kind=ChangeRequest.Kind.REALLOCATION, state=ChangeState.APPROVED
    ).values_list("reallocation", flat=True):
        for category, amount in moves.items():
            budget[category] = budget.get(category, 0) + amount
    return budget


def reported_spending(contract):
    """What the reports sent to the Department say was spent, per category, so far."""
    spent = {}
    for spending in contract.reports.filter(state__in=SPENDING_REPORTED).values_list(
        "spending", flat=True
    ):
        for category, amount in (spending or {}).items():
            if isinstance(amount, int):
                spent[category] = spent.get(category, 0) + amount
    return spent


def _moved(moves):
    return sum(amount for amount in moves.values() if amount > 0)


def extension_problems(contract, new_ends_on, *, asking):
    """An extension: a new end after the current one, within 6 months (12 for a task longer
    than 24 months), asked at least a month before the current end (checked when `asking`),
    and at most one per contract (Circular 04/2015; a second pending one is refused by
    `request_change`, one request of each kind at a time)."""
    errors = {}
    others = contract.changes.filter(kind=ChangeRequest.Kind.EXTENSION)
    if others.filter(state=ChangeState.APPROVED).exists():
        errors["kind"] = [_("This contract has already been extended once; no second extension.")]
        return errors
    window = extension_window(contract)
    if asking and _today() > window["ask_by"]:
        errors["new_ends_on"] = [
            _("An extension is asked at least a month before the end: the last day was %(day)s.")
            % {"day": _day(window["ask_by"])}
        ]
        return errors
    if new_ends_on is None:
        errors["new_ends_on"] = [_("Enter the new end date.")]
    elif new_ends_on <= contract.ends_on:
        errors["new_ends_on"] = [
            _("The new end date must be after the current end date, %(day)s.")
            % {"day": _day(contract.ends_on)}
        ]
    elif new_ends_on > window["latest"]:
        errors["new_ends_on"] = [
            _("This task may be extended by at most %(months)s months: until %(day)s.")
            % {"months": window["months"], "day": _day(window["latest"])}
        ]
    return errors


def reallocation_problems(contract, moves, *, exclude=None):
    """A reallocation: whole đồng moved between the budget's own categories, adding up to zero,
    leaving no category below zero or below what the reports already say was spent, and, with
    the approved ones before it, moving at most 10 % of the approved amount (decision 0006)."""
    errors = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    budget = approved_budget(contract)
    spent = reported_spending(contract)
    moves = moves or {}
    for category, amount in moves.items():
        key = f"reallocation-{category}"
        if category not in budget:
            add("reallocation", _("Only the categories of the approved budget can be changed."))
        elif not isinstance(amount, int) or isinstance(amount, bool):
            add(key, _("Enter a whole number of đồng (negative to take money out)."))
        elif budget[category] + amount < 0:
            add(
                key,
                _("This would leave the category below zero (it has %(amount)s ₫).")
                % {"amount": group_thousands(budget[category])},
            )
        elif budget[category] + amount < spent.get(category, 0):
            add(
                key,
                _("The reports already spent %(amount)s ₫ in this category.")
                % {"amount": group_thousands(spent[category])},
            )
    if errors:
        return errors
    changed = {key: amount for key, amount in moves.items() if amount}
    if len(changed) < 2:
        add("reallocation", _("Move money from at least one category to another."))
        return errors
    total = sum(changed.values())
    if total:
        add(
            "reallocation",
            _("The changes must add up to zero; they add up to %(total)s ₫.")
            % {"total": group_thousands(total)},
        )
        return errors
    before = sum(
        _moved(m)
        for m in contract.changes.filter(
            kind=ChangeRequest.Kind.REALLOCATION, state=ChangeState.APPROVED
        )
        .exclude(pk=exclude)
        .values_list("reallocation", flat=True)
    )
    numerator, denominator = REALLOCATION_SHARE
    ceiling = contract.approved_amount * numerator // denominator
    if before + _moved(changed) > ceiling:
        add(
            "reallocation",
            _(
                "Reallocations may move at most %(ceiling)s ₫ (10 %% of the approved amount) "
                "over the contract; %(before)s ₫ were moved already."
            )
            % {"ceiling": group_thousands(ceiling), "before": group_thousands(before)},
        )
    return errors


def investigator_problems(contract, name):
    name = (name or "").strip()
    if not name:
        return {"new_investigator": [_("Enter the name of the new principal investigator.")]}
    if fold(" ".join(name.split())) == fold(" ".join(contract.principal_investigator.split())):
        return {"new_investigator": [_("This is already the principal investigator.")]}
    return {}


def change_problems(contract, change, *, asking):
    """The rules of the change's kind, by field (asked, and again when it is decided)."""
    if change.kind == ChangeRequest.Kind.EXTENSION:
        return extension_problems(contract, change.new_ends_on, asking=asking)
    if change.kind == ChangeRequest.Kind.REALLOCATION:
        return reallocation_problems(contract, change.reallocation, exclude=change.pk)
    return investigator_problems(contract, change.new_investigator)


def _change_record(change):
    return str(_("change %(number)s") % {"number": change.pk})


def _notify_change(change_id, event):
    if grants_workflow.replaying():
        return
    from projects import change_tasks

    transaction.on_commit(lambda: change_tasks.notify_change.enqueue(change_id, event))


def request_change(
    contract, *, by, ip=None, kind, reason, new_ends_on=None, reallocation=None,
    new_investigator="",
):  # fmt: skip
    """The principal investigator (the proposal's owner) asks for a change of a running task:
    an extension of the end date, a reallocation between budget categories, or a new principal
    investigator (Circular 04/2015). Checked by the rules of its kind; the managers are told."""
    proposal = contract.proposal
    if by is None or proposal.owner_id != by.pk:
        raise PermissionDenied(_("Only the principal investigator asks for changes to the task."))
    with transaction.atomic():
        locked_proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
        if locked_proposal.state != ProposalState.IN_PROGRESS:
            raise StateConflict(
                _("This proposal is now “%(state)s”: changes are asked while the task runs.")
                % {"state": locked_proposal.get_state_display()}
            )
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        change = ChangeRequest(
            contract=locked, kind=kind, reason=(reason or "").strip(), requested_by=by,
            requested_at=current_time(),
            new_ends_on=new_ends_on if kind == ChangeRequest.Kind.EXTENSION else None,
            reallocation=dict(reallocation or {}) if kind == ChangeRequest.Kind.REALLOCATION else {},
            new_investigator=" ".join((new_investigator or "").split())
            if kind == ChangeRequest.Kind.INVESTIGATOR else "",
        )  # fmt: skip
        errors = {}
        if kind not in ChangeRequest.Kind.values:
            errors["kind"] = [_("Choose the kind of change.")]
        else:
            if locked.changes.filter(kind=kind, state=ChangeState.REQUESTED).exists():
                errors["kind"] = [_("A request of this kind is already waiting for a decision.")]
            else:
                errors = change_problems(locked, change, asking=True)
        errors.update(required(change.reason, "reason", _("Say why the change is needed.")))
        if len(change.reason) > 5000:
            errors["reason"] = [_("Keep the reason under 5,000 characters.")]
        if len(change.new_investigator) > 150:
            errors["new_investigator"] = [_("A name has at most 150 characters.")]
        if errors:
            raise GuardFailed(errors)
        if kind == ChangeRequest.Kind.REALLOCATION:
            change.reallocation = {k: v for k, v in change.reallocation.items() if v}
        change.save()
        trail(
            locked_proposal, "change_request", by=by, ip=ip, record=_change_record(change),
            target=change.state, comment=change.reason, data=_change_data(locked, change),
        )  # fmt: skip
        _notify_change(change.pk, "requested")
    return change


def _change_data(contract, change):
    data = {"kind": change.kind}
    if change.kind == ChangeRequest.Kind.EXTENSION:
        data.update(
            ends_on=contract.ends_on.isoformat(), new_ends_on=change.new_ends_on.isoformat()
        )
    elif change.kind == ChangeRequest.Kind.REALLOCATION:
        data["reallocation"] = change.reallocation
    else:
        data.update(
            principal_investigator=contract.principal_investigator,
            new_investigator=change.new_investigator,
        )
    return data


def may_decide_change(change, user):
    """A manager of the Department who takes no part in the proposal (the role; four-eyes is
    the guard, with its reasons)."""
    return rules.is_manager(change.contract.proposal, user)


def change_four_eyes_problems(contract, by):
    """DESIGN.md's four-eyes rule for a change: the deciding manager did not prepare or sign
    its contract, nor screen, seat the council of or appraise the dossier (`rules.prepared_by`)."""
    reasons = [str(reason) for reason in rules.prepared_by(contract.proposal, by)]
    prepared = str(_("You prepared its contract."))
    if contract.prepared_by_id == by.pk and prepared not in reasons:
        reasons.append(prepared)
    signed = str(_("You recorded its contract."))
    if contract.signed_by_id == by.pk and signed not in reasons:
        reasons.append(signed)
    if not reasons:
        return {}
    return {"four_eyes": [_("You prepared this dossier; another manager must decide."), *reasons]}


def _fire_change(change, name, *, by, ip, comment, guard=None, apply=None, after=None):
    def locked_contract(locked):
        proposal = Proposal.objects.select_for_update(of=("self",)).get(
            pk=locked.contract.proposal_id
        )
        if proposal.state != ProposalState.IN_PROGRESS:
            raise StateConflict(
                _("This proposal is now “%(state)s”, so this action was not applied.")
                % {"state": proposal.get_state_display()}
            )
        contract = Contract.objects.select_for_update().get(pk=locked.contract_id)
        contract.proposal = proposal
        return contract

    def check(locked):
        contract = locked_contract(locked)
        errors = change_four_eyes_problems(contract, by)
        for key, messages in (guard(contract, locked) if guard else {}).items():
            errors.setdefault(key, []).extend(messages)
        locked._locked_contract = contract
        return errors

    def apply_all(locked):
        locked.decided_by = by
        locked.decided_at = current_time()
        locked.decision_reason = comment.strip()
        return apply(locked._locked_contract, locked) if apply else None

    def record(locked, source, data):
        trail(
            locked.contract.proposal_id, f"change_{name}", by=by, ip=ip,
            record=_change_record(locked), source=source, target=locked.state,
            comment=locked.decision_reason,
            data={"kind": locked.kind, **(data or {})},
        )  # fmt: skip
        if after:
            after(locked._locked_contract, locked, data or {})
        _notify_change(locked.pk, name)

    def conflict(locked):
        return StateConflict(
            _("This change request is now “%(state)s”, so this action was not applied.")
            % {"state": locked.get_state_display()}
        )

    return fire(
        ChangeRequest.objects.select_related("contract__proposal"), change.pk, name,
        allowed=lambda locked: may_decide_change(locked, by),
        denied=_("Only a manager of the Department who takes no part in it decides a change."),
        conflict=conflict, guard=check, apply=apply_all, record=record,
    )  # fmt: skip


def approve_change(change, *, by, ip=None, comment=""):
    """A manager approves the change, which applies under the contract's row lock: an extension
    moves `ends_on` (the original end stays) and the schedule with it (`move_schedule`); a new
    investigator goes on the contract; a reallocation changes `approved_budget`."""

    def guard(contract, locked):
        return change_problems(contract, locked, asking=False)

    def apply(contract, locked):
        data = {}
        if locked.kind == ChangeRequest.Kind.EXTENSION:
            old_end = contract.ends_on
            data = {"ends_on": old_end.isoformat()}
            if contract.original_ends_on is None:
                contract.original_ends_on = old_end
            contract.ends_on = locked.new_ends_on
            contract.save(update_fields=["ends_on", "original_ends_on"])
            data["new_ends_on"] = contract.ends_on.isoformat()
            data.update(move_schedule(contract, old_end))
        elif locked.kind == ChangeRequest.Kind.INVESTIGATOR:
            data = {"principal_investigator": contract.principal_investigator}
            contract.principal_investigator = locked.new_investigator
            contract.save(update_fields=["principal_investigator"])
            data["new_investigator"] = contract.principal_investigator
        else:
            before = approved_budget(contract)
            after = {k: v + locked.reallocation.get(k, 0) for k, v in before.items()}
            data = {"reallocation": locked.reallocation, "budget_before": before,
                    "budget_after": after}  # fmt: skip
        return data

    def after(contract, locked, data):
        if locked.kind == ChangeRequest.Kind.EXTENSION:
            trail_schedule(contract, data, by=by, ip=ip)

    return _fire_change(
        change, "approve", by=by, ip=ip, comment=comment, guard=guard, apply=apply, after=after
    )


def move_schedule(contract, old_end):
    """The schedule follows an approved extension (Circular 04/2015; contract of Circular
    05/2014), under the contract's row lock the caller holds:

    - the reports still the investigator's to send (draft, returned) take the periods and due
      dates `report_periods` gives for the new end, and the periods the longer task adds are
      added; submitted and accepted reports are left as they were sent;
    - the tranches not yet released that were due on or after the old end (the money of the
      task's end) move by the extension's span in days; those due before it keep their date;
    - the annual inspections not yet recorded follow the new end (`projects.inspection`).

    Returns what moved, for the trail: {reports_added, reports_moved, tranches_moved,
    inspections_moved}."""
    from projects import inspection

    span = contract.ends_on - old_end
    schedule = {
        number: (begin, end, due)
        for number, begin, end, due in report_periods(
            contract.starts_on, contract.ends_on, contract.report_every_months
        )
    }
    reports = {r.number: r for r in contract.reports.select_for_update()}
    moved_reports = []
    for number, report in sorted(reports.items()):
        period = schedule.get(number)
        if report.state not in REPORT_EDITABLE or period is None:
            continue
        if (report.period_start, report.period_end, report.due_on) == period:
            continue
        moved_reports.append(
            {
                "number": number,
                "due_on": report.due_on.isoformat(),
                "new_due_on": period[2].isoformat(),
            }
        )
        report.period_start, report.period_end, report.due_on = period
        report.save(update_fields=["period_start", "period_end", "due_on", "updated_at"])
    added = [
        ProgressReport(
            contract=contract, number=number, period_start=begin, period_end=end, due_on=due
        )
        for number, (begin, end, due) in sorted(schedule.items())
        if number not in reports
    ]
    ProgressReport.objects.bulk_create(added)
    moved_tranches = []
    for tranche in contract.tranches.select_for_update().filter(
        released_at__isnull=True, due_on__gte=old_end
    ):
        moved_tranches.append(
            {
                "position": tranche.position,
                "due_on": tranche.due_on.isoformat(),
                "new_due_on": (tranche.due_on + span).isoformat(),
            }
        )
        tranche.due_on += span
        tranche.save(update_fields=["due_on"])
    return {
        "reports_added": [r.number for r in added],
        "reports_added_due": [r.due_on.isoformat() for r in added],
        "reports_moved": moved_reports,
        "tranches_moved": moved_tranches,
        "inspections_moved": inspection.reschedule(contract),
    }


def trail_schedule(contract, data, *, by, ip=None):
    """The trail entry that says, in words and in `data`, how an extension moved the schedule."""
    words = [
        _("End date %(before)s → %(after)s.")
        % {"before": _iso_day(data["ends_on"]), "after": _iso_day(data["new_ends_on"])}
    ]
    for number, due in zip(data["reports_added"], data["reports_added_due"], strict=True):
        words.append(
            _("Progress report %(number)s added, due %(day)s.")
            % {"number": number, "day": _iso_day(due)}
        )
    for row in data["reports_moved"]:
        words.append(
            _("Progress report %(number)s now due %(after)s (was %(before)s).")
            % {"number": row["number"], "after": _iso_day(row["new_due_on"]),
               "before": _iso_day(row["due_on"])}
        )  # fmt: skip
    for row in data["tranches_moved"]:
        words.append(
            _("Tranche %(position)s now due %(after)s (was %(before)s).")
            % {"position": row["position"], "after": _iso_day(row["new_due_on"]),
               "before": _iso_day(row["due_on"])}
        )  # fmt: skip
    for row in data["inspections_moved"]:
        if row["due_on"] is None:
            words.append(
                _("Inspection of year %(year)s added, due %(day)s.")
                % {"year": row["year"], "day": _iso_day(row["new_due_on"])}
            )
        else:
            words.append(
                _("Inspection of year %(year)s now due %(after)s (was %(before)s).")
                % {"year": row["year"], "after": _iso_day(row["new_due_on"]),
                   "before": _iso_day(row["due_on"])}
            )  # fmt: skip
    keys = ("ends_on", "new_ends_on", "reports_added", "reports_moved", "tranches_moved",
            "inspections_moved")  # fmt: skip
    return trail(
        contract.proposal_id, "move_schedule", by=by, ip=ip, record=contract.number,
        comment=" ".join(str(w) for w in words), data={key: data[key] for key in keys},
    )  # fmt: skip


def _iso_day(value):
    return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")


def refuse_change(change, *, by, ip=None, comment):
    """A manager refuses the change, with the reason the investigator is told."""
    return _fire_change(
        change, "refuse", by=by, ip=ip, comment=comment,
        guard=lambda contract, locked: required(
            comment, "comment", _("Give the reason for refusing the change.")
        ),
    )  # fmt: skip

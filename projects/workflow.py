"""Every step of a funded task's execution, in one place, for views, the API and commands alike.

Each function takes the record, the acting user and the request's IP, and then, inside one
transaction with the row locked: checks the role (PermissionDenied), the state (StateConflict),
the guard (GuardFailed with messages by field), applies the change, writes the append-only
`ProjectEntry` the proposal's timeline shows, and queues its notice once the transaction commits.
The proposal's own transitions (funded → in_progress …) are fired through `grants.workflow`.
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import roles
from core.text import group_thousands
from core.transitions import GuardFailed, WorkflowError, fire, required
from grants import workflow as grants_workflow
from grants.models import Proposal, ProposalState
from grants.workflow import current_time
from projects.models import (
    Contract,
    Deliverable,
    ProgressReport,
    ProjectEntry,
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


def _is_investigator(report, user):
    return user is not None and report.contract.proposal.owner_id == user.pk


def report_problems(report):
    """What a report needs before it is submitted: work done on every deliverable, and spending
    per budget category as whole đồng (zero is a figure; a blank is not)."""
    errors = {}
    work = report.work or {}
    for deliverable in report.contract.deliverables.all():
        entry = work.get(str(deliverable.pk)) or {}
        if not (entry.get("work") or "").strip():
            errors.setdefault(f"work-{deliverable.pk}", []).append(
                _("Say what was done on this product in the period.")
            )
    spending = report.spending or {}
    if not spending:
        errors["spending"] = [_("Enter the spending of the period by budget category.")]
    elif not all(isinstance(v, int) and v >= 0 for v in spending.values()):
        errors["spending"] = [_("Spending is a whole number of đồng, zero or more.")]
    return errors


def _fire_report(report, name, *, by, ip, allowed, denied, guard=None, apply=None, comment=""):
    def record(locked, source, data):
        trail(
            locked.contract.proposal_id, f"report_{name}", by=by, ip=ip,
            record=str(_("report %(number)s") % {"number": locked.number}),
            source=source, target=locked.state, comment=comment, data=data or {},
        )  # fmt: skip

    def conflict(locked):
        return StateConflict(
            _("This report is now “%(state)s”, so this action was not applied.")
            % {"state": locked.get_state_display()}
        )

    return fire(
        ProgressReport.objects.select_related("contract__proposal"), report.pk, name,
        allowed=allowed, denied=denied, conflict=conflict, guard=guard, apply=apply,
        record=record,
    )  # fmt: skip


def submit_report(report, *, by, ip=None):
    """The principal investigator sends the report to the Department."""

    def apply(locked):
        locked.submitted_at = current_time()
        locked.return_reason = ""

    return _fire_report(
        report, "submit", by=by, ip=ip,
        allowed=lambda locked: _is_investigator(locked, by),
        denied=_("Only the principal investigator submits the progress reports."),
        guard=report_problems, apply=apply,
    )  # fmt: skip


def accept_report(report, *, by, ip=None, comment=""):
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

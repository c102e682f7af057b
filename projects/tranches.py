"""The tranches of a signed contract: each is released, with its payment order, once its
condition holds (on signing, after a progress report is accepted, after the final acceptance;
Circular 04/2015 and the contract's schedule of Circular 05/2014)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import roles
from core.transitions import GuardFailed
from grants.models import ProposalState
from grants.workflow import current_time
from projects.models import Contract, ProgressReport, Tranche
from projects.workflow import StateConflict, notice_on_commit, trail

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
            from projects import tranche_notices

            notice_on_commit(tranche_notices.notify_release, locked.pk)
    except OperationalError as error:
        if not is_lock_wait(error):
            raise
        raise StateConflict(str(BUSY)) from error
    locked.contract = contract
    return locked

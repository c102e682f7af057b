"""After a `fail` verdict of the acceptance council: a manager terminates the task and records
the refund obligation (hoàn trả kinh phí, Circular 11/2014/TT-BKHCN) in the same transaction as
`grants.workflow.terminate` (in_progress → terminated, four-eyes, the reason required)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core import roles
from core.text import group_thousands
from grants import workflow as grants_workflow
from grants.models import ProposalState
from projects import reporting
from projects.acceptance import NOTE_LIMIT, lock_acceptance, too_long
from projects.models import AcceptanceState, Contract, Grade
from projects.workflow import trail


def parse_refund(value):
    """(amount, error): whole đồng ≥ 0 from an int or a typed text ("15.000.000")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("Enter the amount to refund, in whole đồng (0 if nothing is refunded).")
    amount, error = reporting.parse_amount(value)
    if error or amount is None:
        return None, _("Enter the amount in whole đồng, for example 15.000.000.")
    return amount, None


def refund_problems(acceptance, contract, refund_amount, refund_note):
    """The refund obligation of a failed task (Circular 11/2014: a task that fails refunds the
    state budget it received, in full or in part as the Department decides): at most what was
    released to it, and the note saying how and by when."""
    errors = {}
    amount, error = parse_refund(refund_amount)
    if error:
        errors["refund_amount"] = [error]
    elif amount > contract.released_amount:
        errors["refund_amount"] = [
            _("The refund cannot exceed what was released to the task: %(released)s ₫.")
            % {"released": group_thousands(contract.released_amount)}
        ]
    note = (refund_note or "").strip()
    if not note:
        errors["refund_note"] = [_("Say how and by when the budget is to be refunded.")]
    elif len(note) > NOTE_LIMIT:
        errors["refund_note"] = [too_long(NOTE_LIMIT)]
    return errors, amount


def terminate_after_failure(
    acceptance, *, by, reason, refund_amount, refund_note, ip=None
):  # fmt: skip
    """A manager terminates a task whose results the acceptance council failed, recording the
    refund obligation (Circular 11/2014: a failed task refunds its budget) on the acceptance in
    the same transaction as `grants.workflow.terminate` (in_progress → terminated, four-eyes,
    the reason required), under the proposal's row lock."""
    if not roles.has_role(by, roles.MANAGER):
        raise PermissionDenied(_("Only a manager of the Department terminates a task."))
    note = (refund_note or "").strip()
    state = {}

    def guard(proposal):
        locked = lock_acceptance(acceptance)
        contract = Contract.objects.select_for_update(of=("self",)).get(pk=locked.contract_id)
        state.update(acceptance=locked, contract=contract)
        errors = {}
        if locked.state != AcceptanceState.DECIDED or locked.verdict != Grade.FAIL:
            errors["verdict"] = [
                _("Only a task whose results the acceptance council failed is terminated here.")
            ]
        problems, amount = refund_problems(locked, contract, refund_amount, note)
        errors.update(problems)
        state["amount"] = amount
        return errors

    def apply(proposal):
        locked, contract, amount = state["acceptance"], state["contract"], state["amount"]
        locked.refund_amount = amount
        locked.refund_note = note
        locked.save(update_fields=["refund_amount", "refund_note", "updated_at"])
        data = {
            "refund_amount": amount,
            "released_amount": contract.released_amount,
            "verdict": locked.verdict,
        }
        trail(
            proposal, "acceptance_refund", by=by, ip=ip, record=str(_("final acceptance")),
            source=ProposalState.IN_PROGRESS, target=ProposalState.TERMINATED,
            comment=note, data=data,
        )  # fmt: skip
        return data

    return grants_workflow.terminate(
        acceptance.contract.proposal, by=by, ip=ip, comment=(reason or "").strip(),
        guard=guard, apply=apply,
    )  # fmt: skip

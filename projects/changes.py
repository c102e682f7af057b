"""Changes to a running task (Circular 04/2015/TT-BKHCN): the principal investigator asks for an
extension of the end date, a reallocation between budget categories or a new principal
investigator; a manager who did not prepare the dossier approves or refuses it (four-eyes), and
an approved change applies under the contract's lock."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.text import fold, group_thousands
from core.transitions import GuardFailed, fire, required
from grants import rules
from grants.models import Proposal, ProposalState
from grants.workflow import current_time
from projects.models import ChangeRequest, ChangeState, Contract
from projects.reporting import approved_budget, reported_spending
from projects.schedule import move_schedule, trail_schedule
from projects.workflow import (
    StateConflict,
    add_months,
    format_day,
    local_today,
    notice_on_commit,
    trail,
)

# Circular 04/2015/TT-BKHCN: one extension at most, up to 12 months for a task longer than 24
# months and up to 6 otherwise, asked at least a month before the end. The portal's own rule for
# reallocations (docs/decisions/0006-project-changes.md): over the contract's life the approved
# reallocations move at most a tenth of the approved amount into other categories.
LONG_TASK_MONTHS = 24
LONG_EXTENSION_MONTHS = 12
SHORT_EXTENSION_MONTHS = 6
ASK_MONTHS_BEFORE_END = 1
REALLOCATION_SHARE = (1, 10)


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
    if asking and local_today() > window["ask_by"]:
        errors["new_ends_on"] = [
            _("An extension is asked at least a month before the end: the last day was %(day)s.")
            % {"day": format_day(window["ask_by"])}
        ]
        return errors
    if new_ends_on is None:
        errors["new_ends_on"] = [_("Enter the new end date.")]
    elif new_ends_on <= contract.ends_on:
        errors["new_ends_on"] = [
            _("The new end date must be after the current end date, %(day)s.")
            % {"day": format_day(contract.ends_on)}
        ]
    elif new_ends_on > window["latest"]:
        errors["new_ends_on"] = [
            _("This task may be extended by at most %(months)s months: until %(day)s.")
            % {"months": window["months"], "day": format_day(window["latest"])}
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
    from projects import change_tasks

    notice_on_commit(change_tasks.notify_change, change_id, event)


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


def refuse_change(change, *, by, ip=None, comment):
    """A manager refuses the change, with the reason the investigator is told."""
    return _fire_change(
        change, "refuse", by=by, ip=ip, comment=comment,
        guard=lambda contract, locked: required(
            comment, "comment", _("Give the reason for refusing the change.")
        ),
    )  # fmt: skip

"""/proposals/<id>/changes/: the principal investigator asks for a change of the running task;
a manager approves or refuses it. Every rule is `projects.changes`'; this page reads the form,
calls it and shows what it said, by field."""

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import roles
from core.http import client_ip
from grants import rules
from grants.models import BudgetLine, Proposal, ProposalState
from projects.changes import (
    approve_change,
    change_four_eyes_problems,
    extension_window,
    may_decide_change,
    refuse_change,
    request_change,
)
from projects.models import ChangeRequest, ChangeState, Contract
from projects.reporting import approved_budget, reported_spending
from projects.workflow import GuardFailed, WorkflowError

KINDS = ChangeRequest.Kind
CATEGORY_LABELS = dict(BudgetLine.Category.choices)
HISTORY_LABELS = {
    "change_request": gettext_lazy("Change asked for"),
    "change_approve": gettext_lazy("Change approved"),
    "change_refuse": gettext_lazy("Change refused"),
}


def _page(request, pk):
    """The proposal and its signed contract, for the investigator and the Department's staff
    (403 for anyone else; 404 while no contract is signed)."""
    proposal = get_object_or_404(Proposal.objects.select_related("owner__profile", "call"), pk=pk)
    is_owner = rules.is_owner(proposal, request.user)
    if not (is_owner or roles.has_role(request.user, *roles.STAFF_ROLES)):
        raise PermissionDenied
    contract = (
        Contract.objects.filter(proposal=proposal, signed_at__isnull=False)
        .select_related("proposal")
        .first()
    )
    if contract is None:
        raise Http404
    return proposal, contract, is_owner


def _parse_date(text):
    text = (text or "").strip()
    if not text:
        return None, None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date(), None
        except ValueError:
            continue
    return None, _("Enter the date as dd/mm/yyyy.")


def _parse_amount(text):
    """A signed whole number of đồng as people type it: -50.000.000, +50 000 000, 0."""
    text = re.sub(r"[\s.,₫đ]|VND", "", (text or "").strip(), flags=re.IGNORECASE)
    text = text.replace("−", "-")
    if not text:
        return 0, None
    if not re.fullmatch(r"[-+]?[0-9]{1,15}", text):
        return None, _("Enter a whole number of đồng (negative to take money out).")
    return int(text), None


def _read_request(post, categories):
    """The form as typed (to show again) and as parsed, with the errors of parsing."""
    typed = {
        "kind": post.get("kind", ""),
        "reason": post.get("reason", ""),
        "new_ends_on": post.get("new_ends_on", ""),
        "new_investigator": post.get("new_investigator", ""),
        "reallocation": {c: post.get(f"reallocation-{c}", "") for c in categories},
    }
    errors = {}
    new_ends_on, moves = None, {}
    if typed["kind"] == KINDS.EXTENSION:
        new_ends_on, error = _parse_date(typed["new_ends_on"])
        if error:
            errors["new_ends_on"] = [error]
    elif typed["kind"] == KINDS.REALLOCATION:
        for category, text in typed["reallocation"].items():
            amount, error = _parse_amount(text)
            if error:
                errors[f"reallocation-{category}"] = [error]
            else:
                moves[category] = amount
    parsed = {
        "kind": typed["kind"],
        "reason": typed["reason"],
        "new_ends_on": new_ends_on,
        "reallocation": moves,
        "new_investigator": typed["new_investigator"],
    }
    return typed, parsed, errors


@login_required
def project_changes(request, pk):
    proposal, contract, is_owner = _page(request, pk)
    budget = approved_budget(contract)
    typed, errors = None, {}
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        typed, parsed, errors = _read_request(request.POST, list(budget))
        if not errors:
            try:
                request_change(contract, by=request.user, ip=client_ip(request), **parsed)
            except GuardFailed as failure:
                errors = failure.errors
            except WorkflowError as error:
                messages.error(request, str(error))
                return redirect("project_changes", pk=proposal.pk)
            else:
                messages.success(
                    request, _("Your request was sent to the Department's leadership.")
                )
                return redirect("project_changes", pk=proposal.pk)
    return _render(request, proposal, contract, budget, is_owner, typed=typed, errors=errors)


@login_required
@require_POST
def project_change_decide(request, pk, change_id):
    proposal, contract, is_owner = _page(request, pk)
    change = get_object_or_404(
        ChangeRequest.objects.select_related("contract__proposal"), pk=change_id, contract=contract
    )
    if not may_decide_change(change, request.user):
        raise PermissionDenied
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")
    errors = {}
    if decision not in ("approve", "refuse"):
        errors = {"decision": [_("Choose to approve or to refuse the change.")]}
    else:
        act = approve_change if decision == "approve" else refuse_change
        try:
            done = act(change, by=request.user, ip=client_ip(request), comment=comment)
        except GuardFailed as failure:
            errors = failure.errors
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect("project_changes", pk=proposal.pk)
        else:
            messages.success(
                request,
                _("Done: the change is now “%(state)s”.") % {"state": done.get_state_display()},
            )
            return redirect("project_changes", pk=proposal.pk)
    budget = approved_budget(contract)
    return _render(
        request, proposal, contract, budget, is_owner,
        deciding={"pk": change.pk, "comment": comment, "decision": decision, "errors": errors},
    )  # fmt: skip


def _summary(errors, anchors, default=None):
    """The error summary's rows: each message with the field it links to."""
    return [
        {"anchor": anchors.get(key, default or key), "message": message}
        for key, messages_ in errors.items()
        for message in messages_
    ]


def _render(request, proposal, contract, budget, is_owner, *, typed=None, errors=None,
            deciding=None):  # fmt: skip
    errors = errors or {}
    deciding = deciding or {}
    decide_errors = deciding.get("errors", {})
    spent = reported_spending(contract)
    typed = typed or {
        "kind": "",
        "reason": "",
        "new_ends_on": "",
        "new_investigator": "",
        "reallocation": dict.fromkeys(budget, ""),
    }
    running = proposal.state == ProposalState.IN_PROGRESS
    may_decide = rules.is_manager(proposal, request.user)
    four_eyes = change_four_eyes_problems(contract, request.user) if may_decide else {}
    changes = []
    for change in contract.changes.select_related("requested_by__profile", "decided_by__profile"):
        mine = deciding.get("pk") == change.pk
        changes.append(
            {
                "change": change,
                "moves": [
                    {"label": CATEGORY_LABELS.get(k, k), "amount": v}
                    for k, v in change.reallocation.items()
                ],
                "decidable": may_decide
                and not four_eyes
                and running
                and change.state == ChangeState.REQUESTED,
                "comment": deciding.get("comment", "") if mine else "",
                "errors": decide_errors if mine else {},
            }
        )
    history = [
        {"at": e.at, "label": f"{HISTORY_LABELS[e.action]} ({e.record})", "actor": e.actor,
         "comment": e.comment}
        for e in proposal.project_entries.filter(action__in=HISTORY_LABELS)
        .select_related("actor__profile")
        .order_by("at", "pk")
    ]  # fmt: skip
    anchors = {
        "kind": f"kind-{KINDS.values[0]}",
        "reason": "id_reason",
        "new_ends_on": "id_new_ends_on",
        "new_investigator": "id_new_investigator",
        "reallocation": "reallocation",
    }
    window = extension_window(contract)
    context = {
        "proposal": proposal,
        "contract": contract,
        "is_owner": is_owner,
        "can_request": is_owner and running,
        "running": running,
        "kinds": KINDS.choices,
        "typed": typed,
        "errors": errors,
        "summary": _summary(errors, anchors),
        "decide_summary": _summary(
            decide_errors,
            {
                "decision": f"decide-{deciding.get('pk')}",
                "four_eyes": "four-eyes",
                "comment": f"comment-{deciding.get('pk')}",
            },
            default=f"decide-{deciding.get('pk')}",
        ),
        "budget_rows": [
            {
                "category": category,
                "label": CATEGORY_LABELS.get(category, category),
                "amount": amount,
                "spent": spent.get(category, 0),
                "typed": typed["reallocation"].get(category, ""),
                "errors": errors.get(f"reallocation-{category}", []),
            }
            for category, amount in budget.items()
        ],
        "budget_total": sum(budget.values()),
        "window": window,
        "extended": contract.changes.filter(
            kind=KINDS.EXTENSION, state=ChangeState.APPROVED
        ).exists(),
        "may_decide": may_decide,
        "four_eyes": four_eyes.get("four_eyes", []),
        "changes": changes,
        "history": history,
        "action": reverse("project_changes", args=[proposal.pk]),
    }
    status = 400 if errors or decide_errors else 200
    return render(request, "projects/changes.html", context, status=status)

"""The tranche ledger of a running task (/proposals/<id>/tranches/) and the officer's release of a
tranche. The rules live in `projects.tranches`; this module shows them and hands the release on."""

from django import forms
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
from core.fields import valid_id
from core.http import client_ip
from core.text import vnd
from grants import rules
from grants.models import Proposal
from projects.models import Contract, Tranche
from projects.tranches import condition_text, release_problems, release_tranche
from projects.workflow import GuardFailed, WorkflowError

STAFF = (roles.OFFICER, roles.MANAGER)
MAX_POSITION = 32767  # the column is a small integer: a longer number is no tranche at all


class ReleaseForm(forms.Form):
    """The payment order that pays the tranche. Whether it is complete and its date plausible is
    the workflow's guard (`payment_order_problems`); the form only reads the date as typed."""

    payment_order_number = forms.CharField(
        label=gettext_lazy("Payment order number"), required=False, max_length=200
    )
    payment_order_date = forms.DateField(
        label=gettext_lazy("Payment order date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": gettext_lazy("Enter the date as dd/mm/yyyy.")},
    )


def _contract_for(request, pk):
    """The contract of the proposal, for its investigator and the Department's staff: 404 when
    the proposal or its contract does not exist, 403 for anyone else (as the proposal page)."""
    if valid_id(pk) is None:
        raise Http404
    proposal = get_object_or_404(Proposal.objects.select_related("owner"), pk=pk)
    user = request.user
    staff = roles.has_role(user, *STAFF) and rules.can_view(proposal, user)
    if not (rules.is_owner(proposal, user) or staff):
        raise PermissionDenied
    contract = Contract.objects.filter(proposal=proposal).first()
    if contract is None or contract.prepared_at is None:
        raise Http404
    contract.proposal = proposal
    return contract


def _rows(request, contract, bound=None):
    """Each tranche of the schedule with its condition in words, whether it holds now, and for an
    officer who may release it, its form (`bound`: the form just posted, shown again)."""
    officer = roles.has_role(request.user, roles.OFFICER) and not rules.takes_part(
        contract.proposal, request.user
    )
    rows = []
    tranches = contract.tranches.select_related("released_by__profile")
    for tranche in tranches:
        problems = release_problems(tranche, contract, contract.proposal)
        form = None
        if officer and (not problems or (bound and bound[0] == tranche.position)):
            if bound and bound[0] == tranche.position:
                form = bound[1]
            else:
                form = ReleaseForm(prefix=f"tranche-{tranche.position}")
        rows.append(
            {
                "tranche": tranche,
                "condition": condition_text(tranche),
                "holds": "condition" not in problems,
                "problems": [m for key, msgs in problems.items() if key != "tranche" for m in msgs],
                "form": form,
            }
        )
    return rows


def _render(request, contract, *, bound=None, status=200):
    rows = _rows(request, contract, bound)
    return render(
        request,
        "projects/tranches.html",
        {
            "proposal": contract.proposal,
            "contract": contract,
            "rows": rows,
            "releasable": [row for row in rows if row["form"] is not None],
            "bound": bound[1] if bound else None,
        },
        status=status,
    )


@login_required
def tranche_ledger(request, pk):
    """The ledger: approved, released and remaining, and each tranche of the schedule."""
    return _render(request, _contract_for(request, pk))


@login_required
@require_POST
def tranche_release(request, pk, position):
    """An officer records the payment order of a tranche whose condition holds."""
    contract = _contract_for(request, pk)
    if not roles.has_role(request.user, roles.OFFICER):
        raise PermissionDenied
    if position > MAX_POSITION:
        raise Http404
    tranche = get_object_or_404(Tranche, contract=contract, position=position)
    form = ReleaseForm(request.POST, prefix=f"tranche-{position}")
    if not form.is_valid():
        return _render(request, contract, bound=(position, form), status=400)
    try:
        done = release_tranche(
            tranche, by=request.user, ip=client_ip(request),
            payment_order_number=form.cleaned_data["payment_order_number"],
            payment_order_date=form.cleaned_data["payment_order_date"],
        )  # fmt: skip
    except GuardFailed as failure:
        for key, errors in failure.errors.items():
            for error in errors:
                form.add_error(key if key in form.fields else None, error)
        return _render(request, contract, bound=(position, form), status=400)
    except WorkflowError as conflict:  # StateConflict: another officer went first
        messages.error(request, str(conflict))
        return redirect(reverse("project_tranches", args=[contract.proposal_id]))
    messages.success(
        request,
        _("Tranche %(position)s released. Remaining to release: %(remaining)s.")
        % {"position": done.position, "remaining": vnd(done.contract.remaining_amount)},
    )
    return redirect(reverse("project_tranches", args=[contract.proposal_id]))

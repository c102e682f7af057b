"""The contract of a funded proposal (Circular 05/2014's model contract): the officer prepares
it from the decision, with its tranche schedule and deliverables, and records it signed; then
the page, and its PDF, are the parties' record. Every change goes through `projects.contracts`."""

import contextlib
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles, signing
from core.fields import ascii_integer
from core.http import client_ip
from grants import rules
from grants.models import Proposal, ProposalState
from projects import documents
from projects.contract_forms import (
    BLANK_DELIVERABLES,
    BLANK_TRANCHES,
    ContractForm,
    DeliverableFormSet,
    TrancheFormSet,
)
from projects.contracts import (
    CONTRACT_FIELDS,
    contract_defaults,
    deliverables_from_dossier,
    prepare_contract,
    sign_contract,
)
from projects.models import Contract, Tranche
from projects.workflow import GuardFailed, WorkflowError

SIGNED_STATES = (
    ProposalState.IN_PROGRESS,
    ProposalState.COMPLETED,
    ProposalState.TERMINATED,
    ProposalState.TRANSFERRED,
)
STAFF = (roles.OFFICER, roles.MANAGER)


def _proposal(request, pk):
    """404 when it does not exist, 403 when the proposal page would refuse it too."""
    proposal = get_object_or_404(
        Proposal.objects.select_related("call", "organisation", "owner__profile"), pk=pk
    )
    if not rules.can_view(proposal, request.user):
        raise PermissionDenied
    return proposal


def _signed_contract(proposal):
    if proposal.state not in SIGNED_STATES:
        return None
    contract = Contract.objects.filter(proposal=proposal).first()
    return contract if contract and contract.is_signed else None


def _may_read_signed(proposal, user):
    """The parties' record: Department staff and the principal investigator (the owner)."""
    return rules.is_owner(proposal, user) or roles.has_role(user, *STAFF)


@login_required
def contract_page(request, pk):
    proposal = _proposal(request, pk)
    contract = _signed_contract(proposal)
    if contract is not None:
        if not _may_read_signed(proposal, request.user):
            raise PermissionDenied
        if request.method == "POST":
            return _save(request, proposal)  # refused by the workflow: it is signed
        return _render_signed(request, proposal, contract)
    if not roles.has_role(request.user, roles.OFFICER):
        raise PermissionDenied
    if request.method == "POST":
        return _save(request, proposal)
    if proposal.state != ProposalState.FUNDED:
        messages.error(request, _("A contract is prepared once the proposal is funded."))
        return redirect(proposal.get_absolute_url())
    return _render_form(request, proposal, *_initial_forms(proposal))


def _save(request, proposal):
    header, tranches, deliverables = _bound_forms(request.POST)
    adding = request.POST.get("add")
    if adding in ("tranche", "deliverable") and proposal.state == ProposalState.FUNDED:
        # Without JavaScript: the same rows as typed, one blank row more, nothing saved.
        data = request.POST.copy()
        key = f"{adding}s-TOTAL_FORMS"
        data[key] = str(min(ascii_integer(data.get(key) or 0) or 0, 99) + 1)
        return _render_form(request, proposal, *_bound_forms(data))
    valid = all([header.is_valid(), tranches.is_valid(), deliverables.is_valid()])
    errors = _form_errors(header, tranches, deliverables) if not valid else {}
    values, rows, rows_at, products, products_at = _arguments(header, tranches, deliverables)
    if errors and proposal.state == ProposalState.FUNDED:
        return _render_form(request, proposal, header, tranches, deliverables, errors=errors)
    try:
        prepare_contract(
            proposal, by=request.user, ip=client_ip(request),
            values=values, tranches=rows, deliverables=products,
        )  # fmt: skip
    except GuardFailed as failure:
        errors = _renumbered(failure.errors, {"tranches": rows_at, "deliverables": products_at})
        return _render_form(request, proposal, header, tranches, deliverables, errors=errors)
    except WorkflowError as conflict:  # StateConflict: signed, or not funded
        messages.error(request, str(conflict))
        return redirect(proposal.get_absolute_url())
    messages.success(request, _("The contract is saved."))
    return redirect(reverse("project_contract", args=[proposal.pk]))


@login_required
@require_POST
def sign(request, pk):
    """The parties have signed the paper or digital contract: record it (funded → in progress)."""
    proposal = _proposal(request, pk)
    try:
        done = sign_contract(proposal, by=request.user, ip=client_ip(request))
    except GuardFailed as failure:
        return _render_form(
            request, proposal, *_initial_forms(proposal), errors=_renumbered(failure.errors, {})
        )
    except WorkflowError as conflict:
        messages.error(request, str(conflict))
        return redirect(proposal.get_absolute_url())
    messages.success(
        request,
        _("The contract is signed: the task is now “%(state)s”.")
        % {"state": done.get_state_display()},
    )
    return redirect(done.get_absolute_url())


@login_required
def contract_pdf(request, pk):
    """The signed contract as PDF: in Vietnamese, or the English courtesy translation under /en/."""
    proposal = _proposal(request, pk)
    if not _may_read_signed(proposal, request.user):
        raise PermissionDenied
    contract = _signed_contract(proposal)
    if contract is None:
        raise Http404
    language = "en" if request.LANGUAGE_CODE == "en" else "vi"
    # Signed once by the Department and kept (core.signing): every download is the same file,
    # which /verify/ recognises. An approved change (extension, new investigator, reallocation)
    # makes a new edition of the contract, signed in its turn; the English courtesy
    # translation is a document of its own.
    edition = contract.changes.filter(state="approved").count()
    key = f"{proposal.pk}-{edition}" + ("-en" if language == "en" else "")
    return signing.signed_pdf_response(
        request,
        filename=f"hop-dong-{contract.number.replace('/', '-')}.pdf",
        kind="contract",
        key=key,
        number=contract.number,
        dated=contract.signed_on,
        subject=f"{proposal.receipt_number or ''} — {proposal.title}",
        path=request.path,
        render=lambda: documents.contract_pdf(contract, language=language),
        reason=f"Ký hợp đồng thực hiện nhiệm vụ số {contract.number}",
    )


# -- the forms --------------------------------------------------------------------------------


def _formsets(data=None, *, tranches=None, deliverables=None):
    return (
        TrancheFormSet(data, initial=tranches, prefix="tranches", auto_id="%s"),
        DeliverableFormSet(data, initial=deliverables, prefix="deliverables", auto_id="%s"),
    )


def _bound_forms(data):
    return (ContractForm(data, auto_id="%s"), *_formsets(data))


def _initial_forms(proposal):
    """The saved contract if there is one; else the decision's defaults and the dossier's
    products. A few blank rows follow the filled ones."""
    contract = Contract.objects.filter(proposal=proposal).first()
    if contract and contract.prepared_at:
        values = {key: getattr(contract, key) for key in CONTRACT_FIELDS}
        tranches = list(contract.tranches.values("due_on", "amount", "condition", "report_number"))
        deliverables = list(
            contract.deliverables.values("name", "quantity_indicator", "quality_indicator")
        )
    else:
        values = contract_defaults(proposal)
        tranches = []
        deliverables = deliverables_from_dossier(proposal)
    tranches += [{"condition": Tranche.Condition.ON_SIGNING}] * BLANK_TRANCHES
    deliverables += [{}] * BLANK_DELIVERABLES
    header = ContractForm(initial=values, auto_id="%s")
    return (header, *_formsets(tranches=tranches, deliverables=deliverables))


def _arguments(header, tranches, deliverables):
    """What the workflow takes, from what parsed (a field that did not parse is None), and
    which form row each argument row came from (blank rows are left out)."""
    values = {key: getattr(header, "cleaned_data", {}).get(key) for key in header.fields}
    rows, rows_at, products, products_at = [], [], [], []
    for index, form in enumerate(tranches.forms):
        form.is_valid()
        if not form.is_blank():
            rows.append(form.row())
            rows_at.append(index)
    for index, form in enumerate(deliverables.forms):
        form.is_valid()
        if not form.is_blank():
            products.append(form.row())
            products_at.append(index)
    return values, rows, rows_at, products, products_at


def _renumbered(errors, positions):
    """`tranches-1-amount` of the workflow is the second row it was given: name it by the
    form row it came from, so that the message sits beside the input."""
    renamed = {}
    for key, messages_ in errors.items():
        prefix, _sep, rest = key.partition("-")
        if prefix in positions and rest:
            index, _sep, field = rest.partition("-")
            if index.isdigit() and int(index) < len(positions[prefix]):
                key = f"{prefix}-{positions[prefix][int(index)]}-{field}"
        renamed.setdefault(key, []).extend(str(m) for m in messages_)
    return renamed


def _form_errors(header, tranches, deliverables):
    errors = {}
    for form in (header, *tranches.forms, *deliverables.forms):
        for name, messages_ in form.errors.items():
            key = form.add_prefix(name) if name != "__all__" else form.prefix or "contract"
            errors.setdefault(key, []).extend(messages_)
    for formset in (tranches, deliverables):
        if formset.non_form_errors():
            errors.setdefault(formset.prefix, []).extend(formset.non_form_errors())
    return errors


def _value(bound):
    value = bound.value()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _fields(form, errors):
    return {
        name: {
            "name": form.add_prefix(name),
            "label": bound.label,
            "value": _value(bound),
            "errors": errors.get(form.add_prefix(name), []),
        }
        for name, bound in ((name, form[name]) for name in form.fields)
    }


def _render_form(request, proposal, header, tranches, deliverables, *, errors=None):
    errors = errors or {}
    contract = Contract.objects.filter(proposal=proposal).first()
    tranche_rows = [_fields(form, errors) for form in tranches.forms]
    total = 0
    for form in tranches.forms:
        amount = form["amount"].value()
        with contextlib.suppress(ValidationError):  # a typing error is shown by its field
            total += form.fields["amount"].to_python(amount) or 0
    approved = proposal.approved_amount or 0
    decided = contract_defaults(proposal)["decided_on"]
    summary = [
        (key, message)
        for key, messages_ in errors.items()
        for message in messages_
    ]  # fmt: skip
    return render(
        request,
        "projects/contract.html",
        {
            "proposal": proposal,
            "contract": contract,
            "f": _fields(header, errors),
            "tranches": tranches,
            "tranche_rows": tranche_rows,
            "conditions": Tranche.Condition.choices,
            "deliverables": deliverables,
            "deliverable_rows": [_fields(form, errors) for form in deliverables.forms],
            "errors": errors,
            "summary": summary,
            "total": total,
            "approved": approved,
            "difference": approved - total,
            "decided_on": decided,
            "may_sign": contract is not None
            and contract.prepared_at is not None
            and proposal.state == ProposalState.FUNDED,
        },
        status=400 if errors else 200,
    )


def _render_signed(request, proposal, contract):
    return render(
        request,
        "projects/contract.html",
        {
            "proposal": proposal,
            "contract": contract,
            "signed": True,
            "tranche_list": contract.tranches.all(),
            "deliverable_list": contract.deliverables.all(),
            "reports": contract.reports.all(),
            "decided_on": contract_defaults(proposal)["decided_on"],
        },
    )

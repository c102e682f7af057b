"""/proposals/<id>/registration/: the registration of an accepted task's results. The principal
investigator files the summary and the products, an officer records the certificate, everyone
who follows the task's execution reads it; then the investigator is invited to list the results
in the technology catalogue. Every rule is `projects.registration`'s: these views read the
forms, call it and show what it said, by field."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import roles
from core.fields import valid_id
from core.http import client_ip
from grants import rules
from grants.models import Proposal
from projects import registration as workflow
from projects.models import Contract, ProjectEntry

STAFF = (roles.OFFICER, roles.MANAGER)
HISTORY_LABELS = {
    "registration_file": gettext_lazy("Results filed for registration"),
    "registration_refile": gettext_lazy("Filed results corrected"),
    "registration_record": gettext_lazy("Results registered"),
}


class FilingForm(forms.Form):
    """What the investigator files. Whether it is complete is the workflow's guard."""

    summary = forms.CharField(
        label=gettext_lazy("Summary of the results"),
        required=False,
        max_length=workflow.TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Taken from the dossier's abstract: say what the task achieved."),
    )
    products = forms.CharField(
        label=gettext_lazy("Products of the task"),
        required=False,
        max_length=workflow.TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One product a line, with what was reached against its indicators."),
    )


class RecordForm(forms.Form):
    """The registration certificate. Its number's uniqueness and its date's bounds are the
    workflow's guard; the form only reads the date as typed."""

    number = forms.CharField(
        label=gettext_lazy("Registration certificate number"), required=False, max_length=200
    )
    registered_on = forms.DateField(
        label=gettext_lazy("Registration date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": gettext_lazy("Enter the date as dd/mm/yyyy.")},
    )


def _page(request, pk):
    """The proposal and its signed contract, for the investigator (the owner) and the
    Department's staff who may see the proposal: 404 when the proposal or a signed contract does
    not exist, 403 for anyone else (as the other execution pages)."""
    if valid_id(pk) is None:
        raise Http404
    proposal = get_object_or_404(
        Proposal.objects.select_related("owner__profile", "call", "organisation"), pk=pk
    )
    user = request.user
    is_owner = rules.is_owner(proposal, user)
    if not (is_owner or (roles.has_role(user, *STAFF) and rules.can_view(proposal, user))):
        raise PermissionDenied
    contract = Contract.objects.filter(proposal=proposal, signed_at__isnull=False).first()
    if contract is None:
        raise Http404
    contract.proposal = proposal
    return proposal, contract, is_owner


def _add_errors(form, errors):
    for key, messages_ in errors.items():
        field = key if key in form.fields else None
        for message in messages_:
            form.add_error(field, message)


@login_required
def registration_page(request, pk):
    proposal, contract, is_owner = _page(request, pk)
    return _render(request, proposal, contract, is_owner)


@login_required
@require_POST
def registration_file(request, pk):
    """The investigator files (or corrects) the results."""
    proposal, contract, is_owner = _page(request, pk)
    if not is_owner:
        raise PermissionDenied
    form = FilingForm(request.POST)
    if form.is_valid():
        try:
            workflow.file_registration(
                contract, by=request.user, ip=client_ip(request),
                summary=form.cleaned_data["summary"], products=form.cleaned_data["products"],
            )  # fmt: skip
        except workflow.GuardFailed as failure:
            _add_errors(form, failure.errors)
        except workflow.WorkflowError as error:  # StateConflict: not accepted, or registered
            messages.error(request, str(error))
            return redirect("project_registration", pk=proposal.pk)
        else:
            messages.success(
                request, _("The results were filed; the Department records the registration.")
            )
            return redirect("project_registration", pk=proposal.pk)
    return _render(request, proposal, contract, is_owner, filing=form, status=400)


@login_required
@require_POST
def registration_record(request, pk):
    """An officer records the registration certificate of the filed results."""
    proposal, contract, is_owner = _page(request, pk)
    if not rules.is_officer(proposal, request.user):
        raise PermissionDenied
    registration = workflow.registration_of(contract)
    if registration is None or registration.filed_at is None:
        messages.error(
            request,
            _("The investigator has not filed the results yet: there is nothing to record."),
        )
        return redirect("project_registration", pk=proposal.pk)
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            workflow.record_registration(
                registration, by=request.user, ip=client_ip(request),
                number=form.cleaned_data["number"],
                registered_on=form.cleaned_data["registered_on"],
            )  # fmt: skip
        except workflow.GuardFailed as failure:
            _add_errors(form, failure.errors)
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
            return redirect("project_registration", pk=proposal.pk)
        else:
            messages.success(request, _("The registration is recorded."))
            return redirect("project_registration", pk=proposal.pk)
    return _render(request, proposal, contract, is_owner, recording=form, status=400)


def _render(request, proposal, contract, is_owner, *, filing=None, recording=None, status=200):
    registration = workflow.registration_of(contract)
    accepted = proposal.state in workflow.ACCEPTED_STATES
    registered = registration is not None and bool(registration.number)
    filed = registration is not None and registration.filed_at is not None
    if filing is None and is_owner and accepted and not registered:
        initial = (
            {"summary": registration.summary, "products": registration.products}
            if filed
            else workflow.prefill(contract)
        )
        filing = FilingForm(initial=initial)
    may_record = rules.is_officer(proposal, request.user) and filed and not registered
    if recording is None and may_record:
        recording = RecordForm()
    listed = list(proposal.technologies.order_by("pk")) if accepted else []
    history = [
        {"at": e.at, "label": HISTORY_LABELS[e.action], "actor": e.actor, "comment": e.comment}
        for e in ProjectEntry.objects.filter(proposal=proposal, action__in=HISTORY_LABELS)
        .select_related("actor__profile")
        .order_by("at", "pk")
    ]
    context = {
        "proposal": proposal,
        "contract": contract,
        "registration": registration,
        "accepted": accepted,
        "accepted_on": workflow.acceptance_date(contract) if accepted else None,
        "deadline": workflow.deadline(contract, registration),
        "filed": filed,
        "registered": registered,
        "is_owner": is_owner,
        "filing": filing if is_owner and accepted and not registered else None,
        "recording": recording if may_record else None,
        "bound": filing if filing is not None and filing.is_bound else recording,
        # The invitation to list the results, pre-filled from the proposal (transfer's form).
        "invite_listing": is_owner and accepted,
        "listed": [
            t
            for t in listed
            if is_owner or t.state == "published" or roles.has_role(request.user, *STAFF)
        ],
        "registration_days": workflow.REGISTRATION_DAYS,
        "history": history,
    }
    return render(request, "projects/registration.html", context, status=status)


@login_required
def registration_pdf(request, pk):
    """The registration certificate, signed by the Department (core.signing), once recorded."""
    proposal, contract, _is_owner = _page(request, pk)
    registration = workflow.registration_of(contract)
    if registration is None or not registration.number:
        raise Http404
    from core import signing
    from projects import documents

    accepted_on = workflow.acceptance_date(contract)
    return signing.signed_pdf_response(
        request,
        filename=f"dang-ky-ket-qua-{registration.number.replace('/', '-')}.pdf",
        kind="registration",
        key=registration.pk,
        number=registration.number,
        dated=registration.registered_on,
        subject=f"{proposal.receipt_number or ''} — {proposal.title}",
        path=request.path,
        render=lambda: documents.registration_pdf(registration, accepted_on),
        reason=f"Chứng nhận đăng ký kết quả số {registration.number}",
    )

"""/proposals/<id>/inspections/: the annual inspections of a running task (Circular 04/2015),
for the investigator and the Department's staff; an officer who takes no part in the task
records one. Every rule is `projects.inspection`'s; this page reads the form, calls it and shows
what it said, by field."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from core.http import client_ip
from grants import rules
from grants.models import ProposalState
from projects import drafts
from projects import inspection as inspections
from projects.models import Inspection, InspectionAttachment
from projects.report_views import _contract_for
from projects.workflow import GuardFailed, WorkflowError

FIELDS = ("year", "inspected_on", "findings", "conclusion", "recommendations", "label", "file")


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


def _may_record(proposal, user):
    return (
        proposal.state == ProposalState.IN_PROGRESS
        and roles.has_role(user, roles.OFFICER)
        and rules.is_officer(proposal, user)
    )


@login_required
def project_inspections(request, pk):
    """GET: each contract year's inspection, due or recorded. POST (an officer): record one."""
    proposal, contract = _contract_for(request, pk)
    typed, errors = None, {}
    if request.method == "POST":
        if not roles.has_role(request.user, roles.OFFICER):
            raise PermissionDenied
        typed = {key: request.POST.get(key, "") for key in FIELDS if key != "file"}
        year = typed["year"]
        target = (
            Inspection.objects.filter(contract=contract, year=int(year)).first()
            if year.isdigit()
            else None
        )
        inspected_on, date_error = _parse_date(typed["inspected_on"])
        if target is None:
            errors["year"] = [_("Choose the year of the contract inspected.")]
        if date_error:
            errors["inspected_on"] = [date_error]
        if not errors:
            try:
                inspections.record_inspection(
                    target, by=request.user, ip=client_ip(request), inspected_on=inspected_on,
                    findings=typed["findings"], conclusion=typed["conclusion"],
                    recommendations=typed["recommendations"],
                    upload=request.FILES.get("file"), label=typed["label"],
                )  # fmt: skip
            except GuardFailed as failure:
                errors = failure.errors
            except WorkflowError as error:
                messages.error(request, str(error))
                return redirect("project_inspections", pk=proposal.pk)
            else:
                messages.success(
                    request,
                    _("The inspection of year %(year)s was recorded; the investigator is told.")
                    % {"year": target.year},
                )
                return redirect("project_inspections", pk=proposal.pk)
    return _render(request, proposal, contract, typed=typed, errors=errors)


def _render(request, proposal, contract, *, typed=None, errors=None):
    errors = errors or {}
    today = timezone.localdate()
    rows = list(
        contract.inspections.select_related("recorded_by__profile", "attachment").order_by("year")
    )
    for row in rows:
        row.overdue = row.is_overdue(today)
        row.file = getattr(row, "attachment", None)
    pending = [row for row in rows if not row.is_recorded]
    may_record = _may_record(proposal, request.user)
    if typed is None:
        first = pending[0] if pending else None
        typed = {"year": str(first.year) if first else "", "inspected_on": "", "findings": "",
                 "conclusion": "", "recommendations": "", "label": ""}  # fmt: skip
    labels = {
        "year": _("Year of the contract"),
        "inspected_on": _("Date of the inspection"),
        "findings": _("Findings"),
        "conclusion": _("Conclusion"),
        "recommendations": _("Recommendations"),
        "label": _("Description of the file"),
        "file": _("File"),
    }
    summary = [
        {"key": f"id_{key}", "label": labels.get(key, ""), "message": message}
        for key, messages_ in errors.items()
        for message in messages_
    ]
    context = {
        "proposal": proposal,
        "contract": contract,
        "inspections": rows,
        "overdue": [row for row in rows if row.overdue],
        "pending": pending,
        "may_record": may_record and bool(pending),
        "is_owner": rules.is_owner(proposal, request.user),
        "conclusions": Inspection.Conclusion.choices,
        "typed": typed,
        "errors": errors,
        "summary": summary,
    }
    return render(request, "projects/inspections.html", context, status=400 if errors else 200)


@login_required
def inspection_file(request, pk, year):
    """The file of a recorded inspection, for those who may read the inspections."""
    proposal, contract = _contract_for(request, pk)
    inspection = get_object_or_404(Inspection, contract=contract, year=year)
    attachment = InspectionAttachment.objects.filter(inspection=inspection).first()
    if attachment is None:
        raise Http404
    return drafts.private_file(attachment)

"""Progress reports of a running task: the schedule, the investigator's report (autosaved like
the dossier), its files, and the officer's decision. Every change goes through
`projects.reports`; these views only read the request and show the outcome."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.http import client_ip
from core.text import group_thousands
from grants import rules
from grants.models import Proposal
from projects import drafts, reporting
from projects.models import ProgressReport, ReportAttachment, ReportState
from projects.reports import (
    REPORT_EDITABLE,
    accept_report,
    add_report_attachment,
    period_problems,
    remove_report_attachment,
    return_report,
    save_report_draft,
    submit_report,
)
from projects.workflow import GuardFailed, StateConflict

STAFF = (roles.OFFICER, roles.MANAGER)


def _contract_for(request, pk):
    """The signed contract of a proposal the user may follow: the investigator (its owner) and
    the Department's staff. 404 when there is no such proposal or no signed contract yet, 403
    for anyone else (as the proposal page)."""
    proposal = get_object_or_404(
        Proposal.objects.select_related("owner__profile", "call", "contract"), pk=pk
    )
    user = request.user
    if not rules.can_view(proposal, user) or not (
        rules.is_owner(proposal, user) or roles.has_role(user, *STAFF)
    ):
        raise PermissionDenied
    contract = getattr(proposal, "contract", None)
    if contract is None or not contract.is_signed:
        raise Http404
    return proposal, contract


def _report_for(request, pk, number):
    proposal, contract = _contract_for(request, pk)
    report = get_object_or_404(
        ProgressReport.objects.select_related("contract__proposal", "decided_by__profile"),
        contract=contract,
        number=number,
    )
    return proposal, report


@login_required
def reports_page(request, pk):
    """The report schedule of the contract: number, period, due date, state, overdue flag."""
    proposal, contract = _contract_for(request, pk)
    today = timezone.localdate()
    reports = list(contract.reports.order_by("number"))
    return render(
        request,
        "projects/reports.html",
        {
            "proposal": proposal,
            "contract": contract,
            "reports": reports,
            "overdue": [r for r in reports if r.is_overdue(today)],
            "today": today,
            "is_owner": rules.is_owner(proposal, request.user),
        },
    )


# -- one report -----------------------------------------------------------------------------------


def _posted_draft(post, report):
    """The report's parts as typed on the page (field names as `report_problems` keys them)."""
    work = {
        str(d.pk): {
            "work": post.get(f"work-{d.pk}", ""),
            "reached": post.get(f"reached-{d.pk}", ""),
        }
        for d in report.contract.deliverables.all()
    }
    spending = {
        category: post.get(f"spending-{category}", "")
        for category in reporting.approved_budget(report.contract)
    }
    return {"work": work, "spending": spending, "problems": post.get("problems", "")}


def _shown_amount(value):
    return group_thousands(value) if isinstance(value, int) else (value or "")


def _render_report(request, proposal, report, *, typed=None, errors=None, status=200, **extra):
    """The report page: the form for the investigator while the report is theirs, read-only
    for everyone else; `typed` re-shows what was posted (the text is never lost)."""
    user = request.user
    errors = errors or {}
    is_owner = rules.is_owner(proposal, user)
    editable = is_owner and report.state in REPORT_EDITABLE
    # A draft is the investigator's working copy: the Department reads a report once it is sent.
    shown = is_owner or report.state != ReportState.DRAFT
    stored_work = report.work or {}
    typed_work = (typed or {}).get("work", {})
    deliverables = []
    for d in report.contract.deliverables.all():
        source = typed_work.get(str(d.pk)) if typed else stored_work.get(str(d.pk))
        source = source or {}
        deliverables.append(
            {
                "deliverable": d,
                "work": source.get("work", ""),
                "reached": source.get("reached", ""),
                "work_errors": errors.get(f"work-{d.pk}", []),
                "reached_errors": errors.get(f"reached-{d.pk}", []),
            }
        )
    budget = reporting.budget_rows(report)
    typed_spending = (typed or {}).get("spending", {})
    for row in budget:
        key = row["category"]
        row["value"] = typed_spending.get(key, "") if typed else _shown_amount(row["now"])
        row["errors"] = errors.get(f"spending-{key}", [])
    labels = {f"work-{d['deliverable'].pk}": d["deliverable"].name for d in deliverables}
    labels |= {f"reached-{d['deliverable'].pk}": d["deliverable"].name for d in deliverables}
    labels |= {f"spending-{row['category']}": row["label"] for row in budget}
    labels |= {"problems": _("Problems and proposals"), "comment": _("Reason for returning")}
    labels |= {"period": _("Period")}
    labels |= {"upload-label": _("Description of the file"), "upload-file": _("File")}
    summary = [
        {"key": key, "label": labels.get(key, ""), "message": message}
        for key, messages_ in errors.items()
        for message in messages_
    ]
    context = {
        "proposal": proposal,
        "contract": report.contract,
        "report": report,
        "is_owner": is_owner,
        "editable": editable,
        "shown": shown,
        "can_decide": roles.has_role(user, roles.OFFICER)
        and report.state == ReportState.SUBMITTED
        and not is_owner,
        "overdue": report.is_overdue(),
        "opens_on": report.period_end + datetime.timedelta(days=1)
        if editable and period_problems(report)
        else None,
        "deliverables": deliverables,
        "budget": budget,
        "budget_total": {
            key: sum(row[key] for row in budget if isinstance(row[key], int))
            for key in ("approved", "before", "now", "remaining")
        },
        "problems": (typed or {}).get("problems", report.problems) if typed else report.problems,
        "errors": errors,
        "summary": summary,
        "attachments": drafts.listed(
            report.attachments.order_by("uploaded_at", "pk"),
            lambda a: reverse("project_report_attachment", args=[proposal.pk, report.number, a.pk]),
        ),
        "attachments_action": _report_url(proposal, report),
        "decision": {"comment": "", "errors": errors.get("comment", [])},
        "upload": {"label": "", "errors": {}},
    }
    context |= extra
    return render(request, "projects/report.html", context, status=status)


@login_required
def report_page(request, pk, number):
    """GET: the report. POST (the investigator): save the draft, or save and submit it; with
    the header X-Autosave the page's script saves the draft and gets JSON back."""
    proposal, report = _report_for(request, pk, number)
    if request.method != "POST":
        return _render_report(request, proposal, report)
    action = request.POST.get("action", "save")
    if action == "upload":
        return _upload(request, proposal, report)
    if action == "remove":
        return _remove(request, proposal, report)
    typed = _posted_draft(request.POST, report)
    response, saved = drafts.save_draft(
        request,
        lambda: save_report_draft(report, by=request.user, **typed),
        page=_report_url(proposal, report),
        rerender=lambda **extra: _render_report(request, proposal, report, **extra),
        typed=typed,
    )
    if response is not None:
        return response
    report = saved
    if action != "submit":
        messages.success(request, _("Draft saved."))
        return redirect("project_report", pk=proposal.pk, number=report.number)
    try:
        submit_report(report, by=request.user, ip=client_ip(request))
    except StateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect("project_report", pk=proposal.pk, number=report.number)
    except GuardFailed as failure:
        # The draft is saved; what is still missing is shown by the field.
        return _render_report(
            request, proposal, report, typed=typed, errors=failure.errors, status=400
        )
    messages.success(request, _("Report submitted to the Department."))
    return redirect("project_report", pk=proposal.pk, number=report.number)


def _report_url(proposal, report):
    return reverse("project_report", args=[proposal.pk, report.number])


def _upload(request, proposal, report):
    return drafts.upload(
        request,
        lambda file, label: add_report_attachment(report, file, by=request.user, label=label),
        page=_report_url(proposal, report),
        rerender=lambda **extra: _render_report(request, proposal, report, **extra),
        done=_("File attached to the report."),
    )


def _remove(request, proposal, report):
    attachment = get_object_or_404(
        ReportAttachment, pk=_int(request.POST.get("attachment")), report=report
    )
    return drafts.remove(
        request,
        lambda: remove_report_attachment(attachment, by=request.user),
        page=_report_url(proposal, report),
    )


def _int(value):
    from core.fields import valid_id

    number = valid_id(value)
    if number is None:
        raise Http404
    return number


@login_required
@require_POST
def report_decide(request, pk, number):
    """An officer accepts the submitted report, or returns it with the reason."""
    proposal, report = _report_for(request, pk, number)
    decision = request.POST.get("decision")
    comment = request.POST.get("comment", "")
    steps = {"accept": accept_report, "return": return_report}
    if decision not in steps:
        if not roles.has_role(request.user, roles.OFFICER):
            raise PermissionDenied
        errors = {"comment": [_("Choose to accept the report or to return it.")]}
        decision_form = {"comment": comment, "errors": errors["comment"]}
        return _render_report(
            request, proposal, report, errors=errors, decision=decision_form, status=400
        )
    try:
        steps[decision](report, by=request.user, ip=client_ip(request), comment=comment.strip())
    except StateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect("project_report", pk=proposal.pk, number=report.number)
    except GuardFailed as failure:
        decision_form = {"comment": comment, "errors": failure.errors.get("comment", [])}
        return _render_report(
            request, proposal, report, errors=failure.errors, decision=decision_form, status=400
        )
    if decision == "accept":
        messages.success(request, _("Report accepted."))
    else:
        messages.success(request, _("Report returned to the investigator."))
    return redirect("project_report", pk=proposal.pk, number=report.number)


@login_required
def report_attachment(request, pk, number, attachment_id):
    """A report's file, for those who may read the report (never from a public URL)."""
    proposal, report = _report_for(request, pk, number)
    if not rules.is_owner(proposal, request.user) and report.state == ReportState.DRAFT:
        raise PermissionDenied  # the Department reads the files once the report is sent
    attachment = get_object_or_404(ReportAttachment, pk=attachment_id, report=report)
    return drafts.private_file(attachment)

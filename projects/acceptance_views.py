"""The final acceptance page of a running task, /proposals/<id>/acceptance/: the investigator's
dossier (autosaved like a progress report, with its files), the officer's return, and what
follows the council's verdict — the officer records the acceptance, or a manager terminates a
failed task with its refund. Every change goes through `projects.acceptance` (or
`grants.workflow.accept_results`); these views only read the request and show the outcome."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.fields import valid_id
from core.http import client_ip
from core.transitions import GuardFailed, WorkflowError
from grants import rules
from grants import workflow as grants_workflow
from grants.models import Proposal, ProposalState
from projects import acceptance as steps
from projects import drafts, termination
from projects.models import AcceptanceAttachment, AcceptanceState, Grade

STAFF = (roles.OFFICER, roles.MANAGER)
PASSING = (Grade.EXCELLENT, Grade.PASS)


def _acceptance_for(request, pk):
    """The proposal and its acceptance, for those who may follow it: the investigator, the
    Department's staff and the members seated on its acceptance council (403 for anyone
    else, as the proposal page); 404 before the contract is signed, or when a task that is
    no longer running never had an acceptance."""
    proposal = get_object_or_404(
        Proposal.objects.select_related("owner__profile", "call", "contract"), pk=pk
    )
    user = request.user
    contract = getattr(proposal, "contract", None)
    if contract is not None and not contract.is_signed:
        contract = None
    acceptance = steps.acceptance_of(proposal) if contract is not None else None
    allowed = rules.is_owner(proposal, user) or (
        roles.has_role(user, *STAFF) and rules.can_view(proposal, user)
    )
    if not allowed and not (acceptance is not None and steps.is_seated(acceptance, user)):
        raise PermissionDenied
    if contract is None:
        raise Http404
    if acceptance is None:
        try:
            acceptance = steps.acceptance_for(contract)
        except steps.StateConflict as error:
            raise Http404 from error
    acceptance.contract = contract
    contract.proposal = proposal
    return proposal, acceptance


# -- what the investigator posts ------------------------------------------------------------------


def _posted_values(post, acceptance):
    """The dossier as typed on the page (field names as `acceptance_problems` keys them)."""
    results = {
        str(d.pk): {part: post.get(f"{part}-{d.pk}", "") for part in steps.RESULT_PARTS}
        for d in acceptance.contract.deliverables.all()
    }
    return {
        "final_report": post.get("final_report", ""),
        "results": results,
        "self_evaluation": post.get("self_evaluation", ""),
        "self_evaluation_note": post.get("self_evaluation_note", ""),
    }


def _labels(deliverables):
    labels = {
        "final_report": _("Final report"),
        "self_evaluation": _("Self-evaluation"),
        "self_evaluation_note": _("Reasons for the self-evaluation"),
        "reports": _("Progress reports"),
        "state": _("State"),
        "reason": _("Reason for returning"),
        "verdict": _("Verdict"),
        "comment": _("Reason for the termination"),
        "refund_amount": _("Refund (VND)"),
        "refund_note": _("Refund obligation"),
        "four_eyes": _("Four-eyes rule"),
        "upload-label": _("Description of the file"),
        "upload-file": _("File"),
    }
    for d in deliverables:
        labels[f"quantity-{d.pk}"] = f"{d.name} — {_('Quantity reached')}"
        labels[f"quality-{d.pk}"] = f"{d.name} — {_('Quality reached')}"
        labels[f"note-{d.pk}"] = f"{d.name} — {_('Note')}"
    return labels


# Keys with a field of their own on the page: the error summary links to them.
FIELD_KEYS = (
    "final_report", "self_evaluation", "self_evaluation_note", "reason", "comment",
    "refund_amount", "refund_note", "upload-label", "upload-file",
)  # fmt: skip


def _render(request, proposal, acceptance, *, typed=None, errors=None, status=200, **extra):
    """The acceptance page: the form for the investigator while the dossier is theirs, the
    dossier read-only for everyone else (once it was sent), and the staff's forms as their
    role allows. `typed` re-shows what was posted: the text is never lost."""
    user = request.user
    errors = errors or {}
    is_owner = rules.is_owner(proposal, user)
    running = proposal.state == ProposalState.IN_PROGRESS
    editable = is_owner and running and acceptance.state in steps.EDITABLE
    values = typed or {
        "final_report": acceptance.final_report,
        "results": acceptance.results or {},
        "self_evaluation": acceptance.self_evaluation,
        "self_evaluation_note": acceptance.self_evaluation_note,
    }
    contract = acceptance.contract
    deliverable_list = list(contract.deliverables.all())
    deliverables = []
    for d in deliverable_list:
        source = (values.get("results") or {}).get(str(d.pk)) or {}
        deliverables.append(
            {
                "deliverable": d,
                **{part: source.get(part, "") for part in steps.RESULT_PARTS},
                **{
                    f"{part}_errors": errors.get(f"{part}-{d.pk}", [])
                    for part in steps.RESULT_PARTS
                },
            }
        )
    labels = _labels(deliverable_list)
    field_keys = set(FIELD_KEYS) | {
        f"{part}-{d.pk}" for d in deliverable_list for part in steps.RESULT_PARTS
    }
    summary = [
        {
            "anchor": key if key in field_keys else "",
            "label": labels.get(key, ""),
            "message": message,
        }
        for key, messages_ in errors.items()
        for message in messages_
    ]
    decided = acceptance.state == AcceptanceState.DECIDED
    context = {
        "proposal": proposal,
        "contract": contract,
        "acceptance": acceptance,
        "is_owner": is_owner,
        "editable": editable,
        "shown": steps.may_read(acceptance, proposal, user),
        "values": values,
        "deliverables": deliverables,
        "grades": Grade.choices,
        "reports": list(contract.reports.order_by("number")),
        "attachments": drafts.listed(
            acceptance.attachments.order_by("uploaded_at", "pk"),
            lambda a: reverse("project_acceptance_attachment", args=[proposal.pk, a.pk]),
        ),
        "attachments_action": _page(proposal),
        "errors": errors,
        "summary": summary,
        "can_return": acceptance.state == AcceptanceState.SUBMITTED
        and steps.may_return(proposal, user),
        "can_accept": running
        and decided
        and acceptance.verdict in PASSING
        and rules.is_officer(proposal, user),
        "can_terminate": running
        and decided
        and acceptance.verdict == Grade.FAIL
        and rules.is_manager(proposal, user),
        "decided": decided,
        "return_form": {"reason": "", "errors": errors.get("reason", [])},
        "terminate_form": {
            "comment": "",
            "refund_amount": "",
            "refund_note": "",
            "errors": errors,
        },
        "upload": {"label": "", "errors": {}},
    }
    context |= extra
    return render(request, "projects/acceptance.html", context, status=status)


def _page(proposal):
    return reverse("project_acceptance", args=[proposal.pk])


@login_required
def acceptance_page(request, pk):
    """GET: the acceptance. POST (the investigator): save the draft, attach or remove a file;
    with the header X-Autosave the page's script saves the draft and gets JSON back."""
    proposal, acceptance = _acceptance_for(request, pk)
    if request.method != "POST":
        return _render(request, proposal, acceptance)
    action = request.POST.get("action", "save")
    if action == "upload":
        return _upload(request, proposal, acceptance)
    if action == "remove":
        return _remove(request, proposal, acceptance)
    typed = _posted_values(request.POST, acceptance)
    response, _saved = drafts.save_draft(
        request,
        lambda: steps.save_acceptance_draft(acceptance, by=request.user, values=typed),
        page=_page(proposal),
        rerender=lambda **extra: _render(request, proposal, acceptance, **extra),
        typed=typed,
    )
    if response is not None:
        return response
    messages.success(request, _("Draft saved."))
    return redirect(_page(proposal))


@login_required
@require_POST
def acceptance_submit(request, pk):
    """The investigator saves what the form holds and submits the dossier; what is still
    missing is shown by the field, with the text kept (and saved)."""
    proposal, acceptance = _acceptance_for(request, pk)
    typed = _posted_values(request.POST, acceptance)
    try:
        acceptance = steps.save_acceptance_draft(acceptance, by=request.user, values=typed)
        steps.submit_acceptance(acceptance, by=request.user, ip=client_ip(request))
    except GuardFailed as failure:
        return _render(
            request, proposal, acceptance, typed=typed, errors=failure.errors, status=400
        )
    except WorkflowError as conflict:
        messages.error(request, str(conflict))
        return redirect(_page(proposal))
    messages.success(request, _("Acceptance dossier submitted to the Department."))
    return redirect(_page(proposal))


def _upload(request, proposal, acceptance):
    return drafts.upload(
        request,
        lambda file, label: steps.add_acceptance_attachment(
            acceptance, file, by=request.user, label=label
        ),
        page=_page(proposal),
        rerender=lambda **extra: _render(request, proposal, acceptance, **extra),
        done=_("File attached to the dossier."),
    )


def _remove(request, proposal, acceptance):
    number = valid_id(request.POST.get("attachment"))
    if number is None:
        raise Http404
    attachment = get_object_or_404(AcceptanceAttachment, pk=number, acceptance=acceptance)
    attachment.acceptance = acceptance
    return drafts.remove(
        request,
        lambda: steps.remove_acceptance_attachment(attachment, by=request.user),
        page=_page(proposal),
    )


@login_required
def acceptance_attachment(request, pk, attachment_id):
    """A file of the dossier, for those who may read it (never from a public URL)."""
    proposal, acceptance = _acceptance_for(request, pk)
    if not steps.may_read(acceptance, proposal, request.user):
        raise PermissionDenied  # the Department reads the files once the dossier is sent
    attachment = get_object_or_404(AcceptanceAttachment, pk=attachment_id, acceptance=acceptance)
    return drafts.private_file(attachment)


# -- the Department -------------------------------------------------------------------------------


@login_required
@require_POST
def acceptance_return(request, pk):
    """An officer who takes no part in the task returns the submitted dossier with the reason."""
    proposal, acceptance = _acceptance_for(request, pk)
    reason = request.POST.get("reason", "")
    try:
        steps.return_acceptance(acceptance, by=request.user, ip=client_ip(request), reason=reason)
    except GuardFailed as failure:
        return_form = {"reason": reason, "errors": failure.errors.get("reason", [])}
        return _render(
            request, proposal, acceptance, errors=failure.errors, return_form=return_form,
            status=400,
        )  # fmt: skip
    except WorkflowError as conflict:
        messages.error(request, str(conflict))
        return redirect(_page(proposal))
    messages.success(request, _("Acceptance dossier returned to the investigator."))
    return redirect(_page(proposal))


@login_required
@require_POST
def acceptance_accept(request, pk):
    """An officer records the final acceptance after a pass or excellent verdict
    (`grants.workflow.accept_results`: in_progress → completed); its guard's messages are
    shown on the page."""
    proposal, acceptance = _acceptance_for(request, pk)
    try:
        grants_workflow.accept_results(proposal, by=request.user, ip=client_ip(request), comment="")
    except GuardFailed as failure:
        return _render(request, proposal, acceptance, errors=failure.errors, status=400)
    except WorkflowError as conflict:
        messages.error(request, str(conflict))
        return redirect(_page(proposal))
    messages.success(request, _("Final acceptance recorded: the task is completed."))
    return redirect(_page(proposal))


@login_required
@require_POST
def acceptance_terminate(request, pk):
    """A manager terminates a task the council failed, recording the refund obligation."""
    proposal, acceptance = _acceptance_for(request, pk)
    typed = {
        "comment": request.POST.get("comment", ""),
        "refund_amount": request.POST.get("refund_amount", ""),
        "refund_note": request.POST.get("refund_note", ""),
    }
    try:
        termination.terminate_after_failure(
            acceptance, by=request.user, ip=client_ip(request), reason=typed["comment"],
            refund_amount=typed["refund_amount"], refund_note=typed["refund_note"],
        )  # fmt: skip
    except GuardFailed as failure:
        terminate_form = typed | {"errors": failure.errors}
        return _render(
            request, proposal, acceptance, errors=failure.errors,
            terminate_form=terminate_form, status=400,
        )  # fmt: skip
    except WorkflowError as conflict:
        messages.error(request, str(conflict))
        return redirect(_page(proposal))
    messages.success(request, _("The task was terminated and its refund obligation recorded."))
    return redirect(_page(proposal))

"""From the council's scores to the decision: results per call, budget appraisal, minutes and
the funding decision as official documents."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import exports, roles, signing
from core.text import document_number
from grants import appraisal, documents, rules
from grants.forms import QUOTES, AppraisalForm
from grants.models import BudgetAppraisal, CallPage, Proposal, ProposalState

STAFF = (roles.OFFICER, roles.MANAGER)
DECIDED = (
    ProposalState.FUNDED,
    ProposalState.IN_PROGRESS,
    ProposalState.COMPLETED,
    ProposalState.TERMINATED,
    ProposalState.TRANSFERRED,
)


def _staff_only(user):
    if not roles.has_role(user, *STAFF):
        raise PermissionDenied


@login_required
def call_results(request, call_id):
    """The ranking of a call's reviewed proposals, against its budget (officers, managers)."""
    _staff_only(request.user)
    call = get_object_or_404(CallPage, pk=call_id)
    scored = list(
        Proposal.objects.filter(call=call, aggregate_score__isnull=False)
        .select_related("organisation", "owner__profile")
        .prefetch_related("ballots")
        .order_by("rank", "pk")
    )
    running = 0
    rows = []
    # The rows of dossiers the user takes part in stay hidden (their council's ballots).
    hidden = 0
    for p in scored:
        ballots = [b for b in p.ballots.all() if b.submitted_at]
        if p.passed:
            running += p.approved_amount or p.appraised_amount or p.requested_amount
        if not rules.may_see_ballots(p, request.user):
            hidden += 1
            continue
        rows.append(
            {
                "proposal": p,
                "valid": sum(1 for b in ballots if not b.excluded),
                "excluded": sum(1 for b in ballots if b.excluded),
                "running": running if p.passed else None,
                "over_budget": p.passed and running > call.total_budget,
            }
        )
    if request.GET.get("format") == "xlsx":
        return _results_xlsx(call, rows)
    committed = sum(p.approved_amount or 0 for p in scored if p.state in DECIDED)
    return render(
        request,
        "grants/results.html",
        {
            "call": call,
            "rows": rows,
            "hidden": hidden,
            "committed": committed,
            "left": call.total_budget - committed,
        },
    )


def _results_xlsx(call, rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = exports.sheet_title(call.code)
    exports.xlsx_append(
        sheet,
        [
            _("Rank"),
            _("Receipt number"),
            _("Title"),
            _("Host organisation"),
            _("Aggregate"),
            _("Valid ballots"),
            _("Excluded ballots"),
            _("Result"),
            _("Requested amount (VND)"),
            _("Appraised amount (VND)"),
            _("Approved amount (VND)"),
            _("Running total (VND)"),
            _("State"),
        ],
    )
    for row in rows:
        p = row["proposal"]
        exports.xlsx_append(
            sheet,
            [
                p.rank,
                p.receipt_number,
                p.title,
                p.organisation.name if p.organisation else "",
                float(p.aggregate_score),
                row["valid"],
                row["excluded"],
                p.get_review_outcome_display(),
                p.requested_amount,
                p.appraised_amount,
                p.approved_amount,
                row["running"],
                p.get_state_display(),
            ],
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ket-qua-{call.code}.xlsx"'
    return response


@login_required
def appraisal_page(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("call", "organisation"), pk=pk)
    if not rules.is_officer(proposal, request.user):
        raise PermissionDenied
    if proposal.state != ProposalState.REVIEWED or not proposal.passed:
        messages.error(request, _("Only a reviewed proposal that passed is appraised."))
        return redirect(proposal.get_absolute_url())
    existing = BudgetAppraisal.objects.filter(proposal=proposal).first()
    lines = list(proposal.budget_lines.all())
    errors = {}
    members = {m["unit"]: m["name"] for m in (existing.members if existing else [])}
    amounts = {}
    reasons = {}
    if existing:
        for line in existing.lines.all():
            amounts[line.budget_line_id] = line.amount
            reasons[line.budget_line_id] = line.reason
    quotes = [
        (q.item, q.supplier, q.quoted_on.isoformat(), q.amount)
        for q in (existing.quotes.all() if existing else [])
    ]
    note = existing.note if existing else ""
    if request.method == "POST":
        form = AppraisalForm(request.POST, lines=lines, units=BudgetAppraisal.Unit.choices)
        # What was typed is shown again as typed, whatever the outcome.
        members = {unit: request.POST.get(f"member-{unit}", "") for unit in appraisal.UNITS}
        note = request.POST.get("note", "")
        for line in lines:
            amounts[line.pk] = request.POST.get(f"line-{line.pk}", "")
            reasons[line.pk] = request.POST.get(f"reason-{line.pk}", "")
        quotes = [
            tuple(request.POST.get(f"quote-{i}-{part}", "").strip()
                  for part in ("item", "supplier", "date", "amount"))
            for i in range(QUOTES)
        ]  # fmt: skip
        errors = form.errors_by_key()
        if not errors:
            parsed_members, parsed_lines, parsed_quotes = form.arguments()
            try:
                appraisal.record(
                    proposal,
                    by=request.user,
                    members=parsed_members,
                    lines=parsed_lines,
                    quotes=parsed_quotes,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                errors = (
                    {k: v[0] for k, v in error.message_dict.items()}
                    if hasattr(error, "message_dict")
                    else {"__all__": " ".join(error.messages)}
                )
            else:
                messages.success(request, _("Budget appraisal recorded."))
                return redirect(proposal.get_absolute_url())
    while len(quotes) < 3:
        quotes.append(("", "", "", ""))
    return render(
        request,
        "grants/appraisal.html",
        {
            "proposal": proposal,
            "units": [
                (value, label, members.get(value, ""), errors.get(f"member-{value}"))
                for value, label in BudgetAppraisal.Unit.choices
            ],
            "lines": [
                {
                    "line": line,
                    "amount": amounts.get(line.pk, line.amount),
                    "reason": reasons.get(line.pk, ""),
                    "error": errors.get(f"line-{line.pk}") or errors.get(f"reason-{line.pk}"),
                }
                for line in lines
            ],
            "quotes": [
                {"index": i, "values": q, "error": errors.get(f"quote-{i}")}
                for i, q in enumerate(quotes)
            ],
            "note": note,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
def decision_pdf(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("call", "organisation"), pk=pk)
    is_owner = proposal.owner_id == request.user.pk
    if not (
        is_owner
        or (roles.has_role(request.user, *STAFF) and rules.can_view(proposal, request.user))
    ):
        raise PermissionDenied
    if not proposal.decision_number:
        raise Http404
    language = "en" if request.LANGUAGE_CODE == "en" else "vi"
    # Signed once by the Department and kept (core.signing): every download is the same file,
    # which /verify/ recognises. The English courtesy version is a document of its own.
    return signing.signed_pdf_response(
        request,
        filename=f"quyet-dinh-{document_number(proposal.decision_number).replace('/', '-')}.pdf",
        kind="decision",
        key=proposal.pk if language == "vi" else f"{proposal.pk}-en",
        number=document_number(proposal.decision_number),
        dated=timezone.localdate(proposal.decided_at or timezone.now()),
        subject=f"{proposal.receipt_number or ''} — {proposal.title}",
        path=request.path,
        render=lambda: documents.decision_pdf(proposal, language=language),
    )


@login_required
def minutes_pdf(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("call", "organisation"), pk=pk)
    _staff_only(request.user)
    if not rules.may_see_ballots(proposal, request.user):
        raise PermissionDenied(
            _("You take part in this proposal: its council's minutes are not for you.")
        )
    if proposal.aggregate_score is None:
        raise Http404
    language = "en" if request.LANGUAGE_CODE == "en" else "vi"
    response = HttpResponse(
        documents.minutes_pdf(proposal, language=language), content_type="application/pdf"
    )
    name = "minutes" if language == "en" else "bien-ban"
    response["Content-Disposition"] = f'inline; filename="{name}-{proposal.receipt_number}.pdf"'
    return response


@login_required
def session_minutes_pdf(request, call_id):
    _staff_only(request.user)
    call = get_object_or_404(CallPage, pk=call_id)
    scored = Proposal.objects.filter(call=call, aggregate_score__isnull=False)
    if not scored.exists():
        raise Http404
    # One document for the whole session (signed, byte-identical): refused whole to anyone
    # who takes part in one of its dossiers.
    if not all(rules.may_see_ballots(p, request.user) for p in scored):
        raise PermissionDenied(
            _("You take part in a dossier of this call: its council's minutes are not for you.")
        )
    response = HttpResponse(documents.session_minutes_pdf(call), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-{call.code}.pdf"'
    return response

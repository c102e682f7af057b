"""One proposal: its page (with the workflow's buttons), firing a transition, its receipt and
its verification, and the comparison of its submitted versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.http import rate_limited
from grants import dossier, forms, rules, timeline, workflow
from grants.access import RESULT_STATES, SIGNED_STATES, STAFF, proposal_for
from grants.documents import receipt_document
from grants.models import Proposal, ProposalState
from grants.selectors import return_request

# -- one proposal ---------------------------------------------------------------------------------


def _render_detail(request, proposal, *, action=None, action_form=None, status=200):
    is_owner = rules.is_owner(proposal, request.user)
    # The contract is signed on its own page (projects), which the panel below links to.
    names = [n for n in workflow.available(proposal, request.user) if n != "sign_contract"]
    # Four-eyes: a manager who prepared the dossier sees its decisions disabled, and why.
    decides = set(names).intersection(rules.DECISIONS)
    prepared = rules.prepared_by(proposal, request.user) if decides else []
    actions = []
    for name in names:
        spec = workflow.SPECS[name]
        form = (
            action_form
            if name == action
            else forms.TransitionForm(
                spec=spec,
                prefix=name,
                initial={"approved_amount": proposal.appraised_amount}
                if spec.needs_amount
                else None,
            )
        )
        refused = prepared if name in rules.DECISIONS else []
        actions.append({"name": name, "spec": spec, "form": form, "refused": refused})
    versions = list(proposal.versions.order_by("-number"))
    # Staff read what was received; the owner works on the current text.
    frozen = bool(versions) and not (is_owner and proposal.is_editable)
    data = versions[0].data if frozen else dossier.snapshot(proposal)
    dossier.label(data)
    problems = workflow.submission_problems(proposal) if proposal.is_editable else {}
    from grants import council

    staff = roles.has_role(request.user, *STAFF)
    # Who sits on the council and how they scored stays hidden from anyone taking part.
    sees_council = staff and rules.may_see_ballots(proposal, request.user)
    officer = rules.is_officer(proposal, request.user)
    seats = (
        list(proposal.assignments.select_related("reviewer__profile").order_by("pk"))
        if staff or proposal.state in ("eligible", "under_review", "reviewed")
        else []
    )
    seated = next((a for a in seats if a.reviewer_id == request.user.pk), None)
    context = {
        "council_link": officer and proposal.state in ("eligible", "under_review", "reviewed"),
        "seats": seats if sees_council else [],
        "sees_council": sees_council,
        "ballots": {b.reviewer_id: b for b in council.visible_ballots(proposal, request.user)},
        "my_assignment": seated,
        "is_staff": staff,
        "can_appraise": officer and proposal.state == ProposalState.REVIEWED and proposal.passed,
        "return_request": return_request(proposal) if is_owner else None,
        # Results in the technology catalogue: listed ones, and a way for the owner to add one.
        "results_listed": [
            t for t in proposal.technologies.all() if t.state == "published" or is_owner or staff
        ]
        if proposal.state in RESULT_STATES
        else [],
        "can_list_result": is_owner and proposal.state in RESULT_STATES,
        # The execution pages, by URL name only (grants does not import projects).
        "contract_to_prepare": roles.has_role(request.user, roles.OFFICER)
        and proposal.state == ProposalState.FUNDED,
        "contract_signed": (is_owner or staff) and proposal.state in SIGNED_STATES,
        "proposal": proposal,
        "is_owner": is_owner,
        "actions": actions,
        "frozen": frozen,
        "d": data,
        "versions": versions,
        "budget": dossier.budget_summary(data["budget"]),
        "timeline": timeline.folded(timeline.path(proposal, request.user)),
        "problems": problems,
        "complete": not problems,
        "can_edit": is_owner and proposal.is_editable,
        "section_status": [
            (key, title, problems.get(key, [])) for key, title, _fields in dossier.SECTIONS
        ],
    }
    return render(request, "grants/proposal_detail.html", context, status=status)


@login_required
def proposal_detail(request, pk):
    proposal = proposal_for(request, pk)
    return _render_detail(request, proposal)


@login_required
@require_POST
def proposal_transition(request, pk, name):
    proposal = proposal_for(request, pk)
    if not workflow.may_try(proposal, name, request.user):
        raise PermissionDenied
    spec = workflow.SPECS[name]
    form = forms.TransitionForm(request.POST, spec=spec, prefix=name)
    if not form.is_valid():
        return _render_detail(request, proposal, action=name, action_form=form, status=400)
    given = form.cleaned_data
    try:
        done = workflow.fire_from_request(name, proposal, request, given)
    except workflow.StateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect(proposal.get_absolute_url())
    except workflow.GuardFailed as failure:
        for key, errors in failure.errors.items():
            field = key if key in form.fields else None
            for error in errors:
                form.add_error(field, error)
        return _render_detail(request, proposal, action=name, action_form=form, status=400)
    if name == "submit":
        messages.success(
            request,
            _("Your dossier was received. Receipt number: %(number)s.")
            % {"number": done.receipt_number},
        )
    else:
        messages.success(
            request,
            _("Done: the proposal is now “%(state)s”.") % {"state": done.get_state_display()},
        )
    return redirect(done.get_absolute_url())


# -- documents and versions ---------------------------------------------------------------------


@login_required
def receipt(request, pk):
    proposal = proposal_for(request, pk)
    if not proposal.receipt_number:
        raise Http404
    language = "en" if request.LANGUAGE_CODE == "en" else "vi"  # /en/: the courtesy version
    # The stored receipt (rendered once, by the worker after submit or by the first download).
    response = HttpResponse(
        receipt_document(proposal, language=language), content_type="application/pdf"
    )
    name = "receipt" if language == "en" else "bien-nhan"
    response["Content-Disposition"] = f'inline; filename="{name}-{proposal.receipt_number}.pdf"'
    return response


def verify_receipt(request, code):
    """Public: anyone holding a receipt can check that the Department issued it. Limited per
    client address (PORTAL_RATE_LIMITS["receipt_verify"]) so that codes cannot be enumerated."""
    if rate_limited(request, "receipt_verify"):
        return render(request, "429.html", status=429)
    code = code[:20]
    proposal = (
        Proposal.objects.select_related("call", "organisation")
        .filter(verification_code=code.upper()[:10], receipt_number__isnull=False)
        .first()
        if code.isascii() and code.isalnum()  # no NUL (PostgreSQL refuses it in a query)
        else None
    )
    first = proposal.versions.order_by("number").first() if proposal else None
    return render(
        request,
        "grants/verify.html",
        {"proposal": proposal, "first": first, "code": code},
        status=200 if proposal else 404,
    )


@login_required
def compare_versions(request, pk):
    proposal = proposal_for(request, pk)
    versions = {v.number: v for v in proposal.versions.all()}
    if len(versions) < 2:
        raise Http404
    numbers = sorted(versions)
    try:
        a = int(request.GET.get("a", numbers[-2]))
        b = int(request.GET.get("b", numbers[-1]))
    except ValueError as error:
        raise Http404 from error
    if a not in versions or b not in versions:
        raise Http404
    changes = dossier.compare(versions[a].data, versions[b].data)
    labels = {
        name: str(Proposal._meta.get_field(name).verbose_name)
        for _k, _t, names in dossier.SECTIONS
        for name in names
    }
    labels.update(team=_("Research team"), budget=_("Budget"), attachments=_("Attachments"))
    for change in changes:
        change["label"] = labels.get(change["key"], change["key"])
    return render(
        request,
        "grants/compare.html",
        {
            "proposal": proposal,
            "a": versions[a],
            "b": versions[b],
            "numbers": numbers,
            "changes": changes,
        },
    )

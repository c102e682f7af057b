"""Council screens: the officer forms it, each member declares and scores (on a phone too)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import roles
from core.fields import valid_id
from grants import assignments as other_assignments
from grants import council, forms, rules
from grants.models import Ballot, Proposal, ReviewAssignment

Status = ReviewAssignment.Status


STEPS = ("declare", "score", "wait", "submitted", "declined")  # the list's order, by step
REVIEWS_PER_PAGE = 25


@login_required
def review_list(request):
    """A council member's assignments, the ones waiting for them first (conflicts to declare,
    ballots to score by their deadline), then those waiting for others, submitted, declined; a
    page at a time, the step and the order worked out by the database."""
    sent = Ballot.objects.filter(
        proposal=OuterRef("proposal"), reviewer=request.user, submitted_at__isnull=False
    )
    step = Case(
        When(status=Status.INVITED, then=Value(0)),
        When(status=Status.DECLINED, then=Value(4)),
        When(Exists(sent), then=Value(3)),
        When(proposal__state="under_review", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    assignments = (
        ReviewAssignment.objects.filter(reviewer=request.user)
        .select_related("proposal__call")
        .annotate(step=step)
        .order_by("step", F("due_at").asc(nulls_last=True), "pk")
    )
    others = other_assignments.for_user(request.user)
    page = Paginator(assignments, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    if not page.object_list and not others and not roles.has_role(request.user, roles.REVIEWER):
        raise PermissionDenied
    rows = [{"assignment": a, "step": STEPS[a.step]} for a in page]
    return render(
        request,
        "grants/reviews/list.html",
        {"rows": rows, "others": others, "now": timezone.now(), "page_obj": page},
    )


def _own_assignment(request, pk):
    assignment = get_object_or_404(
        ReviewAssignment.objects.select_related("proposal__call", "proposal__organisation"), pk=pk
    )
    if assignment.reviewer_id != request.user.pk:
        raise PermissionDenied
    return assignment


@login_required
def review_detail(request, pk):
    assignment = _own_assignment(request, pk)
    proposal = assignment.proposal
    if assignment.status == Status.INVITED:
        return _declaration(request, assignment)
    if assignment.status == Status.DECLINED:
        return render(request, "grants/reviews/declined.html", {"assignment": assignment})
    if rules.takes_part(proposal, request.user):
        raise PermissionDenied(_("You take part in this proposal: you cannot score it."))
    rubric = proposal.call.get_rubric()
    criteria = list(rubric.criteria.all())
    ballot = council.ballot_for(assignment)
    errors = {}
    values = {c.key: ballot.scores.get(c.key, "") for c in criteria}
    notes = {c.key: ballot.comments.get(c.key, "") for c in criteria}
    overall = ballot.comment
    if request.method == "POST" and not ballot.submitted_at:
        values = {c.key: request.POST.get(f"score-{c.key}", "").strip() for c in criteria}
        notes = {c.key: request.POST.get(f"comment-{c.key}", "") for c in criteria}
        overall = request.POST.get("comment", "")
        submit = "submit" in request.POST
        form = forms.BallotForm(request.POST, criteria=criteria)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors_by_criterion())
            data = form.cleaned_data
            council.save_ballot(
                assignment,
                by=request.user,
                scores={c.key: data[f"score-{c.key}"] for c in criteria},
                comments={c.key: data[f"comment-{c.key}"] for c in criteria},
                comment=data["comment"],
                submit=submit,
            )
        except ValidationError as error:
            if hasattr(error, "message_dict"):
                errors = {k: v[0] for k, v in error.message_dict.items()}
            else:
                messages.error(request, " ".join(error.messages))
        else:
            if submit:
                messages.success(request, _("Your ballot was submitted. Thank you."))
            else:
                messages.success(request, _("Draft saved."))
            return redirect(reverse("review_detail", args=[assignment.pk]))
    ballot.refresh_from_db()
    rows = [
        {
            "criterion": c,
            "value": values.get(c.key, ""),
            "note": notes.get(c.key, ""),
            "error": errors.get(c.key, ""),
        }
        for c in criteria
    ]
    return render(
        request,
        "grants/reviews/ballot.html",
        {
            "assignment": assignment,
            "proposal": proposal,
            "ballot": ballot,
            "rows": rows,
            "overall": overall,
            "errors": errors,
            "maximum": sum(c.max_points for c in criteria),
            "others": [
                b
                for b in council.visible_ballots(proposal, request.user)
                if b.reviewer_id != request.user.pk
            ],
            "criteria": criteria,
            "scoring_open": proposal.state == "under_review",
        },
        status=400 if errors else 200,
    )


def _declaration(request, assignment):
    proposal = assignment.proposal
    error = ""
    if request.method == "POST":
        no_conflict = request.POST.get("answer") == "accept"
        form = forms.DeclarationForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors["reason"])
            reason = form.cleaned_data["reason"]
            council.declare(assignment, by=request.user, no_conflict=no_conflict, reason=reason)
        except ValidationError as failure:
            error = " ".join(failure.messages)
        else:
            if no_conflict:
                messages.success(request, _("Thank you. The dossier is open to you now."))
            else:
                messages.info(request, _("You declined this seat; the Department has been told."))
            return redirect(reverse("review_detail", args=[assignment.pk]))
    organisations = sorted(
        {proposal.organisation.name if proposal.organisation else ""}
        | {m.organisation_name for m in proposal.team.all()} - {""}
    )
    return render(
        request,
        "grants/reviews/declare.html",
        {
            "assignment": assignment,
            "proposal": proposal,
            "organisations": organisations,
            "error": error,
            "reason": request.POST.get("reason", ""),
        },
        status=400 if error else 200,
    )


# -- the officer forms the council ------------------------------------------------------------------


@login_required
def proposal_council(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.select_related("call", "organisation", "sector"), pk=pk
    )
    if not (rules.is_officer(proposal, request.user) and rules.can_view(proposal, request.user)):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "council":
        return _seat_chosen(request, proposal)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "seat":
                form = forms.SeatForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(
                        [f"{form.fields[name].label}: {errors[0]}" for name, errors in form.errors.items()]
                    )  # fmt: skip
                day = form.cleaned_data["due_at"]
                due_at = (
                    timezone.make_aware(datetime.datetime.combine(day, datetime.time(17)))
                    if day
                    else None
                )
                council.seat(
                    proposal,
                    form.cleaned_data["reviewer"],
                    form.cleaned_data["seat"],
                    by=request.user,
                    due_at=due_at,
                )
                messages.success(request, _("Invitation sent."))
            elif action == "copy":
                skipped = council.copy_council(proposal, by=request.user)
                messages.success(
                    request, _("The council was seated on the call's other eligible dossiers.")
                )
                for target, reasons in skipped.items():
                    for reviewer, reason in reasons:
                        messages.warning(
                            request,
                            _("%(receipt)s: %(name)s left out — %(reason)s")
                            % {
                                "receipt": target.receipt_number,
                                "name": getattr(getattr(reviewer, "profile", None), "full_name", "")
                                or reviewer.email,
                                "reason": reason,
                            },
                        )
            elif action == "unseat":
                assignment = get_object_or_404(
                    ReviewAssignment,
                    pk=valid_id(request.POST.get("assignment")) or 0,
                    proposal=proposal,
                )
                council.unseat(assignment, by=request.user)
                messages.success(request, _("Seat freed."))
            elif action == "replace":
                assignment = get_object_or_404(
                    ReviewAssignment,
                    pk=valid_id(request.POST.get("assignment")) or 0,
                    proposal=proposal,
                )
                form = forms.ReplaceForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(
                        [f"{form.fields[name].label}: {errors[0]}" for name, errors in form.errors.items()]
                    )  # fmt: skip
                council.replace(assignment, form.cleaned_data["reviewer"], by=request.user)
                messages.success(
                    request, _("The seat was given to the replacement; the invitation is sent.")
                )
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(reverse("proposal_council", args=[proposal.pk]))
    return _council_page(request, proposal)


def _due_at(day):
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(17)))


def _seat_chosen(request, proposal):
    """The one form of the council page: the members ticked among the suggestions, each with
    their seat, and one deadline; seated together or not at all (`council.seat_many`)."""
    users = {s.reviewer.pk: s.reviewer for s in council.suggestions(proposal, by=request.user)}
    chosen = []
    for raw in request.POST.getlist("choose"):
        pk = valid_id(raw)
        if pk and pk in users and pk not in [r.pk for r, _seat in chosen]:
            chosen.append((users[pk], request.POST.get(f"seat-{pk}", "")))
    errors = {}
    form = forms.SeatForm({"due_at": request.POST.get("due_at", ""), "seat": "member"})
    form.fields["reviewer"].required = False
    if not form.is_valid() and "due_at" in form.errors:
        errors["due_at"] = form.errors["due_at"][0]
    else:
        try:
            council.seat_many(
                proposal, chosen, by=request.user, due_at=_due_at(form.cleaned_data["due_at"])
            )
        except ValidationError as error:
            errors = {k: " ".join(v) for k, v in error.message_dict.items()}
        else:
            messages.success(
                request,
                ngettext("%(n)d invitation sent.", "%(n)d invitations sent.", len(chosen))
                % {"n": len(chosen)},
            )
            return redirect(reverse("proposal_council", args=[proposal.pk]))
    return _council_page(
        request,
        proposal,
        errors=errors,
        chosen={r.pk: seat_role for r, seat_role in chosen},
        due=request.POST.get("due_at", ""),
        status=400,
    )


def _council_page(request, proposal, *, errors=None, chosen=None, due=None, status=200):
    errors = errors or {}
    assignments = list(
        proposal.assignments.select_related("reviewer__profile__organisation").order_by("pk")
    )
    taken = [a for a in assignments if a.status != Status.DECLINED]
    suggestions = council.suggestions(proposal, by=request.user)
    voted = set(
        proposal.ballots.filter(submitted_at__isnull=False).values_list("reviewer_id", flat=True)
    )
    scoring_begun = proposal.state == "under_review"
    rows = [
        {
            "assignment": a,
            # Once scoring has begun an accepted member leaves only by being replaced.
            "may_free": a.status != Status.DECLINED
            and not (scoring_begun and a.status == Status.ACCEPTED)
            and a.reviewer_id not in voted,
            "may_replace": a.status != Status.DECLINED and a.reviewer_id not in voted,
        }
        for a in assignments
    ]
    default_due = timezone.localdate() + datetime.timedelta(days=14)
    # What each open suggestion would sit as: a ticked member keeps the seat posted; otherwise
    # the seats still missing go down the ranking (chair first), then plain member.
    missing = iter(council.missing_seats(proposal))
    rows_suggested = []
    for s in suggestions:
        if s.blocked:
            rows_suggested.append({"s": s, "seat": "", "chosen": False, "error": ""})
            continue
        key = f"seat-{s.reviewer.pk}"
        if chosen is not None and s.reviewer.pk in chosen:
            seat_role = chosen[s.reviewer.pk]
        else:
            seat_role = next(missing, ReviewAssignment.Seat.MEMBER)
        rows_suggested.append(
            {
                "s": s,
                "seat": seat_role,
                "chosen": chosen is not None and s.reviewer.pk in chosen,
                "error": errors.get(key, ""),
            }
        )
    declined = [a for a in assignments if a.status == Status.DECLINED]
    summary = [("due", errors["due_at"])] if "due_at" in errors else []
    summary += [("choose", errors["__all__"])] if "__all__" in errors else []
    summary += [
        (f"seat-{r['s'].reviewer.pk}", f"{_name(r['s'].reviewer)}: {r['error']}")
        for r in rows_suggested
        if r["error"]
    ]
    return render(
        request,
        "grants/reviews/council.html",
        {
            "proposal": proposal,
            "assignments": assignments,
            "rows": rows,
            "open": proposal.state in council.OPEN_STATES,
            "candidates": [s.reviewer for s in suggestions if not s.blocked],
            "free_seats": max(proposal.call.min_reviewers - len(taken), 0),
            "suggestions": suggestions,
            "seats": ReviewAssignment.Seat.choices,
            "default_due": due if due is not None else default_due.isoformat(),
            "suggested": rows_suggested,
            "declined": declined,
            "errors": errors,
            "summary": summary,
            "ballots": council.visible_ballots(proposal, request.user),
            "others_eligible": Proposal.objects.filter(call=proposal.call, state="eligible")
            .exclude(pk=proposal.pk)
            .count(),
        },
        status=status,
    )


def _name(user):
    return getattr(getattr(user, "profile", None), "full_name", "") or user.email

"""The acceptance council's pages, under /proposals/<id>/acceptance/ (DESIGN.md → URLs): the
officer forms and runs the council, each member declares and grades (on a phone too), and the
signed minutes. Every change goes through `projects.council`."""

import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles, signing
from core.fields import valid_id
from core.http import client_ip
from core.transitions import GuardFailed, WorkflowError
from grants import rules
from grants.models import Proposal
from projects import council, grading, minutes
from projects.acceptance import acceptance_of
from projects.models import AcceptanceSeat, AcceptanceState, Grade

Status = AcceptanceSeat.Status
STAFF = (roles.OFFICER, roles.MANAGER)


def _acceptance(request, pk):
    """The proposal's acceptance once its dossier reached the Department (404 before)."""
    proposal = get_object_or_404(Proposal.objects.select_related("organisation", "owner"), pk=pk)
    acceptance = acceptance_of(proposal, "contract__proposal__organisation")
    if acceptance is None or acceptance.state == AcceptanceState.DRAFT:
        raise Http404
    return proposal, acceptance


def _due(day):
    if not day:
        return None
    try:
        parsed = datetime.date.fromisoformat(day)
    except ValueError:
        return None
    return timezone.make_aware(datetime.datetime.combine(parsed, datetime.time(17)))


def _member(value):
    pk = valid_id(value)
    user = get_user_model().objects.filter(pk=pk).first() if pk else None
    if user is None:
        raise GuardFailed({"member": [_("Choose a member from the list.")]})
    return user


def _seat_of(acceptance, value):
    return get_object_or_404(AcceptanceSeat, pk=valid_id(value) or 0, acceptance=acceptance)


# -- the officer's page ---------------------------------------------------------------------------


def _run(request, acceptance):
    """One POST of the officer's page → one step of `projects.council`."""
    action = request.POST.get("action")
    ip, by = client_ip(request), request.user
    if action == "size":
        raw = (request.POST.get("council_size") or "").strip()
        size = int(raw) if raw.isascii() and raw.isdigit() else None
        council.set_council_size(acceptance, size, by=by, ip=ip)
        return _("The council's size was saved.")
    if action == "seat":
        member = _member(request.POST.get("member"))
        seat = request.POST.get("seat", "")
        council.seat_member(
            acceptance, member, seat, by=by, ip=ip, due_at=_due(request.POST.get("due_at"))
        )
        return _("Invitation sent.")
    if action == "unseat":
        council.unseat_member(_seat_of(acceptance, request.POST.get("seat_id")), by=by, ip=ip)
        return _("Seat freed.")
    if action == "replace":
        seat = _seat_of(acceptance, request.POST.get("seat_id"))
        council.replace_member(seat, _member(request.POST.get("member")), by=by, ip=ip)
        return _("The seat was given to the new member; they are invited.")
    if action == "start":
        council.start_grading(acceptance, by=by, ip=ip)
        return _("Grading is open: the members have been told.")
    if action == "close":
        grading.close_council(acceptance, by=by, ip=ip)
        return _("The council's verdict was recorded.")
    raise GuardFailed({"action": [_("Choose an action.")]})


@login_required
def council_page(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    if not (rules.is_officer(proposal, request.user) or rules.is_manager(proposal, request.user)):
        raise PermissionDenied
    proposal, acceptance = _acceptance(request, pk)
    errors = {}
    status = 200
    if request.method == "POST":
        if not rules.is_officer(proposal, request.user):
            raise PermissionDenied
        try:
            done = _run(request, acceptance)
        except PermissionDenied:
            raise
        except GuardFailed as failure:
            errors = failure.errors
            status = 400
        except WorkflowError as failure:
            messages.error(request, str(failure))
            return redirect(reverse("project_acceptance_council", args=[proposal.pk]))
        else:
            messages.success(request, done)
            return redirect(reverse("project_acceptance_council", args=[proposal.pk]))
        acceptance.refresh_from_db()
    seats = list(acceptance.seats.select_related("member__profile__organisation").order_by("pk"))
    taken = [s for s in seats if s.status != Status.DECLINED]
    visible = {s.pk for s in grading.visible_seats(acceptance, request.user)}
    is_officer = rules.is_officer(proposal, request.user)
    return render(
        request,
        "projects/council.html",
        {
            "proposal": proposal,
            "acceptance": acceptance,
            "seats": seats,
            "visible": visible,
            "free_seats": max(acceptance.council_size - len(taken), 0),
            "suggestions": (
                council.suggestions(acceptance, request.user)
                if is_officer and acceptance.state in council.SEATING_STATES
                else []
            ),
            "seat_choices": AcceptanceSeat.Seat.choices,
            "sizes": range(council.MIN_SIZE, council.MAX_SIZE + 1),
            "start_problems": (
                council.council_problems(acceptance).get("council", [])
                if acceptance.state == AcceptanceState.SUBMITTED
                else []
            ),
            "close_problems": (
                council.close_problems(acceptance).get("council", [])
                if acceptance.state == AcceptanceState.GRADING
                else []
            ),
            "present": len(council.present(acceptance)),
            "is_officer": is_officer,
            "errors": errors,
            "posted": request.POST if errors else {},
            "default_due": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        },
        status=status,
    )


# -- the member's page ----------------------------------------------------------------------------


def _own_seat(request, acceptance):
    seat = acceptance.seats.select_related("member__profile").filter(member=request.user).first()
    if seat is None:
        raise PermissionDenied
    return seat


def _declaration(request, proposal, acceptance, seat):
    errors = {}
    if request.method == "POST":
        no_conflict = request.POST.get("answer") == "accept"
        try:
            council.declare(
                seat,
                by=request.user,
                no_conflict=no_conflict,
                reason=request.POST.get("reason", ""),
            )
        except GuardFailed as failure:
            errors = failure.errors
        except WorkflowError as failure:
            messages.error(request, str(failure))
            return redirect(reverse("project_acceptance_council_grade", args=[proposal.pk]))
        else:
            if no_conflict:
                messages.success(request, _("Thank you. The dossier is open to you now."))
            else:
                messages.info(request, _("You declined this seat; the Department has been told."))
            return redirect(reverse("project_acceptance_council_grade", args=[proposal.pk]))
    return render(
        request,
        "projects/council_declare.html",
        {
            "proposal": proposal,
            "acceptance": acceptance,
            "seat": seat,
            "errors": errors,
            "reason": request.POST.get("reason", ""),
        },
        status=400 if errors else 200,
    )


def _posted_grades(post, items):
    return {
        str(d.pk): {
            aspect: post.get(grading.grade_key(d, aspect), "") for aspect in council.Aspect.values
        }
        for d in items
    }


@login_required
def grade_page(request, pk):
    proposal, acceptance = _acceptance(request, pk)
    seat = _own_seat(request, acceptance)
    if seat.status == Status.INVITED:
        return _declaration(request, proposal, acceptance, seat)
    if seat.status == Status.DECLINED:
        return render(
            request, "projects/council_declined.html", {"proposal": proposal, "seat": seat}
        )
    items = grading.deliverables(acceptance)
    given = {(g.deliverable_id, g.aspect): g.grade for g in seat.grades.all()}
    grades = {
        str(d.pk): {a: given.get((d.pk, a), "") for a in council.Aspect.values} for d in items
    }
    report_grade, review = seat.report_grade, seat.review
    errors = {}
    if request.method == "POST":
        grades = _posted_grades(request.POST, items)
        report_grade = request.POST.get("report_grade", "")
        review = request.POST.get("review", "")
        submit = "submit" in request.POST
        try:
            grading.save_grades(
                seat, by=request.user, grades=grades, report_grade=report_grade, review=review,
                submit=submit, ip=client_ip(request),
            )  # fmt: skip
        except GuardFailed as failure:
            errors = failure.errors
        except WorkflowError as failure:
            messages.error(request, str(failure))
            return redirect(reverse("project_acceptance_council_grade", args=[proposal.pk]))
        else:
            messages.success(
                request,
                _("Your grades were submitted. Thank you.") if submit else _("Draft saved."),
            )
            return redirect(reverse("project_acceptance_council_grade", args=[proposal.pk]))
    seat.refresh_from_db()
    choices = [value for value, _label in Grade.choices]
    rows = [
        {
            "deliverable": d,
            "result": (acceptance.results or {}).get(str(d.pk), {}),
            "aspects": [
                {
                    "key": grading.grade_key(d, aspect),
                    "label": label,
                    "value": grades[str(d.pk)][aspect],
                    "error": " ".join(errors.get(grading.grade_key(d, aspect), [])),
                }
                for aspect, label in council.Aspect.choices
            ],
        }
        for d in items
    ]
    summary = [
        (f"#{a['key']}-{choices[0]}", f"{row['deliverable'].name} — {a['label']}: {a['error']}")
        for row in rows
        for a in row["aspects"]
        if a["error"]
    ]
    for key, anchor in (("report_grade", f"#report_grade-{choices[0]}"), ("review", "#id_review")):
        if key in errors:
            summary.append((anchor, " ".join(errors[key])))
    others = [
        s for s in grading.visible_seats(acceptance, request.user) if s.member_id != request.user.pk
    ]
    return render(
        request,
        "projects/council_grade.html",
        {
            "proposal": proposal,
            "acceptance": acceptance,
            "seat": seat,
            "rows": rows,
            "grade_choices": Grade.choices,
            "report_grade": report_grade,
            "review": review,
            "errors": errors,
            "summary": summary,
            "open": acceptance.state == AcceptanceState.GRADING and not seat.submitted_at,
            "others": others,
        },
        status=400 if errors else 200,
    )


# -- the minutes ----------------------------------------------------------------------------------


def may_read_minutes(proposal, acceptance, user):
    """The investigator, the Department's officers and managers, and the council's members."""
    if not user.is_authenticated:
        return False
    if rules.is_owner(proposal, user) or roles.has_role(user, *STAFF):
        return True
    return acceptance is not None and (
        acceptance.seats.filter(member=user, status=Status.ACCEPTED).exists()
    )


@login_required
def minutes_pdf(request, pk):
    """The signed minutes, signed and stored when the verdict was recorded (`projects.grading`).
    Who may read them is asked first: 403 for anyone else, whatever the dossier's state. Before
    the verdict the document does not exist yet: 404 for those who will read it."""
    proposal = get_object_or_404(Proposal.objects.select_related("organisation", "owner"), pk=pk)
    acceptance = acceptance_of(proposal, "contract__proposal")
    if not may_read_minutes(proposal, acceptance, request.user):
        raise PermissionDenied
    if acceptance is None or acceptance.state != AcceptanceState.DECIDED:
        raise Http404
    return signing.signed_pdf_response(
        request,
        filename=f"bien-ban-nghiem-thu-{proposal.receipt_number or proposal.pk}.pdf",
        **minutes.signed_minutes(acceptance),
    )


# -- the member's /reviews/ page (registered in grants.assignments by ProjectsConfig.ready) -------


def member_assignments(user):
    """The acceptance council seats of `user` not declined, for the /reviews/ page."""
    from grants.assignments import Item

    if user is None or not user.is_authenticated:
        return []
    seats = (
        AcceptanceSeat.objects.filter(member=user)
        .exclude(status=Status.DECLINED)
        .select_related("acceptance__contract__proposal")
        .order_by("pk")
    )
    items = []
    for seat in seats:
        acceptance = seat.acceptance
        proposal = acceptance.contract.proposal
        if seat.status == Status.INVITED:
            step, waiting = _("Declare conflicts of interest"), True
        elif seat.submitted_at:
            step, waiting = _("Grades submitted"), False
        elif acceptance.state == AcceptanceState.GRADING:
            step, waiting = _("Grade the results"), True
        elif acceptance.state == AcceptanceState.DECIDED:
            step, waiting = _("Verdict recorded"), False
        else:
            step, waiting = _("Waiting for the council to start"), False
        items.append(
            Item(
                title=proposal.title,
                detail=f"{proposal.receipt_number} · {_('Acceptance council')} · "
                f"{seat.get_seat_display()}",
                step=step,
                url=reverse("project_acceptance_council_grade", args=[proposal.pk]),
                waiting=waiting,
                due_at=seat.due_at,
            )
        )
    return items

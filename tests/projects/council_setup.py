"""An acceptance dossier submitted to the Department and its council, for the council tests.

Everything goes through the workflow, as the pages do: the dossier is filled and submitted by its
investigator (`projects.acceptance`), the council formed in `projects.council` and graded in
`projects.grading`."""

import contextlib
import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core import roles
from grants import workflow as grants_workflow
from grants.models import Proposal
from projects import acceptance as acceptance_steps
from projects import council, reports
from projects import grading as grading_steps
from projects.models import Acceptance, Contract
from tests.projects import accepting, contracting

# The seats of a council of n, in the order they are given.
LEADING_SEATS = ["chair", "vice_chair", "secretary", "critic", "critic"]


def seats_for(n):
    return (LEADING_SEATS + ["member"] * n)[:n]


def running_proposal(owner_email="researcher@example.org"):
    return (
        Proposal.objects.filter(owner__email=owner_email, state="in_progress")
        .order_by("pk")
        .first()
    )


def _settle_reports(contract, researcher, officer):
    """Every progress report whose period has ended by the workflow's clock, written, submitted
    and accepted through `projects.reports` (the dossier waits for them: `acceptance_problems`)."""
    officer = officer or get_user_model().objects.get(email="officer@example.org")
    today = timezone.localdate(grants_workflow.current_time())
    for report in contract.reports.order_by("number"):
        if report.state == "accepted" or report.period_end >= today:
            continue
        if report.state != "submitted":
            contracting.write_report(report, researcher)
            reports.submit_report(report, by=researcher)
        reports.accept_report(report, by=officer)


def submitted_acceptance(proposal=None, *, submitted_at=None, officer=None):
    """The proposal's acceptance dossier, filled and submitted by its investigator through
    `projects.acceptance.submit_acceptance` (now, or as of `submitted_at`, replayed), once the
    progress reports it waits for are accepted."""
    proposal = proposal or running_proposal()
    contract = Contract.objects.select_related("proposal__owner").get(proposal=proposal)
    acceptance = acceptance_steps.acceptance_for(contract)
    if acceptance.state != "draft":
        return acceptance
    researcher = contract.proposal.owner
    moment = grants_workflow.clock(submitted_at) if submitted_at else contextlib.nullcontext()
    with moment:
        _settle_reports(contract, researcher, officer)
        accepting.submit(acceptance, researcher)
    return Acceptance.objects.select_related("contract__proposal").get(pk=acceptance.pk)


def new_reviewer(label):
    user = get_user_model().objects.create_user(
        f"council-{label}", f"council-{label}@example.org", "x", first_name=label
    )
    user.groups.add(Group.objects.get(name=roles.REVIEWER))
    return user


def free_reviewers(acceptance, n):
    """n council members the system lets sit (no conflict with the task): the demo's pool
    first, then new ones."""
    proposal = acceptance.contract.proposal
    pool = [get_user_model().objects.get(email=f"reviewer{i}@example.org") for i in range(1, 8)]
    members = [
        r
        for r in pool
        if not council.conflict_reason(proposal, r) and not council.is_host_staff(proposal, r)
    ]
    index = 0
    while len(members) < n:
        index += 1
        members.append(new_reviewer(f"extra{acceptance.pk}-{index}"))
    return members[:n]


def seat_council(acceptance, officer, members, *, size=None, accept=True, seats=None):
    """Seat `members` (chair, vice-chair, secretary, two critics, members) and let each accept."""
    if size is not None and size != acceptance.council_size:
        council.set_council_size(acceptance, size, by=officer)
        acceptance.refresh_from_db()
    due = timezone.now() + datetime.timedelta(days=14)
    placed_seats = []
    for member, seat in zip(members, seats or seats_for(len(members)), strict=True):
        placed = council.seat_member(acceptance, member, seat, by=officer, due_at=due)
        if accept:
            placed = council.declare(placed, by=member, no_conflict=True)
        placed_seats.append(placed)
    return placed_seats


def grading(officer, n=9, *, size=9, acceptance=None):
    """A council of `size` seats, `n` members seated and accepted, grading started."""
    acceptance = acceptance or submitted_acceptance()
    members = free_reviewers(acceptance, n)
    seats = seat_council(acceptance, officer, members, size=size)
    council.start_grading(acceptance, by=officer)
    acceptance.refresh_from_db()
    return acceptance, seats


def uniform_grades(acceptance, grade):
    return {
        str(d.pk): {"quantity": grade, "quality": grade}
        for d in grading_steps.deliverables(acceptance)
    }


def submit(seat, grade, *, review="Nhận xét: kết quả đáp ứng yêu cầu của hợp đồng."):
    """The member grades every deliverable and the report `grade` and submits."""
    seat = (
        type(seat)
        .objects.select_related("acceptance__contract__proposal", "member")
        .get(pk=seat.pk)
    )
    return grading_steps.save_grades(
        seat,
        by=seat.member,
        grades=uniform_grades(seat.acceptance, grade),
        report_grade=grade,
        review=review,
        submit=True,
    )

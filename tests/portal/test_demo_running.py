"""The demo's running tasks (issue 13): after `seed_demo` somebody has work waiting on each of
them — a progress report for the officer, a change for a manager, acceptance dossiers at every
step before the verdict, and a council still grading that reviewer1@ sits on. Expected values
come from the scenario (`grants.demo.SCENARIO`, `projects.demo.STAGES`) and the regulations,
not from the demo code's own dates."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.demo import DETAILS, SCENARIO
from grants.models import CallPage, Proposal, Rubric
from portal import demo_data
from projects.demo import STAGES
from projects.models import Acceptance, ChangeRequest, ProgressReport, ProjectEntry
from projects.workflow import add_months

pytestmark = pytest.mark.django_db

RESEARCHER = "researcher@example.org"


def running(stage):
    title = next(title for title, named in STAGES.items() if named == stage)
    return Proposal.objects.select_related("contract").get(title=title)


def last_entry(proposal):
    """The last entry of the task's own trail (`projects.workflow.trail`)."""
    return ProjectEntry.objects.filter(proposal=proposal).order_by("at", "pk").last()


def test_every_stage_is_a_running_task_of_the_scenario_with_its_own_owner_limit():
    running_rows = [row for row in SCENARIO if row[3] == "in_progress"]
    assert set(STAGES) < {row[2] for row in running_rows}
    assert len(running_rows) == len(STAGES) + 1  # and researcher@'s, the tests' fresh one
    for stage in STAGES.values():
        assert running(stage).state == "in_progress"
    # Circular 20/2023 spirit: nobody leads more than two provincial tasks at once.
    leading = {}
    for proposal in Proposal.objects.filter(state="in_progress"):
        leading[proposal.owner.email] = leading.get(proposal.owner.email, 0) + 1
    assert max(leading.values()) == 2
    # researcher@ still has exactly one running task (the security world and browser tests').
    assert leading[RESEARCHER] == 1


def test_a_report_waits_for_the_officer():
    proposal = running("report_submitted")
    report = proposal.contract.reports.get(number=1)
    assert report.state == "submitted" and report.decided_at is None
    today = timezone.localdate()
    # Sent after its period ended (Circular 04/2015), and not in the future.
    assert report.period_end < timezone.localdate(report.submitted_at) < today
    assert last_entry(proposal).action == "report_submit"
    assert ProgressReport.objects.filter(state="submitted").count() == 1


def test_a_change_waits_for_a_manager():
    proposal = running("change_requested")
    change = ChangeRequest.objects.get(contract=proposal.contract)
    assert change.state == "requested" and change.kind == "reallocation"
    assert sum(change.reallocation.values()) == 0 and change.reason
    # Within the 10 % the portal allows over a contract (decision 0006).
    moved = sum(v for v in change.reallocation.values() if v > 0)
    assert 0 < moved <= proposal.contract.approved_amount // 10
    assert proposal.contract.reports.get(number=1).state == "accepted"
    assert last_entry(proposal).action == "change_request"


@pytest.mark.parametrize(
    "stage, state",
    [
        ("acceptance_draft", "draft"),
        ("acceptance_submitted", "submitted"),
        ("acceptance_returned", "returned"),
        ("acceptance_grading", "grading"),
    ],
)
def test_the_acceptance_dossiers_stand_at_each_step(stage, state):
    proposal = running(stage)
    acceptance = Acceptance.objects.get(contract=proposal.contract)
    assert acceptance.state == state
    contract = proposal.contract
    today = timezone.localdate()
    # The task is near its end: every report whose period is over was accepted first.
    ended = contract.reports.filter(period_end__lt=today)
    assert ended.exists() and set(ended.values_list("state", flat=True)) == {"accepted"}
    assert contract.tranches.filter(released_at__isnull=False).count() == 2
    assert today <= contract.ends_on <= today + datetime.timedelta(days=60)
    if state == "draft":
        assert acceptance.submitted_at is None and acceptance.final_report
        assert not acceptance.self_evaluation  # still being written
        return
    assert last_entry(proposal).action.startswith("acceptance_")
    assert timezone.localdate(acceptance.submitted_at) < today


def test_the_submitted_dossier_waits_for_its_council():
    acceptance = Acceptance.objects.get(contract=running("acceptance_submitted").contract)
    assert not acceptance.seats.exists() and acceptance.grading_started_at is None


def test_the_returned_dossier_says_why():
    proposal = running("acceptance_returned")
    acceptance = Acceptance.objects.get(contract=proposal.contract)
    entry = last_entry(proposal)
    assert entry.action == "acceptance_return_dossier" and entry.target == "returned"
    assert acceptance.return_reason and entry.comment == acceptance.return_reason
    assert entry.actor.email == "officer@example.org"


def test_the_grading_council_has_members_still_to_grade_among_them_reviewer1():
    acceptance = Acceptance.objects.get(contract=running("acceptance_grading").contract)
    seats = list(acceptance.seats.select_related("member"))
    assert len(seats) == acceptance.council_size == 7
    assert {seat.status for seat in seats} == {"accepted"}
    graded = [seat for seat in seats if seat.submitted_at]
    waiting = [seat for seat in seats if not seat.submitted_at]
    assert 0 < len(graded) < len(seats)
    assert "reviewer1@example.org" in {seat.member.email for seat in waiting}
    # Still open: no verdict, the members' deadline ahead.
    assert acceptance.verdict in ("", None) and acceptance.decided_at is None
    assert all(seat.due_at > timezone.now() for seat in waiting)
    assert all(seat.overall == "pass" for seat in graded)


def test_reviewer1_opens_the_grading_form_and_a_member_who_graded_sees_it_closed(client_as):
    proposal = running("acceptance_grading")
    url = reverse("project_acceptance_council_grade", args=[proposal.pk])
    waiting = client_as("reviewer1@example.org").get(url)
    assert waiting.status_code == 200
    html = waiting.content.decode()
    assert 'name="report_grade"' in html and 'name="submit"' in html
    graded = client_as("reviewer2@example.org").get(url).content.decode()
    assert 'name="submit"' not in graded
    # Somebody not seated on it is refused.
    assert client_as(RESEARCHER).get(url).status_code in (403, 404)


def test_researcher_funded_proposal_waits_for_its_contract_decided_over_four_months_ago():
    funded = Proposal.objects.get(owner__email=RESEARCHER, state="funded")
    assert funded.title.startswith("Ứng dụng ảnh vệ tinh")
    assert not hasattr(funded, "contract") or funded.contract is None
    today = timezone.localdate()
    decided = timezone.localdate(funded.decided_at)
    # The arc's journey signs on the decision day with a 3-month report period that must have
    # ended: four months back at least.
    assert add_months(decided, 4) <= today
    assert add_months(decided, 3) - datetime.timedelta(days=1) < today


def test_every_dossier_reads_as_its_own_proposal():
    titles = [row[2] for row in SCENARIO]
    assert set(titles) == set(DETAILS)
    proposals = list(Proposal.objects.filter(title__in=titles).select_related("sector", "call"))
    assert len(proposals) == len(titles)
    for field in ("abstract", "objectives", "keywords", "expected_products"):
        values = [getattr(p, field) for p in proposals]
        assert all(values) and len(set(values)) == len(values), field
    for proposal in proposals:
        assert proposal.sector in proposal.call.sectors.all(), proposal.title


def test_the_new_call_is_closed_and_its_tasks_are_within_its_budget():
    call = CallPage.objects.get(code="AG-CBNS25", locale__language_code="vi")
    assert call.closes_at < timezone.now()
    funded = Proposal.objects.filter(call=call, approved_amount__isnull=False)
    assert funded.count() == 4
    assert sum(p.approved_amount for p in funded) <= call.total_budget
    assert all(p.approved_amount <= call.max_per_project for p in funded)


def test_every_rubric_criterion_has_an_english_name():
    criteria = [c for rubric in Rubric.objects.all() for c in rubric.criteria.all()]
    expected = sum(len(rows) for _name, _default, rows in demo_data.RUBRICS)
    assert len(criteria) == expected
    for criterion in criteria:
        assert criterion.name_en and criterion.name_en != criterion.name


def test_criteria_are_named_in_english_under_en():
    from django.utils import translation

    criterion = Rubric.objects.get(is_default=True).criteria.get(key="overview")
    with translation.override("en"):
        assert criterion.label == "State of research and why the project is needed"
    with translation.override("vi"):
        assert criterion.label == "Tổng quan tình hình nghiên cứu, luận giải sự cần thiết"

"""Every transition of DESIGN.md's table: who may fire it, its guard, its effects, its trail."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pypdf import PdfReader

from grants import demo, workflow
from grants.models import AuditEntry, Ballot, Proposal, ProposalVersion
from researchers import workflow as membership_workflow
from tests.grants.conftest import in_an_giang, seat_council
from tests.projects import contracting

pytestmark = pytest.mark.django_db


def entries(proposal):
    return list(AuditEntry.objects.filter(proposal=proposal).values_list("transition", flat=True))


# -- submit ---------------------------------------------------------------------------------------


def test_submit_issues_receipt_freezes_version_audits_and_mails(
    draft, researcher, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = workflow.submit(draft, by=researcher, ip="10.0.0.5")

    year = timezone.localdate().year
    assert done.state == "submitted"
    assert done.receipt_number == f"AG-TEST01-{year}-0001"
    assert done.requested_amount == 1_000_000_000
    assert done.version == 1
    version = ProposalVersion.objects.get(proposal=done)
    assert version.data["title"] == "Chọn tạo giống lúa thơm chịu mặn ST-AG1"
    assert len(version.data["attachments"]) == 3
    entry = AuditEntry.objects.get(proposal=done)
    assert (entry.transition, entry.source, entry.target) == ("submit", "draft", "submitted")
    assert entry.actor == researcher and entry.ip == "10.0.0.5"

    receipt_mail = next(m for m in mail.outbox if m.to == ["researcher@example.org"])
    assert done.receipt_number in receipt_mail.subject
    name, content, mimetype = receipt_mail.attachments[0]
    assert mimetype == "application/pdf"
    text = "".join(
        page.extract_text() for page in PdfReader(__import__("io").BytesIO(content)).pages
    )
    assert done.receipt_number in text and "GIẤY BIÊN NHẬN HỒ SƠ" in text
    officer_mail = next(m for m in mail.outbox if "officer@example.org" in m.to)
    assert done.receipt_number in officer_mail.subject


def test_receipt_numbers_are_gapless_per_call_and_a_refused_submit_takes_none(
    open_call, researcher, researcher2, user_by_email
):
    first, _ = demo.draft_for(open_call, researcher)
    demo.fill(first, title="Một")
    incomplete, _ = demo.draft_for(open_call, researcher2)
    with pytest.raises(workflow.GuardFailed):
        workflow.submit(incomplete, by=researcher2)
    demo.fill(incomplete, title="Hai")
    year = timezone.localdate().year
    assert workflow.submit(first, by=researcher).receipt_number == f"AG-TEST01-{year}-0001"
    assert workflow.submit(incomplete, by=researcher2).receipt_number == f"AG-TEST01-{year}-0002"


def test_incomplete_dossier_lists_what_is_missing_and_changes_nothing(open_call, researcher):
    proposal, _ = demo.draft_for(open_call, researcher)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.submit(proposal, by=researcher)
    assert {"general", "rationale", "content", "products", "budget", "attachments"} <= set(
        failure.value.errors
    )
    proposal.refresh_from_db()
    assert proposal.state == "draft" and proposal.receipt_number is None
    assert entries(proposal) == []


def test_budget_over_the_call_cap_is_refused(draft, researcher, open_call):
    draft.budget_lines.create(category="equipment", description="Máy", amount=600_000_000)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.submit(draft, by=researcher)
    assert "1.600.000.000" in failure.value.errors["budget"][0]
    assert "1.500.000.000" in failure.value.errors["budget"][0]


def test_submit_after_the_deadline_in_an_giang_time_is_refused(draft, researcher, open_call):
    closes = timezone.localtime(open_call.closes_at)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.submit(draft, by=researcher, now=open_call.closes_at)
    assert closes.strftime("%H:%M %d/%m/%Y") in failure.value.errors["deadline"][0]
    one_second_before = open_call.closes_at - datetime.timedelta(seconds=1)
    assert workflow.submit(draft, by=researcher, now=one_second_before).state == "submitted"


def test_double_submit_keeps_one_receipt_and_one_entry(draft, researcher):
    done = workflow.submit(draft, by=researcher)
    with pytest.raises(workflow.StateConflict) as conflict:
        workflow.submit(draft, by=researcher)
    assert "Đã nộp" in str(conflict.value) or "Submitted" in str(conflict.value)
    assert Proposal.objects.get(pk=done.pk).receipt_number == done.receipt_number
    assert entries(done) == ["submit"]


def test_only_the_owner_submits_or_withdraws(draft, researcher2, officer, manager):
    for intruder in (researcher2, officer, manager):
        with pytest.raises(PermissionDenied):
            workflow.submit(draft, by=intruder)
        with pytest.raises(PermissionDenied):
            workflow.withdraw(draft, by=intruder)
    assert Proposal.objects.get(pk=draft.pk).state == "draft"


# -- screening ------------------------------------------------------------------------------------


def test_return_resubmit_keeps_the_receipt_and_adds_a_version(submitted, officer, researcher):
    deadline = timezone.now() + datetime.timedelta(days=7)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.return_for_revision(submitted, by=officer, comment=" ", revision_deadline=None)
    assert set(failure.value.errors) == {"comment", "revision_deadline"}
    returned = workflow.return_for_revision(
        submitted, by=officer, comment="Bổ sung lý lịch", revision_deadline=deadline
    )
    assert returned.state == "returned" and returned.revision_deadline == deadline
    returned.objectives = "Mục tiêu đã sửa"
    returned.save()
    again = workflow.submit(returned, by=researcher)
    assert again.receipt_number == submitted.receipt_number
    assert again.version == 2
    assert list(again.versions.values_list("number", flat=True)) == [1, 2]
    assert entries(again) == ["submit", "return_for_revision", "submit"]


def test_a_returned_dossier_may_be_resubmitted_after_the_call_closes_until_its_own_deadline(
    submitted, officer, researcher, open_call
):
    deadline = open_call.closes_at + datetime.timedelta(days=10)
    returned = workflow.return_for_revision(
        submitted, by=officer, comment="Bổ sung", revision_deadline=deadline
    )
    after_close = open_call.closes_at + datetime.timedelta(days=2)
    with pytest.raises(workflow.GuardFailed):
        workflow.submit(returned, by=researcher, now=deadline + datetime.timedelta(minutes=1))
    assert workflow.submit(returned, by=researcher, now=after_close).state == "submitted"


def test_mark_ineligible_needs_a_reason(submitted, officer):
    with pytest.raises(workflow.GuardFailed):
        workflow.mark_ineligible(submitted, by=officer, comment="")
    done = workflow.mark_ineligible(submitted, by=officer, comment="Thiếu xác nhận tổ chức chủ trì")
    assert done.state == "ineligible" and done.screened_by == officer
    assert AuditEntry.objects.get(proposal=done, transition="mark_ineligible").comment.startswith(
        "Thiếu"
    )


def test_researchers_and_managers_cannot_screen(submitted, researcher, manager):
    for user in (researcher, manager):
        with pytest.raises(PermissionDenied):
            workflow.mark_eligible(submitted, by=user)
    assert Proposal.objects.get(pk=submitted.pk).state == "submitted"


def test_an_officer_on_the_team_cannot_screen_it(submitted, officer):
    submitted.team.create(full_name="Huỳnh Thanh Tâm", organisation_name="Sở", user=officer)
    with pytest.raises(PermissionDenied):
        workflow.mark_eligible(submitted, by=officer)


@pytest.mark.parametrize("state", ["draft", "submitted", "returned", "eligible"])
def test_withdraw_from_each_allowed_state(state, draft, researcher, officer):
    proposal = draft
    if state != "draft":
        proposal = workflow.submit(proposal, by=researcher)
    if state == "returned":
        proposal = workflow.return_for_revision(
            proposal,
            by=officer,
            comment="x",
            revision_deadline=timezone.now() + datetime.timedelta(days=3),
        )
    if state == "eligible":
        proposal = workflow.mark_eligible(proposal, by=officer)
    assert workflow.withdraw(proposal, by=researcher).state == "withdrawn"


def test_withdraw_is_refused_once_the_council_has_started(under_review, researcher):
    with pytest.raises(workflow.StateConflict):
        workflow.withdraw(under_review, by=researcher)


# -- council --------------------------------------------------------------------------------------


def test_start_review_needs_two_thirds_chair_and_both_critics(eligible, officer, reviewers):
    seat_council(eligible, reviewers, accepted=4)  # 4 of 7 < ceil(14/3) = 5
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.start_review(eligible, by=officer)
    assert "5" in failure.value.errors["council"][0]
    eligible.assignments.filter(seat="member").update(status="accepted")  # 4 + 2 = 6
    eligible.assignments.filter(seat="critic").update(status="declined")
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.start_review(eligible, by=officer)
    assert any("critic" in m.lower() or "phản biện" in m for m in failure.value.errors["council"])
    eligible.assignments.filter(seat="critic").update(status="accepted")
    eligible.assignments.filter(seat__in=["chair", "vice_chair"]).update(status="declined")
    with pytest.raises(workflow.GuardFailed):
        workflow.start_review(eligible, by=officer)
    eligible.assignments.filter(seat="vice_chair").update(status="accepted")  # proxy for the chair
    assert workflow.start_review(eligible, by=officer).state == "under_review"


@pytest.mark.parametrize("seats, quorum", [(7, 5), (8, 6), (9, 6)])
def test_quorum_is_two_thirds_of_the_seats(seats, quorum, eligible, officer, reviewers):
    from django.contrib.auth import get_user_model

    type(eligible.call).objects.filter(pk=eligible.call_id).update(min_reviewers=seats)
    extra = [
        get_user_model().objects.create_user(f"reviewer-x{n}", f"x{n}@example.org", "x")
        for n in range(seats - len(reviewers))
    ]
    seat_council(eligible, [*reviewers, *extra][:seats], accepted=quorum - 1)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.start_review(eligible, by=officer)
    assert f"{quorum - 1}/{seats}" in failure.value.errors["council"][0]
    waiting = eligible.assignments.filter(status="invited").order_by("pk").first()
    type(waiting).objects.filter(pk=waiting.pk).update(status="accepted")
    assert workflow.start_review(eligible, by=officer).state == "under_review"


def test_start_review_blocks_a_reviewer_from_the_applicants_organisation(
    eligible, officer, reviewers, researcher
):
    seat_council(eligible, reviewers)
    critic = eligible.assignments.filter(seat="critic").first().reviewer
    # Confirmed staff of the host (researchers.workflow): a mere request would not count.
    membership = membership_workflow.request_membership(
        critic, by=critic, organisation=researcher.profile.organisation
    )
    membership_workflow.confirm(membership, by=officer)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.start_review(eligible, by=officer)
    assert critic.profile.full_name in " ".join(failure.value.errors["council"])


def _ballot(proposal, reviewer, scores):
    return Ballot.objects.create(
        proposal=proposal,
        reviewer=reviewer,
        scores=scores,
        total=sum(scores.values()),
        submitted_at=timezone.now(),
    )


GOOD = {
    "overview": 10,
    "content": 20,
    "products": 13,
    "application": 13,
    "feasibility": 13,
    "capacity": 13,
}


def test_complete_review_waits_for_every_accepted_ballot_then_scores(
    under_review, officer, reviewers
):
    for reviewer in reviewers[:6]:
        _ballot(under_review, reviewer, GOOD)  # 82 each
    with pytest.raises(workflow.GuardFailed):
        workflow.complete_review(under_review, by=officer)
    low = _ballot(under_review, reviewers[6], dict(GOOD, content=2, products=3))  # 54 points
    done = workflow.complete_review(under_review, by=None)  # the automatic close
    # mean of all = (6 * 82 + 54) / 7 = 78.0; |54 - 78| = 24 > 20% of 78 = 15.6: excluded
    assert str(done.aggregate_score) == "82.00"
    assert done.passed is True and done.rank == 1
    entry = AuditEntry.objects.get(proposal=done, transition="complete_review")
    assert entry.actor is None and entry.data["excluded_ballots"] == [low.pk]
    low.refresh_from_db()
    assert low.excluded is True


def test_only_officers_or_the_system_close_a_review(under_review, manager, researcher):
    for user in (manager, researcher):
        with pytest.raises(PermissionDenied):
            workflow.complete_review(under_review, by=user)


# -- decision -------------------------------------------------------------------------------------


@pytest.fixture
def reviewed(under_review, reviewers):
    for reviewer in reviewers:
        _ballot(under_review, reviewer, GOOD)
    return workflow.complete_review(under_review, by=None)


def test_fund_guards_amounts_appraisal_budget_and_four_eyes(reviewed, manager, user_by_email):
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.fund(reviewed, by=manager, approved_amount=900_000_000)
    assert "appraisal" in failure.value.errors
    Proposal.objects.filter(pk=reviewed.pk).update(
        appraised_amount=950_000_000, appraised_by=user_by_email("officer@example.org")
    )
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.fund(reviewed, by=manager, approved_amount=960_000_000)  # above the appraisal
    assert "approved_amount" in failure.value.errors
    Proposal.objects.filter(pk=reviewed.pk).update(screened_by=manager)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.fund(reviewed, by=manager, approved_amount=900_000_000)
    assert "four_eyes" in failure.value.errors
    Proposal.objects.filter(pk=reviewed.pk).update(screened_by=None)
    type(reviewed.call).objects.filter(pk=reviewed.call_id).update(total_budget=1_000_000_000)
    other = Proposal(call=reviewed.call, owner=manager, state="funded", approved_amount=200_000_000)
    other.save()
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.fund(reviewed, by=manager, approved_amount=900_000_000)
    assert "800.000.000" in failure.value.errors["approved_amount"][0]
    funded = workflow.fund(reviewed, by=manager, approved_amount=800_000_000)
    assert funded.state == "funded" and funded.approved_amount == 800_000_000


def test_fund_refuses_a_proposal_that_failed_and_reject_needs_a_reason(reviewed, manager, officer):
    Proposal.objects.filter(pk=reviewed.pk).update(passed=False, appraised_amount=1)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.fund(reviewed, by=manager, approved_amount=1)
    assert "passed" in failure.value.errors
    with pytest.raises(PermissionDenied):
        workflow.reject(reviewed, by=officer, comment="x")
    with pytest.raises(workflow.GuardFailed):
        workflow.reject(reviewed, by=manager, comment="")
    assert workflow.reject(reviewed, by=manager, comment="Vượt kinh phí").state == "rejected"


@pytest.fixture
def funded(reviewed, manager):
    Proposal.objects.filter(pk=reviewed.pk).update(appraised_amount=900_000_000)
    return workflow.fund(reviewed, by=manager, approved_amount=900_000_000)


def test_sign_contract_is_refused_without_the_contract_page(funded, officer):
    """Fired by name (the generic transition URL, the API), the step points to the contract."""
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.sign_contract(funded, by=officer)
    assert list(failure.value.errors) == ["contract"]
    assert Proposal.objects.get(pk=funded.pk).state == "funded"
    assert contracting.sign(funded, officer).state == "in_progress"


@pytest.fixture
def in_progress(funded, officer):
    return contracting.sign(funded, officer)


def test_accept_results_needs_a_passing_verdict(in_progress, officer, manager):
    with pytest.raises(workflow.GuardFailed):
        workflow.accept_results(in_progress, by=officer)
    Proposal.objects.filter(pk=in_progress.pk).update(acceptance_verdict="fail")
    with pytest.raises(workflow.GuardFailed):
        workflow.accept_results(in_progress, by=officer)
    Proposal.objects.filter(pk=in_progress.pk).update(acceptance_verdict="pass")
    with pytest.raises(PermissionDenied):
        workflow.accept_results(in_progress, by=manager)
    assert workflow.accept_results(in_progress, by=officer).state == "completed"


def test_terminate_is_the_managers_with_a_reason(in_progress, officer, manager):
    with pytest.raises(PermissionDenied):
        workflow.terminate(in_progress, by=officer, comment="x")
    with pytest.raises(workflow.GuardFailed):
        workflow.terminate(in_progress, by=manager, comment="")
    assert workflow.terminate(in_progress, by=manager, comment="Không đạt").state == "terminated"


def test_mark_transferred_is_the_systems_and_needs_a_completed_deal(in_progress, officer):
    Proposal.objects.filter(pk=in_progress.pk).update(acceptance_verdict="excellent")
    completed = workflow.accept_results(in_progress, by=officer)
    with pytest.raises(PermissionDenied):
        workflow.mark_transferred(completed, by=officer)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.mark_transferred(completed, by=None)
    assert "transfer" in failure.value.errors
    assert Proposal.objects.get(pk=completed.pk).state == "completed"


# -- the trail and the buttons ----------------------------------------------------------------------


def test_audit_entries_are_append_only(submitted):
    entry = AuditEntry.objects.get(proposal=submitted)
    entry.comment = "rewritten"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


def test_state_cannot_be_assigned_directly(draft):
    with pytest.raises(AttributeError):
        draft.state = "funded"


def test_available_transitions_per_role(submitted, researcher, researcher2, officer, manager):
    assert workflow.available(submitted, researcher) == ["withdraw"]
    assert workflow.available(submitted, researcher2) == []
    assert workflow.available(submitted, officer) == [
        "return_for_revision",
        "mark_eligible",
        "mark_ineligible",
    ]
    assert workflow.available(submitted, manager) == []


def test_every_transition_of_the_design_exists():
    assert set(workflow.TRANSITIONS) == {
        "submit", "withdraw", "return_for_revision", "mark_eligible", "mark_ineligible",
        "start_review", "complete_review", "fund", "reject", "sign_contract",
        "accept_results", "terminate", "mark_transferred",
    }  # fmt: skip
    table = {
        (t.name, t.source, t.target)
        for t in Proposal._meta.get_field("state").get_all_transitions(Proposal)
    }
    assert ("withdraw", "eligible", "withdrawn") in table
    assert ("return_for_revision", "submitted", "returned") in table
    assert not any(name == "withdraw" and source == "under_review" for name, source, _ in table)
    assert re.fullmatch(r"[A-F0-9]{10}", Proposal().verification_code)


def test_in_an_giang_helper_is_utc_plus_seven():
    assert in_an_giang(2026, 1, 1, 7).astimezone(datetime.UTC).hour == 0


def test_the_search_text_is_rebuilt_only_when_its_inputs_change():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    proposal = Proposal.objects.exclude(receipt_number=None).first()
    proposal.abstract = "Tóm tắt mới, không ảnh hưởng tới việc tìm kiếm."
    with CaptureQueriesContext(connection) as autosave:
        proposal.save()
    assert len(autosave.captured_queries) == 1  # the UPDATE alone: no profile or organisation read
    proposal.title = "Giống lúa Hòn Đất chịu hạn"
    proposal.save()
    assert "giong lua hon dat chiu han" in Proposal.objects.get(pk=proposal.pk).search_text
    fresh = Proposal.objects.get(pk=proposal.pk)
    fresh.title = "Tên khác hẳn"
    fresh.save(update_fields=["title"])
    assert "ten khac han" in Proposal.objects.get(pk=proposal.pk).search_text

"""Row locks under real concurrency: separate PostgreSQL connections in separate threads.

These tests commit (transactional_db), so `make test` runs them in the second pytest run,
together with the browser tests, never on SQLite (which has no row locks)."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from grants import demo, workflow
from grants.models import AuditEntry, CallPage, Proposal, ReceiptCounter
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PI = [("Đặng Văn Hậu", "principal", "Trường Đại học Kiên Giang", "TS.")]


def test_two_officers_conflicting_exactly_one_wins(seeded):
    officer = get_user_model().objects.get(email="officer@example.org")
    second = get_user_model().objects.create_user("officer2", "officer2@example.org", "x")
    second.groups.add(*officer.groups.all())
    call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    owner = get_user_model().objects.create_user("applicant-c", "c@example.org", "x")
    for round_number in range(5):
        proposal, _ = demo.draft_for(call, owner)
        demo.fill(
            proposal,
            title=f"Đề xuất tranh chấp {round_number}",
            budget=demo.budget_for(10**9),
            members=PI,
        )
        proposal = workflow.submit(proposal, by=owner)
        results = run_together(
            lambda p=proposal: workflow.mark_eligible(p, by=officer),
            lambda p=proposal: workflow.mark_ineligible(p, by=second, comment="Thiếu hồ sơ"),
        )
        outcomes = sorted(kind for kind, _value in results)
        assert outcomes == ["error", "ok"], results
        error = next(value for kind, value in results if kind == "error")
        assert isinstance(error, workflow.StateConflict)
        assert "action was not applied" in str(error) or "không được thực hiện" in str(error)
        winner = next(value for kind, value in results if kind == "ok")
        assert Proposal.objects.get(pk=proposal.pk).state == winner.state
        screening = AuditEntry.objects.filter(proposal=proposal).exclude(transition="submit")
        assert screening.count() == 1


def test_simultaneous_submissions_get_distinct_gapless_receipts(seeded):
    call = CallPage.objects.get(code="AG-TS01", locale__language_code="vi")
    users = [
        get_user_model().objects.create_user(f"applicant-{n}", f"a{n}@example.org", "x")
        for n in range(8)
    ]
    drafts = []
    for n, user in enumerate(users):
        proposal, _ = demo.draft_for(call, user)
        drafts.append(
            demo.fill(
                proposal, title=f"Hồ sơ nộp cùng lúc {n}", budget=demo.budget_for(10**9), members=PI
            )
        )
    before = ReceiptCounter.objects.filter(call=call).values_list("last", flat=True).first() or 0
    results = run_together(
        *[lambda p=p, u=u: workflow.submit(p, by=u) for p, u in zip(drafts, users, strict=True)]
    )
    assert all(kind == "ok" for kind, _ in results), results
    numbers = sorted(int(value.receipt_number.rsplit("-", 1)[1]) for _, value in results)
    assert numbers == list(range(before + 1, before + 9))


def test_a_double_click_on_submit_gives_one_receipt_and_one_entry(seeded):
    call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    owner = get_user_model().objects.create_user("applicant-d", "d@example.org", "x")
    proposal, _ = demo.draft_for(call, owner)
    demo.fill(proposal, title="Nhấp hai lần", budget=demo.budget_for(10**9), members=PI)
    results = run_together(
        lambda: workflow.submit(proposal, by=owner), lambda: workflow.submit(proposal, by=owner)
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert AuditEntry.objects.filter(proposal=proposal, transition="submit").count() == 1
    assert Proposal.objects.get(pk=proposal.pk).version == 1


def test_two_managers_cannot_spend_the_last_of_a_call_budget_twice(seeded):
    from django.contrib.auth.models import Group

    from grants.models import Ballot, ReviewAssignment

    manager = get_user_model().objects.get(email="manager@example.org")
    second = get_user_model().objects.create_user("manager2", "manager2@example.org", "x")
    second.groups.add(Group.objects.get(name="manager"))
    officer = get_user_model().objects.get(email="officer@example.org")
    reviewers = list(
        get_user_model().objects.filter(email__startswith="reviewer").order_by("email")
    )
    call = CallPage.objects.get(code="AG-CDS01", locale__language_code="vi")
    seats = ["chair", "vice_chair", "secretary", "critic", "critic", "member", "member"]
    proposals = []
    for n in range(2):
        owner = get_user_model().objects.create_user(f"applicant-m{n}", f"m{n}@example.org", "x")
        proposal, _ = demo.draft_for(call, owner)
        demo.fill(proposal, title=f"Hồ sơ cuối đợt {n}", budget=demo.budget_for(10**9), members=PI)
        proposal = workflow.mark_eligible(workflow.submit(proposal, by=owner), by=officer)
        for reviewer, seat in zip(reviewers, seats, strict=True):
            ReviewAssignment.objects.create(
                proposal=proposal, reviewer=reviewer, seat=seat, status="accepted"
            )
        proposal = workflow.start_review(proposal, by=officer)
        for reviewer in reviewers:
            Ballot.objects.create(
                proposal=proposal, reviewer=reviewer, scores={"content": 20}, total=85,
                submitted_at=timezone.now(),
            )  # fmt: skip
        proposal = workflow.complete_review(proposal, by=None)
        Proposal.objects.filter(pk=proposal.pk).update(appraised_amount=900_000_000)
        proposals.append(proposal)
    committed = sum(
        Proposal.objects.filter(call=call, state__in=workflow.COMMITTED_STATES).values_list(
            "approved_amount", flat=True
        )
    )
    # Room for exactly one of the two.
    CallPage.objects.filter(pk=call.pk).update(total_budget=committed + 1_000_000_000)
    results = run_together(
        lambda: workflow.fund(proposals[0], by=manager, approved_amount=900_000_000),
        lambda: workflow.fund(proposals[1], by=second, approved_amount=900_000_000),
    )
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, workflow.GuardFailed) and "approved_amount" in error.errors
    funded = Proposal.objects.filter(pk__in=[p.pk for p in proposals], state="funded")
    assert funded.count() == 1

"""Tranche releases under real concurrency: separate PostgreSQL connections in separate threads.

The contract's row lock makes two releases of the same contract take turns, and the check
constraint `contract_released_within_approved` is the last guard on the running total. These
tests commit (transactional_db), so they run on PostgreSQL only, never on SQLite."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from grants.models import Proposal
from projects.models import Contract, ProgressReport, ProjectEntry, Tranche
from projects.tranches import release_tranche
from projects.workflow import GuardFailed, StateConflict
from tests.concurrency import run_together
from tests.projects import contracting

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def two_officers():
    officer = get_user_model().objects.get(email="officer@example.org")
    second = get_user_model().objects.create_user("officer2", "officer2@example.org", "x")
    second.groups.add(*officer.groups.all())
    return officer, second


def running_task(officer, second_condition="report_accepted"):
    """The demo's funded dossier, its contract signed today with two tranches, none paid yet
    (half on signing, half after report 1 — or on signing too)."""
    researcher = get_user_model().objects.get(email="researcher@example.org")
    funded = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    half = funded.approved_amount // 2
    today = timezone.localdate()
    later = {"condition": second_condition}
    if second_condition == "report_accepted":
        later["report_number"] = 1
    return contracting.sign(
        funded, officer, number="77/2026/HĐ-SKHCN",
        tranches=[
            {"due_on": today, "amount": half, "condition": "on_signing"},
            {"due_on": today, "amount": funded.approved_amount - half, **later},
        ],
    )  # fmt: skip


def release(tranche, by, number):
    return release_tranche(
        Tranche.objects.get(pk=tranche.pk),
        by=by,
        payment_order_number=number,
        payment_order_date=timezone.localdate(),
    )


def test_two_officers_releasing_the_last_tranche_end_with_one_release(seeded):
    officer, second = two_officers()
    proposal = running_task(officer)
    first, last = Tranche.objects.filter(contract__proposal=proposal).order_by("position")
    release(first, officer, "001/LC")
    # Report 1 accepted: the last tranche's condition now holds.
    report = ProgressReport.objects.get(contract__proposal=proposal, number=1)
    contracting.accept_report(report, proposal.owner, officer, spent=1)

    results = run_together(
        lambda: release(last, officer, "002/LC-A"), lambda: release(last, second, "002/LC-B")
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, StateConflict), error
    assert "không cấp lại" in str(error)
    winner = next(value for kind, value in results if kind == "ok")
    assert str(error).count(winner.payment_order_number) == 1  # the loser is told which order paid
    contract = Contract.objects.get(proposal=proposal)
    assert contract.released_amount == contract.approved_amount == first.amount + last.amount
    assert Tranche.objects.get(pk=last.pk).payment_order_number == winner.payment_order_number
    entries = ProjectEntry.objects.filter(proposal=proposal, action="release_tranche")
    assert entries.count() == 2


def test_two_tranches_that_together_exceed_the_approved_amount_release_only_one(seeded):
    officer, second = two_officers()
    proposal = running_task(officer, second_condition="on_signing")
    first, last = Tranche.objects.filter(contract__proposal=proposal).order_by("position")
    # Both conditions hold, and the approved amount is one đồng short of their sum.
    approved = first.amount + last.amount - 1
    Contract.objects.filter(proposal=proposal).update(approved_amount=approved)

    results = run_together(
        lambda: release(first, officer, "003/LC"), lambda: release(last, second, "004/LC")
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, GuardFailed), error
    assert set(error.errors) == {"amount"}
    winner = next(value for kind, value in results if kind == "ok")
    contract = Contract.objects.get(proposal=proposal)
    assert contract.released_amount == winner.amount <= approved
    released = Tranche.objects.filter(contract=contract, released_at__isnull=False)
    assert list(released.values_list("pk", flat=True)) == [winner.pk]
    assert ProjectEntry.objects.filter(proposal=proposal, action="release_tranche").count() == 1

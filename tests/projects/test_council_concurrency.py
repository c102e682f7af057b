"""The acceptance council under real concurrency: separate PostgreSQL connections in threads.

Each submission takes the acceptance's row lock first, so two members submitting the last two
grades at once take turns: the second sees the first's grades, and the council closes once, with
both counted. These tests commit (transactional_db), so they run on PostgreSQL only."""

import pytest
from django.contrib.auth import get_user_model

from grants.models import Proposal
from projects import council, grading
from projects.models import Acceptance, AcceptanceSeat, ProjectEntry
from tests.concurrency import run_together
from tests.projects import council_setup as cs

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_last_two_members_submitting_at_once_close_the_council_once(seeded):
    officer = get_user_model().objects.get(email="officer@example.org")
    acceptance, seats = cs.grading(officer)
    for seat in seats[:7]:
        cs.submit(seat, "excellent")

    def submit(seat, grade):
        return lambda: cs.submit(AcceptanceSeat.objects.get(pk=seat.pk), grade)

    results = run_together(submit(seats[7], "fail"), submit(seats[8], "pass"))
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    acceptance = Acceptance.objects.get(pk=acceptance.pk)
    # Both counted: 7 excellent, 1 pass, 1 fail → pass (a fail blocks excellent).
    assert acceptance.state == "decided" and acceptance.verdict == "pass"
    proposal = Proposal.objects.get(pk=acceptance.contract.proposal_id)
    assert proposal.acceptance_verdict == "pass"
    decided = ProjectEntry.objects.filter(proposal=proposal, action="acceptance_decided")
    assert decided.count() == 1
    assert decided.get().data["present"] == 9
    assert (
        ProjectEntry.objects.filter(proposal=proposal, action="acceptance_grades_submitted").count()
        == 9
    )


def test_the_officer_closing_while_the_last_member_submits_closes_once(seeded):
    officer = get_user_model().objects.get(email="officer@example.org")
    acceptance, seats = cs.grading(officer)
    for seat in seats[:8]:
        cs.submit(seat, "excellent")

    def close():
        return grading.close_council(Acceptance.objects.get(pk=acceptance.pk), by=officer)

    results = run_together(
        close, lambda: cs.submit(AcceptanceSeat.objects.get(pk=seats[8].pk), "excellent")
    )
    # Whichever goes first decides (the member's submission closing it, or the officer with
    # eight present); the other finds it decided and is told, nothing applied.
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, council.StateConflict), error
    entries = ProjectEntry.objects.filter(
        proposal_id=acceptance.contract.proposal_id, action="acceptance_decided"
    )
    assert entries.count() == 1
    assert Acceptance.objects.get(pk=acceptance.pk).verdict == "excellent"

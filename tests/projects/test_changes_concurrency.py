"""Change requests under real concurrency (PostgreSQL, separate connections in threads): two
requests of a kind at once leave one waiting; two managers deciding at once, one decides."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core import roles
from grants.models import Proposal
from projects.changes import approve_change, refuse_change, request_change
from projects.models import ChangeRequest, ProjectEntry
from projects.workflow import StateConflict, WorkflowError
from tests.concurrency import run_together
from tests.projects.test_changes import REASON, run_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_requests_and_decisions_leave_one_outcome(seeded):
    users = get_user_model().objects
    researcher = users.get(email="researcher@example.org")
    officer = users.get(email="officer@example.org")
    manager = users.get(email="manager@example.org")
    second = users.create_user("manager2", "manager2@example.org", "x")
    second.groups.add(Group.objects.get(name=roles.MANAGER))
    funded = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    contract = run_task(funded, preparer=officer, signer=officer)

    results = run_together(
        *[
            lambda days=days: request_change(
                contract,
                by=researcher,
                kind="extension",
                reason=REASON,
                new_ends_on=contract.ends_on + datetime.timedelta(days=days),
            )  # fmt: skip
            for days in (30, 60)
        ]
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, WorkflowError)
    change = ChangeRequest.objects.get(contract=contract)

    results = run_together(
        lambda: approve_change(change, by=manager),
        lambda: refuse_change(change, by=second, comment="Không đủ căn cứ."),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), StateConflict)
    decided = ChangeRequest.objects.get(pk=change.pk)
    winner = next(v for k, v in results if k == "ok")
    assert decided.state == winner.state
    decisions = ProjectEntry.objects.filter(
        proposal=funded, action__in=["change_approve", "change_refuse"]
    )
    assert decisions.count() == 1
    contract.refresh_from_db()
    extended = decided.state == "approved"
    assert (contract.ends_on == decided.new_ends_on) is extended

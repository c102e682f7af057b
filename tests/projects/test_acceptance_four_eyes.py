"""Four-eyes after the acceptance (DESIGN.md: the deciding manager did not prepare the dossier):
whoever formed the acceptance council does not also terminate the task it failed."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core import roles
from core.transitions import GuardFailed
from projects import termination
from tests.projects import council_setup as cs

pytestmark = pytest.mark.django_db

REASON = "Bạn đã thành lập hội đồng nghiệm thu của nhiệm vụ này."


def officer_and_manager(username):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    user.groups.add(Group.objects.get(name=roles.OFFICER), Group.objects.get(name=roles.MANAGER))
    return user


def failed(former):
    acceptance, seats = cs.grading(former, n=7, size=7)
    for seat in seats:
        cs.submit(seat, "fail")
    acceptance.refresh_from_db()
    assert acceptance.verdict == "fail"
    return acceptance


def terminate(acceptance, by):
    return termination.terminate_after_failure(
        acceptance, by=by, reason="Kết quả không đạt.", refund_amount=0,
        refund_note="Hoàn trả theo quyết định của Sở.",
    )  # fmt: skip


def test_the_manager_who_formed_the_council_may_not_terminate(user_by_email):
    former = officer_and_manager("both-roles")
    acceptance = failed(former)
    with pytest.raises(GuardFailed) as refused:
        terminate(acceptance, former)
    messages = [str(m) for ms in refused.value.errors.values() for m in ms]
    assert REASON in messages
    acceptance.refresh_from_db()
    assert acceptance.contract.proposal.state == "in_progress"


def test_another_manager_terminates_it(user_by_email):
    acceptance = failed(officer_and_manager("former"))
    terminate(acceptance, user_by_email("manager@example.org"))
    acceptance.refresh_from_db()
    assert acceptance.contract.proposal.state == "terminated"

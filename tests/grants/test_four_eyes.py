"""Four-eyes: one rule for every decision (DESIGN.md). A manager who screened the dossier,
seated its council, appraised its budget or recorded its contract does not fund, reject or
terminate it, even when they hold the officer role too; a manager who did none of it does.

Each dossier is prepared through the workflow by a second officer, except for the one step the
officer-and-manager under test performs himself."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core import roles
from grants import appraisal, council, rules, workflow
from grants.models import Proposal, ReviewAssignment
from projects.contracts import sign_contract
from tests.projects import contracting

pytestmark = pytest.mark.django_db

GOOD = {"overview": 10, "content": 20, "products": 13, "application": 13, "feasibility": 13,
        "capacity": 13}  # fmt: skip
SEATS = ["chair", "vice_chair", "secretary", "critic", "critic", "member", "member"]
FOUR_EYES = "Bạn đã tham gia chuẩn bị hồ sơ này"
REASONS = {
    "screener": "Bạn đã kiểm tra tính hợp lệ",
    "seater": "Bạn đã thành lập hoặc điều hành hội đồng",
    "appraiser": "Bạn đã ghi nhận kết quả thẩm định kinh phí",
    "contract": "Bạn đã ghi nhận hợp đồng",
    # Preparing the contract on its page counts as much as recording its signature.
    "contract_preparer": "Bạn đã soạn hợp đồng",
}


@pytest.fixture
def clerk(db):
    """A second officer, who prepares whatever the officer under test does not."""
    user = get_user_model().objects.create_user("clerk", "clerk@example.org", "x")
    user.groups.add(Group.objects.get(name=roles.OFFICER))
    return user


@pytest.fixture
def dual(user_by_email):
    """officer@example.org, who is also given the manager role (TOTP is on for him)."""
    user = user_by_email("officer@example.org")
    user.groups.add(Group.objects.get(name=roles.MANAGER))
    return get_user_model().objects.get(pk=user.pk)


def prepare(submitted, party, *, dual, clerk, reviewers, manager, until="reviewed"):
    """Take a submitted dossier to `until`, `dual` doing the step of `party` only."""
    by = {step: (dual if step == party else clerk) for step in REASONS}
    proposal = workflow.mark_eligible(submitted, by=by["screener"])
    for index, (reviewer, seat) in enumerate(zip(reviewers, SEATS, strict=True)):
        # The officer under test seats one member; the others come from the second officer.
        assignment = council.seat(
            proposal, reviewer, seat, by=by["seater"] if index == 0 else clerk
        )
        council.declare(assignment, by=reviewer, no_conflict=True)
    proposal = workflow.start_review(proposal, by=clerk)
    for assignment in proposal.assignments.all():
        council.save_ballot(
            assignment, by=assignment.reviewer, scores=GOOD, comments={}, comment="", submit=True
        )
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.state == "reviewed" and proposal.passed
    appraisal.record(
        proposal,
        by=by["appraiser"],
        members=dict.fromkeys(appraisal.UNITS, "Nguyễn Thị Hoa"),
        lines={line.pk: (line.amount, "") for line in proposal.budget_lines.all()},
        quotes=[("Máy đo mặn", "Công ty Hanna VN", timezone.localdate(), 45_000_000)],
    )
    proposal = Proposal.objects.get(pk=proposal.pk)
    if until == "reviewed":
        return proposal
    proposal = workflow.fund(proposal, by=manager, approved_amount=proposal.appraised_amount)
    contracting.prepare(proposal, by["contract_preparer"], number="15/2026/HĐ-SKHCN")
    return sign_contract(proposal, by=by["contract"])


def fire(name, proposal, user):
    amount = proposal.appraised_amount if name == "fund" else None
    return workflow.fire_named(
        name, proposal, by=user, comment="Lý do của lãnh đạo Sở", approved_amount=amount
    )


CASES = [
    (decision, party)
    for decision in ("fund", "reject", "terminate")
    for party in REASONS
    # the contract is recorded after the funding decision: it can only stand in the way of
    # terminating the task
    if party not in ("contract", "contract_preparer") or decision == "terminate"
]


@pytest.mark.parametrize(("decision", "party"), CASES)
def test_a_manager_who_prepared_the_dossier_is_refused_at_the_function_the_page_and_the_api(
    decision, party, submitted, dual, clerk, reviewers, manager, client
):
    until = "in_progress" if decision == "terminate" else "reviewed"
    proposal = prepare(
        submitted, party, dual=dual, clerk=clerk, reviewers=reviewers, manager=manager, until=until
    )
    source = proposal.state
    reasons = [str(reason) for reason in rules.prepared_by(proposal, dual)]
    assert len(reasons) == 1 and REASONS[party] in reasons[0]  # that step and nothing else
    assert rules.prepared_by(proposal, clerk)  # the one who did the rest is refused too

    # the workflow function
    with pytest.raises(workflow.GuardFailed) as failure:
        fire(decision, proposal, dual)
    messages = failure.value.errors["four_eyes"]
    assert messages[0].startswith(FOUR_EYES)
    assert any(REASONS[party] in m for m in messages[1:])

    # the page
    client.force_login(dual)
    url = f"/proposals/{proposal.pk}/transitions/{decision}/"
    data = {f"{decision}-comment": "Lý do của lãnh đạo Sở"}
    if decision == "fund":
        data["fund-approved_amount"] = str(proposal.appraised_amount)
    page = client.post(url, data)
    assert page.status_code == 400
    assert REASONS[party] in page.content.decode()

    # the API
    api = client.post(
        f"/api/v1/proposals/{proposal.pk}/transitions/{decision}/",
        {"comment": "Lý do của lãnh đạo Sở", "approved_amount": proposal.appraised_amount},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert any(REASONS[party] in m for m in api.json()["errors"]["four_eyes"])
    assert (
        decision
        not in client.get(f"/api/v1/proposals/{proposal.pk}/").json()["available_transitions"]
    )
    assert Proposal.objects.get(pk=proposal.pk).state == source
    assert not proposal.audit_entries.filter(transition=decision).exists()

    # a manager who prepared none of it decides
    assert rules.prepared_by(proposal, manager) == []
    client.force_login(manager)
    done = client.post(url, data)
    assert done.status_code == 302
    decided = Proposal.objects.get(pk=proposal.pk)
    assert (
        decided.state
        == {"fund": "funded", "reject": "rejected", "terminate": "terminated"}[decision]
    )
    assert decided.audit_entries.get(transition=decision).actor == manager


def test_the_decision_buttons_are_disabled_with_the_reason_for_a_manager_who_prepared_it(
    submitted, dual, clerk, reviewers, manager, client
):
    proposal = prepare(
        submitted, "appraiser", dual=dual, clerk=clerk, reviewers=reviewers, manager=manager
    )
    client.force_login(dual)
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    for decision in ("fund", "reject"):
        form = html.split(f'action="/proposals/{proposal.pk}/transitions/{decision}/"')[1]
        button = form.split("<button")[1].split(">")[0]
        assert "disabled" in button
        assert f'aria-describedby="{decision}-four-eyes"' in button
    assert REASONS["appraiser"] in html
    client.force_login(manager)
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    form = html.split(f'action="/proposals/{proposal.pk}/transitions/fund/"')[1]
    assert "disabled" not in form.split("<button")[1].split(">")[0]
    assert FOUR_EYES not in html
    api = client.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert {"fund", "reject"} <= set(api["available_transitions"])


def test_screening_by_return_for_revision_counts_too(submitted, dual, manager):
    returned = workflow.return_for_revision(
        submitted,
        by=dual,
        comment="Bổ sung xác nhận của tổ chức chủ trì",
        revision_deadline=timezone.now() + datetime.timedelta(days=10),
    )
    assert any(REASONS["screener"] in r for r in rules.prepared_by(returned, dual))
    assert rules.prepared_by(returned, manager) == []


def test_the_officer_who_seats_a_member_is_recorded_on_the_seat(eligible, clerk, reviewers):
    assignment = council.seat(eligible, reviewers[0], "chair", by=clerk)
    assert ReviewAssignment.objects.get(pk=assignment.pk).invited_by == clerk
    assert any(REASONS["seater"] in r for r in rules.prepared_by(eligible, clerk))

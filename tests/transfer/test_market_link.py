"""The grant-to-market link that cannot be lost (DESIGN.md: `accept_results`, `mark_transferred`).

A result may be listed and sold while its project still runs. Whichever comes first — the deal
completed or the results accepted — the proposal ends `transferred`, by the system, with an
audit entry naming the deal; a deal short of `completed` moves nothing."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from grants import workflow as grants_workflow
from grants.models import AuditEntry, Proposal
from tests.samples import pdf
from transfer import workflow
from transfer.models import Technology, TransferDeal

pytestmark = pytest.mark.django_db

RUNNING = "Chế phẩm vi sinh xử lý rơm rạ tại ruộng"  # the demo's task in progress
ITS_RESULT = "Chế phẩm vi sinh phân hủy nhanh rơm rạ tại ruộng"  # listed from it, published
NO_SOURCE = "Sản xuất nấm bào ngư trên giá thể rơm rạ"  # a listing of no funded project


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def business(user_by_email):
    return user_by_email("business@example.org")


@pytest.fixture
def running():
    proposal = Proposal.objects.get(title=RUNNING)
    assert proposal.state == "in_progress"
    return proposal


@pytest.fixture
def result(running):
    technology = Technology.objects.get(title=ITS_RESULT)
    assert technology.state == "published" and technology.source_proposal_id == running.pk
    return technology


def agreed_deal(technology, business, *, value=180_000_000):
    """A deal on `technology` as far as `agreed`: asked, accepted, terms and agreement recorded."""
    deal = workflow.request_deal(technology, by=business, message="Cần chế phẩm cho 200 ha lúa.")
    deal = workflow.accept(deal, by=technology.owner)
    return workflow.record_terms(
        deal, by=business, mode=technology.transfer_modes[0], value=value, payment="lump_sum",
        term_months=24, signed_on=timezone.localtime(deal.created_at).date(), agreement=pdf("hop-dong.pdf"),
    )  # fmt: skip


def passing_verdict(proposal, verdict="pass"):
    # The acceptance council's verdict is recorded by `projects` (its own slice and tests);
    # here it is the starting point of `accept_results`.
    Proposal.objects.filter(pk=proposal.pk).update(acceptance_verdict=verdict)


def entries(proposal):
    return list(
        AuditEntry.objects.filter(proposal=proposal)
        .order_by("at", "pk")
        .values_list("transition", "source", "target", "actor")
    )


def test_deal_first_then_acceptance_ends_transferred_with_the_deal_named(
    running, result, business, officer
):
    deal = workflow.complete(agreed_deal(result, business), by=officer)
    assert deal.state == "completed"
    # The task still runs: nothing happens to it yet, and the link is kept.
    assert Proposal.objects.get(pk=running.pk).state == "in_progress"
    assert not AuditEntry.objects.filter(proposal=running, transition="mark_transferred").exists()

    passing_verdict(running)
    done = grants_workflow.accept_results(running, by=officer, comment="Đạt")
    assert done.state == "transferred"
    assert Proposal.objects.get(pk=running.pk).state == "transferred"
    assert entries(running)[-2:] == [
        ("accept_results", "in_progress", "completed", officer.pk),
        ("mark_transferred", "completed", "transferred", None),  # by the system
    ]
    entry = AuditEntry.objects.get(proposal=running, transition="mark_transferred")
    assert entry.comment == f"Giao dịch chuyển giao số {deal.pk} đã hoàn tất ({ITS_RESULT})."
    assert entry.data == {"deal": deal.pk, "deals": [deal.pk]}


def test_deal_first_then_acceptance_through_the_transition_url(
    running, result, business, officer, client_as
):
    deal = workflow.complete(agreed_deal(result, business), by=officer)
    passing_verdict(running, "excellent")
    response = client_as("officer@example.org").post(
        f"/proposals/{running.pk}/transitions/accept_results/"
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=running.pk).state == "transferred"
    page = client_as("officer@example.org").get(response["Location"]).content.decode()
    assert "Đã chuyển giao" in page and f"Giao dịch chuyển giao số {deal.pk} đã hoàn tất" in page


def test_acceptance_first_then_deal_ends_transferred(running, result, business, officer):
    deal = agreed_deal(result, business)
    passing_verdict(running)
    assert grants_workflow.accept_results(running, by=officer).state == "completed"
    assert not AuditEntry.objects.filter(proposal=running, transition="mark_transferred").exists()

    workflow.complete(deal, by=officer)
    assert Proposal.objects.get(pk=running.pk).state == "transferred"
    entry = AuditEntry.objects.get(proposal=running, transition="mark_transferred")
    assert entry.actor is None and entry.source == "completed" and entry.target == "transferred"
    assert entry.comment == f"Giao dịch chuyển giao số {deal.pk} đã hoàn tất ({ITS_RESULT})."


def test_a_deal_agreed_but_not_completed_leaves_the_results_completed(
    running, result, business, officer
):
    deal = agreed_deal(result, business)
    passing_verdict(running)
    assert grants_workflow.accept_results(running, by=officer).state == "completed"
    assert TransferDeal.objects.get(pk=deal.pk).state == "agreed"
    with pytest.raises(grants_workflow.GuardFailed) as failure:
        grants_workflow.mark_transferred(running, by=None)
    assert set(failure.value.errors) == {"transfer"}
    assert Proposal.objects.get(pk=running.pk).state == "completed"
    assert [e[0] for e in entries(running)][-1] == "accept_results"


def test_a_declined_or_cancelled_deal_does_not_transfer_either(running, result, business, officer):
    asked = workflow.request_deal(result, by=business, message="Hỏi giá chế phẩm.")
    workflow.decline(asked, by=result.owner, comment="Đang hoàn thiện quy trình.")
    talking = workflow.accept(
        workflow.request_deal(result, by=business, message="Hỏi lại."), by=result.owner
    )
    workflow.cancel(talking, by=business, comment="Đã chọn giải pháp khác.")
    passing_verdict(running)
    assert grants_workflow.accept_results(running, by=officer).state == "completed"


def test_two_deals_completed_while_running_transfer_once_naming_the_first(
    running, result, business, officer
):
    first = workflow.complete(agreed_deal(result, business), by=officer)
    # The same business may buy again (a second licence) once its first deal has ended.
    second = workflow.complete(agreed_deal(result, business, value=90_000_000), by=officer)
    passing_verdict(running)
    grants_workflow.accept_results(running, by=officer)
    entry = AuditEntry.objects.get(proposal=running, transition="mark_transferred")
    assert f"số {first.pk} " in entry.comment
    assert entry.data == {"deal": first.pk, "deals": [first.pk, second.pk]}


def test_a_deal_completed_on_a_technology_of_no_project_touches_no_proposal(business, officer):
    technology = Technology.objects.get(title=NO_SOURCE)
    assert technology.source_proposal_id is None
    before = AuditEntry.objects.count()
    states = dict(Proposal.objects.values_list("pk", "state"))
    deal = workflow.complete(agreed_deal(technology, business, value=30_000_000), by=officer)
    assert deal.state == "completed" and deal.registration_deadline is None  # not state-funded
    assert AuditEntry.objects.count() == before
    assert dict(Proposal.objects.values_list("pk", "state")) == states


def test_a_deal_on_another_projects_result_does_not_move_this_one(running, business, officer):
    other = (
        Technology.objects.filter(state="published", source_proposal__isnull=False)
        .exclude(source_proposal=running)
        .exclude(source_proposal__state="transferred")
        .first()
    )
    workflow.complete(agreed_deal(other, business), by=officer)
    passing_verdict(running)
    assert grants_workflow.accept_results(running, by=officer).state == "completed"


def test_mark_transferred_is_refused_without_a_completed_deal(
    running, result, business, officer, client_as
):
    agreed_deal(result, business)  # agreed is not enough
    passing_verdict(running)
    completed = grants_workflow.accept_results(running, by=officer)
    count = AuditEntry.objects.filter(proposal=running).count()
    # The function, as the system:
    with pytest.raises(grants_workflow.GuardFailed) as failure:
        grants_workflow.mark_transferred(completed, by=None)
    assert failure.value.errors == {
        "transfer": ["Chưa có giao dịch chuyển giao kết quả nào của nhiệm vụ này hoàn tất."]
    }
    # ... and by a person, who never may (the system's transition):
    with pytest.raises(PermissionDenied):
        grants_workflow.mark_transferred(completed, by=officer)
    # Through the transition URL and the command line:
    for email in ("officer@example.org", "manager@example.org", running.owner.email):
        response = client_as(email).post(f"/proposals/{running.pk}/transitions/mark_transferred/")
        assert response.status_code == 403, email
    with pytest.raises(CommandError, match="Chưa có giao dịch chuyển giao"):
        call_command(
            "proposal_transition", str(running.pk), "mark_transferred", stdout=io.StringIO()
        )
    assert Proposal.objects.get(pk=running.pk).state == "completed"
    assert AuditEntry.objects.filter(proposal=running).count() == count

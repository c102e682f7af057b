"""The grant-to-market link under real concurrency (PostgreSQL, a connection per thread).

One officer records the final acceptance of a task while another confirms the delivery of a
deal on its result, at the same instant. Whoever takes the proposal's row lock first, the
other sees it (DESIGN.md: either order ends `transferred`): exactly one `mark_transferred`
entry, naming the deal, and neither officer gets an error — many rounds, so that both orders
of the locks come up."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from grants import workflow as grants_workflow
from grants.models import AuditEntry, Proposal
from tests.concurrency import run_together
from tests.samples import pdf
from transfer import workflow
from transfer.models import DealEntry, Technology, TransferDeal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 12
RUNNING = "Chế phẩm vi sinh xử lý rơm rạ tại ruộng"
CHECKLIST = [key for key, _label in workflow.PUBLISH_CHECKLIST]


def user(email):
    return get_user_model().objects.get(email=email)


def two_officers():
    officer = user("officer@example.org")
    second = get_user_model().objects.create_user("officer4", "officer4@example.org", "x")
    second.groups.add(*officer.groups.all())
    return officer, second


def another_running_task(model, number):
    """One more task in progress with a passing verdict, the demo's running one copied (how a
    task comes to run, and its verdict, are the projects tests'; the race is what is tested)."""
    task = Proposal.objects.get(pk=model.pk)
    task.pk = None
    task.receipt_number = f"{model.receipt_number}-R{number:02d}"
    task.verification_code = f"RACE{number:06d}"
    task.title = f"{model.title} (vòng {number})"
    task.acceptance_verdict = "pass"
    task.save()
    return task


def agreed_deal_on_a_result_of(task, officer, number):
    """A technology listed from `task` (through moderation) and a deal on it up to `agreed`."""
    template = Technology.objects.get(title="Chế phẩm vi sinh phân hủy nhanh rơm rạ tại ruộng")
    technology = Technology.objects.create(
        title=f"Chế phẩm vi sinh phân hủy rơm rạ, lô {number}",
        summary=template.summary, sector=template.sector, trl=template.trl,
        ip_status=template.ip_status, transfer_modes=template.transfer_modes,
        owner=template.owner, organisation=template.organisation, source_proposal=task,
    )  # fmt: skip
    technology = workflow.submit_technology(technology, by=technology.owner)
    technology = workflow.publish_technology(technology, by=officer, checklist=CHECKLIST)
    business = user("business@example.org")
    deal = workflow.request_deal(technology, by=business, message="Cần chế phẩm cho 200 ha.")
    deal = workflow.accept(deal, by=technology.owner)
    return workflow.record_terms(
        deal, by=business, mode=technology.transfer_modes[0], value=150_000_000,
        payment="lump_sum", term_months=12, signed_on=timezone.localtime(deal.created_at).date(),
        agreement=pdf("hop-dong.pdf"),
    )  # fmt: skip


def race(task, deal, officer, second):
    results = run_together(
        lambda: grants_workflow.accept_results(Proposal.objects.get(pk=task.pk), by=officer),
        lambda: workflow.complete(TransferDeal.objects.get(pk=deal.pk), by=second),
    )
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert Proposal.objects.get(pk=task.pk).state == "transferred"
    assert TransferDeal.objects.get(pk=deal.pk).state == "completed"
    trail = AuditEntry.objects.filter(proposal=task)
    assert trail.filter(transition="accept_results").count() == 1
    transferred = trail.filter(transition="mark_transferred")
    assert transferred.count() == 1
    entry = transferred.get()
    assert entry.actor is None and f"số {deal.pk} " in entry.comment
    assert DealEntry.objects.filter(deal=deal, action="complete").count() == 1
    accepted_at = trail.get(transition="accept_results").at
    completed_at = DealEntry.objects.get(deal=deal, action="complete").at
    return "deal first" if completed_at < accepted_at else "acceptance first"


def test_acceptance_and_deal_completion_at_once_transfer_exactly_once(seeded):
    officer, second = two_officers()
    demo_task = Proposal.objects.get(title=RUNNING)
    orders = []
    for number in range(1, ROUNDS + 1):
        task = another_running_task(demo_task, number)
        deal = agreed_deal_on_a_result_of(task, officer, number)
        orders.append(race(task, deal, officer, second))
    # The demo's own running task, as it was reached through the workflow, last.
    Proposal.objects.filter(pk=demo_task.pk).update(acceptance_verdict="pass")
    orders.append(
        race(demo_task, agreed_deal_on_a_result_of(demo_task, officer, 0), officer, second)
    )
    print("lock orders:", {order: orders.count(order) for order in set(orders)})

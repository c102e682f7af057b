"""Deals under real concurrency (PostgreSQL, separate connections in threads): the row lock of
`core.transitions.fire` lets exactly one of two clashing steps through."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from grants.models import AuditEntry, Proposal
from tests.concurrency import run_together
from tests.samples import pdf
from transfer import workflow
from transfer.models import DealEntry, Technology, TransferDeal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def user(email):
    return get_user_model().objects.get(email=email)


def fresh_deal(title):
    technology = Technology.objects.get(title=title)
    return workflow.request_deal(technology, by=user("business@example.org"), message="Cần tư vấn")


def test_the_owner_accepting_while_the_business_cancels_one_wins(seeded):
    business = user("business@example.org")
    for title in ("Hệ thống nuôi cá tra tuần hoàn tiết kiệm nước", "Xử lý ra hoa xoài Ba Màu trái vụ",
                  "Phân bón hữu cơ vi sinh từ bùn đáy ao cá tra"):  # fmt: skip
        deal = fresh_deal(title)
        owner = deal.technology.owner
        results = run_together(
            lambda d=deal: workflow.accept(d, by=owner),
            lambda d=deal: workflow.cancel(d, by=business, comment="Đã tìm được giải pháp khác"),
        )
        kinds = sorted(kind for kind, _ in results)
        state = TransferDeal.objects.get(pk=deal.pk).state
        if kinds == ["ok", "ok"]:
            # Accepted first, then cancelled from `negotiating` (allowed): both steps recorded.
            assert state == "cancelled"
            assert list(deal.entries.values_list("action", flat=True)) == [
                "request",
                "accept",
                "cancel",
            ]
        else:
            assert kinds == ["error", "ok"], results
            error = next(value for kind, value in results if kind == "error")
            assert isinstance(error, workflow.StateConflict)
            assert deal.entries.exclude(action="request").count() == 1
            assert state in ("negotiating", "cancelled")


def test_a_double_click_on_express_interest_opens_one_deal(seeded):
    technology = Technology.objects.get(title="Sàn giao dịch nông sản trực tuyến cho nông hộ")
    business = user("business@example.org")
    results = run_together(
        lambda: workflow.request_deal(technology, by=business, message="Cần kết nối thương lái"),
        lambda: workflow.request_deal(technology, by=business, message="Cần kết nối thương lái"),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, workflow.GuardFailed)
    assert TransferDeal.objects.filter(technology=technology, business=business).count() == 1
    assert DealEntry.objects.filter(deal__technology=technology, action="request").count() == 1


def test_two_officers_confirming_one_delivery_transfer_the_project_once(seeded):
    technology = Technology.objects.get(title="Chế phẩm Trichoderma phòng bệnh thối rễ cây ăn trái")
    business, officer = user("business@example.org"), user("officer@example.org")
    second = get_user_model().objects.create_user("officer3", "officer3@example.org", "x")
    second.groups.add(*officer.groups.all())
    deal = workflow.request_deal(
        technology, by=business, message="Cần chế phẩm cho 50 ha sầu riêng"
    )
    deal = workflow.accept(deal, by=technology.owner)
    deal = workflow.record_terms(
        deal, by=business, mode="licence", value=250_000_000, payment="lump_sum", term_months=36,
        signed_on=timezone.localdate(), agreement=pdf(),
    )  # fmt: skip
    results = run_together(
        lambda: workflow.complete(deal, by=officer), lambda: workflow.complete(deal, by=second)
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert TransferDeal.objects.get(pk=deal.pk).state == "completed"
    assert deal.entries.filter(action="complete").count() == 1
    project = Proposal.objects.get(pk=technology.source_proposal_id)
    assert project.state == "transferred"
    assert AuditEntry.objects.filter(proposal=project, transition="mark_transferred").count() == 1

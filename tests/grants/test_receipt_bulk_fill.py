"""The benchmark's bulk fill moves each call's ReceiptCounter on to the numbers it gives
(issue 16): a real submit afterwards takes the next number, never one already taken."""

import random

import pytest
from django.utils import timezone

from grants import demo, workflow
from grants.models import CallPage, Proposal, ReceiptCounter

pytestmark = pytest.mark.django_db


def test_a_real_submit_after_the_bulk_fill_takes_the_next_number(researcher2):
    from benchmarks.proposals import generate

    generate(Proposal.objects.count() + 60, random.Random(57))
    year = timezone.localdate().year
    for counter in ReceiptCounter.objects.select_related("call"):
        prefix = f"{counter.call.code}-{counter.year}-"
        numbers = sorted(
            int(n.removeprefix(prefix))
            for n in Proposal.objects.filter(receipt_number__startswith=prefix).values_list(
                "receipt_number", flat=True
            )
        )
        assert numbers == list(range(1, counter.last + 1)), prefix  # gapless, counter on the last
    call = CallPage.objects.filter(
        locale__language_code="vi", opens_at__year=year, closes_at__gt=timezone.now()
    ).first()
    assert call is not None
    counter = ReceiptCounter.objects.get(call=call, year=year)
    assert counter.last > 0  # the fill did give numbers in this call and year
    proposal, _created = demo.draft_for(call, researcher2)
    demo.fill(proposal, title="Hồ sơ nộp thật sau khi nạp hàng loạt", budget=demo.budget_for(10**9))
    done = workflow.submit(proposal, by=researcher2)
    assert done.receipt_number == f"{call.code}-{year}-{counter.last + 1:04d}"

"""A delivery is sent once when the worker and the cron run reach it at the same moment: the
claim (one UPDATE of the pending, due row) lets one of them through. Real commits and separate
PostgreSQL connections in threads, against the receiver on 127.0.0.1."""

import pytest
from django.db import connection
from django.utils import timezone

from core import webhooks
from core.models import WebhookDelivery, WebhookEndpoint
from tests import webhook_receiver
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

receiver = webhook_receiver.receiver


def test_three_workers_on_one_due_delivery_send_it_once(receiver):
    if connection.vendor != "postgresql":
        pytest.fail("Concurrency tests need PostgreSQL: run them through `make test`.")
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, events=["deal.completed"])
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="deal.completed", payload={"deal": {"id": 1}},
        next_attempt_at=timezone.now(),
    )  # fmt: skip
    receiver.answer(200, delay=0.3)  # long enough for the others to arrive meanwhile
    results = run_together(
        lambda: webhooks.attempt(delivery.pk),
        lambda: webhooks.attempt(delivery.pk),
        lambda: webhooks.deliver_due(),
    )
    assert all(kind == "ok" for kind, _value in results), results
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 1

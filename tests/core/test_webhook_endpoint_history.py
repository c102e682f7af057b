"""An endpoint's history (registered, changed, new secret, deleted: by whom, when, from where),
kept append-only after the endpoint is gone; a new secret signs every later attempt; old
deliveries pruned at the retention boundary, pending ones never."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from core import webhooks
from core.models import WebhookDelivery, WebhookEndpoint, WebhookEndpointEntry
from tests import webhook_receiver

pytestmark = pytest.mark.django_db

receiver = webhook_receiver.receiver
A = WebhookEndpointEntry.Action
CHANGED = WebhookEndpoint.Event.PROPOSAL_STATE_CHANGED
RECEIVED = WebhookEndpoint.Event.DOSSIER_RECEIVED


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


def actions(endpoint_pk):
    return list(
        WebhookEndpointEntry.objects.filter(endpoint_number=endpoint_pk).values_list(
            "action", "events", "active", "ip"
        )
    )


def test_every_change_of_an_endpoint_is_recorded_and_outlives_it(officer):
    endpoint = webhooks.register(
        by=officer, url="https://lgsp.example.vn/hooks", events=[CHANGED], ip="10.1.2.3"
    )
    webhooks.change(endpoint, by=officer, events=[CHANGED, RECEIVED], active=False, ip="10.1.2.4")
    webhooks.rotate_secret(endpoint, by=officer, ip="10.1.2.5")
    webhooks.remove(endpoint, by=officer, ip="10.1.2.6")
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    both = sorted([CHANGED, RECEIVED])
    assert actions(endpoint.pk) == [
        (A.REGISTER, [CHANGED], True, "10.1.2.3"),
        (A.CHANGE, both, False, "10.1.2.4"),
        (A.ROTATE, both, False, "10.1.2.5"),
        (A.REMOVE, both, False, "10.1.2.6"),
    ]
    entries = WebhookEndpointEntry.objects.filter(endpoint_number=endpoint.pk)
    assert {e.by for e in entries} == {officer}
    assert {e.url for e in entries} == {"https://lgsp.example.vn/hooks"}
    entry = entries.first()
    entry.ip = "10.9.9.9"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


def test_a_refused_change_records_nothing(officer, user_by_email):
    endpoint = webhooks.register(by=officer, url="https://lgsp.example.vn/hooks", events=[CHANGED])
    with pytest.raises(webhooks.GuardFailed):
        webhooks.change(endpoint, by=officer, events=[], active=True)
    researcher = user_by_email("researcher@example.org")
    secret = endpoint.secret
    for step in (
        lambda: webhooks.rotate_secret(endpoint, by=researcher),
        lambda: webhooks.change(endpoint, by=researcher, events=[CHANGED], active=False),
        lambda: webhooks.remove(endpoint, by=researcher),
    ):
        with pytest.raises(PermissionDenied):
            step()
    assert [a for a, *_ in actions(endpoint.pk)] == [A.REGISTER]
    endpoint.refresh_from_db()
    assert endpoint.secret == secret and endpoint.active


def test_a_new_secret_signs_every_later_attempt_retries_included(
    receiver, officer, django_capture_on_commit_callbacks
):
    endpoint = webhooks.register(by=officer, url=receiver.url, events=[CHANGED])
    old = endpoint.secret
    receiver.answer(503)  # the first attempt fails: a retry is due later
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit(CHANGED, {"proposal": {"id": 1}, "from": "a", "to": "b"})
    first = receiver.requests[0]
    stamp = int(first.headers["X-Portal-Timestamp"])
    assert webhooks.verify(old, stamp, first.body, first.headers["X-Portal-Signature"])

    new = webhooks.rotate_secret(endpoint, by=officer).secret
    assert new != old and len(new) == len(old)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    webhooks.attempt(delivery.pk, now=delivery.next_attempt_at)
    retry = receiver.requests[1]
    stamp = int(retry.headers["X-Portal-Timestamp"])
    signature = retry.headers["X-Portal-Signature"]
    assert webhooks.verify(new, stamp, retry.body, signature, now=stamp)
    assert not webhooks.verify(old, stamp, retry.body, signature, now=stamp)
    assert json.loads(retry.body)["id"] == delivery.pk


def test_the_pages_rotate_and_show_the_history(client_as, officer):
    endpoint = webhooks.register(by=officer, url="https://lgsp.example.vn/hooks", events=[CHANGED])
    client = client_as("officer@example.org")
    page = client.get(f"/integrations/webhooks/{endpoint.pk}/").content.decode()
    assert f'value="{endpoint.secret}"' in page
    response = client.post(f"/integrations/webhooks/{endpoint.pk}/rotate/")
    assert response.status_code == 302
    endpoint_now = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert endpoint_now.secret != endpoint.secret
    page = client.get(f"/integrations/webhooks/{endpoint.pk}/").content.decode()
    assert f'value="{endpoint_now.secret}"' in page and endpoint.secret not in page
    assert "khóa mới" in page  # the history names the step, in Vietnamese
    assert [a for a, *_ in actions(endpoint.pk)] == [A.REGISTER, A.ROTATE]
    assert actions(endpoint.pk)[1][3] == "127.0.0.1"  # the officer's address, from the request


# -- pruning -------------------------------------------------------------------------------------


def test_old_deliveries_are_pruned_at_the_boundary_and_pending_ones_never(officer, settings):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 90
    endpoint = webhooks.register(by=officer, url="https://lgsp.example.vn/hooks", events=[CHANGED])
    now = timezone.now()
    cutoff = now - datetime.timedelta(days=90)
    second = datetime.timedelta(seconds=1)
    S = WebhookDelivery.Status

    def delivery(created_at, status):
        return WebhookDelivery.objects.create(
            endpoint=endpoint, event=CHANGED, payload={}, created_at=created_at, status=status
        ).pk

    kept = {
        delivery(cutoff, S.DELIVERED),  # exactly 90 days old
        delivery(cutoff + second, S.FAILED),
        delivery(cutoff - datetime.timedelta(days=400), S.PENDING),  # still to be sent
    }
    gone = {delivery(cutoff - second, S.DELIVERED), delivery(cutoff - second, S.FAILED)}
    assert webhooks.prune(now=now) == len(gone)
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == kept

    assert webhooks.prune(now=now, days=0) == 2  # nothing old is kept but the pending one
    with pytest.raises(CommandError):
        call_command("prune_webhook_deliveries", "--days", "0")

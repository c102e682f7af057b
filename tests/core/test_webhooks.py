"""Signed webhooks (core.webhooks) against a real receiver on 127.0.0.1 (tests/webhook_receiver.py):
signatures, retries and their backoff, who gets what, nothing from a rolled-back step, and the
events the workflows emit (grants.workflow, transfer.workflow)."""

import datetime
import io
import json
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core import webhooks
from core.models import WebhookDelivery, WebhookEndpoint
from core.transitions import GuardFailed
from grants import workflow
from grants.models import Proposal
from tests import webhook_receiver
from tests.grants import conftest as _grants
from tests.webhook_receiver import free_port

pytestmark = pytest.mark.django_db

# Fixtures: the receiver on 127.0.0.1, and the grants suite's fresh call and draft.
receiver = webhook_receiver.receiver
draft = _grants.draft
open_call = _grants.open_call
researcher = _grants.researcher

E = WebhookEndpoint.Event
STATE_CHANGED = E.PROPOSAL_STATE_CHANGED


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


def endpoint_for(target, officer, events=(STATE_CHANGED,), active=True, path=""):
    """An endpoint registered by the officer: the receiver's address (plus `path`) or a URL."""
    url = target.url + path if hasattr(target, "url") else target
    return webhooks.register(by=officer, url=url, events=list(events), active=active)


def emit_committed(capture, event=STATE_CHANGED, payload=None):
    with capture(execute=True):
        webhooks.emit(event, payload or {"proposal": {"id": 1}, "from": "a", "to": "b"})


def only_delivery(endpoint):
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint))
    assert len(deliveries) == 1, deliveries
    return deliveries[0]


# -- signing ---------------------------------------------------------------------------------


def test_a_delivery_is_signed_with_the_endpoints_secret_and_timestamped(
    receiver, officer, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver, officer)
    before = int(time.time())
    emit_committed(django_capture_on_commit_callbacks)
    (got,) = receiver.requests
    delivery = only_delivery(endpoint)
    headers = got.headers
    assert got.path == "/hooks/portal"
    assert headers["X-Portal-Event"] == "proposal.state_changed"
    assert headers["X-Portal-Delivery"] == str(delivery.pk)
    assert headers["Content-Type"].startswith("application/json")
    stamp = int(headers["X-Portal-Timestamp"])
    assert before <= stamp <= int(time.time())
    signature = headers["X-Portal-Signature"]
    assert signature.startswith("sha256=") and len(signature) == len("sha256=") + 64
    # What the receiver does (docs/integrations.md): the right secret verifies, any other does not.
    assert webhooks.verify(endpoint.secret, stamp, got.body, signature)
    other = WebhookEndpoint(url=receiver.url).secret  # a fresh secret of another endpoint
    assert other != endpoint.secret
    assert not webhooks.verify(other, stamp, got.body, signature)
    # A tampered body or timestamp fails; the same request replayed 5 minutes later fails.
    assert not webhooks.verify(endpoint.secret, stamp, got.body.replace(b'"b"', b'"c"'), signature)
    assert not webhooks.verify(endpoint.secret, stamp + 1, got.body, signature)
    assert webhooks.verify(endpoint.secret, stamp, got.body, signature, now=stamp + 300)
    assert not webhooks.verify(endpoint.secret, stamp, got.body, signature, now=stamp + 301)
    envelope = json.loads(got.body)
    assert envelope == {
        "id": delivery.pk,
        "event": "proposal.state_changed",
        "created_at": delivery.created_at.isoformat(),
        "data": {"proposal": {"id": 1}, "from": "a", "to": "b"},
    }
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert delivery.response_status == 200 and delivery.response_excerpt == "ok"
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None


def test_each_endpoint_has_its_own_secret(receiver, officer):
    first = endpoint_for(receiver, officer)
    second = endpoint_for(receiver, officer)
    assert first.secret != second.secret and len(first.secret) >= 40


# -- retries -----------------------------------------------------------------------------------


def test_a_500_is_retried_after_a_minute_and_then_delivered(
    receiver, officer, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver, officer)
    receiver.answer(500)
    emit_committed(django_capture_on_commit_callbacks)
    delivery = only_delivery(endpoint)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.response_status == 500
    assert delivery.response_excerpt == "receiver error: try later"
    assert delivery.next_attempt_at == delivery.last_attempt_at + datetime.timedelta(minutes=1)
    # Not due yet: the cron run sends nothing.
    assert webhooks.deliver_due(now=delivery.next_attempt_at - datetime.timedelta(seconds=1)) == []
    assert len(receiver.requests) == 1
    (retried,) = webhooks.deliver_due(now=delivery.next_attempt_at)
    assert retried.pk == delivery.pk and retried.status == "delivered" and retried.attempts == 2
    assert retried.response_status == 200
    first, second = receiver.requests
    assert first.body == second.body  # the same delivery, freshly signed
    assert first.headers["X-Portal-Delivery"] == second.headers["X-Portal-Delivery"]
    assert webhooks.verify(
        endpoint.secret, second.headers["X-Portal-Timestamp"], second.body,
        second.headers["X-Portal-Signature"],
    )  # fmt: skip
    # Delivered: nothing more is sent however late the next cron run is.
    assert webhooks.deliver_due(now=timezone.now() + datetime.timedelta(days=2)) == []


def test_the_backoff_is_1_5_30_minutes_2_and_12_hours_then_failed(
    receiver, officer, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver, officer)
    receiver.answer(*[503] * 10)
    emit_committed(django_capture_on_commit_callbacks)
    delivery = only_delivery(endpoint)
    waits = []
    while delivery.next_attempt_at is not None:
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        (delivery,) = webhooks.deliver_due(now=delivery.next_attempt_at)
    minutes = datetime.timedelta(minutes=1)
    assert waits == [minutes, 5 * minutes, 30 * minutes, 120 * minutes, 720 * minutes]
    assert delivery.status == "failed" and delivery.attempts == 6
    assert len(receiver.requests) == 6
    assert webhooks.deliver_due(now=timezone.now() + datetime.timedelta(days=30)) == []


def test_a_refused_connection_or_a_slow_receiver_is_retried_and_never_breaks_the_step(
    receiver, officer, settings, django_capture_on_commit_callbacks, draft, researcher
):
    settings.WEBHOOK_TIMEOUT = 0.3
    refused = endpoint_for(f"http://127.0.0.1:{free_port()}/hooks", officer)
    slow = endpoint_for(receiver, officer)
    receiver.answer(200, delay=3)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = workflow.submit(draft, by=researcher)
    assert Proposal.objects.get(pk=submitted.pk).state == "submitted"
    one = only_delivery(refused)
    assert one.status == "pending" and one.response_status is None
    assert one.response_excerpt == "Connection refused"
    two = only_delivery(slow)
    assert two.status == "pending" and two.response_excerpt == "Timed out after 0.3 s"
    assert two.next_attempt_at == two.last_attempt_at + datetime.timedelta(minutes=1)
    # The portal waits WEBHOOK_TIMEOUT, not for the slow receiver.
    receiver.answer(200, delay=3)
    started = time.monotonic()
    webhooks.attempt(two.pk, now=two.next_attempt_at)
    assert time.monotonic() - started < 1.5


def run_ready_tasks():
    """What django_tasks_db's worker does with each task that is ready (its own `ready()`
    query: not yet run, `run_after` passed); its `db_worker` command itself takes an exclusive
    SQLite transaction, which a test's transaction cannot nest."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    for result in DBTaskResult.objects.ready():
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=result.pk).update(status="SUCCESSFUL")
        ran += 1
    return ran


def test_with_a_backend_that_defers_a_retry_is_a_task_run_after_the_backoff(
    receiver, officer, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    endpoint = endpoint_for(receiver, officer)
    receiver.answer(502)
    emit_committed(django_capture_on_commit_callbacks)
    assert receiver.requests == []  # queued for the worker, not sent in the request
    (first,) = DBTaskResult.objects.all()
    assert first.task.module_path == "core.tasks.deliver_webhook"
    assert run_ready_tasks() == 1
    delivery = only_delivery(endpoint)
    assert delivery.attempts == 1 and delivery.response_status == 502
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.run_after == delivery.next_attempt_at
    assert retry.args_kwargs["args"][0] == delivery.pk
    # The worker leaves it until it is due; once due, the retry delivers.
    assert run_ready_tasks() == 0 and len(receiver.requests) == 1
    due = timezone.now() - datetime.timedelta(seconds=1)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=due)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=due)
    assert run_ready_tasks() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2


def test_deliver_webhooks_sends_what_is_due(receiver, officer):
    endpoint = endpoint_for(receiver, officer)
    now = timezone.now()
    due = WebhookDelivery.objects.create(
        endpoint=endpoint, event=STATE_CHANGED, payload={"n": 1}, next_attempt_at=now
    )
    later = WebhookDelivery.objects.create(
        endpoint=endpoint, event=STATE_CHANGED, payload={"n": 2},
        next_attempt_at=now + datetime.timedelta(hours=1),
    )  # fmt: skip
    out = io.StringIO()
    call_command("deliver_webhooks", stdout=out)
    assert out.getvalue().strip() == "1 attempted, 1 delivered, 0 to retry or failed"
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == "delivered" and later.status == "pending" and later.attempts == 0
    assert [json.loads(r.body)["data"] for r in receiver.requests] == [{"n": 1}]


# -- who gets what ------------------------------------------------------------------------------


def test_only_active_endpoints_subscribed_to_the_event_get_it(
    receiver, officer, django_capture_on_commit_callbacks
):
    wanted = endpoint_for(receiver, officer, path="?who=wanted")
    endpoint_for(receiver, officer, events=[E.DEAL_COMPLETED], path="?who=other-event")
    paused = endpoint_for(receiver, officer, active=False, path="?who=paused")
    emit_committed(django_capture_on_commit_callbacks)
    assert [r.path for r in receiver.requests] == ["/hooks/portal?who=wanted"]
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [wanted.pk]
    # Paused after a failure: its retries wait, nothing is sent while it is paused.
    receiver.answer(500)
    webhooks.change(paused, by=officer, events=[STATE_CHANGED], active=True)
    emit_committed(django_capture_on_commit_callbacks)
    pending = only_delivery(paused)
    assert pending.status == "pending"
    webhooks.change(paused, by=officer, events=[STATE_CHANGED], active=False)
    assert webhooks.deliver_due(now=timezone.now() + datetime.timedelta(hours=1)) == []


def test_an_event_in_a_rolled_back_transaction_sends_nothing(
    receiver, officer, django_capture_on_commit_callbacks
):
    endpoint_for(receiver, officer)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        webhooks.emit(STATE_CHANGED, {"proposal": {"id": 1}})
        raise RuntimeError("the step failed after emitting")
    assert callbacks == []
    assert not WebhookDelivery.objects.exists() and receiver.requests == []


def test_nothing_is_sent_before_the_commit(receiver, officer, django_capture_on_commit_callbacks):
    endpoint_for(receiver, officer)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit(STATE_CHANGED, {"proposal": {"id": 1}})
        assert not WebhookDelivery.objects.exists() and receiver.requests == []
    assert len(receiver.requests) == 1


# -- addresses and who registers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["ftp://lgsp.example.vn/hooks", "javascript:alert(1)", "file:///etc/passwd", "lgsp.example.vn"],
)
def test_only_http_and_https_addresses_are_accepted(officer, url):
    with pytest.raises(GuardFailed) as refusal:
        webhooks.register(by=officer, url=url, events=[STATE_CHANGED])
    assert refusal.value.errors == {"url": ["Nhập địa chỉ bắt đầu bằng http:// hoặc https://."]}
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://lgsp.example.vn:99999/hooks", "https://lgsp example.vn/", "http://:80/x"]
)
def test_a_malformed_http_address_is_refused(officer, url):
    with pytest.raises(GuardFailed) as refusal:
        webhooks.register(by=officer, url=url, events=[STATE_CHANGED])
    assert refusal.value.errors == {
        "url": ["Nhập một địa chỉ web hợp lệ, ví dụ https://lgsp.example.vn/hooks."]
    }


def test_well_formed_addresses_are_accepted(officer):
    for url in ("https://lgsp.angiang.gov.vn/hooks?src=portal", "http://10.20.0.15:8080/dvc"):
        assert webhooks.register(by=officer, url=url, events=[STATE_CHANGED]).url == url


def test_private_addresses_can_be_refused_by_a_setting(
    receiver, officer, settings, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver, officer)  # allowed by default: the tests need 127.0.0.1
    settings.WEBHOOK_REFUSE_PRIVATE_ADDRESSES = True
    for url in (receiver.url, "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/"):
        with pytest.raises(GuardFailed) as refusal:
            webhooks.register(by=officer, url=url, events=[STATE_CHANGED])
        assert refusal.value.errors["url"][0].startswith("Địa chỉ này")
    # An endpoint registered before the setting was turned on is refused at sending time too.
    emit_committed(django_capture_on_commit_callbacks)
    delivery = only_delivery(endpoint)
    assert receiver.requests == [] and delivery.status == "pending"
    assert delivery.response_excerpt.startswith("Địa chỉ này")


def test_only_officers_manage_endpoints(receiver, user_by_email, officer):
    for email in ("researcher@example.org", "manager@example.org", "business@example.org"):
        with pytest.raises(PermissionDenied):
            webhooks.register(by=user_by_email(email), url=receiver.url, events=[STATE_CHANGED])
    endpoint = endpoint_for(receiver, officer)
    with pytest.raises(PermissionDenied):
        webhooks.remove(endpoint, by=user_by_email("manager@example.org"))
    with pytest.raises(GuardFailed) as refusal:
        webhooks.change(endpoint, by=officer, events=[], active=True)
    assert "events" in refusal.value.errors
    with pytest.raises(GuardFailed):
        webhooks.change(endpoint, by=officer, events=["proposal.deleted"], active=True)


# -- the workflows' events -----------------------------------------------------------------


def bodies(got):
    return [(r.headers["X-Portal-Event"], json.loads(r.body)["data"]) for r in got.requests]


def test_submitting_a_proposal_sends_dossier_received_and_state_changed(
    receiver, officer, django_capture_on_commit_callbacks, draft, researcher
):
    endpoint_for(receiver, officer, events=[E.DOSSIER_RECEIVED, STATE_CHANGED])
    with django_capture_on_commit_callbacks(execute=True):
        proposal = workflow.submit(draft, by=researcher, ip="10.0.0.5")
    (changed, changed_data), (received, received_data) = bodies(receiver)
    assert (changed, received) == ("proposal.state_changed", "dossier.received")
    assert changed_data["from"] == "draft" and changed_data["to"] == "submitted"
    assert changed_data["transition"] == "submit"
    summary = changed_data["proposal"]
    assert summary["id"] == proposal.pk and summary["receipt_number"] == proposal.receipt_number
    assert summary["call"] == "AG-TEST01" and summary["state"] == "submitted"
    assert summary["state_label"] == {"vi": "Đã nộp", "en": "Submitted"}
    assert summary["url"] == f"http://testserver/proposals/{proposal.pk}/"
    assert summary["receipt_url"].endswith(f"/{proposal.verification_code}/")
    assert received_data["receipt_number"] == proposal.receipt_number
    assert received_data["received_at"] == proposal.submitted_at.isoformat()
    # No personal data, no dossier content.
    raw = b"".join(r.body for r in receiver.requests).decode()
    assert researcher.email not in raw and proposal.title not in raw and "10.0.0.5" not in raw


def test_every_transition_sends_state_changed_and_a_decision_sends_decision_signed(
    receiver, officer, django_capture_on_commit_callbacks, user_by_email
):
    endpoint_for(receiver, officer, events=[STATE_CHANGED, E.DECISION_SIGNED])
    manager = user_by_email("manager@example.org")
    reviewed = next(
        p
        for p in Proposal.objects.filter(state="reviewed").order_by("pk")
        if not workflow.four_eyes_problems(p, manager)
    )
    with django_capture_on_commit_callbacks(execute=True):
        rejected = workflow.reject(reviewed, by=manager, comment="Không đủ điểm ưu tiên.")
    (changed, changed_data), (signed, signed_data) = bodies(receiver)
    assert (changed, signed) == ("proposal.state_changed", "decision.signed")
    assert (changed_data["from"], changed_data["to"]) == ("reviewed", "rejected")
    assert signed_data["decision_number"] == rejected.decision_number
    assert signed_data["outcome"] == "rejected" and signed_data["approved_amount"] is None
    assert "Không đủ điểm" not in receiver.requests[0].body.decode()  # the reason stays inside


def test_the_demos_past_sends_nothing(receiver, officer, draft, researcher):
    endpoint_for(receiver, officer)
    with workflow.clock(timezone.now()):
        workflow.submit(draft, by=researcher)
    assert not WebhookDelivery.objects.exists()


def test_publishing_a_technology_and_completing_a_deal_send_their_events(
    receiver, officer, django_capture_on_commit_callbacks
):
    from transfer import workflow as transfer_workflow
    from transfer.models import Technology, TransferDeal

    endpoint_for(receiver, officer, events=[E.TECHNOLOGY_PUBLISHED, E.DEAL_COMPLETED])
    pending = Technology.objects.filter(state="pending").order_by("pk").first()
    agreed = TransferDeal.objects.filter(state="agreed").order_by("pk").first()
    checklist = [key for key, _label in transfer_workflow.PUBLISH_CHECKLIST]
    with django_capture_on_commit_callbacks(execute=True):
        transfer_workflow.publish_technology(pending, by=officer, checklist=checklist)
    with django_capture_on_commit_callbacks(execute=True):
        transfer_workflow.complete(agreed, by=officer)
    (published, tech), (completed, deal) = bodies(receiver)
    assert published == "technology.published" and completed == "deal.completed"
    assert tech["technology"]["id"] == pending.pk
    assert tech["technology"]["url"] == f"http://testserver/technologies/{pending.pk}/"
    assert tech["published_at"]
    assert deal["deal"] == {"id": agreed.pk, "mode": agreed.mode, "state": "completed"}
    assert deal["technology"]["id"] == agreed.technology_id
    raw = receiver.requests[1].body.decode()
    assert agreed.message not in raw and agreed.business.email not in raw


def test_the_receiver_code_in_the_docs_verifies_a_real_request(
    receiver, officer, settings, django_capture_on_commit_callbacks
):
    """docs/integrations.md's Python example, run as written against what the portal sent."""
    import re

    text = (settings.BASE_DIR / "docs" / "integrations.md").read_text(encoding="utf-8")
    namespace = {}
    exec(re.search(r"```python\n(.*?)```", text, re.S).group(1), namespace)  # noqa: S102
    documented = namespace["verify"]
    endpoint = endpoint_for(receiver, officer)
    emit_committed(django_capture_on_commit_callbacks)
    (got,) = receiver.requests
    assert documented(endpoint.secret, got.headers, got.body)
    assert not documented(WebhookEndpoint(url=receiver.url).secret, got.headers, got.body)
    assert not documented(endpoint.secret, got.headers, got.body + b" ")

"""Signed webhooks: the portal tells an integrator's endpoint that something happened.

`emit(event, payload)` is called by the apps' workflows (grants, transfer). Once the emitting
transaction commits it records one `WebhookDelivery` per active endpoint subscribed to the
event and queues `core.tasks.deliver_webhook` for each. A rolled-back step sends nothing; a
receiver that is down, slow or refuses never breaks the step that emitted (nothing here raises
into it, and the POST happens in the task worker, after the commit).

Each attempt POSTs the same JSON body with the headers below; the signature is HMAC-SHA256 with
the endpoint's secret over `<timestamp>.<body>`, so a receiver can check both who sent it and
when (docs/integrations.md has the receiver's side). A failed attempt (non-2xx, a timeout, a
refused connection) is tried again after 1 min, 5 min, 30 min, 2 h and 12 h; after the sixth
failure the delivery is `failed`. A retry is a task deferred with `run_after` when the task
backend can defer (django_tasks_db in production); `manage.py deliver_webhooks` sends whatever
is due either way (for cron, and for backends that cannot defer).
"""

import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import WebhookDelivery, WebhookEndpoint, WebhookEndpointEntry
from core.transitions import GuardFailed

logger = logging.getLogger(__name__)

EVENTS = WebhookEndpoint.Event
TEST_EVENT = "ping"  # the officer's "send a test event"; no endpoint subscribes to it

HEADER_EVENT = "X-Portal-Event"
HEADER_DELIVERY = "X-Portal-Delivery"
HEADER_TIMESTAMP = "X-Portal-Timestamp"
HEADER_SIGNATURE = "X-Portal-Signature"

# The wait before each retry: attempt 1 fails → retry after BACKOFF[0], ...; after
# len(BACKOFF) + 1 failed attempts the delivery is given up.
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
EXCERPT = 500  # characters of the receiver's answer kept for the officer
# A claimed delivery is not claimed again for this long (the attempt takes at most the timeout).
LEASE = datetime.timedelta(minutes=2)


# -- the address -------------------------------------------------------------------------------


def address_problem(url):
    """Why the portal will not POST to `url`, or None.

    Only http(s). With WEBHOOK_REFUSE_PRIVATE_ADDRESSES (production may want it, so that an
    endpoint cannot reach the portal's own network) every address the host resolves to must be
    public; the tests leave it off, since their receiver listens on 127.0.0.1."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return _("Enter an address that starts with http:// or https://.")
    try:
        URLValidator(schemes=["http", "https"])(url)
        port = parts.port  # ValueError when it is not a port number
    except (ValidationError, ValueError):
        return _("Enter a valid web address, such as https://lgsp.example.vn/hooks.")
    if getattr(settings, "WEBHOOK_REFUSE_PRIVATE_ADDRESSES", False):
        try:
            infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return _("This host name cannot be resolved.")
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if not address.is_global:
                return _("This address is on a private or local network, which is not allowed.")
    return None


# -- the officer's endpoints ---------------------------------------------------------------------


def may_manage(user):
    """Officers register endpoints (and the superuser, who administers the portal)."""
    from core import roles

    return user.is_authenticated and (user.is_superuser or roles.has_role(user, roles.OFFICER))


def _check(by, url=None, events=None):
    if not may_manage(by):
        raise PermissionDenied(_("Only the Department's officers manage webhooks."))
    errors = {}
    if url is not None:
        problem = address_problem(url)
        if problem:
            errors["url"] = [problem]
    if events is not None:
        unknown = set(events) - set(EVENTS.values)
        if not events or unknown:
            errors["events"] = [_("Choose at least one event.")]
    if errors:
        raise GuardFailed(errors)


def _entry(endpoint, action, *, by, ip):
    WebhookEndpointEntry.objects.create(
        endpoint_number=endpoint.pk, url=endpoint.url, action=action, events=endpoint.events,
        active=endpoint.active, by=by, ip=ip or None,
    )  # fmt: skip
    logger.info("webhook endpoint %s %s by %s", endpoint.pk, action, by.pk)


def register(*, by, url, events, active=True, ip=None):
    """A new endpoint, with a secret of its own (shown to the officer on its page)."""
    _check(by, url, events)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=url, events=sorted(set(events)), active=active, created_by=by
        )
        _entry(endpoint, WebhookEndpointEntry.Action.REGISTER, by=by, ip=ip)
    return endpoint


def change(endpoint, *, by, events, active, ip=None):
    """What an endpoint hears, and whether it hears at all (its address and secret stay)."""
    _check(by, events=events)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.events, locked.active = sorted(set(events)), active
        locked.save(update_fields=["events", "active"])
        _entry(locked, WebhookEndpointEntry.Action.CHANGE, by=by, ip=ip)
    return locked


def rotate_secret(endpoint, *, by, ip=None):
    """A new signing secret (the old one was seen by someone it should not have been, or is
    simply due): every attempt from now on, retries of earlier deliveries included, is signed
    with the new one, so the receiver must be given it at once."""
    _check(by)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.secret = WebhookEndpoint._meta.get_field("secret").get_default()
        locked.save(update_fields=["secret"])
        _entry(locked, WebhookEndpointEntry.Action.ROTATE, by=by, ip=ip)
    return locked


def remove(endpoint, *, by, ip=None):
    """The endpoint and its deliveries are deleted; nothing more is sent to it. Its history of
    changes stays (`WebhookEndpointEntry`)."""
    _check(by)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
        if locked is None:
            return
        _entry(locked, WebhookEndpointEntry.Action.REMOVE, by=by, ip=ip)
        locked.delete()


def history(endpoint):
    return WebhookEndpointEntry.objects.filter(endpoint_number=endpoint.pk).select_related(
        "by__profile"
    )


def prune(*, now=None, days=None):
    """Delete the deliveries, delivered or given up, created more than `days` (the setting
    WEBHOOK_DELIVERY_RETENTION_DAYS, 90) ago; one still waiting to be sent is never deleted.
    Returns how many went."""
    now = now or timezone.now()
    days = settings.WEBHOOK_DELIVERY_RETENTION_DAYS if days is None else days
    cutoff = now - datetime.timedelta(days=days)
    done = WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.PENDING)
    deleted, _by_model = done.filter(created_at__lt=cutoff).delete()
    return deleted


# -- emitting ------------------------------------------------------------------------------------


def emit(event, payload):
    """Queue `event` with `payload` (ids, numbers, states, times, public links: no personal
    notes) for every active endpoint that subscribed to it, once the current transaction
    commits. Returns nothing and never raises into the caller."""
    try:
        data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    except (TypeError, ValueError):
        logger.exception("webhook payload of %s is not JSON", event)
        return
    transaction.on_commit(lambda: _record(event, data), robust=True)


def _record(event, data):
    try:
        endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if e.wants(event)]
        now = timezone.now()
        for endpoint in endpoints:
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint, event=event, payload=data, created_at=now, next_attempt_at=now
            )
            _enqueue(delivery.pk)
    except Exception:  # noqa: BLE001 - a webhook must never break the step that emitted it
        logger.exception("webhook %s not recorded", event)


def send_test(endpoint, *, by):
    """The officer's "send a test event": one delivery of `ping` to this endpoint, active or not."""
    _check(by)
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=TEST_EVENT,
        payload={"endpoint": endpoint.pk, "requested_by": by.pk, "at": now.isoformat()},
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: _enqueue(delivery.pk, test=True), robust=True)
    return delivery


def _enqueue(delivery_id, *, run_after=None, test=False):
    from core import tasks

    try:
        task = tasks.deliver_webhook
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # `deliver_webhooks` (cron) sends it when it is due
            task = task.using(run_after=run_after)
        task.enqueue(delivery_id, test)
    except Exception:  # noqa: BLE001 - the row stays pending; deliver_webhooks picks it up
        logger.exception("webhook delivery %s not queued", delivery_id)


# -- signing ---------------------------------------------------------------------------------


def body_of(delivery):
    """The bytes POSTed, the same on every attempt of a delivery."""
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret, timestamp, body):
    """`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the endpoint's secret."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret, timestamp, body, signature_header, *, now=None, tolerance=300):
    """What a receiver does (and what the tests do): the signature matches and the timestamp is
    at most `tolerance` seconds old (or ahead), so a captured request cannot be replayed later."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body), signature_header or "")


def headers_for(delivery, body, timestamp):
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "AnGiangPortal-Webhooks/1",
        HEADER_EVENT: delivery.event,
        HEADER_DELIVERY: str(delivery.pk),
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: signature(delivery.endpoint.secret, timestamp, body),
    }


# -- sending -----------------------------------------------------------------------------------


def _post(url, body, headers):
    """POST once; (status or None, excerpt). Redirects are not followed (a 3xx is a failure)."""
    problem = address_problem(url)
    if problem:
        return None, str(problem)
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    timeout = getattr(settings, "WEBHOOK_TIMEOUT", 5)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(EXCERPT * 4).decode("utf-8", errors="replace")
        return response.status, text[:EXCERPT]
    except TimeoutError:
        return None, f"Timed out after {timeout} s"
    except ConnectionRefusedError:
        return None, "Connection refused"
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"[:EXCERPT]
    finally:
        connection.close()


def _claim(delivery_id, now, *, test):
    """Take the delivery for this attempt if it is still pending, due, and its endpoint active
    (or it is a test); one worker wins, a second (a cron run at the same moment) gets nothing."""
    rows = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    )
    if not test:
        # Not `endpoint__active`: a join makes Django write `UPDATE … WHERE id IN (SELECT …)`, and
        # PostgreSQL re-checks only the outer WHERE on a row another worker has just claimed — the
        # subquery's answer is from before, so two workers would both win. Here every condition
        # on the delivery's own row is re-checked after the lock.
        active = WebhookEndpoint.objects.filter(active=True).values("pk")
        rows = rows.filter(endpoint_id__in=active)
    return rows.update(next_attempt_at=now + LEASE) == 1


def attempt(delivery_id, *, now=None, test=False):
    """One attempt at one delivery; returns the delivery as it stands afterwards (or None if it
    was not due, already sent, or its endpoint is inactive)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now, test=test):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    body = body_of(delivery)
    timestamp = int(time.time())
    status, excerpt = _post(delivery.endpoint.url, body, headers_for(delivery, body, timestamp))
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = status
    delivery.response_excerpt = excerpt
    if status is not None and 200 <= status < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS or delivery.event == TEST_EVENT:
        delivery.status = WebhookDelivery.Status.FAILED  # a test is tried once: the officer sees it
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    delivery.save()
    if delivery.next_attempt_at is not None:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


def deliver_due(*, now=None, limit=200):
    """Send every pending delivery that is due (`manage.py deliver_webhooks`, for cron); returns
    the deliveries attempted."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__active=True,
    ).order_by("next_attempt_at", "pk")
    done = []
    for delivery_id in list(due.values_list("pk", flat=True)[:limit]):
        result = attempt(delivery_id, now=now)
        if result is not None:
            done.append(result)
    return done

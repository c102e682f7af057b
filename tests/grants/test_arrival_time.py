"""A deadline is judged at the moment a request arrived, not when a busy server got to it.

On the night a call closes, a submit sent at 23:59:59 may wait in the proxy and in the WSGI
server's backlog; `make loadtest` saw people who clicked in time refused. Behind our proxy the
moment is nginx's X-Request-Start (deploy/nginx/portal.conf), believed only when plausible.
"""

import datetime

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from core.http import ARRIVAL_CLOCK_SKEW, arrival_time
from grants import workflow
from grants.models import Proposal

pytestmark = pytest.mark.django_db

MAX_QUEUE = 120


def stamp(moment):
    return f"t={moment.timestamp():.3f}"


def request_at(reached, header=None):
    extra = {"HTTP_X_REQUEST_START": header} if header is not None else {}
    request = RequestFactory().post("/", **extra)
    request.portal_arrived_at = reached
    return request


REACHED = datetime.datetime(2026, 12, 2, 16, 59, 59, 500000, tzinfo=datetime.UTC)


@override_settings(TRUSTED_PROXY_COUNT=1, PORTAL_ARRIVAL_MAX_QUEUE=MAX_QUEUE)
def test_the_proxys_stamp_is_believed_within_the_queue_limit_and_the_clock_skew():
    queued = datetime.timedelta(seconds=MAX_QUEUE)
    ms = datetime.timedelta(milliseconds=1)
    # Exactly at the limit, and just inside it: the proxy's moment.
    assert arrival_time(request_at(REACHED, stamp(REACHED - queued))) == REACHED - queued
    assert arrival_time(request_at(REACHED, stamp(REACHED - queued + ms))) == REACHED - queued + ms
    # Just past the limit: not plausible, the moment Django got it.
    assert arrival_time(request_at(REACHED, stamp(REACHED - queued - ms))) == REACHED
    # A proxy clock a little ahead never makes a request later than Django saw it.
    assert arrival_time(request_at(REACHED, stamp(REACHED + ARRIVAL_CLOCK_SKEW))) == REACHED
    # Further ahead than the skew: a forged or broken stamp, ignored.
    late = stamp(REACHED + ARRIVAL_CLOCK_SKEW + ms)
    assert arrival_time(request_at(REACHED, late)) == REACHED


@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize(
    "header",
    [
        "",
        "1764694799.5",
        "t=",
        "t=abc",
        "t=1764694799,5",
        "t=-1764694799",
        "t=1e9",
        "t=17646947995",
    ],
)
def test_a_stamp_not_in_nginxs_form_is_ignored(header):
    assert arrival_time(request_at(REACHED, header)) == REACHED


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_a_proxy_of_ours_the_header_is_the_clients_and_ignored():
    earlier = stamp(REACHED - datetime.timedelta(seconds=30))
    assert arrival_time(request_at(REACHED, earlier)) == REACHED


def test_the_middleware_stamps_every_request_before_the_view(client):
    before = timezone.now()
    response = client.get("/robots.txt")
    after = timezone.now()
    assert before <= response.wsgi_request.portal_arrived_at <= after


# -- the submit, through the workflow, the page and the API ----------------------------------------


@pytest.fixture
def closed_a_moment_ago(open_call):
    """The call closed 20 s ago (on a whole second, as nginx stamps milliseconds): a request
    processed now is past the deadline."""
    closes = timezone.now().replace(microsecond=0) - datetime.timedelta(seconds=20)
    open_call.closes_at = closes
    open_call.save_revision().publish()
    return open_call


def test_the_workflow_judges_the_moment_it_is_given(draft, researcher, closed_a_moment_ago):
    closes = closed_a_moment_ago.closes_at
    with pytest.raises(workflow.GuardFailed):
        workflow.fire_named("submit", draft, by=researcher, arrived_at=closes)
    done = workflow.fire_named(
        "submit", draft, by=researcher, arrived_at=closes - datetime.timedelta(microseconds=1)
    )
    assert done.state == "submitted"
    assert done.submitted_at == closes - datetime.timedelta(microseconds=1)
    assert done.versions.get().submitted_at == done.submitted_at


def submit_page(client, proposal, header):
    return client.post(f"/proposals/{proposal.pk}/transitions/submit/", HTTP_X_REQUEST_START=header)


def submit_api(client, proposal, header):
    return client.post(
        f"/api/v1/proposals/{proposal.pk}/transitions/submit/",
        {},
        content_type="application/json",
        HTTP_X_REQUEST_START=header,
    )


@pytest.mark.parametrize("send", [submit_page, submit_api])
@override_settings(TRUSTED_PROXY_COUNT=1, PORTAL_ARRIVAL_MAX_QUEUE=MAX_QUEUE)
def test_a_submit_that_arrived_before_the_deadline_is_received(
    send, client_as, draft, closed_a_moment_ago
):
    arrived = closed_a_moment_ago.closes_at - datetime.timedelta(milliseconds=1)
    response = send(client_as("researcher@example.org"), draft, stamp(arrived))
    assert response.status_code in (200, 302), response.content[:500]
    done = Proposal.objects.get(pk=draft.pk)
    assert done.state == "submitted" and done.receipt_number
    assert abs(done.submitted_at - arrived) < datetime.timedelta(milliseconds=1)


@pytest.mark.parametrize("send", [submit_page, submit_api])
@pytest.mark.parametrize(
    "trusted, offset",
    [
        (1, datetime.timedelta(0)),  # arrived exactly at the deadline: late
        (1, datetime.timedelta(milliseconds=1)),  # just after
        (0, -datetime.timedelta(seconds=5)),  # in time, but no proxy of ours vouches for it
    ],
)
def test_a_submit_at_or_after_the_deadline_or_unvouched_is_refused(
    send, trusted, offset, client_as, draft, closed_a_moment_ago
):
    header = stamp(closed_a_moment_ago.closes_at + offset)
    with override_settings(TRUSTED_PROXY_COUNT=trusted):
        response = send(client_as("researcher@example.org"), draft, header)
    assert response.status_code == 400
    assert "closed" in response.content.decode() or "đóng" in response.content.decode()
    done = Proposal.objects.get(pk=draft.pk)
    assert done.state == "draft" and not done.receipt_number

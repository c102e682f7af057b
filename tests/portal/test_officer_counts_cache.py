"""The officer's dashboard counts from the cache (issue 16): the second load reads no count from
the database, a transition or a council/ballot/appraisal/registration write shows at once, and
what moves with the clock alone (a revision deadline passing, an edit outside the workflow) shows
within CACHE_SECONDS, or at the deadline itself."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import figures_version
from grants import council, workflow
from grants.models import Proposal
from portal import next_steps

pytestmark = pytest.mark.django_db
TTL = datetime.timedelta(seconds=next_steps.CACHE_SECONDS)
TICK = datetime.timedelta(milliseconds=1)


def _user(email):
    return get_user_model().objects.get(email=email)


def _dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/dashboard/")
    assert response.status_code == 200
    shown = {row["key"]: row["count"] for row in response.context["officer_work"]}
    return [q["sql"] for q in queries.captured_queries], shown


def test_second_dashboard_load_reads_no_count_and_shows_the_same_numbers(client_as):
    client = client_as("officer@example.org")
    _dashboard_queries(client)  # what any first page reads once (the site, the locale …)
    figures_version.bump()  # a new generation: the counts are not cached
    first, shown_first = _dashboard_queries(client)
    second, shown_second = _dashboard_queries(client)
    assert shown_second == shown_first == next_steps.officer_counts()
    # One COUNT per row of the panel and the look-up of the next revision deadline are gone
    # (the view's other panels still count).
    assert len(first) - len(second) == len(shown_first) + 1
    assert not any("revision_deadline" in sql for sql in second)


def test_a_transition_through_the_workflow_shows_at_once(
    client_as, django_capture_on_commit_callbacks
):
    client = client_as("officer@example.org")
    _queries, before = _dashboard_queries(client)  # the counts are in the cache now
    proposal = Proposal.objects.filter(state="submitted").order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.mark_eligible(proposal, by=_user("officer@example.org"))
    _queries, after = _dashboard_queries(client)
    assert after["council"] == before["council"] + 1  # eligible, nobody seated yet
    assert after == next_steps.officer_counts()


def _eligible_without_council():
    proposal = Proposal.objects.filter(state="eligible").exclude(assignments__isnull=False).first()
    assert proposal is not None, "the demo has an eligible dossier nobody is seated on"
    return proposal


def test_a_seat_and_a_declined_seat_show_at_once(client_as, django_capture_on_commit_callbacks):
    client = client_as("officer@example.org")
    proposal = _eligible_without_council()
    _queries, before = _dashboard_queries(client)
    with django_capture_on_commit_callbacks(execute=True):
        invited = council.seat(
            proposal, _user("reviewer1@example.org"), "chair", by=_user("officer@example.org")
        )
    _queries, seated = _dashboard_queries(client)
    assert (seated["council"], seated["short"]) == (before["council"] - 1, before["short"] + 1)
    with django_capture_on_commit_callbacks(execute=True):
        council.declare(invited, by=invited.reviewer, no_conflict=False, reason="Đồng tác giả")
    _queries, declined = _dashboard_queries(client)
    assert declined == before == next_steps.officer_counts()


def test_an_edit_outside_the_workflow_shows_after_the_ttl_not_before(
    django_capture_on_commit_callbacks,
):
    proposal = _eligible_without_council()
    with django_capture_on_commit_callbacks(execute=True):
        council.seat(
            proposal, _user("reviewer1@example.org"), "chair", by=_user("officer@example.org")
        )
    t0 = timezone.now()
    cached = next_steps.cached_officer_counts(t0)
    # A row changed outside the workflow (the Django admin, a shell): nothing bumps.
    proposal.assignments.all().delete()
    fresh = next_steps.officer_counts(t0)
    assert (fresh["short"], fresh["council"]) == (cached["short"] - 1, cached["council"] + 1)
    assert next_steps.cached_officer_counts(t0 + TTL - TICK) == cached  # just below: cached
    assert next_steps.cached_officer_counts(t0 + TTL) == fresh  # at the TTL: computed again
    later = next_steps.cached_officer_counts(t0 + TTL + TICK)
    assert later == fresh


def test_a_revision_deadline_passing_inside_the_window_shows_at_once_after_it():
    t0 = timezone.now()
    returned = Proposal.objects.filter(state="returned").order_by("pk").first()
    deadline = t0 + datetime.timedelta(seconds=20)
    Proposal.objects.filter(pk=returned.pk).update(revision_deadline=deadline)
    on_time = next_steps.cached_officer_counts(t0)["late"]
    assert next_steps.cached_officer_counts(deadline - TICK)["late"] == on_time
    assert next_steps.cached_officer_counts(deadline)["late"] == on_time  # at it: still on time
    assert next_steps.cached_officer_counts(deadline + TICK)["late"] == on_time + 1


def test_a_revision_deadline_after_the_window_shows_with_the_ttl():
    t0 = timezone.now()
    returned = Proposal.objects.filter(state="returned").order_by("pk").first()
    deadline = t0 + TTL + datetime.timedelta(seconds=30)
    Proposal.objects.filter(pk=returned.pk).update(revision_deadline=deadline)
    on_time = next_steps.cached_officer_counts(t0)["late"]
    assert next_steps.cached_officer_counts(t0 + TTL)["late"] == on_time  # computed again
    assert next_steps.cached_officer_counts(deadline + TICK)["late"] == on_time + 1


def test_without_a_cache_the_counts_are_computed_each_time(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for _load in range(2):
        with CaptureQueriesContext(connection) as queries:
            counts = next_steps.cached_officer_counts()
        assert counts == next_steps.officer_counts()
        assert len(queries.captured_queries) >= len(counts)

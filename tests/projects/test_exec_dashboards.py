"""The dashboards' reads made to hold at 10,000 proposals (issue 12's bench): the money tables
from one pass over the contracts, the projects by state from the page's own count, the
researcher's projects capped like the other lists — each giving what the longer reads gave."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from grants.models import CallPage, Proposal
from projects import selectors
from tests.projects.test_dashboards import running

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return CallPage.objects.get(code="AG-NNTM25", locale__language_code="vi")


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def researcher2(user_by_email):
    return user_by_email("researcher2@example.org")


def test_both_money_tables_come_from_three_queries_and_match_the_separate_reads(
    call, researcher2, officer
):
    running(call, researcher2, officer, amount=700_000_000)
    with CaptureQueriesContext(connection) as captured:
        by_call, by_year = selectors.money()
    assert len(captured) == 3  # the contracts once, their calls, the tranches paid by year
    assert by_call == selectors.money_by_call()
    assert by_year == selectors.money_by_year()
    assert by_call[1]["committed"] == by_year[1]["committed"] > 0


def test_projects_by_state_from_the_dashboards_count_is_the_same(call, researcher2, officer):
    running(call, researcher2, officer)
    counts = dict(Proposal.objects.order_by().values_list("state").annotate(n=Count("pk")))
    with CaptureQueriesContext(connection) as captured:
        given = selectors.projects_by_state(counts)
    assert len(captured) == 0
    assert given == selectors.projects_by_state()


def test_the_researchers_projects_stop_at_the_limit_running_first(call, researcher2, officer):
    for _ in range(3):
        running(call, researcher2, officer)
    every = selectors.projects_of(researcher2, limit=100)
    assert len(every) >= 5  # three running, and the demo's completed ones
    capped = selectors.projects_of(researcher2, limit=2)
    assert len(capped) == 3  # the limit, and one more to say there are more
    assert [row["pk"] for row in capped] == [row["pk"] for row in every[:3]]
    assert all(row["running"] for row in capped)

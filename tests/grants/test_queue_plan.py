"""The queue's default order ("work first", oldest first) is read from an index on PostgreSQL
(issue 16: nothing whose cost grows with the table beyond an index lookup): the planner can serve
the page's statement without sorting every dossier. The order itself is asserted in
tests/grants/test_queue*.py and tests/portal/test_dashboards_work.py."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from grants import queue_views
from grants.models import Proposal, ProposalState

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def plan_of(sql):
    with connection.cursor() as cursor:
        # Make sorting and reading whole tables as dear as possible: if the index could not give
        # the order, the plan would still sort.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def the_queue_statement(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    (sql,) = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"] and
              '"work_rank"' in q["sql"]]  # fmt: skip
    return sql


@pytest.mark.parametrize("url", ["/proposals/", "/proposals/?page=2", "/proposals/?sort=work"])
def test_the_queues_default_order_comes_from_an_index(client_as, url):
    if connection.vendor != "postgresql":
        pytest.fail("run on PostgreSQL (make test)")
    sql = the_queue_statement(client_as("officer@example.org"), url)
    plan = plan_of(sql)
    assert "proposal_queue_work_first" in plan, plan
    assert "Sort Key" not in plan and "Sort  (" not in plan, plan


@pytest.mark.parametrize(
    "url", ["/proposals/", "/proposals/?page=3", "/proposals/?sort=title&page=2"]
)
def test_a_page_of_the_queue_is_chosen_by_ids_alone_then_joined(client_as, monkeypatch, url):
    """OFFSET pagination reads every row before the page: the statement that reads them selects
    the ids alone, from the order's index without any join, and only the rows of the page are
    then read with their call, applicant, organisation and sector (issue 16, deep pages), in the
    page's order."""
    if connection.vendor != "postgresql":
        pytest.fail("run on PostgreSQL (make test)")
    monkeypatch.setattr(queue_views, "QUEUE_PAGE_SIZE", 5)
    with CaptureQueriesContext(connection) as queries:
        response = client_as("officer@example.org").get(url)
    assert response.status_code == 200
    ordered = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"] and
               'FROM "grants_proposal"' in q["sql"] and "LIMIT" in q["sql"]]  # fmt: skip
    assert len(ordered) == 1, ordered
    (sql,) = ordered
    assert "JOIN" not in sql, sql
    assert sql.split(" FROM ")[0] in (
        'SELECT "grants_proposal"."id"',
        'SELECT "grants_proposal"."id" AS "pk"',
    ), sql
    page = int(url.partition("page=")[2] or 1)
    if page > 1:
        assert f"OFFSET {(page - 1) * 5}" in sql, sql
    everything = Proposal.objects.exclude(state=ProposalState.DRAFT)
    if "sort=title" in url:
        expected = everything.order_by("title", "-pk")
    else:
        expected = everything.order_by("work_rank", F("submitted_at").asc(nulls_last=True), "pk")
    expected = list(expected.values_list("pk", flat=True)[(page - 1) * 5 : page * 5])
    assert len(expected) == 5
    shown = [row["pk"] for row in response.context["rows"]]
    assert shown == expected


def test_the_stored_rank_follows_every_state(submitted_proposal_states):
    ranks = dict(Proposal.objects.values_list("state", "work_rank").distinct())
    waiting_for_officer = {"submitted", "eligible", "under_review", "funded"}
    for state, rank in ranks.items():
        if state in waiting_for_officer:
            assert rank == 0, state
        elif state in {"returned", "in_progress"}:
            assert rank == 1, state
        elif state not in {"reviewed"}:
            assert rank == 2, state
    reviewed = Proposal.objects.filter(state=ProposalState.REVIEWED)
    for proposal in reviewed:
        expected = 0 if proposal.passed and proposal.appraised_amount is None else 1
        assert proposal.work_rank == expected


@pytest.fixture
def submitted_proposal_states():
    states = set(Proposal.objects.values_list("state", flat=True))
    assert {"submitted", "under_review", "reviewed", "in_progress"} <= states, states
    return states

"""The dossier-status feed /api/v1/dossier-status/ (issue 15): every received dossier for an
officer's token or session, an applicant's own otherwise; history from the transition audit
without notes; `updated_since` and `call` filters at their boundaries; bounded queries."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants import demo, status_feed, workflow
from grants.models import AuditEntry, Proposal
from portal import tokens
from tests.grants import conftest as _grants

pytestmark = pytest.mark.django_db

draft, officer, open_call = _grants.draft, _grants.officer, _grants.open_call
researcher, researcher2, submitted = _grants.researcher, _grants.researcher2, _grants.submitted

FEED = "/api/v1/dossier-status/"


@pytest.fixture
def secret(officer):
    return tokens.issue(name="Dịch vụ công", scopes=["dossier_status"], by=officer)[1]


@pytest.fixture
def feed(client, secret):
    def get(**params):
        response = client.get(FEED, params, headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200, response.content
        return response.json()

    return get


@pytest.fixture
def changed(submitted):
    """The moment the test call's dossier moves: an hour after its submission, microseconds set."""
    return timezone.now().replace(microsecond=654321) + datetime.timedelta(hours=1)


@pytest.fixture
def moved(submitted, officer, changed):
    """The test call's dossier, returned for revision at `changed` with a private note."""
    with workflow.clock(changed):
        return workflow.return_for_revision(
            submitted, by=officer, comment="Ghi chú nội bộ: thiếu xác nhận của cơ quan chủ trì",
            revision_deadline=changed + datetime.timedelta(days=10),
        )  # fmt: skip


def receipts(data):
    return [row["receipt_number"] for row in data["results"]]


def test_a_token_sees_every_received_dossier_and_never_a_draft(feed, draft):
    data = feed()
    received = Proposal.objects.filter(receipt_number__isnull=False)
    assert data["count"] == received.count() > 0
    assert draft.receipt_number is None
    assert Proposal.objects.filter(state="draft").exists()
    assert all(row["receipt_number"] for row in data["results"])


def test_a_dossier_shows_its_state_in_both_languages_dates_and_history(feed, moved):
    (row,) = feed(call="ag-test01")["results"]
    assert row["receipt_number"] == moved.receipt_number and row["call"] == "AG-TEST01"
    assert (row["state"], row["state_label_vi"], row["state_label_en"]) == (
        "returned", "Yêu cầu bổ sung", "Returned for revision",
    )  # fmt: skip
    entries = AuditEntry.objects.filter(proposal=moved).order_by("at", "pk")
    assert row["history"] == [
        {"transition": e.transition, "from": e.source, "to": e.target,
         "at": e.at.astimezone(timezone.get_current_timezone()).isoformat()}
        for e in entries
    ]  # fmt: skip
    assert [(h["from"], h["to"]) for h in row["history"]] == [
        ("draft", "submitted"), ("submitted", "returned"),
    ]  # fmt: skip
    assert row["status_changed_at"] == row["history"][-1]["at"]
    closes = timezone.localdate(moved.call.closes_at)
    assert row["expected_decision_date"] == (closes + datetime.timedelta(days=90)).isoformat()
    assert row["decided_on"] is None


def test_no_personal_note_or_name_leaves_the_portal(feed, moved, officer):
    text = json.dumps(feed(call="AG-TEST01"), ensure_ascii=False)
    assert "Ghi chú nội bộ" not in text
    assert officer.email not in text and "10.0.0.5" not in text
    assert moved.title not in text


def test_received_at_is_the_first_receipt_not_the_resubmission(feed, moved, researcher, changed):
    first = AuditEntry.objects.get(proposal=moved, transition="submit").at
    later = changed + datetime.timedelta(days=1)
    with workflow.clock(later):
        workflow.submit(moved, by=researcher, now=later)
    (row,) = feed(call="AG-TEST01")["results"]
    assert row["received_at"] == first.astimezone(timezone.get_current_timezone()).isoformat()
    assert [h["to"] for h in row["history"]] == ["submitted", "returned", "submitted"]


@pytest.mark.parametrize(
    "offset, listed",
    [
        (datetime.timedelta(0), True),  # exactly at the change: included
        (-datetime.timedelta(microseconds=1), True),  # just before
        (datetime.timedelta(microseconds=1), False),  # just after
    ],
)
def test_updated_since_at_its_boundary(feed, moved, changed, offset, listed):
    since = (changed + offset).isoformat()
    assert receipts(feed(call="AG-TEST01", updated_since=since)) == (
        [moved.receipt_number] if listed else []
    )


def test_updated_since_without_a_zone_is_an_giang_time(feed, moved, changed):
    local = changed.astimezone(datetime.timezone(datetime.timedelta(hours=7))).replace(tzinfo=None)
    assert receipts(feed(call="AG-TEST01", updated_since=local.isoformat())) == [
        moved.receipt_number
    ]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00", "2026-03-02T25:00"])
def test_a_malformed_updated_since_is_a_400_with_a_message(client, secret, value):
    response = client.get(
        FEED, {"updated_since": value}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 400
    assert "ISO 8601" in response.json()["updated_since"][0]


def test_the_call_filter_and_a_stable_order(feed, moved):
    assert receipts(feed(call="NO-SUCH-CALL")) == []
    rows = feed()["results"]
    keys = [(row["status_changed_at"], row["receipt_number"]) for row in rows]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    assert feed()["results"] == rows  # the same order on every call


def test_pages_do_not_cost_queries_per_dossier(client, secret):
    """One page of many dossiers costs the queries of a page of one (history prefetched)."""
    headers = {"Authorization": f"Bearer {secret}"}
    one = Proposal.objects.filter(receipt_number__isnull=False).order_by("pk").first()
    client.get(FEED, headers=headers)  # the first request of a test warms caches (roles, sites)
    counts = []
    for params in ({"receipt": one.receipt_number}, {}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(FEED, params, headers=headers)
        assert response.status_code == 200
        counts.append((len(response.json()["results"]), len(queries)))
    assert counts[0][0] == 1 and counts[1][0] > 5
    assert counts[0][1] == counts[1][1]


def test_expected_decision_date_rule(moved, researcher):
    assert status_feed.expected_decision_date(moved) == timezone.localdate(
        moved.call.closes_at
    ) + datetime.timedelta(days=status_feed.DECISION_WITHIN_DAYS)
    withdrawn = workflow.withdraw(moved, by=researcher)
    assert status_feed.expected_decision_date(withdrawn) is None


# -- sessions: applicants, staff, other roles -------------------------------------------------


def test_an_applicant_sees_only_their_own(client_as, submitted, researcher):
    mine = client_as("researcher@example.org").get(FEED).json()
    owned = Proposal.objects.filter(owner=researcher, receipt_number__isnull=False)
    assert sorted(receipts(mine)) == sorted(owned.values_list("receipt_number", flat=True))
    other = client_as("researcher2@example.org").get(FEED).json()
    assert submitted.receipt_number not in receipts(other)
    assert not set(receipts(other)) & set(receipts(mine))


def test_an_officer_session_sees_every_dossier(client_as, submitted):
    data = client_as("officer@example.org").get(FEED).json()
    assert data["count"] == Proposal.objects.filter(receipt_number__isnull=False).count()


@pytest.mark.parametrize("email", ["business@example.org", "reviewer5@example.org"])
def test_another_role_is_refused(client_as, email):
    response = client_as(email).get(FEED)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_draft_made_after_the_feed_was_read_does_not_appear(feed, open_call, researcher2):
    proposal, _created = demo.draft_for(open_call, researcher2)
    assert proposal.state == "draft"
    assert receipts(feed(call="AG-TEST01")) == []

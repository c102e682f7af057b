"""An approved extension moves the schedule (issue 12: "Approved changes update the contract and
the schedule"; Circular 04/2015): the end, the reports still to be sent, the tranches not yet
released that fell due on or after the old end — and nothing already sent or paid."""

import datetime

import pytest
from django.utils import timezone

from grants.models import Proposal
from projects.changes import approve_change, refuse_change, request_change
from projects.contracts import prepare_contract, sign_contract
from projects.models import ProgressReport, ProjectEntry, Tranche
from projects.schedule import report_periods
from projects.tranches import release_tranche
from tests.projects import contracting

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
REASON = "Mưa lũ kéo dài làm chậm vụ thí nghiệm thứ hai."


@pytest.fixture
def researcher(user_by_email):
    return user_by_email("researcher@example.org")


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def manager(user_by_email):
    return user_by_email("manager@example.org")


@pytest.fixture
def funded(researcher):
    return Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()


def starts():
    return datetime.date(timezone.localdate().year + 1, 1, 1)


def old_end():
    """A 24-month task from 01/01 next year: it ends on 31/12 the year after."""
    return datetime.date(starts().year + 1, 12, 31)


@pytest.fixture
def task(funded, officer):
    """The demo's funded dossier under a 24-month contract with five tranches: two on signing
    (one due on the old end), after report 1 the day before the old end, after report 2 on the
    old end, after acceptance a month after it. Both tranches on signing are then paid."""
    today = timezone.localdate()
    amount = funded.approved_amount
    fifth = amount // 5
    rows = [
        (today, "on_signing", None),
        (old_end(), "on_signing", None),
        (old_end() - DAY, "report_accepted", 1),
        (old_end(), "report_accepted", 2),
        (old_end() + datetime.timedelta(days=30), "acceptance_passed", None),
    ]
    tranches = [
        {
            "due_on": due,
            "amount": fifth if index < 4 else amount - 4 * fifth,
            "condition": condition,
            "report_number": number,
        }
        for index, (due, condition, number) in enumerate(rows)
    ]
    values = contracting.contract_values(funded, number="77/2026/HĐ-SKHCN") | {
        "signed_on": today,
        "starts_on": starts(),
        "ends_on": old_end(),
    }
    prepare_contract(
        funded,
        by=officer,
        values=values,
        tranches=tranches,
        deliverables=[{"name": "Quy trình kỹ thuật", "quantity_indicator": "01 quy trình"}],
    )
    sign_contract(funded, by=officer)
    contract = funded.contract
    for position in (1, 2):
        release_tranche(
            contract.tranches.get(position=position),
            by=officer,
            payment_order_number=f"UNC-{position}",
            payment_order_date=today,
        )
    contract.refresh_from_db()
    return contract


def extend(contract, researcher, manager, new_end):
    change = request_change(
        contract, by=researcher, kind="extension", reason=REASON, new_ends_on=new_end
    )
    return approve_change(change, by=manager, comment="Đồng ý gia hạn.")


def due_dates(contract):
    return dict(Tranche.objects.filter(contract=contract).values_list("position", "due_on"))


def test_unpaid_tranches_due_on_or_after_the_old_end_move_by_the_extension(
    task, researcher, manager
):
    new_end = datetime.date(old_end().year + 1, 6, 30)
    span = new_end - old_end()
    before = due_dates(task)
    extend(task, researcher, manager, new_end)
    after = due_dates(task)
    assert after[1] == before[1]  # paid, before the end
    assert after[2] == old_end()  # due exactly on the old end, but paid: it stays
    assert after[3] == old_end() - DAY  # the day before the old end: it stays
    assert after[4] == old_end() + span == new_end  # exactly on the old end: it moves
    assert after[5] == old_end() + datetime.timedelta(days=30) + span  # after it: it moves


def test_the_reports_follow_the_new_end_and_a_final_period_is_added(task, researcher, manager):
    first = task.reports.get(number=1)
    contracting.submit_report(first, researcher)
    sent = ProgressReport.objects.get(pk=first.pk)
    new_end = datetime.date(old_end().year + 1, 6, 30)
    extend(task, researcher, manager, new_end)
    schedule = report_periods(starts(), new_end, 6)
    assert [number for number, *_ in schedule] == [1, 2, 3, 4]
    rows = {r.number: r for r in ProgressReport.objects.filter(contract=task)}
    assert sorted(rows) == [1, 2, 3, 4]
    for number, begin, end, due in schedule:
        if number == 1:
            continue
        row = rows[number]
        assert (row.period_start, row.period_end, row.due_on) == (begin, end, due)
    # the fourth period is the last six months of the old schedule, due 15 days after it
    assert (rows[4].period_start, rows[4].period_end) == (
        datetime.date(old_end().year, 7, 1),
        old_end(),
    )
    assert rows[4].due_on == old_end() + datetime.timedelta(days=15)
    # the report already sent is as it was sent
    kept = rows[1]
    assert (kept.state, kept.period_end, kept.due_on, kept.submitted_at) == (
        "submitted",
        sent.period_end,
        sent.due_on,
        sent.submitted_at,
    )


def test_an_extension_within_the_last_period_adds_no_report(task, researcher, manager):
    # 31/12 → 30/04: the new last stretch (01/01 → 30/04) is covered by the acceptance dossier,
    # but the period that ended on the old end now ends before the new one: report 4.
    new_end = datetime.date(old_end().year + 1, 4, 30)
    extend(task, researcher, manager, new_end)
    assert list(task.reports.order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4]
    # one day more than the old end adds the same period, and only it
    assert report_periods(starts(), old_end(), 6)[-1][0] == 3
    assert report_periods(starts(), old_end() + DAY, 6)[-1][0] == 4


def test_the_trail_says_what_moved(task, researcher, manager):
    new_end = datetime.date(old_end().year + 1, 6, 30)
    extend(task, researcher, manager, new_end)
    approve = ProjectEntry.objects.get(proposal=task.proposal, action="change_approve")
    moved = ProjectEntry.objects.get(proposal=task.proposal, action="move_schedule")
    assert (approve.at, approve.pk) < (moved.at, moved.pk)  # the decision, then what it moved
    assert moved.actor == manager and moved.record == task.number
    assert moved.data["ends_on"] == old_end().isoformat()
    assert moved.data["new_ends_on"] == new_end.isoformat()
    assert moved.data["reports_added"] == [4]
    assert [row["position"] for row in moved.data["tranches_moved"]] == [4, 5]
    assert moved.data["tranches_moved"][0] == {
        "position": 4,
        "due_on": old_end().isoformat(),
        "new_due_on": new_end.isoformat(),
    }
    assert approve.data["tranches_moved"] == moved.data["tranches_moved"]
    words = moved.comment
    assert f"{old_end():%d/%m/%Y} → {new_end:%d/%m/%Y}" in words
    assert f"Đợt 4 nay đến hạn {new_end:%d/%m/%Y} (trước là {old_end():%d/%m/%Y})" in words
    assert "Báo cáo tiến độ 4 được bổ sung" in words


def test_a_refused_extension_moves_nothing(task, researcher, manager):
    before = due_dates(task)
    change = request_change(
        task,
        by=researcher,
        kind="extension",
        reason=REASON,
        new_ends_on=datetime.date(old_end().year + 1, 6, 30),
    )
    refuse_change(change, by=manager, comment="Không đủ căn cứ.")
    task.refresh_from_db()
    assert task.ends_on == old_end() and due_dates(task) == before
    assert task.reports.count() == 3
    assert not ProjectEntry.objects.filter(proposal=task.proposal, action="move_schedule").exists()


def test_approving_on_the_page_moves_the_schedule(task, researcher, manager, client):
    new_end = datetime.date(old_end().year + 1, 6, 30)
    change = request_change(
        task, by=researcher, kind="extension", reason=REASON, new_ends_on=new_end
    )
    client.force_login(manager)
    response = client.post(
        f"/proposals/{task.proposal_id}/changes/{change.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 302
    assert due_dates(task)[4] == new_end
    page = client.get(f"/proposals/{task.proposal_id}/tranches/")
    assert new_end.strftime("%d/%m/%Y") in page.content.decode()

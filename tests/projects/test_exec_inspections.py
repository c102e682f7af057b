"""The annual inspection (Circular 04/2015: at least once a year): one per contract year,
scheduled at signing, moved by an extension, recorded once by an officer who takes no part in
the task; overdue ones on the officers' dashboard. Each rule at its boundary, each refusal at
the workflow function and through the page."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from grants import workflow as grants_workflow
from grants.models import Proposal
from projects import inspection as inspections
from projects import selectors
from projects.changes import approve_change, extension_window, request_change
from projects.contracts import prepare_contract, sign_contract
from projects.models import Inspection, InspectionAttachment, ProjectEntry
from projects.workflow import GuardFailed, StateConflict, add_months
from tests.projects import contracting
from tests.samples import pdf

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
FINDINGS = "Đã hoàn thành thí nghiệm vụ Đông Xuân; giải ngân đúng tiến độ."


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
def running(researcher):
    return Proposal.objects.filter(owner=researcher, state="in_progress").order_by("pk").first()


@pytest.fixture
def first_year(running):
    return running.contract.inspections.get(year=1)


def on(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def record(inspection, by, **given):
    values = {
        "inspected_on": inspection.period_start,
        "findings": FINDINGS,
        "conclusion": "on_track",
        "recommendations": "",
    } | given
    day = values["inspected_on"] or inspection.period_start  # "today" is the day inspected
    with grants_workflow.clock(on(max(day, inspection.period_start))):
        return inspections.record_inspection(inspection, by=by, **values)


def refused(call, key):
    with pytest.raises(GuardFailed) as failure:
        call()
    assert key in failure.value.errors, failure.value.errors
    return " ".join(failure.value.errors[key])


# -- the schedule --------------------------------------------------------------------------------


def test_one_inspection_per_contract_year_due_by_its_last_day():
    start = datetime.date(2027, 1, 1)
    assert inspections.inspection_years(start, datetime.date(2028, 12, 31)) == [
        (1, start, datetime.date(2027, 12, 31), datetime.date(2027, 12, 31)),
        (2, datetime.date(2028, 1, 1), datetime.date(2028, 12, 31), datetime.date(2028, 12, 31)),
    ]
    # exactly twelve months: one year; one day more: a second, one-day year
    assert len(inspections.inspection_years(start, datetime.date(2027, 12, 31))) == 1
    assert inspections.inspection_years(start, datetime.date(2028, 1, 1))[-1] == (
        2, datetime.date(2028, 1, 1), datetime.date(2028, 1, 1), datetime.date(2028, 1, 1),
    )  # fmt: skip
    # 18 months: the last year ends with the contract
    assert inspections.inspection_years(start, datetime.date(2028, 6, 30))[-1][2:] == (
        datetime.date(2028, 6, 30),
        datetime.date(2028, 6, 30),
    )


def test_signing_schedules_the_inspections(researcher, officer):
    funded = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    contracting.sign(funded, officer)
    contract = funded.contract
    rows = list(contract.inspections.values_list("year", "period_start", "due_on"))
    expected = inspections.inspection_years(contract.starts_on, contract.ends_on)
    assert rows == [(year, begin, due) for year, begin, _end, due in expected]
    assert len(rows) == 2  # a 24-month contract


def test_the_demo_contracts_signed_through_the_workflow_have_their_inspections():
    for proposal in Proposal.objects.filter(state="in_progress"):
        contract = proposal.contract
        assert contract.inspections.count() == len(
            inspections.inspection_years(contract.starts_on, contract.ends_on)
        )


def test_an_extension_moves_the_inspections_not_yet_recorded(researcher, officer, manager):
    """An 18-month task (01/01 → 30/06 the year after), extended by six months on 15/02 of its
    second year after year 1 was inspected: year 2 now ends and is due on 31/12."""
    funded = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    year = timezone.localdate().year + 1
    starts, ends = datetime.date(year, 1, 1), datetime.date(year + 1, 6, 30)
    values = contracting.contract_values(funded) | {"starts_on": starts, "ends_on": ends}
    prepare_contract(
        funded, by=officer, values=values, tranches=contracting.one_tranche(funded),
        deliverables=[{"name": "Quy trình kỹ thuật"}],
    )  # fmt: skip
    sign_contract(funded, by=officer)
    contract = funded.contract
    assert list(contract.inspections.values_list("year", "due_on")) == [
        (1, datetime.date(year, 12, 31)),
        (2, ends),
    ]
    done = record(
        contract.inspections.get(year=1), officer, inspected_on=datetime.date(year, 12, 20)
    )
    with grants_workflow.clock(on(datetime.date(year + 1, 2, 15))):
        change = request_change(
            contract, by=researcher, kind="extension", reason="Mưa lũ.",
            new_ends_on=datetime.date(year + 1, 12, 31),
        )  # fmt: skip
        approve_change(change, by=manager)
    rows = {i.year: i for i in contract.inspections.all()}
    assert sorted(rows) == [1, 2]
    assert (rows[2].period_end, rows[2].due_on) == (datetime.date(year + 1, 12, 31),) * 2
    assert rows[1].inspected_on == done.inspected_on and rows[1].due_on == done.due_on
    moved = ProjectEntry.objects.get(proposal=funded, action="move_schedule")
    assert moved.data["inspections_moved"] == [
        {"year": 2, "due_on": ends.isoformat(), "new_due_on": f"{year + 1}-12-31"}
    ]
    assert f"Kiểm tra năm thứ 2 nay có hạn 31/12/{year + 1}" in moved.comment


def test_an_extension_into_a_new_contract_year_adds_its_inspection(researcher, officer, manager):
    funded = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    contracting.sign(funded, officer)
    contract = funded.contract
    new_end = extension_window(contract)["latest"]
    change = request_change(
        contract, by=researcher, kind="extension", reason="Mưa lũ.", new_ends_on=new_end
    )
    approve_change(change, by=manager)
    third = contract.inspections.get(year=3)
    assert third.period_start == add_months(contract.starts_on, 24)
    assert third.period_end == third.due_on == new_end
    moved = ProjectEntry.objects.get(proposal=funded, action="move_schedule")
    assert moved.data["inspections_moved"] == [
        {"year": 3, "due_on": None, "new_due_on": new_end.isoformat()}
    ]


# -- recording -----------------------------------------------------------------------------------


def test_only_an_officer_who_takes_no_part_records(first_year, researcher, manager, officer):
    for who in (researcher, manager):
        with pytest.raises(PermissionDenied):
            record(first_year, who)
    assert not Inspection.objects.get(pk=first_year.pk).is_recorded
    assert record(first_year, officer).is_recorded


def test_the_date_lies_within_the_year_inspected_and_not_in_the_future(first_year, officer):
    start = first_year.period_start
    message = refused(lambda: record(first_year, officer, inspected_on=start - DAY), "inspected_on")
    assert f"từ ngày {start:%d/%m/%Y}" in message
    today = timezone.localdate()
    with pytest.raises(GuardFailed) as failure:
        inspections.record_inspection(
            first_year, by=officer, inspected_on=today + DAY, findings=FINDINGS,
            conclusion="on_track",
        )  # fmt: skip
    assert "tương lai" in " ".join(failure.value.errors["inspected_on"])
    refused(lambda: record(first_year, officer, inspected_on=None), "inspected_on")
    # its first day, and today, are both allowed
    assert record(first_year, officer, inspected_on=start).inspected_on == start


def test_the_inspection_may_be_recorded_today(first_year, officer):
    today = timezone.localdate()
    done = inspections.record_inspection(
        first_year, by=officer, inspected_on=today, findings=FINDINGS, conclusion="on_track"
    )
    assert done.inspected_on == today


@pytest.mark.parametrize("conclusion", ["behind", "serious"])
def test_a_task_not_on_track_needs_recommendations(first_year, officer, conclusion):
    message = refused(lambda: record(first_year, officer, conclusion=conclusion), "recommendations")
    assert "không đúng tiến độ" in message
    done = record(first_year, officer, conclusion=conclusion, recommendations="Bổ sung nhân lực.")
    assert done.conclusion == conclusion


def test_findings_and_a_known_conclusion_are_required(first_year, officer):
    refused(lambda: record(first_year, officer, findings="  "), "findings")
    refused(lambda: record(first_year, officer, conclusion="fine"), "conclusion")
    refused(lambda: record(first_year, officer, findings="x" * 20001), "findings")
    assert record(first_year, officer, findings="x" * 20000).is_recorded


def test_an_inspection_is_recorded_once(first_year, officer):
    record(first_year, officer)
    with pytest.raises(StateConflict):
        record(first_year, officer, findings="Lần hai.")
    assert Inspection.objects.get(pk=first_year.pk).findings == FINDINGS


def test_inspections_are_recorded_while_the_task_runs(officer):
    terminated = Proposal.objects.filter(state="terminated").order_by("pk").first()
    inspection = terminated.contract.inspections.get(year=1)
    with pytest.raises(StateConflict):
        record(inspection, officer)


def test_the_trail_and_the_investigators_notice(
    first_year, officer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        inspections.record_inspection(
            first_year, by=officer, ip="203.162.10.22", inspected_on=today, findings=FINDINGS,
            conclusion="behind", recommendations="Đẩy nhanh vụ thí nghiệm thứ hai.",
            upload=pdf("bien-ban.pdf"), label="Biên bản kiểm tra",
        )  # fmt: skip
    entry = ProjectEntry.objects.get(
        proposal=first_year.contract.proposal_id, action="record_inspection"
    )
    assert entry.actor == officer and entry.ip == "203.162.10.22"
    assert entry.record == "kiểm tra năm thứ 1"
    assert entry.data["conclusion"] == "behind" and entry.data["file"] is True
    assert entry.data["late"] == (today > first_year.due_on)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["researcher@example.org"]
    assert "kiểm tra năm thứ 1" in message.subject
    assert "Chậm tiến độ" in message.body and "Đẩy nhanh vụ thí nghiệm" in message.body
    assert InspectionAttachment.objects.get(inspection=first_year).label == "Biên bản kiểm tra"


# -- the page ------------------------------------------------------------------------------------


def url(proposal):
    return reverse("project_inspections", args=[proposal.pk])


def test_the_page_shows_the_schedule_to_the_investigator_and_the_staff(running, client_as):
    for who in ("researcher@example.org", "officer@example.org", "manager@example.org"):
        response = client_as(who).get(url(running))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Kiểm tra định kỳ hằng năm" in html and 'id="inspection-1"' in html
        # only an officer gets the form
        assert ('name="findings"' in html) == (who == "officer@example.org")
    assert client_as("researcher2@example.org").get(url(running)).status_code == 403


def test_the_officer_records_on_the_page(running, first_year, client_as):
    client = client_as("officer@example.org")
    today = timezone.localdate()
    response = client.post(
        url(running),
        {"year": "1", "inspected_on": today.strftime("%d/%m/%Y"), "findings": FINDINGS,
         "conclusion": "on_track", "recommendations": "", "label": "Biên bản",
         "file": pdf("bien-ban.pdf")},
    )  # fmt: skip
    assert response.status_code == 302
    done = Inspection.objects.get(pk=first_year.pk)
    assert done.is_recorded and done.inspected_on == today
    page = client.get(url(running)).content.decode()
    assert FINDINGS in page and "Đúng tiến độ" in page
    file_url = reverse("project_inspection_file", args=[running.pk, 1])
    assert file_url in page
    download = client_as("researcher@example.org").get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_the_page_refuses_by_the_field_and_keeps_the_text(running, first_year, client_as):
    client = client_as("officer@example.org")
    typed = "Chưa triển khai <b>vụ hai</b>."
    response = client.post(
        url(running),
        {"year": "1", "inspected_on": "31/02/2030", "findings": typed, "conclusion": "serious"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "dd/mm/yyyy" in html and 'href="#id_inspected_on"' in html
    assert "Chưa triển khai &lt;b&gt;vụ hai&lt;/b&gt;." in html
    response = client.post(
        url(running),
        {"year": "1", "inspected_on": first_year.period_start.isoformat(), "findings": typed,
         "conclusion": "serious"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "không đúng tiến độ" in response.content.decode()
    assert not Inspection.objects.get(pk=first_year.pk).is_recorded


@pytest.mark.parametrize("who", ["researcher@example.org", "manager@example.org"])
def test_the_page_refuses_a_record_from_anyone_but_an_officer(running, first_year, client_as, who):
    response = client_as(who).post(
        url(running), {"year": "1", "inspected_on": "", "findings": FINDINGS, "conclusion": "x"}
    )
    assert response.status_code == 403
    assert not Inspection.objects.get(pk=first_year.pk).is_recorded


def test_the_page_says_when_it_was_recorded_already(running, first_year, officer, client_as):
    record(first_year, officer)
    client = client_as("officer@example.org")
    response = client.post(
        url(running),
        {"year": "1", "inspected_on": timezone.localdate().isoformat(), "findings": "Lần hai",
         "conclusion": "on_track"},
        follow=True,
    )  # fmt: skip
    assert "đã được ghi nhận" in response.content.decode()
    assert Inspection.objects.get(pk=first_year.pk).findings == FINDINGS


# -- the officers' dashboard ---------------------------------------------------------------------


def test_an_inspection_is_overdue_the_day_after_its_due_date(running, first_year, officer, client):
    due = first_year.due_on
    overdue = [row["year"] for row in selectors.inspections_overdue(today=due + DAY)
               if row["proposal_id"] == running.pk]  # fmt: skip
    assert overdue == [1]
    assert not [row for row in selectors.inspections_overdue(today=due)
                if row["proposal_id"] == running.pk and row["year"] == 1]  # fmt: skip
    # on the dashboard, with today as it is: made due yesterday, then recorded
    today = timezone.localdate()
    Inspection.objects.filter(contract=running.contract).update(due_on=today + DAY)
    Inspection.objects.filter(pk=first_year.pk).update(due_on=today - DAY)
    client.force_login(officer)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Kiểm tra định kỳ quá hạn" in html and url(running) in html
    Inspection.objects.filter(pk=first_year.pk).update(due_on=today)
    html = client.get(reverse("dashboard")).content.decode()
    assert url(running) not in html.split('id="inspections-overdue"')[1].split("</ul>")[0]


# -- the data migration --------------------------------------------------------------------------


def test_the_migration_schedules_the_contracts_signed_before_it(running):
    """0004's data step, run on today's models: a signed contract without inspections gets them,
    one with inspections gets none more, an unsigned one none."""
    import importlib

    from django.apps import apps

    step = importlib.import_module("projects.migrations.0004_inspection").schedule_signed_contracts
    contract = running.contract
    expected = list(
        contract.inspections.values_list("year", "period_start", "period_end", "due_on")
    )
    contract.inspections.all().delete()
    others = Inspection.objects.count()
    step(apps, None)
    assert (
        list(contract.inspections.values_list("year", "period_start", "period_end", "due_on"))
        == expected
    )
    assert Inspection.objects.count() == others + len(expected)
    step(apps, None)
    assert Inspection.objects.count() == others + len(expected)
    assert not Inspection.objects.filter(contract__signed_at__isnull=True).exists()

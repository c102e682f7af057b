"""Progress reports: the investigator writes (autosaved drafts, files) and submits; an officer
accepts or returns with a reason; overdue reports are flagged and e-mailed once a day."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from grants.models import Proposal
from projects import reporting
from projects.models import ProgressReport, ProjectEntry, ReportAttachment
from projects.reports import (
    accept_report,
    add_report_attachment,
    return_report,
    save_report_draft,
    submit_report,
)
from projects.tasks import remind_overdue_reports
from projects.workflow import GuardFailed, StateConflict
from tests.samples import pdf

pytestmark = pytest.mark.django_db

OFFICER = "officer@example.org"
MANAGER = "manager@example.org"
INVESTIGATOR = "researcher@example.org"
OTHER = "researcher2@example.org"


@pytest.fixture
def researcher(user_by_email):
    return user_by_email(INVESTIGATOR)


@pytest.fixture
def officer(user_by_email):
    return user_by_email(OFFICER)


@pytest.fixture
def running(researcher):
    """The demo's task in progress of researcher@example.org (contract signed, 3 reports)."""
    return Proposal.objects.filter(owner=researcher, state="in_progress").order_by("pk").first()


@pytest.fixture
def report(running):
    return running.contract.reports.get(number=1)


def complete(report):
    """Every part of a report, as the page posts it (spending 1.000.000 ₫ in each category)."""
    budget = reporting.approved_budget(report.contract)
    return {
        "work": {
            str(d.pk): {"work": "Đã lai tạo 12 dòng lúa.", "reached": "6/12 dòng đạt chỉ tiêu."}
            for d in report.contract.deliverables.all()
        },
        "spending": dict.fromkeys(budget, "1.000.000"),
        "problems": "Mưa trái mùa làm chậm vụ thu đông.",
    }


def posted(report, parts, **extra):
    data = {"problems": parts["problems"], **extra}
    for pk, entry in parts["work"].items():
        data[f"work-{pk}"] = entry["work"]
        data[f"reached-{pk}"] = entry["reached"]
    for category, amount in parts["spending"].items():
        data[f"spending-{category}"] = amount
    return data


def url(report, name="project_report"):
    return reverse(name, args=[report.contract.proposal_id, report.number])


def write(report, by, **changes):
    parts = complete(report) | changes
    return save_report_draft(report, by=by, **parts)


def fresh(report):
    return ProgressReport.objects.get(pk=report.pk)


# -- amounts as people type them ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("0", 0),
        (" 15.000 ", 15_000),
        (7, 7),
        ("", None),
        (None, None),
    ],
)
def test_amounts_are_read_as_vietnamese_write_them(typed, amount):
    assert reporting.parse_amount(typed) == (amount, None)


@pytest.mark.parametrize(
    "typed", ["-1", "1.5", "1.500,000", "15.00", "abc", "١٢", "1e6", "12.3456", -1, True]
)
def test_bad_amounts_are_refused_with_a_message(typed):
    amount, error = reporting.parse_amount(typed)
    assert amount is None and error


def test_an_amount_beyond_the_column_is_refused():
    assert reporting.parse_amount(str(2**63 - 1)) == (2**63 - 1, None)
    assert reporting.parse_amount(str(2**63))[1]


# -- drafts ----------------------------------------------------------------------------------------


def test_a_partial_draft_is_saved(report, researcher):
    saved = save_report_draft(
        report, by=researcher, work={}, spending={"labour": "2.000.000"}, problems=""
    )
    assert saved.spending == {"labour": 2_000_000}
    assert fresh(report).state == "draft"
    assert not ProjectEntry.objects.filter(
        proposal_id=report.contract.proposal_id, action__startswith="report_"
    ).exists()


def test_a_bad_number_refuses_the_draft_by_the_field_and_saves_nothing(report, researcher):
    with pytest.raises(GuardFailed) as failure:
        write(report, researcher, spending={"labour": "hai triệu", "materials": "-5"})
    assert set(failure.value.errors) == {"spending-labour", "spending-materials"}
    assert fresh(report).work == {} and fresh(report).spending == {}


def test_unknown_deliverables_and_categories_are_not_stored(report, researcher):
    saved = save_report_draft(
        report,
        by=researcher,
        work={"999999": {"work": "x", "reached": "y"}},
        spending={"nosuchcategory": "5", "labour": "1"},
        problems="",
    )
    assert saved.work == {} and saved.spending == {"labour": 1}


@pytest.mark.parametrize("who", [OFFICER, MANAGER, OTHER])
def test_only_the_investigator_writes_the_draft(report, user_by_email, client_as, who):
    with pytest.raises(PermissionDenied):
        write(report, user_by_email(who))
    response = client_as(who).post(url(report), posted(report, complete(report)))
    assert response.status_code == 403
    assert fresh(report).work == {}


def test_a_submitted_report_is_no_longer_a_draft(report, researcher):
    write(report, researcher)
    submit_report(report, by=researcher)
    with pytest.raises(StateConflict):
        write(report, researcher, problems="changed")
    assert fresh(report).problems == "Mưa trái mùa làm chậm vụ thu đông."


def test_the_page_keeps_the_text_on_bad_input(report, client_as):
    parts = complete(report)
    parts["spending"]["labour"] = "mười triệu"
    pk = next(iter(parts["work"]))
    parts["work"][pk]["work"] = "Văn bản <b>đang viết</b> dở"
    response = client_as(INVESTIGATOR).post(url(report), posted(report, parts, action="save"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "mười triệu" in body
    assert "Văn bản &lt;b&gt;đang viết&lt;/b&gt; dở" in body  # kept, and kept as text
    assert 'href="#spending-labour"' in body  # the error summary points at the field
    assert fresh(report).work == {}


def test_the_page_saves_a_draft_and_shows_it_again(report, client_as):
    response = client_as(INVESTIGATOR).post(
        url(report), posted(report, complete(report), action="save")
    )
    assert response.status_code == 302
    assert fresh(report).spending["labour"] == 1_000_000
    page = client_as(INVESTIGATOR).get(url(report)).content.decode()
    assert 'value="1.000.000"' in page and "Mưa trái mùa" in page


# -- autosave ------------------------------------------------------------------------------------


def test_autosave_answers_json_and_stores_the_draft(report, client_as):
    response = client_as(INVESTIGATOR).post(
        url(report), posted(report, complete(report)), HTTP_X_AUTOSAVE="1"
    )
    assert response.status_code == 200
    assert response.json()["saved"] is True and response.json()["at"]
    assert fresh(report).problems == "Mưa trái mùa làm chậm vụ thu đông."
    assert fresh(report).state == "draft"  # autosave never submits


def test_autosave_of_a_bad_number_answers_the_field(report, client_as):
    parts = complete(report)
    parts["spending"]["travel"] = "1.2.3"
    response = client_as(INVESTIGATOR).post(
        url(report), posted(report, parts, action="submit"), HTTP_X_AUTOSAVE="1"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["spending-travel"]
    assert fresh(report).state == "draft" and fresh(report).spending == {}


def test_autosave_of_a_sent_report_is_a_conflict(report, researcher, client_as):
    write(report, researcher)
    submit_report(report, by=researcher)
    response = client_as(INVESTIGATOR).post(url(report), {"problems": "later"}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 409 and response.json()["saved"] is False
    assert fresh(report).problems != "later"


def test_autosave_by_someone_else_is_forbidden(report, client_as):
    response = client_as(OFFICER).post(url(report), {"problems": "x"}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 403


def test_the_form_uses_the_dossier_autosave_without_inline_script(report, client_as):
    body = client_as(INVESTIGATOR).get(url(report)).content.decode()
    assert f'data-autosave="{url(report)}"' in body
    assert "js/proposal.js" in body
    assert "<script>" not in body


# -- submitting --------------------------------------------------------------------------------


def test_a_complete_report_is_submitted_and_the_officers_told(
    report, researcher, django_capture_on_commit_callbacks
):
    write(report, researcher)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = submit_report(report, by=researcher, ip="203.162.10.22")
    assert done.state == "submitted" and done.submitted_at
    entry = ProjectEntry.objects.get(
        proposal_id=report.contract.proposal_id, action="report_submit"
    )
    assert entry.proposal_id == report.contract.proposal_id and entry.ip == "203.162.10.22"
    assert (entry.source, entry.target) == ("draft", "submitted")
    assert len(mail.outbox) == 1 and "officer@example.org" in mail.outbox[0].to
    assert "Báo cáo tiến độ 1" in mail.outbox[0].subject


def missing_work(report, parts):
    parts["work"][next(iter(parts["work"]))]["work"] = " "
    return "work-"


def missing_reached(report, parts):
    parts["work"][next(iter(parts["work"]))]["reached"] = ""
    return "reached-"


def missing_spending(report, parts):
    parts["spending"]["equipment"] = ""
    return "spending-equipment"


def missing_problems(report, parts):
    parts["problems"] = "  "
    return "problems"


@pytest.mark.parametrize(
    "remove", [missing_work, missing_reached, missing_spending, missing_problems]
)
def test_submit_is_refused_with_each_missing_part_on_its_own(report, researcher, client_as, remove):
    parts = complete(report)
    key = remove(report, parts)
    save_report_draft(report, by=researcher, **parts)
    with pytest.raises(GuardFailed) as failure:
        submit_report(report, by=researcher)
    assert len(failure.value.errors) == 1
    assert next(iter(failure.value.errors)).startswith(key)
    response = client_as(INVESTIGATOR).post(url(report), posted(report, parts, action="submit"))
    assert response.status_code == 400
    assert f'href="#{next(iter(failure.value.errors))}"' in response.content.decode()
    assert fresh(report).state == "draft"


def test_zero_is_spending_but_a_blank_is_not(report, researcher):
    write(report, researcher, spending=dict.fromkeys(reporting.approved_budget(report.contract), 0))
    assert submit_report(report, by=researcher).state == "submitted"


@pytest.mark.parametrize("who", [OFFICER, OTHER, MANAGER])
def test_only_the_investigator_submits(report, researcher, user_by_email, client_as, who):
    write(report, researcher)
    with pytest.raises(PermissionDenied):
        submit_report(report, by=user_by_email(who))
    response = client_as(who).post(url(report), posted(report, complete(report), action="submit"))
    assert response.status_code == 403
    assert fresh(report).state == "draft"


def test_spending_up_to_the_approved_budget_of_a_category(running, researcher, officer):
    """The earlier reports' spending counts: exactly the approved budget is allowed, one đồng
    more is refused on the category's field."""
    first, second = running.contract.reports.order_by("number")[:2]
    approved = reporting.approved_budget(running.contract)["labour"]
    write(
        first, researcher, spending=dict.fromkeys(approved_categories(running), 0) | {"labour": 100}
    )
    submit_report(first, by=researcher)
    accept_report(first, by=officer)
    write(
        second,
        researcher,
        spending=dict.fromkeys(approved_categories(running), 0) | {"labour": approved - 99},
    )
    with pytest.raises(GuardFailed) as failure:
        submit_report(second, by=researcher)
    assert list(failure.value.errors) == ["spending-labour"]
    write(
        second,
        researcher,
        spending=dict.fromkeys(approved_categories(running), 0) | {"labour": approved - 100},
    )
    assert submit_report(second, by=researcher).state == "submitted"


def approved_categories(proposal):
    return list(reporting.approved_budget(proposal.contract))


def test_the_approved_budget_is_the_appraised_one(running):
    """A budget line cut by the appraisal team counts at its appraised amount."""
    lines = {line.pk: line for line in running.budget_lines.all()}
    expected = {}
    for line in lines.values():
        appraised = line.appraisals.first()
        amount = appraised.amount if appraised else line.amount
        expected[line.category] = expected.get(line.category, 0) + amount
    assert reporting.approved_budget(running.contract) == expected


# -- the officer's decision ------------------------------------------------------------------


@pytest.fixture
def submitted_report(report, researcher):
    write(report, researcher)
    return submit_report(report, by=researcher)


def test_the_officer_accepts_and_the_investigator_is_told(
    submitted_report, client_as, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(OFFICER).post(
            url(submitted_report, "project_report_decide"), {"decision": "accept"}
        )
    assert response.status_code == 302
    done = fresh(submitted_report)
    assert done.state == "accepted" and done.decided_by.email == OFFICER
    assert ProjectEntry.objects.filter(
        proposal_id=submitted_report.contract.proposal_id, action="report_accept", target="accepted"
    ).exists()
    assert [m.to for m in mail.outbox] == [[INVESTIGATOR]]


@pytest.mark.parametrize("who", [INVESTIGATOR, MANAGER, OTHER])
@pytest.mark.parametrize("decision", ["accept", "return"])
def test_only_an_officer_decides(submitted_report, user_by_email, client_as, who, decision):
    step = accept_report if decision == "accept" else return_report
    with pytest.raises(PermissionDenied):
        step(submitted_report, by=user_by_email(who), comment="Thiếu chứng từ.")
    response = client_as(who).post(
        url(submitted_report, "project_report_decide"),
        {"decision": decision, "comment": "Thiếu chứng từ."},
    )
    assert response.status_code == 403
    assert fresh(submitted_report).state == "submitted"


def test_returning_needs_a_reason(submitted_report, officer, client_as):
    with pytest.raises(GuardFailed) as failure:
        return_report(submitted_report, by=officer, comment="   ")
    assert list(failure.value.errors) == ["comment"]
    response = client_as(OFFICER).post(
        url(submitted_report, "project_report_decide"), {"decision": "return", "comment": " "}
    )
    assert response.status_code == 400
    assert 'href="#comment"' in response.content.decode()
    assert fresh(submitted_report).state == "submitted"


def test_a_decision_must_be_chosen(submitted_report, client_as):
    response = client_as(OFFICER).post(
        url(submitted_report, "project_report_decide"), {"decision": "maybe"}
    )
    assert response.status_code == 400
    assert fresh(submitted_report).state == "submitted"


def test_a_draft_cannot_be_decided(report, officer, client_as):
    with pytest.raises(StateConflict):
        accept_report(report, by=officer)
    response = client_as(OFFICER).post(url(report, "project_report_decide"), {"decision": "accept"})
    assert response.status_code == 302
    assert fresh(report).state == "draft"


def test_resubmission_after_return(
    submitted_report, researcher, officer, client_as, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return_report(submitted_report, by=officer, comment="Bổ sung hóa đơn vật tư.")
    assert fresh(submitted_report).state == "returned"
    assert [m.to for m in mail.outbox] == [[INVESTIGATOR]]
    assert "Bổ sung hóa đơn vật tư." in mail.outbox[0].body
    page = client_as(INVESTIGATOR).get(url(submitted_report)).content.decode()
    assert "Bổ sung hóa đơn vật tư." in page and "data-autosave" in page
    parts = complete(submitted_report)
    parts["problems"] = "Đã bổ sung hóa đơn."
    response = client_as(INVESTIGATOR).post(
        url(submitted_report), posted(submitted_report, parts, action="submit")
    )
    assert response.status_code == 302
    again = fresh(submitted_report)
    assert again.state == "submitted" and again.return_reason == ""
    assert again.problems == "Đã bổ sung hóa đơn."
    actions = list(
        ProjectEntry.objects.filter(proposal_id=again.contract.proposal_id)
        .filter(action__startswith="report_")
        .values_list("action", flat=True)
    )
    assert actions == ["report_submit", "report_return_report", "report_submit"]


def test_the_manager_reads_a_sent_report_without_a_form(submitted_report, client_as):
    body = client_as(MANAGER).get(url(submitted_report)).content.decode()
    assert "Mưa trái mùa" in body
    assert "data-autosave" not in body
    assert (
        reverse("project_report_decide", args=[submitted_report.contract.proposal_id, 1])
        not in body
    )


def test_the_officer_sees_the_decision_form_only_when_submitted(
    submitted_report, officer, client_as
):
    decide = url(submitted_report, "project_report_decide")
    assert decide in client_as(OFFICER).get(url(submitted_report)).content.decode()
    accept_report(submitted_report, by=officer)
    assert decide not in client_as(OFFICER).get(url(submitted_report)).content.decode()


def test_a_draft_is_not_shown_to_the_department(report, researcher, client_as):
    write(report, researcher)
    body = client_as(OFFICER).get(url(report)).content.decode()
    assert "Mưa trái mùa" not in body


# -- who may open the pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (INVESTIGATOR, 200),
        (OFFICER, 200),
        (MANAGER, 200),
        (OTHER, 403),
        ("reviewer1@example.org", 403),
    ],
)
def test_who_opens_the_reports(running, client_as, who, status):
    response = client_as(who).get(reverse("project_reports", args=[running.pk]))
    assert response.status_code == status


def test_no_reports_before_the_contract_is_signed(researcher, client_as):
    funded = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    assert (
        client_as(INVESTIGATOR).get(reverse("project_reports", args=[funded.pk])).status_code == 404
    )
    assert client_as(OFFICER).get(reverse("project_report", args=[funded.pk, 1])).status_code == 404


def test_an_unknown_report_is_404(running, client_as):
    assert (
        client_as(INVESTIGATOR).get(reverse("project_report", args=[running.pk, 99])).status_code
        == 404
    )


# -- attachments ----------------------------------------------------------------------------------


def test_a_file_is_attached_and_served_to_who_may_read(report, researcher, client_as):
    response = client_as(INVESTIGATOR).post(
        url(report),
        {"action": "upload", "label": "Biên bản nghiệm thu vật tư", "file": pdf("bien-ban.pdf")},
    )
    assert response.status_code == 302
    attachment = ReportAttachment.objects.get(report=report)
    assert attachment.content_type == "application/pdf" and len(attachment.sha256) == 64
    download = reverse(
        "project_report_attachment", args=[report.contract.proposal_id, 1, attachment.pk]
    )
    assert client_as(INVESTIGATOR).get(download).status_code == 200
    # The Department reads the files once the report is sent; strangers never.
    assert client_as(OFFICER).get(download).status_code == 403
    write(report, researcher)
    submit_report(report, by=researcher)
    ok = client_as(OFFICER).get(download)
    assert ok.status_code == 200 and ok["X-Content-Type-Options"] == "nosniff"
    assert b"".join(ok.streaming_content).startswith(b"%PDF")
    assert client_as(OTHER).get(download).status_code == 403
    assert client_as(None).get(download).status_code == 302


def test_a_bad_file_is_refused_by_the_field(report, researcher, client_as):
    fake = pdf("tien-do.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(GuardFailed) as failure:
        add_report_attachment(report, fake, by=researcher, label="Báo cáo")
    assert list(failure.value.errors) == ["file"]
    fake.seek(0)
    response = client_as(INVESTIGATOR).post(
        url(report), {"action": "upload", "label": "Báo cáo giữa kỳ", "file": fake}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#upload-file"' in body and 'value="Báo cáo giữa kỳ"' in body
    assert not ReportAttachment.objects.filter(report=report).exists()


def test_a_file_needs_a_description(report, researcher):
    with pytest.raises(GuardFailed) as failure:
        add_report_attachment(report, pdf(), by=researcher, label=" ")
    assert list(failure.value.errors) == ["label"]


def test_only_the_investigator_attaches_files(report, officer, client_as):
    with pytest.raises(PermissionDenied):
        add_report_attachment(report, pdf(), by=officer, label="x")
    response = client_as(OFFICER).post(
        url(report), {"action": "upload", "label": "x", "file": pdf()}
    )
    assert response.status_code == 403


def test_a_file_of_another_report_is_not_found(running, researcher, client_as):
    first, second = running.contract.reports.order_by("number")[:2]
    attachment = add_report_attachment(first, pdf(), by=researcher, label="Ảnh")
    other = reverse("project_report_attachment", args=[running.pk, second.number, attachment.pk])
    assert client_as(INVESTIGATOR).get(other).status_code == 404


def test_a_file_is_removed_while_the_report_is_a_draft(
    report, researcher, client_as, django_capture_on_commit_callbacks
):
    attachment = add_report_attachment(report, pdf(), by=researcher, label="Ảnh")
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(INVESTIGATOR).post(
            url(report), {"action": "remove", "attachment": str(attachment.pk)}
        )
    assert response.status_code == 302
    assert not ReportAttachment.objects.filter(pk=attachment.pk).exists()
    assert not storage.exists(name)


def test_no_file_is_added_to_a_sent_report(submitted_report, researcher):
    with pytest.raises(StateConflict):
        add_report_attachment(submitted_report, pdf(), by=researcher, label="Muộn")


# -- overdue ------------------------------------------------------------------------------------


def only_first_due(running, due_on):
    """Report 1 due on `due_on`; the later ones far in the future."""
    far = timezone.localdate() + datetime.timedelta(days=400)
    running.contract.reports.exclude(number=1).update(due_on=far)
    running.contract.reports.filter(number=1).update(due_on=due_on)
    return running.contract.reports.get(number=1)


def test_due_today_is_not_overdue(running, client_as):
    today = timezone.localdate()
    report = only_first_due(running, today)
    assert not report.is_overdue(today)
    reports_page = client_as(INVESTIGATOR).get(reverse("project_reports", args=[running.pk]))
    assert "overdue-notice" not in reports_page.content.decode()
    detail = client_as(OFFICER).get(reverse("proposal_detail", args=[running.pk])).content.decode()
    assert (
        "reports-overdue" not in detail and reverse("project_reports", args=[running.pk]) in detail
    )


def test_due_yesterday_is_overdue_on_both_pages(running, client_as):
    today = timezone.localdate()
    report = only_first_due(running, today - datetime.timedelta(days=1))
    assert report.is_overdue(today)
    reports_page = client_as(INVESTIGATOR).get(reverse("project_reports", args=[running.pk]))
    body = reports_page.content.decode()
    assert "overdue-notice" in body and "row--overdue" in body
    detail = client_as(OFFICER).get(reverse("proposal_detail", args=[running.pk])).content.decode()
    assert "reports-overdue" in detail
    assert reverse("project_report", args=[running.pk, 1]) in detail


def test_a_submitted_report_is_not_overdue(running, researcher):
    report = only_first_due(running, timezone.localdate() - datetime.timedelta(days=30))
    write(report, researcher)
    submit_report(report, by=researcher)
    assert not fresh(report).is_overdue()


def test_the_reminder_goes_once_a_day(running):
    day = timezone.localdate()
    report = only_first_due(running, day - datetime.timedelta(days=1))
    mail.outbox.clear()
    assert remind_overdue_reports.call(today=day.isoformat()) == 1
    assert remind_overdue_reports.call(today=day.isoformat()) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert INVESTIGATOR in message.to and OFFICER in message.to
    assert reverse("project_report", args=[running.pk, 1]) in message.body
    assert fresh(report).overdue_notified_on == day
    tomorrow = day + datetime.timedelta(days=1)
    assert remind_overdue_reports.call(today=tomorrow.isoformat()) == 1
    assert len(mail.outbox) == 2


def test_the_reminder_skips_reports_due_today_and_sent_ones(running, researcher):
    day = timezone.localdate()
    only_first_due(running, day)
    mail.outbox.clear()
    assert remind_overdue_reports.call(today=day.isoformat()) == 0
    report = only_first_due(running, day - datetime.timedelta(days=3))
    write(report, researcher)
    submit_report(report, by=researcher)
    mail.outbox.clear()
    assert remind_overdue_reports.call(today=day.isoformat()) == 0
    assert mail.outbox == []


def test_the_command_runs_the_reminder(running):
    only_first_due(running, timezone.localdate() - datetime.timedelta(days=2))
    mail.outbox.clear()
    call_command("remind_overdue_reports", stdout=io.StringIO())
    assert len(mail.outbox) == 1  # the immediate backend of the tests runs the queued task
    call_command("remind_overdue_reports", "--now", stdout=io.StringIO())
    assert len(mail.outbox) == 1


def test_a_report_is_due_to_be_handed_in_not_paid(client_as):
    """ "Due date" of a report reads "Hạn nộp" (hand in); of a tranche, "Hạn cấp" (pay)."""
    from grants.models import Proposal

    running = Proposal.objects.filter(
        owner__email="researcher@example.org", state="in_progress"
    ).first()
    client = client_as("researcher@example.org")
    reports = client.get(f"/proposals/{running.pk}/reports/").content.decode()
    assert "Hạn nộp" in reports and "Hạn cấp" not in reports
    ledger = client.get(f"/proposals/{running.pk}/tranches/").content.decode()
    assert "Hạn cấp" in ledger

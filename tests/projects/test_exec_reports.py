"""A periodic report covers a period that has ended (Circular 04/2015): it is submitted from the
day after its period's last day, never before — at the workflow function and on the page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grants import workflow as grants_workflow
from grants.models import Proposal
from projects.models import ProgressReport, ProjectEntry
from projects.reports import period_problems, save_report_draft, submit_report
from projects.workflow import GuardFailed
from tests.projects import contracting

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
TOO_EARLY = "chỉ được nộp từ ngày"


@pytest.fixture
def researcher(user_by_email):
    return user_by_email("researcher@example.org")


@pytest.fixture
def report(researcher):
    """Report 1 of the demo's running task of researcher@example.org, written in full."""
    running = Proposal.objects.filter(owner=researcher, state="in_progress").order_by("pk").first()
    report = running.contract.reports.get(number=1)
    return contracting.write_report(report, researcher, spent=1_000_000)


def on(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_rule_at_its_boundaries(report):
    end = report.period_end
    assert "period" in period_problems(report, today=end - DAY)
    assert "period" in period_problems(report, today=end)
    assert period_problems(report, today=end + DAY) == {}
    message = period_problems(report, today=end)["period"][0]
    assert f"{end:%d/%m/%Y}" in message and f"{end + DAY:%d/%m/%Y}" in message


@pytest.mark.parametrize(("when", "days"), [("day before", -1), ("last day", 0)])
def test_a_report_is_not_submitted_before_its_period_has_ended(report, researcher, when, days):
    # The last hour of the period's last day (An Giang's calendar) is still inside the period.
    moment = on(report.period_end + datetime.timedelta(days=days), 23)
    with grants_workflow.clock(moment), pytest.raises(GuardFailed) as failure:
        submit_report(report, by=researcher)
    assert TOO_EARLY in " ".join(failure.value.errors["period"])
    assert list(failure.value.errors) == ["period"]  # the report itself is complete
    assert ProgressReport.objects.get(pk=report.pk).state == "draft"
    assert not ProjectEntry.objects.filter(
        proposal=report.contract.proposal_id, action="report_submit"
    ).exists()


def test_a_report_is_submitted_the_day_after_its_period(report, researcher):
    with grants_workflow.clock(on(report.period_end + DAY, 0)):
        done = submit_report(report, by=researcher)
    assert done.state == "submitted"
    assert timezone.localdate(done.submitted_at) == report.period_end + DAY


def test_an_early_report_still_says_what_is_missing(report, researcher):
    save_report_draft(report, by=researcher, work={}, spending={}, problems="")
    moment = on(report.period_end, 9)
    with grants_workflow.clock(moment), pytest.raises(GuardFailed) as failure:
        submit_report(report, by=researcher)
    assert "period" in failure.value.errors and "problems" in failure.value.errors


def test_the_page_refuses_an_early_report_by_the_field_and_keeps_the_text(
    report, researcher, client
):
    client.force_login(researcher)
    url = reverse("project_report", args=[report.contract.proposal_id, report.number])
    data = {"action": "submit", "problems": "Mưa trái mùa <b>làm chậm</b> vụ thu đông."}
    for d in report.contract.deliverables.all():
        data[f"work-{d.pk}"] = "Đã lai tạo 12 dòng lúa."
        data[f"reached-{d.pk}"] = "6/12 dòng đạt chỉ tiêu."
    for category, amount in report.spending.items():
        data[f"spending-{category}"] = str(amount)
    with grants_workflow.clock(on(report.period_end, 15)):
        page = client.get(url)
        assert 'id="period-notice"' in page.content.decode()
        response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert TOO_EARLY in html and 'href="#period"' in html and 'id="period"' in html
    assert "Mưa trái mùa &lt;b&gt;làm chậm&lt;/b&gt; vụ thu đông." in html
    assert ProgressReport.objects.get(pk=report.pk).state == "draft"
    # the day after, the same page takes it and no longer shows the notice
    with grants_workflow.clock(on(report.period_end + DAY, 8)):
        assert 'id="period-notice"' not in client.get(url).content.decode()
        response = client.post(url, data)
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).state == "submitted"

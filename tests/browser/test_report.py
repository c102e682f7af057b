"""A progress report in the browser: the investigator of the demo's running task writes report 1
(the draft autosaves), attaches a file and submits it; the officer reads it and accepts it."""

import re

import pytest
from playwright.sync_api import expect

from grants.models import Proposal
from projects import reporting
from projects.models import ProgressReport, ProjectEntry
from tests.browser.conftest import sign_in
from tests.samples import PDF

pytestmark = pytest.mark.browser


def test_the_investigator_submits_report_1_and_the_officer_accepts_it(
    page, demo_site, screenshot, tmp_path
):
    base = demo_site.url
    proposal = Proposal.objects.get(state="in_progress", owner__email="researcher@example.org")
    contract = proposal.contract
    deliverable = contract.deliverables.first()
    categories = list(reporting.approved_budget(contract))
    url = f"/proposals/{proposal.pk}/reports/1/"

    # The schedule, with report 1 overdue (the demo's task started in 2025).
    sign_in(page, base, "researcher@example.org", f"/proposals/{proposal.pk}/reports/")
    assert page.locator("#overdue-notice").is_visible()
    screenshot(page, "reports-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "reports-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Báo cáo 1", exact=True).click()
    page.wait_for_url(re.compile(re.escape(url) + "$"))

    # The work typed is autosaved before anything is pressed.
    page.locator(f"#work-{deliverable.pk}").fill("Đã lai tạo 12 dòng lúa chịu mặn tại Châu Phú.")
    expect(page.locator(".autosave-status")).to_contain_text("Đã lưu lúc")
    saved = ProgressReport.objects.get(contract=contract, number=1)
    assert saved.work[str(deliverable.pk)]["work"].startswith("Đã lai tạo 12 dòng")
    assert saved.state == "draft"

    page.locator(f"#reached-{deliverable.pk}").fill("6/12 dòng đạt chỉ tiêu chịu mặn 4‰.")
    # The dossier promised several products: each has its line in the report.
    for other in contract.deliverables.exclude(pk=deliverable.pk):
        page.locator(f"#work-{other.pk}").fill("Đang triển khai theo kế hoạch.")
        page.locator(f"#reached-{other.pk}").fill("Chưa đến kỳ đánh giá chỉ tiêu.")
    for category in categories:
        page.locator(f"#spending-{category}").fill("0")
    page.locator(f"#spending-{categories[0]}").fill("25.000.000")
    page.locator("#problems").fill("Mưa trái mùa làm chậm vụ thu đông.")
    screenshot(page, "report-form-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "report-form-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.wait_for_load_state()

    # A file, checked by its content.
    upload = tmp_path / "bien-ban-kiem-tra.pdf"
    upload.write_bytes(PDF)
    page.locator("#upload-label").fill("Biên bản kiểm tra đồng ruộng")
    page.locator("#upload-file").set_input_files(str(upload))
    page.get_by_role("button", name="Đính kèm tệp").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Biên bản kiểm tra đồng ruộng").is_visible()

    page.get_by_role("button", name="Nộp báo cáo").click()
    page.wait_for_load_state()
    assert "Đã nộp báo cáo cho Sở." in page.locator("main").inner_text()
    report = ProgressReport.objects.get(contract=contract, number=1)
    assert report.state == "submitted"
    assert report.spending[categories[0]] == 25_000_000

    # The officer reads the submitted report and accepts it.
    sign_in(page, base, "officer@example.org", url, staff=True)
    main = page.locator("main").inner_text()
    assert "Đã lai tạo 12 dòng lúa chịu mặn" in main and "25.000.000 ₫" in main
    screenshot(page, "report-officer-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "report-officer-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Chấp nhận báo cáo").click()
    page.wait_for_load_state()
    assert "Đã chấp nhận báo cáo." in page.locator("main").inner_text()
    assert ProgressReport.objects.get(pk=report.pk).state == "accepted"
    assert ProjectEntry.objects.filter(proposal=proposal, action="report_accept").exists()
    screenshot(page, "report-accepted-1280")

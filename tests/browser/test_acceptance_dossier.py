"""The acceptance dossier on a phone (375 px): the investigator of the demo's running task,
whose progress reports the Department has accepted, writes the final report, each product
against its indicators and the self-evaluation (the draft autosaves), attaches a file and
submits the dossier; the officers are told and read it."""

import re

import pytest
from playwright.sync_api import expect

from grants.models import Proposal
from projects.models import Acceptance, ProjectEntry
from tests.browser.conftest import sign_in
from tests.projects import contracting
from tests.samples import PDF

pytestmark = pytest.mark.browser


def test_the_investigator_fills_and_submits_the_dossier_on_a_phone(
    page, demo_site, screenshot, tmp_path, django_user_model
):
    base = demo_site.url
    researcher = django_user_model.objects.get(email="researcher@example.org")
    officer = django_user_model.objects.get(email="officer@example.org")
    proposal = Proposal.objects.get(state="in_progress", owner=researcher)
    contract = proposal.contract
    # The periodic inspection is closed: every report written, submitted and accepted.
    for report in contract.reports.order_by("number"):
        contracting.accept_report(report, researcher, officer)
    deliverables = list(contract.deliverables.all())
    url = f"/proposals/{proposal.pk}/acceptance/"

    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, base, "researcher@example.org", f"/proposals/{proposal.pk}/reports/")
    page.get_by_role("link", name="Nghiệm thu", exact=True).click()
    page.wait_for_url(re.compile(re.escape(url) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nghiệm thu")

    # The final report typed is autosaved before anything is pressed.
    page.get_by_label("Báo cáo tổng hợp kết quả thực hiện nhiệm vụ").fill(
        "Nhiệm vụ đã chọn tạo 02 giống lúa chịu mặn và hoàn thiện quy trình canh tác."
    )
    expect(page.locator(".autosave-status")).to_contain_text("Đã lưu lúc")
    saved = Acceptance.objects.get(contract=contract)
    assert saved.final_report.startswith("Nhiệm vụ đã chọn tạo 02 giống")
    assert saved.state == "draft"

    for deliverable in deliverables:
        page.locator(f"#quantity-{deliverable.pk}").fill("Đạt đủ số lượng đã đăng ký.")
        page.locator(f"#quality-{deliverable.pk}").fill("Đạt yêu cầu chất lượng đã đăng ký.")
    page.get_by_label("Kết quả tự đánh giá của nhiệm vụ").select_option("pass")
    page.get_by_label("Căn cứ tự đánh giá").fill("Các sản phẩm đạt đủ chỉ tiêu của hợp đồng.")
    overflow = page.evaluate("document.documentElement.scrollWidth") - 375
    assert overflow <= 0, f"the form is {overflow} px wider than the phone"
    screenshot(page, "acceptance-form-375")
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.wait_for_load_state()
    assert "Đã lưu bản nháp." in page.locator("main").inner_text()

    # A file, checked by its content.
    upload = tmp_path / "bao-cao-tong-hop.pdf"
    upload.write_bytes(PDF)
    page.locator("#upload-label").fill("Báo cáo tổng hợp (bản ký)")
    page.locator("#upload-file").set_input_files(str(upload))
    page.get_by_role("button", name="Đính kèm tệp").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Báo cáo tổng hợp (bản ký)").is_visible()

    page.get_by_role("button", name="Nộp hồ sơ đánh giá nghiệm thu").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Đã nộp hồ sơ đánh giá nghiệm thu cho Sở." in main
    assert "Đạt đủ số lượng đã đăng ký." in main  # the dossier, read-only now
    expect(page.locator("#final_report")).to_have_count(0)
    screenshot(page, "acceptance-submitted-375")
    acceptance = Acceptance.objects.get(contract=contract)
    assert acceptance.state == "submitted" and acceptance.self_evaluation == "pass"
    assert set(acceptance.results) == {str(d.pk) for d in deliverables}
    assert acceptance.attachments.count() == 1
    assert ProjectEntry.objects.filter(proposal=proposal, action="acceptance_submit").exists()

    # The officer reads it and may send it back.
    sign_in(page, base, "officer@example.org", url, staff=True)
    assert "Nhiệm vụ đã chọn tạo 02 giống lúa chịu mặn" in page.locator("main").inner_text()
    expect(page.get_by_role("button", name="Trả lại hồ sơ")).to_be_visible()
    screenshot(page, "acceptance-officer-375")

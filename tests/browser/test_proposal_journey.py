"""From an open call to a submitted dossier with its receipt, then screened by an officer."""

import re

import pytest

from grants.models import CallPage, Proposal
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_researcher_applies_writes_submits_and_an_officer_screens(
    page, demo_site, screenshot, tmp_path
):
    base = demo_site.url
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(
        page, base, "researcher@example.org", "/calls/ag-ts01/apply/",
        arrive=re.compile(r"/proposals/\d+/edit/general/$"),
    )  # fmt: skip
    proposal_id = int(re.search(r"/proposals/(\d+)/", page.url).group(1))

    # Autosave: typed text reaches the server without pressing Save.
    page.get_by_label("Tên nhiệm vụ").fill("Nuôi cá tra tuần hoàn ít thay nước tại Long Xuyên")
    # (A locator, not wait_for_function: a string predicate is eval'd, which the CSP forbids.)
    page.locator(".autosave-status").filter(has_text="Đã lưu lúc").wait_for(timeout=10_000)
    page.reload()
    assert page.get_by_label("Tên nhiệm vụ").input_value().startswith("Nuôi cá tra tuần hoàn")

    page.get_by_label("Lĩnh vực").select_option(index=1)
    page.get_by_label("Tóm tắt").fill("Hoàn thiện quy trình nuôi tuần hoàn giảm 30% nước thải.")
    page.get_by_label("Thời gian thực hiện (tháng)").fill("18")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url(re.compile(r"/edit/rationale/$"))
    page.get_by_label("Tính cấp thiết").fill("Nước thải ao nuôi gây ô nhiễm sông Hậu.")
    page.get_by_label("Mục tiêu").fill("Giảm 30% lượng nước thay mỗi vụ.")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url(re.compile(r"/edit/content/$"))
    page.get_by_label("Nội dung và phương pháp").fill("Nội dung 1: thiết kế hệ thống lọc sinh học.")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url(re.compile(r"/edit/products/$"))
    page.get_by_label("Sản phẩm dự kiến và chỉ tiêu đánh giá").fill(
        "01 quy trình; 01 mô hình 2 ha."
    )
    page.get_by_label("Phương án ứng dụng, chuyển giao").fill(
        "Chuyển giao cho HTX Thủy sản Mỹ Hòa Hưng."
    )
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url(re.compile(r"/edit/team/$"))
    assert "Trần Văn Minh" in page.content()  # the applicant is already the principal investigator
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    page.wait_for_url(re.compile(r"/edit/budget/$"))
    page.locator("#id_budget-0-category").select_option("labour")
    page.locator("#id_budget-0-description").fill("Công lao động khoa học")
    page.locator("#id_budget-0-amount").fill("-1")
    page.get_by_role("button", name="Lưu", exact=True).click()
    # The message by its field, after the screen readers' "Lỗi:" (visually hidden), as elsewhere.
    error = page.locator("#id_budget-0-amount_error")
    assert " ".join(error.text_content().split()) == "Lỗi: Số tiền không được âm."
    assert error.locator(".visually-hidden").text_content() == "Lỗi:"
    assert page.locator("#id_budget-0-description").input_value() == "Công lao động khoa học"
    screenshot(page, "budget-error")
    page.locator("#id_budget-0-amount").fill("650.000.000")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    page.wait_for_url(re.compile(r"/edit/attachments/$"))
    call = CallPage.objects.get(code="AG-TS01", locale__language_code="vi")
    for template in call.templates.filter(required=True):
        path = tmp_path / template.document.filename
        with template.document.file.open("rb") as source:
            path.write_bytes(source.read())
        page.get_by_label("Tài liệu", exact=True).select_option(label=template.title)
        page.locator("#id_file").set_input_files(str(path))
        page.get_by_role("button", name="Tải lên", exact=True).click()
        page.wait_for_load_state()
        assert "Đã tải tệp lên." in page.locator(".messages").inner_text()
    screenshot(page, "attachments")

    page.get_by_role("link", name="Kiểm tra và nộp").click()
    submit = page.get_by_role("button", name="Nộp hồ sơ")
    assert submit.is_enabled()
    screenshot(page, "ready")
    submit.click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal_id}/$"))
    proposal = Proposal.objects.get(pk=proposal_id)
    assert proposal.state == "submitted"
    assert proposal.receipt_number.startswith("AG-TS01-")
    assert proposal.receipt_number in page.locator(".messages").inner_text()
    receipt = page.request.get(f"{base}/proposals/{proposal_id}/receipt.pdf")
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    screenshot(page, "submitted")

    sign_in(page, base, "officer@example.org", f"/proposals/{proposal_id}/", staff=True)
    screenshot(page, "officer-view")
    page.get_by_role("button", name="Xác nhận hợp lệ").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal_id}/$"))
    assert Proposal.objects.get(pk=proposal_id).state == "eligible"
    timeline = page.locator(".timeline").inner_text()
    assert "Hợp lệ" in timeline and "Huỳnh Thanh Tâm" in timeline
    screenshot(page, "eligible")

"""Issue 13's whole arc in one journey on the seeded demo, every step in Chromium by the role the
design gives it: researcher@example.org's funded proposal → the officer prepares and signs the
contract → the investigator writes report 1, the officer accepts it → the investigator writes
and submits the acceptance dossier → the officer forms the acceptance council of seven from the
suggestions → each member declares and grades on a 375 px phone → the verdict → the officer
accepts the results (`completed`) → the investigator files the registration and lists the result
from the invitation → the officer publishes the listing → business@example.org finds it by
words typed without diacritics, expresses interest → the owner talks, the business accepts the
non-disclosure terms, the terms and signed agreement are recorded → the officer confirms the
delivery → the proposal's timeline shows `transferred`, naming the deal.

The live server runs in another thread, on the real clock (`grants.workflow.clock` does not reach
it): the contract is signed on the funding decision's date, and reports fall due every few
months, chosen so that report 1's period has ended today."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from grants.models import Proposal
from projects import reporting, schedule, workflow
from projects.models import Acceptance, AcceptanceSeat, Contract, ProgressReport
from tests.browser.conftest import sign_in
from tests.samples import PDF
from transfer.models import Technology, TransferDeal

pytestmark = pytest.mark.browser

TITLE = "Ứng dụng ảnh vệ tinh dự báo năng suất lúa vụ Đông Xuân"
WAIT = 15_000  # ms
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# The council of seven, from the demo's pool: (reviewer number, seat, grade of every product).
COUNCIL = [
    (1, "chair", "excellent"),
    (2, "vice_chair", "pass"),
    (3, "secretary", "pass"),
    (4, "critic", "excellent"),
    (5, "critic", "pass"),
    (6, "member", "pass"),
    (7, "member", "excellent"),
]
SUMMARY = (
    "Mô hình dự báo năng suất lúa vụ Đông Xuân từ ảnh Sentinel-2, sai số dưới 8% trên 120 ruộng "
    "mẫu, cho kết quả 30 ngày trước thu hoạch."
)
CONFIDENTIAL = "Bộ trọng số mô hình và quy trình hiệu chỉnh theo từng cánh đồng mẫu."


def report_every(signed, ends, today):
    """The longest report period (6 months at most) whose report 1 has ended by `today`."""
    for every in range(6, 0, -1):
        periods = schedule.report_periods(signed, ends, every)
        if periods and periods[0][2] < today:
            return every
    pytest.fail(f"The demo's funding decision ({signed}) is too recent for report 1 to be due.")


def dotted(amount):
    return f"{amount:,}".replace(",", ".")


def open_notice(page, base, to, path):
    """`to` opens, from the last notice e-mailed to them, the link to `path` (the e-mails name
    the configured site, not the live server: the path is opened on the live server)."""
    for message in reversed(mail.outbox):
        if to not in message.to:
            continue
        for url in re.findall(r"https?://\S+", message.body):
            if urlsplit(url).path == path:
                page.goto(base + path)
                return message
    pytest.fail(f"No notice to {to} links {path}: {[(m.to, m.subject) for m in mail.outbox]}")


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_whole_arc(browser, demo_site, screenshot, tmp_path):
    base = demo_site.url
    proposal = Proposal.objects.get(title=TITLE, owner__email="researcher@example.org")
    assert proposal.state == "funded" and not Contract.objects.filter(proposal=proposal).exists()
    pk = proposal.pk
    today = timezone.localdate()
    signed = timezone.localdate(proposal.decided_at)  # the contract follows the decision
    ends = workflow.add_months(signed, proposal.duration_months) - datetime.timedelta(days=1)
    every = report_every(signed, ends, today)
    half = proposal.approved_amount // 2
    rest = proposal.approved_amount - half
    number = "52/2026/HĐ-SKHCN"
    pdf = tmp_path / "ban-ky.pdf"
    pdf.write_bytes(PDF)

    def person(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, locale="vi-VN", **options)
        context.set_default_timeout(WAIT)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm
        return page

    def look(page, name):
        screenshot(page, f"{name}-{page.viewport_size['width']}")

    officer = person()
    researcher = person()
    sign_in(officer, base, "officer@example.org", f"/proposals/{pk}/", staff=True)
    sign_in(researcher, base, "researcher@example.org", f"/proposals/{pk}/")

    # 1. The officer prepares the contract (half on signing, half on acceptance) and signs it.
    officer.get_by_role("link", name="Soạn hợp đồng").click()
    officer.wait_for_url(re.compile(rf"/proposals/{pk}/contract/$"))
    officer.locator("#number").fill(number)
    officer.locator("#signed_on").fill(signed.isoformat())
    officer.locator("#starts_on").fill(signed.isoformat())
    officer.locator("#ends_on").fill(ends.isoformat())
    officer.locator("#report_every_months").fill(str(every))
    officer.locator("#department_signatory").fill("Trần Văn Hùng")
    officer.locator("#host_representative").fill("Võ Văn Thắng")
    officer.locator("#host_representative_title").fill("Hiệu trưởng")
    officer.locator("#tranches-0-due_on").fill(signed.isoformat())
    officer.locator("#tranches-0-amount").fill(dotted(half))
    officer.locator("#tranches-0-condition").select_option("on_signing")
    officer.locator("#tranches-1-due_on").fill(ends.isoformat())
    officer.locator("#tranches-1-amount").fill(dotted(rest))
    officer.locator("#tranches-1-condition").select_option("acceptance_passed")
    expect(officer.locator("#tranche-total")).to_have_text(f"{dotted(proposal.approved_amount)} ₫")
    look(officer, "01-contract-form")
    officer.get_by_role("button", name="Lưu hợp đồng").click()
    expect(officer.locator(".messages")).to_contain_text("Đã lưu hợp đồng")
    officer.get_by_role("button", name="Ghi nhận hợp đồng đã ký").click()
    officer.wait_for_url(re.compile(rf"/proposals/{pk}/$"))
    expect(officer.locator(".messages")).to_contain_text("Hợp đồng đã được ký")
    look(officer, "02-in-progress")
    contract = Contract.objects.get(proposal=proposal)
    assert contract.is_signed and contract.report_every_months == every

    # 2. The investigator writes report 1 from the schedule and submits it.
    researcher.goto(f"{base}/proposals/{pk}/reports/")
    researcher.get_by_role("link", name="Báo cáo 1", exact=True).click()
    researcher.wait_for_url(re.compile(rf"/proposals/{pk}/reports/1/$"))
    for deliverable in contract.deliverables.all():
        researcher.locator(f"#work-{deliverable.pk}").fill(
            "Đã thu thập ảnh Sentinel-2 của 3 vụ và số liệu năng suất 120 ruộng mẫu."
        )
        researcher.locator(f"#reached-{deliverable.pk}").fill("Hoàn thành bộ dữ liệu huấn luyện.")
    categories = list(reporting.approved_budget(contract))
    for category in categories:
        researcher.locator(f"#spending-{category}").fill("0")
    researcher.locator(f"#spending-{categories[0]}").fill("85.000.000")
    researcher.locator("#problems").fill("Mây che nhiều trong tháng 9 làm thiếu ảnh.")
    look(researcher, "03-report-form")
    researcher.get_by_role("button", name="Nộp báo cáo").click()
    expect(researcher.locator("main")).to_contain_text("Đã nộp báo cáo cho Sở.")

    # 3. The officer, told by e-mail, reads report 1 and accepts it.
    open_notice(officer, base, "officer@example.org", f"/proposals/{pk}/reports/1/")
    expect(officer.locator("main")).to_contain_text("85.000.000 ₫")
    officer.get_by_role("button", name="Chấp nhận báo cáo").click()
    expect(officer.locator("main")).to_contain_text("Đã chấp nhận báo cáo.")
    look(officer, "04-report-accepted")
    assert ProgressReport.objects.get(contract=contract, number=1).state == "accepted"

    # 4. The investigator writes the acceptance dossier, attaches the signed report, submits.
    researcher.goto(f"{base}/proposals/{pk}/reports/")
    researcher.get_by_role("link", name="Nghiệm thu", exact=True).click()
    researcher.wait_for_url(re.compile(rf"/proposals/{pk}/acceptance/$"))
    researcher.get_by_label("Báo cáo tổng hợp kết quả thực hiện nhiệm vụ").fill(
        "Nhiệm vụ đã xây dựng mô hình dự báo năng suất lúa vụ Đông Xuân từ ảnh vệ tinh, "
        "sai số dưới 8% trên 120 ruộng mẫu, 30 ngày trước thu hoạch."
    )
    for deliverable in contract.deliverables.all():
        researcher.locator(f"#quantity-{deliverable.pk}").fill("Đạt đủ số lượng đã đăng ký.")
        researcher.locator(f"#quality-{deliverable.pk}").fill("Đạt yêu cầu chất lượng đã đăng ký.")
    researcher.get_by_label("Kết quả tự đánh giá của nhiệm vụ").select_option("pass")
    researcher.get_by_label("Căn cứ tự đánh giá").fill("Các sản phẩm đạt đủ chỉ tiêu hợp đồng.")
    researcher.get_by_role("button", name="Lưu bản nháp").click()
    expect(researcher.locator("main")).to_contain_text("Đã lưu bản nháp.")
    researcher.locator("#upload-label").fill("Báo cáo tổng hợp (bản ký)")
    researcher.locator("#upload-file").set_input_files(str(pdf))
    researcher.get_by_role("button", name="Đính kèm tệp").click()
    expect(researcher.get_by_role("link", name="Báo cáo tổng hợp (bản ký)")).to_be_visible()
    look(researcher, "05-acceptance-dossier")
    researcher.get_by_role("button", name="Nộp hồ sơ đánh giá nghiệm thu").click()
    expect(researcher.locator("main")).to_contain_text("Đã nộp hồ sơ đánh giá nghiệm thu cho Sở.")
    acceptance = Acceptance.objects.get(contract=contract)
    assert acceptance.state == "submitted"

    # 5. The officer, told by e-mail, forms the council: seven seats, each member invited from
    # the suggestions.
    open_notice(officer, base, "officer@example.org", f"/proposals/{pk}/acceptance/")
    officer.get_by_role("link", name="Thành lập và điều hành hội đồng").click()
    officer.wait_for_url(re.compile(rf"/proposals/{pk}/acceptance/council/$"))
    officer.locator("#id_council_size").fill(str(len(COUNCIL)))
    officer.get_by_role("button", name="Lưu số thành viên").click()
    expect(officer.locator(".messages")).to_be_visible()
    users = get_user_model().objects
    members = {n: users.get(email=f"reviewer{n}@example.org") for n, _seat, _grade in COUNCIL}
    for n, seat, _grade in COUNCIL:
        form = officer.locator(f"form.seat-form:has(input[name=member][value='{members[n].pk}'])")
        form.locator("select[name=seat]").select_option(seat)
        form.get_by_role("button", name="Mời").click()
        officer.wait_for_url(re.compile(rf"/proposals/{pk}/acceptance/council/$"))
        expect(officer.locator(".messages")).to_be_visible()
    look(officer, "06-council-invited")
    assert AcceptanceSeat.objects.filter(acceptance=acceptance, status="invited").count() == 7

    grade_path = f"/proposals/{pk}/acceptance/council/grade/"
    # 6. Each member, on a phone, finds the seat on /reviews/ and declares no conflict.
    phones = {}
    for n, _seat, _grade in COUNCIL:
        phone = person(PHONE, is_mobile=True, has_touch=True)
        phones[n] = phone
        sign_in(phone, base, f"reviewer{n}@example.org", "/reviews/")
        if n == 1:  # from the invitation e-mailed to them
            open_notice(phone, base, "reviewer1@example.org", grade_path)
        else:  # from their list of council assignments
            phone.locator("#other-councils a", has_text=TITLE).click()
            phone.wait_for_url(re.compile(re.escape(grade_path) + "$"))
        if n == 1:
            look(phone, "07-declare")
        phone.get_by_role("button", name="Tôi không có xung đột lợi ích: mở hồ sơ").click()
        phone.wait_for_url(re.compile(re.escape(grade_path) + "$"))

    # 7. The officer starts the grading.
    officer.reload()
    officer.get_by_role("button", name="Bắt đầu đánh giá").click()
    expect(officer.locator(".messages")).to_be_visible()
    assert Acceptance.objects.get(pk=acceptance.pk).state == "grading"

    # 8. Each member grades every product and the final report on the phone, with a review.
    for n, _seat, grade in COUNCIL:
        phone = phones[n]
        phone.reload()
        assert no_sideways_scroll(phone)
        for deliverable in contract.deliverables.all():
            phone.check(f"#grade-{deliverable.pk}-quantity-{grade}")
            phone.check(f"#grade-{deliverable.pk}-quality-{grade}")
        phone.check(f"#report_grade-{grade}")
        phone.get_by_label("Nhận xét của bạn").fill(
            "Mô hình dự báo đạt độ chính xác cam kết; cần mở rộng sang vụ Hè Thu."
        )
        if n == 1:
            look(phone, "08-grade")
        # The last grades close the council, whose minutes are rendered and signed then (by the
        # task worker; at once in the tests): that answer takes longer.
        last = n == COUNCIL[-1][0]
        wait = {"timeout": 120_000} if last else {}
        phone.get_by_role("button", name="Gửi phiếu đánh giá").click(**wait)
        phone.get_by_text("Phiếu đánh giá của bạn đã được gửi").first.wait_for(**wait)
        assert no_sideways_scroll(phone)
        if n == 1:
            look(phone, "09-graded")
        phone.context.close()

    # 9. The last grades closed the council: pass (3 of 7 excellent). The officer accepts.
    acceptance.refresh_from_db()
    assert acceptance.state == "decided" and acceptance.verdict == "pass"
    officer.goto(f"{base}/proposals/{pk}/acceptance/council/")
    expect(officer.locator("#acceptance-verdict")).to_contain_text("Kết luận: Đạt")
    minutes = officer.locator("#acceptance-verdict a[href$='/acceptance/minutes.pdf']")
    response = officer.request.get(base + minutes.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    open_notice(officer, base, "officer@example.org", f"/proposals/{pk}/acceptance/")
    expect(officer.locator("#verdict")).to_contain_text("Đạt")
    officer.get_by_role("button", name="Nghiệm thu kết quả").click()
    expect(officer.locator("main")).to_contain_text(
        "Đã ghi nhận nghiệm thu: nhiệm vụ đã hoàn thành."
    )
    look(officer, "10-accepted")
    assert Proposal.objects.get(pk=pk).state == "completed"

    # 10. The investigator files the registration and lists the result from the invitation.
    open_notice(researcher, base, "researcher@example.org", f"/proposals/{pk}/acceptance/")
    expect(researcher.locator("#verdict")).to_contain_text("Đạt")  # the verdict's notice
    researcher.goto(f"{base}/proposals/{pk}/registration/")
    researcher.get_by_label("Tóm tắt kết quả").fill(SUMMARY)
    researcher.get_by_role("button", name="Nộp hồ sơ đăng ký").click()
    expect(researcher.locator("#registration-status")).to_contain_text("Đã nộp, chờ Sở ghi nhận")
    expect(researcher.locator("#filed-summary")).to_contain_text("ảnh Sentinel-2")
    look(researcher, "11-registration-filed")
    open_notice(officer, base, "officer@example.org", f"/proposals/{pk}/registration/")
    officer.locator("#id_number").fill("27/2026/KQNV-AG")
    officer.locator("#id_registered_on").fill(today.isoformat())
    officer.get_by_role("button", name="Ghi nhận đăng ký").click()
    expect(officer.locator("#certificate")).to_contain_text("27/2026/KQNV-AG")
    researcher.reload()
    researcher.locator("#listing-invitation").get_by_role("link").click()
    researcher.wait_for_url(re.compile(rf"/technologies/new/\?from={pk}$"))
    assert researcher.get_by_label("Tiêu đề").input_value() == TITLE
    researcher.get_by_label("Mức độ sẵn sàng công nghệ (TRL)").fill("7")
    researcher.get_by_label("Li-xăng không độc quyền").check()
    researcher.get_by_label("Giá tham khảo (đồng)").fill("400.000.000")
    researcher.locator("#id_confidential").fill(CONFIDENTIAL)
    researcher.locator("#id_nda_terms").fill("Không tiết lộ cho bên thứ ba trong 5 năm.")
    look(researcher, "12-listing-form")
    researcher.get_by_role("button", name="Gửi Sở duyệt").click()
    researcher.wait_for_url(re.compile(r"/technologies/\d+/$"))
    technology = Technology.objects.get(title=TITLE)
    assert technology.state == "pending" and technology.source_proposal_id == pk

    # 11. The officer publishes the listing after the checklist.
    open_notice(officer, base, "officer@example.org", "/technologies/moderation/")
    listing = officer.locator("section.panel", has_text=TITLE)
    for box in listing.get_by_role("checkbox").all():
        box.check()
    listing.get_by_role("button", name="Công bố").click()
    officer.wait_for_load_state()
    assert Technology.objects.get(pk=technology.pk).state == "published"

    # 12. The business searches the catalogue without diacritics and finds it.
    business = person()
    sign_in(business, base, "business@example.org", "/dashboard/")
    business.goto(f"{base}/technologies/")
    business.get_by_label("Tìm kiếm", exact=True).fill("anh ve tinh nang suat lua dong xuan")
    business.get_by_role("button", name="Tìm kiếm", exact=True).last.click()
    business.wait_for_url(re.compile(r"/technologies/\?q=anh"))
    look(business, "13-search")
    business.get_by_role("link", name=TITLE).click()
    business.wait_for_url(re.compile(rf"/technologies/{technology.pk}/$"))
    business.get_by_label("Doanh nghiệp cần công nghệ để làm gì?").fill(
        "Công ty cần dự báo sản lượng để lên kế hoạch thu mua lúa vụ Đông Xuân."
    )
    business.get_by_role("button", name="Quan tâm, đề nghị chuyển giao").click()
    business.wait_for_url(re.compile(r"/deals/\d+/$"))
    deal = TransferDeal.objects.get(technology=technology, business__email="business@example.org")
    assert deal.state == "requested"

    # 13. The owner accepts to talk; the business accepts the non-disclosure terms.
    open_notice(researcher, base, "researcher@example.org", f"/deals/{deal.pk}/")
    researcher.get_by_role("button", name="Đồng ý trao đổi").click()
    expect(researcher.locator("main")).to_contain_text("Đang đàm phán")
    open_notice(business, base, "business@example.org", f"/deals/{deal.pk}/")
    business.get_by_role("button", name="Tôi chấp nhận điều khoản bảo mật").click()
    expect(business.locator("main")).to_contain_text(CONFIDENTIAL)
    look(business, "14-negotiating")

    # 14. The terms and the signed agreement are recorded.
    business.get_by_label("Hình thức chuyển giao").select_option("licence")
    business.get_by_label("Giá trị (đồng)").fill("350.000.000")
    business.get_by_label("Phương thức thanh toán").select_option("lump_sum")
    business.get_by_label("Thời hạn (tháng)").fill("24")
    business.get_by_label("Ngày ký").fill(today.isoformat())
    business.locator("#id_agreement").set_input_files(str(pdf))
    business.get_by_role("button", name="Ghi nhận điều khoản").click()
    expect(business.locator("main")).to_contain_text("Đăng ký chuyển giao trước")
    look(business, "15-agreed")
    assert TransferDeal.objects.get(pk=deal.pk).state == "agreed"

    # 15. The officer confirms the delivery: the proposal is transferred.
    open_notice(officer, base, "officer@example.org", f"/deals/{deal.pk}/")
    officer.get_by_role("button", name="Xác nhận đã chuyển giao").click()
    officer.wait_for_load_state()
    assert TransferDeal.objects.get(pk=deal.pk).state == "completed"
    assert Proposal.objects.get(pk=pk).state == "transferred"

    # 16. The proposal's timeline shows the whole path, ending `transferred` with the deal named.
    officer.goto(f"{base}/proposals/{pk}/")
    timeline = officer.locator(".timeline").inner_text()
    assert "Đã chuyển giao" in timeline
    assert f"#{deal.pk}" in timeline and TITLE in timeline
    look(officer, "16-transferred")
    researcher.goto(f"{base}/proposals/{pk}/")
    expect(researcher.locator(".timeline")).to_contain_text("Đã chuyển giao")
    look(researcher, "17-transferred-researcher")
    for page in (officer, researcher, business):
        page.context.close()

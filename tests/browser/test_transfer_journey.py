"""Done-when of the marketplace: a business finds, asks for and completes a transfer of a seeded
technology in the browser, and the proposal it came from ends `transferred`."""

import re

import pytest
from django.utils import timezone

from grants.models import Proposal
from tests.browser.conftest import sign_in
from tests.samples import PDF
from transfer.models import Technology, TransferDeal

pytestmark = pytest.mark.browser


def test_a_business_finds_asks_and_the_transfer_completes(page, demo_site, screenshot, tmp_path):
    base = demo_site.url
    page.goto(base + "/")
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Công nghệ").click()
    page.get_by_label("Tìm kiếm", exact=True).fill("chuoi gia nam my")  # no diacritics
    page.get_by_role("button", name="Tìm kiếm", exact=True).last.click()
    page.wait_for_url(re.compile(r"/technologies/\?q=chuoi"))
    screenshot(page, "search")
    page.get_by_role("link", name="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô").click()
    technology = Technology.objects.get(
        title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô"
    )
    proposal = technology.source_proposal
    assert proposal.state == "completed"
    page.get_by_role(
        "link", name="Đăng nhập bằng tài khoản doanh nghiệp để đề nghị chuyển giao"
    ).click()
    page.get_by_label("Thư điện tử").fill("business@example.org")
    page.get_by_label("Mật khẩu").fill("AnGiang@2025")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/technologies/{technology.pk}/$"))
    page.get_by_label("Doanh nghiệp cần công nghệ để làm gì?").fill(
        "Công ty cần 20.000 cây giống chuối mỗi năm cho vùng nguyên liệu Tri Tôn."
    )
    page.get_by_role("button", name="Quan tâm, đề nghị chuyển giao").click()
    page.wait_for_url(re.compile(r"/deals/\d+/$"))
    deal = TransferDeal.objects.get(technology=technology, business__email="business@example.org")
    screenshot(page, "requested")

    sign_in(page, base, technology.owner.email, f"/deals/{deal.pk}/")
    page.get_by_role("button", name="Đồng ý trao đổi").click()
    page.wait_for_load_state()
    page.get_by_label("Hình thức chuyển giao").select_option("licence")
    page.get_by_label("Giá trị (đồng)").fill("300.000.000")
    page.get_by_label("Phương thức thanh toán").select_option("instalments")
    page.get_by_label("Thời hạn (tháng)").fill("36")
    # Signed today: a signing date may not be before the business asked (just now).
    page.get_by_label("Ngày ký").fill(timezone.localdate().isoformat())
    agreement = tmp_path / "hop-dong-chuyen-giao.pdf"
    agreement.write_bytes(PDF)
    page.locator("#id_agreement").set_input_files(str(agreement))
    page.get_by_role("button", name="Ghi nhận điều khoản").click()
    page.wait_for_load_state()
    assert "Đăng ký chuyển giao trước" in page.content()
    screenshot(page, "agreed")

    sign_in(page, base, "officer@example.org", f"/deals/{deal.pk}/", staff=True)
    page.get_by_role("button", name="Xác nhận đã chuyển giao").click()
    page.wait_for_load_state()
    assert TransferDeal.objects.get(pk=deal.pk).state == "completed"
    page.goto(f"{base}/proposals/{proposal.pk}/")
    assert Proposal.objects.get(pk=proposal.pk).state == "transferred"
    timeline = page.locator(".timeline").inner_text()
    # the completed transfer names the officer who confirmed it (not "the system")
    assert "Đã chuyển giao" in timeline and "Huỳnh Thanh Tâm" in timeline
    screenshot(page, "transferred")

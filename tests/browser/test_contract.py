"""The officer prepares the contract of the demo's funded proposal in the browser, signs it and
downloads its PDF."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from grants.models import Proposal
from projects.workflow import add_months
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_officer_prepares_signs_and_downloads_the_contract(page, demo_site, screenshot):
    base = demo_site.url
    proposal = Proposal.objects.filter(state="funded").order_by("pk").first()
    signed = timezone.localdate(proposal.decided_at) + datetime.timedelta(days=14)
    ends = add_months(signed, proposal.duration_months) - datetime.timedelta(days=1)
    half = proposal.approved_amount // 2
    dotted = f"{half:,}".replace(",", ".")

    sign_in(page, base, "officer@example.org", f"/proposals/{proposal.pk}/", staff=True)
    assert page.locator("form[action$='/transitions/sign_contract/']").count() == 0
    page.get_by_role("link", name="Soạn hợp đồng").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/contract/$"))
    page.locator("#number").fill("31/2026/HĐ-SKHCN")
    page.locator("#signed_on").fill(signed.isoformat())
    page.locator("#starts_on").fill(signed.isoformat())
    page.locator("#ends_on").fill(ends.isoformat())
    page.locator("#department_signatory").fill("Trần Văn Hùng")
    page.locator("#host_representative").fill("Võ Văn Thắng")
    page.locator("#host_representative_title").fill("Hiệu trưởng")

    # The first tranche on signing; the second after report 1, one đồng too many at first.
    rest = proposal.approved_amount - half
    page.locator("#tranches-0-due_on").fill(signed.isoformat())
    page.locator("#tranches-0-amount").fill(dotted)
    page.locator("#tranches-1-due_on").fill(add_months(signed, 7).isoformat())
    page.locator("#tranches-1-amount").fill(f"{rest + 1:,}".replace(",", "."))
    # The running total follows the typing (static/js/contract.js), beside the approved amount.
    too_much = f"{proposal.approved_amount + 1:,} ₫".replace(",", ".")
    page.locator("#tranche-total").filter(has_text=too_much).wait_for()
    assert page.locator("#tranche-difference").inner_text() == "-1 ₫"
    page.locator("#tranches-1-condition").select_option("report_accepted")
    page.locator("#tranches-1-report_number").fill("1")
    # Without JavaScript: one more row, and what was typed is kept.
    page.get_by_role("button", name="Thêm một dòng đợt cấp kinh phí").click()
    assert page.locator("#tranches-2-amount").count() == 1
    assert page.locator("#tranches-0-amount").input_value() == dotted
    page.get_by_role("button", name="Lưu hợp đồng").click()
    assert "kinh phí được phê duyệt" in page.locator(".error-summary").inner_text()
    assert page.locator("#number").input_value() == "31/2026/HĐ-SKHCN"
    screenshot(page, "total-error")
    page.locator("#tranches-1-amount").fill(f"{rest:,}".replace(",", "."))
    page.get_by_role("button", name="Lưu hợp đồng").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/contract/$"))
    assert "Đã lưu hợp đồng" in page.locator(".messages").inner_text()
    screenshot(page, "saved-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "saved-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Ghi nhận hợp đồng đã ký").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    assert "Hợp đồng đã được ký" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="Hợp đồng và tiến độ cấp kinh phí").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/contract/$"))
    assert page.locator("form[action$='/contract/']").count() == 0  # read-only now
    screenshot(page, "signed-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "signed-375")

    response = page.request.get(f"{base}/proposals/{proposal.pk}/contract.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    content = response.body()
    assert content.startswith(b"%PDF")
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "31/2026/HĐ-SKHCN" in text and signed.strftime("%d/%m/%Y") in text
    assert Proposal.objects.get(pk=proposal.pk).state == "in_progress"

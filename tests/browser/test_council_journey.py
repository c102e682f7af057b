"""The council loop in the browser: declare → score → aggregate → rank → appraise → fund."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from pypdf import PdfReader

from grants import council, workflow
from grants.models import Proposal
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

OTHERS = {
    "overview": 6,
    "content": 16,
    "novelty": 9,
    "impact": 9,
    "products": 12,
    "finance": 12,
    "capacity": 12,
}  # fmt: skip  (76 points)
MINE = {
    "overview": 7,
    "content": 17,
    "novelty": 10,
    "impact": 10,
    "products": 13,
    "finance": 13,
    "capacity": 13,
}  # fmt: skip  (83 points)


def test_a_member_scores_the_officer_appraises_the_manager_funds(page, demo_site, screenshot):
    base = demo_site.url
    page.on("dialog", lambda dialog: dialog.accept())
    users = get_user_model().objects
    officer = users.get(email="officer@example.org")
    proposal = Proposal.objects.get(state="eligible", call__code="AG-TS01")  # the demo's
    reviewers = [users.get(email=f"reviewer{n}@example.org") for n in range(1, 8)]
    assert not any(council.conflict_reason(proposal, r) for r in reviewers)  # all seven sit
    seats = ["member", "chair", "vice_chair", "secretary", "critic", "critic", "member"]
    for reviewer, seat in zip(reviewers, seats, strict=True):
        council.seat(proposal, reviewer, seat, by=officer)
    for reviewer in reviewers[1:]:
        council.declare(proposal.assignments.get(reviewer=reviewer), by=reviewer, no_conflict=True)
    proposal = workflow.start_review(proposal, by=officer)
    for reviewer in reviewers[1:-1]:  # reviewer7 votes last, after reviewer1
        council.save_ballot(
            proposal.assignments.get(reviewer=reviewer), by=reviewer, scores=OTHERS,
            comments={}, comment="", submit=True,
        )  # fmt: skip

    # reviewer1 declares in the browser, reads the dossier and scores on a phone-sized screen.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "reviewer1@example.org", "/reviews/")
    page.get_by_role("link", name=proposal.title).click()
    assert "Xung đột lợi ích" in page.locator("h1").inner_text()
    assert proposal.rationale not in page.content()
    screenshot(page, "declare")
    page.get_by_role("button", name="Tôi không có xung đột lợi ích: mở hồ sơ").click()
    page.wait_for_load_state()
    for key, points in MINE.items():
        page.locator(f"#score-{key}").fill(str(points))
    assert page.locator("[data-total]").inner_text() == "83"
    page.locator("#id_comment").fill("Dự án khả thi, cần bổ sung phương án tiêu thụ.")
    screenshot(page, "ballot")
    page.get_by_role("button", name="Nộp phiếu", exact=True).click()
    page.wait_for_load_state()
    assert "Đã nộp phiếu lúc" in page.locator("main").inner_text()
    # Still open (reviewer7 has not voted): a member who submitted sees only their own ballot.
    assert page.locator("#other-ballots").count() == 0
    assert "83 điểm" in page.locator("main").inner_text()
    council.save_ballot(  # the last ballot closes the review
        proposal.assignments.get(reviewer=reviewers[-1]), by=reviewers[-1], scores=OTHERS,
        comments={}, comment="", submit=True,
    )  # fmt: skip
    page.reload()
    assert page.locator("#other-ballots").is_visible()  # the others' ballots, only now

    # The council is complete: mean (6 × 76 + 83) / 7 = 77, every ballot within 20%: 77,00.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "officer@example.org", f"/proposals/{proposal.pk}/", staff=True)
    council_panel = page.locator("#council").locator("..").inner_text()
    assert "77,00" in council_panel and "hạng 1" in council_panel
    assert page.locator(".state").first.inner_text() == "Đã đánh giá"
    page.get_by_role("link", name="Ghi nhận thẩm định kinh phí").click()
    for unit, name in [("professional", "Huỳnh Thanh Tâm"), ("finance", "Trần Thị Mỹ Duyên"),
                       ("fund", "Lê Văn Hiếu"), ("council", "Trương Thị Mỹ Linh"),
                       ("secretary", "Phạm Thu Trang")]:  # fmt: skip
        page.locator(f"#member-{unit}").fill(name)
    page.locator("#quote-0-item").fill("Bể lọc sinh học")
    page.locator("#quote-0-supplier").fill("Công ty TNHH Thủy sản Mekong")
    page.locator("#quote-0-date").fill(timezone.localdate().isoformat())
    page.locator("#quote-0-amount").fill("120.000.000")
    screenshot(page, "appraisal")
    page.get_by_role("button", name="Ghi nhận kết quả thẩm định").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    appraised = Proposal.objects.get(pk=proposal.pk).appraised_amount
    assert appraised == proposal.requested_amount

    sign_in(page, base, "manager@example.org", f"/proposals/{proposal.pk}/", staff=True)
    amount = page.locator("#id_fund-approved_amount")
    assert amount.input_value() == f"{appraised:,}".replace(",", ".")
    screenshot(page, "fund")
    page.get_by_role("button", name="Phê duyệt kinh phí").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    funded = Proposal.objects.get(pk=proposal.pk)
    assert funded.state == "funded" and funded.approved_amount == appraised
    decision = re.compile(r"Quyết định .*QĐ-SKHCN")
    link = page.locator(".document-links").first.get_by_role("link", name=decision)
    # The whole-path timeline names the same signed decision at its step.
    in_path = page.get_by_role("complementary").get_by_role("link", name=decision)
    assert in_path.get_attribute("href") == link.get_attribute("href")
    pdf = page.request.get(base + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert f"{appraised:,} ₫".replace(",", ".") in text
    assert timezone.localdate().strftime("%d/%m/%Y") in text
    screenshot(page, "funded")

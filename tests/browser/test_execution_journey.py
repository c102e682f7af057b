"""Issue 12's "Done when", end to end in Chromium, as the users would: the officer prepares and
signs the contract of researcher@example.org's funded proposal, verifies its signed PDF on
/verify/ and releases tranche 1; the investigator writes and submits report 1; the officer
accepts it and releases tranche 2; the investigator asks for an extension, which the manager
(who did not prepare the contract) approves."""

import datetime
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grants.models import Proposal
from projects import reporting
from projects.models import ChangeRequest, Contract
from projects.workflow import add_months
from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

WAIT = 10_000  # ms: no wait of the journey lasts longer


USED_CODES = {}


def staff_sign_in(page, base, email, next_url):
    """Sign a staff member in through the form and the TOTP step. The journey is quick: when the
    officer comes back within the same 30 s, the code already used is refused (allauth), so the
    next one is typed, as the authenticator shows it moments later (MFA_TOTP_TOLERANCE = 1)."""
    from django.conf import settings

    from core.totp import current_code

    now = time.time()
    used = USED_CODES.setdefault(email, set())
    code = next(
        c
        for c in (current_code(settings.PORTAL_DEMO_TOTP_SECRET, at=now + d) for d in (0, 30))
        if c not in used
    )
    used.add(code)
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill("AnGiang@2025")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label(re.compile("Mã|Code")).fill(code)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def dotted(amount):
    return f"{amount:,} ₫".replace(",", ".")


def test_a_funded_task_runs_from_contract_to_extension(page, demo_site, tmp_path):
    base = demo_site.url
    page.context.set_default_timeout(WAIT)
    ARTIFACTS.mkdir(exist_ok=True)

    def shot(name):
        page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)

    proposal = (
        Proposal.objects.filter(state="funded", owner__email="researcher@example.org")
        .order_by("pk")
        .first()
    )
    assert proposal is not None and not Contract.objects.filter(proposal=proposal).exists()
    pk = proposal.pk
    today = timezone.localdate()
    # Signed 200 days ago (the demo decided it months before), so that report 1's six-month
    # period has ended by today: a report is submitted only after its period.
    signed = today - datetime.timedelta(days=200)
    assert timezone.localdate(proposal.decided_at) <= signed
    ends = add_months(signed, proposal.duration_months) - datetime.timedelta(days=1)
    half = proposal.approved_amount // 2
    rest = proposal.approved_amount - half
    number = "45/2026/HĐ-SKHCN"

    # 1. The officer prepares the contract: half on signing, half once report 1 is accepted.
    staff_sign_in(page, base, "officer@example.org", f"/proposals/{pk}/")
    shot("01-proposal-funded")
    page.get_by_role("link", name="Soạn hợp đồng").click()
    page.wait_for_url(re.compile(rf"/proposals/{pk}/contract/$"))
    page.locator("#number").fill(number)
    page.locator("#signed_on").fill(signed.isoformat())
    page.locator("#starts_on").fill(signed.isoformat())
    page.locator("#ends_on").fill(ends.isoformat())
    page.locator("#department_signatory").fill("Trần Văn Hùng")
    page.locator("#host_representative").fill("Võ Văn Thắng")
    page.locator("#host_representative_title").fill("Hiệu trưởng")
    page.locator("#tranches-0-due_on").fill(signed.isoformat())
    page.locator("#tranches-0-amount").fill(f"{half:,}".replace(",", "."))
    page.locator("#tranches-0-condition").select_option("on_signing")
    page.locator("#tranches-1-due_on").fill(add_months(signed, 7).isoformat())
    page.locator("#tranches-1-amount").fill(f"{rest:,}".replace(",", "."))
    page.locator("#tranches-1-condition").select_option("report_accepted")
    page.locator("#tranches-1-report_number").fill("1")
    expect(page.locator("#tranche-total")).to_have_text(dotted(proposal.approved_amount))
    shot("02-contract-form")
    page.get_by_role("button", name="Lưu hợp đồng").click()
    page.wait_for_url(re.compile(rf"/proposals/{pk}/contract/$"))
    expect(page.locator(".messages")).to_contain_text("Đã lưu hợp đồng")
    shot("03-contract-saved")

    page.get_by_role("button", name="Ghi nhận hợp đồng đã ký").click()
    page.wait_for_url(re.compile(rf"/proposals/{pk}/$"))
    expect(page.locator(".messages")).to_contain_text("Hợp đồng đã được ký")
    expect(page.locator("main")).to_contain_text("Đang thực hiện")
    shot("04-proposal-in-progress")

    # 2. The signed PDF, downloaded from the contract page, verifies on /verify/.
    page.get_by_role("link", name="Hợp đồng và tiến độ cấp kinh phí").click()
    page.wait_for_url(re.compile(rf"/proposals/{pk}/contract/$"))
    expect(page.locator("h1")).to_contain_text(number)
    shot("05-contract-signed")
    # The PDF opens inline (Chromium's viewer); saving it is fetching the link's target.
    href = page.locator("main a[href$='/contract.pdf']:not([hreflang])").get_attribute("href")
    response = page.request.get(f"{base}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    assert (
        "filename*=utf-8''hop-dong-45-2026-H%C4%90-SKHCN.pdf"
        in (response.headers["content-disposition"])
    )
    pdf = tmp_path / "hop-dong.pdf"
    pdf.write_bytes(response.body())
    assert pdf.read_bytes().startswith(b"%PDF")

    page.goto(f"{base}/verify/")
    page.locator("main form input[type=file]").set_input_files(str(pdf))
    page.locator("main form button[type=submit]").click()
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "valid")
    text = verdict.inner_text()
    assert "Chữ ký còn nguyên vẹn và là của Sở" in text, text
    assert number in text
    shot("06-verify")

    # 3. Tranche 1 (on signing) is released with its payment order.
    ledger = f"/proposals/{pk}/tranches/"
    page.goto(f"{base}{ledger}")
    expect(page.locator("#ledger-approved")).to_have_text(dotted(proposal.approved_amount))
    expect(page.locator("#ledger-released")).to_have_text("0 ₫")
    # Tranche 2 waits for report 1: it offers no release form yet.
    assert page.locator("form[action$='/tranches/2/release/']").count() == 0
    release = page.locator("form[action$='/tranches/1/release/']")
    release.locator("input[name$='payment_order_number']").fill("LC-2026/101")
    release.locator("input[name$='payment_order_date']").fill(today.isoformat())
    shot("07-tranches-before")
    release.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(ledger) + "$"))
    expect(page.locator("#ledger-released")).to_have_text(dotted(half))
    expect(page.locator("#ledger-remaining")).to_have_text(dotted(rest))
    expect(page.locator("#tranche-1")).to_contain_text("LC-2026/101")
    shot("08-tranche-1-released")

    # 4. The investigator writes report 1 and submits it.
    contract = Contract.objects.get(proposal=proposal)
    report_url = f"/proposals/{pk}/reports/1/"
    sign_in(page, base, "researcher@example.org", report_url)
    for deliverable in contract.deliverables.all():
        page.locator(f"#work-{deliverable.pk}").fill("Đã khảo sát 40 hộ nuôi tôm tại Châu Đốc.")
        page.locator(f"#reached-{deliverable.pk}").fill("Hoàn thành phần khảo sát.")
    categories = list(reporting.approved_budget(contract))
    for category in categories:
        page.locator(f"#spending-{category}").fill("0")
    page.locator(f"#spending-{categories[0]}").fill("12.500.000")
    page.locator("#problems").fill("Không có khó khăn đáng kể.")
    shot("09-report-form")
    page.get_by_role("button", name="Nộp báo cáo").click()
    expect(page.locator("main")).to_contain_text("Đã nộp báo cáo cho Sở.")
    shot("10-report-submitted")

    # 5. The officer accepts report 1, then releases tranche 2: all of the money is paid.
    staff_sign_in(page, base, "officer@example.org", report_url)
    expect(page.locator("main")).to_contain_text("12.500.000 ₫")
    page.get_by_role("button", name="Chấp nhận báo cáo").click()
    expect(page.locator("main")).to_contain_text("Đã chấp nhận báo cáo.")
    shot("11-report-accepted")
    page.goto(f"{base}{ledger}")
    release = page.locator("form[action$='/tranches/2/release/']")
    release.locator("input[name$='payment_order_number']").fill("LC-2026/102")
    release.locator("input[name$='payment_order_date']").fill(today.isoformat())
    release.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(ledger) + "$"))
    expect(page.locator("#ledger-released")).to_have_text(dotted(proposal.approved_amount))
    expect(page.locator("#ledger-remaining")).to_have_text("0 ₫")
    expect(page.locator("#tranche-2")).to_contain_text("LC-2026/102")
    assert page.locator("form[action*='/release/']").count() == 0
    shot("12-tranches-all-released")

    # 6. The investigator asks for a three-month extension; the manager approves it.
    new_end = add_months(ends, 3)
    changes = f"/proposals/{pk}/changes/"
    sign_in(page, base, "researcher@example.org", changes)
    page.locator("#kind-extension").check()
    page.locator("#id_reason").fill("Mùa mưa đến sớm làm chậm đợt lấy mẫu thứ hai.")
    page.locator("#id_new_ends_on").fill(new_end.isoformat())
    shot("13-change-form")
    page.get_by_role("button", name=re.compile("Gửi")).click()
    page.wait_for_url(re.compile(re.escape(changes) + "$"))
    change = ChangeRequest.objects.get(contract=contract, kind="extension")
    card = page.locator(f"article:has(#change-{change.pk})")
    expect(card).to_contain_text(new_end.strftime("%d/%m/%Y"))
    shot("14-change-requested")

    staff_sign_in(page, base, "manager@example.org", changes)
    page.locator(f"#decide-{change.pk} button[value=approve]").click()
    page.wait_for_url(re.compile(re.escape(changes) + "$"))
    expect(page.locator(".messages")).to_be_visible()
    shot("15-change-approved")
    page.goto(f"{base}/proposals/{pk}/contract/")
    expect(page.locator("main")).to_contain_text(
        f"{signed.strftime('%d/%m/%Y')} – {new_end.strftime('%d/%m/%Y')}"
    )
    shot("16-contract-extended")
    assert ChangeRequest.objects.get(pk=change.pk).state == "approved"

"""Done-when of personal data (Law 91/2025/QH15): at /accounts/privacy/ a researcher withdraws a
consent, downloads their data and reads it back, asks for deletion; an officer answers from the
dashboard; the person is anonymised while their funded proposal's record stays."""

import json
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model

from grants.models import Proposal
from researchers import privacy
from researchers.models import Consent, DataRequest
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_withdraw_export_ask_for_deletion_and_an_officer_erases(
    page, demo_site, screenshot, tmp_path
):
    base = demo_site.url
    person = get_user_model().objects.get(email="researcher@example.org")
    funded = Proposal.objects.get(owner=person, state="funded")
    decision = funded.decision_number
    sign_in(page, base, "researcher@example.org", "/accounts/privacy/")
    screenshot(page, "privacy-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "privacy-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Withdraw the newsletter in the page.
    page.locator("#consent-newsletter").get_by_role("button", name="Rút lại sự đồng ý này").click()
    page.wait_for_url(re.compile(r"/accounts/privacy/$"))
    assert "Bạn đã rút lại sự đồng ý." in page.content()
    assert not privacy.has_consent(person, Consent.Purpose.NEWSLETTER)
    assert "chưa đồng ý" in page.locator("#consent-newsletter").inner_text()

    # Download everything and read it back.
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về dữ liệu của tôi").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read(privacy.DATA_FILE))
        assert set(data["files"] and [f["path"] for f in data["files"]]) <= set(archive.namelist())
    assert data["user"]["email"] == "researcher@example.org"
    assert funded.pk in {p["id"] for p in data["proposals"]}
    newsletter = [c for c in data["consents"] if c["purpose"] == "newsletter"]
    assert newsletter and newsletter[-1]["withdrawn_at"]

    # Ask for deletion.
    page.get_by_role("radio", name="Xóa dữ liệu").check()
    page.get_by_role("button", name="Gửi yêu cầu").click()
    page.wait_for_url(re.compile(r"/accounts/privacy/$"))
    assert "Sở đã nhận yêu cầu của bạn" in page.content()
    request = DataRequest.objects.get(user=person, kind="deletion")
    screenshot(page, "requested")

    # An officer finds it from the dashboard and answers.
    sign_in(page, base, "officer@example.org", "/dashboard/", staff=True)
    page.locator("#privacy-requests-count").click()
    page.wait_for_url(re.compile(r"/accounts/privacy/requests/$"))
    page.get_by_role("link", name=re.compile(rf"#{request.pk}$")).click()
    page.get_by_role("radio", name="Đã thực hiện yêu cầu").check()
    page.get_by_label("Nội dung gửi người yêu cầu").fill("Sở đã xóa dữ liệu cá nhân của ông.")
    screenshot(page, "answer")
    page.get_by_role("button", name="Ghi nhận câu trả lời").click()
    page.wait_for_url(re.compile(r"/accounts/privacy/requests/$"))
    assert "Câu trả lời đã được ghi nhận và gửi đi." in page.content()

    person.refresh_from_db()
    placeholder = f"Người dùng đã xóa #{person.pk}"
    assert person.email == f"deleted-{person.pk}@invalid" and not person.is_active
    assert person.profile.full_name == placeholder
    funded.refresh_from_db()
    assert funded.state == "funded" and funded.decision_number == decision
    page.goto(f"{base}/proposals/{funded.pk}/")
    html = page.content()
    assert placeholder in html and "researcher@example.org" not in html
    screenshot(page, "proposal-kept")

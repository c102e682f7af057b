"""The three execution dashboards (officer, researcher, manager) on the demo, at desktop and phone
widths: what each shows, and screenshots in test-artifacts/ to look at."""

import datetime

import pytest
from django.utils import timezone

from grants.models import Proposal
from projects.models import ChangeRequest, Contract, ProgressReport
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}


def test_the_three_dashboards_at_desktop_and_phone_widths(page, demo_site, screenshot):
    base = demo_site.url
    project = Proposal.objects.get(title="Chế phẩm vi sinh xử lý rơm rạ tại ruộng")
    contract = Contract.objects.get(proposal=project)
    today = timezone.localdate()
    # One report late and the next due soon, so the officer's lists have rows to show.
    ProgressReport.objects.filter(contract=contract, number=1).update(
        due_on=today - datetime.timedelta(days=3)
    )
    ProgressReport.objects.filter(contract=contract, number=2).update(
        due_on=today + datetime.timedelta(days=12)
    )
    # Stands in for `projects.changes.request_change` (built alongside, branch t12-changes).
    ChangeRequest.objects.create(
        contract=contract, kind="extension", reason="Hạn mặn kéo dài làm chậm thí nghiệm vụ 2.",
        new_ends_on=contract.ends_on + datetime.timedelta(days=120), requested_by=project.owner,
    )  # fmt: skip

    checks = {
        "officer@example.org": ("#panel-projects", ["Báo cáo tiến độ quá hạn", "3 ngày trễ hạn",
                                                    "Đợt kinh phí đủ điều kiện cấp", "AG-CNSH24"]),
        "researcher@example.org": ("#my-projects", ["Báo cáo tiến độ kế tiếp", "Hợp đồng kết thúc",
                                                    "quá hạn"]),
        "manager@example.org": ("#changes-waiting", ["Gia hạn thời gian thực hiện",
                                                     project.title]),
    }  # fmt: skip
    for email, (anchor, texts) in checks.items():
        staff = email != "researcher@example.org"
        page.set_viewport_size(dict(zip(("width", "height"), WIDTHS["desktop"], strict=True)))
        sign_in(page, base, email, "/dashboard/", staff=staff)
        page.locator(anchor).wait_for()
        body = page.locator("main").inner_text().lower()  # the facts' labels are in capitals
        for text in texts:
            assert text.lower() in body, (email, text)
        name = email.split("@")[0]
        for width, (w, h) in WIDTHS.items():
            page.set_viewport_size({"width": w, "height": h})
            page.goto(f"{base}/dashboard/")
            # Nothing is wider than the screen: tables scroll inside their box.
            overflow = page.evaluate("document.documentElement.scrollWidth") - w
            assert overflow <= 1, (email, width, overflow)
            screenshot(page, f"{name}-{width}")

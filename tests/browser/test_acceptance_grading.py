"""A member of the acceptance council grades on a 375 px phone: finds the seat on /reviews/,
is told what is missing when submitting without a review (the grades kept), then submits."""

import re

import pytest
from django.contrib.auth import get_user_model

from projects import grading
from projects.models import AcceptanceSeat
from tests.browser.conftest import sign_in
from tests.projects import council_setup as cs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, demo_site):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="vi-VN", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_member_grades_on_a_phone(phone, demo_site, screenshot):
    officer = get_user_model().objects.get(email="officer@example.org")
    acceptance, seats = cs.grading(officer)
    seat = next(s for s in seats if s.member.email.startswith("reviewer"))
    items = grading.deliverables(acceptance)
    grade_path = f"/proposals/{acceptance.contract.proposal_id}/acceptance/council/grade/"

    sign_in(phone, demo_site.url, seat.member.email, "/reviews/")
    phone.locator("#other-councils a", has_text=acceptance.contract.proposal.title).click()
    phone.wait_for_url(re.compile(re.escape(grade_path) + "$"))
    assert no_sideways_scroll(phone)
    for index, deliverable in enumerate(items):
        legend = phone.locator("fieldset.deliverable").nth(index).locator("legend").first
        assert deliverable.name in legend.inner_text()
        box = phone.locator("fieldset.deliverable").nth(index).bounding_box()
        assert box["width"] <= 375
        phone.check(f"#grade-{deliverable.pk}-quantity-excellent")
        phone.locator(f"label[for='grade-{deliverable.pk}-quality-pass']").click()  # by its label
    phone.get_by_label("Xuất sắc").last.check()  # the final report's grade
    phone.get_by_role("button", name="Gửi phiếu đánh giá").click()

    summary = phone.locator(".error-summary")
    summary.wait_for()
    assert "nhận xét" in summary.inner_text()
    assert phone.is_checked(f"#grade-{items[0].pk}-quantity-excellent")  # what was chosen is kept
    assert phone.is_checked("#report_grade-excellent")
    screenshot(phone, "review-missing")
    assert AcceptanceSeat.objects.get(pk=seat.pk).submitted_at is None

    phone.get_by_label("Nhận xét của bạn").fill("Sản phẩm đạt chất lượng; số lượng vượt cam kết.")
    phone.get_by_role("button", name="Gửi phiếu đánh giá").click()
    phone.wait_for_url(re.compile(re.escape(grade_path) + "$"))
    phone.get_by_text("Phiếu đánh giá của bạn đã được gửi").first.wait_for()
    assert no_sideways_scroll(phone)
    screenshot(phone, "submitted")
    saved = AcceptanceSeat.objects.get(pk=seat.pk)
    assert saved.submitted_at and saved.overall == "pass"  # quality only passes: not excellent
    assert saved.review.startswith("Sản phẩm đạt chất lượng")

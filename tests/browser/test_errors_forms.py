"""Errors that keep people on the site, in Chromium (issue 14, errors slice): a form sent empty
shows the site's own error summary, focused, in Vietnamese (not the browser's English tooltip);
the budget editor and the API reference pass axe-core at 1280 and 375 px; the budget editor adds
a row in place with JavaScript.

One test, one seeded live site: each browser test flushes and seeds the demo again."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from grants.models import Proposal, ProposalState
from tests.browser.conftest import sign_in
from transfer.models import Technology

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)


def serious_findings(page):
    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def audit(page, screenshot, name):
    """axe-core at each width: no critical or serious finding."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")
        assert serious_findings(page) == [], f"{name} at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_forms_say_what_is_wrong_in_the_site_s_summary_and_budget_and_api_pages_pass_axe(
    page, demo_site, screenshot
):
    base = demo_site.url

    # -- express interest, sent empty: the site's summary, focused, in Vietnamese ------------------
    technology = (
        Technology.objects.filter(state=Technology.State.PUBLISHED)
        .exclude(deals__business__email="business@example.org")
        .exclude(owner__email="business@example.org")
        .order_by("pk")
        .first()
    )
    url = technology.get_absolute_url()
    sign_in(page, base, "business@example.org", url)
    form = page.locator("form#interest")
    assert form.get_attribute("novalidate") is not None  # the server validates, not the browser
    form.get_by_role("button", name="Quan tâm, đề nghị chuyển giao").click()
    summary = page.locator("form#interest .error-summary")
    summary.wait_for()
    assert "Có lỗi cần sửa" in summary.inner_text()
    assert "Tell the owner" not in summary.inner_text()  # Vietnamese, not English
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    # Its link leads to the field, which kept its place on the page.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_message"
    screenshot(page, "interest-empty")

    # -- the budget editor: a labelled table, a row added in place --------------------------------
    draft = (
        Proposal.objects.filter(owner__email="researcher@example.org", state=ProposalState.DRAFT)
        .order_by("pk")
        .first()
    )
    budget = f"/proposals/{draft.pk}/edit/budget/"
    sign_in(page, base, "researcher@example.org", budget)
    audit(page, screenshot, "budget")
    rows = page.locator("[data-formset-body] [data-formset-row]")
    before = rows.count()
    total = page.locator("input[name=budget-TOTAL_FORMS]")
    assert int(total.input_value()) == before
    page.get_by_role("button", name="Thêm một dòng").click()
    assert rows.count() == before + 1  # in place: no reload
    assert int(total.input_value()) == before + 1
    new_label = f"Dòng {before + 1} – Nhóm chi"
    assert page.get_by_label(new_label).evaluate("e => e === document.activeElement")
    page.get_by_label(new_label).select_option("equipment")
    page.get_by_label(f"Dòng {before + 1} – Nội dung").fill("Máy đo độ ẩm hạt")
    page.get_by_label(f"Dòng {before + 1} – Số tiền (đồng)").fill("12.000.000")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(re.compile(re.escape(budget)))
    assert draft.budget_lines.filter(description="Máy đo độ ẩm hạt", amount=12_000_000).exists()

    # -- the API reference in the portal's layout ---------------------------------------------------
    page.goto(f"{base}/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator("header.site-header").count() == 1
    assert page.locator("footer.site-footer").count() == 1
    assert page.evaluate("document.documentElement.lang") == "vi"
    audit(page, screenshot, "api-docs")
    page.goto(f"{base}/en/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert serious_findings(page) == []

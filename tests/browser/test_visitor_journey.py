import re

import pytest

pytestmark = pytest.mark.browser


def test_visitor_switches_language_opens_a_call_applies_and_reaches_the_draft(
    page, demo_site, screenshot
):
    page.goto(demo_site.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Khoa học, công nghệ")
    screenshot(page, "home-vi")

    page.get_by_role("navigation", name="Ngôn ngữ").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/en/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=2, name="Calls open now").is_visible()
    screenshot(page, "home-en")

    page.get_by_role(
        "link", name="Breeding salt-tolerant fragrant rice adapted to climate change"
    ).click()
    page.wait_for_url(re.compile(r"/en/calls/ag-nn01/$"))
    assert page.get_by_text("Open", exact=True).first.is_visible()
    screenshot(page, "call-en")

    page.get_by_role("link", name="Apply", exact=True).click()
    page.wait_for_url(re.compile(r"/en/accounts/login/\?next="))
    screenshot(page, "login-en")
    page.get_by_label("Email").fill("researcher@example.org")
    page.get_by_label("Password").fill("AnGiang@2025")
    page.get_by_role("button", name="Sign In").click()

    # The demo researcher already drafts for this call: Apply opens that draft.
    page.wait_for_url(re.compile(r"/en/proposals/\d+/edit/general/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "General information"
    assert "already have a draft" in page.locator(".messages").inner_text()
    screenshot(page, "draft-en")


def test_keyboard_user_can_skip_to_the_main_content(page, demo_site):
    page.goto(demo_site.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_home_page_is_readable_at_320_pixels(browser, demo_site, screenshot):
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(demo_site.url + "/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, "home-320")
    context.close()
    assert overflow <= 0

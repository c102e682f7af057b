"""Playwright driving Debian's Chromium (`playwright install` cannot download browsers here)."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, demo_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    ARTIFACTS.mkdir(exist_ok=True)
    counter = iter(range(1, 100))

    def take(page, name):
        path = ARTIFACTS / f"{request.node.name}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, base, email, next_url, *, staff=False, arrive=None):
    """Sign in through the real form (and the TOTP step for staff), then wait for `arrive`
    (a pattern; by default the `next_url` itself)."""
    import re

    from django.conf import settings

    from core.totp import current_code

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill("AnGiang@2025")
    page.locator("main form button[type=submit]").click()
    if staff:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label(re.compile("Mã|Code")).fill(
            current_code(settings.PORTAL_DEMO_TOTP_SECRET)
        )
        page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(arrive or re.compile(re.escape(next_url) + "$"))

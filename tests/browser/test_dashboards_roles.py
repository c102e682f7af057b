"""Every role's dashboard (issue 14) at 1280 and 375 px: axe-core finds nothing critical or
serious, the main menu stays on one line per bar at 1280 px and marks the current section, and on
a phone the header is short and its menu button works (a <details>: no JavaScript needed).
Screenshots go to test-artifacts/ to be looked at."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

ACCOUNTS = [
    ("researcher@example.org", False),
    ("researcher2@example.org", False),
    ("reviewer5@example.org", False),
    ("business@example.org", False),
    ("officer@example.org", True),
    ("manager@example.org", True),
    ("admin@example.org", True),
]

# The phone header: the language bar (about 30 px) and one row with the logo, the portal's name
# on two lines and the 44 px menu button (about 95 px) make about 125 px. 140 px leaves room for
# a longer name in the other language and keeps the header to a fifth of a 667 px screen (it
# took 330 px, half of it, before).
PHONE_HEADER_MAX = 140


def _serious(axe, page):
    results = axe.run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def _lines(page, selector):
    """How many rows the items of a menu bar sit on: an item starts a new row when it begins
    below the bottom of the row before (items of one row may differ in height: the search box)."""
    boxes = page.eval_on_selector_all(
        f"{selector} > li",
        "items => items.map(i => { const r = i.getBoundingClientRect(); return [r.top, r.bottom]; })",
    )
    rows, bottom = 0, None
    for top, low in sorted(boxes):
        if bottom is None or top >= bottom:
            rows, bottom = rows + 1, low
        else:
            bottom = max(bottom, low)
    return rows


def test_every_dashboard_passes_axe_and_keeps_a_compact_menu(browser, demo_site, screenshot):
    base = demo_site.url
    axe = Axe()
    for email, staff in ACCOUNTS:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        context.set_default_timeout(20_000)
        page = context.new_page()
        name = email.split("@")[0]
        try:
            sign_in(page, base, email, "/dashboard/", staff=staff)
            # 1280 px: each bar of the menu on one line, the dashboard marked as the current page.
            assert _lines(page, ".main-nav__public") == 1, email
            assert _lines(page, ".main-nav__workspace") == 1, email
            current = page.locator('.main-nav a[aria-current="page"]')
            assert current.count() == 1 and current.get_attribute("href") == "/dashboard/"
            assert page.locator("summary.site-menu__button").is_hidden()
            assert page.locator("#site-search").is_visible()  # the search box stays
            assert _serious(axe, page) == [], (email, 1280)
            screenshot(page, f"{name}-1280")

            # 375 px: a short header; the menu opens with its button.
            page.set_viewport_size({"width": 375, "height": 812})
            page.goto(f"{base}/dashboard/")
            height = page.evaluate(
                "document.querySelector('.site-header').getBoundingClientRect().height"
            )
            assert height <= PHONE_HEADER_MAX, (email, height)
            # The English header too: its longer top line ("People's Committee of An Giang
            # Province") wraps beside the language switch, not above it.
            page.goto(f"{base}/en/dashboard/")
            english = page.evaluate(
                "document.querySelector('.site-header').getBoundingClientRect().height"
            )
            assert english <= PHONE_HEADER_MAX, (email, "en", english)
            page.goto(f"{base}/dashboard/")
            assert page.locator(".main-nav").is_hidden()
            assert page.locator("main h1").bounding_box()["y"] < PHONE_HEADER_MAX + 40
            assert _serious(axe, page) == [], (email, 375)
            screenshot(page, f"{name}-375")
            page.locator("summary.site-menu__button").click()
            assert page.locator(".main-nav").is_visible()
            assert page.locator("#site-search").is_visible()
            assert _serious(axe, page) == [], (email, "375 menu open")
            screenshot(page, f"{name}-375-menu")
        finally:
            context.close()


def test_the_menu_marks_the_section_and_offers_each_roles_pages(browser, demo_site):
    base = demo_site.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        sign_in(page, base, "reviewer1@example.org", "/reviews/")
        link = page.locator('.main-nav a[aria-current="page"]')
        assert link.get_attribute("href") == "/reviews/"
        hrefs = page.eval_on_selector_all(
            ".main-nav__workspace a", "a => a.map(x => x.getAttribute('href'))"
        )
        assert "/reviews/" in hrefs and "/dashboard/" in hrefs
        page.goto(f"{base}/technologies/")
        assert (
            page.locator('.main-nav a[aria-current="page"]').get_attribute("href")
            == "/technologies/"
        )
        first = page.locator(".main-nav__public a").first.get_attribute("href")
        page.goto(base + first)
        assert re.search(r"/calls/", page.url)
        assert page.locator('.main-nav a[aria-current="page"]').get_attribute("href") == first
    finally:
        context.close()

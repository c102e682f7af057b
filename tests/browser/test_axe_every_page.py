"""axe-core on one page of every URL pattern of the demo (issue 14, accessibility): each named
pattern of portal.urls that answers an HTML GET is opened as a person the permission matrix lets
in (a visitor for the public pages), once in Vietnamese (no prefix) and once under /en/, and axe
must find no critical and no serious violation, at 1280 px and on a phone's 375 px. One browser,
one context per person and width.

The walk of the URL conf, the kwargs of each pattern and who may open it come from the permission
matrix (tests/security/test_permission_matrix.py) and its `world` (the seeded demo plus a few
records). A pattern that is neither tested here nor listed in SKIPPED with its reason fails
`test_every_pattern_is_checked_or_skipped_with_a_reason`."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import sign_in
from tests.security.conftest import ROLE_EMAILS, build_world
from tests.security.test_permission_matrix import MATRIX, POST_ONLY, Case, walk

pytestmark = pytest.mark.browser

# Who opens a page the matrix gives to several people: a visitor first, then the person the page
# is made for.
PREFERENCE = ("anon", "res", "biz", "rev", "off", "man", "su", "res2", "biz2", "rev2")
STAFF = {"off", "man", "su"}

# Trees that are not the portal's own pages.
SKIPPED_PREFIXES = {
    "admin/": "Wagtail's own admin",
    "django-admin/": "Django's own admin",
    "api/": "the JSON API (no HTML)",
    "static/": "static files",
    "media/": "uploaded files",
    "documents/": "Wagtail documents (files)",
}

# Patterns that serve pages of several kinds: every case of the matrix someone may GET.
EVERY_CASE = {"wagtail_serve"}  # the home, the calls, a call, the news, a standard page

# Named patterns that are not HTML pages answering a GET, with the reason.
SKIPPED = {
    "healthz": "a plain-text liveness check",
    "readyz": "a JSON readiness check",
    "metrics": "Prometheus' plain-text metrics, for the monitoring network",
    "organisation_suggest": "JSON suggestions for the organisation pickers",
    "javascript-catalog": "the JavaScript translation catalogue",
    "wagtailcore_login": "redirect only (to allauth's login)",
    "wagtailcore_authenticate_with_password": "POST of a page's password (no restricted page)",
    "project_registration_pdf": "a PDF",
    "project_inspection_file": "an uploaded file (the inspection minutes)",
    "privacy_export": "a JSON download of one's personal data",
    "proposal_export": "a CSV/XLSX export",
    "proposal_export_download": "an XLSX download (its page, proposal_export_status, is checked)",
    "task_export": "a JSON/XLSX export (the tasks for the national platform)",
    "sitemap": "XML for crawlers",
    "robots_txt": "plain text for crawlers",
    "feed_calls": "an RSS feed",
    "feed_calls_atom": "an Atom feed",
    "feed_news": "an RSS feed",
    "feed_news_atom": "an Atom feed",
    "feed_technologies": "an RSS feed",
    "feed_technologies_atom": "an Atom feed",
    "proposal_receipt": "a PDF",
    "proposal_decision": "a PDF",
    "proposal_minutes": "a PDF",
    "call_minutes": "a PDF",
    "project_contract_pdf": "a PDF",
    "project_acceptance_minutes": "a PDF",
    "proposal_attachment": "an uploaded file",
    "project_report_attachment": "an uploaded file",
    "project_acceptance_attachment": "an uploaded file",
    "technology_file": "an uploaded file",
    "deal_agreement": "the signed agreement (an uploaded file)",
}


def _reason_for(route):
    if route.name in SKIPPED:
        return SKIPPED[route.name]
    for prefix, reason in SKIPPED_PREFIXES.items():
        if route.route.startswith(prefix) or route.route.startswith(f"en/{prefix}"):
            return reason
    specs = MATRIX.get(route.name)
    if specs is None:
        if route.route.startswith(("accounts/", "en/accounts/")):
            return "an account page outside the matrix: tests/browser/test_axe_accounts.py"
        return None
    if all(spec["get"] == POST_ONLY for spec in specs):
        return "POST only (the matrix: 405 to a GET)"
    return None


def _case_and_role(name):
    """The first matrix case of `name` that someone may GET (200), and who."""
    for spec in MATRIX.get(name, []):
        get = spec["get"] or {}
        for role in PREFERENCE:
            if get.get(role) == 200:
                return Case(name=name, **spec), role
    return None, None


def _cases_and_roles(name):
    if name not in EVERY_CASE:
        case, role = _case_and_role(name)
        return [(case, role)] if case else []
    found = []
    for spec in MATRIX[name]:
        role = next((r for r in PREFERENCE if (spec["get"] or {}).get(r) == 200), None)
        if role:
            found.append((Case(name=name, **spec), role))
    return found


def _routes():
    seen, routes = set(), []
    for route in walk():
        if route.name not in seen:
            seen.add(route.name)
            routes.append(route)
    return routes


def test_every_pattern_is_checked_or_skipped_with_a_reason():
    unclassified = []
    for route in _routes():
        if _reason_for(route):
            continue
        case, _role = _case_and_role(route.name)
        if case is None:
            unclassified.append(f"{route.name} ({route.route})")
    assert unclassified == [], (
        "classify these patterns: a matrix case someone may GET (200), or a reason in SKIPPED:\n"
        + "\n".join(unclassified)
    )


def _serious(axe, page):
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_nothing_serious_on_any_page_in_either_language(width, browser, demo_site):
    base = demo_site.url
    world = build_world()
    axe = Axe()
    by_role = {}
    for route in _routes():
        if _reason_for(route):
            continue
        for case, role in _cases_and_roles(route.name):
            by_role.setdefault(role, []).append(case)

    problems, checked = [], 0
    for role in PREFERENCE:
        cases = by_role.get(role)
        if not cases:
            continue
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            if role != "anon":
                sign_in(
                    page, base, ROLE_EMAILS[role], "/dashboard/", staff=role in STAFF,
                    arrive=re.compile(r"/dashboard/$"),
                )  # fmt: skip
            for case in cases:
                for language in ("vi", "en"):
                    with translation.override(language):
                        url = case.url(world)
                    where = f"{case.id} as {role}: GET {url}"
                    try:
                        response = page.goto(base + url)
                    except PlaywrightError as error:  # a download, most often
                        problems.append(f"{where}: {error.message.splitlines()[0]}")
                        continue
                    if response is None or response.status != 200:
                        problems.append(f"{where}: {response and response.status}")
                        continue
                    if "text/html" not in response.headers.get("content-type", ""):
                        problems.append(f"{where}: not HTML, list it in SKIPPED")
                        continue
                    page.wait_for_load_state("load")
                    checked += 1
                    problems += [f"{where}: {v}" for v in _serious(axe, page)]
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
    # 47 patterns × 2 languages when this was written: a walk that found far fewer proves little.
    assert checked >= 90, checked

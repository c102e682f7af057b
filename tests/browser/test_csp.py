"""In Chromium: no page of the demo breaks the Content-Security-Policy (for visitors, researchers,
reviewers, officers, Wagtail's admin and Swagger UI included), and stored payloads never run."""

import re

import pytest

from grants import demo, workflow
from grants.models import Ballot, CallPage, Proposal, ReviewAssignment
from portal import charts
from tests.browser.conftest import sign_in
from transfer import workflow as transfer_workflow
from transfer.models import Technology

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Violations:
    """Every CSP report of the page: the DOM event and Chromium's console message."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, base, path, *, ready=None):
        self.page.goto(base + path)
        if ready:
            self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        self.assert_none(path)

    def assert_none(self, where):
        events = self.page.evaluate("window.__csp || []")
        assert not events and not self.console, (where, events, self.console)


def test_no_page_of_the_demo_reports_a_csp_violation(page, demo_site):
    base = demo_site.url
    csp = Violations(page)
    technology = Technology.objects.filter(state="published").order_by("pk").first()
    call = CallPage.objects.live().filter(locale__language_code="vi").first()

    for path in ("/", call.url, "/technologies/", technology.get_absolute_url(), "/needs/",
                 "/stats/", "/search/?q=l%C3%BAa", "/accounts/login/", "/en/"):  # fmt: skip
        csp.visit(base, path)
    # The statistics' bars are drawn (SVG), not dropped with the inline styles they replaced.
    csp.visit(base, "/stats/")
    chart = page.locator("svg.chart-svg").first.bounding_box()
    bar = page.locator("svg.chart-svg rect.chart-bar").first.bounding_box()
    scale = chart["width"] / charts.VIEW_WIDTH  # the viewBox scales to the column's width
    assert bar["width"] > 2 and abs(bar["height"] - charts.BAR_HEIGHT * scale) < 0.5
    # Swagger UI renders the API (its one inline script runs by nonce).
    csp.visit(base, "/api/docs/", ready=".opblock")

    draft = Proposal.objects.get(state="draft", owner__email="researcher@example.org")
    sign_in(page, base, "researcher@example.org", "/dashboard/")
    for path in ("/dashboard/", f"/proposals/{draft.pk}/", "/accounts/profile/", "/deals/",
                 "/accounts/privacy/"):  # fmt: skip
        csp.visit(base, path)
    # The dossier editor's script works: typing is kept in the browser and autosaved.
    csp.visit(base, f"/proposals/{draft.pk}/edit/general/")
    page.get_by_label(re.compile("tóm tắt", re.IGNORECASE)).fill("Tóm tắt được lưu tự động.")
    page.locator(".autosave-status").filter(has_text=re.compile(r"\d")).wait_for()
    csp.assert_none("autosave")

    assignment = next(
        a
        for a in ReviewAssignment.objects.filter(proposal__state="under_review", status="accepted")
        if not Ballot.objects.filter(
            proposal=a.proposal, reviewer=a.reviewer, submitted_at__isnull=False
        ).exists()
    )
    sign_in(page, base, assignment.reviewer.email, "/reviews/")
    csp.visit(base, f"/reviews/{assignment.pk}/")
    points = page.locator("input.points:enabled")
    assert points.count() >= 3  # a member who has not submitted yet
    for index in range(points.count()):  # the running total is computed by ballot.js
        points.nth(index).fill("1")
    assert page.locator("[data-total]").inner_text().strip() == str(points.count())
    csp.assert_none("ballot")

    sign_in(page, base, "officer@example.org", "/dashboard/", staff=True)
    for path in ("/dashboard/", "/proposals/", "/technologies/moderation/", "/people/reviewers/",
                 "/people/memberships/", "/accounts/privacy/requests/"):  # fmt: skip
        csp.visit(base, path)
    # Wagtail's admin, under its own policy.
    csp.visit(base, "/admin/")
    csp.visit(base, "/admin/pages/")
    csp.visit(base, f"/admin/pages/{call.pk}/edit/")
    # The Wagtail user bar works for editors on the portal's pages, under the portal's policy.
    csp.visit(base, "/")
    page.locator("#wagtail-userbar-trigger").click()
    assert page.locator("#wagtail-userbar-items").is_visible()
    assert page.locator("#wagtail-userbar-items a[href*='/admin/pages/']").count() >= 1
    csp.assert_none("userbar")


# The corpus of tests/security/test_xss.py, with `alert(1)` replaced by something a test can see.
RUN = "window.__xss=1"
PAYLOADS = [
    f'"><svg onload={RUN}>',
    f"</script><script>{RUN}</script>",
    f"' onmouseover='{RUN}' autofocus onfocus='{RUN}",
    f"javascript:{RUN}",
    "{{7*7}}",
    f"<img src=x onerror={RUN}>",
]
ALL = " ".join(PAYLOADS)


def test_stored_payloads_do_not_run_for_the_officer_or_a_visitor(page, demo_site, user_by_email):
    base = demo_site.url
    csp = Violations(page)
    researcher = user_by_email("researcher@example.org")
    officer = user_by_email("officer@example.org")

    technology = Technology.objects.create(
        title=f"x{PAYLOADS[1]}", summary=f"{ALL} giảm 30% chi phí cho nông hộ.",
        title_en=PAYLOADS[0], summary_en=f"{ALL} cheaper for farmers.", description=ALL,
        sector=Technology.objects.first().sector, trl=6, ip_status="know_how",
        transfer_modes=["licence"], owner=researcher,
        organisation=researcher.profile.organisation,
    )  # fmt: skip
    transfer_workflow.submit_technology(technology, by=researcher)
    call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    proposal, _created = demo.draft_for(call, user_by_email("researcher2@example.org"))
    # (A team member's name holds 150 characters: the corpus, cut to fit, as PostgreSQL would.)
    proposal = demo.fill(
        proposal, title=PAYLOADS[0], abstract=ALL, members=[(ALL[:150], "member", ALL)]
    )
    proposal = workflow.submit(proposal, by=proposal.owner)

    def assert_nothing_ran(path):
        csp.page.goto(base + path)
        csp.page.wait_for_load_state("networkidle")
        # Hover, focus, load and fail every element: an injected handler would have run.
        csp.page.evaluate(
            """document.querySelectorAll("*").forEach((el) => {
                 for (const type of ["mouseover", "focus", "load", "error"]) {
                   el.dispatchEvent(new Event(type));
                 }
               });"""
        )
        assert csp.page.evaluate("typeof window.__xss") == "undefined", path
        # Not even an attempt blocked by the policy: the payload never became markup at all.
        csp.assert_none(path)

    sign_in(page, base, "officer@example.org", "/technologies/moderation/", staff=True)
    assert_nothing_ran("/technologies/moderation/")
    assert page.get_by_text(technology.title).count() >= 1  # shown as the text typed
    assert_nothing_ran(f"/technologies/{technology.pk}/")
    assert_nothing_ran("/proposals/")
    assert_nothing_ran(f"/proposals/{proposal.pk}/")
    assert page.get_by_role("heading", name=PAYLOADS[0]).count() == 1

    transfer_workflow.publish_technology(
        technology, by=officer,
        checklist=[key for key, _label in transfer_workflow.PUBLISH_CHECKLIST],
    )  # fmt: skip
    page.context.clear_cookies()
    for path in (f"/technologies/{technology.pk}/", f"/en/technologies/{technology.pk}/",
                 "/technologies/", "/en/technologies/"):  # fmt: skip
        assert_nothing_ran(path)
    # The JSON-LD block is one block of valid JSON holding the whole title.
    page.goto(f"{base}/technologies/{technology.pk}/")
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["name"] == technology.title
    assert page.locator("script[type='application/ld+json']").count() == 1

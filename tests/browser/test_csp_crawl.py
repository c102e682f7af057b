"""In Chromium, a crawl of the demo as each kind of person: every page reached by following the
portal's own links (breadth first, bounded) loads under the Content-Security-Policy without a
single violation report. test_csp.py walks the pages with scripts by hand; this finds the pages
nobody thought of."""

from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_csp import Violations

pytestmark = pytest.mark.browser

PAGES_PER_PERSON = 45
# Not pages: downloads, the JSON API, leaving, and the two admins (test_csp.py covers Wagtail's).
SKIP_PREFIXES = ("/static/", "/media/", "/documents/", "/api/v1/", "/api/schema/", "/admin/",
                 "/django-admin/", "/accounts/logout/", "/en/accounts/logout/", "/jsi18n/")  # fmt: skip
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".docx", ".png", ".jpg", ".svg", "/export/", "/download/")
SKIP_PARTS = ("/files/", "/attachments/", "/transitions/", "/agreement")

PEOPLE = [
    ("visitor", None, False),
    ("researcher", "researcher@example.org", False),
    ("business", "business@example.org", False),
    ("reviewer", "reviewer1@example.org", False),
    ("officer", "officer@example.org", True),
]


def _worth_visiting(path):
    return not (
        path.startswith(SKIP_PREFIXES)
        or path.endswith(SKIP_SUFFIXES)
        or any(part in path for part in SKIP_PARTS)
    )


@pytest.mark.parametrize(("who", "email", "staff"), PEOPLE, ids=[p[0] for p in PEOPLE])
def test_a_crawl_of_the_demo_reports_no_csp_violation(page, demo_site, who, email, staff):
    base = demo_site.url
    host = urlsplit(base).netloc
    csp = Violations(page)
    start = ["/"]
    if email:
        sign_in(page, base, email, "/dashboard/", staff=staff)
        start = ["/dashboard/", "/"]

    queue, seen, visited = list(start), set(start), []
    while queue and len(visited) < PAGES_PER_PERSON:
        path = queue.pop(0)
        response = page.goto(base + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        page.wait_for_load_state("load")
        csp.assert_none(path)
        assert response.status < 500, (path, response.status)
        visited.append(path)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlsplit(urldefrag(href)[0])
            if url.scheme not in ("http", "https") or url.netloc != host:
                continue
            link = url.path + (f"?{url.query}" if url.query else "")
            if link not in seen and _worth_visiting(url.path):
                seen.add(link)
                queue.append(link)
    # A crawl that stopped early proves little: each person reaches a good part of the portal.
    assert len(visited) >= 25, visited

"""No personal contact data in public outputs (issue 15): a visitor crawls the seeded demo (every
page, feed and sitemap entry it can reach from the home page and the API's lists, in both
languages) and finds no e-mail address or phone number of a person, only the Department's own
published contacts (its site settings).

Every person of the demo is first given a phone number on their profile and every team member an
e-mail address, as they would through the forms, so the scan looks for data that exists."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model

from cms.models import SiteSettings
from grants.models import TeamMember
from researchers.models import Profile

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Vietnamese numbers: 0 or +84, then 9 or 10 digits, spaces, dots or dashes between groups.
PHONE = re.compile(r"(?<![\d/=.-])(?:\+84|0)(?:[ .-]?\d){8,10}(?![\d])")
LINK = re.compile(r"""(?:href|src)=["']([^"'#]+)|https?://testserver(/[^"'\s<>\\]*)|<loc>([^<]+)""")
TEXTUAL = ("text/html", "application/json", "application/xml", "text/xml", "application/rss")
SKIP = ("/static/", "/media/", "/documents/", "/admin/", "/django-admin/", "/accounts/", "/jsi18n/")
START = [
    "/",
    "/en/",
    "/sitemap.xml",
    "/feeds/calls/",
    "/feeds/news/",
    "/feeds/technologies/",
    "/funded/",
    "/stats/",
    "/technologies/?q=lúa",
    "/en/technologies/",
    "/search/?q=lúa",
    "/api/v1/calls/",
    "/api/v1/funded-projects/",
    "/api/v1/technologies/",
    "/api/v1/needs/",
    "/api/v1/stats/",
]
LIMIT = 600


def digits(text):
    return re.sub(r"\D", "", text).removeprefix("84").lstrip("0")


@pytest.fixture
def people_with_contacts():
    """A phone number on every profile, an e-mail on every team member (both are optional)."""
    for n, profile in enumerate(Profile.objects.select_related("user"), start=1):
        profile.phone = f"0918 {n:03d} {n:03d}"
        profile.save(update_fields=["phone"])
    for n, member in enumerate(TeamMember.objects.all(), start=1):
        member.email = member.email or f"thanh-vien-{n}@example.net"
        member.save(update_fields=["email"])
    emails = set(get_user_model().objects.values_list("email", flat=True))
    emails |= set(TeamMember.objects.exclude(email="").values_list("email", flat=True))
    phones = {digits(p) for p in Profile.objects.exclude(phone="").values_list("phone", flat=True)}
    assert len(emails) > 10 and len(phones) > 5  # the demo has people to protect
    return {e.lower() for e in emails if e}, phones


def crawl(client):
    seen, queue, pages = set(START), deque(START), {}
    while queue and len(pages) < LIMIT:
        url = queue.popleft()
        response = client.get(url)
        kind = response.get("Content-Type", "")
        if response.status_code != 200 or not kind.startswith(TEXTUAL):
            continue
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        pages[url] = text
        for groups in LINK.findall(text):
            found = next(g for g in groups if g).replace("&amp;", "&")
            parts = urlsplit(urljoin("http://testserver" + url, found))
            if parts.netloc not in ("testserver", "") or parts.path.startswith(SKIP):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen and not target.endswith((".pdf", ".xlsx", ".csv", ".png")):
                seen.add(target)
                queue.append(target)
    return pages


def test_no_public_page_feed_or_api_shows_a_persons_e_mail_or_phone(client, people_with_contacts):
    emails, phones = people_with_contacts
    settings = SiteSettings.objects.first()
    published_email = {settings.email.lower()}
    published_phone = {digits(settings.hotline)}

    pages = crawl(client)
    kinds = {url.split("/")[1] or "home" for url in pages}
    assert len(pages) > 100 and {"api", "technologies", "feeds", "funded"} <= kinds, sorted(kinds)

    leaks = []
    for url, text in pages.items():
        for address in {m.lower() for m in EMAIL.findall(text)} - published_email:
            leaks.append(
                f"{url}: e-mail {address}" + (" (a person's)" if address in emails else "")
            )
        for number in {digits(m) for m in PHONE.findall(text)} - published_phone:
            leaks.append(f"{url}: phone {number}" + (" (a person's)" if number in phones else ""))
    assert leaks == [], "\n".join(sorted(leaks)[:40])


def test_the_scan_would_see_a_leak(client, people_with_contacts):
    """The crawl reaches technology pages, so a person's number written into one is found."""
    from transfer.models import Technology

    technology = Technology.objects.filter(state="published").first()
    technology.summary = f"{technology.summary} Liên hệ: 0918 001 001, lan@example.org"
    technology.save(update_fields=["summary"])
    pages = crawl(client)
    found = {digits(m) for text in pages.values() for m in PHONE.findall(text)}
    assert digits("0918 001 001") in found
    assert any("lan@example.org" in EMAIL.findall(text) for text in pages.values())

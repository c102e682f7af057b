"""What search engines and feed readers get: /sitemap.xml (Wagtail's pages in both languages,
the catalogue's technologies, needs and public lists), /robots.txt (the sitemap; the private
areas kept out) and the RSS/Atom feeds of open calls, news and new technologies, linked from
every page. Nothing private in any of them: a draft, unpublished, restricted or archived
record never appears."""

import datetime
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.models import NewsIndexPage, NewsPage, StandardPage
from grants.models import CallPage
from transfer.models import Technology, TechnologyNeed

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
PRIVATE = ("/admin/", "/django-admin/", "/accounts/", "/dashboard/", "/proposals/", "/reviews/",
           "/people/", "/deals/", "/api/", "/organisations/")  # fmt: skip


def sitemap_paths(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return [urlsplit(loc.text).path for loc in root.iter(f"{SITEMAP}loc")]


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return [
        (item.findtext("title"), urlsplit(item.findtext("link")).path)
        for item in channel.iter("item")
    ]


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        (entry.findtext(f"{ATOM}title"), urlsplit(entry.find(f"{ATOM}link").get("href")).path)
        for entry in feed.iter(f"{ATOM}entry")
    ]


@pytest.fixture
def hidden_pages():
    """An unpublished standard page, a password-protected one and an unpublished news item."""
    home = StandardPage.objects.live().first().get_parent()
    draft = home.add_child(
        instance=StandardPage(title="Trang nháp chưa xuất bản", slug="trang-nhap", live=False)
    )
    private = home.add_child(instance=StandardPage(title="Trang nội bộ", slug="trang-noi-bo"))
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    news_index = NewsIndexPage.objects.filter(locale__language_code="vi").first()
    news = news_index.add_child(
        instance=NewsPage(title="Tin nháp", slug="tin-nhap", intro="Chưa công bố", live=False)
    )
    return draft, private, news


@pytest.fixture
def hidden_call():
    """A call open by its dates, but not published."""
    demo_call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    call = CallPage(
        title="Đợt gọi chưa công bố", slug="ag-draft01", locale=demo_call.locale,
        code="AG-DRAFT01", summary="Chưa công bố", opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=20), total_budget=1_000_000_000,
        max_per_project=500_000_000, min_reviewers=7, live=False,
    )  # fmt: skip
    demo_call.get_parent().add_child(instance=call)
    return call


def test_robots_points_to_the_sitemap_and_keeps_private_areas_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow: ")}
    for prefix in PRIVATE:
        assert prefix in disallowed
    for prefix in ("/accounts/", "/dashboard/", "/proposals/", "/deals/"):
        assert f"/en{prefix}" in disallowed
    # The public pages stay open to crawlers.
    for public in ("/", "/calls/", "/technologies/", "/funded/", "/en/"):
        assert public not in disallowed
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200


def test_sitemap_lists_the_public_pages_of_both_languages(client):
    paths = sitemap_paths(client)
    assert len(paths) == len(set(paths))
    for path in ("/", "/en/", "/calls/", "/en/calls/", "/technologies/", "/en/technologies/",
                 "/needs/", "/funded/", "/en/funded/", "/stats/", "/tin-tuc/"):  # fmt: skip
        assert path in paths, path
    for call in CallPage.objects.live().public():
        assert call.url in paths
    published = Technology.objects.filter(state="published")
    assert published.count() >= 20
    for technology in published:
        assert f"/technologies/{technology.pk}/" in paths
        assert f"/en/technologies/{technology.pk}/" in paths
    for need in TechnologyNeed.objects.filter(state="published"):
        assert f"/needs/{need.pk}/" in paths
    for hidden in Technology.objects.exclude(state="published"):
        assert f"/technologies/{hidden.pk}/" not in paths
    for hidden in TechnologyNeed.objects.exclude(state="published"):
        assert f"/needs/{hidden.pk}/" not in paths
    assert not [
        p for p in paths if p.startswith(PRIVATE) or p.startswith(tuple("/en" + q for q in PRIVATE))
    ]


def test_every_url_of_the_sitemap_opens_for_a_visitor(client):
    paths = sitemap_paths(client)
    failing = [(path, status) for path in paths if (status := client.get(path).status_code) != 200]
    assert failing == []


def test_drafts_unpublished_and_restricted_pages_are_in_no_sitemap_and_no_feed(
    client, hidden_pages, hidden_call
):
    draft, private, news = hidden_pages
    paths = sitemap_paths(client)
    assert private.url not in paths and "/trang-noi-bo/" not in paths
    assert "/trang-nhap/" not in paths and "/calls/ag-draft01/" not in paths
    assert not any("tin-nhap" in path for path in paths)
    titles = [title for title, _link in rss_items(client, "/feeds/news/")]
    assert "Tin nháp" not in titles and titles
    calls = [title for title, _link in rss_items(client, "/feeds/calls/")]
    assert not any("AG-DRAFT01" in title for title in calls)
    # Published and restricted: out of the feed too.
    NewsPage.objects.filter(pk=news.pk).update(live=True)
    assert "Tin nháp" in [t for t, _l in rss_items(client, "/feeds/news/")]
    PageViewRestriction.objects.create(page=news, restriction_type="password", password="x")
    assert "Tin nháp" not in [t for t, _l in rss_items(client, "/feeds/news/")]


def test_the_calls_feed_lists_exactly_the_open_calls_in_each_language(client):
    now = timezone.now()
    for language, prefix in (("vi", ""), ("en", "/en")):
        calls = CallPage.objects.live().filter(locale__language_code=language)
        open_now = {c.url for c in calls if c.opens_at <= now < c.closes_at}
        assert open_now and len(open_now) < calls.count()  # some are closed or upcoming
        links = {link for _title, link in rss_items(client, f"{prefix}/feeds/calls/")}
        assert links == open_now
        atom = {link for _title, link in atom_entries(client, f"{prefix}/feeds/calls/atom/")}
        assert atom == open_now


def test_the_technologies_feed_has_the_newest_published_only(client, user_by_email):
    items = rss_items(client, "/feeds/technologies/")
    newest = Technology.objects.filter(state="published").order_by("-published_at", "-pk")[:30]
    assert [link for _title, link in items] == [f"/technologies/{t.pk}/" for t in newest]
    assert [title for title, _link in items] == [t.title for t in newest]
    english = atom_entries(client, "/en/feeds/technologies/atom/")
    assert [link for _title, link in english] == [f"/en/technologies/{t.pk}/" for t in newest]
    assert english[0][0] == (newest[0].title_en or newest[0].title)
    for hidden in Technology.objects.exclude(state="published"):
        assert f"/technologies/{hidden.pk}/" not in [link for _title, link in items]
    assert Technology.objects.exclude(state="published").exists()


def test_every_page_links_its_language_s_feeds_in_the_head(client):
    head = client.get("/").content.decode().split("</head>")[0]
    for url, kind in (("/feeds/calls/", "rss"), ("/feeds/calls/atom/", "atom"), ("/feeds/news/", "rss"),
                      ("/feeds/news/atom/", "atom"), ("/feeds/technologies/", "rss"),
                      ("/feeds/technologies/atom/", "atom")):  # fmt: skip
        assert f'<link rel="alternate" type="application/{kind}+xml" href="{url}"' in head
    english = client.get("/en/technologies/").content.decode().split("</head>")[0]
    assert 'href="/en/feeds/technologies/"' in english and "New technologies (RSS)" in english
    assert "Công nghệ mới (RSS)" in client.get("/funded/").content.decode()

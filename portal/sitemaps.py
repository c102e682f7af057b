"""What search engines may read: `/sitemap.xml` (the Wagtail pages of both languages, the
catalogue's published technologies, the published needs and the public lists) and
`/robots.txt` (pointing to it, keeping the signed-in areas out).

Only what a visitor can open goes in: live pages without a view restriction
(`Page.objects.live().public()`), technologies in `published`, needs in `published`."""

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Page

from transfer.models import Technology, TechnologyNeed

LANGUAGES = ["vi", "en"]


class PageSitemap(WagtailSitemap):
    """Wagtail's sitemap over the site's tree in every language (each language has its own
    tree, the translations of the site's home page), live and public pages only.

    A page's location is built on the host the sitemap is asked on: the Wagtail `Site` row of
    the demo says `localhost`, and a sitemap may only list URLs of its own host."""

    def items(self):
        homes = self.get_wagtail_site().root_page.get_translations(inclusive=True)
        pages = Page.objects.none()
        for home in homes:
            pages |= Page.objects.descendant_of(home, inclusive=True)
        return pages.live().public().order_by("path").specific().defer_streamfields()

    def _urls(self, page, protocol, domain):
        urls, last_mods = [], set()
        for item in self.paginator.page(page).object_list:
            parts = item.get_url_parts(self.request)
            if parts is None:
                continue
            lastmod = item.last_published_at or item.latest_revision_created_at
            urls.append(
                {
                    "item": item,
                    "location": self.request.build_absolute_uri(parts[2]),
                    "lastmod": lastmod,
                }
            )
            last_mods.add(lastmod)
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls


class TechnologySitemap(DjangoSitemap):
    """The catalogue's published technologies, under / and /en/."""

    i18n = True
    languages = LANGUAGES

    def items(self):
        return (
            Technology.objects.filter(state=Technology.State.PUBLISHED)
            .order_by("pk")
            .only("pk", "state", "updated_at")
        )

    def lastmod(self, item):
        return item.updated_at


class NeedSitemap(DjangoSitemap):
    """Businesses' published needs, under / and /en/."""

    i18n = True
    languages = LANGUAGES

    def items(self):
        return (
            TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED)
            .order_by("pk")
            .only("pk", "state")
        )


class PublicListSitemap(DjangoSitemap):
    """The public pages that are not Wagtail's: catalogue, needs, statistics, funded tasks."""

    i18n = True
    languages = LANGUAGES

    def items(self):
        return ["technology_list", "need_list", "stats", "funded_list", "document_verify"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "public": PublicListSitemap,
    "technologies": TechnologySitemap,
    "needs": NeedSitemap,
}


@cache_control(public=True, max_age=3600)
def sitemap(request):
    return wagtail_sitemap(request, sitemaps=SITEMAPS)


# The areas behind a sign-in, the API and the site search, in both languages.
PRIVATE_PREFIXES = (
    "/admin/", "/django-admin/", "/api/", "/organisations/", "/accounts/", "/dashboard/",
    "/proposals/", "/reviews/", "/people/", "/deals/", "/technologies/new/", "/technologies/moderation/",
    "/search/", "/_util/", "/technologies/*/edit/", "/technologies/*/files/",
    "/technologies/*/move/", "/technologies/*/interest/", "/needs/*/close/", "/needs/*/publish/",
)  # fmt: skip


@cache_control(public=True, max_age=3600)
def robots_txt(request):
    lines = ["User-agent: *"]
    for prefix in PRIVATE_PREFIXES:
        lines.append(f"Disallow: {prefix}")
        if prefix not in ("/admin/", "/django-admin/", "/api/", "/organisations/"):
            lines.append(f"Disallow: /en{prefix}")
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

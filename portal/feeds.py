"""RSS and Atom feeds of what the public may follow (django.contrib.syndication): open calls,
news and newly published technologies, each in the language of its URL (`/feeds/…` in
Vietnamese, `/en/feeds/…` in English), linked from every page's head (`base.html`).

Only what a visitor can open: calls and news that are live and without a view restriction,
technologies in `published`. Each feed carries the latest FEED_SIZE items."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from wagtail.models import Locale

from cms.models import NewsIndexPage, NewsPage
from grants.models import CallIndexPage
from grants.selectors import open_calls
from transfer.models import Technology

FEED_SIZE = 30


def _index_url(model):
    """The list page of the active language (the calls, the news), or the home page."""
    index = model.objects.live().filter(locale=Locale.get_active()).first()
    return index.url if index else reverse("wagtail_serve", args=[""])


class _PortalFeed(Feed):
    def title(self):
        return f"{self.heading()} — {_('An Giang Innovation Portal')}"

    def feed_url(self):
        return reverse(self.url_name)

    def item_link(self, item):
        return item.url  # a Wagtail page's own URL, in its language's tree


class OpenCallsFeed(_PortalFeed):
    """Calls accepting proposals now, closing soonest first."""

    url_name = "feed_calls"

    def heading(self):
        return _("Open calls for proposals")

    def link(self):
        return _index_url(CallIndexPage)

    def description(self):
        return _("Calls for science and technology proposals of the province, open now.")

    def items(self):
        return open_calls(locale=Locale.get_active()).public()[:FEED_SIZE]

    def item_title(self, call):
        return f"{call.code} · {call.title}"

    def item_description(self, call):
        deadline = timezone.localtime(call.closes_at).strftime("%d/%m/%Y %H:%M")
        return f"{call.summary} — {_('Deadline')}: {deadline} (GMT+7)"

    def item_pubdate(self, call):
        return call.opens_at

    def item_updateddate(self, call):
        return call.last_published_at


class NewsFeed(_PortalFeed):
    """The Department's news, newest first."""

    url_name = "feed_news"

    def heading(self):
        return _("News")

    def link(self):
        return _index_url(NewsIndexPage)

    def description(self):
        return _("News of the Department of Science and Technology.")

    def items(self):
        return (
            NewsPage.objects.live()
            .public()
            .filter(locale=Locale.get_active())
            .order_by("-date", "-first_published_at")[:FEED_SIZE]
        )

    def item_title(self, news):
        return news.title

    def item_description(self, news):
        return news.intro

    def item_pubdate(self, news):
        return news.first_published_at

    def item_updateddate(self, news):
        return news.last_published_at


class TechnologiesFeed(_PortalFeed):
    """Technologies newly published in the catalogue, newest first."""

    url_name = "feed_technologies"

    def heading(self):
        return _("New technologies")

    def link(self):
        return reverse("technology_list")

    def description(self):
        return _("Technologies newly listed in the province's catalogue, ready for transfer.")

    def items(self):
        return (
            Technology.objects.filter(state=Technology.State.PUBLISHED)
            .select_related("sector")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, technology):
        return technology.local_title

    def item_description(self, technology):
        return technology.local_summary

    def item_pubdate(self, technology):
        return technology.published_at

    def item_link(self, technology):
        return technology.get_absolute_url()

    def item_categories(self, technology):
        return [technology.sector.label]


def atom(feed_class):
    """The same feed as Atom 1.0."""

    class AtomFeed(feed_class):
        feed_type = Atom1Feed
        url_name = feed_class.url_name + "_atom"

        def subtitle(self):
            return self.description()

    AtomFeed.__name__ = feed_class.__name__ + "Atom"
    return AtomFeed

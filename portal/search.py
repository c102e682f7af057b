"""One site search (`/search/`): calls, technologies, needs, news and pages in one result list,
grouped by kind, with or without diacritics. Only what any reader may see: live public pages of
the reader's language, published listings and published needs.

A syllable typed with diacritics must be found with them ("nấm" is not "nam"); one typed
without is found in any spelling ("ca tra" finds "cá tra"), and an exact match ranks first.
Listings and needs are searched in the database (folded text, stored words); pages in Python
over their folded text (title, summary, indexed body), since there are a few hundred of them.
The number of queries does not depend on the number of hits.
"""

import re

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Locale, Page
from wagtail.search.models import IndexEntry

from cms.models import NewsPage, StandardPage
from core.text import fold, shorten
from core.words import has_diacritics, query_syllables, search_filter
from grants.models import CallPage
from transfer.catalogue import catalogue
from transfer.models import TechnologyNeed

SHOWN = 5  # results of each kind on the grouped page
PER_PAGE = 10  # on the page of one kind
PAGE_KINDS = {  # kind → (model, its summary field, newest first by)
    "calls": (CallPage, "summary", "-closes_at"),
    "news": (NewsPage, "intro", "-date"),
    "pages": (StandardPage, "intro", "title"),
}
LABELS = {
    "calls": _("Calls for proposals"),
    "technologies": _("Technologies"),
    "needs": _("Technology needs"),
    "news": _("News"),
    "pages": pgettext_lazy("search kind", "Pages"),
}
_SEPARATORS = re.compile(r"[^\w]+")


def padded(text):
    """Lower case, punctuation to spaces, a space at both ends: whole syllables are ` x `."""
    return f" {_SEPARATORS.sub(' ', (text or '').lower())} "


def technologies(query):
    """The catalogue's own search (transfer.catalogue.catalogue): one list, one ranking."""
    _form, found, _sort = catalogue({"q": query, "sort": "relevance"})
    return found.select_related("sector")


def needs(typed):
    found = TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED)
    return (
        search_filter(found, typed)
        .select_related("sector")
        .only("title", "problem", "state", "created_at", "sector")
        .order_by("-relevance", "-created_at", "-pk")
    )


def pages_of(kinds, typed, locale):
    """{kind: [page, ...]} of the live public pages of `kinds` in `locale` that hold every typed
    syllable (folded; as typed when typed with diacritics), the exact phrase first."""
    folded_words = [f" {fold(word)} " for word in typed]
    exact_words = [f" {word} " for word in typed if has_diacritics(word)]
    phrase = f" {' '.join(typed)} "
    bodies = dict(
        IndexEntry.objects.filter(
            content_type__model__in=[PAGE_KINDS[k][0]._meta.model_name for k in kinds],
            content_type__app_label__in={PAGE_KINDS[k][0]._meta.app_label for k in kinds},
        ).values_list("object_id", "body")
    )
    restricted = Page.objects.live().public().filter(locale=locale).values("pk")
    found = {}
    for kind in kinds:
        model, summary, order = PAGE_KINDS[kind]
        rows = []
        candidates = (
            model.objects.live()
            .filter(locale=locale, pk__in=restricted)
            .defer_streamfields()
            .order_by(order)
        )
        for page in candidates:
            text = padded(
                " ".join([page.title, getattr(page, summary), bodies.get(str(page.pk), "")])
            )
            folded = fold(text)
            if all(w in folded for w in folded_words) and all(w in text for w in exact_words):
                page.search_summary = getattr(page, summary)
                rows.append((0 if phrase in text else 1, page))
        found[kind] = [page for _rank, page in sorted(rows, key=lambda row: row[0])]
    return found


def search(request):
    """Site search over calls, technologies, needs, news and pages, grouped by kind."""
    # No NUL or other control characters in what is searched or shown.
    query = "".join(c for c in request.GET.get("q", "") if c.isprintable()).strip()[:100]
    typed = query_syllables(query)[:8]
    kind = request.GET.get("kind", "")
    if kind not in LABELS:
        kind = ""
    groups = []
    total = 0
    page_obj = None
    if typed:
        wanted = [kind] if kind else list(LABELS)
        locale = Locale.get_active()
        # the site's root paths, which every page link needs, read once whether or not a page
        # is found (Wagtail keeps them on the request), so the query count stays the same
        Page()._get_site_root_paths(request)
        pages = pages_of([k for k in wanted if k in PAGE_KINDS], typed, locale)
        for name in wanted:
            if name in PAGE_KINDS:
                items = pages[name]
                count = len(items)
            else:
                found = technologies(query) if name == "technologies" else needs(typed)
                count = found.count()
                items = found
            total += count
            if kind:
                page_obj = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
                shown = list(page_obj.object_list)
            else:
                shown = list(items[:SHOWN])  # even when empty: the same queries every time
            groups.append(
                {
                    "kind": name,
                    "label": LABELS[name],
                    "count": count,
                    "items": shown,
                    "more": _more_link(name, query),
                }
            )
        for technology in (
            g for group in groups if group["kind"] == "technologies" for g in group["items"]
        ):
            technology.search_summary = shorten(technology.local_summary, 200)
        for need in (n for group in groups if group["kind"] == "needs" for n in group["items"]):
            need.search_summary = shorten(need.problem, 200)
    return render(
        request,
        "portal/search.html",
        {
            "query": query,
            "kind": kind,
            "kind_label": LABELS.get(kind, ""),
            "groups": groups,
            "total": total,
            "page_obj": page_obj,
            "kinds": [(name, LABELS[name]) for name in LABELS],
            "extra_query": urlencode({"q": query, "kind": kind}),
        },
    )


def _more_link(kind, query):
    """Where every result of one kind is listed, with the query: the catalogue (and its
    filters), the needs, or this search narrowed to that kind."""
    if kind == "technologies":
        return reverse("technology_list") + "?" + urlencode({"q": query})
    if kind == "needs":
        return reverse("need_list") + "?" + urlencode({"q": query})
    return reverse("search") + "?" + urlencode({"q": query, "kind": kind})

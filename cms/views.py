from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page


def search(request):
    """Site search over live pages in the reader's language (Wagtail search backend)."""
    # No NUL or other control characters: SQLite's full-text query parser fails on them.
    query = "".join(c for c in request.GET.get("q", "") if c.isprintable()).strip()[:200]
    results = Page.objects.none()
    if query:
        pages = Page.objects.live().public().filter(locale=Locale.get_active()).specific()
        results = pages.search(query)
    try:
        page = Paginator(results, 10).get_page(request.GET.get("page"))
    except DatabaseError:  # a query the search backend cannot parse: no results, not a 500
        messages.warning(request, _("This search could not be run; try other words."))
        page = Paginator(Page.objects.none(), 10).get_page(1)
    return render(request, "cms/search.html", {"query": query, "results": page})

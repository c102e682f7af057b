"""A URL conf for the page-cache tests only: the portal's URLs plus public pages a future view could
make: a form with a CSRF token, a page marked `never_cache`, one marked `private` (tests/core/test_page_cache.py)."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.views.decorators.cache import cache_control, never_cache

from portal import urls as portal_urls


def form_page(request):
    token = get_token(request)  # the CSRF middleware then sets the cookie on the answer
    return HttpResponse(f'<form method="post"><input name="csrfmiddlewaretoken" value="{token}">')


@never_cache
def never_cached(request):
    return HttpResponse("<p>for this visitor only</p>")


@cache_control(private=True)
def private(request):
    return HttpResponse("<p>for this visitor only</p>")


urlpatterns = [
    *i18n_patterns(
        path("form-page/", form_page),
        path("never-cached/", never_cached),
        path("private/", private),
        prefix_default_language=False,
    ),
    *portal_urls.urlpatterns,
]

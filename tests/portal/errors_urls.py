"""A URL conf for the error tests only: the portal's own URLs plus two views that fail, one a
page and one under /api/, so that `handler500` answers real requests (tests/portal/test_errors_pages.py)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from portal import urls as portal_urls


def broken_view(request):
    raise RuntimeError("a fault in a view")


urlpatterns = [
    path("api/v1/broken/", broken_view),
    *i18n_patterns(path("broken/", broken_view), prefix_default_language=False),
    *portal_urls.urlpatterns,
]

handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler429 = portal_urls.handler429
handler500 = portal_urls.handler500

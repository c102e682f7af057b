"""The portal's URLs plus /boom/, which raises (a fault in a view, as Sentry should see it)."""

from django.urls import path

from portal.urls import handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


class PortalFault(Exception):
    pass


def boom(request):
    raise PortalFault("the test view failed on purpose")


urlpatterns = [path("boom/", boom), *portal_urlpatterns]

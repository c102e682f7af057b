"""A URL conf for the floor tests only: the portal's URLs plus the benchmark's floor page (the
base template for a signed-in user), so that its query count is asserted in `make test`."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from portal import urls as portal_urls


@login_required
def floor(request):
    return render(request, "benchmarks/floor.html")


def public_floor(request):
    return render(request, "benchmarks/floor.html")


urlpatterns = [
    path("floor/", floor),
    path("floor-public/", public_floor),
    *portal_urls.urlpatterns,
]

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


@login_required
def floor(request):
    """The cheapest page the portal could serve: the base template for a signed-in user."""
    return render(request, "benchmarks/floor.html")


def public_floor(request):
    """The same floor for a visitor who is not signed in (the catalogue is public)."""
    return render(request, "benchmarks/floor.html")


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/floor-public/", public_floor),
    *portal_urlpatterns,
]

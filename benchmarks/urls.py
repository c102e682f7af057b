from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


@login_required
def floor(request):
    """The cheapest page the portal could serve: the base template for a signed-in user."""
    return render(request, "benchmarks/floor.html")


@login_required
def bare(request):
    """Below the floor: the middleware stack and `request.user`, no template, no site settings."""
    return HttpResponse(request.user.get_username(), content_type="text/plain")


def public_floor(request):
    """The same floor for a visitor who is not signed in (the catalogue is public)."""
    return render(request, "benchmarks/floor.html")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/floor/", floor),
    path("bench/floor-public/", public_floor),
    *portal_urlpatterns,
]

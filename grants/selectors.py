from django.utils import timezone

from grants.models import CallPage


def open_calls(*, locale=None, now=None):
    """Live calls accepting proposals now, closing soonest first."""
    now = now or timezone.now()
    calls = CallPage.objects.live().filter(opens_at__lte=now, closes_at__gt=now)
    if locale is not None:
        calls = calls.filter(locale=locale)
    return calls.order_by("closes_at").prefetch_related("sectors")

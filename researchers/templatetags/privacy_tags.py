from django import template
from django.db.models import Count, Q
from django.utils import timezone

from researchers.models import DataRequest

register = template.Library()


@register.simple_tag
def privacy_request_counts():
    """Open personal-data requests and how many of them are past their legal deadline, for the
    officer's dashboard."""
    return DataRequest.objects.filter(state=DataRequest.State.OPEN).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=timezone.now()))
    )

"""What pages outside `projects` (the proposal page of `grants`) show of a running task, through
template tags, so that `grants` never imports `projects`."""

from django import template
from django.utils import timezone

from projects.models import ProgressReport

register = template.Library()


@register.simple_tag
def report_status(proposal):
    """The proposal's progress reports at a glance: how many, which are overdue, the next one
    due; None when the proposal has no signed contract (nothing to report yet)."""
    today = timezone.localdate()
    reports = list(
        ProgressReport.objects.filter(
            contract__proposal_id=proposal.pk, contract__signed_at__isnull=False
        ).order_by("number")
    )
    if not reports:
        return None
    waiting = [r for r in reports if r.state in ("draft", "returned")]
    return {
        "count": len(reports),
        "accepted": sum(1 for r in reports if r.state == "accepted"),
        "overdue": [r for r in waiting if r.is_overdue(today)],
        "next": next((r for r in waiting if not r.is_overdue(today)), None),
    }

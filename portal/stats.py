"""The public figures of the programme: /stats/ and /api/v1/stats/ read the same numbers.

Only aggregates are public here: how many calls, dossiers, funded tasks, listings and completed
transfers, and how much money, per year and per sector. Nothing names a person or a single deal.
A fixed handful of aggregate queries, whatever the amount of data.
"""

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from grants.models import FUNDED_STATES as FUNDED


def _sector(row, prefix="sector__"):
    return {
        "slug": row[f"{prefix}slug"],
        "name": row[f"{prefix}name"],
        "name_en": row[f"{prefix}name_en"] or row[f"{prefix}name"],
    }


def figures(now=None):
    """A dictionary of plain numbers (money in whole VND), ready for a template or JSON."""
    from grants.models import CallPage, Proposal
    from transfer.models import Technology, TechnologyNeed, TransferDeal

    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    calls = CallPage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE)
    call_totals = calls.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(opens_at__lte=now, closes_at__gt=now)),
        open_budget=Sum("total_budget", filter=Q(opens_at__lte=now, closes_at__gt=now)),
        budget=Sum("total_budget"),
    )
    received = Proposal.objects.filter(submitted_at__isnull=False)
    funded = Q(state__in=FUNDED)
    measures = {
        "received": Count("pk"),
        "funded": Count("pk", filter=funded),
        "approved": Sum("approved_amount", filter=funded),
    }
    proposal_totals = received.aggregate(**measures)
    by_year = (
        received.annotate(year=ExtractYear("submitted_at", tzinfo=zone))
        .values("year")
        .annotate(**measures)
        .order_by("year")
    )
    by_sector = (
        received.values("sector__slug", "sector__name", "sector__name_en")
        .annotate(**measures)
        .order_by("-received", "sector__slug")
    )
    technologies = (
        Technology.objects.filter(state=Technology.State.PUBLISHED)
        .values("sector__slug", "sector__name", "sector__name_en")
        .annotate(n=Count("pk"), from_projects=Count("pk", filter=Q(source_proposal__isnull=False)))
        .order_by("-n", "sector__slug")
    )
    completed = TransferDeal.objects.filter(state=TransferDeal.State.COMPLETED)
    transfers = completed.aggregate(n=Count("pk"), value=Sum("value"))
    transfers_by_year = (
        completed.annotate(year=ExtractYear("signed_on"))
        .values("year")
        .annotate(n=Count("pk"), value=Sum("value"))
        .order_by("year")
    )
    technology_rows = [
        {"sector": _sector(row), "published": row["n"], "from_projects": row["from_projects"]}
        for row in technologies
    ]
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "calls": {
            "total": call_totals["total"],
            "open": call_totals["open"],
            "open_budget": call_totals["open_budget"] or 0,
            "budget": call_totals["budget"] or 0,
        },
        "proposals": {
            "received": proposal_totals["received"],
            "funded": proposal_totals["funded"],
            "approved_amount": proposal_totals["approved"] or 0,
            "by_year": [
                {
                    "year": row["year"],
                    "received": row["received"],
                    "funded": row["funded"],
                    "approved_amount": row["approved"] or 0,
                }
                for row in by_year
            ],  # fmt: skip
            "by_sector": [
                {
                    "sector": _sector(row),
                    "received": row["received"],
                    "funded": row["funded"],
                    "approved_amount": row["approved"] or 0,
                }
                for row in by_sector
                if row["sector__slug"]
            ],  # fmt: skip
        },
        "technologies": {
            "published": sum(row["published"] for row in technology_rows),
            "by_sector": technology_rows,
        },
        "needs": {
            "published": TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED).count()
        },
        "transfers": {
            "completed": transfers["n"],
            "value": transfers["value"] or 0,
            "by_year": [
                {"year": row["year"], "completed": row["n"], "value": row["value"] or 0}
                for row in transfers_by_year
            ],
        },
    }

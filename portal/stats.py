"""The public figures of the programme: /stats/ and /api/v1/stats/ read the same numbers.

Only aggregates are public here: how many calls, dossiers, funded tasks, listings and completed
transfers, and how much money, per call, per year and per sector. Nothing names a person or a
single deal. A fixed handful of aggregate queries, whatever the amount of data.

`figures(year, sector)` computes; `cached_figures(year, sector)` is what the page and the API call:
the same dictionary from the cache, under a key that carries `core.figures_version.current()`,
so that any committed state change (`core.transitions.fire` bumps it) forgets every cached copy.
"""

from django import forms
from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import figures_version
from grants.models import FUNDED_STATES as FUNDED

# The years a filter may name: the Department's records start long after 2000.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# How long a cached copy may live even if nothing bumps the version: "calls open now" changes
# with the clock alone.
CACHE_SECONDS = 300
TRL_LEVELS = range(1, 10)
ENDED = ("completed", "transferred", "terminated")
ACCEPTED = ("completed", "transferred")


class StatsFilter(forms.Form):
    """`?year=` and `?sector=` of /stats/ and /api/v1/stats/ (blank means all)."""

    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": _("Give a year as four digits, e.g. 2025."),
            "min_value": _("Give a year from %(limit_value)s on."),
            "max_value": _("Give a year up to %(limit_value)s."),
        },
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=None,
        to_field_name="slug",
        empty_label=_("All sectors"),
        error_messages={"invalid_choice": _("There is no such sector: choose one from the list.")},
    )

    def __init__(self, *args, **kwargs):
        from cms.models import Sector

        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("sort_order", "slug")
        self.fields["year"].widget.attrs.update({"inputmode": "numeric", "placeholder": "2025"})

    def clean_year(self):
        # "٢٠٢٥" or "２０２５" pass int(); a year is written in ASCII digits here.
        raw = (self.data.get("year") or "").strip()
        if raw and not (raw.isascii() and raw.isdigit()):
            raise forms.ValidationError(self.fields["year"].error_messages["invalid"])
        return self.cleaned_data.get("year")

    def choices(self):
        """(year, sector slug) once valid; (None, None) means everything."""
        sector = self.cleaned_data.get("sector")
        return self.cleaned_data.get("year"), (sector.slug if sector else None)


def _sector(row, prefix="sector__"):
    return {
        "slug": row[f"{prefix}slug"],
        "name": row[f"{prefix}name"],
        "name_en": row[f"{prefix}name_en"] or row[f"{prefix}name"],
    }


def _rate(part, whole):
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def _days(duration):
    return duration.total_seconds() / 86400


def figures(year=None, sector=None, now=None):
    """A dictionary of plain numbers (money in whole VND), ready for a template or JSON.

    `year` keeps calls opening that year, dossiers received that year (and their decisions,
    completion and transfer counted among them), technologies published that year and deals
    signed that year; `sector` (a slug) keeps calls listing the sector, dossiers and
    technologies of the sector, deals on its technologies and needs in it."""
    from grants.models import CallPage, Proposal
    from transfer.models import Technology, TechnologyNeed, TransferDeal

    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    calls = CallPage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE)
    received = Proposal.objects.filter(submitted_at__isnull=False)
    technologies = Technology.objects.filter(state=Technology.State.PUBLISHED)
    completed = TransferDeal.objects.filter(state=TransferDeal.State.COMPLETED)
    needs = TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED)
    # The dossiers of a call that count in its row: received, and within the filter.
    in_call = Q(proposals__submitted_at__isnull=False)
    if year:
        calls = calls.filter(opens_at__year=year)
        received = received.filter(submitted_at__year=year)  # in the local time zone
        in_call &= Q(proposals__submitted_at__year=year)
        technologies = technologies.filter(published_at__year=year)
        completed = completed.filter(signed_on__year=year)
    if sector:
        calls = calls.filter(sectors__slug=sector)
        received = received.filter(sector__slug=sector)
        in_call &= Q(proposals__sector__slug=sector)
        technologies = technologies.filter(sector__slug=sector)
        completed = completed.filter(technology__sector__slug=sector)
        needs = needs.filter(sector__slug=sector)

    is_open = Q(opens_at__lte=now, closes_at__gt=now)
    call_totals = calls.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=is_open),
        open_budget=Sum("total_budget", filter=is_open),
        budget=Sum("total_budget"),
    )
    per_call = list(
        calls.values("pk", "code", "title", "translation_key", "total_budget")
        .annotate(
            received=Count("proposals", filter=in_call),
            funded=Count("proposals", filter=in_call & Q(proposals__state__in=FUNDED)),
            approved=Sum("proposals__approved_amount", filter=in_call & Q(proposals__state__in=FUNDED)),
        )
        .order_by("opens_at", "code", "pk")
    )  # fmt: skip
    english = dict(
        CallPage.objects.live()
        .filter(locale__language_code="en", translation_key__in=[c["translation_key"] for c in per_call])
        .values_list("translation_key", "title")
    )  # fmt: skip

    funded = Q(state__in=FUNDED)
    measures = {
        "received": Count("pk"),
        "funded": Count("pk", filter=funded),
        "approved": Sum("approved_amount", filter=funded),
    }
    proposal_totals = received.aggregate(
        **measures,
        decided=Count("pk", filter=Q(decided_at__isnull=False)),
        ended=Count("pk", filter=Q(state__in=ENDED)),
        accepted=Count("pk", filter=Q(state__in=ACCEPTED)),
        transferred=Count("pk", filter=Q(state="transferred")),
    )
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
    # The median wait from receipt to the funding decision: the one or two middle rows only.
    decided = proposal_totals["decided"]
    waits = [
        _days(wait)
        for wait in received.filter(decided_at__isnull=False)
        .annotate(wait=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()))
        .order_by("wait", "pk")
        .values_list("wait", flat=True)[(decided - 1) // 2 : decided // 2 + 1]
    ] if decided else []  # fmt: skip

    technologies_by_sector = (
        technologies.values("sector__slug", "sector__name", "sector__name_en")
        .annotate(n=Count("pk"), from_projects=Count("pk", filter=Q(source_proposal__isnull=False)))
        .order_by("-n", "sector__slug")
    )
    by_trl = dict(technologies.values("trl").annotate(n=Count("pk")).values_list("trl", "n"))
    transfers = completed.aggregate(n=Count("pk"), value=Sum("value"))
    transfers_by_year = (
        completed.annotate(year=ExtractYear("signed_on"))
        .values("year")
        .annotate(n=Count("pk"), value=Sum("value"))
        .order_by("year")
    )
    technology_rows = [
        {"sector": _sector(row), "published": row["n"], "from_projects": row["from_projects"]}
        for row in technologies_by_sector
    ]
    accepted, ended = proposal_totals["accepted"], proposal_totals["ended"]
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "filters": {"year": year, "sector": sector},
        "calls": {
            "total": call_totals["total"],
            "open": call_totals["open"],
            "open_budget": call_totals["open_budget"] or 0,
            "budget": call_totals["budget"] or 0,
            "by_call": [
                {
                    "code": row["code"],
                    "title": row["title"],
                    "title_en": english.get(row["translation_key"]) or row["title"],
                    "budget": row["total_budget"] or 0,
                    "received": row["received"],
                    "funded": row["funded"],
                    "approved_amount": row["approved"] or 0,
                }
                for row in per_call
            ],  # fmt: skip
        },
        "proposals": {
            "received": proposal_totals["received"],
            "funded": proposal_totals["funded"],
            "approved_amount": proposal_totals["approved"] or 0,
            "decided": decided,
            "median_days_to_decision": (round(sum(waits) / len(waits), 1) if waits else None),
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
        "rates": {
            # Of the funded tasks that have ended, the share that passed final acceptance.
            "ended": ended,
            "completed": accepted,
            "completion_rate": _rate(accepted, ended),
            # Of the tasks that passed acceptance, the share with a result transferred.
            "transferred": proposal_totals["transferred"],
            "transfer_rate": _rate(proposal_totals["transferred"], accepted),
        },
        "technologies": {
            "published": sum(row["published"] for row in technology_rows),
            "by_sector": technology_rows,
            "by_trl": [{"trl": level, "published": by_trl.get(level, 0)} for level in TRL_LEVELS],
        },
        "needs": {"published": needs.count()},
        "transfers": {
            "completed": transfers["n"],
            "value": transfers["value"] or 0,
            "by_year": [
                {"year": row["year"], "completed": row["n"], "value": row["value"] or 0}
                for row in transfers_by_year
            ],
        },
    }


def cached_figures(year=None, sector=None):
    """`figures(year, sector)`, from the cache while no transition has changed a figure (and for
    at most CACHE_SECONDS). The cache unreachable, the figures are computed each time."""
    return figures_version.cached(
        f"stats:figures:{year or '-'}:{sector or '-'}",
        lambda: figures(year, sector),
        timeout=CACHE_SECONDS,
    )

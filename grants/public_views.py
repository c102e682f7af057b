"""Public selection results: the tasks the Department decided to fund, kept for good at
`/funded/` (each call's page lists its own, `CallPage.get_context`). What a funding decision
publishes — host organisation, principal investigator, approved amount, duration — and nothing
of the dossier behind it."""

from django import forms
from django.core.paginator import Paginator
from django.db.models.functions import ExtractYear
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cms.models import Sector
from grants.selectors import call_titles, funded_tasks

ON_OFFER = {"invalid_choice": _("Choose one of the values in the list.")}


class FundedFilter(forms.Form):
    call = forms.ChoiceField(label=_("Call"), required=False, error_messages=ON_OFFER)
    sector = forms.ChoiceField(label=_("Sector"), required=False, error_messages=ON_OFFER)
    year = forms.ChoiceField(
        label=_("Year of the decision"), required=False, error_messages=ON_OFFER
    )

    def __init__(self, *args, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        calls = tasks.order_by().values_list("call__code", "call__title").distinct()
        titles = call_titles(code for code, _title in calls)  # English under /en/
        self.fields["call"].choices = everything + sorted(
            (code, f"{code} · {titles.get(code, title)}") for code, title in calls
        )
        used = set(tasks.order_by().values_list("sector_id", flat=True))
        self.fields["sector"].choices = everything + [
            (s.slug, s.label) for s in Sector.objects.filter(pk__in=used)
        ]
        years = tasks.order_by().annotate(y=ExtractYear("decided_at")).values_list("y", flat=True)
        self.fields["year"].choices = everything + [
            (str(y), str(y)) for y in sorted(set(years), reverse=True)
        ]


def funded_list(request):
    """Every funded task, newest decision first, filterable by call, sector and decision year;
    a value that is not on offer is told by its field and the list stays whole."""
    tasks = funded_tasks()
    form = FundedFilter(request.GET or None, tasks=tasks)
    shown = tasks
    if form.is_bound:
        form.is_valid()
        wanted = getattr(form, "cleaned_data", {})
        if wanted.get("call"):
            shown = shown.filter(call__code=wanted["call"])
        if wanted.get("sector"):
            shown = shown.filter(sector__slug=wanted["sector"])
        if wanted.get("year"):
            shown = shown.filter(decided_at__year=int(wanted["year"]))
    page = Paginator(shown, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grants/funded_list.html",
        {"form": form, "page_obj": page, "extra_query": query.urlencode()},
    )

"""The catalogue's and the needs' filters, defined once (django-filter) for their page, the site
search and the API (`/api/v1/technologies/`, `/api/v1/needs/`, and their CSV export)."""

from django import forms
from django.db.models import Case, IntegerField, TextField, Value, When
from django.db.models.functions import Replace
from django.utils.translation import gettext_lazy as _

from cms.models import Sector
from core.fields import MAX_ID, AsciiIntegerField
from core.filters import FieldFilter, PortalFilterSet
from core.rest import integer_parameter, slug_parameter, text_parameter
from core.text import fold
from core.words import has_diacritics, query_syllables, search_filter, whole_folded
from researchers import pickers
from researchers.pickers import OrganisationField
from transfer.models import IPStatus, Technology, TechnologyNeed, TransferMode

SEARCH_WORDS = 8  # syllables of a search that count


def _enum(values):
    return {"type": "string", "enum": ["", *values]}


class SectorFilterSet(PortalFilterSet):
    """A FilterSet with a `sector` filter by slug among the sectors there are: those the page
    has already loaded for its menu (`sectors`), or all of them (one query)."""

    def __init__(self, data=None, queryset=None, *, sectors=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.sectors = {
            sector.slug: sector for sector in (Sector.objects.all() if sectors is None else sectors)
        }
        self.form.fields["sector"].choices = [("", "")] + [(slug, slug) for slug in self.sectors]

    def by_sector(self, queryset, _name, value):
        return queryset.filter(sector=self.sectors[value])


class TechnologyFilter(SectorFilterSet):
    """Published technologies: whole-word search (diacritics optional, but kept when typed),
    sector, readiness, IP, transfer mode, owner (an id or a name), budget, and the order."""

    # The menu's first entry sorts by relevance when there is a search, by date when there is
    # none: a visitor who opens the catalogue, then types words, gets the best matches first
    # (a menu that had kept "Newest" would have sorted them by date). "relevance" stays valid
    # for links made before.
    SORTS = [
        ("", _("Best match")),
        ("newest", _("Newest")),
        ("trl", _("Readiness (TRL)")),
    ]

    q = FieldFilter(
        forms.CharField, label=_("Search"), max_length=100, method="search",
        schema=text_parameter(100), description="Words to find, with or without diacritics",
    )  # fmt: skip
    sector = FieldFilter(
        forms.ChoiceField, label=_("Sector"), method="by_sector",
        schema=slug_parameter(), description="A sector slug, e.g. rice",
    )  # fmt: skip
    trl_min = FieldFilter(
        AsciiIntegerField, label=_("Readiness at least"), min_value=1, max_value=9,
        field_name="trl", lookup_expr="gte",
        schema=integer_parameter(1, 9), description="Lowest readiness level (1–9)",
    )  # fmt: skip
    ip = FieldFilter(
        forms.ChoiceField, label=_("Intellectual property"),
        choices=[("", ""), *IPStatus.choices], field_name="ip_status",
        schema=_enum(IPStatus.values), description="An IP status, e.g. patent",
    )  # fmt: skip
    mode = FieldFilter(
        forms.ChoiceField, label=_("Transfer mode"),
        choices=[("", ""), *TransferMode.choices], method="by_mode",
        schema=_enum(TransferMode.values), description="A transfer mode, e.g. licence",
    )  # fmt: skip
    # An owner's id (links, the API) or name (the page's picker): researchers.pickers. The API
    # documents the id.
    organisation = FieldFilter(
        OrganisationField, label=_("Owner"), method="by_owner",
        schema=integer_parameter(1, MAX_ID), description="An owner organisation's id",
    )  # fmt: skip
    # A budget: listings with an indicative price within it (negotiable ones have none).
    price_max = FieldFilter(
        AsciiIntegerField, label=_("Budget"), min_value=1, max_value=MAX_ID,
        field_name="price", lookup_expr="lte",
        schema=integer_parameter(1, MAX_ID), description="Budget in VND: priced at most this",
    )  # fmt: skip
    sort = FieldFilter(
        forms.ChoiceField, label=_("Sort by"),
        choices=[*SORTS, ("relevance", _("Relevance"))], method="by_nothing",
        schema=_enum(["relevance", "newest", "trl"]), description="relevance, newest or trl",
    )  # fmt: skip

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Technology.objects.all()
        super().__init__(data, queryset.filter(state=Technology.State.PUBLISHED), **kwargs)

    def typed(self):
        return query_syllables(self.data_used.get("q") or "")[:SEARCH_WORDS]

    def search(self, technologies, _name, _value):
        typed = self.typed()
        # Every syllable as its whole self in the Vietnamese words (" nấm " is not " nam ").
        technologies = technologies.annotate(
            syllables=Replace("words", Value("_"), Value(" "), output_field=TextField())
        )
        for word in typed:
            # The folded text (with the English version; trigram index on PostgreSQL) finds
            # "lúa gạo" for "lua gao"; a syllable typed with diacritics must be found with them.
            technologies = technologies.filter(**whole_folded("search_text", fold(word)))
            if has_diacritics(word):
                technologies = technologies.filter(syllables__contains=f" {word} ")
        return technologies

    def by_mode(self, technologies, _name, value):
        return technologies.filter(transfer_modes__icontains=f'"{value}"')

    def by_owner(self, technologies, _name, value):
        return pickers.narrowed(technologies, value)

    def by_nothing(self, queryset, _name, _value):
        return queryset  # the order is the FilterSet's last step (filter_queryset)

    @property
    def order(self):
        """The order chosen (relevance when words are searched, else newest, by default)."""
        typed = self.typed()
        return self.data_used.get("sort") or ("relevance" if typed else "newest")

    def filter_queryset(self, queryset):
        return self.ordered(super().filter_queryset(queryset))

    @property
    def qs(self):
        # An empty search is ordered too (an unbound FilterSet filters nothing).
        return super().qs if self.is_bound else self.ordered(self.queryset.all())

    def ordered(self, technologies):
        typed = self.typed()
        sort = self.order
        if sort == "trl":
            return technologies.order_by("-trl", "-published_at", "-pk")
        if sort == "relevance" and typed:
            phrase = " ".join(fold(word) for word in typed)
            return technologies.annotate(
                relevance=Case(
                    # as typed, diacritics and all, first; then the folded phrase
                    When(syllables__contains=f" {' '.join(typed)} ", then=Value(4)),
                    When(search_text__startswith=phrase, then=Value(3)),
                    When(search_text__contains=phrase, then=Value(2)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            ).order_by("-relevance", "-published_at", "-pk")
        return technologies.order_by("-published_at", "-pk")


class NeedFilter(SectorFilterSet):
    """Published business needs: sector, and whole-word search (the site search's "all needs"
    link), best matches first; newest first otherwise."""

    sector = FieldFilter(
        forms.ChoiceField, label=_("Sector"), method="by_sector",
        schema=slug_parameter(), description="A sector slug, e.g. rice",
    )  # fmt: skip
    q = FieldFilter(
        forms.CharField, label=_("Search"), max_length=100, method="search",
        schema=text_parameter(100), description="Words to find, with or without diacritics",
    )  # fmt: skip

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = TechnologyNeed.objects.all()
        needs = queryset.filter(state=TechnologyNeed.State.PUBLISHED).order_by("-created_at", "-pk")
        super().__init__(data, needs, **kwargs)

    def search(self, needs, _name, value):
        typed = query_syllables(value)[:SEARCH_WORDS]
        if not typed:
            return needs
        return search_filter(needs, typed).order_by("-relevance", "-created_at", "-pk")

    @property
    def sector_chosen(self):
        return self.sectors.get(self.data_used.get("sector") or "")

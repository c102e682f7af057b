"""The catalogue's query (filters, whole-word search, sorts) and its menus, shared by the
catalogue page, the site search (`portal.search`) and the API; who may see a listing."""

from django.core.cache import cache
from django.db.models import Case, IntegerField, TextField, Value, When
from django.db.models.functions import Replace

from cms.models import Sector
from core import roles
from core.fields import ignored_filters
from core.text import fold
from core.words import has_diacritics, query_syllables, whole_folded
from researchers import pickers
from transfer import forms
from transfer.models import Technology


def catalogue(params, sectors=None):
    """Published technologies filtered by the GET parameters; returns (form, queryset, sort).

    `sectors`: all sectors when the caller has them already (the page shows them as a menu)."""
    form = forms.CatalogueFilter(
        params, sectors=Sector.objects.all() if sectors is None else sectors
    )
    technologies = Technology.objects.filter(state=Technology.State.PUBLISHED)
    data, form.ignored = ignored_filters(form)  # a filter that does not validate is left out
    typed = query_syllables(data.get("q") or "")[:8]
    words = [fold(word) for word in typed]
    if typed:
        # Every syllable as its whole self in the Vietnamese words (" nấm " is not " nam ").
        technologies = technologies.annotate(
            syllables=Replace("words", Value("_"), Value(" "), output_field=TextField())
        )
    for word, folded in zip(typed, words, strict=True):
        # The folded text (with the English version; trigram index on PostgreSQL) finds
        # "lúa gạo" for "lua gao"; a syllable typed with diacritics must be found with them.
        technologies = technologies.filter(**whole_folded("search_text", folded))
        if has_diacritics(word):
            technologies = technologies.filter(syllables__contains=f" {word} ")
    if data.get("sector"):
        technologies = technologies.filter(sector=data["sector"])
    if data.get("trl_min"):
        technologies = technologies.filter(trl__gte=data["trl_min"])
    if data.get("ip"):
        technologies = technologies.filter(ip_status=data["ip"])
    if data.get("mode"):
        technologies = technologies.filter(transfer_modes__icontains=f'"{data["mode"]}"')
    if data.get("organisation"):
        technologies = pickers.narrowed(technologies, data["organisation"])
    if data.get("price_max"):
        # A budget: listings with an indicative price within it (negotiable ones have none).
        technologies = technologies.filter(price__lte=data["price_max"])
    sort = data.get("sort") or ("relevance" if words else "newest")
    if sort == "trl":
        technologies = technologies.order_by("-trl", "-published_at", "-pk")
    elif sort == "relevance" and words:
        phrase = " ".join(words)
        technologies = technologies.annotate(
            relevance=Case(
                # as typed, diacritics and all, first; then the folded phrase
                When(syllables__contains=f" {' '.join(typed)} ", then=Value(4)),
                When(search_text__startswith=phrase, then=Value(3)),
                When(search_text__contains=phrase, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("-relevance", "-published_at", "-pk")
    else:
        technologies = technologies.order_by("-published_at", "-pk")
    return form, technologies, sort


MENU_KEYS = ("catalogue:sectors",)


def forget_menus(**_kwargs):
    """A sector changed: the catalogue's menu of sectors is read again (signal receiver)."""
    cache.delete_many(MENU_KEYS)


def catalogue_sectors():
    """All sectors, for the catalogue's filters and cards. They change a few times a year, so
    they are cached (and forgotten on every change, see `forget_menus`) instead of being
    queried, or joined, on every page of the catalogue. (Owners are too many for a menu: the
    catalogue picks them by name, researchers.pickers.)"""
    return cache.get_or_set(MENU_KEYS[0], lambda: list(Sector.objects.all()), 3600)


def visible_to(technology, user):
    """Published listings are public; the others are seen by the owner, officers, and the
    businesses already in a deal on it (a listing under re-moderation stays readable to them)."""
    if technology.state == Technology.State.PUBLISHED:
        return True
    return user.is_authenticated and (
        technology.owner_id == user.pk
        or roles.has_role(user, roles.OFFICER)
        or technology.deals.filter(business=user).exists()
    )

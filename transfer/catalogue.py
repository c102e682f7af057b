"""The catalogue's query (filters, whole-word search, sorts) and its menus, shared by the
catalogue page, the site search (`portal.search`) and the API; who may see a listing."""

from django.core.cache import cache

from cms.models import Sector
from core import roles
from transfer.filters import TechnologyFilter
from transfer.models import Technology


def catalogue(params, sectors=None):
    """Published technologies filtered by the GET parameters (transfer.filters.TechnologyFilter);
    returns (filterset, queryset, sort). A filter that does not validate is left out, its
    message in `filterset.notes`.

    `sectors`: all sectors when the caller has them already (the page shows them as a menu)."""
    filterset = TechnologyFilter(params, sectors=sectors)
    return filterset, filterset.qs, filterset.order


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

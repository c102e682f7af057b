from django import template
from django.utils import translation

from core.text import shorten as _shorten
from core.text import vnd

register = template.Library()


@register.filter
def shorten(text, limit):
    """`core.text.shorten` in templates: {{ summary|shorten:220 }}."""
    return _shorten(text, int(limit))


register.filter("vnd", vnd)


@register.filter
def has_role(user, role):
    from core.roles import has_role as _has_role

    return _has_role(user, role)


def billions(amount):
    """1_500_000_000 → '1,5 tỷ đồng' (vi) or 'VND 1.5 billion' (en)."""
    value = f"{amount / 1_000_000_000:.1f}".rstrip("0").rstrip(".")
    if translation.get_language() == "en":
        return f"VND {value} billion"
    return f"{value.replace('.', ',')} tỷ đồng"


@register.simple_tag(takes_context=True)
def open_calls_for_home(context, limit=3):
    from wagtail.models import Locale

    from core.page_cache import keep_until
    from grants.selectors import open_calls

    calls = list(open_calls(locale=Locale.get_active())[:limit])
    request = context.get("request")
    if request is not None:
        for call in calls:  # a cached home page drops a call the moment it closes
            keep_until(request, call.next_change())
    return calls


@register.simple_tag
def headline_figures():
    """The home page's figures, computed from the data rather than typed in by editors."""
    from django.contrib.auth.models import Group
    from django.db.models import Sum
    from django.utils.translation import gettext as _
    from wagtail.models import Locale

    from core.roles import RESEARCHER
    from grants.selectors import open_calls
    from researchers.models import Organisation

    calls = open_calls(locale=Locale.get_active())
    budget = calls.aggregate(total=Sum("total_budget"))["total"] or 0
    researchers = Group.objects.get(name=RESEARCHER).user_set.filter(is_active=True).count()
    return [
        {"value": calls.count(), "label": _("calls open now")},
        {"value": billions(budget), "label": _("in open calls")},
        {
            "value": Organisation.objects.exclude(kind=Organisation.Kind.AGENCY).count(),
            "label": _("member organisations"),
        },
        {"value": researchers, "label": _("registered researchers")},
    ]


@register.filter
def get_item(mapping, key):
    """`{{ scores|get_item:criterion.key }}`: a dictionary value by a computed key."""
    if not hasattr(mapping, "get"):
        return ""
    value = mapping.get(key, "")
    return "" if value is None else value

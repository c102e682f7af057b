"""The organisation pickers of the officers' queue and the public catalogue: a text field that
takes an organisation's name (typed with or without diacritics, or its short name or tax code;
a name chosen from the suggestions picks exactly that organisation) or its id (links, the API),
with suggestions as one types (`suggest`). A province has thousands of organisations: a menu
listing all of them would weigh more than the page around it."""

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import JsonResponse
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.fields import valid_id
from core.text import fold
from researchers.models import Organisation

SUGGESTIONS = 10
MIN_LETTERS = 2
MAX_LENGTH = 100


class OrganisationField(forms.CharField):
    """A picker's value: a name (any text without NUL), or an organisation's number written in
    ASCII digits, which must be a possible id (a filter that does not validate is ignored with
    a message, core.fields.ignored_filters)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        value = " ".join(super().clean(value).split())
        if value.isascii() and value.isdigit() and valid_id(value) is None:
            raise forms.ValidationError(_("No organisation has this number."), code="invalid")
        return value


class OrganisationPickField(OrganisationField):
    """A picker that must name exactly one existing organisation (the membership request):
    its number or tax code, its exact name (as the suggestions give it), or a name, short name or tax code
    that only one organisation has once diacritics and case are set aside. Cleans to the
    `Organisation`, or None when empty."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if value.isascii() and value.isdigit():
            found = (
                Organisation.objects.filter(pk=valid_id(value)).first()
                or Organisation.objects.filter(tax_code=value).first()  # a tax code is digits too
            )
            if found is None:
                raise forms.ValidationError(_("No organisation has this number."), code="invalid")
            return found
        exact = Organisation.objects.filter(name=value).first()
        if exact is not None:
            return exact
        phrase = phrase_of(value)
        candidates = [
            organisation
            for organisation in Organisation.objects.filter(search_name__contains=phrase)[:50]
            if phrase in {phrase_of(organisation.name), phrase_of(organisation.short_name)}
            or value == organisation.tax_code
        ]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise forms.ValidationError(
                _("Several organisations go by this name: choose one among the suggestions."),
                code="ambiguous",
            )
        raise forms.ValidationError(
            _(
                "No organisation by this name yet: choose one among the suggestions, or give "
                "the name of a new organisation below."
            ),
            code="unknown",
        )


def picker_attrs(owners=False):
    """The attributes that make a text input a picker for static/js/picker.js (the page adds
    `<datalist id="organisation-suggestions">` and the script)."""
    url = reverse_lazy("organisation_suggest")
    return {
        "type": "search",
        "list": "organisation-suggestions",
        "autocomplete": "off",
        "data-suggest": format_lazy("{}{}", url, "?owners=1" if owners else ""),
        "placeholder": _("Name or short name"),
    }


def phrase_of(text):
    return " ".join(fold(text or "").split())[:MAX_LENGTH]


def narrowed(queryset, value, field="organisation"):
    """`queryset` limited to the organisation(s) `value` names (see the module's doc)."""
    value = " ".join((value or "").split())
    if not value:
        return queryset
    if value.isascii() and value.isdigit():
        pk = valid_id(value)
        return queryset.filter(**{f"{field}_id": pk}) if pk else queryset.none()
    exact = Organisation.objects.filter(name=value)
    if exact.exists():
        return queryset.filter(**{f"{field}__in": exact})
    phrase = phrase_of(value)
    return queryset.filter(**{f"{field}__search_name__contains": phrase})


def shown(value):
    """What the picker's field shows for `value`: the organisation's name for an id."""
    value = " ".join((value or "").split())
    if value.isascii() and value.isdigit():
        pk = valid_id(value)
        name = (
            Organisation.objects.filter(pk=pk).values_list("name", flat=True).first()
            if pk
            else None
        )
        return name or ""
    return value


def suggestions(text, *, owners_only=False):
    """At most SUGGESTIONS organisations for what was typed: names starting with it first."""
    phrase = phrase_of(text)
    if len(phrase.replace(" ", "")) < MIN_LETTERS:
        return []
    found = Organisation.objects.filter(search_name__contains=phrase)
    if owners_only:  # the catalogue's owners: not the Department itself
        found = found.exclude(kind=Organisation.Kind.AGENCY)
    found = found.annotate(
        first=Case(
            When(Q(search_name__startswith=phrase), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("first", "name")
    return list(found.values("id", "name", "short_name")[:SUGGESTIONS])


@require_GET
def suggest(request):
    """JSON for the pickers: `?q=` what was typed, `&owners=1` for the catalogue's owners."""
    found = suggestions(request.GET.get("q", ""), owners_only=request.GET.get("owners") == "1")
    return JsonResponse({"results": found})

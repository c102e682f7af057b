"""What the portal's FilterSets (django-filter) share: a filter made of one of the portal's own
form fields (ASCII digits, ids checked before a query, pickers), documented in the API schema
with the raw parameter schemas of `core.rest`; and the backend the API's lists filter with.

One FilterSet per list (grants.filters, transfer.filters) serves its page, its export and its
API: the page leaves out a filter that does not validate with a message by it
(`FilterSet.notes`), the API answers 400 with the messages by parameter (`FieldErrors`)."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from core.fields import ignored_filters


class FieldFilter(django_filters.Filter):
    """A filter whose form field is `field_class` (any Django form field, the portal's own
    included), applied by the FilterSet's `method`; `schema` is the query parameter's schema
    in the API (core.rest's `text_parameter`, `integer_parameter` …, with its description)."""

    def __init__(self, field_class, *, schema=None, description="", **kwargs):
        self.field_class = field_class
        super().__init__(**kwargs)
        if schema is not None:
            extend_schema_field({**schema, "description": description})(self)


class PortalFilterSet(django_filters.FilterSet):
    """A FilterSet whose filters that do not validate are left out (the others still apply)."""

    @property
    def notes(self):
        """A message per filter that did not validate, for the page (core.fields)."""
        if not hasattr(self, "_notes"):
            self._notes = ignored_filters(self.form)[1] if self.is_bound else []
        return self._notes

    @property
    def data_used(self):
        """The filters that validated ({} when none was given)."""
        if not self.is_bound:
            return {}
        self.errors  # noqa: B018 - validates the form
        return self.form.cleaned_data


class ListFilterBackend(DjangoFilterBackend):
    """The API's lists filter by their FilterSet (a value that does not validate: 400 with a
    message by parameter); one object's page takes no filter."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)

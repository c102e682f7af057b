"""The proposals' filters, defined once (django-filter): `ProposalFilter` for
/api/v1/proposals/, `QueueFilter` for the officers' queue, its exports (grants.exports) and the
background export job, which has no request (grants.queue)."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.models import Sector
from core.fields import IdChoiceField
from core.filters import FieldFilter, PortalFilterSet
from core.rest import text_parameter
from core.text import fold
from grants import worklist
from grants.forms import SORTS
from grants.models import CallPage, ProposalState
from grants.selectors import call_titles
from researchers import pickers
from researchers.pickers import OrganisationField


class ProposalFilter(PortalFilterSet):
    """A state, a call by its code, and a phrase of the receipt number, title, applicant or
    organisation, with or without diacritics (a trigram index serves it on PostgreSQL)."""

    state = FieldFilter(
        forms.ChoiceField, label=_("State"), choices=[("", ""), *ProposalState.choices],
        field_name="state",
        schema={"type": "string", "enum": ["", *ProposalState.values]},
        description="A proposal state (the list above), e.g. submitted",
    )  # fmt: skip
    call = FieldFilter(
        forms.CharField, label=_("Call"), max_length=40, method="by_call_code",
        schema=text_parameter(40), description="A call code, e.g. AG-NN01",
    )  # fmt: skip
    q = FieldFilter(
        forms.CharField, label=_("Search"), max_length=100, method="search",
        schema=text_parameter(100), description="Receipt number, title or applicant",
    )  # fmt: skip

    def by_call_code(self, proposals, _name, value):
        return proposals.filter(call__code=value.upper())

    def search(self, proposals, _name, value):
        phrase = " ".join(fold(value).split())
        return proposals.filter(search_text__contains=phrase) if phrase else proposals


class QueueFilter(ProposalFilter):
    """The officers' queue: a call (by id, from its menu), sector, organisation (an id or a name,
    researchers.pickers), one of the dashboard's counts (`todo`: exactly its rows), the order;
    and the state tab, which the page applies after counting the dossiers of every state."""

    call = FieldFilter(
        IdChoiceField, label=_("Call"), queryset=CallPage.objects.none(),
        empty_label=_("All calls"), field_name="call",
    )  # fmt: skip
    state = FieldFilter(forms.ChoiceField, label=_("State"), method="by_nothing")
    sector = FieldFilter(
        forms.ModelChoiceField, label=_("Sector"), queryset=Sector.objects.all(),
        empty_label=_("All sectors"), to_field_name="slug", field_name="sector",
    )  # fmt: skip
    # A name (or id) for researchers.pickers: a menu of every organisation would not stay small.
    organisation = FieldFilter(OrganisationField, label=_("Organisation"), method="by_owner")
    todo = FieldFilter(forms.ChoiceField, label=_("Work"), method="by_todo")
    sort = FieldFilter(
        forms.ChoiceField, label=_("Sort by"),
        choices=[(key, label) for key, (_order, label) in SORTS.items()], method="by_nothing",
    )  # fmt: skip

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        fields = self.form.fields
        fields["call"].queryset = CallPage.objects.filter(
            locale__language_code=settings.LANGUAGE_CODE
        ).order_by("-closes_at")
        titles = call_titles()  # under /en/, the calls' English titles
        fields["call"].label_from_instance = lambda c: f"{c.code} · {titles.get(c.code, c.title)}"
        fields["state"].choices = [("", _("All states")), *ProposalState.choices]
        fields["todo"].choices = [
            ("", _("All dossiers")),
            *((t.key, t.label) for t in worklist.todos()),
        ]

    def by_nothing(self, proposals, _name, _value):
        return proposals  # the state tab and the order: see `state_tab` and `order`

    def by_owner(self, proposals, _name, value):
        return pickers.narrowed(proposals, value)

    def by_todo(self, proposals, _name, value):
        todo = worklist.todo(value)
        return todo.apply(proposals, timezone.now()) if todo is not None else proposals

    @property
    def state_tab(self):
        """The state tab chosen ("" for every state)."""
        return self.data_used.get("state") or ""

    @property
    def order(self):
        """The order chosen (grants.forms.SORTS); work first by default."""
        return self.data_used.get("sort") or "work"

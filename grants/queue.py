"""The officers' queue as a query: the filters of its form and its orders, shared by the queue
page, its exports (grants.exports) and the background export job, which has no request."""

from django.utils import timezone

from core.fields import ignored_filters
from core.text import fold
from grants import forms, worklist
from grants.models import Proposal, ProposalState
from researchers import pickers


def filtered(params):
    """The queue's proposals by the GET parameters: (form, proposals, state, sort, notes).
    A filter that does not validate is left out (the others still apply); `notes` say which
    one and why, for the officer."""
    form = forms.QueueFilterForm(params or None)
    proposals = Proposal.objects.all()
    data, notes = ignored_filters(form)
    if data.get("q"):
        # A phrase of the receipt number, title, applicant or organisation, with or
        # without diacritics (a trigram index serves it on PostgreSQL).
        phrase = " ".join(fold(data["q"]).split())
        proposals = proposals.filter(search_text__contains=phrase)
    if data.get("call"):
        proposals = proposals.filter(call=data["call"])
    if data.get("sector"):
        proposals = proposals.filter(sector=data["sector"])
    if data.get("organisation"):
        proposals = pickers.narrowed(proposals, data["organisation"])
    todo = worklist.todo(data.get("todo") or "")
    if todo is not None:  # one of the dashboard's counts: exactly its rows
        proposals = todo.apply(proposals, timezone.now())
    sort = data.get("sort") or "work"
    # Drafts are the applicant's own business until they are submitted.
    proposals = proposals.exclude(state=ProposalState.DRAFT)
    return form, proposals, data.get("state") or "", sort, notes


def ordered(proposals, sort):
    """The queue in the chosen order; by default work first, oldest first."""
    order = forms.SORTS[sort][0]
    if order is None:
        return worklist.work_first(proposals)
    return proposals.order_by(order, "-pk")


def selected(params):
    """The proposals an export of the queue holds: the page's filters and state, in its order."""
    _form, proposals, state, sort, _notes = filtered(params)
    if state:
        proposals = proposals.filter(state=state)
    return ordered(proposals, sort)

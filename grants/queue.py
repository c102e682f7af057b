"""The officers' queue as a query: the filters of its form and its orders, shared by the queue
page, its exports (grants.exports) and the background export job, which has no request."""

from grants import forms, worklist
from grants.filters import QueueFilter
from grants.models import Proposal, ProposalState


def filtered(params):
    """The queue's proposals by the GET parameters (grants.filters.QueueFilter):
    (filterset, proposals, state, sort, notes). A filter that does not validate is left out
    (the others still apply); `notes` say which one and why, for the officer. Drafts are the
    applicant's own business until they are submitted."""
    filterset = QueueFilter(params or None, Proposal.objects.exclude(state=ProposalState.DRAFT))
    return filterset.form, filterset.qs, filterset.state_tab, filterset.order, filterset.notes


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

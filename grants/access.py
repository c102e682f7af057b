"""Who may open a proposal's pages: the one place the proposal views look a dossier up."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from core import roles
from grants import rules
from grants.models import Proposal

STAFF = (roles.OFFICER, roles.MANAGER)
RESULT_STATES = ("in_progress", "completed", "transferred")  # projects whose results may be listed
SIGNED_STATES = ("in_progress", "completed", "terminated", "transferred")  # a contract was signed


def proposal_for(request, pk, *, for_update=False):
    """The proposal if the user may see it; 404 when it does not exist, 403 when not theirs."""
    queryset = Proposal.objects.select_related("call", "owner__profile", "organisation", "sector")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    proposal = get_object_or_404(queryset, pk=pk)
    if not rules.can_view(proposal, request.user):
        raise PermissionDenied
    return proposal


def editable_for(request, pk):
    proposal = proposal_for(request, pk, for_update=True)
    if not rules.is_owner(proposal, request.user):
        raise PermissionDenied
    return proposal

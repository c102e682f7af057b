"""`{% acceptance_council acceptance as council %}`: what the acceptance page's council panel
shows to the reader (templates/projects/_acceptance_council.html)."""

from django import template

from core import roles
from grants import rules
from projects import council
from projects.models import AcceptanceState

register = template.Library()


@register.simple_tag(takes_context=True)
def acceptance_council(context, acceptance):
    request = context.get("request")
    user = getattr(request, "user", None)
    if acceptance is None or user is None or not user.is_authenticated:
        return {}
    proposal = acceptance.contract.proposal
    seats = list(acceptance.seats.select_related("member__profile").order_by("pk"))
    staff = roles.has_role(user, roles.OFFICER, roles.MANAGER) and not rules.takes_part(
        proposal, user
    )
    own = next((s for s in seats if s.member_id == user.pk), None)
    decided = acceptance.state == AcceptanceState.DECIDED
    accepted = [s for s in seats if s.status == council.Status.ACCEPTED]
    return {
        "seats": seats,
        # Who sits is the Department's and the council's business until the verdict.
        "show_names": staff or own is not None or decided,
        "own": own,
        "officer": rules.is_officer(proposal, user),
        "staff": staff,
        "accepted": len(accepted),
        "submitted": sum(1 for s in accepted if s.submitted_at),
        "decided": decided,
        "minutes": decided
        and (rules.is_owner(proposal, user) or staff or (own and own.status == "accepted")),
    }

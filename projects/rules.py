"""What a person did in a project's execution, for the four-eyes rule of `grants.rules`."""

from django.utils.translation import gettext_lazy as _

from projects.models import ProjectEntry


def took_part(proposal, user):
    """Reasons from the project's trail why `user` may not decide on `proposal`."""
    done = set(
        ProjectEntry.objects.filter(proposal=proposal, actor=user)
        .values_list("action", flat=True)
        .distinct()
    )
    reasons = []
    if "prepare_contract" in done:
        reasons.append(_("You prepared its contract."))
    if done & {"acceptance_seat", "acceptance_replace"}:
        reasons.append(_("You formed its acceptance council."))
    return reasons

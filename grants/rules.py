"""Who may fire which transition (DESIGN.md's "who" column), as django-fsm permissions.

A staff member never screens or decides a proposal they (or their organisation) take part in.
`user=None` is the system itself (management commands reacting to other records).
"""

from django.utils.translation import gettext as _

from core import roles

# The decisions of a manager (DESIGN.md: "the manager did not prepare the dossier"); a change
# request's approval joins them when execution arrives.
DECISIONS = ("fund", "reject", "terminate")
SCREENING = ("return_for_revision", "mark_eligible", "mark_ineligible")
RUNNING_THE_COUNCIL = ("start_review", "complete_review")


def is_owner(proposal, user):
    return user is not None and user.is_authenticated and proposal.owner_id == user.pk


def takes_part(proposal, user):
    """The user is the applicant, on the team, or of the host organisation (remembered on the
    proposal object for the request: buttons and panels ask several times)."""
    cache = proposal.__dict__.setdefault("_takes_part", {})
    if user.pk not in cache:
        cache[user.pk] = _takes_part(proposal, user)
    return cache[user.pk]


def _takes_part(proposal, user):
    if proposal.owner_id == user.pk:
        return True
    if proposal.team.filter(user=user).exists():
        return True
    from researchers.models import confirmed_organisation_id  # confirmed memberships only

    return proposal.organisation_id is not None and (
        proposal.organisation_id == confirmed_organisation_id(user)
    )


def _staff(role):
    def check(proposal, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        return roles.has_role(user, role) and not takes_part(proposal, user)

    check.__name__ = f"is_{role}"
    return check


is_officer = _staff(roles.OFFICER)
is_manager = _staff(roles.MANAGER)


def is_system(proposal, user):
    return user is None


def can_view(proposal, user):
    """Owners see their own dossier; officers and managers every dossier once it was submitted
    (a draft that never reached the Department is the applicant's own business)."""
    if not user.is_authenticated:
        return False
    if proposal.owner_id == user.pk:
        return True
    if proposal.version > 0 and roles.has_role(user, roles.OFFICER, roles.MANAGER):
        return True
    return is_seated_reviewer(proposal, user)


def is_seated_reviewer(proposal, user):
    """A council member who declared no conflict of interest reads the dossier they score."""
    return proposal.assignments.filter(reviewer=user, status="accepted").exists()


def is_officer_or_system(proposal, user):
    """`complete_review` closes by itself when the last ballot comes in."""
    return is_system(proposal, user) or is_officer(proposal, user)


def may_see_ballots(proposal, user):
    """Whether `user` may see the council of `proposal`: its members' names, their ballots and
    scores, the minutes, the proposal's row in the call's results.

    Staff and the seated council may; nobody who takes part in the proposal (applicant, team,
    host organisation) may, whatever other role they hold (DESIGN.md, "People and roles")."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if takes_part(proposal, user):
        return False
    return roles.has_role(user, roles.OFFICER, roles.MANAGER) or is_seated_reviewer(proposal, user)


def prepared_by(proposal, user):
    """Why `user` may not decide on `proposal`: what they prepared of it (empty if nothing).

    One rule for every decision (DESIGN.md, four-eyes: `fund`, `reject`, `terminate`, approving
    a change): the deciding manager did not screen the dossier, seat or run its council,
    appraise its budget or record its contract, even when they also hold the officer role.
    Read from the proposal's own records and its audit trail, so no path escapes it."""
    if user is None or not user.is_authenticated:
        return []
    done = set(
        proposal.audit_entries.filter(actor=user).values_list("transition", flat=True).distinct()
    )
    reasons = []
    if proposal.screened_by_id == user.pk or done.intersection(SCREENING):
        reasons.append(_("You screened this dossier."))
    if (
        done.intersection(RUNNING_THE_COUNCIL)
        or proposal.assignments.filter(invited_by=user).exists()
    ):
        reasons.append(_("You formed or ran its council."))
    from grants.models import BudgetAppraisal  # the models import these rules

    if (
        proposal.appraised_by_id == user.pk
        or BudgetAppraisal.objects.filter(proposal=proposal, recorded_by=user).exists()
    ):
        reasons.append(_("You recorded its budget appraisal."))
    if "sign_contract" in done:
        reasons.append(_("You recorded its contract."))
    # What the apps after selection record of a person's part (projects: preparing the
    # contract, releasing a tranche…), registered by them: grants imports none of them.
    for source in PARTICIPATION:
        reasons.extend(r for r in source(proposal, user) if r not in reasons)
    return reasons


# Callables (proposal, user) → reasons, filled by later apps in their AppConfig.ready().
PARTICIPATION = []

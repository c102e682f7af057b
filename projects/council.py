"""The acceptance council (hội đồng nghiệm thu, Circular 11/2014/TT-BKHCN): its size, seating, the
members' declarations, the quorum and the start of grading (docs/decisions/0008). The members'
grades and the close that records the verdict are `projects.grading`'s.

The same shape as `projects.workflow`: each step checks the role (PermissionDenied), the state
(StateConflict), the guard (GuardFailed with messages by field), locks the acceptance's row,
applies the change, writes the project's trail (`projects.workflow.trail`) and queues its notice
once the transaction commits. The selection council's machinery is reused, not copied: the
ranking (`grants.council.suggestions`), the conflicts (`grants.council.conflict_reason`), the seats
and answers (`ReviewAssignment.Seat`/`Status`) and the quorum (`grants.scoring.quorum_problems`).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core import roles
from core.transitions import GuardFailed, fire
from grants import council as grants_council
from grants import scoring
from grants.workflow import current_time
from projects.acceptance import lock_acceptance
from projects.models import (
    Acceptance,
    AcceptanceGrade,
    AcceptanceSeat,
    AcceptanceState,
)
from projects.workflow import StateConflict, notice_on_commit, require_officer, trail
from researchers.models import confirmed_organisation_id

Seat = AcceptanceSeat.Seat
Status = AcceptanceSeat.Status
Aspect = AcceptanceGrade.Aspect

# Circular 11/2014: an acceptance council of seven to nine members, typically nine.
MIN_SIZE, MAX_SIZE = 7, 9
SEATING_STATES = (AcceptanceState.SUBMITTED, AcceptanceState.GRADING)
OPEN_STATES = (AcceptanceState.SUBMITTED, AcceptanceState.GRADING)
HOST_SEATS = (Seat.MEMBER,)


def _conflict(message):
    return StateConflict(message)


def state_conflict(acceptance):
    return StateConflict(
        _("The acceptance is now “%(state)s”, so this action was not applied.")
        % {"state": acceptance.get_state_display()}
    )


def notify(event, pk):
    from projects import council_notices

    notice_on_commit(council_notices.notify, event, pk)


def member_name(user):
    profile = getattr(user, "profile", None)
    return getattr(profile, "full_name", "") or user.email


# -- who may sit ------------------------------------------------------------------------------


def is_host_staff(proposal, member):
    organisation_id = confirmed_organisation_id(member)
    return proposal.organisation_id is not None and organisation_id == proposal.organisation_id


def conflict_reason(proposal, member):
    """Why `member` may not sit on this acceptance council, or "": the selection council's
    conflicts, except that staff of the host organisation may sit as plain members."""
    if member.pk == proposal.owner_id or proposal.team.filter(user_id=member.pk).exists():
        return grants_council.conflict_reason(proposal, member)
    if is_host_staff(proposal, member):
        return ""
    return grants_council.conflict_reason(proposal, member)


def acceptance_load(pool):
    """A member's load: seats invited or accepted on acceptance councils not yet decided."""
    return pool.annotate(
        load=Count(
            "acceptance_seats",
            filter=Q(
                acceptance_seats__status__in=[Status.INVITED, Status.ACCEPTED],
                acceptance_seats__acceptance__state__in=OPEN_STATES,
            ),
        )
    )


def suggestions(acceptance, by):
    """The pool ranked as for the selection council (`grants.council.suggestions`), without the
    members already seated on this acceptance council, by their acceptance load."""
    proposal = acceptance.contract.proposal
    seated = set(acceptance.seats.values_list("member_id", flat=True))
    ranked = grants_council.suggestions(
        proposal, by=by, seated=seated, load=acceptance_load, conflict=conflict_reason
    )
    for suggestion in ranked:
        suggestion.host_staff = not suggestion.blocked and is_host_staff(
            proposal, suggestion.reviewer
        )
    return ranked


def _seating_problems(acceptance, member, seat, *, by, replacing=None):
    """Why `member` cannot take `seat` now, by field (`member`, `seat`, `council_size`)."""
    proposal = acceptance.contract.proposal
    if seat not in Seat.values:
        return {"seat": [_("Choose a seat of the council.")]}
    if not roles.has_role(member, roles.REVIEWER) or not member.is_active:
        return {"member": [_("%(name)s is not a council member.") % {"name": member.email}]}
    reason = grants_council.self_seating(member, by) or conflict_reason(proposal, member)
    if reason:
        return {"member": [reason]}
    if is_host_staff(proposal, member) and seat not in HOST_SEATS:
        return {
            "seat": [
                _("Staff of the host organisation sit only as members, never as chair, "
                  "vice-chair, critic or secretary.")
            ]
        }  # fmt: skip
    taken = acceptance.seats.exclude(status=Status.DECLINED)
    if replacing is not None:
        taken = taken.exclude(pk=replacing.pk)
    if taken.filter(member=member).exists():
        return {"member": [_("This member already has a seat.")]}
    if replacing is None and taken.count() >= acceptance.council_size:
        return {
            "council_size": [
                _("The council already has its %(n)d seats.") % {"n": acceptance.council_size}
            ]
        }
    if seat in (Seat.CHAIR, Seat.VICE_CHAIR, Seat.SECRETARY) and taken.filter(seat=seat).exists():
        return {"seat": [_("This seat is already taken.")]}
    if seat == Seat.CRITIC and taken.filter(seat=Seat.CRITIC).count() >= 2:
        return {"seat": [_("The council has its two critics already.")]}
    return {}


# -- forming the council ----------------------------------------------------------------------


def set_council_size(acceptance, size, *, by, ip=None):
    """The officer chooses the council's size within the Circular's range (7–9, typically 9),
    before grading starts and never below the seats already taken."""
    proposal = acceptance.contract.proposal
    require_officer(by, proposal)
    with transaction.atomic():
        locked = lock_acceptance(acceptance)
        if locked.state != AcceptanceState.SUBMITTED:
            raise state_conflict(locked)
        if not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
            raise GuardFailed(
                {
                    "council_size": [
                        _("An acceptance council has %(min)d to %(max)d members.")
                        % {"min": MIN_SIZE, "max": MAX_SIZE}
                    ]
                }
            )
        taken = locked.seats.exclude(status=Status.DECLINED).count()
        if size < taken:
            raise GuardFailed(
                {
                    "council_size": [
                        _("%(taken)d seats are already taken: free some first.") % {"taken": taken}
                    ]
                }
            )
        previous = locked.council_size
        locked.council_size = size
        locked.save(update_fields=["council_size", "updated_at"])
        trail(
            proposal, "acceptance_council_size", by=by, ip=ip, record=str(size),
            data={"from": previous, "to": size},
        )  # fmt: skip
    return locked


def seat_member(acceptance, member, seat, *, by, ip=None, due_at=None):
    """The officer (taking no part in the task, and not sitting on its council) invites a
    member onto the acceptance council."""
    proposal = acceptance.contract.proposal
    require_officer(by, proposal)
    with transaction.atomic():
        locked = lock_acceptance(acceptance)
        if locked.state not in SEATING_STATES:
            raise state_conflict(locked)
        errors = _seating_problems(locked, member, seat, by=by)
        if errors:
            raise GuardFailed(errors)
        placed, _created = AcceptanceSeat.objects.update_or_create(
            acceptance=locked,
            member=member,
            defaults={
                "seat": seat, "status": Status.INVITED, "due_at": due_at, "declared_at": None,
                "decline_reason": "", "conflict": False, "invited_by": by,
                "host_staff": is_host_staff(proposal, member),
            },
        )  # fmt: skip
        trail(
            proposal, "acceptance_seat", by=by, ip=ip, record=member_name(member),
            data={"seat": seat, "member": member.pk, "host_staff": placed.host_staff},
        )  # fmt: skip
        notify("invited", placed.pk)
    return placed


def _has_graded(seat):
    return seat.submitted_at is not None


def unseat_member(seat, *, by, ip=None):
    """Free a seat before grading begins; once it has begun, only `replace_member` may (the
    council must not shrink below its quorum while grading)."""
    proposal = seat.acceptance.contract.proposal
    require_officer(by, proposal)
    with transaction.atomic():
        locked = lock_acceptance(seat.acceptance)
        if locked.state == AcceptanceState.GRADING:
            raise GuardFailed(
                {
                    "seat": [
                        _("Grading has begun: a member leaves only when a replacement takes "
                          "the seat in the same step.")
                    ]
                }
            )  # fmt: skip
        if locked.state != AcceptanceState.SUBMITTED:
            raise state_conflict(locked)
        current = AcceptanceSeat.objects.select_related("member__profile").get(pk=seat.pk)
        trail(
            proposal, "acceptance_unseat", by=by, ip=ip, record=member_name(current.member),
            data={"seat": current.seat, "member": current.member_id},
        )  # fmt: skip
        current.delete()


def replace_member(seat, member, *, by, ip=None, due_at=None):
    """In one step: the seated member leaves and `member` is invited to the same seat. Refused
    for a member who has submitted their grades (they keep the seat)."""
    proposal = seat.acceptance.contract.proposal
    require_officer(by, proposal)
    with transaction.atomic():
        locked = lock_acceptance(seat.acceptance)
        if locked.state not in SEATING_STATES:
            raise state_conflict(locked)
        current = (
            AcceptanceSeat.objects.select_for_update(of=("self",))
            .select_related("member__profile")
            .get(pk=seat.pk)
        )
        if _has_graded(current):
            raise GuardFailed(
                {"seat": [_("This member has submitted their grades and keeps the seat.")]}
            )
        errors = _seating_problems(locked, member, current.seat, by=by, replacing=current)
        if errors:
            raise GuardFailed(errors)
        left, role = current.member, current.seat
        current.delete()
        placed = AcceptanceSeat.objects.create(
            acceptance=locked, member=member, seat=role, status=Status.INVITED,
            due_at=due_at or current.due_at, invited_by=by,
            host_staff=is_host_staff(proposal, member),
        )  # fmt: skip
        trail(
            proposal, "acceptance_replace", by=by, ip=ip,
            record=f"{member_name(left)} → {member_name(member)}",
            data={"seat": role, "left": left.pk, "member": member.pk},
        )  # fmt: skip
        notify("invited", placed.pk)
    return placed


def declare(seat, *, by, no_conflict, reason=""):
    """The member declares no conflict of interest (the dossier opens to them) or declines,
    saying why."""
    if seat.member_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the invited member answers this invitation."))
    with transaction.atomic():
        locked = AcceptanceSeat.objects.select_for_update().get(pk=seat.pk)
        if locked.status != Status.INVITED:
            raise StateConflict(_("You have already answered this invitation."))
        if not no_conflict and not (reason or "").strip():
            raise GuardFailed({"reason": [_("Say why you decline.")]})
        locked.status = Status.ACCEPTED if no_conflict else Status.DECLINED
        locked.declared_at = current_time()
        locked.decline_reason = "" if no_conflict else reason.strip()
        locked.save(update_fields=["status", "declared_at", "decline_reason"])
        proposal_id = seat.acceptance.contract.proposal_id
        trail(
            proposal_id, "acceptance_declare", by=by, record=member_name(by),
            comment=locked.decline_reason, data={"accepted": bool(no_conflict)},
        )  # fmt: skip
        if not no_conflict:
            notify("declined", locked.pk)
    return locked


# -- quorum -----------------------------------------------------------------------------------


def _seat_conflict(proposal, seat):
    return seat.conflict or bool(conflict_reason(proposal, seat.member))


def council_problems(acceptance):
    """What keeps grading from starting: the quorum of the accepted members (2/3 of the seats,
    the chair or vice-chair, both critics) and nobody with a conflict."""
    proposal = acceptance.contract.proposal
    accepted = list(
        acceptance.seats.filter(status=Status.ACCEPTED).select_related("member__profile")
    )
    problems = scoring.quorum_problems(acceptance.council_size, [s.seat for s in accepted])
    for seat in accepted:
        if _seat_conflict(proposal, seat):
            problems.append(
                _("%(name)s has a conflict of interest: replace them.")
                % {"name": member_name(seat.member)}
            )
    if not acceptance.contract.deliverables.exists():
        problems.append(_("The contract lists no deliverable to grade."))
    return {"council": problems} if problems else {}


def present(acceptance):
    """The members present at the close: accepted, without a conflict, grades submitted."""
    proposal = acceptance.contract.proposal
    return [
        seat
        for seat in acceptance.seats.filter(status=Status.ACCEPTED, submitted_at__isnull=False)
        .select_related("member__profile")
        .order_by("pk")
        if not _seat_conflict(proposal, seat)
    ]


def close_problems(acceptance):
    """The quorum again, at the close, over the members present (`present`)."""
    seats = present(acceptance)
    problems = scoring.quorum_problems(acceptance.council_size, [s.seat for s in seats])
    return {"council": problems} if problems else {}


def start_grading(acceptance, *, by, ip=None):
    """The officer opens the grading once the council has its quorum (Circular 11/2014)."""
    proposal = acceptance.contract.proposal
    require_officer(by, proposal)

    def apply(locked):
        locked.grading_started_at = current_time()

    def record(locked, source, data):
        trail(
            locked.contract.proposal_id, "acceptance_start_grading", by=by, ip=ip,
            source=source, target=locked.state,
        )  # fmt: skip
        notify("grading", locked.pk)

    return fire(
        Acceptance.objects.select_related("contract__proposal"), acceptance.pk, "start_grading",
        allowed=lambda locked: True, denied="", conflict=state_conflict,
        guard=council_problems, apply=apply, record=record,
    )  # fmt: skip

"""Forming a council and what its members do before scoring (Circular 20/2023/TT-BKHCN).

Seating, declarations and ballots are not transitions of the proposal: they are the records
`start_review` and `complete_review` check. Every change here is still one function, used by
the pages and the tests alike, and notified by e-mail.
"""

import contextlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from core import figures_version, roles
from core.text import fold
from grants import workflow
from grants.forms import points
from grants.models import Ballot, Proposal, ProposalState, ReviewAssignment
from grants.rules import may_see_ballots, takes_part
from researchers.models import confirmed_organisation, remember_confirmed_organisations

Seat = ReviewAssignment.Seat
Status = ReviewAssignment.Status
OPEN_STATES = (ProposalState.ELIGIBLE, ProposalState.UNDER_REVIEW)


def conflict_reason(proposal, reviewer):
    """Why the system blocks this reviewer from this proposal, or "" (the conflicts it can see:
    applicant, team member, staff of the host or of a team member's organisation)."""
    if reviewer.pk == proposal.owner_id:
        return _("Applicant of this proposal.")
    team = list(proposal.team.all())
    if any(member.user_id == reviewer.pk for member in team):
        return _("Member of the research team.")
    organisation = confirmed_organisation(reviewer)  # what an officer confirmed, not a claim
    if organisation is not None:
        if organisation.pk == proposal.organisation_id:
            return _("Staff of the host organisation (%(name)s).") % {"name": organisation.name}
        names = {fold(organisation.name), fold(organisation.short_name or "")} - {""}
        for member in team:
            if fold(member.organisation_name) in names:
                return _("Staff of %(name)s, the organisation of team member %(member)s.") % {
                    "name": organisation.name,
                    "member": member.full_name,
                }
    return ""


@dataclass
class Suggestion:
    reviewer: object
    overlap: list
    load: int
    blocked: str
    score: float


def self_seating(reviewer, by):
    """No one appoints themselves to a council (DESIGN.md): the reason, or ""."""
    if by is not None and reviewer.pk == by.pk:
        return _("No one seats themselves on a council: another officer must invite you.")
    return ""


def review_load(pool):
    """The selection council's load of each reviewer: seats invited or accepted on proposals
    still being scored."""
    return pool.annotate(
        load=Count(
            "review_assignments",
            filter=Q(
                review_assignments__status__in=[Status.INVITED, Status.ACCEPTED],
                review_assignments__proposal__state__in=OPEN_STATES,
            ),
        )
    )


def suggestions(proposal, *, by=None, seated=None, load=review_load, conflict=conflict_reason):
    """The reviewer pool ranked for this proposal: shared keywords with the proposal's sector
    and keywords first, then the lightest current load; blocked reviewers last, with why
    (`by`, the officer forming the council, is blocked too: nobody seats themselves).

    One ranking for both councils: the selection council calls it as it is; the acceptance
    council (`projects.council.suggestions`) passes the user ids already seated on it, how to
    count a member's load (`load(queryset)` annotates `load`) and its own conflict rule
    (`conflict(proposal, reviewer)` → the reason, or "")."""
    user_model = get_user_model()
    if seated is None:
        seated = set(proposal.assignments.values_list("reviewer_id", flat=True))
    pool = load(
        user_model.objects.filter(groups__name=roles.REVIEWER, is_active=True)
        .exclude(pk__in=seated)
        .select_related("profile__organisation")
    ).order_by("pk")
    topic = fold(
        " ".join(
            [proposal.keywords, proposal.title, proposal.sector.name if proposal.sector else ""]
        )
    )
    pool = list(pool)
    remember_confirmed_organisations(pool)
    result = []
    for reviewer in pool:
        profile = getattr(reviewer, "profile", None)
        expertise = [w.strip() for w in getattr(profile, "expertise", "").split(",") if w.strip()]
        overlap = [w for w in expertise if fold(w) in topic]
        blocked = self_seating(reviewer, by) or conflict(proposal, reviewer)
        score = len(overlap) * 10 - reviewer.load
        result.append(Suggestion(reviewer, overlap, reviewer.load, blocked, score))
    result.sort(key=lambda s: (bool(s.blocked), -s.score, s.reviewer.pk))
    return result


def seat(proposal, reviewer, seat_role, *, by, due_at=None):
    """An officer invites a reviewer onto the council of one proposal (Circular 20/2023): never
    themselves, never someone the system sees taking part in the proposal."""
    _may_form(proposal, by)
    if seat_role not in Seat.values:
        raise ValidationError(_("Choose a seat of the council."))
    if proposal.state not in OPEN_STATES:
        raise ValidationError(_("The council is formed once the dossier is eligible."))
    if not roles.has_role(reviewer, roles.REVIEWER):
        raise ValidationError(_("%(name)s is not a council member.") % {"name": reviewer.email})
    reason = self_seating(reviewer, by) or conflict_reason(proposal, reviewer)
    if not reason and takes_part(proposal, reviewer):
        reason = _("Takes part in this proposal.")
    if reason:
        raise ValidationError(reason)
    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)
        taken = proposal.assignments.exclude(status=Status.DECLINED)
        if taken.filter(reviewer=reviewer).exists():
            raise ValidationError(_("This reviewer already has a seat."))
        if taken.count() >= proposal.call.min_reviewers:
            raise ValidationError(
                _("The council already has its %(n)d seats.") % {"n": proposal.call.min_reviewers}
            )
        single = {Seat.CHAIR, Seat.VICE_CHAIR, Seat.SECRETARY}
        if seat_role in single and taken.filter(seat=seat_role).exists():
            raise ValidationError(_("This seat is already taken."))
        if seat_role == Seat.CRITIC and taken.filter(seat=Seat.CRITIC).count() >= 2:
            raise ValidationError(_("The council has its two critics already."))
        assignment, _created = ReviewAssignment.objects.update_or_create(
            proposal=proposal,
            reviewer=reviewer,
            defaults={
                "seat": seat_role,
                "status": Status.INVITED,
                "due_at": due_at,
                "declared_at": None,
                "decline_reason": "",
                "conflict": False,
                "invited_by": by,
            },
        )
        figures_version.bump_on_commit()  # the officers' counts of councils (portal.next_steps)
    if not workflow.replaying():
        from grants import tasks

        transaction.on_commit(lambda: tasks.notify_review.enqueue(assignment.pk, "invited"))
    return assignment


SINGLE_SEATS = (Seat.CHAIR, Seat.VICE_CHAIR, Seat.SECRETARY)


def _lacking(seats):
    """The chair, vice-chair, secretary and critics a council with these seats still lacks."""
    lacking = [role for role in SINGLE_SEATS if role not in seats]
    return lacking + [Seat.CRITIC] * max(2 - list(seats).count(Seat.CRITIC), 0)


def missing_seats(proposal):
    """The seats still to fill, in the order they are usually given: chair, vice-chair,
    secretary, the two critics, then members up to the council's size."""
    taken = list(
        proposal.assignments.exclude(status=Status.DECLINED).values_list("seat", flat=True)
    )
    free = max(proposal.call.min_reviewers - len(taken), 0)
    return (_lacking(taken) + [Seat.MEMBER] * free)[:free]


def seat_many(proposal, choices, *, by, due_at=None):
    """Seat several reviewers in one step (the council page's one form): `choices` is a list of
    (reviewer, seat). All or nothing: every choice is checked as `seat` checks one, and if any
    is refused nothing is seated and the ValidationError maps `seat-<reviewer id>` to why
    (`__all__` for the council as a whole). When the choices fill the council, it must have
    its chair, vice-chair, secretary and two critics (Circular 20/2023)."""
    _may_form(proposal, by)
    if not choices:
        raise ValidationError({"__all__": [_("Choose at least one member to invite.")]})
    errors = {}
    seen = set()
    for reviewer, _seat_role in choices:
        if reviewer.pk in seen:
            errors[f"seat-{reviewer.pk}"] = [_("This reviewer already has a seat.")]
        seen.add(reviewer.pk)
    if errors:
        raise ValidationError(errors)
    seated = []
    with transaction.atomic():
        Proposal.objects.select_for_update().get(pk=proposal.pk)
        taken = proposal.assignments.exclude(status=Status.DECLINED).count()
        size = proposal.call.min_reviewers
        if taken + len(choices) > size:
            raise ValidationError(
                {
                    "__all__": [
                        _(
                            "The council has %(size)d seats and %(free)d are free: you chose "
                            "%(chosen)d members."
                        )
                        % {"size": size, "free": max(size - taken, 0), "chosen": len(choices)}
                    ]
                }
            )
        for reviewer, seat_role in choices:
            try:
                with transaction.atomic():
                    seated.append(seat(proposal, reviewer, seat_role, by=by, due_at=due_at))
            except ValidationError as error:
                errors[f"seat-{reviewer.pk}"] = error.messages
        if not errors and taken + len(choices) == size:
            seats = proposal.assignments.exclude(status=Status.DECLINED).values_list(
                "seat", flat=True
            )
            left = _lacking(list(seats))
            if left:
                names = ", ".join(dict.fromkeys(str(Seat(role).label) for role in left))
                errors["__all__"] = [
                    _("A full council needs its %(seats)s: choose who takes them.")
                    % {"seats": names}
                ]
        if errors:
            raise ValidationError(errors)  # nothing of this step is kept
    return seated


def _may_form(proposal, by):
    if not (roles.has_role(by, roles.OFFICER) and not takes_part(proposal, by)):
        raise PermissionDenied(_("Only an officer can form the council."))


def unseat(assignment, *, by):
    """Free a seat. Once scoring has begun (`under_review`) a member who accepted keeps the seat
    unless someone takes it in the same step (`replace`): unseating accepted members during the
    review would let a thinned-out council decide (Circular 20/2023, art. 11). A member who has
    started a ballot keeps the seat; a decided council keeps all its seats, as the record."""
    proposal = assignment.proposal
    _may_form(proposal, by)
    with transaction.atomic():
        locked_proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        locked = ReviewAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if locked is None:
            return
        if locked_proposal.state not in OPEN_STATES:
            raise ValidationError(_("The review is over: the council keeps its seats."))
        if proposal.ballots.filter(reviewer=locked.reviewer).exists():
            raise ValidationError(_("This member has started scoring and keeps the seat."))
        if locked_proposal.state == ProposalState.UNDER_REVIEW and locked.status == Status.ACCEPTED:
            raise ValidationError(
                _(
                    "Scoring has begun: a member who accepted cannot leave the council without "
                    "someone taking the seat. Replace the member instead."
                )
            )
        locked.delete()
        figures_version.bump_on_commit()


def replace(assignment, new_reviewer, *, by, due_at=None):
    """Another reviewer takes the seat of `assignment` (chair, critic … kept) in one step: the
    way an absent member leaves a council that has begun scoring. The newcomer is checked like
    any invitee (not the officer themselves, no conflict the system can see, not already
    seated), is invited by e-mail, and must declare and vote before the review closes. A member
    who has submitted a ballot keeps the seat; an unsubmitted draft goes with the old seat."""
    proposal = assignment.proposal
    _may_form(proposal, by)
    if not roles.has_role(new_reviewer, roles.REVIEWER):
        raise ValidationError(_("%(name)s is not a council member.") % {"name": new_reviewer.email})
    reason = self_seating(new_reviewer, by) or conflict_reason(proposal, new_reviewer)
    if not reason and takes_part(proposal, new_reviewer):
        reason = _("Takes part in this proposal.")
    if reason:
        raise ValidationError(reason)
    with transaction.atomic():
        locked_proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked_proposal.state not in OPEN_STATES:
            raise ValidationError(_("The review is over: the council keeps its seats."))
        old = ReviewAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if old is None:
            raise ValidationError(_("This seat has been freed in the meantime."))
        if old.reviewer_id == new_reviewer.pk:
            raise ValidationError(_("This reviewer already has a seat."))
        ballots = proposal.ballots.filter(reviewer_id=old.reviewer_id)
        if ballots.filter(submitted_at__isnull=False).exists():
            raise ValidationError(_("This member has submitted a ballot and keeps the seat."))
        taken = proposal.assignments.exclude(status=Status.DECLINED)
        if taken.filter(reviewer=new_reviewer).exists():
            raise ValidationError(_("This reviewer already has a seat."))
        seat_role, due = old.seat, due_at or old.due_at
        ballots.delete()
        old.delete()
        newcomer, _created = ReviewAssignment.objects.update_or_create(
            proposal=proposal,
            reviewer=new_reviewer,
            defaults={
                "seat": seat_role,
                "status": Status.INVITED,
                "due_at": due,
                "declared_at": None,
                "decline_reason": "",
                "conflict": False,
                "invited_by": by,
            },
        )
        figures_version.bump_on_commit()
    if not workflow.replaying():
        from grants import tasks

        transaction.on_commit(lambda: tasks.notify_review.enqueue(newcomer.pk, "invited"))
    return newcomer


def declare(assignment, *, by, no_conflict, reason=""):
    """The reviewer declares no conflict of interest (the dossier opens) or declines."""
    if assignment.reviewer_id != by.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != Status.INVITED:
            raise ValidationError(_("You have already answered this invitation."))
        if not no_conflict and not reason.strip():
            raise ValidationError({"reason": _("Say why you decline.")})
        locked.status = Status.ACCEPTED if no_conflict else Status.DECLINED
        locked.declared_at = workflow.current_time()
        locked.decline_reason = "" if no_conflict else reason.strip()
        locked.save()
        figures_version.bump_on_commit()
    if not no_conflict and not workflow.replaying():
        from grants import tasks

        transaction.on_commit(lambda: tasks.notify_review.enqueue(locked.pk, "declined"))
    return locked


def ballot_for(assignment):
    ballot, _created = Ballot.objects.get_or_create(
        proposal=assignment.proposal, reviewer=assignment.reviewer
    )
    return ballot


def save_ballot(assignment, *, by, scores, comments, comment, submit=False):
    """Save a draft ballot, or submit it (locked from then on). The last ballot in closes the
    review through the workflow."""
    if assignment.reviewer_id != by.pk:
        raise PermissionDenied
    if assignment.status != Status.ACCEPTED:
        raise PermissionDenied(_("Declare that you have no conflict of interest first."))
    proposal = assignment.proposal
    if takes_part(proposal, by):  # joined the team after being seated: blind, and no vote
        raise PermissionDenied(_("You take part in this proposal: you cannot score it."))
    if proposal.state != ProposalState.UNDER_REVIEW:
        raise ValidationError(_("This proposal is not being scored now."))
    rubric = proposal.call.get_rubric()
    criteria = list(rubric.criteria.all())
    errors = {}
    clean = {}
    for criterion in criteria:
        raw = scores.get(criterion.key)
        if raw in (None, ""):
            if submit:
                errors[criterion.key] = _("Give a score.")
            continue
        try:
            clean[criterion.key] = points(raw, criterion.max_points)  # ASCII digits, 0 … max
        except ValidationError as error:
            errors[criterion.key] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().get_or_create(proposal=proposal, reviewer=by)[0]
        if ballot.submitted_at:
            raise ValidationError(_("Your ballot was submitted and can no longer change."))
        ballot.scores = clean
        # NUL cannot be stored in PostgreSQL text; the page's form refuses it with a message.
        ballot.comments = {
            k: (v or "").replace("\x00", "").strip()[:3000] for k, v in comments.items() if v
        }
        ballot.comment = (comment or "").replace("\x00", "").strip()[:5000]
        ballot.total = sum(clean.values())
        if submit:
            ballot.submitted_at = workflow.current_time()
        ballot.save()
        if submit:
            figures_version.bump_on_commit()  # "reviews ready to close"
    if submit:
        _close_if_complete(proposal)
    return ballot


def _close_if_complete(proposal):
    """Close by itself once every seat has answered and every member who accepted has voted.
    (An officer may close earlier, without the members who never answered.) The close checks
    the quorum again (`workflow.council_problems(at_close=True)`): when the members present are
    too few, or lack the chair and vice-chair or a critic, the review stays open and the
    officer's "Close the review" button says why."""
    if proposal.assignments.filter(status=Status.INVITED).exists():
        return
    accepted = set(
        proposal.assignments.filter(status=Status.ACCEPTED).values_list("reviewer_id", flat=True)
    )
    submitted = set(
        proposal.ballots.filter(submitted_at__isnull=False).values_list("reviewer_id", flat=True)
    )
    if accepted and accepted <= submitted:
        # Another request may have closed it; if every ballot is an outlier the guard refuses
        # and the officer's "Close the review" button says why.
        with contextlib.suppress(workflow.WorkflowError):
            workflow.complete_review(proposal, by=None)


def visible_ballots(proposal, user):
    """Blind until the council closes: during the review a member sees only their own ballot
    (even once submitted, so no one learns the others' scores while some are still voting);
    once the review is closed a member who voted sees the council's submitted ballots.
    Officers and managers see every submitted ballot; nobody who takes part in the proposal
    sees any (rules.may_see_ballots)."""
    if not may_see_ballots(proposal, user):
        return []
    submitted = proposal.ballots.filter(submitted_at__isnull=False).select_related(
        "reviewer__profile"
    )
    if roles.has_role(user, roles.OFFICER, roles.MANAGER):
        return list(submitted)
    own = [b for b in submitted if b.reviewer_id == user.pk]
    if not own or proposal.state in OPEN_STATES:
        return own
    return list(submitted)


def copy_council(source, *, by):
    """Seat the council of `source` on the call's other eligible proposals (a council per
    group of proposals). Members blocked on a proposal are left out there; returns
    {proposal: [(reviewer, reason)]} of what was skipped."""
    skipped = {}
    targets = (
        Proposal.objects.filter(call=source.call, state=ProposalState.ELIGIBLE)
        .exclude(pk=source.pk)
        .order_by("pk")
    )
    seats = list(source.assignments.exclude(status=Status.DECLINED).select_related("reviewer"))
    for target in targets:
        for assignment in seats:
            if target.assignments.filter(reviewer=assignment.reviewer).exists():
                continue
            try:
                seat(target, assignment.reviewer, assignment.seat, by=by, due_at=assignment.due_at)
            except ValidationError as error:
                skipped.setdefault(target, []).append(
                    (assignment.reviewer, " ".join(error.messages))
                )
    return skipped

"""The acceptance council at work (Circular 11/2014/TT-BKHCN, docs/decisions/0008): each member
grades every deliverable and the final report, blind to the others until their own grades are in;
the last submission, or an officer, closes the council, the quorum is checked again and the
verdict (`projects.verdict`) is recorded on the acceptance and on the proposal in one transaction.
Same shape as `projects.workflow`; the council itself is formed in `projects.council`."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import roles
from core.transitions import BUSY, GuardFailed, is_lock_wait
from grants import rules as grants_rules
from grants.models import Proposal
from grants.workflow import current_time
from projects import minutes, verdict
from projects.acceptance import lock_acceptance
from projects.council import (
    Aspect,
    Status,
    close_problems,
    member_name,
    notify,
    present,
    state_conflict,
)
from projects.models import AcceptanceGrade, AcceptanceSeat, AcceptanceState, Deliverable
from projects.workflow import StateConflict, require_officer, trail


def deliverables(acceptance):
    return list(
        Deliverable.objects.filter(contract_id=acceptance.contract_id).order_by("position", "pk")
    )


def grade_key(deliverable, aspect):
    return f"grade-{deliverable.pk}-{aspect}"


def _grading_problems(items, grades, report_grade, review, *, submit):
    errors = {}
    clean = {}
    for deliverable in items:
        given = grades.get(str(deliverable.pk)) or grades.get(deliverable.pk) or {}
        for aspect in Aspect.values:
            value = (given.get(aspect) or "").strip()
            key = grade_key(deliverable, aspect)
            if value and value not in verdict.GRADES:
                errors[key] = [_("Choose excellent, pass or fail.")]
            elif not value and submit:
                errors[key] = [_("Grade this.")]
            elif value:
                clean[(deliverable.pk, aspect)] = value
    report_grade = (report_grade or "").strip()
    if report_grade and report_grade not in verdict.GRADES:
        errors["report_grade"] = [_("Choose excellent, pass or fail.")]
    elif not report_grade and submit:
        errors["report_grade"] = [_("Grade the final report.")]
    if submit and not (review or "").strip():
        errors["review"] = [_("Write your review before submitting.")]
    return errors, clean, report_grade


def save_grades(seat, *, by, grades, report_grade, review, submit=False, ip=None):
    """The member saves their grades as a draft, or submits them (fixed from then on, with the
    member's grade of the task: `verdict.member_grade`). `grades`: {deliverable pk: {"quantity":
    grade, "quality": grade}}. The last accepted member to submit closes the council, in the
    same transaction (the acceptance's row lock makes concurrent submissions take turns, so it
    closes once)."""
    if seat.member_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the member in this seat grades with it."))
    if seat.status != Status.ACCEPTED:
        raise PermissionDenied(_("Declare that you have no conflict of interest first."))
    acceptance = seat.acceptance
    items = deliverables(acceptance)
    errors, clean, report_grade = _grading_problems(
        items, grades, report_grade, review, submit=submit
    )
    try:
        with transaction.atomic():
            locked = lock_acceptance(acceptance)
            if locked.state != AcceptanceState.GRADING:
                raise StateConflict(
                    _("Grading is open only while the council grades (now “%(state)s”).")
                    % {"state": locked.get_state_display()}
                )
            current = AcceptanceSeat.objects.select_for_update().get(pk=seat.pk)
            if current.member_id != by.pk or current.status != Status.ACCEPTED:
                raise PermissionDenied(_("Only the member in this seat grades with it."))
            if current.submitted_at:
                raise StateConflict(_("Your grades were submitted and can no longer change."))
            if errors:
                raise GuardFailed(errors)
            AcceptanceGrade.objects.filter(seat=current).delete()
            AcceptanceGrade.objects.bulk_create(
                AcceptanceGrade(seat=current, deliverable_id=pk, aspect=aspect, grade=value)
                for (pk, aspect), value in clean.items()
            )
            current.report_grade = report_grade
            current.review = (review or "").replace("\x00", "").strip()[:20000]
            if submit:
                current.overall = verdict.member_grade(
                    [clean[(d.pk, Aspect.QUALITY)] for d in items],
                    [clean[(d.pk, Aspect.QUANTITY)] for d in items],
                    report_grade,
                )
                current.submitted_at = current_time()
            current.save()
            if submit:
                trail(
                    locked.contract.proposal_id, "acceptance_grades_submitted", by=by, ip=ip,
                    record=member_name(by), data={"seat": current.seat, "grade": current.overall},
                )  # fmt: skip
                if _complete(locked) and not close_problems(locked):
                    _decide(locked, by=None, ip=ip)
    except OperationalError as error:
        if not is_lock_wait(error):
            raise
        raise StateConflict(str(BUSY)) from error
    return current


def _complete(acceptance):
    """Every seat answered and every member who accepted has submitted."""
    seats = acceptance.seats.exclude(status=Status.DECLINED)
    if seats.filter(status=Status.INVITED).exists():
        return False
    accepted = seats.filter(status=Status.ACCEPTED)
    return accepted.exists() and not accepted.filter(submitted_at__isnull=True).exists()


def visible_seats(acceptance, user):
    """Blind until one's own grades are in: a member sees the others' submitted grades only
    after submitting theirs; officers and managers see every submitted one; nobody who takes
    part in the task sees any before the verdict."""
    proposal = acceptance.contract.proposal
    submitted = acceptance.seats.filter(submitted_at__isnull=False).select_related(
        "member__profile"
    )
    if user is None or not user.is_authenticated:
        return []
    if grants_rules.takes_part(proposal, user) and acceptance.state != AcceptanceState.DECIDED:
        return []
    if roles.has_role(user, roles.OFFICER, roles.MANAGER):
        return list(submitted)
    own = acceptance.seats.filter(member=user, submitted_at__isnull=False).exists()
    return list(submitted) if own else []


# -- the close --------------------------------------------------------------------------------


def _lateness(acceptance):
    submitted = acceptance.submitted_at
    ends_on = acceptance.contract.ends_on
    if submitted is None or ends_on is None:
        return 0
    return verdict.months_late(ends_on, timezone.localdate(submitted))


def _decide(locked, *, by, ip=None):
    """Record the verdict on the locked acceptance and, under its row lock, on the proposal."""
    seats = present(locked)
    result = verdict.council_verdict([s.overall for s in seats], months_late=_lateness(locked))
    source = locked.state
    locked.verdict = result.grade
    locked.verdict_reason = result.reason
    locked.decided_at = current_time()
    locked.decide()
    locked.save()
    proposal = Proposal.objects.select_for_update().get(pk=locked.contract.proposal_id)
    proposal.acceptance_verdict = result.grade
    proposal.save(update_fields=["acceptance_verdict"])
    trail(
        proposal, "acceptance_decided", by=by, ip=ip, record=locked.get_verdict_display(),
        source=source, target=locked.state, comment=result.reason,
        data={
            "verdict": result.grade, "excellent": result.excellent, "pass": result.passed,
            "fail": result.failed, "present": result.present,
            "members": [s.member_id for s in seats],
        },
    )  # fmt: skip
    # The minutes exist from the verdict on: signed and stored once the close commits, when the
    # demo replays history too (no notice is sent then; the document is still written).
    pk = locked.pk
    transaction.on_commit(lambda: minutes.sign_once(pk))
    notify("decided", locked.pk)
    return locked


def close_council(acceptance, *, by=None, ip=None):
    """Close the council: the quorum is checked again over the members present (accepted and
    submitted), the verdict follows `verdict.council_verdict` (and the lateness of the dossier),
    and it is stored on the acceptance and on the proposal in one transaction. An officer may
    close before every member has submitted (the others are absent); `by=None` is the system
    closing by itself after the last submission."""
    if by is not None:
        require_officer(by, acceptance.contract.proposal)
    with transaction.atomic():
        locked = lock_acceptance(acceptance)
        if locked.state != AcceptanceState.GRADING:
            raise state_conflict(locked)
        errors = close_problems(locked)
        if errors:
            raise GuardFailed(errors)
        return _decide(locked, by=by, ip=ip)

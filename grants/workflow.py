"""Every change of `Proposal.state`, in one place, for views, the API and commands alike.

Each transition function takes the proposal, the acting user (`None` for the system) and the
request's IP, and then, inside one transaction with the proposal's row locked:

1. checks the role (DESIGN.md's "who") — `PermissionDenied` when the user may never fire it;
2. checks the state — `StateConflict` when the proposal has moved on (the other officer won);
3. runs the guard — `GuardFailed` with a message per field;
4. applies the side effects and the state, writes the append-only `AuditEntry`;
5. queues the notification e-mails once the transaction commits.
"""

import contextvars
import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from core.http import arrival_time, client_ip
from core.text import group_thousands
from core.transitions import GuardFailed as GuardFailed  # re-exported: callers catch it here
from core.transitions import WorkflowError, fire, required
from grants import events, scoring
from grants.models import (
    AuditEntry,
    Proposal,
    ProposalState,
    ProposalVersion,
    ReceiptCounter,
    ReviewAssignment,
)
from grants.rules import prepared_by, takes_part

S = ProposalState


class StateConflict(WorkflowError):
    """The proposal is no longer in a state the transition starts from."""

    def __init__(self, proposal, name):
        self.proposal = proposal
        self.name = name
        super().__init__(
            _("This proposal is now “%(state)s”, so this action was not applied.")
            % {"state": proposal.get_state_display()}
        )


@dataclass(frozen=True)
class Spec:
    """How a transition is presented: its button, and what the person must fill in."""

    label: str
    needs_comment: bool = False
    needs_deadline: bool = False
    needs_amount: bool = False
    style: str = "primary"
    confirm: str = ""
    params: tuple = field(default=())


SPECS = {
    "submit": Spec(_("Submit the dossier"), confirm=_("Submit this dossier to the Department?")),
    "withdraw": Spec(
        _("Withdraw"),
        style="danger",
        confirm=_("Withdraw this dossier? This cannot be undone."),
    ),
    "return_for_revision": Spec(
        _("Return for revision"), needs_comment=True, needs_deadline=True, style="secondary"
    ),
    "mark_eligible": Spec(_("Mark eligible")),
    "mark_ineligible": Spec(_("Mark ineligible"), needs_comment=True, style="danger"),
    "start_review": Spec(_("Start the council review")),
    "complete_review": Spec(_("Close the review")),
    "fund": Spec(_("Approve funding"), needs_amount=True),
    "reject": Spec(_("Reject"), needs_comment=True, style="danger"),
    "sign_contract": Spec(_("Record the signed contract")),
    "accept_results": Spec(_("Record final acceptance")),
    "terminate": Spec(_("Terminate"), needs_comment=True, style="danger"),
    "mark_transferred": Spec(_("Mark transferred")),
}

_clock = contextvars.ContextVar("workflow_clock", default=None)


def current_time():
    return _clock.get() or timezone.now()


@contextmanager
def clock(moment):
    """Replay history: fire transitions as of `moment`, sending nothing (the demo's past)."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def replaying():
    """True inside `clock()`: the demo's history is being written, nobody is to be e-mailed."""
    return _clock.get() is not None


TRANSITIONS = {t.name: t for t in Proposal._meta.get_field("state").get_all_transitions(Proposal)}


def may_fire(proposal, name, user):
    """Whether `user` may fire `name` on `proposal` in its current state (buttons, API)."""
    method = getattr(proposal, name)
    return can_proceed(method) and TRANSITIONS[name].has_perm(proposal, user)


def may_try(proposal, name, user):
    """Whether `user` holds the role to fire `name` on `proposal` at all, whatever its state.

    A user who may not is refused (403); one who may, on a proposal that has moved on in the
    meantime, gets `StateConflict` and its clear message."""
    return name in TRANSITIONS and TRANSITIONS[name].has_perm(proposal, user)


def available(proposal, user):
    """The transitions `user` may fire now, in the table's order."""
    return [name for name in SPECS if may_fire(proposal, name, user)]


def _fire(proposal, name, *, by, ip, guard=None, apply=None, comment="", notify=True, at=None):
    def record(locked, source, data):
        entry = AuditEntry.objects.create(
            proposal=locked, transition=name, source=source, target=locked.state, actor=by,
            comment=comment, ip=ip or None, data=data or {}, at=at or current_time(),
        )  # fmt: skip
        if _clock.get() is not None:
            return  # the demo's past: nobody is told
        if notify:
            from grants import tasks

            transaction.on_commit(lambda: tasks.notify_transition.enqueue(entry.pk))
        events.emit_transition(locked, entry)

    return fire(
        Proposal.objects.select_related("call", "owner"), proposal.pk, name,
        allowed=lambda locked: TRANSITIONS[name].has_perm(locked, by),
        denied=_("You may not perform this action on this proposal."),
        conflict=lambda locked: StateConflict(locked, name),
        guard=guard, apply=apply, record=record,
    )  # fmt: skip


# -- the applicant ------------------------------------------------------------------------------


def submission_problems(proposal, now=None):
    """What keeps the dossier from being submitted, by section (also the completeness panel)."""
    from grants import dossier

    now = now or current_time()
    problems = dossier.missing(proposal)
    call = proposal.call
    if proposal.state == S.RETURNED:
        if proposal.revision_deadline and now > proposal.revision_deadline:
            problems.setdefault("deadline", []).append(
                _("The revision deadline (%(deadline)s) has passed.")
                % {"deadline": _local(proposal.revision_deadline)}
            )
    elif now < call.opens_at:
        problems.setdefault("deadline", []).append(_("The call is not open yet."))
    elif now >= call.closes_at:
        problems.setdefault("deadline", []).append(
            _(
                "The call closed at %(deadline)s (Asia/Ho_Chi_Minh); proposals are no longer accepted."
            )
            % {"deadline": _local(call.closes_at)}
        )
    return problems


def _local(moment):
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def _take_next(counter_model, **key):
    """The next number of a gapless counter row, locked until the caller's transaction ends
    (a rolled-back transition gives its number back)."""
    try:
        with transaction.atomic():
            counter_model.objects.get_or_create(**key)
    except IntegrityError:  # created by a concurrent first use: it exists now
        pass
    counter = counter_model.objects.select_for_update().get(**key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _next_receipt_number(call, now):
    year = timezone.localtime(now).year
    return f"{call.code}-{year}-{_take_next(ReceiptCounter, call=call, year=year):04d}"


def submit(proposal, *, by, ip=None, now=None):
    """Freeze the dossier as a new version; the first submission takes a receipt number."""
    from grants import dossier

    now = now or current_time()

    def apply(p):
        p.organisation = dossier.host_of(p.owner)  # the confirmed membership, as of now
        p.requested_amount = p.budget_total()
        p.submitted_at = now
        p.version += 1
        p.revision_deadline = None
        ProposalVersion.objects.create(
            proposal=p, number=p.version, submitted_at=now, data=dossier.snapshot(p)
        )
        # Last: the call's counter row stays locked until the commit, and every submit of the
        # call waits for it; the snapshot above is the slow part and holds no shared lock.
        if not p.receipt_number:
            p.receipt_number = _next_receipt_number(p.call, now)
        return {"receipt_number": p.receipt_number, "version": p.version}

    return _fire(
        proposal,
        "submit",
        by=by,
        ip=ip,
        guard=lambda p: submission_problems(p, now),
        apply=apply,
        at=now,
    )


def withdraw(proposal, *, by, ip=None, comment=""):
    return _fire(proposal, "withdraw", by=by, ip=ip, comment=comment)


# -- screening (officers) -----------------------------------------------------------------------


def return_for_revision(proposal, *, by, ip=None, comment="", revision_deadline=None, now=None):
    now = now or current_time()

    def guard(p):
        errors = required(comment, "comment", _("Say what the applicant must complete."))
        if revision_deadline is None:
            errors["revision_deadline"] = [_("Set a revision deadline.")]
        elif revision_deadline <= now:
            errors["revision_deadline"] = [_("The revision deadline must be in the future.")]
        elif revision_deadline > now + datetime.timedelta(days=365):
            errors["revision_deadline"] = [_("The revision deadline is at most a year ahead.")]
        return errors

    def apply(p):
        p.revision_deadline = revision_deadline
        return {"revision_deadline": revision_deadline.isoformat()}

    return _fire(
        proposal,
        "return_for_revision",
        by=by,
        ip=ip,
        guard=guard,
        apply=apply,
        comment=comment,
        at=now,
    )


def mark_eligible(proposal, *, by, ip=None, comment=""):
    def apply(p):
        p.screened_by = by

    return _fire(proposal, "mark_eligible", by=by, ip=ip, apply=apply, comment=comment)


def mark_ineligible(proposal, *, by, ip=None, comment=""):
    def apply(p):
        p.screened_by = by

    return _fire(
        proposal,
        "mark_ineligible",
        by=by,
        ip=ip,
        guard=lambda p: required(comment, "comment", _("Give the reason it is ineligible.")),
        apply=apply,
        comment=comment,
    )


# -- the council --------------------------------------------------------------------------------


def council_problems(proposal, *, at_close=False):
    """DESIGN.md: ≥ 2/3 of the seats accepted, with the chair (or vice-chair) and both critics,
    and nobody with a declared or detected conflict of interest (Circular 20/2023, art. 11).

    Checked when the review starts, on the members who accepted, and again when it closes
    (`at_close`), on the members present at the close: those who accepted and submitted their
    ballot. A council that lost members during scoring does not decide."""
    seats = proposal.call.min_reviewers
    assignments = list(
        proposal.assignments.select_related("reviewer__profile").order_by("pk").all()
    )
    counted = [a for a in assignments if a.status == ReviewAssignment.Status.ACCEPTED]
    if at_close:
        voted = set(
            proposal.ballots.filter(submitted_at__isnull=False).values_list(
                "reviewer_id", flat=True
            )
        )
        counted = [a for a in counted if a.reviewer_id in voted]
    problems = scoring.quorum_problems(seats, [a.seat for a in counted], at_close=at_close)
    for a in counted:
        if a.conflict or takes_part(proposal, a.reviewer):
            problems.append(
                _("%(name)s has a conflict of interest with this proposal.")
                % {"name": a.reviewer.get_full_name() or a.reviewer.email}
            )
    return {"council": problems} if problems else {}


def start_review(proposal, *, by, ip=None, comment=""):
    return _fire(proposal, "start_review", by=by, ip=ip, guard=council_problems, comment=comment)


def present_ballots(proposal):
    """The submitted ballots of the members present at the close (accepted and still seated)."""
    accepted = proposal.assignments.filter(status=ReviewAssignment.Status.ACCEPTED).values(
        "reviewer_id"
    )
    return list(
        proposal.ballots.filter(submitted_at__isnull=False, reviewer_id__in=accepted).order_by("pk")
    )


def rubric_names(proposal):
    """The call's criteria as (key, name in the active language), in the rubric's order."""
    rubric = proposal.call.get_rubric()
    return [(c.key, c.label) for c in rubric.criteria.all()] if rubric else []


def complete_review(proposal, *, by, ip=None, comment=""):
    """Fix the valid and excluded ballots, the aggregate, pass/fail and the rank in the call.

    `by=None` is the automatic close when the last accepted reviewer submits. The quorum is
    checked again here (Circular 20/2023, art. 11; `council_problems(at_close=True)`): every
    member who accepted has voted, and those present still make two thirds of the seats with
    the chair (or vice-chair) and both critics."""

    def guard(p):
        accepted = set(
            p.assignments.filter(status=ReviewAssignment.Status.ACCEPTED).values_list(
                "reviewer_id", flat=True
            )
        )
        submitted = set(
            p.ballots.filter(submitted_at__isnull=False).values_list("reviewer_id", flat=True)
        )
        missing = accepted - submitted
        if not accepted:
            return {"council": [_("No council member has accepted this proposal.")]}
        if missing:
            return {
                "council": [
                    _("%(count)d council members have not submitted their ballots yet.")
                    % {"count": len(missing)}
                ]
            }
        problems = council_problems(p, at_close=True)
        if problems:
            return problems
        try:
            scoring.evaluate(present_ballots(p))
        except scoring.NoValidBallot:
            return {
                "council": [
                    _(
                        "Every ballot differs from the mean by more than 20 percent: the council must "
                        "discuss the proposal and score it again."
                    )
                ]
            }
        return {}

    def apply(p):
        ballots = present_ballots(p)
        result = scoring.evaluate(ballots, criteria=rubric_names(p))
        for ballot in ballots:
            excluded = ballot.pk in result.excluded
            if ballot.excluded != excluded:
                ballot.excluded = excluded
                ballot.save(update_fields=["excluded"])
        p.aggregate_score = result.aggregate
        p.passed = result.passed
        p.review_outcome = result.outcome[:300]  # a code, put into words for each reader
        return {
            "aggregate_score": str(result.aggregate),
            "passed": result.passed,
            "excluded_ballots": sorted(result.excluded),
        }

    done = _fire(
        proposal, "complete_review", by=by, ip=ip, guard=guard, apply=apply, comment=comment
    )
    scoring.rank_call(done.call_id)
    done.refresh_from_db()
    return done


# -- the decision (managers) --------------------------------------------------------------------

COMMITTED_STATES = (S.FUNDED, S.IN_PROGRESS, S.COMPLETED, S.TRANSFERRED)


def next_document_number(kind, suffix, now=None):
    """`12/QĐ-SKHCN`: gapless per kind and year, taken inside the caller's transaction."""
    from grants.models import DocumentCounter

    year = timezone.localtime(now or current_time()).year
    return f"{_take_next(DocumentCounter, kind=kind, year=year)}/{suffix}"


def four_eyes_problems(proposal, by):
    """DESIGN.md's four-eyes rule, the same for every decision: a manager who screened the
    dossier, seated or ran its council, appraised its budget or recorded its contract does not
    decide it (`rules.prepared_by` says what they did)."""
    reasons = prepared_by(proposal, by)
    if not reasons:
        return {}
    return {"four_eyes": [_("You prepared this dossier; another manager must decide."), *reasons]}


def _decision_guard(by, guard=None):
    """A decision's guard: four-eyes, then the decision's own conditions."""

    def check(p):
        errors = four_eyes_problems(p, by)
        for key, messages in (guard(p) if guard else {}).items():
            errors.setdefault(key, []).extend(messages)
        return errors

    return check


def _decide(p, by):
    p.decision_number = next_document_number("decision", "QĐ-SKHCN")
    p.decided_at = current_time()
    p.decided_by = by


def fund(proposal, *, by, ip=None, approved_amount=None, comment=""):
    """The funding decision (quyết định phê duyệt): the council passed it, the budget appraisal
    is recorded, approved ≤ appraised ≤ requested within the call's budget, and the deciding
    manager did not prepare the dossier (four-eyes, `four_eyes_problems`)."""

    def guard(p):
        errors = {}
        # Two managers funding the last of a call's budget at once: the call row is the lock.
        from grants.models import CallPage

        list(CallPage.objects.select_for_update(of=("self",)).filter(pk=p.call_id).values("pk"))
        if not p.passed:
            errors["passed"] = [_("Only a proposal that passed the council can be funded.")]
        if p.appraised_amount is None:
            errors["appraisal"] = [_("The budget appraisal has not been recorded.")]
        if approved_amount is None:
            errors["approved_amount"] = [_("Enter the approved amount.")]
        elif p.appraised_amount is not None and not (
            0 < approved_amount <= p.appraised_amount <= p.requested_amount
        ):
            errors["approved_amount"] = [
                _(
                    "The approved amount must not exceed the appraised amount, which must not exceed the requested amount."
                )
            ]
        if approved_amount:
            committed = (
                Proposal.objects.filter(call_id=p.call_id, state__in=COMMITTED_STATES)
                .exclude(pk=p.pk)
                .aggregate(total=Sum("approved_amount"))["total"]
                or 0
            )
            if committed + approved_amount > p.call.total_budget:
                errors.setdefault("approved_amount", []).append(
                    _("This would exceed the call's total budget (%(left)s ₫ left).")
                    % {"left": group_thousands(p.call.total_budget - committed)}
                )
        return errors

    def apply(p):
        p.approved_amount = approved_amount
        _decide(p, by)
        return {"approved_amount": approved_amount, "decision_number": p.decision_number}

    return _fire(
        proposal,
        "fund",
        by=by,
        ip=ip,
        guard=_decision_guard(by, guard),
        apply=apply,
        comment=comment,
    )


def reject(proposal, *, by, ip=None, comment=""):
    """The decision not to fund, with its reason, by a manager who did not prepare the dossier."""

    def apply(p):
        _decide(p, by)
        return {"decision_number": p.decision_number}

    return _fire(
        proposal,
        "reject",
        by=by,
        ip=ip,
        guard=_decision_guard(
            by, lambda p: required(comment, "comment", _("Give the reason for the rejection."))
        ),
        apply=apply,
        comment=comment,
    )


# -- the contract and its end -------------------------------------------------------------------


def sign_contract(proposal, *, by, ip=None, comment="", guard=None, apply=None):
    """funded → in_progress. The contract itself is prepared and checked by `projects.contracts`,
    which passes its guard and its changes here so that both happen under the proposal's lock;
    fired without them (the generic transition URL, the API) it is refused with a pointer to
    the contract page."""
    if guard is None:

        def guard(p):
            return {
                "contract": [_("Prepare and sign the contract on the proposal's contract page.")]
            }

    return _fire(proposal, "sign_contract", by=by, ip=ip, guard=guard, apply=apply, comment=comment)


def accept_results(proposal, *, by, ip=None, comment=""):
    """in_progress → completed on the acceptance council's passing verdict (Circular 11/2014).

    A result may be listed, and sold, while the task still runs: when a deal on one of its
    technologies has already completed, the proposal goes on to `transferred` in the same
    transaction, by the system, with an entry naming the deal (DESIGN.md's table). The
    proposal's row lock, held until the end, is the one `transfer.workflow.complete` takes
    before it looks at the proposal's state: of an acceptance and a completion at the same
    moment, the second to get the lock sees the first, so one of them moves it on."""

    def guard(p):
        if p.acceptance_verdict in ("excellent", "pass"):
            return {}
        if p.acceptance_verdict == "fail":
            return {"verdict": [_("The acceptance council failed the results: terminate instead.")]}
        return {"verdict": [_("The acceptance council's verdict has not been recorded.")]}

    with transaction.atomic():
        done = _fire(proposal, "accept_results", by=by, ip=ip, guard=guard, comment=comment)
        if completed_deals(done):
            done = mark_transferred(done, by=None, ip=ip)
    return done


def terminate(proposal, *, by, ip=None, comment="", guard=None, apply=None):
    """Stop a running task, with the reason, by a manager who did not prepare the dossier.

    `projects.acceptance` passes its guard and its changes (the refund obligation of a task the
    acceptance council failed) so that both happen under the proposal's lock, as
    `sign_contract` takes the contract's. Fired without them (the generic transition URL, the
    API) on a task whose results failed, it is refused with a pointer to the acceptance page,
    where the refund is recorded with it."""
    if guard is None:

        def guard(p):
            if p.acceptance_verdict == "fail":
                return {
                    "verdict": [
                        _(
                            "The acceptance council failed the results: terminate the task on "
                            "its acceptance page, with the refund obligation."
                        )
                    ]
                }
            return {}

    def check(p):
        errors = required(comment, "comment", _("Give the reason for the termination."))
        for key, messages in guard(p).items():
            errors.setdefault(key, []).extend(messages)
        return errors

    return _fire(
        proposal,
        "terminate",
        by=by,
        ip=ip,
        guard=_decision_guard(by, check),
        apply=apply,
        comment=comment,
    )


def completed_deals(proposal):
    """The completed TransferDeals on this proposal's technologies, first completed first
    (`transfer` is read through the app registry: grants does not import it)."""
    from django.apps import apps

    try:
        deal_model = apps.get_model("transfer", "TransferDeal")
    except LookupError:
        return []
    return list(
        deal_model.objects.filter(technology__source_proposal=proposal, state="completed")
        .select_related("technology")
        .order_by("updated_at", "pk")
    )


def completed_transfer(proposal):
    """A TransferDeal on one of this proposal's technologies reached `completed`."""
    return bool(completed_deals(proposal))


def transfer_comment(deal):
    """The entry's words for the deal that moved a proposal on: its number and technology."""
    return _("Transfer deal #%(id)s completed (%(technology)s).") % {
        "id": deal.pk,
        "technology": deal.technology.title,
    }


def mark_transferred(proposal, *, by=None, ip=None, comment="", deal=None):
    """completed → transferred, by the system, once a deal on one of its results completed
    (either order: `transfer.workflow.complete` after acceptance, `accept_results` after the
    deal). The entry names the deal (`deal`, or the first completed) unless a comment is given;
    the deals are read under the proposal's row lock, which the callers already hold."""

    def guard(p):
        if completed_transfer(p):
            return {}
        return {"transfer": [_("No transfer of this proposal's results has been completed.")]}

    with transaction.atomic():
        list(Proposal.objects.select_for_update().filter(pk=proposal.pk).values_list("pk"))
        deals = completed_deals(proposal)
        named = deal if deal is not None else (deals[0] if deals else None)
        if not comment and named is not None:
            comment = str(transfer_comment(named))
        return _fire(
            proposal, "mark_transferred", by=by, ip=ip, guard=guard, comment=comment,
            apply=lambda p: {"deal": named.pk, "deals": [d.pk for d in deals]},
        )  # fmt: skip


FUNCTIONS = {
    "submit": submit,
    "withdraw": withdraw,
    "return_for_revision": return_for_revision,
    "mark_eligible": mark_eligible,
    "mark_ineligible": mark_ineligible,
    "start_review": start_review,
    "complete_review": complete_review,
    "fund": fund,
    "reject": reject,
    "sign_contract": sign_contract,
    "accept_results": accept_results,
    "terminate": terminate,
    "mark_transferred": mark_transferred,
}
assert set(FUNCTIONS) == set(TRANSITIONS) == set(SPECS)


def fire_named(
    name,
    proposal,
    *,
    by,
    ip=None,
    comment="",
    revision_deadline=None,
    approved_amount=None,
    arrived_at=None,
):
    """Fire the transition `name` with the inputs its Spec asks for: the one entry of the pages,
    the API and `manage.py proposal_transition`. `arrived_at` (core.http.arrival_time) is when
    the person's request arrived: a submission is judged against the deadline, and received, as
    of that moment, not of the moment the server got round to it."""
    spec = SPECS[name]
    params = {"by": by, "ip": ip}
    if name == "submit":
        params["now"] = arrived_at
    else:
        params["comment"] = comment
    if spec.needs_deadline:
        params["revision_deadline"] = revision_deadline
    if spec.needs_amount:
        params["approved_amount"] = approved_amount
    return FUNCTIONS[name](proposal, **params)


def fire_from_request(name, proposal, request, given):
    """`fire_named` for a person's request, from the page or the API alike: who, from where and
    when it arrived come from the request, the inputs from the validated form or serializer."""
    return fire_named(
        name, proposal, by=request.user, ip=client_ip(request),
        comment=given.get("comment", "").strip(),
        revision_deadline=given.get("revision_deadline"),
        approved_amount=given.get("approved_amount"),
        arrived_at=arrival_time(request),
    )  # fmt: skip

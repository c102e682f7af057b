"""What each role does next, for the dashboard (DESIGN.md → /dashboard/): plain rows for the
templates, each list in a fixed number of queries whatever the amount of data.

Nothing here changes a record; the counts of the officers' panel are the named filters of the
queue (`grants.worklist`), so a count and the rows its link shows are one definition.
"""

import datetime

from django.db.models import Exists, F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import figures_version
from grants import assignments, worklist
from grants.models import Ballot, Proposal, ProposalState, ReviewAssignment

S = ProposalState
Status = ReviewAssignment.Status
LIMIT = 25  # rows a list shows (one more is read, so the page can say there are more)


# -- council members ------------------------------------------------------------------------------


def reviewer_work(user):
    """{"invitations", "ballots", "acceptance"} of a council member: selection seats to answer
    (declare conflicts of interest), ballots to score (review running, not submitted yet), due
    soonest first; and the acceptance council seats waiting for them (the registry
    `grants.assignments`, which the /reviews/ page reads too)."""
    submitted = Ballot.objects.filter(
        proposal=OuterRef("proposal"), reviewer=user, submitted_at__isnull=False
    )
    seats = (
        ReviewAssignment.objects.filter(reviewer=user)
        .exclude(status=Status.DECLINED)
        .filter(proposal__state__in=[S.ELIGIBLE, S.UNDER_REVIEW])
        .values(
            "pk",
            "status",
            "seat",
            "due_at",
            title=F("proposal__title"),
            receipt_number=F("proposal__receipt_number"),
            call_code=F("proposal__call__code"),
            state=F("proposal__state"),
        )
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )
    # Each list is cut in the database: a member seated on many councils costs the same.
    waiting_answer = seats.filter(status=Status.INVITED)[:LIMIT]
    to_score = (
        seats.filter(proposal__state=S.UNDER_REVIEW)
        .exclude(status=Status.INVITED)
        .exclude(Exists(submitted))[:LIMIT]
    )
    seat_labels = dict(ReviewAssignment.Seat.choices)
    now = timezone.now()

    def shown(row):
        return {
            **row,
            "seat_label": seat_labels.get(row["seat"], row["seat"]),
            "url": reverse("review_detail", args=[row["pk"]]),
            "overdue": bool(row["due_at"] and row["due_at"] < now),
        }

    invitations = [shown(row) for row in waiting_answer]
    ballots = [shown(row) for row in to_score]
    acceptance = [item for item in assignments.for_user(user) if item.waiting]
    return {
        "invitations": invitations,
        "ballots": ballots,
        "acceptance": acceptance[:LIMIT],
    }


# -- officers -------------------------------------------------------------------------------------


# The officers' counts live this long in the cache at most: a transition (or a seat, ballot,
# appraisal, registration) bumps `core.figures_version` and forgets them at once, but some
# counts move with the clock alone (a revision deadline passing) or with an edit in Wagtail
# (a call's council size). A revision deadline falling due inside the window ends it early.
CACHE_SECONDS = 60
CACHE_PREFIX = "officer-work"


def officer_counts(now=None):
    """{key: count} of the officers' panel (every named filter of the queue, then "moderate"
    and "deals"), computed now: one COUNT each."""
    from transfer.models import Technology, TransferDeal

    now = now or timezone.now()
    proposals = Proposal.objects.exclude(state=S.DRAFT)
    counts = {item.key: item.apply(proposals, now).count() for item in worklist.todos()}
    counts["moderate"] = Technology.objects.filter(state=Technology.State.PENDING).count()
    counts["deals"] = TransferDeal.objects.filter(state=TransferDeal.State.AGREED).count()
    return counts


def _valid_until(now):
    """When counts computed at `now` go stale without any write: CACHE_SECONDS later, or at the
    next revision deadline of a returned dossier if that comes first ("late" moves then)."""
    soonest = (
        Proposal.objects.filter(state=S.RETURNED, revision_deadline__gte=now)
        .order_by("revision_deadline")
        .values_list("revision_deadline", flat=True)
        .first()
    )
    until = now + datetime.timedelta(seconds=CACHE_SECONDS)
    return min(until, soonest) if soonest else until


def cached_officer_counts(now=None):
    """`officer_counts(now)` from the cache while `core.figures_version` is the same and the
    copy is younger than CACHE_SECONDS (measured against `now`, so a caller's clock decides).
    The counts are the same for every officer and carry no text, so the key holds neither a
    user nor a language. The cache unreachable, they are computed each time."""
    now = now or timezone.now()
    found = figures_version.cached(
        CACHE_PREFIX,
        lambda: {"at": now, "until": _valid_until(now), "counts": officer_counts(now)},
        timeout=CACHE_SECONDS,
        fresh=lambda copy: copy["at"] <= now < copy["until"],
    )
    return found["counts"]


def officer_work(now=None, *, cached=False):
    """[{key, label, count, url}]: every named filter of the queue with its count, then the
    listings to moderate and the deals to confirm (their own queues). `cached=True` takes the
    counts from `cached_officer_counts` (the dashboard); labels are translated on every call."""
    counts = cached_officer_counts(now) if cached else officer_counts(now)
    queue = reverse("proposal_list")
    rows = [
        {"key": item.key, "label": item.label, "url": f"{queue}?todo={item.key}",
         "count": counts[item.key]}
        for item in worklist.todos()
    ]  # fmt: skip
    rows.append(
        {
            "key": "moderate",
            "label": _("Listings to moderate"),
            "url": reverse("technology_moderation"),
            "count": counts["moderate"],
        }
    )
    rows.append(
        {
            "key": "deals",
            "label": _("Deals to confirm"),
            "url": reverse("deal_list") + "?state=agreed",
            "count": counts["deals"],
        }
    )
    return rows


# -- managers -------------------------------------------------------------------------------------


def funding_decisions(limit=LIMIT):
    """Reviewed dossiers a manager can decide now (`grants.worklist.decision_waiting`), best
    ranked first within each call."""
    rows = (
        worklist.decision_waiting(Proposal.objects.all())
        .order_by("call__code", F("rank").asc(nulls_last=True), "pk")
        .values(
            "pk",
            "title",
            "receipt_number",
            "passed",
            "aggregate_score",
            "appraised_amount",
            "requested_amount",
            call_code=F("call__code"),
        )[: limit + 1]
    )
    return [{**row, "url": reverse("proposal_detail", args=[row["pk"]])} for row in rows]


def terminations_waiting(limit=LIMIT):
    """Running tasks the acceptance council failed: a manager terminates them."""
    rows = (
        Proposal.objects.filter(state=S.IN_PROGRESS, acceptance_verdict="fail")
        .order_by("updated_at", "pk")
        .values("pk", "title", "receipt_number")[: limit + 1]
    )
    return [{**row, "url": reverse("project_acceptance", args=[row["pk"]])} for row in rows]


# -- researchers ----------------------------------------------------------------------------------


def _step(row, now):
    """(what the applicant does next, the page where they do it, late?) for one dossier."""
    pk, state = row["pk"], row["state"]
    detail = reverse("proposal_detail", args=[pk])
    if state == S.DRAFT:
        if row["call_closes_at"] and row["call_closes_at"] <= now:
            return _("The call has closed: this draft can no longer be submitted."), detail, False
        return _("Finish the dossier and submit it before the call closes"), detail, False
    if state == S.RETURNED:
        if row["revision_deadline"] and row["revision_deadline"] < now:
            return _("The revision deadline has passed: contact the Department."), detail, True
        return (
            _("Complete what the Department asked for and resubmit it by the deadline"),
            detail,
            False,
        )
    if state == S.SUBMITTED:
        return _("Wait for the Department to screen the dossier"), detail, False
    if state in (S.ELIGIBLE, S.UNDER_REVIEW):
        return _("Wait for the council's review"), detail, False
    if state == S.REVIEWED:
        return _("Wait for the funding decision"), detail, False
    if state == S.FUNDED:
        return (
            _("Sign the contract with the Department"),
            reverse("project_contract", args=[pk]),
            False,
        )
    if state == S.IN_PROGRESS:
        if row["report_number"]:
            late = row["report_due"] is not None and row["report_due"] < timezone.localdate(now)
            return (
                _("Send progress report %(number)s") % {"number": row["report_number"]},
                reverse("project_report", args=[pk, row["report_number"]]),
                late,
            )
        if row["acceptance_state"] in (None, "draft", "returned"):
            return _("Apply for acceptance"), reverse("project_acceptance", args=[pk]), False
        return _("Wait for the acceptance council"), reverse("project_acceptance", args=[pk]), False
    if state == S.COMPLETED:
        if not row["registration_filed"]:
            return _("Register the results"), reverse("project_registration", args=[pk]), False
        if not row["listed"]:
            return (
                _("List the result in the technology catalogue"),
                reverse("technology_new"),
                False,
            )
        return "", "", False
    return "", "", False  # final: nothing more to do


def researcher_steps(proposals, *, limit=5, now=None):
    """The first `limit` of the applicant's dossiers (`proposals`, a queryset of theirs), each
    with `step`, `step_url` and `step_late`: one query for them all."""
    from projects.models import Acceptance, ProgressReport, ReportState, ResultRegistration
    from transfer.models import Technology

    now = now or timezone.now()
    report = ProgressReport.objects.filter(
        contract__proposal=OuterRef("pk"), state__in=[ReportState.DRAFT, ReportState.RETURNED]
    ).order_by("number")
    rows = list(
        proposals.annotate(
            report_number=Subquery(report.values("number")[:1]),
            report_due=Subquery(report.values("due_on")[:1]),
            acceptance_state=Subquery(
                Acceptance.objects.filter(contract__proposal=OuterRef("pk")).values("state")[:1]
            ),
            registration_filed=Exists(
                ResultRegistration.objects.filter(
                    contract__proposal=OuterRef("pk"), filed_at__isnull=False
                )
            ),
            listed=Exists(Technology.objects.filter(source_proposal=OuterRef("pk"))),
        ).values(
            "pk",
            "title",
            "state",
            "receipt_number",
            "revision_deadline",
            "report_number",
            "report_due",
            "acceptance_state",
            "registration_filed",
            "listed",
            call_code=F("call__code"),
            call_closes_at=F("call__closes_at"),
        )[:limit]
    )
    labels = dict(ProposalState.choices)
    for row in rows:
        row["state_label"] = labels.get(row["state"], row["state"])
        row["url"] = reverse("proposal_detail", args=[row["pk"]])
        row["step"], row["step_url"], row["step_late"] = _step(row, now)
    return rows

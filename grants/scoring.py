"""The council's arithmetic (DESIGN.md → Review and scoring; Circular 20/2023/TT-BKHCN).

Pure functions over ballots, so that every rule can be checked against a table worked out by hand.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

TIE_BREAK_CRITERION = "content"
PASS_MARK = 70
OUTLIER_SHARE = Fraction(1, 5)
TWO_PLACES = Decimal("0.01")


def quorum_problems(seats, accepted):
    """Is a council session valid (Circular 20/2023, art. 11; Circular 11/2014 for acceptance)?
    At least 2/3 of its `seats` present, including the chair (or the vice-chair) and both
    critics. `accepted`: the seat names ("chair", "critic" …) of the members who accepted.
    The one rule for the selection council and the acceptance council; returns the problems."""
    accepted = list(accepted)
    problems = []
    quorum = -(-seats * 2 // 3)  # the ceiling of 2/3, in whole numbers
    if len(accepted) < quorum:
        problems.append(
            _("%(accepted)d of %(seats)d council seats accepted; at least %(quorum)d are needed.")
            % {"accepted": len(accepted), "seats": seats, "quorum": quorum}
        )
    if not {"chair", "vice_chair"} & set(accepted):
        problems.append(_("The chair or the vice-chair must have accepted."))
    if accepted.count("critic") < 2:
        problems.append(_("Both critics must have accepted."))
    return problems


class NoValidBallot(ValueError):
    """Every ballot is more than 20% from the mean: the council must discuss and score again."""


@dataclass(frozen=True)
class Result:
    aggregate: Decimal
    excluded: frozenset
    passed: bool
    reason: str


def evaluate(ballots):
    """Exclude ballots more than 20% from the mean of all, average the rest, decide pass/fail.

    A criterion fails the proposal when more than a quarter of the reviewers who scored it
    gave it 0 (every submitted ballot counts as having scored it, excluded or not).
    """
    if not ballots:
        raise ValueError("no ballots")
    # Exact arithmetic (fractions): "exactly 20% from the mean" must not depend on rounding.
    totals = {b.pk: Fraction(b.total) for b in ballots}
    overall = sum(totals.values()) / len(totals)
    excluded = frozenset(
        pk for pk, t in totals.items() if abs(t - overall) > OUTLIER_SHARE * overall
    )
    valid = [t for pk, t in totals.items() if pk not in excluded]
    if not valid:
        raise NoValidBallot
    exact = sum(valid) / len(valid)  # decide on the exact mean; store it rounded
    aggregate = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        TWO_PLACES, rounding=ROUND_HALF_UP
    )

    zero_criteria = []
    criteria = {key for b in ballots for key in b.scores}
    for key in sorted(criteria):
        scored = [b.scores[key] for b in ballots if b.scores.get(key) is not None]
        zeros = sum(1 for points in scored if points == 0)
        if scored and zeros * 4 > len(scored):
            zero_criteria.append(key)

    if exact < PASS_MARK:
        passed, reason = False, _("Aggregate below 70 points.")
    elif zero_criteria:
        passed = False
        reason = _("More than a quarter of the reviewers scored 0 on: %(criteria)s.") % {
            "criteria": ", ".join(zero_criteria)
        }
    else:
        passed, reason = True, _("Aggregate of 70 points or more, no criterion rejected.")
    return Result(aggregate=aggregate, excluded=excluded, passed=passed, reason=str(reason))


def criterion_mean(proposal, key):
    scores = [
        Decimal(b.scores.get(key, 0))
        for b in proposal.ballots.all()
        if b.submitted_at and not b.excluded
    ]
    return sum(scores) / len(scores) if scores else Decimal(0)


def ranking_key(*, aggregate, requested, tiebreak_mean, pk):
    """Higher aggregate first; ties to the smaller request, then to the higher mean on the
    rubric's tie-break criterion ("content, staffing and methods"), then to the earlier dossier,
    so that the ranking is a total order."""
    return (-(aggregate or Decimal(0)), requested, -tiebreak_mean, pk)


def rank_call(call_id):
    """Number the scored proposals of a call 1, 2, 3 ... by `ranking_key`."""
    from grants.models import CallPage, Proposal

    rubric = CallPage.objects.get(pk=call_id).get_rubric()
    tiebreak = (rubric.tiebreak_key() if rubric else None) or TIE_BREAK_CRITERION
    scored = list(
        Proposal.objects.filter(call_id=call_id, aggregate_score__isnull=False)
        .prefetch_related("ballots")
        .order_by("pk")
    )
    scored.sort(
        key=lambda p: ranking_key(
            aggregate=p.aggregate_score,
            requested=p.requested_amount,
            tiebreak_mean=criterion_mean(p, tiebreak),
            pk=p.pk,
        )
    )
    for rank, proposal in enumerate(scored, start=1):
        if proposal.rank != rank:
            Proposal.objects.filter(pk=proposal.pk).update(rank=rank)
    return [p.pk for p in scored]

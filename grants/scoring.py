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


def quorum_problems(seats, accepted, *, at_close=False):
    """Is a council session valid (Circular 20/2023, art. 11; Circular 11/2014 for acceptance)?
    At least 2/3 of its `seats` present, including the chair (or the vice-chair) and both
    critics. `accepted`: the seat names ("chair", "critic" …) of the members who accepted.
    The one rule for the selection council and the acceptance council; returns the problems.

    Checked twice (DESIGN.md): when the review starts, on the members who accepted, and when it
    closes (`at_close=True`), on the members present at the close, i.e. those who accepted and
    cast their ballot (or grade), so that a council thinned out during scoring cannot decide."""
    accepted = list(accepted)
    problems = []
    quorum = -(-seats * 2 // 3)  # the ceiling of 2/3, in whole numbers
    if at_close:
        if len(accepted) < quorum:
            problems.append(
                _(
                    "At the close, %(present)d of %(seats)d council members took part; "
                    "at least %(quorum)d are needed."
                )
                % {"present": len(accepted), "seats": seats, "quorum": quorum}
            )
        if not {"chair", "vice_chair"} & set(accepted):
            problems.append(_("At the close, the chair or the vice-chair must have taken part."))
        if accepted.count("critic") < 2:
            problems.append(_("At the close, both critics must have taken part."))
        return problems
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
    # The reason as a language-neutral code, stored on the proposal and put into words in the
    # reader's language (`outcome_text`): "below_pass_mark", "passed" or "zero:<key>,<key>".
    outcome: str = ""


def evaluate(ballots, criteria=None):
    """Exclude ballots more than 20% from the mean of all, average the rest, decide pass/fail.

    A criterion fails the proposal when more than a quarter of the reviewers who scored it
    gave it 0 (every submitted ballot counts as having scored it, excluded or not).
    `criteria`: the rubric's (key, name) pairs in its order, so that the reason names the
    criteria as the council knows them ("Sản phẩm", not "products"); keys the rubric does not
    know (or all, without `criteria`) are named by their key, after the rubric's.
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

    zero_keys = []
    names = dict(criteria or ())
    scored_keys = {key for b in ballots for key in b.scores}
    order = [key for key in names if key in scored_keys] + sorted(scored_keys - set(names))
    for key in order:
        scored = [b.scores[key] for b in ballots if b.scores.get(key) is not None]
        zeros = sum(1 for points in scored if points == 0)
        if scored and zeros * 4 > len(scored):
            zero_keys.append(key)

    if exact < PASS_MARK:
        passed, outcome = False, BELOW_PASS_MARK
    elif zero_keys:
        passed, outcome = False, ZERO_PREFIX + ",".join(zero_keys)
    else:
        passed, outcome = True, PASSED
    reason = outcome_text(outcome, criteria)
    return Result(
        aggregate=aggregate, excluded=excluded, passed=passed, reason=reason, outcome=outcome
    )


BELOW_PASS_MARK = "below_pass_mark"
PASSED = "passed"
ZERO_PREFIX = "zero:"


def outcome_text(outcome, criteria=None):
    """The council's outcome in the active language, from the code `evaluate` gives
    (`Result.outcome`, what `Proposal.review_outcome` stores). `criteria`: the rubric's (key,
    name) pairs, names in the reader's language; a key the rubric does not know is named by
    itself. A value that is no code (stored before codes were) is returned as it is."""
    outcome = outcome or ""
    if outcome == BELOW_PASS_MARK:
        return str(_("Aggregate below 70 points."))
    if outcome == PASSED:
        return str(_("Aggregate of 70 points or more, no criterion rejected."))
    if outcome.startswith(ZERO_PREFIX):
        names = dict(criteria or ())
        keys = [key for key in outcome[len(ZERO_PREFIX) :].split(",") if key]
        return str(
            _("More than a quarter of the reviewers scored 0 on: %(criteria)s.")
            % {"criteria": ", ".join(str(names.get(key) or key) for key in keys)}
        )
    return outcome


def valid_totals(proposal):
    """The totals of the ballots the aggregate is the mean of: submitted and not excluded."""
    return [b.total for b in proposal.ballots.all() if b.submitted_at and not b.excluded]


def exact_aggregate(proposal):
    """The aggregate as the exact fraction the council's ballots give (e.g. 241/3), recomputed
    from the valid ballots; the stored `aggregate_score` is that value rounded to two decimals
    for display. A proposal without ballots rows (an imported score) keeps its stored value."""
    totals = valid_totals(proposal)
    if totals:
        return Fraction(sum(totals), len(totals))
    return Fraction(proposal.aggregate_score or 0)


def criterion_mean(proposal, key):
    """The exact mean of the valid ballots on one criterion (the tie-break)."""
    scores = [
        b.scores.get(key, 0) for b in proposal.ballots.all() if b.submitted_at and not b.excluded
    ]
    return Fraction(sum(scores), len(scores)) if scores else Fraction(0)


def ranking_key(*, aggregate, requested, tiebreak_mean, pk):
    """Higher aggregate first; ties to the smaller request, then to the higher mean on the
    rubric's tie-break criterion ("content, staffing and methods"), then to the earlier dossier,
    so that the ranking is a total order. Give it the exact aggregate (`exact_aggregate`), not
    the rounded one: two means that round to the same 80.13 are not a tie."""
    return (-(aggregate or 0), requested, -tiebreak_mean, pk)


def rank_call(call_id):
    """Number the scored proposals of a call 1, 2, 3 ... by `ranking_key`, on the exact means.

    The exact aggregate is recomputed from the valid ballots (integers, so a `Fraction` is exact)
    rather than stored: the ballots and their `excluded` flags, fixed when the review closed, are
    the record; a second stored copy could only drift from them. (With at most nine ballots of
    whole points two different means differ by at least 1/72 and never round alike; the exact
    order still matters to a larger panel and to the call's second tie-break, the content mean,
    which is compared exactly as well.)"""
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
            aggregate=exact_aggregate(p),
            requested=p.requested_amount,
            tiebreak_mean=criterion_mean(p, tiebreak),
            pk=p.pk,
        )
    )
    for rank, proposal in enumerate(scored, start=1):
        if proposal.rank != rank:
            Proposal.objects.filter(pk=proposal.pk).update(rank=rank)
    return [p.pk for p in scored]

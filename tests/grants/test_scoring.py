"""The council's rules on tables worked out by hand (DESIGN.md → Review and scoring)."""

import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants import scoring

RUBRIC = {"overview": 12, "content": 24, "products": 16, "application": 16, "feasibility": 16,
          "capacity": 16}  # fmt: skip


def ballot(pk, total=None, **scores):
    if total is None:
        scores = {**RUBRIC, **scores}
        total = sum(scores.values())
    return SimpleNamespace(pk=pk, total=total, scores=scores)


def totals(*values):
    return [ballot(pk, total=value) for pk, value in enumerate(values, start=1)]


# -- outliers ---------------------------------------------------------------------------------------


def test_a_ballot_exactly_20_percent_from_the_mean_counts():
    # mean = (4 × 84 + 64) / 5 = 80; |64 − 80| = 16 = 20% of 80: kept
    result = scoring.evaluate(totals(84, 84, 84, 84, 64))
    assert result.excluded == frozenset()
    assert result.aggregate == Decimal("80.00")


def test_a_ballot_just_beyond_20_percent_is_excluded_and_left_out():
    # mean = (4 × 84 + 63) / 5 = 79.8; |63 − 79.8| = 16.8 > 15.96: excluded; aggregate = 84
    result = scoring.evaluate(totals(84, 84, 84, 84, 63))
    assert result.excluded == frozenset({5})
    assert result.aggregate == Decimal("84.00")


def test_a_high_outlier_is_excluded_too():
    # mean = (6 × 70 + 99) / 7 = 74.14; |99 − 74.14| = 24.86 > 14.83: excluded; aggregate = 70
    result = scoring.evaluate(totals(70, 70, 70, 70, 70, 70, 99))
    assert result.excluded == frozenset({7})
    assert result.aggregate == Decimal("70.00") and result.passed


def test_when_every_ballot_is_an_outlier_the_council_scores_again():
    # mean = 50; both are 50 away, more than 10
    with pytest.raises(scoring.NoValidBallot):
        scoring.evaluate(totals(0, 100))


# -- the 70 threshold -------------------------------------------------------------------------------


def test_seventy_passes_and_just_below_fails():
    assert scoring.evaluate(totals(70, 70, 70)).passed is True
    below = scoring.evaluate(totals(70, 70, 69))  # 69.67
    assert below.passed is False and below.aggregate == Decimal("69.67")


def test_the_threshold_uses_the_exact_mean_not_the_rounded_one():
    # 200 ballots, 199 × 70 and one 69: mean 69.995 rounds to 70.00 but is below 70
    result = scoring.evaluate(totals(*([70] * 199 + [69])))
    assert result.aggregate == Decimal("70.00")
    assert result.passed is False


# -- the zero-criterion rule ------------------------------------------------------------------------


def test_zeros_from_exactly_a_quarter_of_the_reviewers_are_tolerated():
    # 8 reviewers, 2 give "products" 0: totals 6 × 100 and 2 × 84, mean 96, all valid
    ballots = [ballot(n) for n in range(1, 7)] + [ballot(7, products=0), ballot(8, products=0)]
    result = scoring.evaluate(ballots)
    assert result.excluded == frozenset() and result.aggregate == Decimal("96.00")
    assert result.passed is True


def test_zeros_from_more_than_a_quarter_fail_the_proposal():
    ballots = [ballot(n) for n in range(1, 6)] + [ballot(n, products=0) for n in (6, 7, 8)]
    result = scoring.evaluate(ballots)  # aggregate 94: the threshold is met, the rule is not
    assert result.aggregate == Decimal("94.00")
    assert result.passed is False and "products" in result.reason


def test_with_four_reviewers_one_zero_passes_and_two_fail():
    one = [ballot(1), ballot(2), ballot(3), ballot(4, capacity=0)]
    two = [ballot(1), ballot(2), ballot(3, capacity=0), ballot(4, capacity=0)]
    assert scoring.evaluate(one).passed is True
    assert scoring.evaluate(two).passed is False


# -- ranking ------------------------------------------------------------------------------------------


def key(pk, aggregate, requested, tiebreak_mean):
    return scoring.ranking_key(
        aggregate=Decimal(aggregate), requested=requested, tiebreak_mean=tiebreak_mean, pk=pk
    )


def test_ranking_by_aggregate_then_smaller_request_then_content_mean():
    rows = {
        "A": key(1, "85.00", 1_500_000_000, 20),
        "B": key(2, "90.00", 1_900_000_000, 15),  # best aggregate
        "C": key(3, "85.00", 1_200_000_000, 18),  # tie on 85: smaller request wins
        "D": key(4, "85.00", 1_200_000_000, 22),  # tie on 85 and request: better content
    }
    assert sorted(rows, key=rows.get) == ["B", "D", "C", "A"]


# -- properties ---------------------------------------------------------------------------------------

scores = st.fixed_dictionaries({k: st.integers(0, maximum) for k, maximum in RUBRIC.items()})


@given(st.lists(scores, min_size=1, max_size=9))
def test_the_aggregate_lies_within_the_valid_ballots_and_ignores_the_excluded(sheets):
    ballots = [ballot(pk, total=sum(s.values()), **s) for pk, s in enumerate(sheets, start=1)]
    try:
        result = scoring.evaluate(ballots)
    except scoring.NoValidBallot:
        return
    valid = [b.total for b in ballots if b.pk not in result.excluded]
    assert min(valid) - Decimal("0.005") <= result.aggregate <= max(valid) + Decimal("0.005")
    # The aggregate is the mean of the valid ballots alone: excluded ones never enter it.
    mean = Decimal(sum(valid)) / len(valid)
    assert abs(result.aggregate - mean) <= Decimal("0.005")


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=100, places=2),
            st.integers(1, 10).map(lambda n: n * 100_000_000),
            st.integers(0, 24),
        ),
        min_size=1,
        max_size=12,
    ),
    st.randoms(),
)
def test_the_ranking_is_a_total_order(rows, rnd):
    keys = [
        scoring.ranking_key(aggregate=a, requested=r, tiebreak_mean=t, pk=pk)
        for pk, (a, r, t) in enumerate(rows, start=1)
    ]
    assert len(set(keys)) == len(keys)  # no two proposals share a rank
    shuffled = keys[:]
    rnd.shuffle(shuffled)
    assert sorted(shuffled) == sorted(keys)
    for x, y in itertools.combinations(keys, 2):
        assert (x < y) != (y < x)

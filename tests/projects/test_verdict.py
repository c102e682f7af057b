"""The acceptance verdict (Circular 11/2014) on tables worked out by hand, at the boundaries, and
as properties (Hypothesis)."""

import datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects import verdict
from projects.verdict import council_verdict, member_grade, months_late

E, P, F = "excellent", "pass", "fail"
grade = st.sampled_from([E, P, F])


# -- one member's grade -------------------------------------------------------------------------

MEMBER_TABLE = [
    # quality, quantity, report → grade
    ([P], [P], P, P),
    ([E], [E], E, E),
    ([E, E], [E, P], E, E),  # every quantity at pass or better, quality and report excellent
    ([E, E], [E, E], P, P),  # the report only passes: not excellent
    ([E, P], [E, E], E, P),  # one quality criterion only passes
    ([P, P, P, P], [P, P, P, F], P, P),  # exactly 3/4 of the quantity criteria pass
    ([P, P, P, P], [P, P, F, F], P, F),  # 2/4: below 3/4
    ([P] * 5, [P, P, P, F, F], P, F),  # 3/5 < 3/4
    ([P] * 7, [P] * 6 + [F], P, P),  # 6/7 > 3/4
    ([E, E, E, E], [E, E, E, F], E, P),  # 3/4 is a pass, never excellent with a quantity missing
    ([P, F], [P, P], P, F),  # a quality criterion fails
    ([P], [P], F, F),  # the report fails
]


@pytest.mark.parametrize(("quality", "quantity", "report", "expected"), MEMBER_TABLE)
def test_member_grade_table(quality, quantity, report, expected):
    assert member_grade(quality, quantity, report) == expected


def test_member_grade_refuses_what_is_not_a_grade_or_nothing_graded():
    with pytest.raises(ValueError):
        member_grade(["good"], [P], P)
    with pytest.raises(ValueError):
        member_grade([], [], P)


# -- the council's verdict ----------------------------------------------------------------------

COUNCIL_TABLE = [
    # 9 members: 7 excellent is 7/9 ≥ 3/4; 6 is 6/9 < 3/4
    ([E] * 7 + [P] * 2, E),
    ([E] * 6 + [P] * 3, P),
    # 8 members: exactly 3/4 excellent is excellent; one below is pass
    ([E] * 6 + [P] * 2, E),
    ([E] * 5 + [P] * 3, P),
    # one fail blocks excellent
    ([E] * 8 + [F], P),
    # 9 members: 3 fail is exactly 1/3 (pass); 4 is more (fail)
    ([P] * 6 + [F] * 3, P),
    ([P] * 5 + [F] * 4, F),
    ([E] * 6 + [F] * 3, P),
    # 6 members: 2 fail is exactly 1/3; 3 is more
    ([P] * 4 + [F] * 2, P),
    ([P] * 3 + [F] * 3, F),
    # 8 members: 3 fail is more than 1/3 (3/8 > 1/3)
    ([E] * 5 + [F] * 3, F),
    ([P] * 7, P),
]


@pytest.mark.parametrize(("grades", "expected"), COUNCIL_TABLE)
def test_council_verdict_table(grades, expected):
    result = council_verdict(grades)
    assert result.grade == expected
    assert result.present == len(grades)
    assert (result.excellent, result.passed, result.failed) == (
        grades.count(E), grades.count(P), grades.count(F)
    )  # fmt: skip


def test_the_reason_names_the_counts():
    assert "4" in council_verdict([P] * 5 + [F] * 4).reason
    assert "7" in council_verdict([E] * 7 + [P] * 2).reason


def test_no_member_present_is_not_a_verdict():
    with pytest.raises(ValueError):
        council_verdict([])


# -- late dossiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ends_on", "submitted_on", "expected"),
    [
        (datetime.date(2026, 1, 15), datetime.date(2026, 1, 15), Fraction(0)),
        (datetime.date(2026, 1, 15), datetime.date(2026, 1, 10), Fraction(0)),
        (datetime.date(2026, 1, 15), datetime.date(2026, 7, 15), Fraction(6)),
        (datetime.date(2026, 1, 15), datetime.date(2026, 7, 16), 6 + Fraction(1, 31)),
        (datetime.date(2026, 1, 15), datetime.date(2026, 2, 15), Fraction(1)),
        # the last day of a shorter month: 31/08 + 6 months is 28/02
        (datetime.date(2025, 8, 31), datetime.date(2026, 2, 28), Fraction(6)),
        (datetime.date(2025, 8, 31), datetime.date(2026, 3, 1), 6 + Fraction(1, 31)),
    ],
)
def test_months_late_table(ends_on, submitted_on, expected):
    assert months_late(ends_on, submitted_on) == expected


def test_six_months_late_to_the_day_is_not_fail_a_day_more_is():
    ends = datetime.date(2026, 3, 31)
    on_the_day = months_late(ends, datetime.date(2026, 9, 30))  # 31/03 + 6 months = 30/09
    a_day_more = months_late(ends, datetime.date(2026, 10, 1))
    assert on_the_day == 6
    assert council_verdict([E] * 9, months_late=on_the_day).grade == E
    late = council_verdict([E] * 9, months_late=a_day_more)
    assert late.grade == F
    assert "sáu tháng" in late.reason


# -- properties ---------------------------------------------------------------------------------


@given(st.lists(grade, min_size=1, max_size=15))
def test_council_verdict_follows_the_shares(grades):
    result = council_verdict(grades).grade
    n, fails, excellent = len(grades), grades.count(F), grades.count(E)
    if 3 * fails > n:
        assert result == F
    elif fails == 0 and 4 * excellent >= 3 * n:
        assert result == E
    else:
        assert result == P


@given(st.lists(grade, min_size=1, max_size=15), st.permutations(range(15)))
def test_council_verdict_ignores_the_order_of_members(grades, order):
    shuffled = [grades[i] for i in order if i < len(grades)]
    assert council_verdict(shuffled) == council_verdict(grades)


@given(st.lists(grade, min_size=1, max_size=15), st.integers(0, 14))
def test_one_grade_better_never_worsens_the_verdict(grades, index):
    rank = {F: 0, P: 1, E: 2}
    index %= len(grades)
    better = list(grades)
    better[index] = {F: P, P: E, E: E}[grades[index]]
    assert rank[council_verdict(better).grade] >= rank[council_verdict(grades).grade]


@given(
    st.lists(grade, min_size=1, max_size=8),
    st.lists(grade, min_size=1, max_size=8),
    grade,
)
def test_member_grade_follows_its_rule(quality, quantity, report):
    result = member_grade(quality, quantity, report)
    passing = sum(g != F for g in quantity)
    passes = F not in quality and report != F and 4 * passing >= 3 * len(quantity)
    if not passes:
        assert result == F
    elif all(g == E for g in quality) and report == E and passing == len(quantity):
        assert result == E
    else:
        assert result == P


@given(st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)), st.integers(0, 800))
def test_months_late_grows_with_the_delay_and_more_than_six_means_past_six_months(ends, days):
    submitted = ends + datetime.timedelta(days=days)
    late = months_late(ends, submitted)
    assert late == 0 or days > 0
    assert months_late(ends, submitted + datetime.timedelta(days=1)) > late
    assert (late > 6) == (submitted > verdict.add_months(ends, 6))

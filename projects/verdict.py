"""The acceptance council's arithmetic (Circular 11/2014/TT-BKHCN, DOMAIN.md → Acceptance
council; docs/decisions/0008-acceptance-verdict.md).

Pure functions on exact fractions, as `grants.scoring` is for the selection council: every rule
can be checked against a table worked out by hand, and "exactly 3/4" or "exactly 1/3" never
depends on rounding.

- A member grades each deliverable on its quantity (số lượng, chủng loại) and its quality
  (chất lượng) against the indicators the contract promised, and grades the final report:
  excellent (xuất sắc), pass (đạt) or fail (không đạt). `member_grade` turns those into the
  member's grade of the task.
- `council_verdict` turns the grades of the members present into the council's verdict; a
  dossier more than six months late fails whatever the grades (`months_late`).
"""

import calendar
import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

EXCELLENT, PASS, FAIL = "excellent", "pass", "fail"
GRADES = (EXCELLENT, PASS, FAIL)
PASSING = (EXCELLENT, PASS)

QUANTITY_SHARE = Fraction(3, 4)  # of the quantity criteria at pass or better, for "pass"
EXCELLENT_SHARE = Fraction(3, 4)  # of the members present saying excellent, none fail
FAIL_SHARE = Fraction(1, 3)  # more than this share of members saying fail fails the task
LATE_MONTHS = 6  # a dossier more than six calendar months late fails


def _checked(grades, what):
    grades = list(grades)
    for grade in grades:
        if grade not in GRADES:
            raise ValueError(f"{what}: {grade!r} is not a grade")
    return grades


def member_grade(quality_grades, quantity_grades, report_grade):
    """One member's grade of the task (Circular 11/2014) from their grades of every
    deliverable's quality, every deliverable's quantity, and the final report.

    - pass needs every quality criterion at pass or better and at least 3/4 of the quantity
      criteria at pass or better (DOMAIN.md). The final report (báo cáo tổng hợp) is read as
      one more quality criterion: it too must be at pass or better.
    - excellent (the portal's reading, decision 0008): the pass conditions hold, every
      quality criterion and the report are excellent, and every quantity criterion is at pass
      or better (not only 3/4 of them): nothing promised is missing and everything delivered
      is of excellent quality.
    - fail otherwise.
    """
    quality = _checked(quality_grades, "quality")
    quantity = _checked(quantity_grades, "quantity")
    (report,) = _checked([report_grade], "report")
    if not quality or not quantity:
        raise ValueError("a member grades at least one deliverable")
    if any(grade == FAIL for grade in quality) or report == FAIL:
        return FAIL
    passing_quantity = Fraction(sum(grade in PASSING for grade in quantity), len(quantity))
    if passing_quantity < QUANTITY_SHARE:
        return FAIL
    if (
        passing_quantity == 1
        and report == EXCELLENT
        and all(grade == EXCELLENT for grade in quality)
    ):
        return EXCELLENT
    return PASS


def add_months(day, months):
    """The same day `months` calendar months later (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def months_late(ends_on, submitted_on):
    """How late the dossier came, in calendar months, exactly: 0 when submitted on or before
    the contract's end date (as extended); else the whole months from the end date, plus the
    days beyond them as a fraction of the month they fall in. Six months to the day is exactly
    6; a day more is more than 6."""
    if isinstance(submitted_on, datetime.datetime):
        submitted_on = submitted_on.date()
    if submitted_on <= ends_on:
        return Fraction(0)
    whole = (submitted_on.year - ends_on.year) * 12 + submitted_on.month - ends_on.month
    while whole > 0 and add_months(ends_on, whole) > submitted_on:
        whole -= 1
    start = add_months(ends_on, whole)
    following = add_months(ends_on, whole + 1)
    return whole + Fraction((submitted_on - start).days, (following - start).days)


@dataclass(frozen=True)
class Verdict:
    grade: str
    reason: str
    excellent: int
    passed: int
    failed: int
    present: int


def council_verdict(member_grades, *, months_late=0):
    """The council's verdict (Circular 11/2014) from the grades of the members present:

    - fail when the dossier came more than six calendar months late (`months_late` > 6);
    - fail when MORE than 1/3 of the members present say fail (exactly 1/3 is not fail);
    - excellent when at least 3/4 of them say excellent and none says fail;
    - pass otherwise.
    Returns a `Verdict` with the reason in words (translated when read)."""
    grades = _checked(member_grades, "member")
    if not grades:
        raise ValueError("no member graded")
    present = len(grades)
    counts = {grade: grades.count(grade) for grade in GRADES}
    tally = {
        "excellent": counts[EXCELLENT],
        "passed": counts[PASS],
        "failed": counts[FAIL],
        "present": present,
    }
    numbers = {"excellent": counts[EXCELLENT], "fail": counts[FAIL], "present": present}
    if Fraction(months_late) > LATE_MONTHS:
        reason = _("The dossier was submitted more than six months after the contract's end.")
        return Verdict(FAIL, str(reason), **tally)
    if Fraction(counts[FAIL], present) > FAIL_SHARE:
        reason = _("%(fail)d of %(present)d members present graded fail: more than one third.")
        return Verdict(FAIL, str(reason % numbers), **tally)
    if counts[FAIL] == 0 and Fraction(counts[EXCELLENT], present) >= EXCELLENT_SHARE:
        reason = _(
            "%(excellent)d of %(present)d members present graded excellent (at least three "
            "quarters) and none graded fail."
        )
        return Verdict(EXCELLENT, str(reason % numbers), **tally)
    reason = _(
        "%(excellent)d of %(present)d members present graded excellent and %(fail)d graded "
        "fail: neither excellent nor fail."
    )
    return Verdict(PASS, str(reason % numbers), **tally)

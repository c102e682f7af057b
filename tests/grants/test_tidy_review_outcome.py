"""The selection council's outcome is stored as a language-neutral code and put into words in the
reader's language (tidy slice): whoever closes the review, each reader reads it in theirs."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from grants import scoring
from grants.models import Proposal

RUBRIC = {"overview": 12, "content": 24, "products": 16, "application": 16, "feasibility": 16,
          "capacity": 16}  # fmt: skip
NAMES = [("overview", "Tổng quan"), ("products", "Sản phẩm")]


def ballot(pk, **scores):
    scores = {**RUBRIC, **scores}
    return SimpleNamespace(pk=pk, total=sum(scores.values()), scores=scores)


def in_language(language, function, *args):
    with translation.override(language):
        return function(*args)


def test_the_outcome_code_does_not_depend_on_the_active_language():
    ballots = [ballot(1), ballot(2), ballot(3)]
    vi = in_language("vi", scoring.evaluate, ballots, NAMES)
    en = in_language("en", scoring.evaluate, ballots, NAMES)
    assert vi.outcome == en.outcome == scoring.PASSED
    assert vi.reason != en.reason  # the words follow the language, the code does not


def test_exactly_a_quarter_of_zeros_passes_just_above_fails_by_key():
    # 1 zero of 4 is a quarter: not rejected; 2 of 7 is more than a quarter: rejected.
    four = [ballot(1, products=0, overview=12), ballot(2), ballot(3), ballot(4)]
    assert scoring.evaluate(four, NAMES).outcome == scoring.PASSED
    seven = [ballot(n, products=0) if n < 3 else ballot(n) for n in range(1, 8)]
    assert scoring.evaluate(seven, NAMES).outcome == "zero:products"


def test_below_the_pass_mark_is_its_own_code():
    low = [ballot(n, content=0, products=0, overview=0) for n in (1, 2, 3)]  # 48 points
    result = scoring.evaluate(low, NAMES)
    assert result.passed is False and result.outcome == scoring.BELOW_PASS_MARK
    assert in_language("vi", scoring.outcome_text, result.outcome) == "Điểm tổng hợp dưới 70."
    assert in_language("en", scoring.outcome_text, result.outcome) == "Aggregate below 70 points."


def test_the_words_name_the_criteria_the_reader_knows_and_unknown_keys_by_themselves():
    text = in_language("vi", scoring.outcome_text, "zero:products,extra", NAMES)
    assert text == "Hơn một phần tư thành viên cho 0 điểm ở tiêu chí: Sản phẩm, extra."
    text = in_language("en", scoring.outcome_text, "zero:products", [("products", "Products")])
    assert text == "More than a quarter of the reviewers scored 0 on: Products."


def test_a_stored_text_from_before_the_codes_is_shown_as_it_is():
    assert scoring.outcome_text("Điểm tổng hợp dưới 70.") == "Điểm tổng hợp dưới 70."
    assert scoring.outcome_text("") == ""


@pytest.mark.django_db
def test_a_stored_outcome_reads_in_the_readers_language():
    proposal = (
        Proposal.objects.filter(owner__email="researcher@example.org", review_outcome="passed")
        .order_by("pk")
        .first()
    )
    assert proposal is not None, "the demo has a reviewed proposal of researcher@ that passed"
    vi = in_language("vi", proposal.get_review_outcome_display)
    en = in_language("en", proposal.get_review_outcome_display)
    assert vi == "Điểm tổng hợp từ 70 trở lên, không tiêu chí nào bị bác."
    assert en == "Aggregate of 70 points or more, no criterion rejected."

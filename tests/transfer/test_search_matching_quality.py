"""Matching quality on the labelled set (benchmarks/matching_labels.py), on the demo catalogue."""

import pytest

from benchmarks.matching_labels import NEEDS, evaluate

pytestmark = pytest.mark.django_db


def test_the_labelled_set_has_sixty_pairs_across_sectors():
    assert sum(len(row[4]) for row in NEEDS) >= 60
    assert len({row[0] for row in NEEDS}) == 8


def test_quality_figures(capsys):
    result = evaluate()
    with capsys.disabled():
        print(
            f"\nneeds {result['needs']} pairs {result['pairs']} hit@1 {result['hit@1']:.2f} "
            f"precision@5 {result['precision@5']:.3f} recall@5 {result['recall@5']:.3f} "
            f"nDCG@5 {result['ndcg@5']:.3f} false friends {result['false_friends']}"
        )
    assert result["recall@5"] > 0.5

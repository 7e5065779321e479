from __future__ import annotations

import pandas as pd
import pytest

from hub.linkage.evaluate import blocking_quality, canonical_pairs, score_clusters, score_pairs


def test_canonical_pairs_drop_mirrors_and_self_pairs() -> None:
    pairs = pd.MultiIndex.from_tuples([("b", "a"), ("a", "b"), ("c", "c")])
    assert list(canonical_pairs(pairs)) == [("a", "b")]


def test_pairwise_scores() -> None:
    predicted = pd.Series({"a": 1, "b": 1, "c": 1, "d": 2})
    truth = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    scores = score_clusters(predicted, truth)
    assert scores.predicted == 3 and scores.actual == 2 and scores.true_positives == 1
    assert scores.precision == pytest.approx(1 / 3)
    assert scores.recall == pytest.approx(1 / 2)


def test_blocking_quality() -> None:
    true = pd.MultiIndex.from_tuples([("a", "b"), ("c", "d")])
    found = blocking_quality(pd.MultiIndex.from_tuples([("b", "a")]), true, 4)
    assert found["pair_completeness"] == 0.5
    assert found["reduction_ratio"] == pytest.approx(1 - 1 / 6)
    assert score_pairs(true, true).f1 == 1.0

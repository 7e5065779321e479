"""Floors on the sample set, read through hub.ingest and scored against its truth."""

from __future__ import annotations

import pandas as pd
import pytest

from hub.linkage import link
from hub.linkage.evaluate import blocking_quality, cluster_pairs, score_clusters


@pytest.fixture(scope="module")
def result(sample_frame: pd.DataFrame) -> object:
    return link(sample_frame)


def test_every_mention_is_in_the_truth(sample_frame: pd.DataFrame,
                                       sample_truth: pd.Series) -> None:
    assert sample_frame.index.difference(sample_truth.index).empty


def test_pairwise_precision_and_recall(result: object, sample_truth: pd.Series) -> None:
    scores = score_clusters(result.person_ids, sample_truth)  # type: ignore[attr-defined]
    assert scores.precision >= 0.999
    assert scores.recall >= 0.995


def test_blocking_pair_completeness(result: object, sample_frame: pd.DataFrame,
                                    sample_truth: pd.Series) -> None:
    # pairs the model may link: both mentions carry an ID number or a birth date (the
    # evidence gates); name-only mentions are resolved by the context rules, not by pairs
    evidence = sample_frame["id_number"].notna() | sample_frame["birth_date"].notna()
    linkable = sample_frame.index[evidence.to_numpy()]
    true_pairs = cluster_pairs(sample_truth.loc[linkable])
    found = blocking_quality(result.scored.index, true_pairs, len(sample_frame))  # type: ignore[attr-defined]
    assert found["pair_completeness"] >= 0.998
    assert found["reduction_ratio"] >= 0.99


def test_review_queue_is_small(result: object, sample_frame: pd.DataFrame) -> None:
    assert len(result.review_queue) <= 0.003 * len(sample_frame)  # type: ignore[attr-defined]


def test_settings_record_trained_weights(result: object) -> None:
    settings = result.settings  # type: ignore[attr-defined]
    assert settings.trained
    assert all(spec.m and spec.u for spec in settings.comparisons)
    exact_id = settings.comparison("id_number").weights()[-1]
    assert exact_id > 10

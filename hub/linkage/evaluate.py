"""Evaluation against known truth: pairwise precision/recall/F1, blocking quality, queue size.

Pairs are canonical (first key sorts before the second, as strings), so predicted and true
pairs compare as sets regardless of how they were produced. Clusters are evaluated as the
set of all within-cluster pairs, the usual pairwise measure for entity resolution.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


def canonical_pairs(pairs: pd.MultiIndex) -> pd.MultiIndex:
    """Order each pair so the smaller key (as a string) comes first, and drop duplicates."""
    a = pairs.get_level_values(0).astype(str).to_numpy()
    b = pairs.get_level_values(1).astype(str).to_numpy()
    keep = a != b
    a, b = a[keep], b[keep]
    first = np.where(a < b, a, b)
    second = np.where(a < b, b, a)
    return pd.MultiIndex.from_arrays([first, second]).unique()


def cluster_pairs(clusters: pd.Series) -> pd.MultiIndex:
    """All within-cluster pairs of a ``record key → cluster id`` Series, canonical."""
    frame = pd.DataFrame({"key": clusters.index.astype(str), "cluster": clusters.to_numpy()})
    frame = frame.dropna()
    merged = frame.merge(frame, on="cluster")
    merged = merged[merged["key_x"] < merged["key_y"]]
    return pd.MultiIndex.from_arrays([merged["key_x"].to_numpy(), merged["key_y"].to_numpy()])


@dataclass(frozen=True)
class PairScores:
    """Pairwise scores of predicted against true pairs."""

    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        """Share of predicted pairs that are true (1.0 when nothing is predicted)."""
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs that are predicted (1.0 when there are none)."""
        return self.true_positives / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        """Counts and scores as a plain dict (for reports)."""
        return {**asdict(self), "precision": self.precision, "recall": self.recall,
                "f1": self.f1}


def score_pairs(predicted: pd.MultiIndex, actual: pd.MultiIndex) -> PairScores:
    """Compare predicted pairs with true pairs (both canonicalised here)."""
    pred = canonical_pairs(predicted)
    true = canonical_pairs(actual)
    return PairScores(len(pred.intersection(true)), len(pred), len(true))


def score_clusters(predicted: pd.Series, truth: pd.Series) -> PairScores:
    """Pairwise scores of a clustering against a true ``key → entity`` mapping.

    Only keys present in both are evaluated.

    Args:
        predicted: ``record key → predicted cluster id``.
        truth: ``record key → true entity id``.
    """
    common = predicted.index.intersection(truth.index)
    return score_pairs(cluster_pairs(predicted.loc[common]), cluster_pairs(truth.loc[common]))


def blocking_quality(
    candidates: pd.MultiIndex, actual: pd.MultiIndex, n_records: int
) -> dict[str, float]:
    """Pair completeness and reduction ratio of a candidate set (dedupe).

    Args:
        candidates: Candidate pairs.
        actual: True pairs.
        n_records: Number of records (the full comparison space is n(n-1)/2).

    Returns:
        ``pair_completeness``, ``reduction_ratio`` and ``candidates``.
    """
    cand = canonical_pairs(candidates)
    true = canonical_pairs(actual)
    space = n_records * (n_records - 1) / 2
    return {
        "candidates": float(len(cand)),
        "pair_completeness": len(cand.intersection(true)) / len(true) if len(true) else 1.0,
        "reduction_ratio": 1.0 - len(cand) / space if space else 1.0,
    }

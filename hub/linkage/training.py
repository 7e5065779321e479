"""Training that does not drift with the size of the graph: u from random pairs, m from labels.

EM over the candidate pairs (``classify.fit_em``) learns from a pair mix that blocking
shapes: as a county grows, the big blocks (pinyin initials + birth year, the sorted
neighbourhood, names without an ID) grow with the square of their size, so the non-matches'
share rises, EM's prior falls and the u of a name agreement rises (most candidates were
blocked on the name). Every weight then slides down together while the thresholds stay put,
and pairs just above the link threshold at 20k households fall into the review band at 60k.

This module trains as Splink recommends instead, on quantities that do not depend on how
many records there are:

* **u** from uniformly random record pairs (Splink's
  ``estimate_u_using_random_sampling``), seeded, so a rerun on the same data gives the same
  weights, leaving out the pairs labelled matches;
* **m** from pairs the data labels as matches: candidate pairs that share a valid ID number
  (Splink's ``estimate_m_from_label_column``) plus clerically accepted pairs;
* the **prior** stays as configured, so thresholds keep one meaning at every size.

Both estimates add the preset's probabilities as a Dirichlet prior of ``pseudo_pairs``
pairs, so a tiny frame keeps sensible weights and no level is ever given probability zero.
Comparisons marked ``fixed`` keep their preset m and u.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.linkage.compare import Encoded, compare_positions
from hub.linkage.settings import LinkageSettings

_PSEUDO_PAIRS = 10_000.0


def random_pairs(n: int, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Canonical random pairs ``(lo, hi)`` of ``n`` records; every pair when that is fewer.

    Args:
        n: Number of records.
        count: Pairs wanted.
        seed: Seed of the generator (same data, same pairs).

    Returns:
        Two ``int64`` position arrays with ``lo < hi``.
    """
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if n * (n - 1) // 2 <= count:
        lo, hi = np.triu_indices(n, k=1)
        return lo.astype(np.int64), hi.astype(np.int64)
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, count, dtype=np.int64)
    b = rng.integers(0, n, count, dtype=np.int64)
    keep = a != b
    return np.minimum(a, b)[keep], np.maximum(a, b)[keep]


def level_counts(levels: np.ndarray, n_levels: int) -> np.ndarray:
    """How many pairs have each level (missing levels left out), as floats."""
    seen = levels[levels >= 0].astype(np.int64)
    return np.bincount(seen, minlength=n_levels).astype(float)


def _estimate(counts: np.ndarray, preset: list[float] | None) -> list[float]:
    """Level probabilities from level counts, with the preset as a Dirichlet prior."""
    n_levels = len(counts)
    base = np.full(n_levels, 1.0 / n_levels) if preset is None else np.asarray(preset, float)
    p = (counts + _PSEUDO_PAIRS * base) / (counts.sum() + _PSEUDO_PAIRS * base.sum())
    return [float(x) for x in p]


def train_from_counts(
    settings: LinkageSettings,
    m_counts: dict[str, np.ndarray],
    u_counts: dict[str, np.ndarray],
) -> LinkageSettings:
    """Estimate m and u from level counts (what :func:`train_without_em` counts in memory,
    and the Spark engine counts on its executors), keeping the prior.

    Args:
        settings: Settings with the presets (used as Dirichlet priors).
        m_counts: Per comparison, level counts over the labelled matches.
        u_counts: Per comparison, level counts over the random non-matching pairs.

    Returns:
        A trained copy of ``settings``.
    """
    trained = settings.copy()
    for spec in trained.comparisons:
        if spec.fixed:
            continue
        spec.u = _estimate(u_counts[spec.name], spec.u)
        spec.m = _estimate(m_counts[spec.name], spec.m)
    trained.trained = True
    return trained


def label_matches(
    df: pd.DataFrame, column: str | None, pos_a: np.ndarray, pos_b: np.ndarray
) -> np.ndarray:
    """Pairs whose records carry the same non-empty value of ``column`` (labelled matches)."""
    if column is None or column not in df:
        return np.zeros(len(pos_a), bool)
    codes = pd.factorize(df[column], use_na_sentinel=True)[0]
    a, b = codes[pos_a], codes[pos_b]
    return (a >= 0) & (a == b)


def train_without_em(
    df: pd.DataFrame,
    enc: Encoded,
    settings: LinkageSettings,
    levels: pd.DataFrame,
    matches: np.ndarray,
) -> LinkageSettings:
    """Estimate u on random pairs and m on labelled matches; keep the prior.

    Args:
        df: The run's standardised records (positions index ``enc``).
        enc: The records' encoded columns.
        settings: Settings with the presets (used as Dirichlet priors).
        levels: Comparison levels of the candidate pairs.
        matches: Mask of the candidate pairs known to be matches (same valid ID number or
            clerically accepted).

    Returns:
        A trained copy of ``settings``.
    """
    ra, rb = random_pairs(len(df), settings.u_sample_pairs, settings.u_sample_seed)
    # u is P(level | non-match): drop the random pairs the labels call matches (a small
    # population's random pairs hold a noticeable share of them)
    known = label_matches(df, settings.m_label_column, ra, rb)
    ra, rb = ra[~known], rb[~known]
    random_levels = compare_positions(enc, ra, rb, settings)
    m_counts, u_counts = {}, {}
    for spec in settings.comparisons:
        n_levels = len(spec.levels)
        u_counts[spec.name] = level_counts(random_levels[spec.name].to_numpy(), n_levels)
        m_counts[spec.name] = level_counts(levels[spec.name].to_numpy()[matches], n_levels)
    return train_from_counts(settings, m_counts, u_counts)

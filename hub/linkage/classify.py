"""Classification: Fellegi–Sunter weights with m/u estimated by EM over discrete levels.

EM runs over the distinct comparison patterns (a few hundred even for millions of pairs),
assumes conditional independence, and leaves a missing comparison (level -1) out of both
likelihoods, so a missing birth date is neither evidence for nor against. Clerical decisions
refine the estimate: labelled pairs keep their posterior fixed at 1 (match) or 0 (non-match)
throughout EM. The trained m/u and prior are written back into the settings, which is what
makes every weight explainable later.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from hub.linkage.settings import ComparisonSpec, LinkageSettings

Band = Literal["link", "review", "non_link"]
BANDS: tuple[Band, ...] = ("link", "review", "non_link")
_EPS = 1e-6


def _initial(spec: ComparisonSpec) -> tuple[np.ndarray, np.ndarray]:
    n = len(spec.levels)
    if spec.m is not None and spec.u is not None:
        return np.asarray(spec.m, float), np.asarray(spec.u, float)
    ramp = np.arange(1, n + 1, dtype=float)
    m = ramp**3 / (ramp**3).sum()
    u = ramp[::-1] ** 3 / (ramp[::-1] ** 3).sum()
    return m, u


def _normalise(p: np.ndarray) -> np.ndarray:
    total = p.sum()
    p = np.clip(p / total if total > 0 else np.full_like(p, 1 / len(p)), _EPS, None)
    return p / p.sum()


def _patterns(
    levels: pd.DataFrame, specs: list[ComparisonSpec], labels: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (levels, label) patterns and their counts.

    Each pair's pattern is one mixed-radix integer, counted with ``bincount`` (or ``unique``
    when the pattern space is large), which is linear in pairs with no hashing of rows.

    Returns:
        ``gamma`` (patterns × comparisons, ``-1`` missing), the fixed posterior per pattern
        (``-1`` none, else the clerical label) and the count of each pattern.
    """
    radices = [len(s.levels) + 1 for s in specs] + [3]
    code = np.zeros(len(levels), dtype=np.int64)
    for spec, radix in zip(specs, radices, strict=False):
        code = code * radix + (levels[spec.name].to_numpy(dtype=np.int64) + 1)
    lab = np.zeros(len(levels), dtype=np.int64)
    if labels is not None:
        lab = np.where(np.isnan(labels), 0, labels + 1).astype(np.int64)
    code = code * 3 + lab
    space = int(np.prod(radices, dtype=np.float64))
    if space <= 1 << 23:
        tally = np.bincount(code, minlength=space)
        distinct = np.flatnonzero(tally)
        counts = tally[distinct].astype(float)
    else:
        distinct, raw = np.unique(code, return_counts=True)
        counts = raw.astype(float)
    digits = []
    rest = distinct
    for radix in radices[::-1]:
        digits.append(rest % radix)
        rest = rest // radix
    digits = digits[::-1]
    gamma = np.column_stack(digits[:-1]) - 1 if specs else np.empty((len(distinct), 0), int)
    return gamma.astype(np.int64), (digits[-1] - 1).astype(float), counts


def fit_em(
    levels: pd.DataFrame,
    settings: LinkageSettings,
    labels: pd.Series | None = None,
) -> LinkageSettings:
    """Estimate m, u and the prior by expectation–maximisation.

    Args:
        levels: Comparison levels from :func:`hub.linkage.compare.compare_pairs`.
        settings: Comparisons (with optional starting m/u) and EM limits.
        labels: Optional clerical labels aligned with ``levels`` (1 match, 0 non-match,
            NaN unknown); they override the model's posterior for their pairs.

    Returns:
        A trained copy of ``settings`` (an unchanged copy when there are no pairs).
    """
    trained = settings.copy()
    specs = trained.comparisons
    label = None
    if labels is not None:
        aligned = labels if labels.index is levels.index else labels.reindex(levels.index)
        label = aligned.to_numpy(dtype=float)
    gamma, fixed_g, counts = _patterns(levels, specs, label)
    if counts.sum() == 0:
        return trained
    params = [_initial(s) for s in specs]
    prior = trained.prior
    for _ in range(trained.em_max_iterations):
        log_m = np.full(len(gamma), math.log(prior))
        log_u = np.full(len(gamma), math.log(1 - prior))
        for k, (m, u) in enumerate(params):
            present = gamma[:, k] >= 0
            idx = np.where(present, gamma[:, k], 0)
            log_m += np.where(present, np.log(m[idx]), 0.0)
            log_u += np.where(present, np.log(u[idx]), 0.0)
        g = 1.0 / (1.0 + np.exp(np.clip(log_u - log_m, -700, 700)))
        g = np.where(fixed_g >= 0, fixed_g, g)
        weight_m, weight_u = counts * g, counts * (1 - g)
        new_params = []
        shift = 0.0
        for k, spec in enumerate(specs):
            if spec.fixed:
                new_params.append(params[k])
                continue
            n_levels = len(spec.levels)
            present = gamma[:, k] >= 0
            idx = gamma[present, k]
            m = _normalise(np.bincount(idx, weight_m[present], minlength=n_levels))
            u = _normalise(np.bincount(idx, weight_u[present], minlength=n_levels))
            shift = max(shift, float(np.abs(m - params[k][0]).max()),
                        float(np.abs(u - params[k][1]).max()))
            new_params.append((m, u))
        new_prior = float(np.clip(weight_m.sum() / counts.sum(), _EPS, 1 - _EPS))
        shift = max(shift, abs(new_prior - prior))
        params, prior = new_params, new_prior
        if shift < trained.em_tolerance:
            break
    for spec, (m, u) in zip(specs, params, strict=True):
        spec.m = [float(x) for x in m]
        spec.u = [float(x) for x in u]
    trained.prior = prior
    trained.trained = True
    return trained


def _weight_table(spec: ComparisonSpec) -> np.ndarray:
    """Weights indexed by ``level + 1`` (index 0 is the missing level, weight 0)."""
    return np.array([0.0, *spec.weights()])


def match_weights(levels: pd.DataFrame, settings: LinkageSettings) -> pd.Series:
    """Total match weight (log2 posterior odds) of every pair.

    Args:
        levels: Comparison levels.
        settings: Trained settings.

    Returns:
        A float Series aligned with ``levels``.
    """
    total = np.full(len(levels), math.log2(settings.prior / (1 - settings.prior)))
    for spec in settings.comparisons:
        total += _weight_table(spec)[levels[spec.name].to_numpy(dtype=np.int64) + 1]
    return pd.Series(total, index=levels.index, name="weight")


def gate_passed(levels: pd.DataFrame, settings: LinkageSettings) -> np.ndarray:
    """Whether each pair meets at least one evidence gate (all pass when there are none)."""
    if not settings.evidence_gates:
        return np.ones(len(levels), dtype=bool)
    ok = np.zeros(len(levels), dtype=bool)
    for gate in settings.evidence_gates:
        ok |= levels[gate.comparison].to_numpy() >= gate.min_level
    return ok


def bands(levels: pd.DataFrame, weights: pd.Series, settings: LinkageSettings) -> pd.Series:
    """Assign each pair to the link, review or non-link band.

    A pair links when its weight reaches ``link_threshold`` and it passes an evidence gate;
    a gated-out pair with a linking weight is reviewed instead.

    Returns:
        A categorical Series of band names (:data:`BANDS`) aligned with ``levels``.
    """
    w = weights.to_numpy()
    gate = gate_passed(levels, settings)
    link = (w >= settings.link_threshold) & gate
    review = ~link & (w >= settings.review_threshold) & gate
    codes = np.where(link, 0, np.where(review, 1, 2)).astype(np.int8)
    out = pd.Categorical.from_codes(codes, categories=list(BANDS))
    return pd.Series(out, index=levels.index, name="band")


def explain(
    levels_row: pd.Series, settings: LinkageSettings
) -> tuple[list[tuple[str, str, float]], float]:
    """Explain one pair's weight, comparison by comparison.

    Args:
        levels_row: The pair's comparison levels (one row of the levels frame).
        settings: The trained settings used to score it.

    Returns:
        ``[(comparison, level name, weight), …]`` starting with the prior, and the total.
    """
    prior = math.log2(settings.prior / (1 - settings.prior))
    parts: list[tuple[str, str, float]] = [("prior", "", prior)]
    for spec in settings.comparisons:
        level = int(levels_row[spec.name])
        if level < 0:
            parts.append((spec.name, "missing", 0.0))
        else:
            parts.append((spec.name, spec.levels[level], spec.weights()[level]))
    return parts, float(sum(p[2] for p in parts))

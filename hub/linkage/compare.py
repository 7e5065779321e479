"""Comparison: vectorised recordlinkage features that return discrete levels.

Each comparator is a ``recordlinkage.base.BaseCompareFeature`` subclass whose
``_compute_vectorized`` works on whole columns with numpy or ``rapidfuzz.process.cpdist``
(no per-pair Python), and returns an ``int8`` level per pair: ``-1`` when a side is missing,
``0`` for disagreement, higher for stronger agreement (see ``settings.py``). The comparison
step is ``recordlinkage.Compare`` with these features, so any built-in or other custom
feature can be swapped in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import recordlinkage as rl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from recordlinkage.base import BaseCompareFeature

from hub.linkage.settings import ComparisonSpec, LinkageSettings

MISSING = np.int8(-1)
_WILDCARD = ord("?")


def _shared_categories(left: pd.Series, right: pd.Series) -> bool:
    return (
        isinstance(left.dtype, pd.CategoricalDtype)
        and isinstance(right.dtype, pd.CategoricalDtype)
        and left.cat.categories is right.cat.categories
    )


def _codes(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of both sides in one shared vocabulary; -1 for missing."""
    if _shared_categories(left, right):
        return left.cat.codes.to_numpy(), right.cat.codes.to_numpy()
    both = pd.concat([left, right], ignore_index=True)
    codes, _ = pd.factorize(both, use_na_sentinel=True)
    return codes[: len(left)], codes[len(left) :]


def _jaro_winkler(left: pd.Series, right: pd.Series, todo: np.ndarray) -> np.ndarray:
    """Jaro–Winkler similarity of aligned strings where ``todo``; 0 elsewhere.

    Only the pairs that need it are scored (equal values are settled by their codes), in
    parallel by rapidfuzz.
    """
    out = np.zeros(len(left), dtype=np.float32)
    rows = np.flatnonzero(todo)
    if len(rows):
        a = left.iloc[rows].astype(str).tolist()
        b = right.iloc[rows].astype(str).tolist()
        out[rows] = process.cpdist(
            a, b, scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32
        )
    return out


class ExactLevels(BaseCompareFeature):
    """Exact agreement: level 1 equal, 0 different, -1 missing."""

    def __init__(self, left_on: str, right_on: str, label: str) -> None:
        super().__init__(left_on, right_on, label=label)

    def _compute_vectorized(self, left: pd.Series, right: pd.Series) -> np.ndarray:
        a, b = _codes(left, right)
        out = (a == b).astype(np.int8)
        out[(a < 0) | (b < 0)] = MISSING
        return out


class StringLevels(BaseCompareFeature):
    """Jaro–Winkler similarity cut into levels: 0 below every threshold, top = exact.

    Args:
        left_on: Column on the left.
        right_on: Column on the right.
        thresholds: Ascending similarity cut-offs; ``len(thresholds) + 2`` levels.
        label: Comparison name.
    """

    def __init__(self, left_on: str, right_on: str, thresholds: list[float], label: str) -> None:
        super().__init__(left_on, right_on, label=label)
        self.thresholds = sorted(thresholds)

    def _compute_vectorized(self, left: pd.Series, right: pd.Series) -> np.ndarray:
        a, b = _codes(left, right)
        sim = _jaro_winkler(left, right, (a != b) & (a >= 0) & (b >= 0))
        out = np.zeros(len(a), dtype=np.int8)
        for level, cut in enumerate(self.thresholds, start=1):
            out[sim >= cut] = level
        out[a == b] = len(self.thresholds) + 1
        out[(a < 0) | (b < 0)] = MISSING
        return out


def id_levels(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Compare ID numbers: 2 exact, 1 near, 0 different, -1 missing.

    "Near" is a single differing character or one swap of two adjacent characters. GB 11643's
    check character catches every such error, so two *valid* numbers are never near: a near
    pair always involves a typo'd number, which is strong evidence of the same person. A
    ``?`` matches any character (the unknown check character of an upgraded 15-digit number).

    Args:
        left: ID numbers (normalised; 15-digit numbers already upgraded).
        right: ID numbers, aligned with ``left``.

    Returns:
        ``int8`` levels.
    """
    missing = left.isna().to_numpy() | right.isna().to_numpy()
    a = _as_bytes(left)
    b = _as_bytes(right)
    diff = (a != b) & (a != _WILDCARD) & (b != _WILDCARD)
    n_diff = diff.sum(axis=1)
    out = np.zeros(len(a), dtype=np.int8)
    out[n_diff == 1] = 1
    two = np.flatnonzero(n_diff == 2)
    if len(two):
        first = diff[two].argmax(axis=1)
        nxt = np.minimum(first + 1, a.shape[1] - 1)
        rows = two
        swapped = (
            diff[rows, nxt]
            & (a[rows, first] == b[rows, nxt])
            & (a[rows, nxt] == b[rows, first])
        )
        out[two[swapped]] = 1
    out[n_diff == 0] = 2
    out[missing] = MISSING
    return out


def _as_bytes(values: pd.Series, width: int = 18) -> np.ndarray:
    """Fixed-width byte matrix of the values, encoding each distinct value once."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    encoded = [str(u).encode("ascii", "replace") for u in uniques] + [b""]
    table = np.array(encoded, dtype=f"S{width}").view(np.uint8).reshape(-1, width)
    return table[np.where(codes < 0, len(uniques), codes)]


class IdNumberLevels(BaseCompareFeature):
    """ID-number comparator (see :func:`id_levels`), labelled by field."""

    def __init__(self, left_on: str, right_on: str, label: str) -> None:
        super().__init__(left_on, right_on, label=label)

    def _compute_vectorized(self, left: pd.Series, right: pd.Series) -> np.ndarray:
        return id_levels(left, right)


class ChineseNameLevels(BaseCompareFeature):
    """Chinese names on characters and on pinyin.

    Levels: 3 same characters (after NFKC, simplification, no spaces or dots); 2 same
    pinyin or same canonical transliteration (homophones, 次仁/茨仁); 1 pinyin Jaro–Winkler
    at or above the threshold (near-homophones, 多吉/多杰); 0 different; -1 missing.

    Args:
        left_on: ``[name_key, name_pinyin, name_canon]`` columns.
        right_on: The same columns on the right.
        threshold: Pinyin similarity for level 1.
        label: Comparison name.
    """

    def __init__(
        self, left_on: list[str], right_on: list[str], threshold: float, label: str
    ) -> None:
        super().__init__(left_on, right_on, label=label)
        self.threshold = threshold

    def _compute_vectorized(
        self,
        key_l: pd.Series, py_l: pd.Series, canon_l: pd.Series,
        key_r: pd.Series, py_r: pd.Series, canon_r: pd.Series,
    ) -> np.ndarray:
        ka, kb = _codes(key_l, key_r)
        pa, pb = _codes(py_l, py_r)
        ca, cb = _codes(canon_l, canon_r)
        out = np.zeros(len(ka), dtype=np.int8)
        same_sound = ((pa == pb) & (pa >= 0)) | ((ca == cb) & (ca >= 0))
        todo = ~same_sound & (ka != kb) & (pa >= 0) & (pb >= 0)
        out[_jaro_winkler(py_l, py_r, todo) >= self.threshold] = 1
        out[same_sound] = 2
        out[ka == kb] = 3
        out[(ka < 0) | (kb < 0)] = MISSING
        return out


class DateLevels(BaseCompareFeature):
    """Dates as ``YYYYMMDD`` integers: 2 exact, 1 one part off or day/month swapped, 0, -1."""

    def __init__(self, left_on: str, right_on: str, label: str) -> None:
        super().__init__(left_on, right_on, label=label)

    def _compute_vectorized(self, left: pd.Series, right: pd.Series) -> np.ndarray:
        a = pd.to_numeric(left, errors="coerce").to_numpy(dtype=np.float64)
        b = pd.to_numeric(right, errors="coerce").to_numpy(dtype=np.float64)
        missing = np.isnan(a) | np.isnan(b)
        a = np.nan_to_num(a).astype(np.int64)
        b = np.nan_to_num(b).astype(np.int64)
        ya, ma, da = a // 10000, a // 100 % 100, a % 100
        yb, mb, db = b // 10000, b // 100 % 100, b % 100
        same = (ya == yb).astype(int) + (ma == mb) + (da == db)
        swapped = (ya == yb) & (ma == db) & (da == mb)
        out = np.where(same == 3, 2, np.where((same == 2) | swapped, 1, 0)).astype(np.int8)
        out[missing] = MISSING
        return out


def feature_for(spec: ComparisonSpec) -> BaseCompareFeature:
    """Return the recordlinkage feature implementing ``spec``.

    Raises:
        ValueError: Unknown comparison kind.
    """
    cols = spec.columns
    if spec.kind in ("exact", "household"):
        return ExactLevels(cols[0], cols[0], label=spec.name)
    if spec.kind == "string":
        return StringLevels(cols[0], cols[0], spec.thresholds, label=spec.name)
    if spec.kind == "id_number":
        return IdNumberLevels(cols[0], cols[0], label=spec.name)
    if spec.kind == "name_zh":
        threshold = spec.thresholds[0] if spec.thresholds else 0.9
        return ChineseNameLevels(cols, cols, threshold, label=spec.name)
    if spec.kind == "date":
        return DateLevels(cols[0], cols[0], label=spec.name)
    raise ValueError(f"unknown comparison kind {spec.kind!r} in {spec.name}")


def dictionary_encode(
    columns: list[str], df: pd.DataFrame, df_b: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Turn text columns into categoricals sharing one vocabulary across both tables.

    Encoding each record once lets every comparator compare integer codes per pair
    instead of hashing strings per pair.
    """
    frames = [df] if df_b is None else [df, df_b]
    out = [f.copy() for f in frames]
    for col in columns:
        if not all(col in f and f[col].dtype == object for f in frames):
            continue
        vocabulary = pd.Index(pd.unique(pd.concat([f[col] for f in frames]).dropna()))
        for f in out:
            f[col] = pd.Categorical(f[col], categories=vocabulary)
            f[col] = f[col].cat.set_categories(vocabulary)
    return out[0], (out[1] if df_b is not None else None)


def build_comparator(settings: LinkageSettings) -> rl.Compare:
    """Return a ``recordlinkage.Compare`` with one feature per comparison in ``settings``."""
    comparator = rl.Compare(n_jobs=1)
    for spec in settings.comparisons:
        comparator.add(feature_for(spec))
    return comparator


def compare_pairs(
    pairs: pd.MultiIndex,
    df: pd.DataFrame,
    settings: LinkageSettings,
    df_b: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compute the comparison levels of every candidate pair.

    Args:
        pairs: Candidate pairs from :func:`hub.linkage.block.candidate_pairs`.
        df: Standardised records (dedupe) or the left table.
        settings: Comparisons to compute.
        df_b: Right table for ``link`` settings.

    Returns:
        One ``int8`` column per comparison, indexed by ``pairs``.
    """
    if len(pairs) == 0:
        empty = {s.name: pd.Series([], dtype=np.int8) for s in settings.comparisons}
        return pd.DataFrame(empty, index=pairs)
    columns = sorted({c for spec in settings.comparisons for c in spec.columns})
    df, df_b = dictionary_encode(columns, df[columns], None if df_b is None else df_b[columns])
    levels = build_comparator(settings).compute(pairs, df, df_b)
    return levels.astype(np.int8)

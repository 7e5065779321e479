"""Pair generation on integer keys: the numpy equi-joins that blocking is built from.

Records are identified by their position (``0 … n-1``) and every blocking key is an integer
code (``-1`` = no key). Joining codes with a sort and ``searchsorted`` costs a few
milliseconds per hundred thousand records and never builds a string key per pair, which is
what made pandas merges and ``MultiIndex`` construction dominate blocking at scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

Positions = tuple[np.ndarray, np.ndarray]
_INDEX = np.int64


def factorize(columns: Sequence[pd.Series | np.ndarray], sort: bool = False) -> np.ndarray:
    """One integer code per row for the combination of ``columns``; ``-1`` if any is missing.

    Args:
        columns: Aligned columns.
        sort: Number the distinct values in sorted order (needed for sorted neighbourhood,
            where the code is a rank).

    Returns:
        ``int64`` codes.
    """
    combined: np.ndarray | None = None
    for column in columns:
        codes, uniques = pd.factorize(column, sort=sort, use_na_sentinel=True)
        codes = codes.astype(_INDEX)
        if combined is None:
            combined = codes
            continue
        missing = (combined < 0) | (codes < 0)
        merged = combined * (len(uniques) + 1) + codes
        merged[missing] = -1
        combined, _ = pd.factorize(merged, sort=sort)
        combined = combined.astype(_INDEX)
        combined[missing] = -1
    if combined is None:
        raise ValueError("factorize needs at least one column")
    return combined


class ColumnCodes:
    """Integer codes (:func:`factorize`) of a frame's columns, each computed once.

    Several stages read the same key columns (rows, households, names); caching their codes
    saves re-hashing hundreds of thousands of strings per use.
    """

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self._cache: dict[tuple[str, ...], np.ndarray] = {}

    def __call__(self, *columns: str) -> np.ndarray:
        """Codes of the combination of ``columns`` (``-1`` where any is missing)."""
        if columns not in self._cache:
            self._cache[columns] = factorize([self.df[c] for c in columns])
        return self._cache[columns]


def _expand(counts: np.ndarray) -> np.ndarray:
    """``[0..c0), [0..c1), …`` concatenated: the offset of each output row in its run."""
    total = int(counts.sum())
    starts = np.cumsum(counts) - counts
    return np.arange(total, dtype=_INDEX) - np.repeat(starts, counts)


def self_join(keys: np.ndarray) -> Positions:
    """All pairs ``i < j`` (positions) with equal non-negative keys.

    Pairs are generated group by group as the upper triangle, so nothing is produced twice.
    """
    valid = np.flatnonzero(keys >= 0)
    order = valid[np.argsort(keys[valid], kind="stable")]
    k = keys[order]
    if len(k) == 0:
        return np.empty(0, _INDEX), np.empty(0, _INDEX)
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    ends = np.repeat(starts + sizes, sizes)
    counts = ends - 1 - np.arange(len(k))
    left = np.repeat(np.arange(len(k)), counts)
    right = left + 1 + _expand(counts)
    a, b = order[left], order[right]
    return np.minimum(a, b), np.maximum(a, b)


class SortedKeys:
    """One side of an equi-join, sorted once so it can be joined against many times."""

    def __init__(self, keys: np.ndarray) -> None:
        valid = np.flatnonzero(keys >= 0)
        self.order = valid[np.argsort(keys[valid], kind="stable")]
        self.keys = keys[self.order]

    def join(self, left_keys: np.ndarray) -> Positions:
        """All ``(i, j)`` with ``left_keys[i] == keys[j] >= 0``."""
        l_valid = np.flatnonzero(left_keys >= 0)
        wanted = left_keys[l_valid]
        lo = np.searchsorted(self.keys, wanted, side="left")
        hi = np.searchsorted(self.keys, wanted, side="right")
        counts = hi - lo
        left = np.repeat(l_valid, counts)
        right = self.order[np.repeat(lo, counts) + _expand(counts)]
        return left.astype(_INDEX), right.astype(_INDEX)


def cross_join(left_keys: np.ndarray, right_keys: np.ndarray) -> Positions:
    """All ``(i, j)`` with ``left_keys[i] == right_keys[j] >= 0``.

    Returns:
        Positions into the left and into the right array.
    """
    return SortedKeys(right_keys).join(left_keys)


def sorted_unique(codes: np.ndarray) -> np.ndarray:
    """Distinct values, sorted (a plain sort: much faster than hashing for large arrays)."""
    if len(codes) == 0:
        return codes
    codes = np.sort(codes)
    return codes[np.r_[True, codes[1:] != codes[:-1]]]


def unique_pairs(a: np.ndarray, b: np.ndarray, width: int, ordered: bool = False) -> Positions:
    """Drop self pairs and duplicates; dedupe pairs become ``lo < hi`` unless ``ordered``.

    Args:
        a: First positions.
        b: Second positions.
        width: Upper bound of ``b`` (number of records on the right).
        ordered: Keep ``(a, b)`` as given (link of two tables) instead of canonicalising.

    Returns:
        Pairs sorted by ``(a, b)``.
    """
    codes = unique_codes(a, b, width, ordered)
    return codes // width, codes % width


def unique_codes(a: np.ndarray, b: np.ndarray, width: int, ordered: bool = False
                 ) -> np.ndarray:
    """:func:`unique_pairs` as sorted pair codes ``a * width + b`` (one array, not two)."""
    if not ordered:
        keep = a != b
        a, b = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    return sorted_unique(a.astype(_INDEX) * width + b)


def union_pairs(parts: Sequence[Positions], width: int) -> Positions:
    """Union of already unique, canonical pair sets, sorted by ``(a, b)``."""
    if not parts:
        return np.empty(0, _INDEX), np.empty(0, _INDEX)
    codes = sorted_unique(np.concatenate([a.astype(_INDEX) * width + b for a, b in parts]))
    return codes // width, codes % width

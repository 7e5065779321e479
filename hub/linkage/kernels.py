"""Level kernels: pure functions from per-pair integer codes to comparison levels.

Every column is dictionary-encoded once per record (``compare.encode``); a pair is then two
integer codes per column, gathered by position. The kernels below work on those codes, so
equal values are settled by an integer comparison and string similarity is computed once
per *distinct* pair of values (by rapidfuzz, in parallel) rather than once per pair.
Levels: ``-1`` missing on either side, ``0`` disagreement, higher for stronger agreement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

MISSING = np.int8(-1)
_WILDCARD = ord("?")


def _missing(*codes: np.ndarray) -> np.ndarray:
    out = codes[0] < 0
    for c in codes[1:]:
        out = out | (c < 0)
    return out


def on_distinct_pairs(
    ca: np.ndarray, cb: np.ndarray, todo: np.ndarray, score: Callable[[np.ndarray, np.ndarray],
                                                                      np.ndarray],
    fill: float = 0.0,
) -> np.ndarray:
    """Apply ``score`` to each distinct ``(ca, cb)`` among ``todo`` pairs, broadcast back.

    Args:
        ca: Left codes per pair.
        cb: Right codes per pair.
        todo: Pairs that need scoring.
        score: Scores aligned arrays of distinct left and right codes.
        fill: Value of pairs not in ``todo``.

    Returns:
        ``float32`` scores per pair.
    """
    out = np.full(len(ca), fill, dtype=np.float32)
    rows = np.flatnonzero(todo)
    if len(rows) == 0:
        return out
    width = int(cb.max()) + 1
    joint = ca[rows].astype(np.int64) * width + cb[rows]
    distinct, inverse = np.unique(joint, return_inverse=True)
    out[rows] = score(distinct // width, distinct % width)[inverse]
    return out


def jaro_winkler(vocabulary: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A scorer of vocabulary codes by Jaro–Winkler similarity (rapidfuzz, all cores)."""

    def score(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        left = [str(v) for v in vocabulary[a]]
        right = [str(v) for v in vocabulary[b]]
        return process.cpdist(left, right, scorer=JaroWinkler.normalized_similarity,
                              workers=-1, dtype=np.float32)

    return score


def exact_levels(ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """1 equal, 0 different, -1 missing."""
    out = (ca == cb).astype(np.int8)
    out[_missing(ca, cb)] = MISSING
    return out


def string_levels(
    ca: np.ndarray, cb: np.ndarray, vocabulary: np.ndarray, thresholds: Sequence[float]
) -> np.ndarray:
    """Jaro–Winkler cut at ascending ``thresholds``; top level (``len + 1``) = equal."""
    missing = _missing(ca, cb)
    sim = on_distinct_pairs(ca, cb, (ca != cb) & ~missing, jaro_winkler(vocabulary))
    out = np.zeros(len(ca), dtype=np.int8)
    for level, cut in enumerate(sorted(thresholds), start=1):
        out[sim >= cut] = level
    out[ca == cb] = len(thresholds) + 1
    out[missing] = MISSING
    return out


def id_table(vocabulary: np.ndarray, width: int = 18) -> np.ndarray:
    """Fixed-width byte matrix of ID numbers, one row per vocabulary entry."""
    encoded = [str(v).encode("ascii", "replace") for v in vocabulary] or [b""]
    return np.array(encoded, dtype=f"S{width}").view(np.uint8).reshape(-1, width)


def near_ids(table: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A scorer of vocabulary codes: 2 equal, 1 near (one character or one swap), 0 far.

    ``?`` (the unknown check character of an upgraded 15-digit number) matches anything.
    """

    def score(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        x, y = table[a], table[b]
        diff = (x != y) & (x != _WILDCARD) & (y != _WILDCARD)
        n_diff = diff.sum(axis=1)
        out = np.zeros(len(a), dtype=np.float32)
        out[n_diff == 1] = 1
        two = np.flatnonzero(n_diff == 2)
        if len(two):
            first = diff[two].argmax(axis=1)
            nxt = np.minimum(first + 1, table.shape[1] - 1)
            swapped = (diff[two, nxt] & (x[two, first] == y[two, nxt])
                       & (x[two, nxt] == y[two, first]))
            out[two[swapped]] = 1
        out[n_diff == 0] = 2
        return out

    return score


def id_levels_codes(ca: np.ndarray, cb: np.ndarray, table: np.ndarray) -> np.ndarray:
    """ID levels (2 exact, 1 near, 0 different, -1 missing) from codes into ``table``."""
    missing = _missing(ca, cb)
    todo = (ca != cb) & ~missing
    out = on_distinct_pairs(ca, cb, todo, near_ids(table)).astype(np.int8)
    out[(ca == cb) & ~missing] = 2
    out[missing] = MISSING
    return out


def name_levels(
    keys: tuple[np.ndarray, np.ndarray],
    pinyin: tuple[np.ndarray, np.ndarray],
    canon: tuple[np.ndarray, np.ndarray],
    pinyin_vocabulary: np.ndarray,
    threshold: float,
) -> np.ndarray:
    """Chinese names: 3 same characters, 2 same pinyin or canonical spelling, 1 pinyin
    Jaro–Winkler at or above ``threshold``, 0 different, -1 missing."""
    (ka, kb), (pa, pb), (ca, cb) = keys, pinyin, canon
    out = np.zeros(len(ka), dtype=np.int8)
    same_sound = ((pa == pb) & (pa >= 0)) | ((ca == cb) & (ca >= 0))
    todo = ~same_sound & (ka != kb) & (pa >= 0) & (pb >= 0)
    sim = on_distinct_pairs(pa, pb, todo, jaro_winkler(pinyin_vocabulary))
    out[sim >= threshold] = 1
    out[same_sound] = 2
    out[ka == kb] = 3
    out[_missing(ka, kb)] = MISSING
    return out


def date_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``YYYYMMDD`` integers (``-1`` missing): 2 exact, 1 one part off or day/month swapped."""
    ya, ma, da = a // 10000, a // 100 % 100, a % 100
    yb, mb, db = b // 10000, b // 100 % 100, b % 100
    same = (ya == yb).astype(np.int8) + (ma == mb) + (da == db)
    swapped = (ya == yb) & (ma == db) & (da == mb)
    out = np.where(same == 3, 2, np.where((same == 2) | swapped, 1, 0)).astype(np.int8)
    out[(a < 0) | (b < 0)] = MISSING
    return out

"""Comparison: discrete levels per candidate pair, computed on record positions.

The pipeline dictionary-encodes the compared columns once per record (:func:`encode`) and
then compares pairs given as two arrays of record positions (:func:`compare_positions`):
each comparison gathers integer codes by position and runs a kernel from ``kernels.py``.
There is no per-pair row lookup (which is where ``recordlinkage.Compare`` spends its time)
and no per-pair string work except Jaro–Winkler on distinct value pairs.

The same kernels back ``recordlinkage.base.BaseCompareFeature`` subclasses, one per
comparison kind and labelled by field, so ``recordlinkage.Compare`` can still mix them with
its built-in or other custom features (:func:`build_comparator`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import recordlinkage as rl
from recordlinkage.base import BaseCompareFeature

from hub.linkage import kernels
from hub.linkage.settings import ComparisonSpec, LinkageSettings

_DATE_KINDS = ("date",)
COMPARE_CHUNK = 1 << 20
"""Pairs compared at a time (see :func:`compare_positions`)."""


@dataclass
class Encoded:
    """Compared columns of one or two tables, dictionary-encoded in a shared vocabulary.

    Attributes:
        codes: ``column → int64 code per record`` (``-1`` missing); dates hold the
            ``YYYYMMDD`` value itself.
        vocabulary: ``column → distinct values`` (text columns only).
        tables: ``column → byte matrix`` of ID-number vocabularies.
    """

    codes: dict[str, np.ndarray] = field(default_factory=dict)
    vocabulary: dict[str, np.ndarray] = field(default_factory=dict)
    tables: dict[str, np.ndarray] = field(default_factory=dict)

    def take(self, column: str, positions: np.ndarray) -> np.ndarray:
        """Codes of ``column`` for the records at ``positions``."""
        return self.codes[column][positions]


def _dates(values: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    return np.where(np.isnan(numbers), -1, np.nan_to_num(numbers)).astype(np.int64)


def encode(frames: Sequence[pd.DataFrame], settings: LinkageSettings) -> Encoded:
    """Encode every compared column of ``frames`` (rows stacked in order) once.

    Args:
        frames: One table (dedupe) or two (link); positions run across them in order.
        settings: Which columns the comparisons read, and how.

    Returns:
        The :class:`Encoded` columns.
    """
    out = Encoded()
    for spec in settings.comparisons:
        for column in spec.columns:
            if column in out.codes:
                continue
            values = pd.concat([f[column] for f in frames], ignore_index=True)
            if spec.kind in _DATE_KINDS:
                out.codes[column] = _dates(values)
                continue
            codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
            out.codes[column] = codes.astype(np.int64)
            out.vocabulary[column] = np.asarray(uniques, dtype=object)
            if spec.kind == "id_number":
                out.tables[column] = kernels.id_table(out.vocabulary[column])
    return out


def spec_levels(
    spec: ComparisonSpec, enc: Encoded, pos_a: np.ndarray, pos_b: np.ndarray
) -> np.ndarray:
    """Levels of one comparison for the pairs ``(pos_a[k], pos_b[k])``.

    Raises:
        ValueError: Unknown comparison kind.
    """
    cols = spec.columns

    def pair(column: str) -> tuple[np.ndarray, np.ndarray]:
        return enc.take(column, pos_a), enc.take(column, pos_b)

    if spec.kind in ("exact", "household"):
        return kernels.exact_levels(*pair(cols[0]))
    if spec.kind == "string":
        return kernels.string_levels(*pair(cols[0]), enc.vocabulary[cols[0]], spec.thresholds)
    if spec.kind == "id_number":
        return kernels.id_levels_codes(*pair(cols[0]), enc.tables[cols[0]])
    if spec.kind == "name_zh":
        threshold = spec.thresholds[0] if spec.thresholds else 0.9
        return kernels.name_levels(pair(cols[0]), pair(cols[1]), pair(cols[2]),
                                   enc.vocabulary[cols[1]], threshold)
    if spec.kind == "date":
        return kernels.date_levels(*pair(cols[0]))
    raise ValueError(f"unknown comparison kind {spec.kind!r} in {spec.name}")


def compare_positions(
    enc: Encoded, pos_a: np.ndarray, pos_b: np.ndarray, settings: LinkageSettings,
    chunk: int = COMPARE_CHUNK,
) -> pd.DataFrame:
    """Comparison levels of the pairs ``(pos_a[k], pos_b[k])``, one ``int8`` column each.

    Pairs are compared ``chunk`` at a time into preallocated ``int8`` columns: a kernel's
    temporaries (gathered codes, masks, distinct-pair tables: ~70 bytes a pair) then stay
    bounded by the chunk, not by the candidate count. Every kernel is per pair, so the
    levels are the same as in one pass.
    """
    n = len(pos_a)
    out = {spec.name: np.empty(n, np.int8) for spec in settings.comparisons}
    for start in range(0, n, chunk):
        a, b = pos_a[start:start + chunk], pos_b[start:start + chunk]
        for spec in settings.comparisons:
            out[spec.name][start:start + len(a)] = spec_levels(spec, enc, a, b)
    return pd.DataFrame(out)


def compare_records(
    df: pd.DataFrame, pos_a: np.ndarray, pos_b: np.ndarray, settings: LinkageSettings
) -> pd.DataFrame:
    """Levels of the pairs ``(pos_a[k], pos_b[k])`` of ``df``, encoding each record once.

    Only the records that occur in a pair are encoded when they are fewer than half (an
    incremental batch touches a small part of the existing records).
    """
    used = np.zeros(len(df), bool)
    used[pos_a] = True
    used[pos_b] = True
    if used.sum() > len(df) // 2:
        return compare_positions(encode([df], settings), pos_a, pos_b, settings)
    rows = np.flatnonzero(used)
    enc = encode([df.iloc[rows]], settings)
    return compare_positions(enc, np.searchsorted(rows, pos_a), np.searchsorted(rows, pos_b),
                             settings)


def compare_pairs(
    pairs: pd.MultiIndex,
    df: pd.DataFrame,
    settings: LinkageSettings,
    df_b: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compute the comparison levels of every candidate pair given by record ids.

    Args:
        pairs: Candidate pairs from :func:`hub.linkage.block.candidate_pairs`.
        df: Standardised records (dedupe) or the left table.
        settings: Comparisons to compute.
        df_b: Right table for ``link`` settings.

    Returns:
        One ``int8`` column per comparison, indexed by ``pairs``.

    Raises:
        KeyError: A pair names a record that is not in the table(s).
    """
    frames = [df] if df_b is None else [df, df_b]
    right = df if df_b is None else df_b
    pos_a = df.index.get_indexer(pairs.get_level_values(0))
    pos_b = right.index.get_indexer(pairs.get_level_values(1))
    if (pos_a < 0).any() or (pos_b < 0).any():
        raise KeyError("pairs name records missing from the table")
    enc = encode(frames, settings)
    if df_b is not None:
        pos_b = pos_b + len(df)
    levels = compare_positions(enc, pos_a, pos_b, settings)
    levels.index = pairs
    return levels


def _joint_codes(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    both = pd.concat([left, right], ignore_index=True).astype(object)
    codes, uniques = pd.factorize(both, use_na_sentinel=True)
    codes = codes.astype(np.int64)
    return codes[: len(left)], codes[len(left):], np.asarray(uniques, dtype=object)


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
    ca, cb, vocabulary = _joint_codes(left, right)
    return kernels.id_levels_codes(ca, cb, kernels.id_table(vocabulary))


class ExactLevels(BaseCompareFeature):
    """Exact agreement: level 1 equal, 0 different, -1 missing."""

    def __init__(self, left_on: str, right_on: str, label: str) -> None:
        super().__init__(left_on, right_on, label=label)

    def _compute_vectorized(self, left: pd.Series, right: pd.Series) -> np.ndarray:
        ca, cb, _ = _joint_codes(left, right)
        return kernels.exact_levels(ca, cb)


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
        ca, cb, vocabulary = _joint_codes(left, right)
        return kernels.string_levels(ca, cb, vocabulary, self.thresholds)


class IdNumberLevels(BaseCompareFeature):
    """ID-number comparator (see :func:`id_levels`), labelled by field."""

    def __init__(self, left_on: str, right_on: str, label: str) -> None:
        super().__init__(left_on, right_on, label=label)

    def _compute_vectorized(self, left: pd.Series, right: pd.Series) -> np.ndarray:
        return id_levels(left, right)


class ChineseNameLevels(BaseCompareFeature):
    """Chinese names on characters and on pinyin (see :func:`kernels.name_levels`).

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
        ka, kb, _ = _joint_codes(key_l, key_r)
        pa, pb, vocabulary = _joint_codes(py_l, py_r)
        ca, cb, _ = _joint_codes(canon_l, canon_r)
        return kernels.name_levels((ka, kb), (pa, pb), (ca, cb), vocabulary, self.threshold)


class DateLevels(BaseCompareFeature):
    """Dates as ``YYYYMMDD`` integers: 2 exact, 1 one part off or day/month swapped, 0, -1."""

    def __init__(self, left_on: str, right_on: str, label: str) -> None:
        super().__init__(left_on, right_on, label=label)

    def _compute_vectorized(self, left: pd.Series, right: pd.Series) -> np.ndarray:
        return kernels.date_levels(_dates(left), _dates(right))


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


def build_comparator(settings: LinkageSettings) -> rl.Compare:
    """A ``recordlinkage.Compare`` with one feature per comparison (the per-pair-lookup path,
    kept for mixing with recordlinkage's own features and for benchmarking)."""
    comparator = rl.Compare(n_jobs=1)
    for spec in settings.comparisons:
        comparator.add(feature_for(spec))
    return comparator

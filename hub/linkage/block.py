"""Blocking: propose candidate pairs, one integer equi-join per rule.

Each :class:`~hub.linkage.settings.BlockingRule` turns its columns into one integer code per
record and joins the codes (``pairs.py``), with recordlinkage's semantics:

* ``exact`` — ``recordlinkage.index.Block``: equal on every column;
* ``sorted_neighbourhood`` — ``recordlinkage.index.SortedNeighbourhood``: the ranks of the
  first column's sorted distinct values differ by at most ``(window - 1) / 2``, within equal
  values of the remaining columns;
* ``exact_when_missing`` — equal on every column, and at least one side lacks
  ``when_missing`` (name-only mentions blocked on the name without pairing every ID-bearing
  王伟 with every other one). ``when_missing`` restricts the other kinds the same way.

The union of the rules' pairs is the candidate set. Dedupe pairs are canonical (first
position before the second; the pipeline sorts records by key, so that is also key order).
Incremental runs join the new batch against itself and the existing records only, never
existing against existing. Working on positions and codes keeps blocking linear in records
plus pairs, with no per-pair strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.linkage.pairs import (
    Positions,
    SortedKeys,
    factorize,
    self_join,
    sorted_unique,
    union_pairs,
    unique_codes,
    unique_pairs,
)
from hub.linkage.settings import BlockingRule, LinkageSettings

_Sides = list[tuple[np.ndarray, np.ndarray]]


def _could_match(df: pd.DataFrame, columns: list[str], new: np.ndarray) -> np.ndarray:
    """Positions whose every key column holds a value some batch record has."""
    mask = np.ones(len(df), bool)
    for column in columns:
        values = df[column]
        mask &= values.isin(values[new].dropna().unique()).to_numpy()
    return np.flatnonzero(mask)


def rule_keys(
    df: pd.DataFrame, rule: BlockingRule, new: np.ndarray | None = None
) -> tuple[np.ndarray, int]:
    """The rule's integer key per record and its neighbourhood half-width.

    Sorted-neighbourhood keys are ``block * stride + rank`` so that a key difference of at
    most the half-width means "same block, neighbouring rank". With a batch mask ``new``,
    exact keys are computed only for records that share a value with the batch (the
    others cannot pair with it), which keeps incremental blocking proportional to the
    batch's blocks rather than to every existing record.

    Raises:
        ValueError: Unknown blocking kind.
    """
    if rule.kind in ("exact", "exact_when_missing"):
        if new is None:
            return factorize([df[c] for c in rule.columns]), 0
        keys = np.full(len(df), -1, np.int64)
        rows = _could_match(df, rule.columns, new)
        keys[rows] = factorize([df[c].iloc[rows] for c in rule.columns])
        return keys, 0
    if rule.kind == "sorted_neighbourhood":
        width = (rule.window - 1) // 2
        present = df[rule.columns].notna().all(axis=1).to_numpy()
        rank = factorize([df[rule.columns[0]].where(present)], sort=True)
        if len(rule.columns) > 1:
            block = factorize([df[c].where(present) for c in rule.columns[1:]])
        else:
            block = np.where(rank >= 0, 0, -1)
        stride = int(rank.max(initial=0)) + 2 * width + 2
        return np.where(rank >= 0, block * stride + rank, -1), width
    raise ValueError(f"unknown blocking kind {rule.kind!r} in rule {rule.name}")


def _shift(keys: np.ndarray, by: int) -> np.ndarray:
    return np.where(keys >= 0, keys + by, -1) if by else keys


def _join_sides(keys: np.ndarray, width: int, sides: _Sides) -> Positions:
    """Pairs ``i ∈ X, j ∈ Y`` with ``|key_i - key_j| <= width``, for each ``(X, Y)``."""
    firsts, seconds = [], []
    for left, right in sides:
        target = SortedKeys(keys[right])
        for offset in range(-width, width + 1):
            i, j = target.join(_shift(keys[left], offset))
            firsts.append(left[i])
            seconds.append(right[j])
    if not firsts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def _dedupe_all(keys: np.ndarray, width: int) -> Positions:
    """Every pair within the rule, each once (no restriction on sides)."""
    a, b = self_join(keys)
    firsts, seconds = [a], [b]
    target = SortedKeys(keys)
    for offset in range(1, width + 1):
        i, j = target.join(_shift(keys, offset))
        firsts.append(i)
        seconds.append(j)
    return np.concatenate(firsts), np.concatenate(seconds)


def _missing_mask(df: pd.DataFrame, rule: BlockingRule) -> np.ndarray | None:
    if rule.when_missing is None:
        if rule.kind == "exact_when_missing":
            raise ValueError(f"blocking rule {rule.name}: when_missing is required")
        return None
    return df[rule.when_missing].isna().to_numpy()


def _columns_present(df: pd.DataFrame, rule: BlockingRule) -> bool:
    needed = [*rule.columns, *([rule.when_missing] if rule.when_missing else [])]
    return all(c in df.columns for c in needed)


def dedupe_positions(
    df: pd.DataFrame, settings: LinkageSettings, new: np.ndarray | None = None
) -> tuple[Positions, dict[str, int]]:
    """Canonical candidate pairs ``(lo, hi)`` of one table, by position.

    Args:
        df: Records; positions are row numbers.
        settings: Provides the blocking rules.
        new: Boolean mask of the new batch (incremental run): only pairs touching it.

    Returns:
        The union of the rules' pairs, sorted, and the number each rule proposed.
    """
    n = len(df)
    everyone = np.arange(n)
    batch = None if new is None else np.flatnonzero(new)
    # the union is kept as one sorted array of pair codes and grown rule by rule: holding
    # every rule's pairs until the end took twice the memory of the union itself
    union = np.empty(0, np.int64)
    counts: dict[str, int] = {}
    for rule in settings.blocking_rules:
        if not _columns_present(df, rule):
            continue
        keys, width = rule_keys(df, rule, new)
        missing = _missing_mask(df, rule)
        if batch is None and missing is None:
            a, b = _dedupe_all(keys, width)
        else:
            lacking = None if missing is None else np.flatnonzero(missing)
            if lacking is None:
                sides = [(batch, everyone)]
            elif batch is None:
                sides = [(lacking, everyone)]
            else:
                both = np.flatnonzero(missing & new)
                sides = [(both, everyone), (batch, lacking)]
            a, b = _join_sides(keys, width, sides)
        del keys
        codes = unique_codes(a, b, n)
        del a, b
        counts[rule.name] = len(codes)
        union = sorted_unique(np.concatenate([union, codes]))
        del codes
    return (union // n, union % n) if n else (union, union.copy()), counts


def link_positions(
    df_a: pd.DataFrame, df_b: pd.DataFrame, settings: LinkageSettings
) -> tuple[Positions, dict[str, int]]:
    """Candidate pairs ``(row in df_a, row in df_b)`` of two tables, by position."""
    both = pd.concat([df_a, df_b], ignore_index=True)
    n_a, width_b = len(df_a), len(df_b)
    left, right = np.arange(n_a), np.arange(n_a, len(both))
    found: list[Positions] = []
    counts: dict[str, int] = {}
    for rule in settings.blocking_rules:
        if not (_columns_present(df_a, rule) and _columns_present(df_b, rule)):
            continue
        keys, width = rule_keys(both, rule)
        missing = _missing_mask(both, rule)
        if missing is None:
            sides = [(left, right)]
        else:
            sides = [(left[missing[:n_a]], right), (left, right[missing[n_a:]])]
        a, b = _join_sides(keys, width, sides)
        pairs = unique_pairs(a, b - n_a, width_b, ordered=True)
        counts[rule.name] = len(pairs[0])
        found.append(pairs)
    return union_pairs(found, width_b), counts


def candidate_pairs(
    df: pd.DataFrame,
    settings: LinkageSettings,
    df_b: pd.DataFrame | None = None,
    new_keys: pd.Index | None = None,
) -> tuple[pd.MultiIndex, dict[str, int]]:
    """Union the pairs of every blocking rule, as a MultiIndex of record ids.

    Args:
        df: Records (dedupe) or the left table (link), indexed by unique id.
        settings: Provides the blocking rules and the link type.
        df_b: The right table, for ``link`` settings.
        new_keys: Dedupe only: restrict to pairs touching these keys (incremental run);
            ``df`` holds existing and new records together.

    Returns:
        The candidate pairs and the number of pairs each rule proposed. Dedupe pairs are
        canonical: the first id sorts before the second.

    Raises:
        ValueError: ``link`` settings without ``df_b``.
    """
    df = df.sort_index()
    if settings.link_type == "link":
        if df_b is None:
            raise ValueError("link settings need a right-hand table df_b")
        df_b = df_b.sort_index()
        (a, b), counts = link_positions(df, df_b, settings)
        return pd.MultiIndex(levels=[df.index, df_b.index], codes=[a, b],
                             verify_integrity=False), counts
    new = None if new_keys is None else df.index.isin(new_keys)
    (a, b), counts = dedupe_positions(df, settings, new)
    return pd.MultiIndex(levels=[df.index, df.index], codes=[a, b],
                         verify_integrity=False), counts

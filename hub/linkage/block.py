"""Blocking: propose candidate pairs with recordlinkage indexers, one per rule.

Each :class:`~hub.linkage.settings.BlockingRule` becomes a recordlinkage index algorithm
(``Block``, ``SortedNeighbourhood`` or :class:`BlockWhenMissing`); the union of their pairs
is the candidate set. Dedupe pairs are canonical: the first key sorts (as a string) before
the second, so the union has no mirrored duplicates. Incremental runs index the new batch
against itself and against the existing mentions only, never existing against existing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from recordlinkage.base import BaseIndexAlgorithm
from recordlinkage.index import Block, SortedNeighbourhood

from hub.linkage.settings import BlockingRule, LinkageSettings


class BlockWhenMissing(BaseIndexAlgorithm):
    """Pairs equal on ``on`` where at least one record lacks ``when_missing``.

    Used to block name-only mentions (no ID number) on the name, without also pairing every
    ID-bearing 王伟 with every other one.

    Args:
        on: Key columns that must be equal.
        when_missing: Column that must be empty on at least one side.
    """

    def __init__(self, on: list[str], when_missing: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.on = on
        self.when_missing = when_missing

    def _pairs(self, left: pd.DataFrame, right: pd.DataFrame) -> pd.MultiIndex:
        lkeys = left[self.on].dropna().reset_index(names="__l")
        rkeys = right[self.on].dropna().reset_index(names="__r")
        merged = lkeys.merge(rkeys, on=self.on)
        return pd.MultiIndex.from_arrays([merged["__l"], merged["__r"]])

    def _link_index(self, df_a: pd.DataFrame, df_b: pd.DataFrame) -> pd.MultiIndex:
        a_missing = df_a[df_a[self.when_missing].isna()]
        b_missing = df_b[df_b[self.when_missing].isna()]
        first = self._pairs(a_missing, df_b)
        second = self._pairs(df_a, b_missing)
        return first.union(second)

    def _dedup_index(self, df_a: pd.DataFrame) -> pd.MultiIndex:
        pairs = self._pairs(df_a[df_a[self.when_missing].isna()], df_a)
        return pairs[pairs.get_level_values(0) != pairs.get_level_values(1)]


def indexer_for(rule: BlockingRule) -> BaseIndexAlgorithm:
    """Return the recordlinkage index algorithm that implements ``rule``."""
    if rule.kind == "exact":
        return Block(left_on=rule.columns, right_on=rule.columns)
    if rule.kind == "sorted_neighbourhood":
        rest = rule.columns[1:] or None
        return SortedNeighbourhood(
            left_on=rule.columns[0], right_on=rule.columns[0], window=rule.window,
            block_left_on=rest, block_right_on=rest,
        )
    if rule.kind == "exact_when_missing":
        if rule.when_missing is None:
            raise ValueError(f"blocking rule {rule.name}: when_missing is required")
        return BlockWhenMissing(on=rule.columns, when_missing=rule.when_missing)
    raise ValueError(f"unknown blocking kind {rule.kind!r} in rule {rule.name}")


def _canonical(pairs: pd.MultiIndex, index: pd.Index) -> np.ndarray:
    """Positions ``(lo, hi)`` of dedupe pairs, lo < hi, as an (n, 2) array."""
    a = index.get_indexer(pairs.get_level_values(0))
    b = index.get_indexer(pairs.get_level_values(1))
    keep = a != b
    return np.column_stack([np.minimum(a, b)[keep], np.maximum(a, b)[keep]])


def _unique_rows(positions: list[np.ndarray], width: int) -> np.ndarray:
    if not positions:
        return np.empty((0, 2), dtype=np.int64)
    stacked = np.vstack(positions).astype(np.int64)
    codes = np.unique(stacked[:, 0] * width + stacked[:, 1])
    return np.column_stack([codes // width, codes % width])


def _columns_present(df: pd.DataFrame, rule: BlockingRule) -> bool:
    needed = [*rule.columns, *([rule.when_missing] if rule.when_missing else [])]
    return all(c in df.columns for c in needed)


def candidate_pairs(
    df: pd.DataFrame,
    settings: LinkageSettings,
    df_b: pd.DataFrame | None = None,
    new_keys: pd.Index | None = None,
) -> tuple[pd.MultiIndex, dict[str, int]]:
    """Union the pairs of every blocking rule.

    Args:
        df: Records (dedupe) or the left table (link), indexed by unique id.
        settings: Provides the blocking rules and the link type.
        df_b: The right table, for ``link`` settings.
        new_keys: Dedupe only: restrict to pairs touching these keys (incremental run);
            ``df`` holds existing and new records together.

    Returns:
        The candidate pairs (a MultiIndex of ids) and the number of pairs each rule proposed.
    """
    rules = [r for r in settings.blocking_rules if _columns_present(df, r)]
    counts: dict[str, int] = {}
    if settings.link_type == "link":
        if df_b is None:
            raise ValueError("link settings need a right-hand table df_b")
        found = []
        for rule in rules:
            pairs = indexer_for(rule).index(df, df_b)
            counts[rule.name] = len(pairs)
            found.append(
                np.column_stack(
                    [df.index.get_indexer(pairs.get_level_values(0)),
                     df_b.index.get_indexer(pairs.get_level_values(1))]
                )
            )
        uniq = _unique_rows(found, len(df_b))
        result = pd.MultiIndex.from_arrays([df.index[uniq[:, 0]], df_b.index[uniq[:, 1]]])
        return result, counts
    if new_keys is None:
        found = []
        for rule in rules:
            pairs = indexer_for(rule).index(df)
            counts[rule.name] = len(pairs)
            found.append(_canonical(pairs, df.index))
    else:
        new = df.loc[df.index.intersection(new_keys)]
        found = []
        for rule in rules:
            algorithm = indexer_for(rule)
            pairs = algorithm.index(new, df)
            counts[rule.name] = len(pairs)
            found.append(_canonical(pairs, df.index))
    uniq = _unique_rows(found, len(df))
    first = df.index[uniq[:, 0]].to_numpy()
    second = df.index[uniq[:, 1]].to_numpy()
    swap = first > second
    first[swap], second[swap] = second[swap], first[swap]
    return pd.MultiIndex.from_arrays([first, second]), counts

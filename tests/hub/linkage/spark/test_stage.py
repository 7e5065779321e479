"""Staging the sample for Spark: rows in key order, no plaintext in the Parquet, the same
equality groups as the in-process frame, and rules Spark cannot join on refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from hub.linkage.block_keys import joined
from hub.linkage.presets import hub_settings
from hub.linkage.settings import BlockingRule
from hub.linkage.spark.errors import SparkEngineError
from hub.linkage.spark.stage import rule_column, stage
from hub.linkage.spark.transit import RunKey
from hub.linkage.standardise import standardise


def _batches(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    ordered = frame.sort_index()
    return [ordered.iloc[i:i + size] for i in range(0, len(ordered), size)]


def test_staged_sample_holds_no_plaintext_and_the_same_blocks(
        sample_frame: pd.DataFrame, tmp_path: Path) -> None:
    settings = hub_settings()
    staged = stage(_batches(sample_frame, 1000), tmp_path, settings, RunKey.new("standard"),
                   compression="none")
    assert staged.n == len(sample_frame) and staged.new_count == len(sample_frame)
    blob = b"".join(p.read_bytes() for p in sorted(tmp_path.glob("*.parquet")))
    assert len(list(tmp_path.glob("*.parquet"))) == 6
    names = sample_frame["name"].dropna().unique()
    ids = sample_frame["id_number"].dropna().unique()
    assert len(names) > 500 and len(ids) > 500
    leaks = [v for v in (*names, *ids) if str(v).encode() in blob]
    assert leaks == []
    # one rule's hashed key groups mentions exactly as its plaintext key does
    table = pd.concat(pq.read_table(p).to_pandas() for p in sorted(tmp_path.glob("*.parquet")))
    assert list(table["key"]) == sorted(sample_frame.index)
    assert list(table["pos"]) == list(range(len(sample_frame)))
    assert table["person"].isna().all() and table["new"].all()  # no earlier run
    index, rule = next((i, r) for i, r in enumerate(settings.blocking_rules)
                       if r.name == "block_on_name_and_birth_date")
    std = standardise(sample_frame).sort_index()
    plain = pd.factorize(pd.Series(joined(std, rule.columns)), use_na_sentinel=True)[0]
    hashed = pd.factorize(table[rule_column(index)].to_numpy(), use_na_sentinel=True)[0]
    assert (plain >= 0).sum() > 1000
    assert (plain == hashed).all()


def test_a_sorted_neighbourhood_rule_is_refused_by_name(sample_frame: pd.DataFrame,
                                                        tmp_path: Path) -> None:
    settings = hub_settings()
    settings.blocking_rules.append(
        BlockingRule("block_on_pinyin_window", "sorted_neighbourhood", ["name_pinyin"]))
    with pytest.raises(SparkEngineError, match=r"block_on_pinyin_window.*equi-joins"):
        stage(_batches(sample_frame, 1000), tmp_path, settings, RunKey.new("standard"))


def test_batches_out_of_key_order_are_refused(sample_frame: pd.DataFrame,
                                              tmp_path: Path) -> None:
    batches = _batches(sample_frame, 1000)
    with pytest.raises(SparkEngineError, match="out of order"):
        stage([batches[1], batches[0]], tmp_path, hub_settings(), RunKey.new("standard"))

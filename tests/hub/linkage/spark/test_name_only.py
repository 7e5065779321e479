"""The name-only rules as Spark joins attach exactly what the in-process rules attach."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hub.linkage import context
from hub.linkage.incremental import smallest_member
from hub.linkage.presets import hub_settings
from hub.linkage.spark import SparkOptions
from hub.linkage.spark.name_only import attach_name_only
from hub.linkage.spark.neighbourhood import context_frame
from hub.linkage.spark.session import spark_session
from hub.linkage.spark.stage import stage
from hub.linkage.spark.transit import RunKey

pytestmark = [
    pytest.mark.slow,
    # PySpark 4.0 leaves its result sockets to the garbage collector (its own warning)
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_spark_rules_attach_what_the_in_process_rules_attach(
        sample_frame: pd.DataFrame, sample_truth: pd.Series, tmp_path: Path) -> None:
    """Mentions with an ID number clustered by their true person, every other mention
    alone: both engines attach the same mentions to the same people by the same rule,
    each rule attaching some."""
    settings = hub_settings()
    ordered = sample_frame.sort_index()
    batches = [ordered.iloc[i:i + 1000] for i in range(0, len(ordered), 1000)]
    staged = stage(batches, tmp_path / "mentions", settings, RunKey.new("standard"),
                   compression="none")
    rows = pq.read_table(staged.path).to_pandas(
        types_mapper={pa.int64(): pd.Int64Dtype()}.get).sort_values("pos", ignore_index=True)
    frame = context_frame(rows, settings)
    truth = sample_truth.reindex(frame.index).to_numpy(dtype=object)
    with_id = frame["id_key"].notna().to_numpy() & pd.notna(truth)
    codes = np.full(staged.n, -1, np.int64)
    codes[with_id] = pd.factorize(truth[with_id])[0]
    alone = ~with_id
    codes[alone] = codes.max() + 1 + np.arange(int(alone.sum()))
    label = smallest_member(codes)

    s, targets, rules, _ = context.attach_name_only(frame, label,
                                                     settings.name_only_rules, None)
    index = {rule.name: i for i, rule in enumerate(settings.name_only_rules)}
    expected = set(zip(s.tolist(), targets.tolist(), [index[r] for r in rules], strict=True))

    options = SparkOptions(master="local[2]", work_dir=tmp_path / "spark", memory="1g",
                           partitions=4)
    with spark_session(options) as spark:
        mentions = spark.read.parquet(str(staged.path))
        labels = spark.createDataFrame(pd.DataFrame({"pos": np.arange(staged.n),
                                                     "label": label}))
        got = attach_name_only(mentions, labels, settings.name_only_rules).toPandas()
    found = set(zip(got["pos"].tolist(), got["target"].tolist(), got["rule"].tolist(),
                    strict=True))
    assert {rule for _, _, rule in expected} == set(index.values())
    assert len(expected) > 20
    assert found == expected

"""Blocking on Spark: one equi-join per rule on the staged keyed hashes, unioned.

The same rules and semantics as ``hub.linkage.block`` for equality rules: ``exact`` pairs two
mentions with equal keys; ``exact_when_missing`` also needs one side to lack the rule's
``when_missing`` column. Pairs are canonical (``pos_a < pos_b``, positions in key order)
and the union is deduplicated; clerically accepted pairs join the candidates, as they do
in process. Each rule's count is the number of distinct pairs it proposed.
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING

import numpy as np

from hub.linkage.spark.stage import Staged, missing_column, rule_column

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

PAIR_SCHEMA = "pos_a long, pos_b long"


def pairs_frame(spark: SparkSession, pos_a: np.ndarray, pos_b: np.ndarray) -> DataFrame:
    """A small DataFrame of position pairs (decisions: positions only, nothing personal)."""
    rows = list(zip(pos_a.tolist(), pos_b.tolist(), strict=True))
    return spark.createDataFrame(rows, PAIR_SCHEMA)


def candidate_pairs(spark: SparkSession, mentions: DataFrame, staged: Staged,
                    accepted: tuple[np.ndarray, np.ndarray], incremental: bool = False
                    ) -> tuple[DataFrame, dict[str, int]]:
    """Distinct canonical candidate pairs and the pairs each rule proposed.

    Args:
        spark: The session.
        mentions: The staged mentions (``pos``, ``new``, rule keys, missing flags).
        staged: What was staged (which rules, which flags).
        accepted: Clerically accepted pairs (canonical positions), always compared.
        incremental: Only pairs with a new mention (existing against existing is not
            joined again, as in process).

    Returns:
        ``(pos_a, pos_b)`` pairs (not yet materialised) and ``{rule name: count}``.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as sf

    parts: list[DataFrame] = []
    names: dict[int, str] = {}
    for index, rule in staged.rules:
        column = rule_column(index)
        if column not in mentions.columns:
            continue
        names[index] = rule.name
        flag = missing_column(rule.when_missing) if rule.when_missing else None
        side = mentions.select("pos", "new", sf.col(column).alias("k"),
                               *([sf.col(flag).alias("miss")] if flag else []))
        side = side.where(sf.col("k").isNotNull())
        a, b = side.alias("a"), side.alias("b")
        joined = a.join(b, (sf.col("a.k") == sf.col("b.k")) & (sf.col("a.pos") < sf.col("b.pos")))
        if incremental:
            joined = joined.where(sf.col("a.new") | sf.col("b.new"))
        if flag:
            joined = joined.where(sf.col("a.miss") | sf.col("b.miss"))
        parts.append(joined.select(sf.col("a.pos").alias("pos_a"), sf.col("b.pos").alias("pos_b"),
                                   sf.lit(index).alias("rule")))
    if not parts:
        return spark.createDataFrame([], PAIR_SCHEMA), {}
    tagged = reduce(lambda x, y: x.unionByName(y), parts).persist(StorageLevel.DISK_ONLY)
    found = {int(row["rule"]): int(row["count"])
             for row in tagged.groupBy("rule").count().collect()}
    counts = {name: found.get(index, 0) for index, name in names.items()}
    pairs = tagged.select("pos_a", "pos_b")
    if len(accepted[0]):
        pairs = pairs.unionByName(pairs_frame(spark, *accepted))
    return pairs.distinct(), counts

"""After clustering, on Spark: the people, their ids and each mention's link method.

The same steps as ``pipeline.run`` after ``cluster_positions``, as joins and one window:
name-only attachments (``name_only.py``) move their mentions into the person found; a
person is named after its smallest member key (``person_ids.new_person_id``, called in the
Python workers, so the ids cannot drift from the in-process engine's); each mention's
method and weight come from its strongest edge inside its person, ties broken as
``outputs.methods_frame`` breaks them. The result is written as Parquet, range-partitioned
by person id and sorted inside each part, so the persist phase reads one part at a time
and meets every person whole, in id order. Only the few mentions of the review queue and
of clerical decisions are brought to the driver.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hub.linkage.incremental import EXISTING_WEIGHT
from hub.linkage.person_ids import new_person_id
from hub.linkage.spark.components import TYPE_NODE

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

RESOLVES_PER_PART = 250_000
"""Mentions per part of the written result (what the persist phase reads at a time)."""


def mention_labels(mentions: DataFrame, clusters: DataFrame) -> DataFrame:
    """``(pos, key, label)`` of every mention: its cluster, or itself when no edge reached
    it (the key rides along, so naming people needs no second join on every mention)."""
    from pyspark.sql import functions as sf

    nodes = clusters.where(sf.col("kind") == TYPE_NODE).select(
        sf.col("node").alias("pos"), "label")
    return mentions.select("pos", "key").join(nodes, "pos", "left").select(
        "pos", "key", sf.coalesce("label", "pos").alias("label"))


def _person_ids(prefix: str) -> Any:
    """A pandas UDF: smallest member key → person id (``new_person_id``)."""
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("string")
    def person_id(keys: pd.Series) -> pd.Series:
        return keys.map(lambda key: new_person_id([key], prefix))

    return person_id


def _strongest(edges: DataFrame, final: DataFrame) -> DataFrame:
    """Per mention with one, its strongest edge inside its person (``methods_frame``'s
    order: weight, then the edge where it is the first end, then the earlier edge)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as sf

    same = (edges.join(final.select(sf.col("pos").alias("pos_a"), sf.col("label").alias("la")),
                       "pos_a")
            .join(final.select(sf.col("pos").alias("pos_b"), sf.col("label").alias("lb")),
                  "pos_b")
            .where(sf.col("la") == sf.col("lb")))
    ends = [same.select(sf.col(end).alias("pos"), "w", "method", sf.lit(side).alias("side"),
                        "pos_a", "pos_b") for side, end in enumerate(("pos_a", "pos_b"))]
    order = Window.partitionBy("pos").orderBy(sf.col("w").desc(), "side", "pos_a", "pos_b")
    return (ends[0].unionByName(ends[1]).withColumn("rank", sf.row_number().over(order))
            .where(sf.col("rank") == 1).select("pos", "w", "method"))


def resolve_mentions(label: DataFrame, attached: DataFrame, edges: DataFrame,
                     methods: tuple[str, ...], rule_names: list[str], prefix: str
                     ) -> DataFrame:
    """``(pos, key, person_id, method, weight)`` of every mention.

    Args:
        label: ``(pos, key, label)`` after clustering (:func:`mention_labels`).
        attached: ``(pos, target, rule)`` from the name-only rules.
        edges: The edges that may decide a method: each clustered mention's strongest
            edge, and every linking edge of an attached mention (``pos_a``, ``pos_b``,
            ``w``, ``method`` code).
        methods: Name of each method code.
        rule_names: Name of each name-only rule, by index.
        prefix: Prefix of person ids.
    """
    from pyspark.sql import functions as sf

    final = (label.join(attached.select("pos", "target"), "pos", "left")
             .select("pos", "key", sf.coalesce("target", "label").alias("label")))
    # keys sort as positions do (positions are numbered in key order)
    named = (final.groupBy("label").agg(sf.min_by("key", "pos").alias("first"))
             .select("label", _person_ids(prefix)("first").alias("person_id")))
    strongest = _strongest(edges.dropDuplicates(["pos_a", "pos_b"]), final)
    method_names = sf.array(*[sf.lit(m) for m in methods])
    rules = sf.array(*[sf.lit(r) for r in rule_names]) if rule_names else None
    weight = sf.col("w")
    plain = (weight.isNull() | (sf.abs(weight) == float("inf"))
             | (weight == EXISTING_WEIGHT))
    method = sf.when(sf.col("method").isNotNull(),
                     sf.element_at(method_names, sf.col("method").cast("int") + 1))
    if rules is not None:
        method = sf.when(sf.col("rule").isNotNull(),
                         sf.element_at(rules, sf.col("rule") + 1)).otherwise(method)
    return (final.join(named, "label")
            .join(strongest, "pos", "left").join(attached.select("pos", "rule"), "pos", "left")
            .select("pos", "key", "person_id",
                    sf.coalesce(method, sf.lit("singleton")).alias("method"),
                    sf.when(plain, sf.lit(None).cast("double")).otherwise(weight)
                    .alias("weight")))


def write_resolved(resolved: DataFrame, n: int, path: Path) -> None:
    """Write the result range-partitioned by person id, each part sorted by person and
    position: parts in file-name order hold the people in id order, none split."""
    from pyspark.sql import functions as sf

    parts = n // RESOLVES_PER_PART + 1
    (resolved.repartitionByRange(parts, sf.col("person_id"))
     .sortWithinPartitions("person_id", "pos")
     .write.parquet(str(path)))


def rows_where(frame: DataFrame, column: str, values: list[Any], kind: str,
               columns: list[str]) -> pd.DataFrame:
    """The few rows of ``frame`` whose ``column`` is one of ``values`` (a broadcast join),
    as pandas in position order: how the driver reads the mentions it names."""
    from pyspark.sql import functions as sf

    chosen = sf.broadcast(frame.sparkSession.createDataFrame(
        [(v,) for v in values], f"{column} {kind}"))
    rows = frame.join(chosen, column).select("pos", *columns).toPandas()
    return rows.sort_values("pos", ignore_index=True)


def local_view(resolved: DataFrame, positions: np.ndarray
               ) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """The few mentions at ``positions``: sorted positions, their keys and person ids
    (what the review queue names)."""
    wanted = np.unique(np.asarray(positions, np.int64))
    if len(wanted) == 0:
        return wanted, pd.Index([], dtype=object), np.empty(0, dtype=object)
    rows = rows_where(resolved, "pos", [int(p) for p in wanted], "long", ["key", "person_id"])
    return (rows["pos"].to_numpy(np.int64), pd.Index(rows["key"].astype(str)),
            rows["person_id"].to_numpy(dtype=object))

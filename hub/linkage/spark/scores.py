"""Comparison, training and scoring on the executors, with the in-process engine's code.

Each pair batch that reaches a Python worker (``mapInPandas``) carries two sealed blobs per
pair. The task opens the batch's distinct blobs in its own memory, dictionary-encodes them
with ``hub.linkage.compare.encode`` and computes the levels with
``hub.linkage.compare.compare_positions``: the same kernels, so the engines cannot drift.
Only the levels (small integers) leave the task. Training counts levels on the executors
and estimates m and u on the driver with ``hub.linkage.training.train_from_counts``;
weights and bands come from ``hub.linkage.classify`` inside the tasks again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hub.linkage.classify import bands, match_weights
from hub.linkage.cluster import FORCED
from hub.linkage.compare import compare_positions, encode
from hub.linkage.settings import LinkageSettings
from hub.linkage.spark.errors import SparkEngineError
from hub.linkage.spark.stage import compared_columns
from hub.linkage.spark.transit import RunKey
from hub.linkage.training import random_pairs, train_from_counts

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Batches = Iterator[pd.DataFrame]
FLAGS = ("match", "cannot", "acc", "rej")
"""Per pair: same label value (an m label), different cannot-link values, accepted and
rejected by a clerk."""


def _levels_schema(settings: LinkageSettings) -> str:
    levels = ", ".join(f"`{spec.name}` tinyint" for spec in settings.comparisons)
    return f"pos_a long, pos_b long, {levels}, " + ", ".join(f"{f} boolean" for f in FLAGS)


def comparer(settings: LinkageSettings, key: RunKey) -> Callable[[Batches], Batches]:
    """The ``mapInPandas`` function: sealed pairs in, comparison levels out."""
    settings_json = settings.to_json()
    columns = compared_columns(settings)

    def compare(batches: Batches) -> Batches:
        trained = LinkageSettings.from_json(settings_json)
        for batch in batches:
            m = len(batch)
            codes, blobs = pd.factorize(pd.concat([batch["feat_a"], batch["feat_b"]],
                                                  ignore_index=True))
            records = key.open_rows(list(blobs), columns)
            levels = compare_positions(encode([records], trained), codes[:m], codes[m:],
                                       trained)
            del records, blobs
            out = pd.DataFrame({"pos_a": batch["pos_a"].to_numpy(),
                                "pos_b": batch["pos_b"].to_numpy()})
            for spec in trained.comparisons:
                out[spec.name] = levels[spec.name].to_numpy()
            for flag in FLAGS:
                out[flag] = batch[flag].to_numpy(dtype=bool)
            yield out

    return compare


def sealed_pairs(pairs: DataFrame, mentions: DataFrame, decisions: DataFrame | None
                 ) -> DataFrame:
    """Pairs with both sides' sealed blobs and the flags computed from hashed values."""
    from pyspark.sql import functions as sf

    out = pairs
    for end in ("a", "b"):
        out = out.join(mentions.select(*(sf.col(c).alias(f"{c}_{end}")
                                         for c in ("pos", "feat", "lab", "cl"))), f"pos_{end}")
    out = out.withColumn("match", sf.coalesce(sf.col("lab_a") == sf.col("lab_b"), sf.lit(False)))
    out = out.withColumn("cannot", sf.coalesce(sf.col("cl_a") != sf.col("cl_b"), sf.lit(False)))
    if decisions is not None:
        out = out.join(sf.broadcast(decisions), ["pos_a", "pos_b"], "left")
        out = out.withColumn("acc", sf.coalesce(sf.col("verdict") == 1, sf.lit(False)))
        out = out.withColumn("rej", sf.coalesce(sf.col("verdict") == 0, sf.lit(False)))
    else:
        out = out.withColumn("acc", sf.lit(False)).withColumn("rej", sf.lit(False))
    return out.select("pos_a", "pos_b", "feat_a", "feat_b", *FLAGS)


def compare(pairs: DataFrame, mentions: DataFrame, decisions: DataFrame | None,
            settings: LinkageSettings, key: RunKey) -> DataFrame:
    """Comparison levels and flags of every pair (computed on the executors)."""
    return sealed_pairs(pairs, mentions, decisions).mapInPandas(
        comparer(settings, key), _levels_schema(settings))


def _counts(levels: DataFrame, settings: LinkageSettings) -> dict[str, np.ndarray]:
    """Per comparison, how many pairs have each level (missing left out)."""
    names = [spec.name for spec in settings.comparisons]
    out = {spec.name: np.zeros(len(spec.levels)) for spec in settings.comparisons}
    for row in levels.groupBy(*names).count().collect():
        for name in names:
            if row[name] >= 0:
                out[name][row[name]] += row["count"]
    return out


def train(spark: SparkSession, levels: DataFrame, mentions: DataFrame, n: int,
          settings: LinkageSettings, key: RunKey, staging: str) -> LinkageSettings:
    """m from the labelled candidate pairs, u from the seeded random pairs, as in process.

    The random pairs are drawn on the driver (``u_sample_pairs`` of them: a bounded
    sample), staged as positions and compared on the executors.

    Raises:
        SparkEngineError: The settings train by EM, which the engine does not run yet.
    """
    from pyspark.sql import functions as sf

    if settings.training != "random_u_labelled_m":
        raise SparkEngineError(
            f"the Spark engine trains with random_u_labelled_m, not {settings.training}: "
            "give trained settings or use the in-process engine")
    labelled = levels.where((sf.col("match") | sf.col("acc")) & ~sf.col("rej"))
    m_counts = _counts(labelled, settings)
    ra, rb = random_pairs(n, settings.u_sample_pairs, settings.u_sample_seed)
    pd.DataFrame({"pos_a": ra, "pos_b": rb}).to_parquet(staging, index=False)
    sample = spark.read.parquet(staging)
    random_levels = compare(sample, mentions, None, settings, key).where(~sf.col("match"))
    return train_from_counts(settings, m_counts, _counts(random_levels, settings))


def scorer(settings: LinkageSettings) -> Callable[[Batches], Batches]:
    """The ``mapInPandas`` function: levels in, weight, band and linking edge out."""
    settings_json = settings.to_json()

    def score(batches: Batches) -> Batches:
        trained = LinkageSettings.from_json(settings_json)
        names = [spec.name for spec in trained.comparisons]
        for batch in batches:
            levels = batch[names].astype(np.int8).reset_index(drop=True)
            weights = match_weights(levels, trained)
            band = bands(levels, weights, trained).cat.codes.to_numpy().astype(np.int8)
            band[batch["cannot"].to_numpy(dtype=bool)] = 2
            accepted = batch["acc"].to_numpy(dtype=bool)
            band[accepted] = 0
            band[batch["rej"].to_numpy(dtype=bool)] = 2
            exact = (levels["id_number"].to_numpy() == 2 if "id_number" in levels
                     else np.zeros(len(levels), bool))
            out = pd.DataFrame({
                "pos_a": batch["pos_a"].to_numpy(), "pos_b": batch["pos_b"].to_numpy(),
                "weight": weights.to_numpy(), "band": band,
                "method": np.where(accepted, 1, np.where(exact, 2, 3)).astype(np.int8),
                "edge_w": np.where(accepted, FORCED, weights.to_numpy()),
            })
            for name in names:
                out[name] = levels[name].to_numpy()
            yield out

    return score


def score(levels: DataFrame, settings: LinkageSettings) -> DataFrame:
    """Weights, bands, method codes, linking-edge weights and levels of every pair."""
    names = ", ".join(f"`{spec.name}` tinyint" for spec in settings.comparisons)
    return levels.mapInPandas(scorer(settings), "pos_a long, pos_b long, weight double, "
                                                "band tinyint, method tinyint, edge_w double, "
                                                + names)

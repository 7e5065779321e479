"""The Spark engine's run: staged mentions in, the in-process engine's outputs out.

Everything that grows with the mentions or the pairs runs on Spark: blocking joins,
comparison, training counts, scoring, connected components and the constrained clustering
inside them (``components.py``), then the name-only rules (``name_only.py``), person ids and
each mention's method (``resolved.py``), written as Parquet that the persist phase reads a
part at a time. The driver holds only what is small: clerical decisions, the review-band
pairs and refused edges, and the keys of the mentions they name. An incremental run
clusters the few people its new mentions can change with ``pipeline.resolve`` on the
driver, over just those mentions (``neighbourhood.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hub.linkage.cluster import REASONS
from hub.linkage.outputs import review_queue
from hub.linkage.pipeline import METHODS, LinkResult, decision_positions
from hub.linkage.scoring import Scored
from hub.linkage.settings import LinkageSettings
from hub.linkage.spark import scores
from hub.linkage.spark.blocking import candidate_pairs
from hub.linkage.spark.components import (
    OUT_SCHEMA,
    TYPE_NODE,
    bucket_clusterer,
    components,
)
from hub.linkage.spark.errors import SparkEngineError
from hub.linkage.spark.name_only import attach_name_only
from hub.linkage.spark.neighbourhood import resolve_neighbourhood
from hub.linkage.spark.resolved import (
    local_view,
    mention_labels,
    resolve_mentions,
    rows_where,
    write_resolved,
)
from hub.linkage.spark.stage import Staged
from hub.linkage.spark.transit import RunKey

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

EDGES_PER_BUCKET = 500_000
"""Linking edges clustered together in one Python worker call (bounds its memory)."""


@dataclass
class SparkLinkResult:
    """What a Spark run produced: the in-process ``LinkResult``'s persisted parts.

    Attributes:
        resolves_to: Parquet directory of ``key``, ``person_id``, ``method``, ``weight``
            per mention, parts in person-id order (``resolved.write_resolved``); it lives
            in the run's work directory, so persist it before that goes.
        review_queue: Pairs for clerical review (``hub.linkage.review``).
        redirects: Retired person id → surviving id (none in a full run).
        settings: The trained settings used.
        blocking_counts: Pairs proposed by each blocking rule.
        phases: Wall seconds of each stage on Spark.
    """

    resolves_to: Path
    review_queue: pd.DataFrame
    redirects: dict[str, str]
    settings: LinkageSettings
    blocking_counts: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)


@dataclass
class IncrementalLink:
    """What an incremental Spark run produced, over the neighbourhood it loaded.

    Attributes:
        result: The in-process engine's result over the loaded mentions only.
        previous: Their person ids before the run, by mention key (None: new).
        rounds: Rounds of "cluster, then load the context it needs".
    """

    result: LinkResult
    previous: pd.Series
    rounds: int

    @property
    def review_queue(self) -> pd.DataFrame:
        return self.result.review_queue

    @property
    def settings(self) -> LinkageSettings:
        return self.result.settings

    @property
    def blocking_counts(self) -> dict[str, int]:
        return self.result.blocking_counts


def _decisions_frame(spark: SparkSession, accepted: tuple[np.ndarray, np.ndarray],
                     rejected: tuple[np.ndarray, np.ndarray]) -> DataFrame | None:
    """Decided pairs as positions with a verdict (1 accepted, 0 rejected)."""
    rows = [(int(a), int(b), 1) for a, b in zip(*accepted, strict=True)]
    rows += [(int(a), int(b), 0) for a, b in zip(*rejected, strict=True)]
    if not rows:
        return None
    return spark.createDataFrame(rows, "pos_a long, pos_b long, verdict int")


def _with_values(edges: DataFrame, mentions: DataFrame) -> DataFrame:
    """Linking edges with both ends' hashed cannot-link values (0 and a flag when none:
    nullable longs would reach pandas as floats and lose bits)."""
    from pyspark.sql import functions as sf

    out = edges
    for end in ("a", "b"):
        side = mentions.select(sf.col("pos").alias(f"pos_{end}"),
                               sf.coalesce("cl", sf.lit(0)).alias(f"cl_{end}"),
                               sf.col("cl").isNotNull().alias(f"has_{end}"))
        out = out.join(side, f"pos_{end}")
    return out


def _decided_positions(mentions: DataFrame, decisions: pd.DataFrame | None
                       ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Accepted and rejected pairs as canonical positions, found on Spark by key (only the
    decided mentions come to the driver)."""
    if decisions is None or decisions.empty:
        return decision_positions(None, pd.Index([]))
    wanted = sorted(set(decisions["key_a"].astype(str)) | set(decisions["key_b"].astype(str)))
    found = rows_where(mentions, "key", wanted, "string", ["key"])
    position = found["pos"].to_numpy(np.int64)
    local = decision_positions(decisions, pd.Index(found["key"].astype(str)))
    # local indices follow position order, so each pair stays canonical
    return ((position[local[0][0]], position[local[0][1]]),
            (position[local[1][0]], position[local[1][1]]))


def _refusal_order(refused: pd.DataFrame) -> pd.DataFrame:
    """Refused edges in the order ``cluster_positions`` reports them on the whole graph:
    the ambiguous ones by edge, then the others as the strongest-first pass met them."""
    ambiguous = refused[refused["reason"] == 0].sort_values(["pos_a", "pos_b"])
    others = refused[refused["reason"] != 0].assign(_w=lambda f: -f["w"]).sort_values(
        ["_w", "pos_a", "pos_b"]).drop(columns="_w")
    return pd.concat([ambiguous, others], ignore_index=True)


def _incremental(mentions: DataFrame, settings: LinkageSettings, scored: DataFrame,
                 decided: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
                 ) -> IncrementalLink:
    """An incremental run's clustering and outputs: ``pipeline.resolve`` itself, on the
    link- and review-band pairs (all of them touch the batch: few) and the neighbourhood
    they can change, brought to the driver (``neighbourhood.py``)."""
    from pyspark.sql import functions as sf

    names = [spec.name for spec in settings.comparisons]
    kept = scored.where(sf.col("band") <= 1).select(
        "pos_a", "pos_b", "weight", "band", *names).toPandas()
    kept = kept.sort_values(["pos_a", "pos_b"], ignore_index=True)
    pairs = Scored(kept["pos_a"].to_numpy(np.int64), kept["pos_b"].to_numpy(np.int64),
                   kept[names].astype(np.int8), kept["weight"].to_numpy(float),
                   kept["band"].to_numpy(np.int8))
    result, previous, rounds = resolve_neighbourhood(mentions, settings, pairs, decided)
    return IncrementalLink(result, previous, rounds)


def link_on_spark(spark: SparkSession, staged: Staged, settings: LinkageSettings,
                  key: RunKey, decisions: pd.DataFrame | None, work: Path,
                  retrain: bool = False, incremental: bool = False
                  ) -> SparkLinkResult | IncrementalLink:
    """Link the staged mentions on Spark.

    A full run clusters every mention on the executors. An incremental run (``staged``
    holds people of earlier runs) compares only pairs with a new mention, and clusters
    the people those pairs can change on the driver with the in-process code, over only
    their neighbourhood.

    Args:
        spark: The session.
        staged: The staged mentions (``stage.py``).
        settings: Linkage settings; untrained ones (or ``retrain``) are trained here.
        key: The run key the mentions were staged under.
        decisions: Clerical decisions (``key_a``, ``key_b``, ``decision``).
        work: A private directory for this run's intermediate Parquet.
        retrain: Re-estimate m/u even when the settings are trained.
        incremental: Link the new mentions against the existing people.

    Returns:
        A :class:`SparkLinkResult` (full run) or an :class:`IncrementalLink`.

    Raises:
        SparkEngineError: A Spark job failed (an executor lost for good, a task failing
            every retry); only the error's class is named (Spark's own messages may quote
            task output).
    """
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        return _link(spark, staged, settings, key, decisions, work, retrain, incremental)
    except (PySparkException, Py4JError) as exc:
        raise SparkEngineError(
            f"Spark failed while linking ({type(exc).__name__}); nothing was written to "
            "the graph: check the cluster and run again") from exc


def _link(spark: SparkSession, staged: Staged, settings: LinkageSettings,
          key: RunKey, decisions: pd.DataFrame | None, work: Path,
          retrain: bool, incremental: bool) -> SparkLinkResult | IncrementalLink:
    """:func:`link_on_spark` without the translation of Spark's errors."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as sf

    phases: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        phases[name] = round(now - clock, 2)
        clock = now

    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings = settings.copy()
    mentions = spark.read.parquet(str(staged.path))
    accepted, rejected = _decided_positions(mentions, decisions)
    pairs, counts = candidate_pairs(spark, mentions, staged, accepted, incremental)
    lap("block")
    verdicts = _decisions_frame(spark, accepted, rejected)
    levels = scores.compare(pairs, mentions, verdicts, settings, key).persist(
        StorageLevel.DISK_ONLY)
    if retrain or not settings.trained:
        settings = scores.train(spark, levels, mentions, staged.n, settings, key,
                                str(work / "random.parquet"))
    lap("compare_train")
    scored = scores.score(levels, settings).persist(StorageLevel.DISK_ONLY)
    if incremental:
        result = _incremental(mentions, settings, scored, (accepted, rejected))
        result.result.blocking_counts = counts
        lap("cluster")
        levels.unpersist()
        scored.unpersist()
        return result
    review = scored.where(sf.col("band") == 1).select("pos_a", "pos_b", "weight").toPandas()
    review = review.sort_values(["pos_a", "pos_b"], ignore_index=True)
    edges = _with_values(scored.where(sf.col("band") == 0).select(
        "pos_a", "pos_b", sf.col("edge_w").alias("w"), "method"), mentions).persist(
        StorageLevel.DISK_ONLY)
    n_edges = edges.count()
    lap("score")
    comps = components(edges.select("pos_a", "pos_b"))
    buckets = max(int(spark.conf.get("spark.sql.shuffle.partitions") or 1),
                  n_edges // EDGES_PER_BUCKET + 1)
    grouped = edges.join(comps.withColumnRenamed("node", "pos_a"), "pos_a").withColumn(
        "bucket", sf.pmod(sf.col("comp"), sf.lit(buckets)))
    grouped.groupBy("bucket").applyInPandas(
        bucket_clusterer(rejected, settings.ambiguity_margin), OUT_SCHEMA
    ).write.parquet(str(work / "clusters"))
    clusters = spark.read.parquet(str(work / "clusters"))
    lap("cluster")

    label = mention_labels(mentions, clusters).localCheckpoint()
    attached = attach_name_only(mentions, label.select("pos", "label"),
                                settings.name_only_rules).localCheckpoint()
    # the edges a method can come from: each clustered mention's strongest edge, and the
    # edges of attached mentions (two equi-joins, not one join on "a or b": Spark runs a
    # disjunction as a nested loop over every edge and every attached mention)
    best = clusters.where((sf.col("kind") == TYPE_NODE) & (sf.col("pos_a") >= 0)).select(
        "pos_a", "pos_b", "w", "method")
    hit = attached.select("pos")
    extra = [edges.join(hit.withColumnRenamed("pos", end), end)
             .select("pos_a", "pos_b", "w", "method") for end in ("pos_a", "pos_b")]
    decisive = best.unionByName(extra[0]).unionByName(extra[1])
    rule_names = [rule.name for rule in settings.name_only_rules]
    resolved_mentions = resolve_mentions(label, attached, decisive, METHODS, rule_names,
                                         settings.person_id_prefix)
    write_resolved(resolved_mentions, staged.n, work / "resolves")
    resolved = spark.read.parquet(str(work / "resolves"))
    refused = _refusal_order(clusters.where(sf.col("kind") != TYPE_NODE).select(
        "pos_a", "pos_b", "w", "reason").toPandas())
    queue = _review_queue(resolved, review, refused, accepted, rejected)
    lap("outputs")
    for frame in (levels, scored, edges):
        frame.unpersist()
    return SparkLinkResult(work / "resolves", queue, {}, settings, counts, phases)


def _review_queue(resolved: DataFrame, review: pd.DataFrame, refused: pd.DataFrame,
                  accepted: tuple[np.ndarray, np.ndarray],
                  rejected: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    """``outputs.review_queue`` on the few mentions it names (review-band pairs, refused
    edges, decided pairs), renumbered locally in position order."""
    ends = [review["pos_a"], review["pos_b"], refused["pos_a"], refused["pos_b"],
            accepted[0], accepted[1], rejected[0], rejected[1]]
    positions, keys, person = local_view(
        resolved, np.concatenate([np.asarray(e, np.int64) for e in ends]))

    def local(values: object) -> np.ndarray:
        return np.searchsorted(positions, np.asarray(values, np.int64))

    only_review = Scored(local(review["pos_a"]), local(review["pos_b"]),
                         pd.DataFrame(index=review.index), review["weight"].to_numpy(float),
                         np.ones(len(review), np.int8))
    return review_queue(
        keys, person, only_review,
        (local(refused["pos_a"]), local(refused["pos_b"]), refused["w"].to_numpy(float),
         [REASONS[int(r)] for r in refused["reason"]]),
        (local(np.concatenate([accepted[0], rejected[0]])),
         local(np.concatenate([accepted[1], rejected[1]]))))

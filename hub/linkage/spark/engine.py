"""The Spark engine's run: staged mentions in, the in-process engine's outputs out.

Spark does what grows with the number of pairs: blocking joins, comparison, training
counts, scoring, connected components and the constrained clustering inside them. The
driver keeps what grows with the number of mentions only, as compact arrays without
plaintext: each mention's key, its hashed context, its cluster and its strongest edge.
On those it runs the rest of ``hub.linkage.pipeline.run`` with the same functions: the
name-only rules (``context.attach_name_only``), person ids
(``person_ids.ids_by_smallest_member``), link methods (``outputs.methods_frame``) and the
review queue (``outputs.review_queue``). Candidate pairs never reach the driver; results
come back as Parquet read one part at a time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from hub.linkage.cluster import REASONS
from hub.linkage.context import attach_name_only
from hub.linkage.incremental import smallest_member
from hub.linkage.outputs import methods_frame, review_queue
from hub.linkage.person_ids import ids_by_smallest_member
from hub.linkage.pipeline import METHODS, LinkResult, RunFrame, decision_positions, resolve
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
        resolves_to: Per mention key: ``person_id``, ``method``, ``weight``.
        review_queue: Pairs for clerical review (``hub.linkage.review``).
        redirects: Retired person id → surviving id (none in a full run).
        settings: The trained settings used.
        blocking_counts: Pairs proposed by each blocking rule.
        phases: Wall seconds of each stage on Spark.
    """

    resolves_to: pd.DataFrame
    review_queue: pd.DataFrame
    redirects: dict[str, str]
    settings: LinkageSettings
    blocking_counts: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)


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


@dataclass
class _Clusters:
    """Per position: cluster label; the nodes' strongest in-cluster edges; refusals."""

    label: np.ndarray
    best: pd.DataFrame
    refused: pd.DataFrame


def _read_clusters(path: Path, n: int) -> _Clusters:
    """Read the clustering output part by part into per-position arrays."""
    label = np.arange(n, dtype=np.int64)
    best, refused = [], []
    for part in sorted(path.glob("*.parquet")):
        table = pq.read_table(part).to_pandas()
        nodes = table[table["kind"] == TYPE_NODE]
        label[nodes["node"].to_numpy()] = nodes["label"].to_numpy()
        best.append(nodes.loc[nodes["pos_a"] >= 0, ["pos_a", "pos_b", "w", "method"]])
        refused.append(table.loc[table["kind"] != TYPE_NODE,
                                 ["pos_a", "pos_b", "w", "method", "reason"]])
    columns = {"pos_a": np.int64, "pos_b": np.int64, "w": float, "method": np.int8,
               "reason": np.int8}
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return _Clusters(label, pd.concat([*best, empty.drop(columns="reason")]).astype(
                         {c: t for c, t in columns.items() if c != "reason"}),
                     pd.concat([*refused, empty]).astype(columns))


def _refusal_order(refused: pd.DataFrame) -> pd.DataFrame:
    """Refused edges in the order ``cluster_positions`` reports them on the whole graph:
    the ambiguous ones by edge, then the others as the strongest-first pass met them."""
    ambiguous = refused[refused["reason"] == 0].sort_values(["pos_a", "pos_b"])
    others = refused[refused["reason"] != 0].assign(_w=lambda f: -f["w"]).sort_values(
        ["_w", "pos_a", "pos_b"]).drop(columns="_w")
    return pd.concat([ambiguous, others], ignore_index=True)


def _edge_arrays(edges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct edges in position order, as ``methods_frame`` takes them."""
    edges = edges.drop_duplicates(["pos_a", "pos_b"]).sort_values(["pos_a", "pos_b"])
    return (edges["pos_a"].to_numpy(np.int64), edges["pos_b"].to_numpy(np.int64),
            edges["w"].to_numpy(float), edges["method"].to_numpy(np.int8))


def _incremental(staged: Staged, settings: LinkageSettings, scored: DataFrame,
                 decided: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
                 ) -> LinkResult:
    """An incremental run's clustering and outputs: ``pipeline.resolve`` itself, on the
    link- and review-band pairs (all of them touch the batch: few) and the staged
    context, with the existing people as the in-process engine numbers them."""
    from pyspark.sql import functions as sf

    names = [spec.name for spec in settings.comparisons]
    kept = scored.where(sf.col("band") <= 1).select(
        "pos_a", "pos_b", "weight", "band", *names).toPandas()
    kept = kept.sort_values(["pos_a", "pos_b"], ignore_index=True)
    pairs = Scored(kept["pos_a"].to_numpy(np.int64), kept["pos_b"].to_numpy(np.int64),
                   kept[names].astype(np.int8), kept["weight"].to_numpy(float),
                   kept["band"].to_numpy(np.int8))
    codes, ids = pd.factorize(pd.Series(staged.person, dtype=object))
    df = staged.context.set_axis(pd.Index(staged.keys), axis=0)
    frame = RunFrame(df, new=staged.new, old=codes.astype(np.int64),
                     old_ids=np.asarray(ids, dtype=object))
    return resolve(frame, settings, pairs, decided)


def link_on_spark(spark: SparkSession, staged: Staged, settings: LinkageSettings,
                  key: RunKey, decisions: pd.DataFrame | None, work: Path,
                  retrain: bool = False, incremental: bool = False
                  ) -> SparkLinkResult | LinkResult:
    """Link the staged mentions on Spark.

    A full run clusters every mention on the executors. An incremental run (``staged``
    holds people of earlier runs) compares only pairs with a new mention, and clusters
    the few people those pairs touch on the driver with the in-process code.

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
        A :class:`SparkLinkResult` (full run) or the in-process ``LinkResult``.

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
          retrain: bool, incremental: bool) -> SparkLinkResult | LinkResult:
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
    n, keys = staged.n, pd.Index(staged.keys)
    mentions = spark.read.parquet(str(staged.path))
    accepted, rejected = decision_positions(decisions, keys)
    pairs, counts = candidate_pairs(spark, mentions, staged, accepted, incremental)
    lap("block")
    verdicts = _decisions_frame(spark, accepted, rejected)
    levels = scores.compare(pairs, mentions, verdicts, settings, key).persist(
        StorageLevel.DISK_ONLY)
    if retrain or not settings.trained:
        settings = scores.train(spark, levels, mentions, n, settings, key,
                                str(work / "random.parquet"))
    lap("compare_train")
    scored = scores.score(levels, settings).persist(StorageLevel.DISK_ONLY)
    if incremental:
        result = _incremental(staged, settings, scored, (accepted, rejected))
        result.blocking_counts = counts
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
    clusters = _read_clusters(work / "clusters", n)
    lap("cluster")

    label = clusters.label.copy()
    s, targets, rules, _ = attach_name_only(staged.context, label,
                                            settings.name_only_rules, None)
    label[s] = targets
    label = smallest_member(label)
    person, redirects = ids_by_smallest_member(staged.keys[label], None,
                                               settings.person_id_prefix)
    extra = pd.DataFrame({"pos_a": [], "pos_b": [], "w": [], "method": []})
    if len(s):
        # two equi-joins, not one join on "a or b": Spark runs a disjunction as a nested
        # loop over every edge and every attached mention, which grew with their product
        hit = sf.broadcast(spark.createDataFrame([(int(p),) for p in s], "pos long"))
        ends = [edges.join(hit.withColumnRenamed("pos", end), end)
                .select("pos_a", "pos_b", "w", "method") for end in ("pos_a", "pos_b")]
        extra = ends[0].unionByName(ends[1]).toPandas()
    resolves_to = methods_frame(keys, person, label,
                                _edge_arrays(pd.concat([clusters.best, extra])),
                                METHODS, (s, rules), None)
    refused = _refusal_order(clusters.refused)
    only_review = Scored(review["pos_a"].to_numpy(np.int64), review["pos_b"].to_numpy(np.int64),
                         pd.DataFrame(index=review.index), review["weight"].to_numpy(float),
                         np.ones(len(review), np.int8))
    queue = review_queue(
        keys, person, only_review,
        (refused["pos_a"].to_numpy(np.int64), refused["pos_b"].to_numpy(np.int64),
         refused["w"].to_numpy(float), [REASONS[int(r)] for r in refused["reason"]]),
        (np.concatenate([accepted[0], rejected[0]]), np.concatenate([accepted[1], rejected[1]])))
    lap("outputs")
    for frame in (levels, scored, edges):
        frame.unpersist()
    return SparkLinkResult(resolves_to, queue, redirects, settings, counts, phases)

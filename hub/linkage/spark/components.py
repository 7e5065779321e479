"""Clusters on Spark: connected components by label propagation, then the in-process
constrained clustering inside groups of whole components.

Connected components of the linking edges come from Spark SQL joins: every node starts
with its own position as label and takes the smallest label among itself and its
neighbours until no label changes (each round one join and one aggregation; rounds grow
with a component's diameter, a few for people). The safeguards (two valid ID numbers, a
rejected pair, an ambiguous ID-less mention) only ever act inside one component of those
edges, so components are dealt into buckets and ``hub.linkage.cluster.cluster_positions``
runs on each bucket in a Python worker: the in-process algorithm, on a disjoint union of
whole components, gives exactly what it gives on the whole graph.

Each bucket returns, per node, its cluster (smallest position) and its strongest edge
inside the cluster (the one ``hub.linkage.outputs.methods_frame`` would pick), and the
edges the safeguards refused with their reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hub.linkage.cluster import cluster_positions

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

TYPE_NODE, TYPE_REFUSED = 0, 1
OUT_SCHEMA = ("kind tinyint, node long, label long, pos_a long, pos_b long, w double, "
              "method tinyint, reason tinyint")
_MAX_ROUNDS = 200


def components(edges: DataFrame, max_rounds: int = _MAX_ROUNDS) -> DataFrame:
    """``(node, comp)``: each node of ``edges`` (``pos_a``, ``pos_b``) with the smallest
    position of its connected component.

    Raises:
        RuntimeError: Labels still changed after ``max_rounds`` rounds.
    """
    from pyspark.sql import functions as sf

    both = edges.select(sf.col("pos_a").alias("src"), sf.col("pos_b").alias("dst")).unionByName(
        edges.select(sf.col("pos_b").alias("src"), sf.col("pos_a").alias("dst")))
    both = both.localCheckpoint()
    labels = (both.groupBy("src").agg(sf.least(sf.min("dst"), sf.first("src")).alias("comp"))
              .withColumnRenamed("src", "node").localCheckpoint())
    for _ in range(max_rounds):
        reached = (both.join(labels.withColumnRenamed("node", "src"), "src")
                   .groupBy("dst").agg(sf.min("comp").alias("offer"))
                   .withColumnRenamed("dst", "node"))
        updated = (labels.join(reached, "node", "left")
                   .select("node", sf.least("comp", sf.coalesce("offer", "comp")).alias("comp"))
                   .localCheckpoint())
        changed = (updated.alias("n").join(labels.alias("o"), "node")
                   .where(sf.col("n.comp") != sf.col("o.comp")).count())
        labels = updated
        if changed == 0:
            return labels
    raise RuntimeError(f"connected components did not settle in {max_rounds} rounds")


def _values(nodes: np.ndarray, ends: pd.DataFrame) -> np.ndarray:
    """Per node, a code of its cannot-link value (``-1`` none), from either edge end."""
    node = np.concatenate([ends["pos_a"].to_numpy(), ends["pos_b"].to_numpy()])
    value = np.concatenate([ends["cl_a"].to_numpy(), ends["cl_b"].to_numpy()])
    has = np.concatenate([ends["has_a"].to_numpy(bool), ends["has_b"].to_numpy(bool)])
    hashed = np.zeros(len(nodes), np.int64)
    present = np.zeros(len(nodes), bool)
    where = np.searchsorted(nodes, node[has])
    hashed[where] = value[has]
    present[where] = True
    codes = np.full(len(nodes), -1, np.int64)
    codes[present] = pd.factorize(hashed[present])[0]
    return codes


def _best_edges(label: np.ndarray, la: np.ndarray, lb: np.ndarray, w: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per node with one, the index of its strongest edge inside its cluster.

    Ties fall as in ``methods_frame``: the edge where the node is the first end, then
    the earlier edge (edges are in position order).
    """
    same = np.flatnonzero(label[la] == label[lb])
    node = np.concatenate([la[same], lb[same]])
    edge = np.concatenate([same, same])
    side = np.concatenate([np.zeros(len(same), np.int8), np.ones(len(same), np.int8)])
    order = np.lexsort((edge, side, -w[edge], node))
    nodes, first = np.unique(node[order], return_index=True)
    return nodes, edge[order][first]


def bucket_clusterer(rejected: tuple[np.ndarray, np.ndarray], margin: float
                     ) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The ``applyInPandas`` function clustering one bucket of whole components."""
    rej_a, rej_b = (np.asarray(x, np.int64) for x in rejected)

    def cluster(edges: pd.DataFrame) -> pd.DataFrame:
        edges = edges.sort_values(["pos_a", "pos_b"], kind="stable").reset_index(drop=True)
        a, b = edges["pos_a"].to_numpy(np.int64), edges["pos_b"].to_numpy(np.int64)
        w, method = edges["w"].to_numpy(float), edges["method"].to_numpy(np.int8)
        nodes = np.unique(np.concatenate([a, b]))
        la, lb = np.searchsorted(nodes, a), np.searchsorted(nodes, b)
        inside = np.isin(rej_a, nodes) & np.isin(rej_b, nodes)
        rejected_local = (np.searchsorted(nodes, rej_a[inside]),
                          np.searchsorted(nodes, rej_b[inside]))
        label, refused, reason = cluster_positions(
            len(nodes), (la, lb, w), _values(nodes, edges), rejected_local, margin)
        best_nodes, best = _best_edges(label, la, lb, w)
        node_a = np.full(len(nodes), -1, np.int64)
        node_b = np.full(len(nodes), -1, np.int64)
        node_w = np.full(len(nodes), np.nan)
        node_m = np.full(len(nodes), -1, np.int8)
        node_a[best_nodes], node_b[best_nodes] = a[best], b[best]
        node_w[best_nodes], node_m[best_nodes] = w[best], method[best]
        out_nodes = pd.DataFrame({
            "kind": np.int8(TYPE_NODE), "node": nodes, "label": nodes[label],
            "pos_a": node_a, "pos_b": node_b, "w": node_w, "method": node_m,
            "reason": np.int8(-1)})
        out_refused = pd.DataFrame({
            "kind": np.int8(TYPE_REFUSED), "node": np.int64(-1), "label": np.int64(-1),
            "pos_a": a[refused], "pos_b": b[refused], "w": w[refused],
            "method": method[refused], "reason": reason.astype(np.int8)})
        return pd.concat([out_nodes, out_refused], ignore_index=True)

    return cluster

"""Clustering: constrained connected components.

Only link-band edges and clerically accepted pairs join records; a review-band edge never
merges anything. Edges are added strongest first (a maximum spanning forest), and an edge is
refused when it would put two different valid ID numbers into one person, or would join a
pair a clerk rejected. Refused edges are returned as conflicts for the review queue. A record
without an ID whose links point at two different ID holders with similar strength is left
apart (ambiguous) rather than guessed.

The constraints bind only in a few components, so the work is split: plain connected
components (scipy) for all edges, then the sequential strongest-first union–find only inside
components that hold two different valid IDs or both ends of a rejected pair. Elsewhere no
edge could ever be refused, so the component *is* the cluster and the result is identical to
running the sequential algorithm everywhere.

Person ids (``person_ids.py``) are re-exported here for callers of the earlier layout.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hub.linkage.pairs import sorted_unique
from hub.linkage.person_ids import assign_person_ids, new_person_id

FORCED = float("inf")
REASONS = ("ambiguous", "rejected_pair", "conflicting_ids")
__all__ = ["FORCED", "assign_person_ids", "cluster", "cluster_positions", "new_person_id"]


def _ambiguous(a: np.ndarray, b: np.ndarray, w: np.ndarray, values: np.ndarray,
               margin: float) -> np.ndarray:
    """Edges of ID-less records that reach two different ID holders with similar weight."""
    node = np.concatenate([a, b])
    peer = np.concatenate([b, a])
    edge = np.concatenate([np.arange(len(a))] * 2)
    weight = np.concatenate([w, w])
    keep = (values[node] < 0) & (values[peer] >= 0) & np.isfinite(weight)
    if not keep.any():
        return np.empty(0, np.int64)
    frame = pd.DataFrame({"node": node[keep], "value": values[peer[keep]],
                          "weight": weight[keep], "edge": edge[keep]})
    best = frame.groupby(["node", "value"], sort=False)["weight"].max().reset_index()
    best = best.sort_values(["node", "weight"], ascending=[True, False], kind="stable")
    rank = best.groupby("node").cumcount().to_numpy()
    first = best[rank == 0].set_index("node")["weight"]
    second = best[rank == 1].set_index("node")["weight"]
    gap = first.reindex(second.index) - second
    ambiguous = gap.index[gap.to_numpy() < margin]
    return sorted_unique(frame.loc[frame["node"].isin(ambiguous), "edge"].to_numpy())


class _UnionFind:
    """Union–find over positions tracking each root's valid IDs and members."""

    def __init__(self, nodes: Iterable[int], values: np.ndarray) -> None:
        self.parent = {int(k): int(k) for k in nodes}
        self.values = {k: frozenset([int(values[k])]) if values[k] >= 0 else frozenset()
                       for k in self.parent}
        self.members = {k: [k] for k in self.parent}

    def find(self, key: int) -> int:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: int, b: int) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))
        self.values[a] = self.values[a] | self.values.pop(b)


def _compatible(x: frozenset[int], y: frozenset[int]) -> bool:
    return not x or not y or x <= y or y <= x


def _sequential(edges: pd.DataFrame, values: np.ndarray,
                blocked: dict[int, set[int]]) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Strongest-first union–find with the safeguards, on the edges of a few components."""
    nodes = sorted_unique(np.concatenate([edges["a"].to_numpy(), edges["b"].to_numpy()]))
    comps = _UnionFind(nodes.tolist(), values)
    refused: list[tuple[int, int]] = []
    ordered = edges.sort_values(["w", "a", "b"], ascending=[False, True, True], kind="stable")
    for idx, a, b, w in zip(ordered.index, ordered["a"], ordered["b"], ordered["w"],
                            strict=True):
        ra, rb = comps.find(int(a)), comps.find(int(b))
        if ra == rb:
            continue
        small, big = (ra, rb) if len(comps.members[ra]) < len(comps.members[rb]) else (rb, ra)
        if any(p in comps.parent and comps.find(p) == big
               for m in comps.members[small] for p in blocked.get(m, ())):
            refused.append((int(idx), 1))
            continue
        if w != FORCED and not _compatible(comps.values[ra], comps.values[rb]):
            refused.append((int(idx), 2))
            continue
        comps.union(ra, rb)
    label = {m: min(members) for members in comps.members.values() for m in members}
    return label, refused


def cluster_positions(
    n: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    values: np.ndarray | None = None,
    rejected: tuple[np.ndarray, np.ndarray] | None = None,
    ambiguity_margin: float = 4.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cluster records ``0 … n-1`` along linking edges under the safeguards.

    Args:
        n: Number of records.
        edges: ``(a, b, weight)`` arrays; clerically accepted pairs carry ``FORCED``.
        values: Per record, a code of its valid ID number (``-1`` none).
        rejected: Position pairs a clerk rejected.
        ambiguity_margin: See module docstring.

    Returns:
        Per record the smallest position in its cluster, and the refused edges (indices
        into ``edges``) with their reason codes (indices into :data:`REASONS`).
    """
    a, b, w = (np.asarray(x) for x in edges)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int8)
    values = np.full(n, -1, np.int64) if values is None else values
    ra, rb = (np.empty(0, np.int64),) * 2 if rejected is None else rejected
    bad_edges = _ambiguous(a, b, w, values, ambiguity_margin)
    usable = np.ones(len(a), bool)
    usable[bad_edges] = False
    graph = coo_matrix((np.ones(int(usable.sum()), np.int8), (a[usable], b[usable])),
                       shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    # Components holding two valid IDs or a rejected pair need the sequential pass.
    has = values >= 0
    ids = pd.DataFrame({"c": comp[has], "v": values[has]}).drop_duplicates()
    conflicted = set(ids["c"][ids["c"].duplicated()].tolist())
    conflicted |= set(comp[ra][comp[ra] == comp[rb]].tolist())
    label = pd.Series(np.arange(n)).groupby(comp).transform("min").to_numpy()
    reasons = [np.zeros(len(bad_edges), np.int8)]
    refused_edges = [bad_edges]
    if conflicted:
        inside = usable & np.isin(comp[a], list(conflicted))
        part = pd.DataFrame({"a": a[inside], "b": b[inside], "w": w[inside]},
                            index=np.flatnonzero(inside))
        blocked: dict[int, set[int]] = defaultdict(set)
        for x, y in zip(ra.tolist(), rb.tolist(), strict=True):
            blocked[x].add(y)
            blocked[y].add(x)
        local, refused = _sequential(part, values, blocked)
        keys = np.fromiter(local.keys(), np.int64, len(local))
        label[keys] = np.fromiter(local.values(), np.int64, len(local))
        if refused:
            refused_edges.append(np.array([i for i, _ in refused], np.int64))
            reasons.append(np.array([r for _, r in refused], np.int8))
    return label, np.concatenate(refused_edges), np.concatenate(reasons)


def cluster(
    keys: pd.Index,
    edges: pd.DataFrame,
    cannot_link: pd.Series | None = None,
    rejected: Iterable[tuple[str, str]] = (),
    ambiguity_margin: float = 4.0,
) -> tuple[pd.Series, pd.DataFrame]:
    """Cluster records along linking edges under the safeguards described above.

    Args:
        keys: All record keys (every key ends up in exactly one cluster).
        edges: Columns ``key_a``, ``key_b``, ``weight``; clerically accepted pairs carry
            ``weight = inf``. Only pass edges that may merge (link band and accepted).
        cannot_link: ``key → value`` (valid ID number); two different values never share a
            cluster unless a clerk accepted the pair that joins them.
        rejected: Pairs a clerk rejected; they never share a cluster.
        ambiguity_margin: See module docstring.

    Returns:
        ``key → cluster label`` (the smallest member key) and the refused edges with a
        ``reason`` column (``conflicting_ids``, ``rejected_pair`` or ``ambiguous``).
    """
    ordered = pd.Index(keys.astype(str)).sort_values()
    edges = edges.reset_index(drop=True)
    a = ordered.get_indexer(edges["key_a"].astype(str))
    b = ordered.get_indexer(edges["key_b"].astype(str))
    values = np.full(len(ordered), -1, np.int64)
    if cannot_link is not None:
        known = cannot_link.dropna().astype(str)
        at = ordered.get_indexer(known.index.astype(str))
        values[at[at >= 0]] = pd.factorize(known.to_numpy())[0][at >= 0]
    pairs = [(x, y) for x, y in rejected]
    rej = (ordered.get_indexer([x for x, _ in pairs]), ordered.get_indexer([y for _, y in pairs]))
    ok = (rej[0] >= 0) & (rej[1] >= 0)
    label, refused, reason = cluster_positions(
        len(ordered), (a, b, edges["weight"].to_numpy(dtype=float)), values,
        (rej[0][ok], rej[1][ok]), ambiguity_margin,
    )
    assignment = pd.Series(ordered[label].to_numpy(), index=ordered, name="cluster")
    conflicts = edges.loc[refused].assign(reason=[REASONS[r] for r in reason])
    return assignment.reindex(keys.astype(str)), conflicts

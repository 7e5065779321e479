"""Clustering: constrained connected components and stable person ids.

Only link-band edges and clerically accepted pairs join records; a review-band edge never
merges anything. Edges are added strongest first (a maximum spanning forest), and an edge is
refused when it would put two different valid ID numbers into one person, or would join a
pair a clerk rejected. Refused edges are returned as conflicts for the review queue. A record
without an ID whose links point at two different ID holders with similar strength is left
apart (ambiguous) rather than guessed.

Person ids are stable: a cluster inherits the smallest existing person id held by most of
its members; a new cluster gets ``prefix + sha1(smallest member key)[:12]``, which does not
depend on run order.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd

FORCED = float("inf")


class _Components:
    """Union–find that tracks each component's constrained values and members."""

    def __init__(self, keys: Iterable[str], values: dict[str, str]) -> None:
        self.parent: dict[str, str] = {k: k for k in keys}
        self.values: dict[str, frozenset[str]] = {
            k: frozenset([values[k]]) if k in values else frozenset() for k in self.parent
        }
        self.members: dict[str, list[str]] = {k: [k] for k in self.parent}

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))
        self.values[a] = self.values[a] | self.values.pop(b)


def _values_compatible(x: frozenset[str], y: frozenset[str]) -> bool:
    return not x or not y or x <= y or y <= x


def _ambiguous_edges(edges: pd.DataFrame, values: dict[str, str], margin: float) -> pd.Index:
    """Edges of ID-less records that reach two different ID holders with similar weight."""
    rows = []
    for side, other in (("key_a", "key_b"), ("key_b", "key_a")):
        part = edges[[side, other, "weight"]].rename(columns={side: "node", other: "peer"})
        part = part[~part["node"].isin(values.keys()) & part["peer"].isin(values.keys())]
        part = part.assign(value=part["peer"].map(values), edge=part.index)
        rows.append(part)
    frame = pd.concat(rows)
    frame = frame[np.isfinite(frame["weight"])]
    if frame.empty:
        return pd.Index([])
    best = frame.groupby(["node", "value"])["weight"].max().reset_index()
    best = best.sort_values(["node", "weight"], ascending=[True, False])
    top2 = best.groupby("node")["weight"].apply(lambda w: list(w.iloc[:2]))
    ambiguous = top2[top2.map(lambda w: len(w) == 2 and w[0] - w[1] < margin)].index
    return pd.Index(frame.loc[frame["node"].isin(ambiguous), "edge"].unique())


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
    values = {} if cannot_link is None else cannot_link.dropna().astype(str).to_dict()
    comps = _Components(keys.astype(str), values)
    blocked: dict[str, set[str]] = defaultdict(set)
    for a, b in rejected:
        blocked[a].add(b)
        blocked[b].add(a)
    edges = edges.reset_index(drop=True)
    ambiguous = _ambiguous_edges(edges, values, ambiguity_margin)
    refused: list[tuple[int, str]] = [(int(i), "ambiguous") for i in ambiguous]
    usable = edges.drop(index=ambiguous)
    usable = usable.sort_values(["weight", "key_a", "key_b"], ascending=[False, True, True])
    for idx, a, b, w in zip(
        usable.index, usable["key_a"], usable["key_b"], usable["weight"], strict=True
    ):
        ra, rb = comps.find(a), comps.find(b)
        if ra == rb:
            continue
        small, big = (ra, rb) if len(comps.members[ra]) < len(comps.members[rb]) else (rb, ra)
        if any(comps.find(p) == big for m in comps.members[small] for p in blocked.get(m, ())):
            refused.append((int(idx), "rejected_pair"))
            continue
        if w != FORCED and not _values_compatible(comps.values[ra], comps.values[rb]):
            refused.append((int(idx), "conflicting_ids"))
            continue
        comps.union(ra, rb)
    labels = {}
    for root, members in comps.members.items():
        label = min(members)
        for m in members:
            labels[m] = label
        del root
    assignment = pd.Series(labels, name="cluster").reindex(keys.astype(str))
    conflicts = edges.loc[[i for i, _ in refused]].assign(reason=[r for _, r in refused])
    return assignment, conflicts


def new_person_id(member_keys: Iterable[str], prefix: str = "P") -> str:
    """Deterministic id for a new person: a hash of its smallest member key."""
    digest = hashlib.sha1(min(member_keys).encode("utf-8")).hexdigest()[:12].upper()
    return f"{prefix}{digest}"


def assign_person_ids(
    clusters: pd.Series, existing: pd.Series | None = None, prefix: str = "P"
) -> tuple[pd.Series, dict[str, str]]:
    """Give every cluster a person id, keeping existing ids stable.

    Existing ids are handed out smallest first, each to the cluster that holds most of its
    mentions (ties: the smaller cluster label). A person merged into another keeps no id of
    its own; the returned redirects say where its id went.

    Args:
        clusters: ``key → cluster label``.
        existing: ``key → person id`` from earlier runs (keys may be missing).
        prefix: Prefix for new ids.

    Returns:
        ``key → person id`` and ``{retired person id: surviving person id}``.
    """
    frame = pd.DataFrame({"cluster": clusters})
    frame["old"] = None if existing is None else existing.reindex(frame.index)
    owner: dict[str, str] = {}
    taken: set[str] = set()
    known = frame.dropna(subset=["old"])
    if not known.empty:
        counts = known.groupby(["old", "cluster"]).size().reset_index(name="n")
        counts = counts.sort_values(["old", "n", "cluster"], ascending=[True, False, True])
        for old, group in counts.groupby("old", sort=True):
            for label in group["cluster"]:
                if label not in owner:
                    owner[label] = str(old)
                    taken.add(str(old))
                    break
    for label, members in frame.groupby("cluster").groups.items():
        if label not in owner:
            pid = new_person_id(members.astype(str), prefix)
            owner[label] = pid if pid not in taken else new_person_id([pid], prefix)
    person = frame["cluster"].map(owner).rename("person_id")
    redirects: dict[str, str] = {}
    if not known.empty:
        for old, group in known.groupby("old"):
            if str(old) not in taken:
                survivors = person.loc[group.index].value_counts()
                redirects[str(old)] = str(survivors.index[0])
    return person, redirects

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.linkage.cluster import FORCED, assign_person_ids, cluster, cluster_positions, new_person_id


def _edges(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["key_a", "key_b", "weight"])


def test_never_merges_two_distinct_valid_ids() -> None:
    keys = pd.Index(["a", "b", "c"])
    ids = pd.Series({"a": "ID1", "c": "ID2"})
    labels, conflicts = cluster(keys, _edges(("a", "b", 30.0), ("b", "c", 20.0)), ids)
    assert labels["a"] == labels["b"]
    assert labels["c"] != labels["a"]
    assert conflicts["reason"].tolist() == ["conflicting_ids"]


def test_split_drops_the_weakest_edge() -> None:
    keys = pd.Index(["a", "b", "c", "d"])
    ids = pd.Series({"a": "ID1", "d": "ID2"})
    edges = _edges(("a", "b", 25.0), ("b", "c", 12.0), ("c", "d", 30.0))
    labels, _ = cluster(keys, edges, ids)
    assert labels["a"] == labels["b"] and labels["c"] == labels["d"]
    assert labels["a"] != labels["d"]


def test_a_rejected_pair_stays_apart_even_through_others() -> None:
    keys = pd.Index(["a", "b", "c"])
    edges = _edges(("a", "b", 30.0), ("b", "c", 30.0))
    labels, conflicts = cluster(keys, edges, rejected=[("a", "c")])
    assert labels["a"] != labels["c"]
    assert "rejected_pair" in conflicts["reason"].tolist()


def test_accepted_pair_overrides_the_id_safeguard() -> None:
    keys = pd.Index(["a", "b"])
    ids = pd.Series({"a": "ID1", "b": "ID2"})
    labels, _ = cluster(keys, _edges(("a", "b", FORCED)), ids)
    assert labels["a"] == labels["b"]


def test_idless_record_between_two_people_is_ambiguous() -> None:
    keys = pd.Index(["a", "b", "x"])
    ids = pd.Series({"a": "ID1", "b": "ID2"})
    labels, conflicts = cluster(keys, _edges(("a", "x", 15.0), ("b", "x", 15.5)), ids)
    assert len({labels["a"], labels["b"], labels["x"]}) == 3
    assert set(conflicts["reason"]) == {"ambiguous"}
    labels, _ = cluster(keys, _edges(("a", "x", 25.0), ("b", "x", 15.5)), ids)
    assert labels["x"] == labels["a"] != labels["b"]


def test_person_ids_are_stable_and_deterministic() -> None:
    clusters = pd.Series({"a": "a", "b": "a", "c": "c"})
    first, _ = assign_person_ids(clusters)
    again, _ = assign_person_ids(clusters)
    assert first.equals(again)
    assert first["c"] == new_person_id(["c"])
    merged = pd.Series({"a": "a", "b": "a", "c": "a"})
    second, redirects = assign_person_ids(merged, first)
    assert second.nunique() == 1
    survivor = min(first["a"], first["c"])
    assert second["a"] == survivor
    assert redirects == {max(first["a"], first["c"]): survivor}


def test_split_keeps_the_id_with_the_majority() -> None:
    existing = pd.Series({"a": "P1", "b": "P1", "c": "P1"})
    clusters = pd.Series({"a": "a", "b": "a", "c": "c"})
    person, _ = assign_person_ids(clusters, existing)
    assert person["a"] == person["b"] == "P1"
    assert person["c"] != "P1"


def _reference(n: int, edges: pd.DataFrame, values: np.ndarray,
               rejected: list[tuple[int, int]], margin: float) -> np.ndarray:
    """The plain strongest-first union–find over every edge (the specification)."""
    keys = pd.Index([f"k{i:03d}" for i in range(n)])
    ids = pd.Series({keys[i]: f"ID{v}" for i, v in enumerate(values) if v >= 0})
    named = pd.DataFrame({"key_a": keys[edges["a"]], "key_b": keys[edges["b"]],
                          "weight": edges["w"]})
    labels, _ = cluster(keys, named, ids, [(keys[x], keys[y]) for x, y in rejected], margin)
    return keys.get_indexer(labels.to_numpy())


def test_component_shortcut_equals_the_sequential_algorithm() -> None:
    rng = np.random.default_rng(11)
    for _ in range(30):
        n = 40
        m = 60
        edges = pd.DataFrame({"a": rng.integers(0, n, m), "b": rng.integers(0, n, m),
                              "w": rng.choice([9.0, 12.0, 15.0, 30.0, FORCED], m)})
        edges = edges[edges["a"] != edges["b"]].reset_index(drop=True)
        values = np.where(rng.random(n) < 0.5, rng.integers(0, 6, n), -1)
        rejected = [(int(x), int(y)) for x, y in rng.integers(0, n, (3, 2)) if x != y]
        fast, _, _ = cluster_positions(
            n, (edges["a"].to_numpy(), edges["b"].to_numpy(), edges["w"].to_numpy()),
            values, (np.array([x for x, _ in rejected], dtype=np.int64),
                     np.array([y for _, y in rejected], dtype=np.int64)), 4.0)
        slow = _sequential_everywhere(n, edges, values, rejected, 4.0)
        assert (fast == slow).all()
        assert (fast == _reference(n, edges, values, rejected, 4.0)).all()


def _sequential_everywhere(n: int, edges: pd.DataFrame, values: np.ndarray,
                           rejected: list[tuple[int, int]], margin: float) -> np.ndarray:
    """Run the sequential pass on all components (no shortcut)."""
    from collections import defaultdict

    from hub.linkage.cluster import _ambiguous, _sequential

    bad = _ambiguous(edges["a"].to_numpy(), edges["b"].to_numpy(), edges["w"].to_numpy(),
                     values, margin)
    usable = edges.drop(index=bad)
    blocked: dict[int, set[int]] = defaultdict(set)
    for x, y in rejected:
        blocked[x].add(y)
        blocked[y].add(x)
    label = np.arange(n)
    if len(usable):
        local, _ = _sequential(usable, values, blocked)
        for k, v in local.items():
            label[k] = v
    return label

from __future__ import annotations

import pandas as pd

from hub.linkage.cluster import FORCED, assign_person_ids, cluster, new_person_id


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

"""Stable person ids for clusters.

Existing ids are handed out smallest first, each to the cluster that holds most of its
mentions (ties: the smaller cluster); a person merged into another keeps no id of its own and
a redirect says where its id went. A new cluster gets ``prefix + sha1(smallest member
key)[:12]``, which does not depend on run order, so a full relink reproduces the ids of
unchanged people.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import pandas as pd


def new_person_id(member_keys: Iterable[str], prefix: str = "P") -> str:
    """Deterministic id for a new person: a hash of its smallest member key."""
    digest = hashlib.sha1(min(member_keys).encode("utf-8")).hexdigest()[:12].upper()
    return f"{prefix}{digest}"


def ids_by_smallest_member(
    smallest: np.ndarray, old: np.ndarray | None = None, prefix: str = "P"
) -> tuple[np.ndarray, dict[str, str]]:
    """Person id per record, clusters named by their smallest member key.

    Args:
        smallest: Per record, the smallest member key of its cluster (the cluster label).
        old: Per record, its person id from earlier runs (``None`` when new).
        prefix: Prefix for new ids.

    Returns:
        Person id per record and ``{retired person id: surviving person id}``.
    """
    label_codes, labels = pd.factorize(smallest)
    owner = np.full(len(labels), None, dtype=object)
    taken: set[str] = set()
    old = np.full(len(smallest), None, dtype=object) if old is None else old
    known = pd.notna(old)
    if known.any():
        counts = (pd.DataFrame({"old": old[known].astype(str), "c": label_codes[known],
                                "label": smallest[known]})
                  .groupby(["old", "c", "label"], sort=False).size().reset_index(name="n")
                  .sort_values(["old", "n", "label"], ascending=[True, False, True],
                               kind="stable"))
        done: set[str] = set()
        for pid, code in zip(counts["old"].tolist(), counts["c"].tolist(), strict=True):
            if pid in done or owner[code] is not None:
                continue
            owner[code] = pid
            taken.add(pid)
            done.add(pid)
    for code in np.flatnonzero(pd.isna(owner)):
        pid = new_person_id([str(labels[code])], prefix)
        owner[code] = pid if pid not in taken else new_person_id([pid], prefix)
    person = owner[label_codes]
    redirects: dict[str, str] = {}
    if known.any():
        lost = known & ~pd.Series(old).isin(taken).to_numpy()
        if lost.any():
            moved = (pd.DataFrame({"old": old[lost].astype(str), "new": person[lost]})
                     .groupby(["old", "new"]).size().reset_index(name="n")
                     .sort_values(["old", "n", "new"], ascending=[True, False, True])
                     .drop_duplicates("old"))
            redirects = dict(zip(moved["old"], moved["new"], strict=True))
    return person, redirects


def assign_person_ids(
    clusters: pd.Series, existing: pd.Series | None = None, prefix: str = "P"
) -> tuple[pd.Series, dict[str, str]]:
    """Give every cluster a person id, keeping existing ids stable.

    Args:
        clusters: ``key → cluster label``.
        existing: ``key → person id`` from earlier runs (keys may be missing).
        prefix: Prefix for new ids.

    Returns:
        ``key → person id`` and ``{retired person id: surviving person id}``.
    """
    keys = clusters.index.astype(str).to_numpy()
    codes = pd.factorize(clusters.to_numpy())[0]
    order = np.argsort(keys, kind="stable")
    first = pd.Series(order).groupby(codes[order]).first()
    smallest = keys[first.reindex(codes).to_numpy()]
    old = None if existing is None else existing.reindex(clusters.index).to_numpy(dtype=object)
    person, redirects = ids_by_smallest_member(smallest, old, prefix)
    return pd.Series(person, index=clusters.index, name="person_id"), redirects

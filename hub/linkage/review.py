"""Clerical review queue selection (persistence and the clerk's UI live elsewhere).

The queue holds pairs whose evidence is neither strong enough to link nor weak enough to
dismiss (the review band), plus links the safeguards refused (conflicting ID numbers, a
rejected pair, an ambiguous ID-less mention). Pairs that already ended up in the same
person, or that a clerk has decided, are left out, and each pair of people appears once,
through its strongest mention pair.
"""

from __future__ import annotations

import pandas as pd

from hub.linkage.evaluate import canonical_pairs

QUEUE_COLUMNS = ["key_a", "key_b", "person_a", "person_b", "weight", "reason"]


def select_review_queue(
    scored: pd.DataFrame,
    conflicts: pd.DataFrame,
    person: pd.Series,
    decided: pd.MultiIndex | None = None,
) -> pd.DataFrame:
    """Choose the pairs a clerk should look at, strongest first.

    Args:
        scored: Scored pairs with ``key_a``, ``key_b``, ``weight`` and ``band``.
        conflicts: Edges refused by clustering, with ``reason``.
        person: ``key → person id`` after clustering.
        decided: Pairs that already have a clerical decision.

    Returns:
        The queue with :data:`QUEUE_COLUMNS`.
    """
    review = scored.loc[scored["band"] == "review", ["key_a", "key_b", "weight"]]
    review = review.assign(reason="review_band")
    refused = conflicts[["key_a", "key_b", "weight", "reason"]]
    queue = pd.concat([review, refused], ignore_index=True)
    queue["person_a"] = queue["key_a"].map(person)
    queue["person_b"] = queue["key_b"].map(person)
    queue = queue[queue["person_a"] != queue["person_b"]]
    if decided is not None and len(decided):
        done = canonical_pairs(decided)
        queue = queue[~pd.MultiIndex.from_frame(queue[["key_a", "key_b"]]).isin(done)]
    low = queue[["person_a", "person_b"]].min(axis=1)
    high = queue[["person_a", "person_b"]].max(axis=1)
    queue = queue.assign(__lo=low, __hi=high).sort_values("weight", ascending=False)
    queue = queue.drop_duplicates(["__lo", "__hi"]).drop(columns=["__lo", "__hi"])
    return queue[QUEUE_COLUMNS].reset_index(drop=True)

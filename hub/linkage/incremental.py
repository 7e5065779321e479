"""Incremental runs: which existing people a new batch can change, and how they stay whole.

A batch can only change the people it touches: those with a mention in a candidate pair or
in a clerical decision. Clustering runs on the batch plus every mention of those people
(kept together by star edges to each person's first mention); every other person keeps its
mentions and its id, exactly as a clustering of everything would leave it, because nothing
but its own star edges reaches it.

Name-only mentions read their context two hops away (the row's other people, and their rows
and households) or, for the roster rule, the people of the target source with the same name
and region; the rules are re-run for the name-only mentions whose context holds a changed
person — again exactly the ones whose answer could differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.linkage.pairs import ColumnCodes, sorted_unique

_GROUP_COLUMNS = ("row_key", "household_key")
EXISTING_WEIGHT = 1e9
"""Weight of a star edge: above any model weight, but unlike a clerical ``FORCED`` edge it
still respects the ID safeguard."""


def touched_scope(old: np.ndarray, new: np.ndarray, involved: np.ndarray) -> np.ndarray:
    """Mask of the batch plus every mention of an existing person the batch touches.

    Args:
        old: Per mention, its existing person code (``-1`` for the batch).
        new: Mask of the batch.
        involved: Positions that appear in candidate pairs or clerical decisions.
    """
    touched = sorted_unique(old[involved])
    touched = touched[touched >= 0]
    return new | np.isin(old, touched)


def smallest_member(codes: np.ndarray) -> np.ndarray:
    """Per position, the smallest position sharing its code (codes ``>= 0``)."""
    n = len(codes)
    first = np.full(int(codes.max(initial=-1)) + 1, n, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(n, dtype=np.int64))
    return first[codes]


def star_edges(old: np.ndarray, scope: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges from each in-scope existing person's first mention to its other mentions."""
    members = np.flatnonzero(scope & (old >= 0))
    if len(members) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    local = pd.factorize(old[members])[0]
    hub = members[smallest_member(local)]
    keep = hub != members
    return hub[keep], members[keep]


def affected(codes_of: ColumnCodes, person: np.ndarray, scope: np.ndarray) -> np.ndarray:
    """Mask of mentions whose name-only context may have changed.

    Those in scope, and those sharing a row with a person who shares a row or household
    with an in-scope mention (the two hops the household rule reads).

    Args:
        codes_of: Codes of the mention frame's columns.
        person: Per mention, its current person label.
        scope: Mentions whose person may have changed.
    """
    df = codes_of.df
    groups = [codes_of(c) for c in _GROUP_COLUMNS if c in df]
    near_people = np.zeros(int(person.max(initial=-1)) + 1, bool)
    for codes in groups:
        hit = sorted_unique(codes[scope & (codes >= 0)])
        near_people[person[np.isin(codes, hit) & (codes >= 0)]] = True
    rows = groups[0] if "row_key" in df else np.arange(len(df))
    hot_rows = sorted_unique(rows[near_people[person] & (rows >= 0)])
    return scope | (np.isin(rows, hot_rows) & (rows >= 0))


def roster_affected(codes_of: ColumnCodes, match_on: list[str], in_target: np.ndarray,
                    scope: np.ndarray) -> np.ndarray:
    """Mask of mentions whose roster candidates may have changed.

    Those in scope, and those equal on ``match_on`` to an in-scope mention of a target
    source (a roster entry that was added, merged or split).
    """
    keys = codes_of(*match_on)
    hit = sorted_unique(keys[scope & in_target & (keys >= 0)])
    return scope | (np.isin(keys, hit) & (keys >= 0))

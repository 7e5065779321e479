"""Turn the run's position arrays into the keyed outputs: ``resolves_to`` and the queue.

Only the outputs carry mention keys; everything before works on positions. The review queue
is built from the few review-band and refused pairs, never from the whole scored set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.linkage.incremental import EXISTING_WEIGHT
from hub.linkage.pairs import sorted_unique
from hub.linkage.review import select_review_queue
from hub.linkage.scoring import Scored

Edges = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def methods_frame(
    keys: pd.Index,
    person: np.ndarray,
    label: np.ndarray,
    edges: Edges,
    method_names: tuple[str, ...],
    attached: tuple[np.ndarray, list[str]],
    kept: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per mention: its person id and the strongest edge that kept it in its person.

    Args:
        keys: Mention keys by position.
        person: Person id by position.
        label: Final cluster label by position.
        edges: ``(a, b, weight, method code)`` of every edge that could merge.
        method_names: Name of each method code.
        attached: Positions attached by a name-only rule, and the rule names.
        kept: Mentions of existing people left out of clustering (method ``existing``).

    Returns:
        ``person_id``, ``method`` and ``weight`` (NaN for existing, clerical and singleton
        mentions), indexed by key.
    """
    a, b, w, code = edges
    same = label[a] == label[b]
    node = np.concatenate([a[same], b[same]])
    weight = np.concatenate([w[same], w[same]])
    method = np.concatenate([code[same], code[same]])
    order = np.argsort(-weight, kind="stable")
    nodes, first = np.unique(node[order], return_index=True)
    names = np.array(method_names, dtype=object)
    out_method = np.full(len(keys), "singleton", dtype=object)
    out_weight = np.full(len(keys), np.nan)
    if kept is not None:
        out_method[kept] = "existing"
    out_method[nodes] = names[method[order][first]]
    best = weight[order][first]
    out_weight[nodes] = np.where(np.isinf(best) | (best == EXISTING_WEIGHT), np.nan, best)
    positions, rules = attached
    out_method[positions] = np.array(rules, dtype=object)
    return pd.DataFrame({"person_id": person, "method": out_method, "weight": out_weight},
                        index=keys)


def review_queue(
    keys: pd.Index,
    person: np.ndarray,
    scored: Scored,
    refused: tuple[np.ndarray, np.ndarray, np.ndarray, list[str]],
    decided: tuple[np.ndarray, np.ndarray],
) -> pd.DataFrame:
    """The clerical review queue (see ``review.py``) from positions.

    Args:
        keys: Mention keys by position.
        person: Person id by position.
        scored: The scored pairs (review band read from here).
        refused: Linking edges clustering refused: ``(a, b, weight, reason)``.
        decided: Pairs with a clerical decision (canonical positions).
    """
    review = scored.band == 1
    ra, rb = scored.pos_a[review], scored.pos_b[review]
    flat = pd.DataFrame({"key_a": keys[ra], "key_b": keys[rb],
                         "weight": scored.weight[review], "band": "review"})
    a, b, w, reason = refused
    conflicts = pd.DataFrame({"key_a": keys[a], "key_b": keys[b], "weight": w,
                              "reason": reason})
    involved = sorted_unique(np.concatenate([ra, rb, a, b]))
    people = pd.Series(person[involved], index=keys[involved])
    done = pd.MultiIndex.from_arrays([keys[decided[0]], keys[decided[1]]])
    return select_review_queue(flat, conflicts, people, done)

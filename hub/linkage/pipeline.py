"""The run entry point: standardise → block → compare → classify → cluster → review.

:func:`link` resolves mentions into people in memory. Called with ``existing`` it links a new
batch incrementally: only pairs that touch the batch are compared, only the people those
pairs (and clerical decisions) touch are re-clustered (``incremental.py``), and existing
person ids survive. Clerical ``decisions`` always win over the model: an accepted pair is
linked whatever its weight, a rejected pair is never in one person, and both refine EM when
it runs.

Internally every record is a position in one frame sorted by mention key (so position order
is key order and canonical pairs are ``lo < hi``) and every pair is two position arrays;
keys are attached only to the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hub.linkage import incremental
from hub.linkage.classify import BANDS, explain
from hub.linkage.cluster import FORCED, REASONS, cluster_positions
from hub.linkage.context import attach_name_only
from hub.linkage.outputs import methods_frame, review_queue
from hub.linkage.person_ids import ids_by_smallest_member
from hub.linkage.presets import hub_settings
from hub.linkage.scoring import Scored, score_candidates
from hub.linkage.settings import LinkageSettings
from hub.linkage.standardise import standardise

_STANDARDISED = "name_canon"
METHODS = ("existing", "clerical", "exact_id", "probabilistic")


@dataclass
class LinkResult:
    """What a run produced.

    Attributes:
        resolves_to: Per mention: ``person_id``, ``method`` (``exact_id``,
            ``probabilistic``, ``clerical``, ``existing``, a name-only rule name or
            ``singleton``) and ``weight`` (its strongest linking edge; NaN for singletons).
        scored: Every compared pair: ``key_a``, ``key_b``, the comparison levels,
            ``weight`` and ``band``.
        review_queue: Pairs for clerical review (see ``review.py``).
        redirects: ``{retired person id: surviving person id}`` for merged people.
        settings: The (trained) settings the run used; store them with the run.
        blocking_counts: Pairs proposed by each blocking rule.
        frame: The standardised records, sorted by key (for the blocking-key index).
        changed: Incremental runs: keys of the mentions whose person this run may have
            changed (the re-clustered people and the name-only mentions' targets); the
            run read exactly their neighbourhood (``hub.resolution.neighbourhood``).
    """

    resolves_to: pd.DataFrame
    scored: pd.DataFrame
    review_queue: pd.DataFrame
    redirects: dict[str, str]
    settings: LinkageSettings
    blocking_counts: dict[str, int] = field(default_factory=dict)
    frame: pd.DataFrame | None = None
    changed: pd.Index | None = None

    @property
    def person_ids(self) -> pd.Series:
        """``mention key → person id``."""
        return self.resolves_to["person_id"]

    def explain(self, key_a: str, key_b: str) -> tuple[list[tuple[str, str, float]], float]:
        """Explain the weight of one compared pair (order of keys does not matter).

        Raises:
            KeyError: The pair was not compared in this run.
        """
        a, b = sorted((key_a, key_b))
        row = self.scored.loc[(a, b)]
        return explain(row, self.settings)


@dataclass
class RunFrame:
    """The run's records, sorted by key, with the existing people when incremental."""

    df: pd.DataFrame
    new: np.ndarray | None = None
    old: np.ndarray | None = None
    old_ids: np.ndarray | None = None


def _standardised(frame: pd.DataFrame) -> pd.DataFrame:
    return frame if _STANDARDISED in frame else standardise(frame)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame if frame.index.is_monotonic_increasing else frame.sort_index()


def _prepare(mentions: pd.DataFrame, existing: pd.DataFrame | None) -> RunFrame:
    """Standardise what is not yet, stack existing and new, sort by key (two copies)."""
    new = _standardised(mentions)
    if "person_id" in new:
        new = new.drop(columns="person_id")
    if existing is None or existing.empty:
        return RunFrame(_sorted(new))
    old = _standardised(existing)
    overlap = old.index.isin(new.index)
    if overlap.any():
        old = old.loc[~overlap]
    df = _sorted(pd.concat([old, new]))
    person = df.pop("person_id")
    codes, ids = pd.factorize(person)
    return RunFrame(df, new=df.index.isin(new.index), old=codes.astype(np.int64),
                  old_ids=np.asarray(ids, dtype=object))


def decision_positions(
    decisions: pd.DataFrame | None, index: pd.Index
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Accepted and rejected pairs as canonical positions (pairs outside ``index`` dropped)."""
    out = []
    for verdict in ("match", "non_match"):
        if decisions is None or decisions.empty:
            chosen = pd.DataFrame({"key_a": [], "key_b": []})
        else:
            chosen = decisions[decisions["decision"] == verdict]
        a = index.get_indexer(chosen["key_a"].astype(str))
        b = index.get_indexer(chosen["key_b"].astype(str))
        keep = (a >= 0) & (b >= 0) & (a != b)
        out.append((np.minimum(a, b)[keep].astype(np.int64),
                    np.maximum(a, b)[keep].astype(np.int64)))
    return out[0], out[1]


def _linking_edges(
    scored: Scored, accepted: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Edges that may merge: link band and accepted pairs, with a method code each."""
    link = scored.band == 0
    a, b, w = scored.pos_a[link], scored.pos_b[link], scored.weight[link].copy()
    is_accepted = np.isin(a * n + b, accepted)
    w[is_accepted] = FORCED
    exact = scored.levels["id_number"].to_numpy()[link] == 2 \
        if "id_number" in scored.levels else np.zeros(len(a), bool)
    method = np.where(is_accepted, 1, np.where(exact, 2, 3)).astype(np.int8)
    return a, b, w, method


def _cluster(
    df: pd.DataFrame,
    settings: LinkageSettings,
    scope: np.ndarray,
    old: np.ndarray | None,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    rejected: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cluster the in-scope records; out-of-scope records keep their existing person.

    Returns:
        Per record the smallest position of its person, and the refused edges (indices
        into ``edges``) with reason codes.
    """
    n = len(df)
    a, b, w = edges
    local = np.flatnonzero(scope)
    to_local = np.full(n, -1, np.int64)
    to_local[local] = np.arange(len(local))
    values = np.full(n, -1, np.int64)
    if settings.cannot_link_column:
        values = pd.factorize(df[settings.cannot_link_column])[0].astype(np.int64)
    both = scope[rejected[0]] & scope[rejected[1]]
    label_local, refused, reason = cluster_positions(
        len(local), (to_local[a], to_local[b], w), values[local],
        (to_local[rejected[0][both]], to_local[rejected[1][both]]), settings.ambiguity_margin,
    )
    if old is None:
        label = np.arange(n, dtype=np.int64)
    else:
        solo = int(old.max(initial=-1)) + 1 + np.arange(n)
        label = incremental.smallest_member(np.where(old >= 0, old, solo))
    label[local] = local[label_local]
    return label, refused, reason


def _person_ids(
    frame: RunFrame, label: np.ndarray, scope: np.ndarray,
    attached: np.ndarray, prefix: str,
) -> tuple[np.ndarray, dict[str, str]]:
    """Person id per record: stable ids for the clusters this run may have changed."""
    smallest = frame.df.index.to_numpy()[label]
    if frame.old is None or frame.old_ids is None:
        return ids_by_smallest_member(smallest, None, prefix)
    old = frame.old
    person = np.where(old >= 0, frame.old_ids[np.maximum(old, 0)], None)
    assigned = scope.copy()
    assigned[attached] = True
    assigned |= np.isin(label, label[attached])
    part, redirects = ids_by_smallest_member(smallest[assigned], person[assigned], prefix)
    person[assigned] = part
    return person, redirects


def run(
    mentions: pd.DataFrame,
    settings: LinkageSettings | None = None,
    *,
    existing: pd.DataFrame | None = None,
    decisions: pd.DataFrame | None = None,
    retrain: bool = False,
    restrict_to_touched: bool = True,
) -> LinkResult:
    """:func:`link`, with the incremental restriction switchable (tests compare both).

    Args:
        mentions: See :func:`link`.
        settings: See :func:`link`.
        existing: See :func:`link`.
        decisions: See :func:`link`.
        retrain: See :func:`link`.
        restrict_to_touched: Incremental runs re-cluster only the people the batch touches
            (the result is the same as re-clustering everyone, which ``False`` does).

    Returns:
        The :class:`LinkResult`.
    """
    settings = (settings or hub_settings()).copy()
    frame = _prepare(mentions, existing)
    accepted, rejected = decision_positions(decisions, frame.df.index)
    scored, settings = score_candidates(frame.df, settings, frame.new, accepted, rejected,
                                        retrain)
    return resolve(frame, settings, scored, (accepted, rejected), restrict_to_touched)


def resolve(
    frame: RunFrame,
    settings: LinkageSettings,
    scored: Scored,
    decided: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    restrict_to_touched: bool = True,
) -> LinkResult:
    """Everything after scoring: cluster, attach name-only mentions, name people, queue.

    Only the link- and review-band pairs of ``scored`` matter here, which is what lets
    the Spark engine hand over just those (``hub.linkage.spark``).

    Args:
        frame: The run's records (and existing people when incremental).
        settings: The trained settings.
        scored: The scored candidate pairs (at least every link- and review-band pair).
        decided: Accepted and rejected pairs, canonical positions.
        restrict_to_touched: See :func:`run`.
    """
    df, n = frame.df, len(frame.df)
    keys = df.index
    accepted, rejected = decided
    a, b, w, method = _linking_edges(scored, accepted[0] * n + accepted[1], n)

    old, scope = frame.old, np.ones(n, bool)
    if old is not None:
        if restrict_to_touched:
            # people in a pair that may merge (or a clerical decision): a pair scored
            # below the link band adds no edge, so its people re-cluster to themselves
            linking = scored.band == 0
            involved = np.concatenate([scored.pos_a[linking], scored.pos_b[linking],
                                       *accepted, *rejected])
            scope = incremental.touched_scope(old, frame.new, involved)
        sa, sb = incremental.star_edges(old, scope)
        a, b = np.concatenate([sa, a]), np.concatenate([sb, b])
        w = np.concatenate([np.full(len(sa), incremental.EXISTING_WEIGHT), w])
        method = np.concatenate([np.zeros(len(sa), np.int8), method])
    label, refused, reason = _cluster(df, settings, scope, old, (a, b, w), rejected)

    changed = scope if old is not None and restrict_to_touched else None
    s, targets, rules, changed = attach_name_only(df, label, settings.name_only_rules,
                                                  changed)
    label[s] = targets
    label = incremental.smallest_member(label)
    person, redirects = _person_ids(frame, label, scope, s, settings.person_id_prefix)

    kept = None
    if old is not None:
        sizes = np.bincount(old[old >= 0], minlength=int(old.max(initial=-1)) + 1)
        kept = ~scope & (old >= 0) & (sizes[np.maximum(old, 0)] > 1)
    resolves_to = methods_frame(keys, person, label, (a, b, w, method), METHODS,
                                (s, rules), kept)
    not_star = method[refused] != 0
    refused, reason = refused[not_star], reason[not_star]
    queue = review_queue(keys, person, scored,
                         (a[refused], b[refused], w[refused], [REASONS[r] for r in reason]),
                         (np.concatenate([accepted[0], rejected[0]]),
                          np.concatenate([accepted[1], rejected[1]])))
    return LinkResult(resolves_to, scored.frame(keys, BANDS), queue, redirects, settings,
                      scored.counts, frame=df,
                      changed=keys[changed] if changed is not None else None)


def link(
    mentions: pd.DataFrame,
    settings: LinkageSettings | None = None,
    *,
    existing: pd.DataFrame | None = None,
    decisions: pd.DataFrame | None = None,
    retrain: bool = False,
) -> LinkResult:
    """Resolve mentions into people.

    Args:
        mentions: New mentions, from :func:`hub.linkage.frame.mentions_frame` (optionally
            already standardised), indexed by mention key.
        settings: Linkage settings; defaults to :func:`hub.linkage.presets.hub_settings`.
            Untrained settings (or ``retrain=True``) run EM on this run's pairs.
        existing: Mentions linked earlier, same columns plus ``person_id`` (optionally
            already standardised, which saves re-deriving names for every existing
            mention); the run is then incremental (the batch against itself and these).
        decisions: Clerical decisions: ``key_a``, ``key_b``, ``decision`` (``match`` or
            ``non_match``). They override the model.
        retrain: Re-estimate m/u even when the settings are trained.

    Returns:
        The :class:`LinkResult`; ``result.resolves_to`` covers existing and new mentions.
    """
    return run(mentions, settings, existing=existing, decisions=decisions, retrain=retrain)

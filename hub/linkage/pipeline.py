"""The run entry point: standardise → block → compare → classify → cluster → review.

:func:`link` resolves mentions into people in memory. Called with ``existing`` it links a new
batch incrementally: only pairs that touch the batch are compared, the existing people are
kept together (star edges to each person's first mention), and existing person ids survive.
Clerical ``decisions`` always win over the model: an accepted pair is linked whatever its
weight, a rejected pair is never in one person, and both refine EM when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hub.linkage.block import candidate_pairs
from hub.linkage.classify import bands, explain, fit_em, match_weights
from hub.linkage.cluster import FORCED, assign_person_ids, cluster
from hub.linkage.compare import compare_pairs
from hub.linkage.context import resolve_name_only
from hub.linkage.evaluate import canonical_pairs
from hub.linkage.presets import hub_settings
from hub.linkage.review import select_review_queue
from hub.linkage.settings import LinkageSettings
from hub.linkage.standardise import standardise

_EXISTING_WEIGHT = 1e9
_STANDARDISED = "name_canon"


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
    """

    resolves_to: pd.DataFrame
    scored: pd.DataFrame
    review_queue: pd.DataFrame
    redirects: dict[str, str]
    settings: LinkageSettings
    blocking_counts: dict[str, int] = field(default_factory=dict)

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


def _decision_frame(decisions: pd.DataFrame | None) -> tuple[pd.MultiIndex, pd.MultiIndex]:
    if decisions is None or decisions.empty:
        empty = pd.MultiIndex.from_arrays([[], []])
        return empty, empty
    accepted = decisions[decisions["decision"] == "match"]
    rejected = decisions[decisions["decision"] == "non_match"]
    return (
        canonical_pairs(pd.MultiIndex.from_frame(accepted[["key_a", "key_b"]])),
        canonical_pairs(pd.MultiIndex.from_frame(rejected[["key_a", "key_b"]])),
    )


def _prepare(
    mentions: pd.DataFrame, existing: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.Series | None]:
    new = mentions if _STANDARDISED in mentions else standardise(mentions)
    if existing is None or existing.empty:
        return new, None
    old = existing if _STANDARDISED in existing else standardise(existing)
    person = old["person_id"]
    old = old.loc[old.index.difference(new.index)]
    frame = pd.concat(
        [old.drop(columns=["person_id"]), new.drop(columns="person_id", errors="ignore")]
    )
    return frame, person


def _existing_edges(person: pd.Series | None, new_keys: pd.Index) -> pd.DataFrame:
    if person is None or person.empty:
        return pd.DataFrame({"key_a": [], "key_b": [], "weight": [], "method": []})
    person = person.loc[person.index.difference(new_keys)]
    hub = person.index.to_series().groupby(person).transform("min")
    star = pd.DataFrame({"key_a": hub.to_numpy(), "key_b": hub.index.to_numpy()})
    star = star[star["key_a"] != star["key_b"]]
    return star.assign(weight=_EXISTING_WEIGHT, method="existing")


def _methods(
    keys: pd.Index, person: pd.Series, edges: pd.DataFrame, attached: pd.DataFrame
) -> pd.DataFrame:
    """Per mention, the strongest edge that kept it in its person."""
    same = edges[edges["key_a"].map(person) == edges["key_b"].map(person)]
    both = pd.concat([same.rename(columns={"key_a": "key"}).drop(columns="key_b"),
                      same.rename(columns={"key_b": "key"}).drop(columns="key_a")])
    best = both.sort_values("weight", ascending=False).drop_duplicates("key").set_index("key")
    out = pd.DataFrame({"person_id": person.reindex(keys)})
    out["method"] = best["method"].reindex(keys).fillna("singleton")
    out["weight"] = best["weight"].reindex(keys).replace([np.inf, _EXISTING_WEIGHT], np.nan)
    if not attached.empty:
        rule = attached.set_index("key")["method"]
        out.loc[rule.index, "method"] = rule
    return out


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
        existing: Mentions linked earlier, same columns plus ``person_id``; the run is then
            incremental (the batch against itself and against these).
        decisions: Clerical decisions: ``key_a``, ``key_b``, ``decision`` (``match`` or
            ``non_match``). They override the model.
        retrain: Re-estimate m/u even when the settings are trained.

    Returns:
        The :class:`LinkResult`; ``result.resolves_to`` covers existing and new mentions.
    """
    settings = (settings or hub_settings()).copy()
    df, old_person = _prepare(mentions, existing)
    accepted, rejected = _decision_frame(decisions)
    new_keys = None if old_person is None else mentions.index
    pairs, counts = candidate_pairs(df, settings, new_keys=new_keys)
    known = accepted[accepted.get_level_values(0).isin(df.index)
                     & accepted.get_level_values(1).isin(df.index)]
    pairs = canonical_pairs(pairs.append(known))
    levels = compare_pairs(pairs, df, settings)
    if retrain or not settings.trained:
        labels = pd.Series(np.nan, index=levels.index)
        labels[levels.index.isin(accepted)] = 1.0
        labels[levels.index.isin(rejected)] = 0.0
        settings = fit_em(levels, settings, labels=labels)
    weights = match_weights(levels, settings)
    scored = levels.assign(weight=weights, band=bands(levels, weights, settings))
    scored.loc[scored.index.isin(accepted), "band"] = "link"
    scored.loc[scored.index.isin(rejected), "band"] = "non_link"
    scored.index.names = ["key_a", "key_b"]
    flat = scored.reset_index()
    linking = flat[flat["band"] == "link"][["key_a", "key_b", "weight"]].copy()
    is_accepted = pd.MultiIndex.from_frame(linking[["key_a", "key_b"]]).isin(accepted)
    id_exact = flat.loc[linking.index, "id_number"].to_numpy() == 2 \
        if "id_number" in flat else np.zeros(len(linking), bool)
    linking["method"] = np.where(is_accepted, "clerical",
                                 np.where(id_exact, "exact_id", "probabilistic"))
    linking.loc[is_accepted, "weight"] = FORCED
    star = _existing_edges(old_person, mentions.index)
    edges = pd.concat([star, linking], ignore_index=True) if len(star) else linking
    cannot = df[settings.cannot_link_column] if settings.cannot_link_column else None
    clusters, conflicts = cluster(
        df.index, edges[["key_a", "key_b", "weight"]], cannot,
        rejected=list(rejected), ambiguity_margin=settings.ambiguity_margin,
    )
    attached = resolve_name_only(df, clusters, settings.name_only_rules)
    if not attached.empty:
        clusters.loc[attached["key"].to_numpy()] = attached["target"].to_numpy()
    person, redirects = assign_person_ids(clusters, old_person, settings.person_id_prefix)
    resolves_to = _methods(df.index, person, edges.assign(weight=edges["weight"]), attached)
    queue = select_review_queue(flat, conflicts.merge(flat[["key_a", "key_b"]]), person,
                                accepted.append(rejected))
    return LinkResult(resolves_to, scored, queue, redirects, settings, counts)

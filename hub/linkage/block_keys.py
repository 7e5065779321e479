"""Blocking keys as values, so an incremental run can look its candidates up.

Equality blocking (``exact``, ``exact_when_missing``) pairs two records exactly when they
share a key: the rule's columns joined. Written out per record, those keys turn candidate
search into a look-up: the records an incoming batch can pair with are the records holding
one of the batch's keys. The same goes for the context the name-only rules read (the
department row, the household key, and the roster rules' ``match_on``). A sorted
neighbourhood has no such key (its neighbours depend on every other value), so settings with
one are not :func:`indexable` and their incremental runs read every record.

The caller turns the keys into keyed hashes before they leave memory
(``hub.resolution.block_index``); this module only derives them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from hub.linkage.settings import LinkageSettings

ROW, HOUSEHOLD = "row", "household"
GROUP_KINDS = (ROW, HOUSEHOLD)
_EQUALITY = ("exact", "exact_when_missing")
_SEPARATOR = "\x1f"


def indexable(settings: LinkageSettings) -> bool:
    """Whether every blocking rule is an equality, so candidates can be looked up."""
    return all(rule.kind in _EQUALITY for rule in settings.blocking_rules)


def roster_kind(rule_name: str) -> str:
    """Key kind of a name-only rule's targets (``match_on`` joined)."""
    return f"name_only:{rule_name}"


def joined(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Per record, its values of ``columns`` joined (``None`` where any is missing)."""
    out = np.full(len(df), None, dtype=object)
    present = np.ones(len(df), bool)
    parts = []
    for column in columns:
        values = df[column]
        present &= values.notna().to_numpy()
        parts.append(values.astype(object).to_numpy())
    where = np.flatnonzero(present)
    out[where] = [_SEPARATOR.join(str(v) for v in row)
                  for row in zip(*(p[where] for p in parts), strict=True)]
    return out


def blocking_keys(df: pd.DataFrame, settings: LinkageSettings, *, lookup: bool = False
                  ) -> Iterator[tuple[str, np.ndarray]]:
    """``(kind, key per record)`` for every equality blocking rule ``df`` can feed.

    An ``exact_when_missing`` rule pairs two records only when one of them lacks
    ``when_missing``, so its keys come in two kinds, ``<rule>|lacking`` and
    ``<rule>|holding``: an indexed record is filed under the one it is. A record looking
    for candidates (``lookup=True``) asks for both when it lacks the column itself, and
    only for the ``lacking`` records when it holds it (a 王伟 with an ID number does not
    fetch every 王伟 with one).
    """
    for rule in settings.blocking_rules:
        if rule.kind not in _EQUALITY or not all(c in df for c in rule.columns):
            continue
        keys = joined(df, rule.columns)
        if rule.when_missing is None or rule.when_missing not in df:
            yield rule.name, keys
            continue
        lacking = df[rule.when_missing].isna().to_numpy()
        yield f"{rule.name}|lacking", np.where(lacking | lookup, keys, None)
        yield f"{rule.name}|holding", np.where(lacking if lookup else ~lacking, keys, None)


def context_keys(df: pd.DataFrame, settings: LinkageSettings) -> Iterator[tuple[str, np.ndarray]]:
    """``(kind, key per record)`` for the context name-only rules read.

    The department row and the household key (the household rule's groups), and each roster
    rule's ``match_on`` for the records it may use (targets and role holders).
    """
    for kind in GROUP_KINDS:
        column = f"{kind}_key"
        if column in df:
            yield kind, df[column].astype(object).where(df[column].notna(), None).to_numpy()
    for rule in settings.name_only_rules:
        if rule.target_sources and all(c in df for c in rule.match_on):
            keys = joined(df, rule.match_on)
            uses = (df["source"].isin(rule.target_sources)
                    | df["role"].isin(rule.roles)).to_numpy()
            keys[~uses] = None
            yield roster_kind(rule.name), keys

"""Name-only mentions: deterministic rules that use context instead of weak name matches.

A mention with a name and nothing else (a 经办人, a guardian or co-owner whose ID was left
empty) cannot be linked on the name: 王伟 and 卓玛 are everywhere. Two rules resolve them
when the context makes the answer unique, and otherwise leave them alone:

* **roster**: the mention's role is listed (经办人); candidates are the people of the target
  sources (staff_roster) equal on ``match_on`` (name and region). Exactly one person → link.
* **household context**: the mention shares its department row with people already resolved
  (the student whose guardian it is, the owner whose co-owner it is). Their relatives are
  the people who share a household key (户号) with them or appear with them in other rows.
  Exactly one relative with the same name, among people who carry an ID number → link.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from hub.linkage.settings import NameOnlyRule


def _name_only(df: pd.DataFrame, person: pd.Series) -> pd.Index:
    """Keys of unresolved (singleton) mentions with a name but no ID number."""
    sizes = person.map(person.value_counts())
    lonely = sizes == 1
    no_id = df["id_key"].isna() & df["name_key"].notna()
    return df.index[lonely.reindex(df.index).fillna(False).to_numpy() & no_id.to_numpy()]


def _roster(df: pd.DataFrame, person: pd.Series, rule: NameOnlyRule,
            todo: pd.Index) -> dict[str, str]:
    subjects = df.loc[todo]
    subjects = subjects[subjects["role"].isin(rule.roles)]
    targets = df if not rule.target_sources else df[df["source"].isin(rule.target_sources)]
    targets = targets.assign(person=person.reindex(targets.index)).dropna(subset=rule.match_on)
    found = (
        subjects[rule.match_on].dropna().reset_index(names="key")
        .merge(targets[[*rule.match_on, "person"]], on=rule.match_on)
        .drop_duplicates(["key", "person"])
    )
    unique = found.groupby("key")["person"].agg(list)
    return {k: p[0] for k, p in unique.items() if len(p) == 1}


def _household(df: pd.DataFrame, person: pd.Series, rule: NameOnlyRule,
               todo: pd.Index) -> dict[str, str]:
    frame = df.assign(person=person.reindex(df.index))
    related: dict[str, set[str]] = defaultdict(set)
    for column in ("row_key", "household_key"):
        if column not in frame:
            continue
        groups = frame.dropna(subset=[column]).groupby(column)["person"].agg(set)
        for people in groups:
            for p in people:
                related[p] |= people
    anchored = set(frame.loc[frame["id_key"].notna(), "person"])
    names = frame.groupby("person")[rule.match_on].agg(lambda s: set(s.dropna()))
    subjects = frame.loc[todo]
    if rule.roles:
        subjects = subjects[subjects["role"].isin(rule.roles)]
    companions = frame.groupby("row_key")["person"].agg(set)
    out: dict[str, str] = {}
    for key, row in subjects.iterrows():
        mine = row["person"]
        anchors = companions.get(row["row_key"], set()) - {mine}
        pool = set().union(*(related[a] for a in anchors)) - {mine} if anchors else set()
        wanted = [row[c] for c in rule.match_on]
        hits = [
            p for p in pool & anchored
            if all(w in names.at[p, c] for w, c in zip(wanted, rule.match_on, strict=True))
        ]
        if len(hits) == 1:
            out[str(key)] = hits[0]
    return out


def resolve_name_only(
    df: pd.DataFrame, person: pd.Series, rules: list[NameOnlyRule]
) -> pd.DataFrame:
    """Attach unresolved name-only mentions to people by the given rules, in order.

    Args:
        df: Standardised mentions.
        person: ``key → cluster label`` after probabilistic clustering.
        rules: Rules from the settings; the first rule that finds a unique person wins.

    Returns:
        Columns ``key``, ``target`` (a cluster label) and ``method`` (the rule name).
    """
    rows: list[tuple[str, str, str]] = []
    current = person.copy()
    for rule in rules:
        todo = _name_only(df, current)
        if todo.empty:
            break
        if rule.target_sources:
            found = _roster(df, current, rule, todo)
        else:
            found = _household(df, current, rule, todo)
        for key, target in found.items():
            rows.append((key, target, rule.name))
            current.loc[key] = target
    return pd.DataFrame(rows, columns=["key", "target", "method"])

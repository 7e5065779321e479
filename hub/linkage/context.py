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

Both rules are relational joins on integer codes (mention → row → anchor person → the
anchor's rows and households → relatives → their names), so their cost grows with the
subjects' neighbourhoods, not with a Python loop over every group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.linkage.incremental import affected, roster_affected
from hub.linkage.pairs import ColumnCodes, sorted_unique
from hub.linkage.settings import NameOnlyRule

_GROUP_COLUMNS = ("row_key", "household_key")


def name_only_subjects(df: pd.DataFrame, person: np.ndarray) -> np.ndarray:
    """Positions of unresolved (singleton) mentions with a name but no ID number."""
    codes = pd.factorize(person)[0]
    lonely = np.bincount(codes)[codes] == 1
    no_id = df["id_key"].isna().to_numpy() & df["name_key"].notna().to_numpy()
    return np.flatnonzero(lonely & no_id)


def _unique_hits(found: pd.DataFrame) -> pd.DataFrame:
    """Subjects (``s``) with exactly one distinct candidate person (``p``)."""
    found = found.drop_duplicates(["s", "p"])
    sizes = found.groupby("s")["p"].transform("size")
    return found[sizes.to_numpy() == 1]


def _roster(codes_of: ColumnCodes, person: np.ndarray, rule: NameOnlyRule,
            todo: np.ndarray) -> pd.DataFrame:
    df = codes_of.df
    subjects = todo[df["role"].iloc[todo].isin(rule.roles).to_numpy()]
    in_target = df["source"].isin(rule.target_sources).to_numpy()
    codes = codes_of(*rule.match_on)
    targets = np.flatnonzero(in_target & (codes >= 0))
    left = pd.DataFrame({"s": subjects, "k": codes[subjects]})
    right = pd.DataFrame({"k": codes[targets], "p": person[targets]})
    return _unique_hits(left[left["k"] >= 0].merge(right, on="k")[["s", "p"]])


def _memberships(codes_of: ColumnCodes, person: np.ndarray) -> pd.DataFrame:
    """Distinct ``(group, person)`` rows: the people of each row and household."""
    parts, offset = [], 0
    for column in _GROUP_COLUMNS:
        if column not in codes_of.df:
            continue
        codes = codes_of(column)
        has = codes >= 0
        parts.append(pd.DataFrame({"g": codes[has] + offset, "p": person[has]}))
        offset += int(codes.max(initial=-1)) + 1
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _household(codes_of: ColumnCodes, person: np.ndarray, rule: NameOnlyRule,
               todo: np.ndarray) -> pd.DataFrame:
    df = codes_of.df
    if rule.roles:
        todo = todo[df["role"].iloc[todo].isin(rule.roles).to_numpy()]
    rows = codes_of("row_key")
    member = _memberships(codes_of, person)
    subjects = pd.DataFrame({"s": todo, "mine": person[todo], "row": rows[todo]})
    companions = pd.DataFrame({"row": rows, "a": person}).drop_duplicates()
    anchors = subjects.merge(companions, on="row")
    anchors = anchors[anchors["a"] != anchors["mine"]][["s", "mine", "a"]].drop_duplicates()
    groups = anchors.merge(member.rename(columns={"p": "a"}), on="a")[["s", "mine", "g"]]
    pool = groups.drop_duplicates().merge(member, on="g")
    pool = pool[pool["p"] != pool["mine"]][["s", "p"]].drop_duplicates()
    anchored = sorted_unique(person[df["id_key"].notna().to_numpy()])
    pool = pool[np.isin(pool["p"].to_numpy(), anchored)]
    for column in rule.match_on:
        values = codes_of(column)
        width = int(values.max(initial=0)) + 1
        known = sorted_unique(person[values >= 0] * width + values[values >= 0])
        wanted = values[pool["s"].to_numpy()]
        joint = pool["p"].to_numpy() * width + wanted
        pool = pool[(wanted >= 0) & np.isin(joint, known)]
    return _unique_hits(pool)


def attach_name_only(
    df: pd.DataFrame, person: np.ndarray, rules: list[NameOnlyRule],
    changed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray | None]:
    """Attach unresolved name-only mentions to people by the given rules, in order.

    Args:
        df: Standardised mentions; positions are row numbers.
        person: Per mention, an integer person (cluster) label after clustering.
        rules: Rules from the settings; the first rule that finds a unique person wins.
        changed: Incremental runs: mask of the mentions whose person may have changed.
            Only name-only mentions whose context reaches one of them are tried
            (``hub.linkage.incremental``); context is read from all of ``df``.

    Returns:
        Attached positions, their target labels, the rule name of each, and ``changed``
        grown by the people that gained a mention (None when it was None).
    """
    current = person.copy()
    codes_of = ColumnCodes(df)
    keys: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    methods: list[str] = []
    for rule in rules:
        todo = name_only_subjects(df, current)
        if changed is not None:
            if rule.target_sources:
                in_target = df["source"].isin(rule.target_sources).to_numpy()
                reach = roster_affected(codes_of, rule.match_on, in_target, changed)
            else:
                reach = affected(codes_of, current, changed)
            todo = todo[reach[todo]]
        if len(todo) == 0:
            continue
        finder = _roster if rule.target_sources else _household
        found = finder(codes_of, current, rule, todo)
        s, p = found["s"].to_numpy(np.int64), found["p"].to_numpy(np.int64)
        current[s] = p
        if changed is not None and len(s):
            changed = changed | np.isin(current, p)
        keys.append(s)
        targets.append(p)
        methods.extend([rule.name] * len(s))
    if not keys:
        return np.empty(0, np.int64), np.empty(0, np.int64), [], changed
    return np.concatenate(keys), np.concatenate(targets), methods, changed

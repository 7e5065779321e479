"""Turn ingest's mentions into the DataFrame the linkage stages work on.

One row per :class:`~hub.ingest.model.Mention`, indexed by its ``mention_key``
(``source:record_id:role``). ``row_key`` (``source:record_id``) ties together the mentions of
one department row (a student and their guardian, an owner and a co-owner), which the
name-only rules use as context. ``household_key`` is an optional hook for graph evidence
(户号, 家庭编号): mentions sharing it are people of one household.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from hub.ingest.model import CanonicalRow, Mention

MENTION_COLUMNS: list[str] = [
    "mention_key", "row_key", "source", "record_id", "role", "name", "id_number",
    "id_kind", "id_valid", "birth_date", "sex", "region_code", "household_key",
]
DEFAULT_HOUSEHOLD_FACTS: tuple[str, ...] = ("hukou_no", "family_no")


def mentions_frame(
    mentions: Iterable[Mention], households: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Build the mention DataFrame.

    Args:
        mentions: Mentions from ingest; duplicates of a ``mention_key`` keep the first.
        households: Optional ``mention_key → household key`` map (graph evidence hook).

    Returns:
        A DataFrame with :data:`MENTION_COLUMNS`, indexed by ``mention_key``.
    """
    households = households or {}
    records = []
    for m in mentions:
        row_key = f"{m.source}:{m.record_id}"
        records.append(
            (m.mention_key, row_key, m.source, m.record_id, m.role, m.name, m.id_number,
             m.id_kind, m.id_valid, m.birth_date, m.sex, m.region_code,
             households.get(m.mention_key))
        )
    df = pd.DataFrame.from_records(records, columns=MENTION_COLUMNS)
    df = df.drop_duplicates("mention_key").set_index("mention_key", drop=False)
    df.index.name = None
    return df


def rows_frame(
    rows: Iterable[CanonicalRow], household_facts: Sequence[str] = DEFAULT_HOUSEHOLD_FACTS
) -> pd.DataFrame:
    """Build the mention DataFrame from canonical rows, with household keys from facts.

    Only mentions in the role that owns the household fact (the row's first mention, e.g.
    the 户籍 本人) get the key; other roles of the row do not belong to that household.

    Args:
        rows: Canonical rows from ``hub.ingest``.
        household_facts: Fact names holding a household identifier, tried in order.

    Returns:
        As :func:`mentions_frame`.
    """
    households: dict[str, str] = {}
    mentions: list[Mention] = []
    for row in rows:
        mentions.extend(row.mentions)
        for fact in household_facts:
            value = row.facts.get(fact) or row.personal.get(fact)
            if value and row.mentions:
                households[row.mentions[0].mention_key] = f"{fact}:{value}"
                break
    return mentions_frame(mentions, households)

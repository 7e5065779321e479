"""Clerical review and explanation of links, on the graph.

Decisions are stored on ``ReviewPair`` nodes (accepted / rejected) and fed to every later
run, where they override the model. An explanation recomputes the comparison of two
mentions with the settings of the last run: the same weights the run used.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from graph_schema.queries import resolution as q
from hub.errors import HubError
from hub.linkage.classify import explain
from hub.linkage.compare import compare_pairs
from hub.linkage.presets import hub_settings
from hub.linkage.standardise import standardise
from hub.privacy_graph.kit import PrivacyKit
from hub.resolution.load import frame_from_records
from hub.resolution.service import latest_settings
from hub.store import Store


class UnknownRecordError(HubError):
    """A record key given for review or explanation is not in the graph."""


def pending_pairs(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """Pending review pairs, strongest first."""
    return store.read(q.PENDING_REVIEW_PAIRS, limit=limit)


def decide_pair(store: Store, key_a: str, key_b: str, *, accept: bool, clerk: str,
                note: str = "") -> str:
    """Record a clerical decision on a pair of mention keys (order does not matter)."""
    a, b = sorted((key_a, key_b))
    found = store.read(q.MENTIONS_BY_KEY, keys=[a, b])
    missing = {a, b} - {r["mention_key"] for r in found}
    if missing:
        raise UnknownRecordError(f"no such record: {', '.join(sorted(missing))} "
                                 "(use source:record_id:role)")
    status = "accepted" if accept else "rejected"
    store.write(q.DECIDE_REVIEW_PAIR, pair_key=f"{a}|{b}", key_a=a, key_b=b, status=status,
                decided_by=clerk, note=note)
    return status


def explain_pair(store: Store, kit: PrivacyKit, key_a: str, key_b: str
                 ) -> tuple[list[tuple[str, str, float]], float]:
    """Each comparison's level and weight for two mentions, and the total weight."""
    records = store.read(q.MENTIONS_BY_KEY, keys=[key_a, key_b])
    missing = {key_a, key_b} - {r["mention_key"] for r in records}
    if missing:
        raise UnknownRecordError(f"no such record: {', '.join(sorted(missing))} "
                                 "(use source:record_id:role)")
    settings = latest_settings(store) or hub_settings()
    frame = standardise(frame_from_records(records, kit.encryptor).drop(columns="person_id"))
    pair = pd.MultiIndex.from_tuples([tuple(sorted((key_a, key_b)))])
    levels = compare_pairs(pair, frame, settings)
    return explain(levels.iloc[0], settings)

"""Clerical review of uncertain links for the API: queue, decision, explanation.

Built on ``hub.resolution.review`` (the decisions later ``hub link`` runs respect) with
jurisdiction added: a caseworker sees and decides only pairs whose two records both lie
in their regions. Explanations are computed for a whole page of pairs at once (one read
of the mentions, one of the settings), so the queue's ``explanation`` field is no N+1.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from graph_schema.queries import resolution as rq
from graph_schema.queries import review as q
from hub.errors import HubError
from hub.linkage.classify import explain
from hub.linkage.compare import compare_pairs
from hub.linkage.presets import hub_settings
from hub.linkage.standardise import standardise
from hub.privacy_graph.kit import PrivacyKit
from hub.resolution.load import frame_from_records
from hub.resolution.review import decide_pair
from hub.resolution.service import latest_settings
from hub.store import Store
from privacy import find_identifiers

MAX_REASON = 500


class LinkReviewError(HubError):
    """A review request was refused; the message is safe to show the caller."""

    code = "BAD_INPUT"


class UnknownPairError(LinkReviewError):
    """No review pair, or no record, has that key."""

    code = "NOT_FOUND"


class PairOutOfJurisdictionError(LinkReviewError):
    """A record of the pair lies outside the caller's region codes."""

    code = "FORBIDDEN"


class InvalidDecisionError(LinkReviewError):
    """The decision's reason is missing, too long, or holds an identifier."""


@dataclass(frozen=True)
class ReviewPairView:
    """A pair of mentions awaiting (or after) a clerical decision."""

    pair_key: str
    key_a: str
    key_b: str
    weight: float | None
    reason: str | None
    status: str
    region_a: str | None
    region_b: str | None


@dataclass(frozen=True)
class Explanation:
    """Each comparison's level and weight, starting with the prior, and the total."""

    parts: list[tuple[str, str, float]]
    total: float


def _view(row: dict) -> ReviewPairView:
    return ReviewPairView(pair_key=row["pair_key"], key_a=row["key_a"], key_b=row["key_b"],
                          weight=row["weight"], reason=row["reason"], status=row["status"],
                          region_a=row["region_a"], region_b=row["region_b"])


def _inside(regions: list[str] | None, *codes: str | None) -> bool:
    return regions is None or all(code in regions for code in codes)


def review_queue(store: Store, *, region: str | None, regions: list[str] | None,
                 limit: int) -> list[ReviewPairView]:
    """Pending pairs with both records in ``regions`` (and one in ``region``), strongest
    first.

    Raises:
        PairOutOfJurisdictionError: ``region`` is not one of ``regions``.
    """
    if region is not None and not _inside(regions, region):
        raise PairOutOfJurisdictionError("that region is outside your jurisdiction")
    rows = store.read(q.REVIEW_QUEUE, region=region, regions=regions, limit=limit)
    return [_view(row) for row in rows]


def review_pair(store: Store, pair_key: str, *, regions: list[str] | None) -> ReviewPairView:
    """One pair, pending or decided, when both its records lie in ``regions``.

    Raises:
        UnknownPairError / PairOutOfJurisdictionError: see the classes.
    """
    rows = store.read(q.REVIEW_PAIR, pair_key=pair_key)
    if not rows:
        raise UnknownPairError("no review pair with that id")
    pair = _view(rows[0])
    if not _inside(regions, pair.region_a, pair.region_b):
        raise PairOutOfJurisdictionError("the pair is outside your jurisdiction")
    return pair


def decide(store: Store, pair_key: str, *, accept: bool, clerk: str, reason: str,
           regions: list[str] | None) -> ReviewPairView:
    """Record a clerical decision that later link runs respect.

    Raises:
        InvalidDecisionError: reason empty, over 500 characters or holding an identifier.
        UnknownPairError / PairOutOfJurisdictionError: see the classes.
    """
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON:
        raise InvalidDecisionError(f"reason: required, at most {MAX_REASON} characters")
    if find_identifiers(text):
        raise InvalidDecisionError("reason: must not contain ID, phone or card numbers")
    pair = review_pair(store, pair_key, regions=regions)
    decide_pair(store, pair.key_a, pair.key_b, accept=accept, clerk=clerk, note=text)
    return _view(store.read(q.REVIEW_PAIR, pair_key=pair_key)[0])


def check_records(store: Store, keys: list[str], regions: list[str] | None) -> None:
    """Raise unless every mention key exists and lies in ``regions``.

    Raises:
        UnknownPairError / PairOutOfJurisdictionError.
    """
    found = {r["mention_key"]: r["region_code"]
             for r in store.read(q.MENTION_REGIONS, keys=keys)}
    if set(keys) - set(found):
        raise UnknownPairError("no such record (use source:record_id:role)")
    if not _inside(regions, *found.values()):
        raise PairOutOfJurisdictionError("a record is outside your jurisdiction")


def explain_pairs(store: Store, kit: PrivacyKit, pairs: list[tuple[str, str]]
                  ) -> dict[tuple[str, str], Explanation]:
    """Explanations of many pairs with the settings of the last link run (two reads)."""
    ordered = [tuple(sorted(pair)) for pair in pairs]
    keys = sorted({key for pair in ordered for key in pair})
    records = store.read(rq.MENTIONS_BY_KEY, keys=keys)
    known = {r["mention_key"] for r in records}
    wanted = [pair for pair in dict.fromkeys(ordered) if set(pair) <= known]
    out: dict[tuple[str, str], Explanation] = {}
    if not wanted:
        return out
    settings = latest_settings(store) or hub_settings()
    frame = standardise(frame_from_records(records, kit.encryptor).drop(columns="person_id"))
    index = pd.MultiIndex.from_tuples(wanted)
    levels = compare_pairs(index, frame, settings)
    for position, pair in enumerate(wanted):
        parts, total = explain(levels.iloc[position], settings)
        out[pair] = Explanation(parts=parts, total=total)
    for original, pair in zip(pairs, ordered, strict=True):
        if pair in out:
            out[original] = out[pair]
    return out

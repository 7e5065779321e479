"""Entity-resolution review over GraphQL: ``linkReviewQueue``, ``decideLinkReview``,
``explainLink``.

The policy's ``link_review`` class admits caseworkers administering aid. Pairs and
explanations name records by key (``source:record_id:role``) and show comparison levels
and weights — never the compared names or ID numbers. Decisions are kept and respected by
every later ``hub link`` run.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from hub.resolution.review_api import (
    Explanation,
    LinkReviewError,
    ReviewPairView,
    check_records,
    decide,
    explain_pairs,
    review_pair,
    review_queue,
)
from resolvers.context import HubContext
from resolvers.errors import client_error, refuse
from resolvers.permissions import PurposeAllowed

MAX_PAGE = 100


@strawberry.enum(description="A clerical decision on a pair of records.")
class LinkDecision(Enum):
    ACCEPT = "accept"
    REJECT = "reject"


@strawberry.type(description="One comparison's level and its match weight (log2).")
class ComparisonWeight:
    comparison: str
    level: str
    weight: float


@strawberry.type(description="Why two records do or do not link: weights and their total.")
class LinkExplanation:
    record_a: str
    record_b: str
    comparisons: list[ComparisonWeight]
    total: float

    @classmethod
    def build(cls, pair: tuple[str, str], explanation: Explanation) -> LinkExplanation:
        """From a service explanation of ``pair``."""
        return cls(record_a=pair[0], record_b=pair[1], total=explanation.total,
                   comparisons=[ComparisonWeight(comparison=c, level=lv, weight=w)
                                for c, lv, w in explanation.parts])


def _explainer(info: Info[HubContext, Any]) -> DataLoader[tuple[str, str], Any]:
    ctx = info.context
    found = ctx.loaders.get("review.explain")
    if found is None:
        kit = ctx.kit
        if kit is None:
            raise client_error("field keys unavailable", "UNAVAILABLE")

        async def load(pairs: list[tuple[str, str]]) -> list[Explanation | None]:
            done = await run_in_threadpool(explain_pairs, ctx.store, kit, list(pairs))
            return [done.get(pair) for pair in pairs]

        found = ctx.loaders["review.explain"] = DataLoader(load_fn=load)
    return found


@strawberry.type(name="ReviewPair", description="Two records the linker was unsure about.")
class ReviewPairType:
    pair_id: strawberry.ID
    record_a: str
    record_b: str
    weight: float | None
    reason: str | None = strawberry.field(description="Why the pair was queued.")
    status: str
    region_a: str | None
    region_b: str | None

    @classmethod
    def build(cls, view: ReviewPairView) -> ReviewPairType:
        """From a service view."""
        return cls(pair_id=strawberry.ID(view.pair_key), record_a=view.key_a,
                   record_b=view.key_b, weight=view.weight, reason=view.reason,
                   status=view.status, region_a=view.region_a, region_b=view.region_b)

    @strawberry.field(description="Comparison weights (batched for the whole page).")
    async def explanation(self, info: Info[HubContext, Any]) -> LinkExplanation | None:
        pair = (self.record_a, self.record_b)
        found = await _explainer(info).load(pair)
        return LinkExplanation.build(pair, found) if found is not None else None


async def resolve_link_review_queue(info: Info[HubContext, Any], region: str | None = None,
                                    first: int = 20) -> list[ReviewPairType]:
    """Pending pairs in the caller's jurisdiction (optionally one region), strongest first."""
    if not 1 <= first <= MAX_PAGE:
        raise client_error(f"first must be between 1 and {MAX_PAGE}", "BAD_INPUT")
    ctx = info.context
    try:
        views = await run_in_threadpool(
            lambda: review_queue(ctx.store, region=region, regions=ctx.regions, limit=first))
    except LinkReviewError as exc:
        raise refuse(info, exc) from None
    return [ReviewPairType.build(view) for view in views]


async def resolve_link_review_pair(info: Info[HubContext, Any], pair_id: strawberry.ID
                                   ) -> ReviewPairType:
    """One pair in the caller's jurisdiction, pending or decided (a queue link opens it
    in one read, however long the queue)."""
    ctx = info.context
    try:
        view = await run_in_threadpool(
            lambda: review_pair(ctx.store, str(pair_id), regions=ctx.regions))
    except LinkReviewError as exc:
        raise refuse(info, exc) from None
    return ReviewPairType.build(view)


async def resolve_decide_link_review(info: Info[HubContext, Any], pair_id: strawberry.ID,
                                     decision: LinkDecision, reason: str) -> ReviewPairType:
    """Accept or reject a pair; the next link run respects it."""
    ctx = info.context
    try:
        view = await run_in_threadpool(
            lambda: decide(ctx.store, str(pair_id), accept=decision is LinkDecision.ACCEPT,
                           clerk=ctx.principal.subject, reason=reason, regions=ctx.regions))
    except LinkReviewError as exc:
        raise refuse(info, exc) from None
    return ReviewPairType.build(view)


async def resolve_explain_link(info: Info[HubContext, Any], record_a: str, record_b: str
                               ) -> LinkExplanation:
    """Each comparison's weight and the total for two records (keys source:record_id:role)."""
    ctx = info.context
    try:
        await run_in_threadpool(check_records, ctx.store, [record_a, record_b], ctx.regions)
    except LinkReviewError as exc:
        raise refuse(info, exc) from None
    found = await _explainer(info).load((record_a, record_b))
    if found is None:
        raise client_error("no such record (use source:record_id:role)", "NOT_FOUND")
    return LinkExplanation.build((record_a, record_b), found)


@strawberry.type
class ReviewQuery:
    link_review_queue: list[ReviewPairType] = strawberry.field(
        resolver=resolve_link_review_queue, permission_classes=[PurposeAllowed],
        description="Uncertain record pairs awaiting a clerical decision.")
    link_review_pair: ReviewPairType = strawberry.field(
        resolver=resolve_link_review_pair, permission_classes=[PurposeAllowed],
        description="One queued pair by its id, pending or decided.")
    explain_link: LinkExplanation = strawberry.field(
        resolver=resolve_explain_link, permission_classes=[PurposeAllowed],
        description="Why two records link (or not): each comparison's weight and the total.")


@strawberry.type
class ReviewMutation:
    decide_link_review: ReviewPairType = strawberry.mutation(
        resolver=resolve_decide_link_review, permission_classes=[PurposeAllowed],
        description="Accept or reject a queued pair (respected by later link runs).")

"""``reverificationsDue``: the households of a region whose re-verification falls due.

The plans come from the last monitoring run's schedule (``hub.rules.schedule``; a page
read in milliseconds), or are computed now for a region no run has drawn; ``drawnOn``
says which.

DOMAIN.md 4: 特困 and stable 低保 households are reviewed yearly, 低保 households with
unstable income and working-age members every six months (``hub.rules.reviews``). The
schedule is civil affairs' own work, so the field is bound to the ``aid_administration``
purpose and to the caller's jurisdiction; each row names a household (pseudonymous id),
its programme, interval, due date and the reason, and is audited per household like any
other field about a household.
"""

from __future__ import annotations

from datetime import date

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from hub.api.field_policy import action_of
from hub.rules import RulesetError, Verifier
from hub.rules.reviews import ReviewDue, review_until
from hub.rules.schedule import due_by
from privacy import DataSubject, Purpose
from resolvers.context import HubContext
from resolvers.errors import client_error, graphql_error
from resolvers.permissions import PurposeAllowed, purpose_required

REGION_CODE_LENGTH = 6
MAX_HORIZON_DAYS = 366
MAX_PAGE = 200


@strawberry.type(description="A household due for re-verification, and why.")
class ReverificationDue:
    household_id: str
    programme: str
    interval_months: int
    due_date: date
    reason: str
    audit_subject: strawberry.Private[DataSubject]

    @classmethod
    def build(cls, due: ReviewDue, region_code: str) -> ReverificationDue:
        """The GraphQL row of one due review."""
        subject = DataSubject("household", due.household_id, household_id=due.household_id,
                              region_code=region_code)
        return cls(household_id=due.household_id, programme=due.programme,
                   interval_months=due.interval_months, due_date=due.due_date,
                   reason=due.reason, audit_subject=subject)


@strawberry.type(description="A page of the schedule: `total` households are due in all.")
class ReverificationPage:
    total: int
    next_offset: int | None
    drawn_on: date | None = strawberry.field(description=(
        "The day the plans were drawn (by a monitoring run); null: computed now."))
    households: list[ReverificationDue]


async def resolve_reverifications_due(info: Info[HubContext, None], region: str,
                                      as_of: date | None = None,
                                      horizon_days: int | None = None, first: int = 50,
                                      offset: int = 0) -> ReverificationPage:
    """The region's schedule on ``asOf`` (default today), earliest due first; one page
    of it (only the households returned are audited as read)."""
    ctx = info.context
    if not 1 <= first <= MAX_PAGE or offset < 0:
        raise client_error(f"first must be 1–{MAX_PAGE} and offset 0 or more", "BAD_INPUT")
    if len(region) != REGION_CODE_LENGTH or not region.isdigit():
        raise client_error("region must be a 6-digit 行政区划 code", "BAD_INPUT")
    if horizon_days is not None and not 0 <= horizon_days <= MAX_HORIZON_DAYS:
        raise client_error(f"horizonDays must be between 0 and {MAX_HORIZON_DAYS}",
                           "BAD_INPUT")
    if ctx.regions is not None and region not in ctx.regions:
        ctx.access.note_denial(action_of(info), "out_of_jurisdiction")
        raise client_error("the region is outside your jurisdiction", "FORBIDDEN")
    if ctx.kit is None:
        raise client_error("verification is not configured on this server", "UNAVAILABLE")
    verifier = Verifier(ctx.store, ctx.kit)
    day = as_of or date.today()
    try:
        schedule = await run_in_threadpool(
            lambda: due_by(verifier, region, day,
                           review_until(verifier, region, day, horizon_days)))
    except RulesetError as exc:
        raise graphql_error(exc, f"{exc}; choose an asOf date a ruleset covers") from None
    due = schedule.due
    page = due[offset:offset + first]
    more = offset + first < len(due)
    return ReverificationPage(total=len(due), next_offset=offset + first if more else None,
                              drawn_on=schedule.drawn_on,
                              households=[ReverificationDue.build(i, region) for i in page])


@strawberry.type
class ReverificationQuery:
    reverifications_due: ReverificationPage = strawberry.field(
        resolver=resolve_reverifications_due,
        permission_classes=[PurposeAllowed, purpose_required(Purpose.AID_ADMINISTRATION)],
        description="Households of a region due for re-verification by `asOf` + "
                    "`horizonDays` (the ruleset's horizon by default), with the reason.")

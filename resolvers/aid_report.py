"""``reportAid``: a department feeds back aid it granted, as it grants it.

Allowed by the policy's ``aid_report`` class (departments checking overlaps, 民政
caseworkers administering aid); the department recorded is always the caller's
organisation, so nobody can report in another department's name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from hub.ingest.aid_report import (
    AidReport,
    InvalidAidReportError,
    RecipientNotFoundError,
    RecipientOutOfJurisdictionError,
    report_aid,
)
from resolvers.context import HubContext
from resolvers.errors import client_error, refuse
from resolvers.people_types import AidRecordType
from resolvers.permissions import PurposeAllowed


@strawberry.input(description="One aid grant (一户一条救助链 feedback).")
class ReportAidInput:
    id_number: str = strawberry.field(description="Recipient's resident ID number.")
    record_id: str = strawberry.field(description="Your department's record id (idempotent).")
    programme: str
    amount: float = strawberry.field(description="Amount per period, yuan.")
    period: str = strawberry.field(description="monthly, yearly or one_off.")
    start: date
    region_code: str = strawberry.field(description="Region granting the aid (6 digits).")
    end: date | None = None


async def resolve_report_aid(info: Info[HubContext, Any], aid: ReportAidInput) -> AidRecordType:
    """Write the reported aid as an ``AidRecord`` granted to the person with that ID number."""
    ctx = info.context
    if ctx.kit is None:
        raise client_error("field keys unavailable", "UNAVAILABLE")
    report = AidReport(id_number=aid.id_number, record_id=aid.record_id,
                       programme=aid.programme, amount=aid.amount, period=aid.period,
                       start=aid.start, end=aid.end, region_code=aid.region_code)
    kit = ctx.kit
    try:
        view = await run_in_threadpool(
            lambda: report_aid(ctx.store, kit.indexer, report, department=ctx.principal.org,
                               reported_by=ctx.principal.subject, regions=ctx.regions))
    except (InvalidAidReportError, RecipientNotFoundError,
            RecipientOutOfJurisdictionError) as exc:
        raise refuse(info, exc) from None
    return AidRecordType.build(view)


@strawberry.type
class AidReportMutation:
    report_aid: AidRecordType = strawberry.mutation(
        resolver=resolve_report_aid, permission_classes=[PurposeAllowed],
        description="Report aid your department granted; the department is your org.")

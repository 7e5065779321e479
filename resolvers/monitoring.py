"""``monitoringAlerts``, ``overlaps`` and ``updateAlertStatus``: dynamic monitoring over the API.

Routing is the seeds' rule: an alert goes to the department responsible for its hardship
or programme, and a caller sees (and may act on) only the alerts routed to its own
organisation within its jurisdiction — a 残联 officer sees 残联's alerts of its regions,
a civil-affairs caseworker 民政's of its regions. Field access (e.g. the hardship only for
the department it is routed to) is decided by ``privacy.policy`` with the alert's
department as owner. ``overlaps`` is a department's pre-grant check: whether and which
programme the person or their household receives, never amounts or health details. Aid
received in another place is exactly what the check must find (一户一条救助链), but the
policy keeps its detail inside the caller's jurisdiction: outside it, the answer is one
bit each in ``elsewhere`` (receiving, conflict: refer the case to the registered region),
never the person id, programme, department or region (class ``cross_region``).
"""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from hub.api.field_policy import action_of
from hub.monitoring import (
    ALL_TYPES,
    AlertNotFoundError,
    AlertTransitionError,
    CrossRegionSignal,
    OverlapAnswer,
    get_alert,
    monitoring_alerts,
    overlaps,
    update_alert_status,
    within_jurisdiction,
)
from privacy import DataSubject, PrivacyError, Purpose, in_jurisdiction
from resolvers.context import HubContext
from resolvers.errors import client_error, graphql_error
from resolvers.permissions import PurposeAllowed, purpose_required

MAX_PAGE = 200
STATUSES = ("new", "sent", "confirmed", "dismissed", "closed")
_PERSON_ID = re.compile(r"P[0-9A-F]{6,}")
NO_SUCH_ALERT = "no such alert"
"""One answer for an unknown alert and another organisation's (not disclosed)."""


@strawberry.enum(description="A status an alert can be moved to (new → sent → confirmed | "
                             "dismissed, dismissal with a reason).")
class AlertStatusChange(Enum):
    SENT = "sent"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@strawberry.type(description="A department record proving an alert.")
class AlertSource:
    department: str
    source: str = strawberry.field(description="The export the record came from.")
    record_id: str
    audit_subject: strawberry.Private[DataSubject]
    owner_org: strawberry.Private[str]


@strawberry.type(description="A monitoring alert, routed to one department.")
class MonitoringAlert:
    alert_id: strawberry.ID
    type: str
    status: str
    department: str = strawberry.field(description="The department it is routed to.")
    region_code: str | None
    region_codes: list[str]
    subject_kind: str
    household_id: str | None
    person_ids: list[str]
    programme: str | None
    hardship: str | None = strawberry.field(description="The hardship that routed it.")
    detail: list[str] = strawberry.field(description="Reason codes (no personal values).")
    reason: str | None = strawberry.field(description="Why it was dismissed or closed.")
    sources: list[AlertSource]
    as_of: str | None
    created_at: str | None
    updated_at: str | None
    audit_subject: strawberry.Private[DataSubject]
    owner_org: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: dict[str, Any], regions: list[str] | None) -> MonitoringAlert:
        """The GraphQL view of an alert dict from ``hub.monitoring``."""
        subject = _subject(row, regions)
        owner = str(row.get("department") or "")
        sources = []
        for label in row.get("evidence") or []:
            department, source, record_id = [*str(label).split("|", 2), "", ""][:3]
            sources.append(AlertSource(department=department, source=source,
                                       record_id=record_id, audit_subject=subject,
                                       owner_org=owner))
        return cls(
            alert_id=strawberry.ID(row["alert_key"]), type=row["type"], status=row["status"],
            department=owner, region_code=row.get("region_code"),
            region_codes=list(row.get("region_codes") or []),
            subject_kind=row.get("subject_kind") or "", household_id=row.get("household_id"),
            person_ids=list(row.get("person_ids") or []), programme=row.get("programme"),
            hardship=row.get("hardship"), detail=list(row.get("detail") or []),
            reason=row.get("reason"), sources=sources, as_of=_text(row.get("as_of")),
            created_at=_text(row.get("created_at")), updated_at=_text(row.get("updated_at")),
            audit_subject=subject, owner_org=owner)


@strawberry.type(description="A page of alerts, oldest first.")
class AlertPage:
    alerts: list[MonitoringAlert]
    next_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null at the end.")


@strawberry.type(description="A programme currently received (no amount, no health detail).")
class OverlapProgramme:
    programme: str
    department: str
    via: str = strawberry.field(description="`self` or `household` (another member).")
    audit_subject: strawberry.Private[DataSubject | None]


@strawberry.type(name="CrossRegionSignal",
                 description="Aid outside your jurisdiction: refer the case to the person's "
                             "registered region. No identity or programme detail.")
class CrossRegionType:
    receiving: bool = strawberry.field(
        description="The person receives aid granted outside your jurisdiction.")
    conflict: bool = strawberry.field(
        description="Aid current outside your jurisdiction conflicts with the planned one.")
    audit_subject: strawberry.Private[DataSubject | None]


@strawberry.type(description="A pre-grant check: whether and which programmes are current.")
class OverlapCheck:
    person_found: bool = strawberry.field(
        description="The person is registered, or receives aid, in your jurisdiction.")
    person_id: str | None
    receiving: bool = strawberry.field(
        description="The person receives aid themselves (in your jurisdiction).")
    programmes: list[OverlapProgramme]
    conflicts: list[str] = strawberry.field(
        description="Current programmes the planned one may not be combined with.")
    elsewhere: CrossRegionType = strawberry.field(
        description="Aid outside your jurisdiction, as a referral signal only.")
    audit_subject: strawberry.Private[DataSubject | None]

    @classmethod
    def from_answer(cls, answer: OverlapAnswer, signal: CrossRegionSignal,
                    asked_about: str | None = None) -> OverlapCheck:
        """The GraphQL view of the answer limited to the caller's jurisdiction.

        Args:
            answer: What the caller may see in detail (``within_jurisdiction``).
            signal: The cross-region bits.
            asked_about: The hub person id behind the check, for the audit log even when
                the answer reads "not found" in the caller's jurisdiction.
        """
        person = answer.person_id or asked_about
        region = answer.person_region if answer.person_found else None
        subject = DataSubject("person", person, region_code=region) if person else None
        return cls(person_found=answer.person_found, person_id=answer.person_id,
                   receiving=answer.receiving,
                   programmes=[OverlapProgramme(programme=h.programme, department=h.department,
                                                via=h.via, audit_subject=subject)
                               for h in answer.programmes],
                   conflicts=list(answer.conflicts),
                   elsewhere=CrossRegionType(receiving=signal.receiving,
                                             conflict=signal.conflict, audit_subject=subject),
                   audit_subject=subject)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _subject(row: dict[str, Any], regions: list[str] | None) -> DataSubject:
    """Whom the alert is about, in a region of the caller's jurisdiction when it involves one."""
    involved = list(row.get("region_codes") or []) or [row.get("region_code")]
    region = next((r for r in involved if regions is None or r in regions),
                  row.get("region_code"))
    household = row.get("household_id")
    if household:
        return DataSubject("household", household, household_id=household, region_code=region)
    persons = row.get("person_ids") or [row["alert_key"]]
    return DataSubject("person", persons[0], region_code=region)


def _routed_to_caller(ctx: HubContext, row: dict[str, Any]) -> bool:
    regions = ctx.regions
    involved = set(row.get("region_codes") or []) | {row.get("region_code")}
    in_region = regions is None or bool(involved & set(regions))
    return row.get("department") == ctx.principal.org and in_region


async def resolve_monitoring_alerts(info: Info[HubContext, None], region: str | None = None,
                                    type: str | None = None, status: str | None = None,
                                    first: int = 50, after: str | None = None) -> AlertPage:
    """Alerts routed to the caller's organisation in its jurisdiction, filtered."""
    ctx = info.context
    if type is not None and type not in ALL_TYPES:
        raise client_error(f"unknown alert type; use one of {', '.join(ALL_TYPES)}", "BAD_INPUT")
    if status is not None and status not in STATUSES:
        raise client_error(f"unknown status; use one of {', '.join(STATUSES)}", "BAD_INPUT")
    regions = ctx.regions
    if region is not None and regions is not None and region not in regions:
        ctx.access.note_denial(action_of(info), "out_of_jurisdiction")
        raise client_error("the region is outside your jurisdiction", "FORBIDDEN")
    if not after:
        skip = 0
    elif after.isdigit():
        skip = int(after)
    else:
        raise client_error("`after` must be a cursor returned as nextCursor", "BAD_INPUT")
    size = max(1, min(first, MAX_PAGE))
    rows = await run_in_threadpool(
        lambda: monitoring_alerts(ctx.store, region=region, type=type, status=status,
                                  department=ctx.principal.org, regions=regions, skip=skip,
                                  limit=size + 1))
    more = len(rows) > size
    return AlertPage(alerts=[MonitoringAlert.from_row(r, regions) for r in rows[:size]],
                     next_cursor=str(skip + size) if more else None)


async def resolve_overlaps(info: Info[HubContext, None], person: str,
                           programme: str | None = None,
                           as_of: date | None = None) -> OverlapCheck:
    """The pre-grant check for one person (resident ID number or hub person id)."""
    ctx = info.context
    day = as_of or date.today()
    text = person.strip()
    if _PERSON_ID.fullmatch(text):
        lookup: dict[str, str] = {"person_id": text}
    else:
        if ctx.kit is None:
            raise client_error("lookups by ID number are not configured on this server",
                         "UNAVAILABLE")
        try:
            lookup = {"bi_id": ctx.kit.indexer.id_number(text)}
        except PrivacyError:
            raise client_error("not a valid resident ID number or person id", "BAD_INPUT") from None
    full = await run_in_threadpool(
        lambda: overlaps(ctx.store, as_of=day, programme=programme, **lookup))
    principal = ctx.principal
    visible, signal = within_jurisdiction(
        full, lambda region: in_jurisdiction(principal, region), programme)
    return OverlapCheck.from_answer(visible, signal, asked_about=full.person_id)


async def _alert_routed_to_caller(info: Info[HubContext, None], key: str) -> dict[str, Any]:
    """The alert's row when it is routed to the caller; ``NOT_FOUND`` otherwise (another
    organisation's alert is not disclosed, and the refusal is noted in the audit log)."""
    ctx = info.context
    try:
        row = await run_in_threadpool(get_alert, ctx.store, key)
    except AlertNotFoundError as exc:
        raise graphql_error(exc, NO_SUCH_ALERT) from None
    if not _routed_to_caller(ctx, row):
        ctx.access.note_denial(action_of(info), "not_routed_to_caller",
                               _subject(row, ctx.regions))
        raise client_error(NO_SUCH_ALERT, "NOT_FOUND")
    return row


async def resolve_monitoring_alert(info: Info[HubContext, None],
                                   alert_id: strawberry.ID) -> MonitoringAlert:
    """One alert routed to the caller, by id (an inbox link opens it in one read)."""
    row = await _alert_routed_to_caller(info, str(alert_id))
    return MonitoringAlert.from_row(row, info.context.regions)


async def resolve_update_alert_status(info: Info[HubContext, None], alert_id: strawberry.ID,
                                      status: AlertStatusChange,
                                      reason: str | None = None) -> MonitoringAlert:
    """Move an alert routed to the caller one step along its workflow."""
    ctx = info.context
    key = str(alert_id)
    await _alert_routed_to_caller(info, key)
    try:
        await run_in_threadpool(update_alert_status, ctx.store, key, status.value, reason,
                                ctx.principal.subject)
    except AlertTransitionError as exc:
        raise graphql_error(exc) from None
    updated = await run_in_threadpool(get_alert, ctx.store, key)
    return MonitoringAlert.from_row(updated, ctx.regions)


_MONITORING = [PurposeAllowed, purpose_required(Purpose.MONITORING)]


@strawberry.type
class MonitoringQuery:
    monitoring_alerts: AlertPage = strawberry.field(
        resolver=resolve_monitoring_alerts, permission_classes=_MONITORING,
        description="Alerts routed to your organisation in your jurisdiction.")
    monitoring_alert: MonitoringAlert = strawberry.field(
        resolver=resolve_monitoring_alert, permission_classes=_MONITORING,
        description="One alert routed to your organisation, by its id.")
    overlaps: OverlapCheck = strawberry.field(
        resolver=resolve_overlaps,
        permission_classes=[PurposeAllowed, purpose_required(Purpose.OVERLAP_CHECK)],
        description="Pre-grant check: does this person (or household) already get aid?")


@strawberry.type
class MonitoringMutation:
    update_alert_status: MonitoringAlert = strawberry.mutation(
        resolver=resolve_update_alert_status, permission_classes=_MONITORING,
        description="Move an alert: new → sent → confirmed | dismissed (with a reason).")

"""``auditEvents`` and ``auditChain``: the audit log for auditors, and its verification.

Events hold no field values, names or ID numbers — only pseudonymous subject references
— so an auditor reviews who accessed what, and why, without seeing personal data.
Access is decided by the policy (class ``audit``: the audit administrator, role
``auditor``, purpose ``audit``); reading the log is itself audited. ``auditChain`` runs
the check of ``hub audit verify`` for the console, so an auditor needs no shell on the
server (and no side door past the policy) to confirm the log is intact.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from hub.privacy_graph.audit import AuditFilter
from privacy import AuditEvent, ChainReport, utc_timestamp
from resolvers.context import HubContext
from resolvers.errors import client_error
from resolvers.permissions import PurposeAllowed

MAX_PAGE = 200


@strawberry.type(name="AuditEvent", description="One hash-chained audit event.")
class AuditEventType:
    seq: int
    at: str
    actor: str
    org: str
    roles: list[str]
    purpose: str
    action: str
    decision: str
    reason: str
    legal_basis: str
    consent_id: str
    subject_ref: str = strawberry.field(description="Pseudonymous subject reference.")
    fields_returned: list[str]
    fields_masked: list[str]
    fields_denied: list[str]
    correlation_id: str
    prev_hash: str
    hash: str

    @classmethod
    def from_event(cls, event: AuditEvent) -> AuditEventType:
        """The GraphQL view of a stored event."""
        return cls(
            seq=event.seq, at=event.at, actor=event.actor, org=event.org,
            roles=list(event.roles), purpose=event.purpose, action=event.action,
            decision=event.decision, reason=event.reason, legal_basis=event.legal_basis,
            consent_id=event.consent_id, subject_ref=event.subject_ref,
            fields_returned=list(event.fields_returned), fields_masked=list(event.fields_masked),
            fields_denied=list(event.fields_denied), correlation_id=event.correlation_id,
            prev_hash=event.prev_hash, hash=event.hash)


@strawberry.type(description="A page of audit events, oldest first.")
class AuditEventPage:
    events: list[AuditEventType]
    next_cursor: int | None = strawberry.field(
        description="Pass as `after` for the next page; null at the end.")


@strawberry.input(description="Exact-match filters; times are ISO-8601.")
class AuditEventFilter:
    actor: str | None = None
    org: str | None = None
    purpose: str | None = None
    decision: str | None = None
    subject_ref: str | None = None
    correlation_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def resolve_audit_events(info: Info[HubContext, None], first: int = 50, after: int = 0,
                               where: AuditEventFilter | None = None) -> AuditEventPage:
    """A page of events with ``seq > after``, up to ``first`` (at most 200)."""
    if not 1 <= first <= MAX_PAGE:
        raise client_error(f"first must be between 1 and {MAX_PAGE}", "BAD_INPUT")
    audit = info.context.audit
    if audit is None:
        raise client_error("the audit log is unavailable", "UNAVAILABLE")
    f = where or AuditEventFilter()
    query = AuditFilter(
        actor=f.actor, org=f.org, purpose=f.purpose, decision=f.decision,
        subject_ref=f.subject_ref, correlation_id=f.correlation_id,
        since=utc_timestamp(f.since) if f.since else None,
        until=utc_timestamp(f.until) if f.until else None)
    events = await run_in_threadpool(audit.page, after=after, limit=first + 1, filters=query)
    more = len(events) > first
    events = events[:first]
    return AuditEventPage(events=[AuditEventType.from_event(e) for e in events],
                          next_cursor=events[-1].seq if more and events else None)


audit_events_field = strawberry.field(
    resolver=resolve_audit_events, permission_classes=[PurposeAllowed],
    description="The audit log (auditors: X-Purpose audit). No personal data.")


@strawberry.type(name="AuditChainBreak", description="The first broken link of the chain.")
class AuditChainBreakType:
    seq: int
    kind: str = strawberry.field(
        description="edited, deleted, reordered, truncated, checkpoint, forged, head, "
                    "anchor or replaced.")
    detail: str


@strawberry.type(description="What `hub audit verify` reports: intact or where it breaks.")
class AuditChainReport:
    ok: bool = strawberry.field(description="No hash, link, MAC, checkpoint, head or "
                                            "anchor check failed.")
    events: int = strawberry.field(description="Events verified (before the break, if any).")
    last_seq: int
    head_hash: str
    checkpoints_verified: int
    legacy_events: int = strawberry.field(
        description="Events accepted without a MAC (written before event MACs).")
    head_authenticated: bool
    anchored_seq: int | None = strawberry.field(
        description="The seq the anchor outside Neo4j vouches for; null without one.")
    broken: AuditChainBreakType | None

    @classmethod
    def from_report(cls, report: ChainReport) -> AuditChainReport:
        """The GraphQL view of a verification report."""
        broken = report.broken
        return cls(
            ok=report.ok, events=report.events, last_seq=report.last_seq,
            head_hash=report.head_hash, checkpoints_verified=report.checkpoints_verified,
            legacy_events=report.legacy_events, head_authenticated=report.head_authenticated,
            anchored_seq=report.anchored_seq,
            broken=AuditChainBreakType(seq=broken.seq, kind=broken.kind, detail=broken.detail)
            if broken is not None else None)


async def resolve_audit_chain(info: Info[HubContext, None]) -> AuditChainReport:
    """Verify the whole chain now (this request's own event is appended after it)."""
    audit = info.context.audit
    if audit is None:
        raise client_error("the audit log is unavailable", "UNAVAILABLE")
    return AuditChainReport.from_report(await run_in_threadpool(audit.verify))


audit_chain_field = strawberry.field(
    resolver=resolve_audit_chain, permission_classes=[PurposeAllowed],
    description="Verify the audit chain (auditors: X-Purpose audit), as `hub audit verify`.")

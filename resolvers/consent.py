"""``recordConsent`` / ``revokeConsent``: purpose-bound, expiring consent, effective at once.

Who may record or revoke is the policy's ``consent_admin`` class (caseworkers, admins);
the subject must lie in the caller's jurisdiction. The consent's own ``purpose`` and
``grantee`` (the organisation it authorises) are arguments; ``recordedBy`` is the caller.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from hub.charity import record_consent, revoke_consent
from hub.privacy_graph.consent import (
    ConsentNotFoundError,
    OutOfJurisdictionError,
    SubjectNotFoundError,
)
from privacy import ConsentRecord, DataSubject, InvalidConsentError, is_in_force
from resolvers.context import HubContext
from resolvers.errors import refuse
from resolvers.permissions import PurposeAllowed


@strawberry.enum(description="Who gave the consent.")
class SubjectKind(Enum):
    PERSON = "person"
    HOUSEHOLD = "household"


@strawberry.type(name="Consent", description="A recorded consent (no personal values).")
class ConsentType:
    consent_id: strawberry.ID
    subject_kind: str
    subject_id: str
    purpose: str
    grantee: str
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    evidence_ref: str
    recorded_by: str
    in_force: bool
    audit_subject: strawberry.Private[DataSubject]

    @classmethod
    def from_record(cls, record: ConsentRecord) -> ConsentType:
        """The GraphQL view of a consent, with its subject for the audit log."""
        return cls(
            consent_id=strawberry.ID(record.consent_id), subject_kind=record.subject_kind,
            subject_id=record.subject_id, purpose=record.purpose, grantee=record.grantee,
            granted_at=record.granted_at, expires_at=record.expires_at,
            revoked_at=record.revoked_at, evidence_ref=record.evidence_ref,
            recorded_by=record.recorded_by, in_force=is_in_force(record, datetime.now(UTC)),
            audit_subject=DataSubject(record.subject_kind, record.subject_id))


@strawberry.input(description="A consent to record.")
class RecordConsentInput:
    subject_kind: SubjectKind
    subject_id: str = strawberry.field(description="person_id or household_id in the hub.")
    purpose: str = strawberry.field(description="verification, charity_matching, …")
    grantee: str = strawberry.field(description="Organisation authorised (e.g. 民政).")
    expires_at: datetime
    evidence_ref: str = strawberry.field(description="Reference of the signed form.")
    granted_at: datetime | None = None
    categories: list[str] | None = strawberry.field(
        default=None, description="charity_matching only: limit to these need categories.")


async def resolve_record_consent(info: Info[HubContext, None],
                                 consent: RecordConsentInput) -> ConsentType:
    """Record a consent given by a person or household (effective immediately)."""
    ctx = info.context
    kind = SubjectKind(consent.subject_kind).value
    subject = DataSubject(kind, consent.subject_id)
    try:
        record = await run_in_threadpool(
            lambda: record_consent(
                ctx.store, subject_kind=kind, subject_id=consent.subject_id,
                purpose=consent.purpose, grantee=consent.grantee, expires_at=consent.expires_at,
                granted_at=consent.granted_at, evidence_ref=consent.evidence_ref,
                recorded_by=ctx.principal.subject, regions=ctx.regions,
                categories=consent.categories))
    except (InvalidConsentError, SubjectNotFoundError, OutOfJurisdictionError) as exc:
        raise refuse(info, exc, subject=subject) from None
    return ConsentType.from_record(record)


async def resolve_revoke_consent(info: Info[HubContext, None],
                                 consent_id: strawberry.ID) -> ConsentType:
    """Revoke a consent now; later requests relying on it are refused."""
    ctx = info.context
    try:
        record = await run_in_threadpool(
            lambda: revoke_consent(ctx.store, str(consent_id), revoked_by=ctx.principal.subject,
                                   regions=ctx.regions))
    except (ConsentNotFoundError, OutOfJurisdictionError) as exc:
        raise refuse(info, exc) from None
    return ConsentType.from_record(record)


record_consent_field = strawberry.mutation(
    resolver=resolve_record_consent, permission_classes=[PurposeAllowed],
    description="Record a purpose-bound, expiring consent (caseworkers).")
revoke_consent_field = strawberry.mutation(
    resolver=resolve_revoke_consent, permission_classes=[PurposeAllowed],
    description="Revoke a consent, effective immediately.")

"""Record, revoke and look up consent in Neo4j; validity itself is ``privacy.consent``.

Nothing is cached: every request asks the graph, so a revocation takes effect on the next
request. A caller outside the subject's jurisdiction can neither record nor revoke.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from graph_schema.queries import consent as q
from hub.errors import HubError
from hub.native import aware
from hub.store import Store
from privacy import (
    ConsentRecord,
    Purpose,
    find_covering,
    validate_new_consent,
)


class ConsentServiceError(HubError):
    """A consent operation was refused; the message is safe to show the caller."""

    code = "BAD_INPUT"


class SubjectNotFoundError(ConsentServiceError):
    """No person or household has the given id."""

    code = "NOT_FOUND"


class OutOfJurisdictionError(ConsentServiceError):
    """The subject lies outside the caller's region codes."""

    code = "FORBIDDEN"


class ConsentNotFoundError(ConsentServiceError):
    """No consent has the given id."""

    code = "NOT_FOUND"


def consent_record(consent: Mapping[str, Any], subject_kind: str,
                   subject_id: str) -> ConsentRecord:
    """A stored ``Consent`` node's properties as a :class:`privacy.ConsentRecord`."""
    granted, expires = aware(consent["granted_at"]), aware(consent["expires_at"])
    assert granted is not None and expires is not None
    return ConsentRecord(
        consent_id=consent["consent_id"], subject_kind=subject_kind, subject_id=subject_id,
        purpose=consent["purpose"], grantee=consent["grantee"], granted_at=granted,
        expires_at=expires, revoked_at=aware(consent.get("revoked_at")),
        evidence_ref=consent.get("evidence_ref", ""),
        recorded_by=consent.get("recorded_by", ""))


def _record(row: Mapping[str, Any]) -> ConsentRecord:
    return consent_record(row["c"], row["subject_kind"], row["subject_id"])


def check_jurisdiction(store: Store, subject_kind: str, subject_id: str,
                       regions: list[str] | None) -> None:
    """Raise unless the subject exists and lies within ``regions`` (``None``: anywhere).

    Raises:
        SubjectNotFoundError: no such person/household.
        OutOfJurisdictionError: it lies outside ``regions``.
    """
    query = q.PERSON_IN_JURISDICTION if subject_kind == "person" else q.HOUSEHOLD_IN_JURISDICTION
    rows = store.read(query, subject_id=subject_id, regions=regions)
    if not rows:
        raise SubjectNotFoundError(f"no {subject_kind} with that id")
    if not rows[0]["allowed"]:
        raise OutOfJurisdictionError(f"the {subject_kind} is outside your jurisdiction")


def new_consent(*, subject_kind: str, subject_id: str, purpose: str, grantee: str,
                expires_at: datetime, evidence_ref: str, recorded_by: str, now: datetime,
                granted_at: datetime | None = None) -> ConsentRecord:
    """A validated consent, not stored yet: the first half of :func:`record_consent`, apart
    so ``hub.charity`` can check its need categories between validating and storing.

    Raises:
        privacy.InvalidConsentError: malformed (field named, value never echoed).
    """
    draft = ConsentRecord(
        consent_id="c-" + uuid.uuid4().hex, subject_kind=subject_kind, subject_id=subject_id,
        purpose=purpose, grantee=grantee, granted_at=granted_at or now,
        expires_at=expires_at, evidence_ref=evidence_ref, recorded_by=recorded_by)
    validate_new_consent(draft, now)
    return draft


def store_consent(store: Store, draft: ConsentRecord, *, regions: list[str] | None,
                  recorded_at: datetime, categories: Sequence[str] = ()) -> ConsentRecord:
    """Store a consent made by :func:`new_consent` if its subject is within ``regions``.

    ``categories`` (already checked by ``hub.charity``) limits a charity-matching consent
    to these need categories; without any the consent covers every category.

    Raises:
        SubjectNotFoundError / OutOfJurisdictionError: see :func:`check_jurisdiction`.
    """
    subject_kind, subject_id = draft.subject_kind, draft.subject_id
    check_jurisdiction(store, subject_kind, subject_id, regions)
    props = {"consent_id": draft.consent_id, "purpose": draft.purpose,
             "grantee": draft.grantee, "granted_at": draft.granted_at,
             "expires_at": draft.expires_at, "evidence_ref": draft.evidence_ref,
             "recorded_by": draft.recorded_by, "recorded_at": recorded_at}
    if categories:
        props["categories"] = list(categories)
    query = q.CREATE_PERSON_CONSENT if subject_kind == "person" else q.CREATE_HOUSEHOLD_CONSENT
    rows = store.write(query, subject_id=subject_id, props=props)
    if not rows:
        raise SubjectNotFoundError(f"no {subject_kind} with that id")
    return _record(rows[0])


def record_consent(store: Store, *, subject_kind: str, subject_id: str, purpose: str,
                   grantee: str, expires_at: datetime, evidence_ref: str, recorded_by: str,
                   regions: list[str] | None, granted_at: datetime | None = None,
                   now: datetime | None = None) -> ConsentRecord:
    """Validate and store a consent given by a person or household.

    A charity-matching consent limited to need categories is recorded by
    ``hub.charity.record_consent``, which owns that vocabulary.

    Raises:
        privacy.InvalidConsentError: malformed (field named, value never echoed).
        SubjectNotFoundError / OutOfJurisdictionError: see :func:`check_jurisdiction`.
    """
    moment = now or datetime.now(UTC)
    draft = new_consent(subject_kind=subject_kind, subject_id=subject_id, purpose=purpose,
                        grantee=grantee, expires_at=expires_at, evidence_ref=evidence_ref,
                        recorded_by=recorded_by, granted_at=granted_at, now=moment)
    return store_consent(store, draft, regions=regions, recorded_at=moment)


def get_consent(store: Store, consent_id: str) -> ConsentRecord | None:
    """The consent with this id, or ``None``."""
    rows = store.read(q.CONSENT_BY_ID, consent_id=consent_id)
    return _record(rows[0]) if rows else None


def revoke_consent(store: Store, consent_id: str, *, revoked_by: str,
                   regions: list[str] | None, now: datetime | None = None) -> ConsentRecord:
    """Revoke a consent now (idempotent: a second revocation keeps the first time).

    The charity referrals pending under it are withdrawn by ``hub.charity.revoke_consent``,
    which calls this (the API revokes through it).

    Raises:
        ConsentNotFoundError: no such consent.
        OutOfJurisdictionError: its subject lies outside ``regions``.
    """
    existing = get_consent(store, consent_id)
    if existing is None:
        raise ConsentNotFoundError("no consent with that id")
    check_jurisdiction(store, existing.subject_kind, existing.subject_id, regions)
    moment = now or datetime.now(UTC)
    rows = store.write(q.REVOKE_CONSENT, consent_id=consent_id, at=moment, by=revoked_by)
    return _record(rows[0])


def consents_for(store: Store, *, subject_kind: str, subject_id: str, purpose: Purpose | str,
                 grantee: str, include_household: bool = True) -> list[ConsentRecord]:
    """Every consent (in force or not) for this subject, purpose and grantee.

    A person's list includes the consents of the households they currently belong to when
    ``include_household`` is set (a household's authorisation covers its members).
    """
    if subject_kind == "household":
        query = q.HOUSEHOLD_CONSENTS
    else:
        query = q.PERSON_CONSENTS if include_household else q.PERSON_OWN_CONSENTS
    rows = store.read(query, subject_id=subject_id, purpose=str(purpose), grantee=grantee)
    return [_record(row) for row in rows]


def find_active_consent(store: Store, *, subject_kind: str, subject_id: str,
                        purpose: Purpose | str, grantee: str, at: datetime | None = None,
                        include_household: bool = True) -> ConsentRecord:
    """The consent in force now for this subject, purpose and grantee.

    Raises:
        privacy.ConsentDeniedError: none; ``reason`` is missing, expired or revoked.
    """
    found = consents_for(store, subject_kind=subject_kind, subject_id=subject_id,
                         purpose=purpose, grantee=grantee, include_household=include_household)
    return find_covering(found, purpose, grantee, at or datetime.now(UTC))

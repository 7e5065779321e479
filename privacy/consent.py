"""Consent validity: is a recorded consent in force for this purpose, grantee and moment?

Pure logic over :class:`ConsentRecord` values; the hub stores them as ``(:Consent)`` nodes
``-[:GIVEN_BY]->`` a ``Person`` or ``Household`` and asks these functions at every request,
so a revocation takes effect immediately. Anything doubtful counts as *no consent*
(fail closed): an unknown purpose, a naive timestamp, an expiry before the grant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from privacy.errors import PrivacyError
from privacy.policy import Purpose
from privacy.scan import find_identifiers

SUBJECT_KINDS = ("person", "household")
MAX_CONSENT_DURATION = timedelta(days=3 * 366)
"""Longest validity accepted for a new consent (re-verification cycles are 6–12 months)."""

_EVIDENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/#\-]{0,127}$")


class InvalidConsentError(PrivacyError, ValueError):
    """A consent to be recorded is malformed; the message names the field, never a value."""

    code = "BAD_INPUT"


class ConsentDeniedError(PrivacyError):
    """No consent in force covers the request (missing, expired, revoked, other grantee).

    Attributes:
        reason: ``consent_missing``, ``consent_expired`` or ``consent_revoked`` (for audit).
    """

    code = "CONSENT_REQUIRED"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"no consent in force for this purpose and grantee ({reason})")


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One recorded consent (timestamps timezone-aware)."""

    consent_id: str
    subject_kind: str  # "person" or "household"
    subject_id: str
    purpose: str
    grantee: str
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    evidence_ref: str = ""
    recorded_by: str = ""


def is_in_force(consent: ConsentRecord, at: datetime) -> bool:
    """True when ``at`` lies in ``[granted_at, expires_at)`` and the consent is not revoked.

    A revocation at or before ``at`` ends it; naive timestamps never count.
    """
    if any(t is not None and t.tzinfo is None
           for t in (at, consent.granted_at, consent.expires_at, consent.revoked_at)):
        return False
    if consent.revoked_at is not None and consent.revoked_at <= at:
        return False
    return consent.granted_at <= at < consent.expires_at


def covers(consent: ConsentRecord, purpose: Purpose | str, grantee: str, at: datetime) -> bool:
    """True when ``consent`` is in force at ``at`` for exactly this purpose and grantee."""
    return (consent.purpose == str(purpose) and consent.grantee == grantee
            and is_in_force(consent, at))


def find_covering(consents: Iterable[ConsentRecord], purpose: Purpose | str, grantee: str,
                  at: datetime) -> ConsentRecord:
    """Return the consent in force that expires last, or raise with the best reason.

    Raises:
        ConsentDeniedError: none covers; ``reason`` says whether matching ones were only
            revoked, only expired (or not yet valid), or absent.
    """
    matching = [c for c in consents if c.purpose == str(purpose) and c.grantee == grantee]
    valid = [c for c in matching if is_in_force(c, at)]
    if valid:
        return max(valid, key=lambda c: c.expires_at)
    if any(c.revoked_at is not None and c.revoked_at <= at for c in matching):
        raise ConsentDeniedError("consent_revoked")
    if matching:
        raise ConsentDeniedError("consent_expired")
    raise ConsentDeniedError("consent_missing")


def validate_new_consent(consent: ConsentRecord, now: datetime) -> None:
    """Check a consent before it is recorded.

    Raises:
        InvalidConsentError: unknown subject kind or purpose, empty grantee, naive or
            inverted timestamps, a validity longer than :data:`MAX_CONSENT_DURATION`, an
            expiry in the past, or an evidence reference that is not a plain document
            reference (it must not carry an ID number or phone).
    """
    problems: list[str] = []
    if consent.subject_kind not in SUBJECT_KINDS:
        problems.append(f"subject kind must be one of {', '.join(SUBJECT_KINDS)}")
    if consent.purpose not in {p.value for p in Purpose}:
        problems.append("purpose is not a known purpose")
    if not consent.grantee.strip() or len(consent.grantee) > 64:
        problems.append("grantee must be an organisation code of 1-64 characters")
    if not consent.subject_id.strip():
        problems.append("subject id is empty")
    if consent.granted_at.tzinfo is None or consent.expires_at.tzinfo is None:
        problems.append("timestamps must carry a time zone")
    elif consent.expires_at <= consent.granted_at:
        problems.append("expires_at must be after granted_at")
    elif consent.expires_at - consent.granted_at > MAX_CONSENT_DURATION:
        problems.append("validity is longer than the maximum of three years")
    elif consent.expires_at <= now:
        problems.append("expires_at is already past")
    if not _EVIDENCE.match(consent.evidence_ref) or find_identifiers(consent.evidence_ref):
        problems.append("evidence_ref must be a document reference (letters, digits, ._:/#-)")
    if problems:
        raise InvalidConsentError("; ".join(problems))

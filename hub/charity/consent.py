"""Consent as charity matching needs it: need categories on record, referrals on revoke.

The graph side of consent (``hub.privacy_graph.consent``) knows nothing of charity; the two
rules that tie consent to it live here, beside the vocabulary and the referrals they use:
a charity-matching consent may be limited to some need categories, and revoking a consent
withdraws the referrals still pending under it at the same moment. The API records and
revokes consent through these, so its path to charity is this package's entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from hub.charity.categories import UnknownCategoryError, check_categories
from hub.charity.referrals import withdraw_for_consent
from hub.privacy_graph import consent
from hub.store import Store
from privacy import ConsentRecord, InvalidConsentError, Purpose


def record_consent(store: Store, *, subject_kind: str, subject_id: str, purpose: str,
                   grantee: str, expires_at: datetime, evidence_ref: str, recorded_by: str,
                   regions: list[str] | None, granted_at: datetime | None = None,
                   now: datetime | None = None,
                   categories: Sequence[str] | None = None) -> ConsentRecord:
    """Validate and store a consent given by a person or household.

    ``categories`` limits a charity-matching consent to these need categories
    (:mod:`hub.charity.categories`); without it the consent covers every category.

    Raises:
        privacy.InvalidConsentError: malformed (field named, value never echoed), or
            categories unknown or given for another purpose.
        SubjectNotFoundError / OutOfJurisdictionError: from ``hub.privacy_graph.consent``.
    """
    moment = now or datetime.now(UTC)
    draft = consent.new_consent(
        subject_kind=subject_kind, subject_id=subject_id, purpose=purpose, grantee=grantee,
        expires_at=expires_at, evidence_ref=evidence_ref, recorded_by=recorded_by,
        granted_at=granted_at, now=moment)
    limited = consent_categories(purpose, categories)
    return consent.store_consent(store, draft, regions=regions, recorded_at=moment,
                                 categories=limited)


def revoke_consent(store: Store, consent_id: str, *, revoked_by: str,
                   regions: list[str] | None, now: datetime | None = None) -> ConsentRecord:
    """Revoke a consent now and withdraw the charity referrals pending under it.

    Raises:
        ConsentNotFoundError / OutOfJurisdictionError: from ``hub.privacy_graph.consent``.
    """
    moment = now or datetime.now(UTC)
    revoked = consent.revoke_consent(store, consent_id, revoked_by=revoked_by,
                                     regions=regions, now=moment)
    withdraw_for_consent(store, consent_id, at=moment)  # pending charity referrals end now
    return revoked


def consent_categories(purpose: str, categories: Sequence[str] | None) -> list[str]:
    """The need categories a charity-matching consent is limited to (validated).

    Raises:
        privacy.InvalidConsentError: categories for another purpose, or unknown ones.
    """
    if not categories:
        return []
    if purpose != Purpose.CHARITY_MATCHING:
        raise InvalidConsentError("categories apply to charity_matching consents only")
    try:
        return check_categories(categories)
    except UnknownCategoryError as exc:
        raise InvalidConsentError(str(exc)) from None

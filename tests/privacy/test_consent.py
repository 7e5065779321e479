"""Consent validity: in force for purpose, grantee and moment; fail closed otherwise."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from privacy import (
    ConsentDeniedError,
    ConsentRecord,
    InvalidConsentError,
    covers,
    find_covering,
    is_in_force,
    validate_new_consent,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
BASE = ConsentRecord(consent_id="c-1", subject_kind="household", subject_id="HH-1",
                     purpose="verification", grantee="民政", granted_at=T0,
                     expires_at=T0 + timedelta(days=180), evidence_ref="FORM-1",
                     recorded_by="staff-001")


def test_in_force_between_grant_and_expiry_until_revoked() -> None:
    assert is_in_force(BASE, T0)
    assert not is_in_force(BASE, T0 - timedelta(seconds=1))
    assert not is_in_force(BASE, BASE.expires_at)
    revoked = replace(BASE, revoked_at=T0 + timedelta(days=10))
    assert is_in_force(revoked, T0 + timedelta(days=9))
    assert not is_in_force(revoked, T0 + timedelta(days=10))


def test_naive_timestamps_never_count() -> None:
    assert not is_in_force(BASE, T0.replace(tzinfo=None))
    assert not is_in_force(replace(BASE, granted_at=T0.replace(tzinfo=None)), T0)


def test_covers_needs_the_same_purpose_and_grantee() -> None:
    at = T0 + timedelta(days=1)
    assert covers(BASE, "verification", "民政", at)
    assert not covers(BASE, "charity_matching", "民政", at)
    assert not covers(BASE, "verification", "医保", at)


def test_find_covering_names_the_reason() -> None:
    at = T0 + timedelta(days=1)
    later = replace(BASE, consent_id="c-2", expires_at=T0 + timedelta(days=300))
    assert find_covering([BASE, later], "verification", "民政", at).consent_id == "c-2"
    cases = [
        ([], "consent_missing"),
        ([replace(BASE, grantee="医保")], "consent_missing"),
        ([BASE], "consent_expired", ),
        ([replace(BASE, revoked_at=at)], "consent_revoked"),
    ]
    for consents, reason in cases:
        moment = BASE.expires_at + timedelta(days=1) if reason == "consent_expired" else at
        with pytest.raises(ConsentDeniedError) as caught:
            find_covering(consents, "verification", "民政", moment)
        assert caught.value.reason == reason


def test_validate_new_consent() -> None:
    validate_new_consent(BASE, T0)
    bad = [
        replace(BASE, subject_kind="pet"),
        replace(BASE, purpose="marketing"),
        replace(BASE, grantee=" "),
        replace(BASE, expires_at=T0),
        replace(BASE, expires_at=T0 + timedelta(days=4 * 365)),
        replace(BASE, expires_at=T0.replace(tzinfo=None)),
        replace(BASE, evidence_ref="scan of 659001198001011230"),
        replace(BASE, evidence_ref="659001198001011230"),
    ]
    for consent in bad:
        with pytest.raises(InvalidConsentError) as caught:
            validate_new_consent(consent, T0)
        assert "659001198001011230" not in str(caught.value)
    with pytest.raises(InvalidConsentError, match="already past"):
        validate_new_consent(BASE, BASE.expires_at + timedelta(days=1))

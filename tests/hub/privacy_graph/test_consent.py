"""Consent in Neo4j: record, revoke (effective at once), expiry, households, jurisdiction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.privacy_graph.consent import (
    ConsentNotFoundError,
    OutOfJurisdictionError,
    SubjectNotFoundError,
    find_active_consent,
    get_consent,
    record_consent,
    revoke_consent,
)
from hub.store import Store
from privacy import ConsentDeniedError, InvalidConsentError

pytestmark = pytest.mark.neo4j
NOW = datetime.now(UTC)


@pytest.fixture
def graph(clean_store: Store) -> Store:
    clean_store.write("""
        CREATE (h:Household {household_id: 'HH-1', region_code: '659001'})
        CREATE (p:Person {person_id: 'P-1', region_code: '659001'})
        CREATE (p)-[:MEMBER_OF {status: '正常'}]->(h)
        CREATE (:Person {person_id: 'P-2', region_code: '533401'})
    """)
    return clean_store


def _record(store: Store, **changes: object):
    values: dict[str, object] = dict(
        subject_kind="household", subject_id="HH-1", purpose="verification", grantee="民政",
        expires_at=NOW + timedelta(days=90), evidence_ref="FORM-2024-1",
        recorded_by="staff-001", regions=["659001"])
    values.update(changes)
    return record_consent(store, **values)


def test_household_authorisation_covers_its_members(graph: Store) -> None:
    consent = _record(graph)
    assert get_consent(graph, consent.consent_id) == consent
    found = find_active_consent(graph, subject_kind="person", subject_id="P-1",
                                purpose="verification", grantee="民政")
    assert found.consent_id == consent.consent_id
    with pytest.raises(ConsentDeniedError) as other_grantee:
        find_active_consent(graph, subject_kind="household", subject_id="HH-1",
                            purpose="verification", grantee="医保")
    assert other_grantee.value.reason == "consent_missing"
    with pytest.raises(ConsentDeniedError):
        find_active_consent(graph, subject_kind="person", subject_id="P-1",
                            purpose="verification", grantee="民政", include_household=False)


def test_revocation_takes_effect_immediately_and_is_idempotent(graph: Store) -> None:
    consent = _record(graph)
    revoked = revoke_consent(graph, consent.consent_id, revoked_by="staff-002",
                             regions=["659001"])
    assert revoked.revoked_at is not None
    with pytest.raises(ConsentDeniedError) as caught:
        find_active_consent(graph, subject_kind="household", subject_id="HH-1",
                            purpose="verification", grantee="民政")
    assert caught.value.reason == "consent_revoked"
    again = revoke_consent(graph, consent.consent_id, revoked_by="staff-003", regions=None)
    assert again.revoked_at == revoked.revoked_at
    with pytest.raises(ConsentNotFoundError):
        revoke_consent(graph, "c-none", revoked_by="staff-002", regions=None)


def test_expired_consent_does_not_count(graph: Store) -> None:
    _record(graph, subject_kind="person", subject_id="P-1", purpose="charity_matching",
            grantee="charity-42", granted_at=NOW - timedelta(days=30),
            expires_at=NOW + timedelta(seconds=1), now=NOW - timedelta(days=30))
    with pytest.raises(ConsentDeniedError) as caught:
        find_active_consent(graph, subject_kind="person", subject_id="P-1",
                            purpose="charity_matching", grantee="charity-42",
                            at=NOW + timedelta(days=1), include_household=False)
    assert caught.value.reason == "consent_expired"


def test_jurisdiction_and_unknown_subjects(graph: Store) -> None:
    with pytest.raises(OutOfJurisdictionError):
        _record(graph, subject_kind="person", subject_id="P-2")
    _record(graph, subject_kind="person", subject_id="P-2", regions=None)  # national admin
    with pytest.raises(SubjectNotFoundError):
        _record(graph, subject_id="HH-404")
    consent = _record(graph)
    with pytest.raises(OutOfJurisdictionError):
        revoke_consent(graph, consent.consent_id, revoked_by="x", regions=["410502"])
    with pytest.raises(InvalidConsentError):
        _record(graph, purpose="marketing")
    count = graph.read("MATCH (c:Consent) RETURN count(c) AS n")[0]["n"]
    assert count == 2

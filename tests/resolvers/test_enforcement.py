"""Field policy, consent and audit through a schema of personal types, on the real Neo4j."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.api.access import AccessGuard
from hub.auth import Principal
from hub.errors import StoreError
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.consent import record_consent, revoke_consent
from hub.store import Store
from privacy import AuditEvent, Purpose
from resolvers.context import HubContext
from tests.resolvers.enforcement_schema import personal_schema

pytestmark = pytest.mark.neo4j
KEY = b"enforcement-test-key-0123456789!"
ID_NUMBER = "659001198001011230"
NOW = datetime.now(UTC)


@pytest.fixture
def graph(clean_store: Store) -> Store:
    clean_store.write("""
        CREATE (h:Household {household_id: 'HH-1', region_code: '659001'})
        CREATE (:Person {person_id: 'P-1', region_code: '659001'})-[:MEMBER_OF]->(h)""")
    return clean_store


@pytest.fixture
def log(graph: Store) -> AuditLog:
    return AuditLog(graph, KEY)


def _run(store: Store, log: AuditLog, query: str, role: str, purpose: str, *,
         org: str = "民政", regions: tuple[str, ...] = ("659001",)) -> Any:
    principal = Principal("staff-001", org, (role,), regions)
    guard = AccessGuard(principal=principal, purpose=Purpose(purpose),
                        correlation_id="corr-enforce", store=store, audit=log)
    context = HubContext(request=None, store=store, access=guard, audit=log)
    return asyncio.run(personal_schema.execute(query, context_value=context))


def _consent(store: Store, **changes: Any) -> str:
    values: dict[str, Any] = dict(
        subject_kind="household", subject_id="HH-1", purpose="verification", grantee="民政",
        expires_at=NOW + timedelta(days=90), evidence_ref="FORM-1", recorded_by="staff-009",
        regions=None)
    values.update(changes)
    return record_consent(store, **values).consent_id


def _events(log: AuditLog) -> list[AuditEvent]:
    return list(log.events())


def _no_personal_values(events: list[AuditEvent]) -> None:
    text = repr(events)
    for value in (ID_NUMBER, "阿依古丽", "P-1", "HH-1", "青湖路"):
        assert value not in text


HOUSEHOLD = "{ household(householdId: \"HH-1\") { householdId members { name idNumber } } }"


def test_verification_with_household_authorisation(graph: Store, log: AuditLog) -> None:
    consent_id = _consent(graph)
    result = _run(graph, log, HOUSEHOLD, "verifier", "verification")
    assert result.errors is None
    member = result.data["household"]["members"][0]
    assert member == {"name": "阿依古丽·买买提", "idNumber": "6590**********1230"}
    events = _events(log)
    assert {e.consent_id for e in events} == {consent_id}
    person = next(e for e in events if "Person.idNumber" in e.fields_masked)
    assert person.fields_returned == ("Person.name",) and person.decision == "mask"
    assert person.subject_ref.startswith("sr1:") and person.legal_basis
    assert all(e.action == "query.household" and e.correlation_id == "corr-enforce"
               for e in events)
    assert log.verify().ok
    _no_personal_values(events)


@pytest.mark.parametrize("state", ["missing", "expired", "revoked"])
def test_verification_without_consent_in_force_is_denied_and_audited(
        graph: Store, log: AuditLog, state: str) -> None:
    if state == "expired":
        _consent(graph, granted_at=NOW - timedelta(days=30), expires_at=NOW - timedelta(days=1),
                 now=NOW - timedelta(days=30))
    if state == "revoked":
        revoke_consent(graph, _consent(graph), revoked_by="staff-009", regions=None)
    result = _run(graph, log, HOUSEHOLD, "verifier", "verification")
    assert result.data is None
    assert result.errors[0].extensions["code"] == "CONSENT_REQUIRED"
    [event] = _events(log)
    assert (event.decision, event.reason) == ("deny", f"consent_{state}")
    assert event.subject_ref == log.subject_ref("household", "HH-1")
    _no_personal_values([event])


def test_another_grantees_consent_does_not_count(graph: Store, log: AuditLog) -> None:
    _consent(graph, grantee="医保")
    result = _run(graph, log, HOUSEHOLD, "verifier", "verification")
    assert result.errors[0].extensions["code"] == "CONSENT_REQUIRED"


def test_charity_sees_no_name_or_key_even_with_the_recipients_consent(
        graph: Store, log: AuditLog) -> None:
    # the charity row (reviewed for issue 9): no hub keys, no identifiers and no names, not
    # even masked ones; names and phones only in the contact of an accepted referral
    query = '{ person(personId: "P-1") { personId name idNumber } }'
    refused = _run(graph, log, query, "charity", "charity_matching", org="charity-42")
    assert refused.data is None or refused.data["person"] is None
    assert {e.extensions["code"] for e in refused.errors} == {"FORBIDDEN"}
    _consent(graph, subject_kind="person", subject_id="P-1", purpose="charity_matching",
             grantee="charity-42")
    allowed = _run(graph, log, query, "charity", "charity_matching", org="charity-42")
    person = (allowed.data or {}).get("person") or {}
    assert all(value is None for value in person.values())
    assert {e.extensions["code"] for e in allowed.errors} == {"FORBIDDEN"}
    assert "阿" not in repr(allowed.data) and "阿" not in repr(allowed.errors)
    last = [e for e in _events(log) if e.action == "query.person"][-1]
    assert last.decision == "deny" and not last.fields_returned and not last.fields_masked


def test_a_resolver_that_forgets_consent_still_fails_closed(graph: Store, log: AuditLog) -> None:
    _consent(graph)
    result = _run(graph, log, '{ aidChain(personId: "P-1") { programme amount } }',
                  "verifier", "verification")
    assert result.data is None  # non-null fields denied: the whole answer is withheld
    assert {e.extensions["reason"] for e in result.errors} == {"consent_missing"}
    assert all(e.extensions["code"] == "FORBIDDEN" for e in result.errors)
    assert {e.reason for e in _events(log)} == {"consent_missing"}


def test_overlap_check_shows_programmes_and_only_own_amounts(graph: Store, log: AuditLog) -> None:
    result = _run(graph, log, '{ aidChain(personId: "P-1") { programme department amount } }',
                  "department", "overlap_check", org="医保")
    rows = result.data["aidChain"]
    assert [r["programme"] for r in rows] == ["低保", "医疗救助"]
    assert [r["amount"] for r in rows] == [None, 3000.0]
    assert [e.extensions["reason"] for e in result.errors] == ["not_owner"]


def test_rows_outside_the_jurisdiction_are_denied(graph: Store, log: AuditLog) -> None:
    result = _run(graph, log, '{ person(personId: "P-1") { name } }', "caseworker",
                  "aid_administration", regions=("410502",))
    assert result.errors[0].extensions["reason"] == "out_of_jurisdiction"
    assert _events(log)[0].reason == "out_of_jurisdiction"


def test_unexpected_errors_are_masked_and_logged_without_identifiers(
        graph: Store, log: AuditLog, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        result = _run(graph, log, '{ person(personId: "boom") { name } }', "caseworker",
                      "aid_administration")
    [error] = result.errors
    assert error.message.startswith("internal error")
    assert error.extensions == {"correlationId": "corr-enforce", "code": "INTERNAL"}
    assert "RuntimeError" in caplog.text and "corr-enforce" in caplog.text
    assert ID_NUMBER not in caplog.text and "6590**********1230" in caplog.text


class _FailingAuditLog(AuditLog):
    def _commit(self, events: Any) -> list[AuditEvent]:  # the group's transaction fails
        raise StoreError("Neo.TransientError.General.DatabaseUnavailable")


def test_no_data_is_released_when_the_audit_log_cannot_be_written(graph: Store) -> None:
    failing = _FailingAuditLog(graph, KEY)
    result = _run(graph, failing, '{ person(personId: "P-1") { name } }', "caseworker",
                  "aid_administration")
    assert result.data is None
    assert result.errors[0].extensions["code"] == "AUDIT_UNAVAILABLE"

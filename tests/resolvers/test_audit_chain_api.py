"""``auditChain`` over real HTTP: the report of ``hub audit verify`` for the audit
administrator only, itself audited, and a break named where it is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.store import Store
from privacy import AuditEvent
from tests.api_helpers import api_settings, gql, token
from tests.audit_helpers import forget_a_reset_logs_anchor

pytestmark = pytest.mark.neo4j
CHAIN = """{ auditChain { ok events lastSeq headHash checkpointsVerified legacyEvents
                          headAuthenticated anchoredSeq broken { seq kind detail } } }"""
AUDITOR = token("auditor", org="审计", subject="auditor-001", regions=())


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    forget_a_reset_logs_anchor(linked_sample, api_settings(settings))
    with TestClient(create_app(api_settings(settings), store=linked_sample)) as opened:
        yield opened


def _events(store: Store, settings: Settings, correlation_id: str) -> list[AuditEvent]:
    log = AuditLog.open(store, api_settings(settings))
    return [e for e in log.events() if e.correlation_id == correlation_id]


def test_the_auditor_reads_the_report_hub_audit_verify_computes(
        client: TestClient, linked_sample: Store, settings: Settings) -> None:
    gql(client, "{ me { subject } auditEvents(first: 1) { events { seq } } }", bearer=AUDITOR,
        purpose="audit")  # at least one event in the log
    response = gql(client, CHAIN, bearer=AUDITOR, purpose="audit")
    body = response.json()
    assert "errors" not in body, body
    report = body["data"]["auditChain"]
    direct = AuditLog.open(linked_sample, api_settings(settings)).verify()
    # the request's own event was appended after its verification: one more now
    assert direct.ok and report["ok"] and report["broken"] is None
    assert report["events"] == direct.events - 1 and report["lastSeq"] == direct.last_seq - 1
    assert report["checkpointsVerified"] <= direct.checkpoints_verified
    assert report["legacyEvents"] == direct.legacy_events
    assert report["headAuthenticated"] and report["anchoredSeq"] == report["lastSeq"]
    seq_hash = linked_sample.read("MATCH (e:AuditEvent {seq: $s}) RETURN e.hash AS h",
                                  s=report["lastSeq"])[0]["h"]
    assert report["headHash"] == seq_hash
    [event] = _events(linked_sample, settings, response.headers["x-correlation-id"])
    assert (event.action, event.decision, event.actor) == (
        "query.auditChain", "allow", "auditor-001")
    assert event.seq == report["lastSeq"] + 1


@pytest.mark.parametrize(("role", "purpose"), [
    ("caseworker", "aid_administration"), ("sysadmin", "audit"), ("security_admin", "audit"),
    ("verifier", "verification")])
def test_other_roles_are_refused_and_the_refusal_is_audited(
        client: TestClient, linked_sample: Store, settings: Settings, role: str,
        purpose: str) -> None:
    regions = () if purpose == "audit" else ("659001",)
    response = gql(client, CHAIN, bearer=token(role, regions=regions), purpose=purpose)
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    events = _events(linked_sample, settings, response.headers["x-correlation-id"])
    assert [(e.action, e.decision) for e in events] == [("query.auditChain", "deny")]


def test_an_edited_event_is_reported_where_the_chain_breaks(
        client: TestClient, linked_sample: Store) -> None:
    gql(client, "{ auditEvents(first: 1) { events { seq } } }", bearer=AUDITOR,
        purpose="audit")
    seq, reason = (lambda r: (r["seq"], r["reason"]))(linked_sample.read(
        "MATCH (e:AuditEvent) RETURN e.seq AS seq, e.reason AS reason "
        "ORDER BY e.seq DESC LIMIT 1")[0])
    edit = "MATCH (e:AuditEvent {seq: $seq}) SET e.reason = $reason"
    linked_sample.write(edit, seq=seq, reason="edited-by-test")
    try:
        report = gql(client, CHAIN, bearer=AUDITOR, purpose="audit").json()
    finally:
        linked_sample.write(edit, seq=seq, reason=reason)
    chain = report.get("data", {}) and report["data"]["auditChain"]
    assert chain and chain["ok"] is False, report
    assert chain["broken"]["seq"] == seq and chain["broken"]["kind"] == "edited"
    assert chain["events"] == seq - 1
    after = gql(client, CHAIN, bearer=AUDITOR, purpose="audit").json()["data"]["auditChain"]
    assert after["ok"] and after["broken"] is None

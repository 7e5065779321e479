"""Security review, issue 13: roles never pooled (1), refusals audited as refusals (4),
separation of duties and audited security operations (11) — over HTTP on the real Neo4j."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from hub.app import create_app
from hub.cli import app as cli
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.store import Store, connection_details
from privacy import AuditEvent
from tests.api_helpers import TEST_JWT_SECRET, api_settings, gql, token
from tests.conftest import test_environ

pytestmark = pytest.mark.neo4j

HOME = "360222"  # the token's region
FAR = "533401"  # the data subject's region
PERSON = "query($p: ID!) { person(personId: $p) { personId name idNumber address } }"
HOUSEHOLD = "query($h: String!) { household(householdId: $h) { householdId address } }"
AID_CHAIN = "query($p: ID!) { aidChain(personId: $p) { programme amount } }"
SOURCES = "query($p: ID!) { sourceRecords(personId: $p) { recordId } }"
ALERTS = '{ monitoringAlerts(region: "533401", first: 20) { alerts { alertId } } }'


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings), store=linked_sample)) as opened:
        yield opened


@pytest.fixture
def far_person(linked_sample: Store) -> dict[str, Any]:
    """A person of 533401 in a household, with aid (so every root field has data)."""
    return linked_sample.read("""
        MATCH (a:AidRecord)-[:GRANTED_TO]->(p:Person {region_code: $far})
        WHERE p.household_id IS NOT NULL
        RETURN p.person_id AS person_id, p.household_id AS household_id
        ORDER BY p.person_id LIMIT 1""", far=FAR)[0]


def _events(store: Store, settings: Settings, correlation_id: str) -> list[AuditEvent]:
    log = AuditLog.open(store, api_settings(settings))
    return [e for e in log.events() if e.correlation_id == correlation_id]


def _signed(roles: list[str], regions: list[str]) -> str:
    """A validly signed token with any roles (what an identity provider might send)."""
    now = datetime.now(UTC)
    return jwt.encode({"sub": "staff-x", "org": "民政", "roles": roles, "regions": regions,
                       "aud": "hub", "iat": now, "exp": now + timedelta(hours=1)},
                      TEST_JWT_SECRET, algorithm="HS256")


# -- 1: a token with two roles escapes its regions -------------------------------------------

@pytest.mark.parametrize("other", ["auditor", "sysadmin", "security_admin"])
def test_an_operating_role_beside_a_data_role_is_refused_and_audited(
        client: TestClient, linked_sample: Store, settings: Settings,
        far_person: dict[str, Any], other: str) -> None:
    response = gql(client, PERSON, bearer=_signed(["caseworker", other], [HOME]),
                   variables={"p": far_person["person_id"]})
    assert response.status_code == 401
    body = response.json()
    assert "data" not in body and "held separately" in body["errors"][0]["message"]
    [event] = _events(linked_sample, settings, response.headers["x-correlation-id"])
    assert (event.decision, event.actor) == ("deny", "")
    assert event.reason.startswith("unauthenticated: roles must be held separately")


def test_the_cli_refuses_to_issue_a_mixed_operating_token() -> None:
    result = CliRunner().invoke(cli, ["token", "issue", "--org", "民政", "--role",
                                      "caseworker", "--role", "auditor", "--region", HOME],
                                env=test_environ())
    assert result.exit_code == 1
    assert "held separately" in result.output


@pytest.mark.parametrize("roles", [("caseworker", "verifier"), ("caseworker", "department"),
                                   ("caseworker", "admin")])  # "admin" is no role any more
def test_two_roles_stay_inside_their_regions(
        client: TestClient, linked_sample: Store, settings: Settings,
        far_person: dict[str, Any], roles: tuple[str, ...]) -> None:
    bearer = _signed(list(roles), [HOME])
    asks = {
        "person": (PERSON, {"p": far_person["person_id"]}, None),
        "household": (HOUSEHOLD, {"h": far_person["household_id"]}, None),
        "aidChain": (AID_CHAIN, {"p": far_person["person_id"]}, []),
        "sourceRecords": (SOURCES, {"p": far_person["person_id"]}, []),
    }
    for field, (query, variables, empty) in asks.items():
        response = gql(client, query, bearer=bearer, variables=variables)
        assert response.json() == {"data": {field: empty}}, (roles, field)
        events = _events(linked_sample, settings, response.headers["x-correlation-id"])
        assert [(e.decision, e.reason) for e in events] == [("deny", "out_of_jurisdiction")]
    alerts = gql(client, ALERTS, bearer=bearer, purpose="monitoring")
    assert alerts.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    [event] = _events(linked_sample, settings, alerts.headers["x-correlation-id"])
    assert event.decision == "deny"


# -- 4: refusals audited as "allow" -------------------------------------------------------------

def test_refusals_are_audited_as_refusals(client: TestClient, linked_sample: Store,
                                          settings: Settings,
                                          far_person: dict[str, Any]) -> None:
    refused = gql(client, "{ monitoringAlerts(first: 20) { alerts { alertId } } }",
                  bearer=token("caseworker"), purpose="aid_administration")
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    [event] = _events(linked_sample, settings, refused.headers["x-correlation-id"])
    assert (event.decision, event.reason) == ("deny", "wrong_purpose")
    assert event.fields_returned == ("Query.monitoringAlerts",)  # what was asked, not given

    home = linked_sample.read("MATCH (p:Person {region_code: '659001'}) "
                              "WHERE p.household_id IS NOT NULL "
                              "RETURN p.person_id AS id ORDER BY id LIMIT 1")[0]["id"]
    no_consent = gql(client, "query($p: ID!) { person(personId: $p) { name } }",
                     bearer=token("caseworker"), purpose="verification", variables={"p": home})
    assert no_consent.json()["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
    events = _events(linked_sample, settings, no_consent.headers["x-correlation-id"])
    assert events and {e.decision for e in events} == {"deny"}
    assert {e.reason for e in events} == {"consent_missing"}


def test_a_probe_of_refused_requests_never_leaves_an_allow(
        client: TestClient, linked_sample: Store, settings: Settings,
        far_person: dict[str, Any]) -> None:
    """The review's probe in small: every request that got nothing is audited deny."""
    probes = [(role, purpose, query, variables)
              for role in ("caseworker", "verifier", "department", "charity")
              for purpose in ("aid_administration", "monitoring", "verification",
                              "overlap_check", "charity_matching")
              for query, variables in ((ALERTS, None),
                                       (PERSON, {"p": far_person["person_id"]}))]
    checked = 0
    for role, purpose, query, variables in probes:
        response = gql(client, query, bearer=token(role, regions=(HOME,)), purpose=purpose,
                       variables=variables)
        body = response.json()
        data = body.get("data") or {}
        if any(value not in (None, []) for value in data.values()):
            continue  # something was returned: not a refusal
        for event in _events(linked_sample, settings, response.headers["x-correlation-id"]):
            assert event.decision == "deny", (role, purpose, query, event)
            checked += 1
    assert checked >= 20


def test_requests_refused_with_401_are_security_events(
        client: TestClient, linked_sample: Store, settings: Settings) -> None:
    for bearer, cause in ((None, "missing bearer token"),
                          ("not.a.jwt", "malformed bearer token"),
                          (token("caseworker", secret="another-secret-of-32-characters!!"),
                           "token signature invalid")):
        response = gql(client, "{ me { subject } }", bearer=bearer)
        assert response.status_code == 401
        [event] = _events(linked_sample, settings, response.headers["x-correlation-id"])
        assert (event.decision, event.reason) == ("deny", f"unauthenticated: {cause}")
        assert event.actor == "" and event.roles == ()
        if bearer:
            assert bearer not in repr(event)


# -- 11: separation of duties (三员分立) ---------------------------------------------------------

PERSONAL = "query($p: ID!) { person(personId: $p) { name idNumber } }"


@pytest.mark.parametrize("role", ["sysadmin", "security_admin", "auditor"])
def test_operating_roles_see_no_personal_data(client: TestClient, linked_sample: Store,
                                              far_person: dict[str, Any], role: str) -> None:
    for purpose in ("aid_administration", "verification", "overlap_check", "monitoring",
                    "charity_matching", "audit"):
        body = gql(client, PERSONAL, bearer=token(role, regions=()), purpose=purpose,
                   variables={"p": far_person["person_id"]}).json()
        assert not (body.get("data") or {}).get("person"), (role, purpose)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    me = gql(client, "{ me { roles } }", bearer=token(role, regions=()), purpose="audit")
    assert me.json()["data"]["me"]["roles"] == [role]


def test_only_the_audit_administrator_reads_the_audit_log(client: TestClient) -> None:
    query = "{ auditEvents(first: 1) { events { action } } }"
    auditor = gql(client, query, bearer=token("auditor", regions=()), purpose="audit").json()
    assert "errors" not in auditor and auditor["data"]["auditEvents"]["events"]
    for role in ("sysadmin", "security_admin", "caseworker"):
        other = gql(client, query, bearer=token(role, regions=()), purpose="audit").json()
        assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN", role


def _cli_env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    """The CLI against the test server, with its own keys (so rotating touches no test)."""
    uri, user, password = connection_details(settings)
    env = test_environ()
    env.update(NEO4J_URI=uri, NEO4J_USER=user, NEO4J_PASSWORD=password,
               HUB_DATA_DIR=str(tmp_path / "hub"), HUB_OPERATOR="secadmin-07",
               HUB_AUDIT_KEY_FILE=str(settings.audit_key_path))
    return env


def _operations(store: Store, settings: Settings) -> list[AuditEvent]:
    log = AuditLog.open(store, settings)
    return [e for e in log.events() if e.action.startswith("security.")]


def test_token_issuing_and_key_rotation_are_audited(
        store: Store, settings: Settings, tmp_path: Path) -> None:
    env = _cli_env(settings, tmp_path)
    before = len(_operations(store, settings))
    runner = CliRunner()
    issued = runner.invoke(cli, ["token", "issue", "--org", "民政", "--role", "caseworker",
                                 "--region", HOME], env=env)
    assert issued.exit_code == 0, issued.output
    rotated = runner.invoke(cli, ["keys", "rotate"], env=env)
    assert rotated.exit_code == 0, rotated.output
    new = _operations(store, settings)[before:]
    assert [(e.action, e.actor) for e in new] == [("security.token_issue", "secadmin-07"),
                                                 ("security.key_rotate", "secadmin-07")]
    jti = jwt.decode(issued.output.strip(), options={"verify_signature": False})["jti"]
    assert jti in new[0].reason and "caseworker" in new[0].reason
    assert issued.output.strip() not in repr(new)
    assert "1 -> 2" in new[1].reason


def test_no_token_is_printed_when_it_cannot_be_audited(settings: Settings,
                                                       tmp_path: Path) -> None:
    env = _cli_env(settings, tmp_path)
    env["NEO4J_URI"] = "bolt://127.0.0.1:1"  # nothing listens there
    env["HUB_RETRY_SECONDS"] = "0"
    result = CliRunner().invoke(cli, ["token", "issue", "--org", "民政", "--role",
                                      "caseworker", "--region", HOME], env=env)
    assert result.exit_code == 1
    assert "eyJ" not in result.output


def test_a_changed_policy_is_audited_when_the_api_starts(
        settings: Settings, clean_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def starts() -> list[AuditEvent]:
        with TestClient(create_app(api_settings(settings), store=clean_store)):
            pass
        return [e for e in AuditLog.open(clean_store, settings).events()
                if e.action == "security.policy_change"]

    assert len(starts()) == 1  # first start records the policy in force
    assert len(starts()) == 1  # unchanged: nothing new
    monkeypatch.setattr("hub.privacy_graph.security_events.policy_digest", lambda: "f" * 64)
    changed = starts()
    assert len(changed) == 2 and changed[-1].reason.startswith("policy ffffffffffffffff")

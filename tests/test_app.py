"""The ASGI app over HTTP: health endpoints, authentication, purpose, hardening, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.errors import ConfigError
from hub.privacy_graph.audit import AuditLog
from hub.store import Store
from tests.api_helpers import api_settings, gql, headers, token

pytestmark = pytest.mark.neo4j


@pytest.fixture
def client(settings: Settings, clean_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings))) as opened:
        yield opened


def _client(settings: Settings, **changes: object) -> TestClient:
    return TestClient(create_app(api_settings(settings, **changes)))


def _in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _events(store: Store, settings: Settings) -> list:
    """The request events (without the policy version recorded when the app starts)."""
    return [e for e in AuditLog.open(store, settings).events()
            if not e.action.startswith("security.")]


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True


def test_graphql_health_reports_neo4j_and_schema_version(client: TestClient) -> None:
    from graph_schema import LATEST_VERSION

    response = gql(client, "{ health { neo4j schemaVersion } }", bearer=token("caseworker"))
    assert response.status_code == 200
    assert response.json() == {"data": {"health": {"neo4j": True,
                                                   "schemaVersion": LATEST_VERSION}}}


def test_queries_over_get_are_refused(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": "{ health { neo4j } }"},
                          headers=headers(token("caseworker")))
    assert response.status_code in {400, 404, 405}


# -- who is asking ---------------------------------------------------------------------------

def test_me_returns_the_principal_and_purpose(client: TestClient) -> None:
    response = gql(client, "{ me { subject org roles regions national purpose correlationId } }",
                   bearer=token("caseworker", regions=("659001", "533401")))
    me = response.json()["data"]["me"]
    assert me == {"subject": "staff-001", "org": "民政", "roles": ["caseworker"],
                  "regions": ["533401", "659001"], "national": False,
                  "purpose": "aid_administration",
                  "correlationId": response.headers["x-correlation-id"]}


@pytest.mark.parametrize("bearer", [
    None,
    "not-a-jwt",
    token("caseworker", ttl=timedelta(seconds=-120)),
    token("caseworker", secret="another-secret-of-enough-length-0123456789"),
])
def test_missing_bad_expired_or_forged_tokens_get_401(client: TestClient,
                                                      bearer: str | None) -> None:
    response = gql(client, "{ me { org } }", bearer=bearer)
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["extensions"]["correlationId"] == response.headers[
        "x-correlation-id"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_unknown_or_missing_purpose_gets_400_and_is_audited(
        client: TestClient, settings: Settings, clean_store: Store) -> None:
    for purpose in ("curiosity", None):
        response = gql(client, "{ me { org } }", bearer=token("caseworker"), purpose=purpose)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_PURPOSE"
        assert "curiosity" not in response.text
    events = _events(clean_store, api_settings(settings))
    assert [(e.decision, e.reason, e.action) for e in events] == [
        ("deny", "unknown_purpose", "http.graphql")] * 2


def test_dev_mode_needs_no_configured_secret_but_production_does(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="HUB_JWT_SECRET"):
        create_app(settings.with_overrides(dev_mode=False, jwt_secret=None))
    create_app(settings.with_overrides(dev_mode=True, jwt_secret=None))
    path = settings.dev_jwt_secret_path
    assert path.exists() and path.stat().st_mode & 0o077 == 0


# -- what they may see -------------------------------------------------------------------------

def test_role_without_the_purpose_is_denied_and_audited(
        client: TestClient, settings: Settings, clean_store: Store) -> None:
    response = gql(client, "{ auditEvents { events { seq } } }",
                   bearer=token("charity", org="charity-42"), purpose="charity_matching")
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["correlationId"] == response.headers[
        "x-correlation-id"]
    [event] = _events(clean_store, api_settings(settings))
    assert (event.decision, event.action, event.org) == ("deny", "query.auditEvents",
                                                         "charity-42")
    assert event.fields_denied == ("Query.auditEvents",)
    assert event.correlation_id == response.headers["x-correlation-id"]


def test_auditor_reads_the_log_without_personal_data(
        client: TestClient, settings: Settings, clean_store: Store) -> None:
    gql(client, "{ auditEvents { events { seq } } }", bearer=token("caseworker"))
    auditor = token("auditor", org="审计", regions=())
    response = gql(client, """{ auditEvents(first: 10) { nextCursor events {
        seq actor org roles purpose action decision reason subjectRef fieldsDenied hash } } }""",
                   bearer=auditor, purpose="audit")
    page = response.json()["data"]["auditEvents"]
    assert page["nextCursor"] is None
    [denied] = [e for e in page["events"] if not e["action"].startswith("security.")]
    assert denied["actor"] == "staff-001" and denied["decision"] == "deny"
    assert denied["reason"] == "policy"
    # the auditor's own read is itself an event
    assert [e.action for e in _events(clean_store, api_settings(settings))] == [
        "query.auditEvents", "query.auditEvents"]


def test_consent_recorded_by_a_caseworker_and_revoked(
        client: TestClient, clean_store: Store) -> None:
    clean_store.write("CREATE (:Household {household_id: 'HH-1', region_code: '659001'})")
    mutation = """mutation($c: RecordConsentInput!) { recordConsent(consent: $c) {
        consentId subjectKind purpose grantee recordedBy inForce } }"""
    variables = {"c": {"subjectKind": "HOUSEHOLD", "subjectId": "HH-1",
                       "purpose": "verification", "grantee": "民政",
                       "expiresAt": _in_days(180), "evidenceRef": "FORM-2024-7"}}
    recorded = gql(client, mutation, bearer=token("caseworker"), variables=variables).json()
    consent = recorded["data"]["recordConsent"]
    assert consent["inForce"] and consent["recordedBy"] == "staff-001"
    revoke = """mutation($id: ID!) { revokeConsent(consentId: $id) { inForce } }"""
    revoked = gql(client, revoke, bearer=token("caseworker"),
                  variables={"id": consent["consentId"]}).json()
    assert revoked["data"]["revokeConsent"]["inForce"] is False
    outside = gql(client, mutation, bearer=token("caseworker", regions=("410502",)),
                  variables=variables).json()
    assert outside["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    verifier = gql(client, mutation, bearer=token("verifier"), purpose="verification",
                   variables=variables).json()
    assert verifier["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# -- hardening ---------------------------------------------------------------------------------

def test_introspection_and_suggestions_off_in_production(client: TestClient) -> None:
    response = gql(client, "{ __schema { types { name } } }", bearer=token("caseworker"))
    assert response.json()["errors"]
    assert "data" not in response.json() or response.json()["data"] is None
    typo = gql(client, "{ mee { org } }", bearer=token("caseworker")).json()
    assert "Did you mean" not in typo["errors"][0]["message"]
    assert typo["errors"][0]["extensions"]["correlationId"]


def test_introspection_and_graphiql_in_dev_mode(settings: Settings, clean_store: Store) -> None:
    with _client(settings, dev_mode=True) as dev:
        response = gql(dev, "{ __schema { queryType { name } } }", bearer=token("caseworker"))
        assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
        assert "graphiql" in dev.get("/graphql", headers={"Accept": "text/html"}).text.lower()


def test_depth_alias_token_and_cost_limits(settings: Settings, clean_store: Store) -> None:
    bearer = token("auditor", org="审计", regions=())
    with _client(settings, max_query_depth=1, max_aliases=3, max_query_cost=100,
                 max_query_tokens=200) as limited:
        deep = gql(limited, "{ auditEvents { events { seq } } }", bearer=bearer, purpose="audit")
        assert "exceeds maximum operation depth" in deep.json()["errors"][0]["message"]
        aliases = "{ " + " ".join(f"a{i}: me {{ org }}" for i in range(5)) + " }"
        assert "aliases" in gql(limited, aliases, bearer=bearer).json()["errors"][0]["message"]
        tokens = "{ me { " + " ".join(["org"] * 250) + " } }"
        messages = [e["message"] for e in gql(limited, tokens, bearer=bearer).json()["errors"]]
        assert any("token" in m.lower() for m in messages), messages
    with _client(settings, max_query_cost=100) as costly:
        page = "{ auditEvents(first: 150) { events { seq actor org } } }"
        message = gql(costly, page, bearer=bearer, purpose="audit").json()["errors"][0]["message"]
        assert "query cost" in message
        cheap = gql(costly, "{ auditEvents(first: 5) { events { seq } } }", bearer=bearer,
                    purpose="audit")
        assert cheap.json()["data"]["auditEvents"]["events"] is not None


def test_oversized_body_gets_413(client: TestClient) -> None:
    query = "{ me { org } }" + " " * 300_000
    response = client.post("/graphql", json={"query": query},
                           headers=headers(token("caseworker")))
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_rate_limit_gets_429_per_principal(settings: Settings, clean_store: Store) -> None:
    with _client(settings, rate_limit_per_minute=3) as limited:
        codes = [gql(limited, "{ me { org } }", bearer=token("caseworker")).status_code
                 for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        other = gql(limited, "{ me { org } }", bearer=token("caseworker", subject="staff-002"))
        assert other.status_code == 200
        refused = gql(limited, "{ me { org } }", bearer=token("caseworker"))
        assert int(refused.headers["retry-after"]) >= 1


def test_error_bodies_carry_a_correlation_id_and_no_stack_trace(client: TestClient) -> None:
    for response in (
        gql(client, "{ me { org } ", bearer=token("caseworker")),
        gql(client, "{ me { org } }", bearer=None),
        client.put("/graphql", json={"query": "{ me { org } }"}),
    ):
        assert "Traceback" not in response.text and 'File "' not in response.text
        assert response.headers["x-correlation-id"]
        if response.status_code != 405:
            assert response.json()["errors"][0]["extensions"]["correlationId"]

"""Error hygiene over real HTTP on the real Neo4j (issue 13, items 5 and 6).

No schema suggestions outside development mode; a masked list of objects is a clean null,
not an internal error; a document with two operations needs an ``operationName``; the
depth limit covers introspection in development mode, with room for the standard query.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from graphql import get_introspection_query
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.store import Store
from tests.api_helpers import api_settings, gql, token

pytestmark = pytest.mark.neo4j

# (document, variables, what was wrong: kept in the message, the suggestion: cut from it)
TYPOS: dict[str, tuple[str, dict[str, Any] | None, str, str]] = {
    "argument": ('{ person(personid: "x") { personId } }', None,
                 "Unknown argument 'personid'", "'personId'"),
    "fragment type": ("fragment F on Querry { health { neo4j } } { ...F }", None,
                      "Unknown type 'Querry'", "'Query'"),
    "enum literal": ('{ verifyHousehold(applicant: "x") { report(format: JSO) } }', None,
                     "Value 'JSO' does not exist", "'JSON'"),
    "variable type": ("query($id: Strin!) { person(personId: $id) { personId } }", None,
                      "Unknown type 'Strin'", "'String'"),
    "enum variable": ('query($f: ReportFormat!) { verifyHousehold(applicant: "x") '
                      "{ report(format: $f) } }", {"f": "JSO"},
                      "Value 'JSO' does not exist", "'JSON'"),
    "input field": ("mutation($c: RecordConsentInput!) { recordConsent(consent: $c) "
                    "{ consentId } }",
                    {"c": {"subjectKind": "HOUSEHOLD", "subjectId": "HH-1",
                           "purpose": "verification", "grantee": "民政",
                           "expiresAt": "2099-01-01T00:00:00+00:00", "evidenceRef": "F-1",
                           "categorie": ["x"]}},
                    "unknown field 'categorie'", "'categories'"),
    "field": ('{ person(personId: "x") { personid } }', None,
              "Cannot query field 'personid'", "'personId'"),
    "subfields": ('{ person(personId: "x") }', None,
                  "must have a selection of subfields", "'person { ... }'"),
}


@pytest.fixture(scope="module")
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings))) as opened:
        yield opened


@pytest.fixture(scope="module")
def dev(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings, dev_mode=True))) as opened:
        yield opened


def _errors(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None, body
    return body["errors"]


# -- item 5: suggestions ----------------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(TYPOS))
def test_no_suggestions_outside_dev_mode(client: TestClient, case: str) -> None:
    document, variables, wrong, suggestion = TYPOS[case]
    errors = _errors(gql(client, document, bearer=token("caseworker"), variables=variables))
    messages = " ".join(e["message"] for e in errors)
    assert wrong in messages  # the message still says what was wrong …
    assert "Did you mean" not in messages and suggestion not in messages  # … not what is right
    for error in errors:
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert error["extensions"]["correlationId"]


@pytest.mark.parametrize("case", sorted(TYPOS))
def test_suggestions_stay_in_dev_mode(dev: TestClient, case: str) -> None:
    document, variables, _wrong, suggestion = TYPOS[case]
    errors = _errors(gql(dev, document, bearer=token("caseworker"), variables=variables))
    assert any("Did you mean" in e["message"] and suggestion in e["message"] for e in errors)


def test_syntax_errors_carry_a_code(client: TestClient) -> None:
    [error] = _errors(gql(client, "{ me { org }", bearer=token("caseworker")))
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


# -- item 6: a masked list of objects -------------------------------------------------------------

def _household_with_assets(store: Store) -> str:
    rows = store.read("""
        MATCH (h:Household {region_code: '659001'})<-[:MEMBER_OF {status: '正常'}]-(p:Person)
              -[:OWNS]->(:Asset)
        RETURN DISTINCT h.household_id AS household_id ORDER BY household_id LIMIT 1""")
    assert rows, "the linked sample has a household in 659001 holding assets"
    return str(rows[0]["household_id"])


def test_masked_assets_are_a_clean_null_and_audited_as_masked(
        settings: Settings, linked_sample: Store) -> None:
    household_id = _household_with_assets(linked_sample)
    query = f'{{ household(householdId: "{household_id}") {{ householdId assets {{ kind }} }} }}'
    with TestClient(create_app(api_settings(settings))) as opened:
        shown = gql(opened, query, bearer=token("caseworker")).json()
        assert shown["data"]["household"]["assets"], shown  # the household does hold assets
        response = gql(opened, query, bearer=token("caseworker"), purpose="monitoring")
    body = response.json()
    assert "errors" not in body, body["errors"]
    assert body["data"] == {"household": {"householdId": household_id, "assets": None}}
    correlation_id = response.headers["x-correlation-id"]
    events = [e for e in AuditLog.open(linked_sample, api_settings(settings)).events()
              if e.correlation_id == correlation_id]
    assert any("Household.assets" in e.fields_masked for e in events)
    assert not any("Asset.kind" in e.fields_returned + e.fields_masked for e in events)


# -- item 6: several operations, no operationName -------------------------------------------------

def _consents(store: Store) -> int:
    return int(store.read("MATCH (c:Consent) RETURN count(c) AS n")[0]["n"])


def test_two_operations_need_an_operation_name(settings: Settings, clean_store: Store) -> None:
    clean_store.write("CREATE (:Household {household_id: 'HH-1', region_code: '659001'})")
    expires = (datetime.now(UTC) + timedelta(days=90)).isoformat()
    document = f"""
        mutation Record {{ recordConsent(consent: {{subjectKind: HOUSEHOLD, subjectId: "HH-1",
            purpose: "verification", grantee: "民政", expiresAt: "{expires}",
            evidenceRef: "FORM-1"}}) {{ consentId }} }}
        query Look {{ me {{ org }} }}"""
    headers = {"Authorization": f"Bearer {token('caseworker')}",
               "X-Purpose": "aid_administration"}

    def post(**extra: str) -> Any:
        return client.post("/graphql", json={"query": document, **extra}, headers=headers)

    with TestClient(create_app(api_settings(settings))) as client:
        [error] = _errors(post())
        assert error["message"] == ("Must provide operation name if query contains multiple "
                                    "operations.")
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert error["extensions"]["correlationId"]
        assert _consents(clean_store) == 0  # the first operation (a mutation) did not run
        assert post(operationName="Look").json() == {"data": {"me": {"org": "民政"}}}
        assert _consents(clean_store) == 0
        recorded = post(operationName="Record").json()
        assert recorded["data"]["recordConsent"]["consentId"]
        assert _consents(clean_store) == 1


def test_one_operation_needs_no_operation_name(client: TestClient) -> None:
    body = gql(client, "query Only { me { org } }", bearer=token("caseworker")).json()
    assert body == {"data": {"me": {"org": "民政"}}}


# -- item 6: depth of introspection in dev mode ----------------------------------------------

def _nested_of_type(levels: int) -> str:
    return '{ __type(name: "Query") { ' + "ofType { " * levels + "name" + " }" * levels + " } }"


def test_standard_introspection_query_passes_in_dev_mode(dev: TestClient) -> None:
    query = get_introspection_query(descriptions=True, specified_by_url=True,
                                    directive_is_repeatable=True, schema_description=True,
                                    input_value_deprecation=True)
    body = gql(dev, query, bearer=token("caseworker")).json()
    assert "errors" not in body, body["errors"]
    assert {t["name"] for t in body["data"]["__schema"]["types"]} >= {"Query", "Household"}
    assert "errors" not in gql(dev, _nested_of_type(12), bearer=token("caseworker")).json()


@pytest.mark.parametrize(("query", "message"), [
    (_nested_of_type(14), "introspection exceeds the maximum depth of 14"),
    (_nested_of_type(60), "introspection exceeds the maximum depth of 14"),
    ("fragment A on __Type { ofType { ofType { ofType { ofType { ofType { name } } } } } }"
     "fragment B on __Type { ofType { ofType { ofType { ofType { ofType { ...A } } } } } }"
     '{ __type(name: "Query") { ofType { ofType { ofType { ofType { ofType { ...B } } } } } } }',
     "introspection exceeds the maximum depth of 14"),
    ("{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
     "Maximum introspection depth exceeded"),
    ("fragment T on __Type { fields { type { ...T } } } { __schema { types { ...T } } }",
     None),  # a fragment cycle: refused, whichever rule says so first
])
def test_deep_or_circular_introspection_is_refused_in_dev_mode(
        dev: TestClient, query: str, message: str | None) -> None:
    errors = _errors(gql(dev, query, bearer=token("caseworker")))
    if message is not None:
        assert message in [e["message"] for e in errors]
    assert all(e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" for e in errors)


# -- values echoed back in errors -----------------------------------------------------------

ECHOED = {
    "variable of the wrong type": ("query($id: ID!) { person(personId: $id) { personId } }",
                                   {"id": {"name": "张建国", "id": "110101199003077777"}}),
    "literal of the wrong type": ('{ person(personId: {name: "张建国"}) { personId } }', None),
    "bad date": ('query($d: Date!) { verifyHousehold(applicant: "x", asOf: $d) '
                 "{ category } }", {"d": "张建国110101199003077777"}),
}


@pytest.mark.parametrize("case", sorted(ECHOED))
def test_input_values_are_not_echoed_outside_dev_mode(
        client: TestClient, case: str, caplog: pytest.LogCaptureFixture) -> None:
    document, variables = ECHOED[case]
    with caplog.at_level("INFO", logger="hub.api.errors"):
        response = gql(client, document, bearer=token("caseworker"), variables=variables)
    errors = _errors(response)
    assert all(e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" for e in errors)
    messages = " ".join(e["message"] for e in errors)  # decoded: the body escapes 张
    for text in (messages, caplog.text):
        assert "张建国" not in text and "110101199003077777" not in text
    assert "(value withheld)" in messages


def test_dev_mode_still_echoes_the_value(dev: TestClient) -> None:
    """The same request in development mode shows the value (so the test above can fail)."""
    document, variables = ECHOED["variable of the wrong type"]
    response = gql(dev, document, bearer=token("caseworker"), variables=variables)
    assert "张建国" in " ".join(e["message"] for e in _errors(response))

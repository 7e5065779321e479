"""``people(name:, birthDate:)`` over real HTTP on the linked sample: the name + birth date
blind index ingest stored, the person's policy, jurisdiction, consent and audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph_schema.queries import people as q
from hub.app import create_app
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from privacy import AuditEvent
from tests.api_helpers import api_settings, gql, token

pytestmark = pytest.mark.neo4j
REGION = "659001"
PEOPLE = """query($name: String!, $birth: Date!) {
  people(name: $name, birthDate: $birth) { personId regionCode householdId name birthDate idNumber }
}"""
ONE = "query($p: ID!) { person(personId: $p) { name birthDate } }"


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings), store=linked_sample)) as opened:
        yield opened


@pytest.fixture
def target(client: TestClient, linked_sample: Store) -> dict[str, Any]:
    """A person of the region with a household whose records carry the name + birth date
    index, their name and birth date as the caseworker reads them, and everyone (any
    region) whose records carry the same index."""
    row = linked_sample.read("""
        MATCH (r:SourceRecord)-[:RESOLVES_TO]->(p:Person {region_code: $region})
        WHERE r.bi_name_birth IS NOT NULL AND p.merged_into IS NULL
          AND p.household_id IS NOT NULL
        WITH p, min(r.bi_name_birth) AS bi ORDER BY p.person_id LIMIT 1
        MATCH (:SourceRecord {bi_name_birth: bi})-[:RESOLVES_TO]->(q:Person)
        WHERE q.merged_into IS NULL
        RETURN p.person_id AS person_id, p.household_id AS household_id, bi,
               collect(DISTINCT [q.person_id, q.region_code]) AS sharing""", region=REGION)[0]
    person = gql(client, ONE, bearer=token("caseworker"),
                 variables={"p": row["person_id"]}).json()["data"]["person"]
    assert person["name"] and person["birthDate"]
    return {**row, **person}


def _events(store: Store, settings: Settings, correlation_id: str) -> list[AuditEvent]:
    log = AuditLog.open(store, api_settings(settings))
    return [e for e in log.events() if e.correlation_id == correlation_id]


def test_the_index_is_computed_as_ingest_computes_it(settings: Settings,
                                                      target: dict[str, Any]) -> None:
    indexer = open_privacy(settings).indexer
    assert indexer.name_birth(f" {target['name']} ", target["birthDate"]) == target["bi"]


def test_caseworker_finds_the_person_by_name_and_birth_date_and_it_is_audited(
        client: TestClient, linked_sample: Store, settings: Settings,
        target: dict[str, Any]) -> None:
    response = gql(client, PEOPLE, bearer=token("caseworker"),
                   variables={"name": f"  {target['name']} ", "birth": target["birthDate"]})
    body = response.json()
    assert "errors" not in body, body
    found = body["data"]["people"]
    expected = sorted(pid for pid, region in target["sharing"] if region == REGION)
    assert [p["personId"] for p in found] == expected
    mine = next(p for p in found if p["personId"] == target["person_id"])
    assert mine["householdId"] == target["household_id"]
    assert (mine["name"], mine["birthDate"]) == (target["name"], target["birthDate"])
    assert mine["idNumber"]  # the caseworker's policy, as for person(idNumber:)
    events = _events(linked_sample, settings, response.headers["x-correlation-id"])
    log = AuditLog.open(linked_sample, api_settings(settings))
    event = next(e for e in events if e.subject_ref == log.subject_ref("person",
                                                                      target["person_id"]))
    assert (event.action, event.decision) == ("query.people", "allow")
    assert "Person.name" in event.fields_returned
    assert target["name"] not in repr(events) and target["birthDate"] not in repr(events)


def test_a_wrong_birth_date_finds_nobody(client: TestClient, target: dict[str, Any]) -> None:
    wrong = (date.fromisoformat(target["birthDate"]) + timedelta(days=1)).isoformat()
    body = gql(client, PEOPLE, bearer=token("caseworker"),
               variables={"name": target["name"], "birth": wrong}).json()
    assert body == {"data": {"people": []}}
    other_name = gql(client, PEOPLE, bearer=token("caseworker"),
                     variables={"name": target["name"] + "某", "birth": target["birthDate"]})
    assert other_name.json() == {"data": {"people": []}}


def test_another_regions_token_gets_nobody_and_the_refusal_is_audited(
        client: TestClient, linked_sample: Store, settings: Settings,
        target: dict[str, Any]) -> None:
    outsider = token("caseworker", regions=("410502",))
    response = gql(client, PEOPLE, bearer=outsider,
                   variables={"name": target["name"], "birth": target["birthDate"]})
    assert all(p["regionCode"] == "410502" for p in response.json()["data"]["people"])
    assert target["person_id"] not in response.text
    events = _events(linked_sample, settings, response.headers["x-correlation-id"])
    log = AuditLog.open(linked_sample, api_settings(settings))
    refused = [e for e in events
               if e.subject_ref == log.subject_ref("person", target["person_id"])]
    assert [(e.action, e.decision, e.reason) for e in refused] == [
        ("query.people", "deny", "out_of_jurisdiction")]


@pytest.mark.parametrize(("role", "purpose", "org"), [
    ("charity", "charity_matching", "charity-42"), ("auditor", "audit", "审计"),
    ("sysadmin", "audit", "信息中心")])
def test_roles_without_reference_access_are_refused_and_audited(
        client: TestClient, linked_sample: Store, settings: Settings, target: dict[str, Any],
        role: str, purpose: str, org: str) -> None:
    regions = () if role in ("auditor", "sysadmin") else (REGION,)
    response = gql(client, PEOPLE, bearer=token(role, org=org, regions=regions),
                   purpose=purpose,
                   variables={"name": target["name"], "birth": target["birthDate"]})
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert target["name"] not in response.text
    events = _events(linked_sample, settings, response.headers["x-correlation-id"])
    assert events and {(e.action, e.decision) for e in events} == {("query.people", "deny")}


def test_verification_without_the_households_consent_is_refused(
        client: TestClient, target: dict[str, Any]) -> None:
    for name in (target["name"], "查无此人"):  # a match and no match look the same
        body = gql(client, PEOPLE, bearer=token("verifier"), purpose="verification",
                   variables={"name": name, "birth": target["birthDate"]}).json()
        assert body["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED", body
        assert target["person_id"] not in repr(body)


def test_overlap_check_masks_the_name_as_person_does(client: TestClient,
                                                      target: dict[str, Any]) -> None:
    body = gql(client, PEOPLE, bearer=token("department", org="医保"),
               purpose="overlap_check",
               variables={"name": target["name"], "birth": target["birthDate"]}).json()
    mine = next(p for p in body["data"]["people"] if p["personId"] == target["person_id"])
    assert mine["name"] == target["name"][0] + "**"
    assert mine["birthDate"] != target["birthDate"]


def test_bad_arguments_are_refused_without_echoing_them(client: TestClient) -> None:
    for variables in ({"name": " · ", "birth": "1980-01-01"},
                      {"name": "王" * 65, "birth": "1980-01-01"}):
        body = gql(client, PEOPLE, bearer=token("caseworker"), variables=variables).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT", body
    bad_date = gql(client, PEOPLE, bearer=token("caseworker"),
                   variables={"name": "王伟", "birth": "1980-02-31"}).json()
    assert bad_date["data"] is None and bad_date["errors"]
    too_many = gql(client, 'query { people(name: "王伟", birthDate: "1980-01-01", first: 51) '
                           "{ personId } }", bearer=token("caseworker")).json()
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_INPUT"


def test_the_lookup_seeks_the_name_birth_index(linked_sample: Store) -> None:
    def plan(tx: Any) -> Any:
        result = tx.run("EXPLAIN " + q.PEOPLE_BY_NAME_BIRTH, bi_name_birth="0" * 16,
                        regions=[REGION], first=20)
        return result.consume().plan

    found = repr(linked_sample.transaction(plan, write=False))
    assert "NodeIndexSeek" in found and "bi_name_birth" in found

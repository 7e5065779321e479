"""person / household / aidChain / sourceRecords over real HTTP on the linked sample."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph_schema import labels
from hub.app import create_app
from hub.auth import Principal
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.consent import record_consent, revoke_consent
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.store import Store
from privacy import AuditEvent, access_class_of, decide
from tests.api_helpers import api_settings, gql, token
from tests.leftovers import removing_new_nodes

pytestmark = pytest.mark.neo4j
REGION = "659001"
PERSON_FIELDS = "personId regionCode householdId sex name idNumber birthDate address"


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    """The API on the linked sample; the consents a test records are removed after it."""
    with removing_new_nodes(linked_sample, labels.CONSENT), \
            TestClient(create_app(api_settings(settings))) as opened:
        yield opened


@pytest.fixture
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


def _reveal(kit: PrivacyKit, props: dict[str, Any], field: str) -> str:
    return kit.encryptor.decrypt(props[f"enc_{field}"], label="Person",
                                 record_key=props["person_id"], field=field)


def _households(store: Store, *, region: str = REGION, skip: int = 0) -> dict[str, Any]:
    """A household with at least two current members (``skip`` picks another one)."""
    rows = store.read("""
        MATCH (h:Household {region_code: $region})<-[:MEMBER_OF {status: '正常'}]-(p:Person)
        WHERE p.enc_id_number IS NOT NULL AND p.bi_id IS NOT NULL
        WITH h, collect(p {.*}) AS members WHERE size(members) >= 2
        RETURN h.household_id AS household_id, members
        ORDER BY h.household_id SKIP $skip LIMIT 1""", region=region, skip=skip)
    return rows[0]


def _aided(store: Store) -> dict[str, Any]:
    """A person in the region with aid from a department, and that department."""
    return store.read("""
        MATCH (a:AidRecord)-[:GRANTED_TO]->(p:Person {region_code: $region})
        WHERE p.enc_id_number IS NOT NULL AND p.bi_id IS NOT NULL AND a.amount IS NOT NULL
        RETURN p {.*} AS person, a.department AS department, a.programme AS programme
        ORDER BY p.person_id LIMIT 1""", region=REGION)[0]


def _events(store: Store, settings: Settings, correlation_id: str) -> list[AuditEvent]:
    log = AuditLog.open(store, api_settings(settings))
    return [e for e in log.events() if e.correlation_id == correlation_id]


def _no_plaintext(text: str, *values: str) -> None:
    for value in values:
        assert value not in text


# -- allow / mask / deny -------------------------------------------------------------------------

def test_caseworker_finds_a_person_by_id_number_and_sees_them_in_full(
        client: TestClient, linked_sample: Store, settings: Settings, kit: PrivacyKit) -> None:
    member = _households(linked_sample)["members"][0]
    id_number = _reveal(kit, member, "id_number")
    response = gql(client, f"query($id: String!) {{ person(idNumber: $id) {{ {PERSON_FIELDS} }} }}",
                   bearer=token("caseworker"), variables={"id": id_number})
    body = response.json()
    assert "errors" not in body
    person = body["data"]["person"]
    assert person["personId"] == member["person_id"]
    assert person["idNumber"] == id_number
    assert person["name"] == _reveal(kit, member, "name")
    assert person["address"]  # 户籍 address, decrypted for aid administration
    [event] = _events(linked_sample, settings, response.headers["x-correlation-id"])
    assert (event.action, event.decision) == ("query.person", "allow")
    assert "Person.name" in event.fields_returned and "Person.idNumber" in event.fields_returned
    log = AuditLog.open(linked_sample, api_settings(settings))
    assert event.subject_ref == log.subject_ref("person", member["person_id"])
    _no_plaintext(repr(event), id_number, person["name"], member["person_id"])


def test_a_member_current_in_two_households_opens_their_own_by_id_number(
        client: TestClient, linked_sample: Store, kit: PrivacyKit) -> None:
    """A duplicate 户籍 registration leaves a person current (正常) in two households: the
    search by ID number opens the one their record names, every time, even when the other
    has the smaller id (it was whichever the store returned first)."""
    home = _households(linked_sample)
    member = home["members"][0]
    assert member["household_id"] == home["household_id"]
    other = linked_sample.read(
        "MATCH (h:Household {region_code: $region}) WHERE h.household_id <> $home "
        "RETURN h.household_id AS id ORDER BY id < $home DESC, id LIMIT 1",
        region=REGION, home=home["household_id"])[0]["id"]
    linked_sample.write(
        "MATCH (p:Person {person_id: $p}), (h:Household {household_id: $h}) "
        "CREATE (p)-[:MEMBER_OF {status: '正常', relation: '其他', test_only: true}]->(h)",
        p=member["person_id"], h=other)
    query = "query($id: String) { household(idNumber: $id) { householdId } }"
    try:
        for _ in range(3):
            body = gql(client, query, bearer=token("caseworker"),
                       variables={"id": _reveal(kit, member, "id_number")}).json()
            assert body["data"]["household"]["householdId"] == home["household_id"]
    finally:
        linked_sample.write("MATCH ()-[m:MEMBER_OF {test_only: true}]->() DELETE m")


def test_overlap_check_masks_identity_and_shows_only_own_amounts(
        client: TestClient, linked_sample: Store, settings: Settings, kit: PrivacyKit) -> None:
    aided = _aided(linked_sample)
    person, owner = aided["person"], aided["department"]
    query = """query($p: ID!) { person(personId: $p) { personId name idNumber phone
                 aidChain { department programme amount } } }"""
    other = "医保" if owner != "医保" else "教育"
    results = {}
    for org in (owner, other):
        response = gql(client, query, bearer=token("department", org=org),
                       purpose="overlap_check", variables={"p": person["person_id"]})
        results[org] = response.json()
    own = results[owner]["data"]["person"]
    name = _reveal(kit, person, "name")
    id_number = _reveal(kit, person, "id_number")
    assert own["name"] == name[0] + "**"
    assert own["idNumber"] == id_number[:4] + "*" * 10 + id_number[-4:]
    assert own["phone"] is None
    mine = [a for a in own["aidChain"] if a["department"] == owner]
    assert mine and all(a["amount"] is not None for a in mine)
    theirs = results[other]["data"]["person"]["aidChain"]
    assert {a["programme"] for a in theirs} >= {aided["programme"]}
    assert all(a["amount"] is None for a in theirs if a["department"] == owner)
    errors = results[other]["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"FORBIDDEN"}
    assert {e["extensions"]["reason"] for e in errors} == {"policy", "not_owner"}
    for body in results.values():
        _no_plaintext(repr(body.get("errors")), name, id_number)


def test_charity_gets_nothing_about_a_person_without_the_recipients_consent(
        client: TestClient, linked_sample: Store, kit: PrivacyKit) -> None:
    person = _households(linked_sample, skip=3)["members"][0]
    body = gql(client, 'query($p: ID!) { person(personId: $p) { name } }',
               bearer=token("charity", org="charity-42"), purpose="charity_matching",
               variables={"p": person["person_id"]}).json()
    assert body["data"] is None or body["data"]["person"] is None
    root = decide(Principal("x", "charity-42", ("charity",), (REGION,)), "charity_matching",
                  access_class_of("Query", "person"))
    want = "CONSENT_REQUIRED" if root.allowed else "FORBIDDEN"  # fail closed either way
    assert body["errors"][0]["extensions"]["code"] == want
    assert _reveal(kit, person, "name") not in repr(body)


# -- jurisdiction ---------------------------------------------------------------------------------

def test_a_token_for_another_region_gets_nothing_and_is_audited(
        client: TestClient, linked_sample: Store, settings: Settings, kit: PrivacyKit) -> None:
    household = _households(linked_sample)
    member = household["members"][0]
    outsider = token("caseworker", regions=("410502",))
    queries = {
        "person": ('query($p: ID!) { person(personId: $p) { name } }',
                   {"p": member["person_id"]}, None),
        "household": ('query($h: String!) { household(householdId: $h) { householdId } }',
                      {"h": household["household_id"]}, None),
        "aidChain": ('query($p: ID!) { aidChain(personId: $p) { programme } }',
                     {"p": member["person_id"]}, []),
        "sourceRecords": ('query($p: ID!) { sourceRecords(personId: $p) { recordId } }',
                          {"p": member["person_id"]}, []),
    }
    for field, (query, variables, empty) in queries.items():
        response = gql(client, query, bearer=outsider, variables=variables)
        assert response.json() == {"data": {field: empty}}, field
        events = _events(linked_sample, settings, response.headers["x-correlation-id"])
        assert [(e.decision, e.reason) for e in events] == [("deny", "out_of_jurisdiction")]
    by_id = gql(client, "query($id: String!) { person(idNumber: $id) { name } }",
                bearer=outsider, variables={"id": _reveal(kit, member, "id_number")})
    assert by_id.json() == {"data": {"person": None}}


# -- consent (verification needs the household's authorisation) --------------------------------

def _consent(store: Store, household_id: str, **changes: Any) -> str:
    now = datetime.now(UTC)
    values: dict[str, Any] = dict(
        subject_kind="household", subject_id=household_id, purpose="verification",
        grantee="民政", expires_at=now + timedelta(days=30), evidence_ref="FORM-T",
        recorded_by="staff-009", regions=None)
    values.update(changes)
    return record_consent(store, **values).consent_id


@pytest.mark.parametrize(("state", "skip"), [("missing", 4), ("expired", 5), ("revoked", 6)])
def test_verification_without_consent_in_force_is_refused(
        client: TestClient, linked_sample: Store, settings: Settings, state: str,
        skip: int) -> None:
    household = _households(linked_sample, skip=skip)
    now = datetime.now(UTC)
    if state == "expired":
        _consent(linked_sample, household["household_id"], granted_at=now - timedelta(days=60),
                 expires_at=now - timedelta(days=1), now=now - timedelta(days=60))
    if state == "revoked":
        consent_id = _consent(linked_sample, household["household_id"])
        revoke_consent(linked_sample, consent_id, revoked_by="staff-009", regions=None)
    person_id = household["members"][1]["person_id"]
    for query, variables in (
        ('query($h: String!) { household(householdId: $h) { members { person { name } } } }',
         {"h": household["household_id"]}),
        ('query($p: ID!) { person(personId: $p) { name } }', {"p": person_id}),
        ('query($p: ID!) { aidChain(personId: $p) { programme } }', {"p": person_id}),
    ):
        response = gql(client, query, bearer=token("verifier"), purpose="verification",
                       variables=variables)
        body = response.json()
        assert not any((body["data"] or {}).values()), body
        assert body["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
        events = _events(linked_sample, settings, response.headers["x-correlation-id"])
        assert {(e.decision, e.reason) for e in events} == {("deny", f"consent_{state}")}


def test_verification_with_household_authorisation_masks_ids(
        client: TestClient, linked_sample: Store, settings: Settings, kit: PrivacyKit) -> None:
    household = _households(linked_sample, skip=7)
    consent_id = _consent(linked_sample, household["household_id"])
    response = gql(client, """query($h: String!) { household(householdId: $h) {
                       householdId members { relation person { name idNumber aidChain {
                       programme } } } } }""",
                   bearer=token("verifier"), purpose="verification",
                   variables={"h": household["household_id"]})
    body = response.json()
    assert "errors" not in body, body
    members = {m["person"]["name"]: m for m in body["data"]["household"]["members"]}
    for member in household["members"]:
        shown = members[_reveal(kit, member, "name")]["person"]["idNumber"]
        assert shown == _reveal(kit, member, "id_number")[:4] + "*" * 10 + shown[-4:]
    events = _events(linked_sample, settings, response.headers["x-correlation-id"])
    assert events and {e.consent_id for e in events if e.subject_ref} == {consent_id}
    assert any("Person.idNumber" in e.fields_masked for e in events)


def test_an_unknown_subject_under_verification_looks_like_missing_consent(
        client: TestClient) -> None:
    body = gql(client, '{ person(personId: "P-NOBODY") { name } }', bearer=token("verifier"),
               purpose="verification").json()
    assert body["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"


# -- provenance and input errors ------------------------------------------------------------------

def test_source_records_list_the_records_behind_a_person(
        client: TestClient, linked_sample: Store) -> None:
    person = _households(linked_sample)["members"][0]
    expected = linked_sample.read("""
        MATCH (r:SourceRecord)-[:RESOLVES_TO]->(:Person {person_id: $p})
        RETURN r.source AS source, r.record_id AS record_id ORDER BY source, record_id""",
                                  p=person["person_id"])
    body = gql(client, 'query($p: ID!) { sourceRecords(personId: $p) { source recordId role '
                       'method weight } }', bearer=token("caseworker"),
               variables={"p": person["person_id"]}).json()
    records = body["data"]["sourceRecords"]
    assert [(r["source"], r["recordId"]) for r in records] == [
        (e["source"], e["record_id"]) for e in expected]
    assert all(r["method"] for r in records)


def test_bad_arguments_are_refused_without_echoing_them(client: TestClient) -> None:
    bad_id = "65900119800101123Y"
    for query in (f'{{ person(idNumber: "{bad_id}") {{ name }} }}',
                  '{ person { name } }',
                  f'{{ household(householdId: "HH1", idNumber: "{bad_id}") {{ householdId }} }}'):
        body = gql(client, query, bearer=token("caseworker")).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT", body
        assert bad_id not in repr(body)

"""Every field the charity role can reach, generated from the schema, never returns an
identifier, name, phone or health detail of a recipient who has not accepted a referral.

The walk builds, for every root query and mutation, a document selecting every field of
every reachable type (to a depth), with arguments naming each test recipient in turn
(hub ids, ID numbers, referral tokens, consent ids); it sends each document plain, then
with aliases and a fragment, as a charity, over HTTP to the real app on the linked sample.
Each response body (data *and* errors) is scanned with ``privacy.find_identifiers`` and
for the recipients' known plaintexts. Only the accepted recipient's name and phone may
appear, and only in ``referralContact``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from privacy import find_identifiers
from resolvers.schema import schema
from tests.api_helpers import api_settings
from tests.resolvers import charity_scenario as sc

pytestmark = pytest.mark.neo4j
REGION = "360222"
MAX_DEPTH = 5
HEALTH = """
MATCH (p:Person {person_id: $person_id})-[:HAS]->(f:Fact)
WHERE f:Disability OR f:MedicalSettlement OR f:FamilyMembership
RETURN labels(f) AS labels, f.fact_key AS key,
       [k IN keys(f) WHERE k IN ['enc_diagnosis', 'enc_major_illness', 'enc_serious_illness',
                                 'enc_disability_category'] | [k, f[k]]] AS sealed
"""
_NOW = datetime.now(UTC).isoformat()
OWN_SURFACE = {"health", "me", "donations", "donationMatches", "referralContact",
               "publishDonation"}
"""Root fields that may answer a charity with data; every other one must refuse."""


def _scalar(name: str) -> Any:
    return {"Int": 5, "Float": 1.0, "Boolean": True, "Date": "2026-12-01",
            "DateTime": _NOW}.get(name, "x")


def _unwrap(gql_type: Any) -> Any:
    return gql_type.of_type if isinstance(gql_type, GraphQLNonNull) else gql_type


class Walk:
    """Documents for one root field; ``pick`` fills arguments by name for one recipient."""

    def __init__(self, pick: Callable[[str], Any]) -> None:
        self.pick = pick

    def value(self, name: str, gql_type: GraphQLInputType) -> Any:
        inner = _unwrap(gql_type)
        picked = self.pick(name)
        if isinstance(inner, GraphQLList):
            item = self.value(name, inner.of_type)
            return [] if item is None else [item]
        if isinstance(inner, GraphQLEnumType):
            return next(iter(inner.values))
        if isinstance(inner, GraphQLInputObjectType):
            return {k: self.value(k, f.type) for k, f in inner.fields.items()
                    if isinstance(f.type, GraphQLNonNull) or self.pick(k) is not None}
        if picked is not None:
            return picked
        if isinstance(gql_type, GraphQLNonNull) and isinstance(inner, GraphQLScalarType):
            return _scalar(inner.name)
        return None

    def arguments(self, args: dict[str, GraphQLArgument], only: str | None = None) -> str:
        """Required arguments, plus the optional one named ``only``."""
        parts = []
        for name, arg in args.items():
            if not isinstance(arg.type, GraphQLNonNull) and name != only:
                continue
            value = self.value(name, arg.type)
            if value is None:
                continue
            inner = _unwrap(arg.type)
            text = value if isinstance(inner, GraphQLEnumType) else _literal(value, arg.type)
            parts.append(f"{name}: {text}")
        return f"({', '.join(parts)})" if parts else ""

    def selection(self, gql_type: Any, depth: int, seen: tuple[str, ...]) -> str:
        named = get_named_type(gql_type)
        if not isinstance(named, GraphQLObjectType):
            return ""
        fields = []
        for name, field in named.fields.items():
            inner = get_named_type(field.type)
            if isinstance(inner, GraphQLObjectType):
                if depth >= MAX_DEPTH or inner.name in seen:
                    continue
                sub = self.selection(inner, depth + 1, (*seen, inner.name))
                if sub:
                    fields.append(f"{name}{self.arguments(field.args)} {sub}")
            else:
                fields.append(f"{name}{self.arguments(field.args)}")
        return "{ " + " ".join(fields) + " }" if fields else ""

    def documents(self, operation: str, name: str, field: Any) -> list[str]:
        """Per argument variant (required ones, plus each optional one alone): the plain
        document, and one with aliases and a fragment."""
        optional = [n for n, a in field.args.items()
                    if not isinstance(a.type, GraphQLNonNull) and self.pick(n) is not None]
        sub = self.selection(field.type, 1, (get_named_type(field.type).name,))
        named = get_named_type(field.type)
        docs = []
        for only in [None, *optional]:
            args = self.arguments(field.args, only)
            docs.append(f"{operation} {{ {name}{args} {sub} }}")
            if not isinstance(named, GraphQLObjectType):
                docs.append(f"{operation} {{ first: {name}{args} second: {name}{args} }}")
                continue
            leaves = [n for n, f in named.fields.items()
                      if not isinstance(get_named_type(f.type), GraphQLObjectType)][:10]
            aliased = " ".join(f"x{i}: {leaf}" for i, leaf in enumerate(leaves))
            docs.append(f"{operation} {{ first: {name}{args} {{ {aliased} }} "
                        f"second: {name}{args} {{ ...F }} }} fragment F on {named.name} {sub}")
        return docs


def _literal(value: Any, gql_type: Any) -> str:
    inner = _unwrap(gql_type)
    if isinstance(value, dict) and isinstance(inner, GraphQLInputObjectType):
        items = []
        for k, v in value.items():
            field_type = inner.fields[k].type
            ft = _unwrap(field_type)
            items.append(f"{k}: {v if isinstance(ft, GraphQLEnumType) else _literal(v, ft)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        element = inner.of_type if isinstance(inner, GraphQLList) else inner
        return "[" + ", ".join(_literal(v, element) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture
def scenario(settings: Settings, linked_sample: Store) -> Iterator[dict[str, Any]]:
    """Three consenting recipients matched to a donation; only the first accepted."""
    sc.clear(linked_sample)
    kit = open_privacy(settings)
    people = sc.recipients(linked_sample, kit, REGION, 3)
    before = {r["id"] for r in linked_sample.read("MATCH (n) RETURN elementId(n) AS id")}
    wide = api_settings(settings, max_query_tokens=50_000, max_query_cost=10_000_000,
                        rate_limit_per_minute=100_000)
    with TestClient(create_app(wide)) as client:
        sc.register(client, REGION)
        for person in people:
            person.consent_id = sc.consent(client, REGION, person.person_id)
        donation = sc.publish(client, REGION)
        listed = sc.matches(client, REGION, donation)
        tokens = {p.person_id: sc.token_of(linked_sample, donation, p.person_id)
                  for p in people}
        accepted = people[0]
        sc.ok(sc.confirm(client, REGION, tokens[accepted.person_id]))
        sc.ok(sc.decide(client, REGION, tokens[accepted.person_id]))
        sc.ok(sc.confirm(client, REGION, tokens[people[1].person_id]))  # confirmed only
        health = _health(linked_sample, kit, people)
        yield {"client": client, "people": people, "tokens": tokens, "donation": donation,
               "listed": listed, "health": health}
    sc.clear(linked_sample)
    for row in linked_sample.read("MATCH (n) WHERE NOT (n:AuditEvent OR n:AuditHead OR "
                                  "n:AuditCheckpoint) RETURN elementId(n) AS id"):
        if row["id"] not in before:  # anything a walked mutation created
            linked_sample.write("MATCH (n) WHERE elementId(n) = $id DETACH DELETE n",
                                id=row["id"])


def _health(store: Store, kit: Any, people: list[sc.Recipient]) -> list[str]:
    found = []
    for person in people:
        for row in store.read(HEALTH, person_id=person.person_id):
            label = next(label for label in row["labels"] if label != "Fact")
            for name, token in row["sealed"]:
                text = kit.encryptor.decrypt(token, label=label, record_key=row["key"],
                                             field=name[4:])
                found += [t for t in text.split(";") if len(t) >= 2 and not t.isdigit()
                          and t not in ("true", "false")]
    return found


def _picker(person: sc.Recipient, token: str, donation: str) -> Callable[[str], Any]:
    by_name = {"personId": person.person_id, "householdId": person.household_id,
               "idNumber": person.id_number, "applicant": person.id_number,
               "person": person.id_number, "subjectId": person.person_id,
               "referralToken": token, "donationId": donation, "consentId": person.consent_id,
               "region": REGION, "recordA": person.person_id, "recordB": person.household_id,
               "first": 5, "after": None, "status": None, "where": None, "asOf": None,
               "programme": None, "type": None, "grantee": sc.CHARITY,
               "purpose": "charity_matching", "evidenceRef": "WALK-1", "category": "medical",
               "householdTypes": "urban", "programmeStatuses": "dibao", "title": "walk"}
    return lambda name: by_name.get(name)


def _bodies(response: Any) -> list[str]:
    raw = response.text
    try:
        decoded = json.dumps(response.json(), ensure_ascii=False)
    except ValueError:
        decoded = raw
    return [raw, decoded]


def test_charity_never_sees_personal_data_of_non_accepting_recipients(
        scenario: dict[str, Any]) -> None:
    client: TestClient = scenario["client"]
    people: list[sc.Recipient] = scenario["people"]
    accepted, others = people[0], people[1:]
    forbidden_everywhere = [accepted.id_number, accepted.birth_date, *scenario["health"]]
    for person in others:
        forbidden_everywhere += [*person.secrets, person.birth_date]
    forbidden_everywhere = [v for v in forbidden_everywhere if v]
    assert scenario["health"], "the recipients should carry health details to look for"
    graphql_schema = schema._schema
    sent = with_data = 0
    reached: set[str] = set()
    contact_names: list[str] = []
    for operation, root in (("query", graphql_schema.query_type),
                            ("mutation", graphql_schema.mutation_type)):
        for name, field in root.fields.items():
            for person in people:
                walk = Walk(_picker(person, scenario["tokens"][person.person_id],
                                    scenario["donation"]))
                for document in walk.documents(operation, name, field):
                    response = client.post("/graphql", json={"query": document},
                                           headers=sc_headers())
                    sent += 1
                    assert response.status_code == 200, (name, response.status_code)
                    body = response.json()
                    codes = {e.get("extensions", {}).get("code")
                             for e in body.get("errors") or []}
                    assert "GRAPHQL_VALIDATION_FAILED" not in codes, (name, body["errors"])
                    if body.get("data") and any(body["data"].values()):
                        with_data += 1
                        reached.add(name)
                    for text in _bodies(response):
                        hits = find_identifiers(text)
                        leaked = [v for v in forbidden_everywhere if v in text]
                        assert not leaked, (name, document[:80])
                        if name == "referralContact" and person is accepted:
                            assert all(h.kind == "mobile" for h in hits), name
                            contact_names += [accepted.name] if accepted.name in text else []
                        else:
                            assert hits == [], (name, document[:80])
                            assert accepted.name not in text, (name, document[:80])
                            assert not any(p in text for p in accepted.phones), name
    roots = len(graphql_schema.query_type.fields) + len(graphql_schema.mutation_type.fields)
    assert sent >= roots * len(people) * 2
    assert with_data >= 6  # the walk reached real data, not only refusals
    assert reached == OWN_SURFACE  # nothing of anyone else's API answers a charity
    assert contact_names  # the accepted recipient's contact was disclosed to the charity
    assert len(scenario["listed"]["matches"]) >= 3


def sc_headers() -> dict[str, str]:
    """A charity's headers (purpose charity_matching)."""
    from tests.api_helpers import headers

    return headers(sc.charity(REGION), "charity_matching")

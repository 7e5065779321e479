"""Charity matching over real HTTP on the real Neo4j: flow, revocation, expiry, no double
funding, and the audit events of disclosure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from privacy import find_identifiers
from tests.api_helpers import api_settings, gql
from tests.resolvers import charity_scenario as sc

pytestmark = pytest.mark.neo4j
REGION = "360222"


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    sc.clear(linked_sample)
    with TestClient(create_app(api_settings(settings))) as opened:
        yield opened
    sc.clear(linked_sample)


@pytest.fixture
def people(settings: Settings, linked_sample: Store) -> list[sc.Recipient]:
    return sc.recipients(linked_sample, open_privacy(settings), REGION, 3)


def _codes(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def _clean(text: str, people: list[sc.Recipient]) -> None:
    assert find_identifiers(text) == []
    for person in people:
        for secret in [*person.secrets, person.person_id, person.household_id]:
            assert secret not in text


def test_match_confirm_accept_then_disclose(client: TestClient, linked_sample: Store,
                                            settings: Settings,
                                            people: list[sc.Recipient]) -> None:
    log = AuditLog.open(linked_sample, api_settings(settings))
    start = max((e.seq for e in log.events()), default=0)
    sc.register(client, REGION)
    for person in people:
        person.consent_id = sc.consent(client, REGION, person.person_id,
                                       categories=["winter_heating"])
    donation = sc.publish(client, REGION)
    listed = sc.matches(client, REGION, donation)
    tokens = {m["referralToken"] for m in listed["matches"]}
    mine = {p.person_id: sc.token_of(linked_sample, donation, p.person_id) for p in people}
    assert set(mine.values()) <= tokens
    first = listed["matches"][0]
    assert first["regionCode"] == REGION and first["category"] == "winter_heating"
    assert first["householdSize"] >= 1 and any("低保" in r for r in first["reasons"])
    chosen = people[0]
    ref = mine[chosen.person_id]
    assert _codes(sc.contact(client, REGION, ref)) == ["NOT_FOUND"]  # not accepted yet
    assert sc.ok(sc.confirm(client, REGION, ref))["confirmReferral"]["status"] == "confirmed"
    assert _codes(sc.contact(client, REGION, ref)) == ["NOT_FOUND"]  # confirmed only
    assert sc.ok(sc.decide(client, REGION, ref))["recordReferralDecision"]["status"] == \
        "accepted"
    shown = sc.ok(sc.contact(client, REGION, ref))["referralContact"]
    assert shown["name"] == chosen.name and shown["phone"] in chosen.phones
    assert _codes(sc.contact(client, REGION, ref, org=sc.OTHER_CHARITY)) == ["NOT_FOUND"]
    again = sc.matches(client, REGION, donation)
    assert {m["status"] for m in again["matches"] if m["referralToken"] == ref} == {"accepted"}
    _clean(str(again), people)
    events = [e for e in log.events() if e.seq > start and "ReferralContact.name" in
              e.fields_returned]
    assert len(events) == 1 and events[0].consent_id == chosen.consent_id
    assert events[0].action == "query.referralContact" and events[0].decision == "allow"
    assert {"ReferralContact.name", "ReferralContact.phone"} <= set(events[0].fields_returned)
    assert events[0].subject_ref and chosen.person_id not in repr(events)


def test_revoking_consent_withdraws_pending_referrals_at_once(
        client: TestClient, linked_sample: Store, people: list[sc.Recipient]) -> None:
    sc.register(client, REGION)
    consents = {p.person_id: sc.consent(client, REGION, p.person_id) for p in people}
    donation = sc.publish(client, REGION)
    sc.matches(client, REGION, donation)
    refs = {pid: sc.token_of(linked_sample, donation, pid) for pid in consents}
    confirmed, proposed, _ = people
    sc.ok(sc.confirm(client, REGION, refs[confirmed.person_id]))
    for person in (confirmed, proposed):
        sc.ok(gql(client, "mutation($id: ID!) { revokeConsent(consentId: $id) { inForce } }",
                  bearer=sc.caseworker(REGION), variables={"id": consents[person.person_id]}))
    stored = {r["token"]: r["status"] for r in linked_sample.read(
        "MATCH (r:Referral) RETURN r.token AS token, r.status AS status")}
    assert stored[refs[confirmed.person_id]] == "withdrawn"
    assert stored[refs[proposed.person_id]] == "withdrawn"
    assert _codes(sc.decide(client, REGION, refs[confirmed.person_id])) == ["CONFLICT"]
    assert _codes(sc.confirm(client, REGION, refs[proposed.person_id])) == ["CONFLICT"]
    listed = {m["referralToken"] for m in sc.matches(client, REGION, donation)["matches"]}
    assert refs[confirmed.person_id] not in listed and refs[proposed.person_id] not in listed
    assert refs[people[2].person_id] in listed
    queue = sc.ok(gql(client, "{ referralQueue { referralToken status } }",
                      bearer=sc.caseworker(REGION)))["referralQueue"]
    assert {q["referralToken"] for q in queue} == {refs[people[2].person_id]}


def test_expired_consent_excludes_the_recipient(client: TestClient, linked_sample: Store,
                                                 people: list[sc.Recipient]) -> None:
    sc.register(client, REGION)
    consents = {p.person_id: sc.consent(client, REGION, p.person_id) for p in people}
    donation = sc.publish(client, REGION)
    sc.matches(client, REGION, donation)
    expiring = people[0]
    ref = sc.token_of(linked_sample, donation, expiring.person_id)
    sc.ok(sc.confirm(client, REGION, ref))
    linked_sample.write(  # time passes: the consent's validity ends
        "MATCH (c:Consent {consent_id: $id}) SET c.expires_at = datetime() - duration('PT1M')",
        id=consents[expiring.person_id])
    listed = {m["referralToken"] for m in sc.matches(client, REGION, donation)["matches"]}
    assert ref not in listed and len(listed & {sc.token_of(linked_sample, donation, p.person_id)
                                               for p in people[1:]}) == 2
    assert _codes(sc.decide(client, REGION, ref)) == ["CONFLICT"]
    queue = sc.ok(gql(client, '{ referralQueue(status: ["withdrawn"]) { referralToken } }',
                      bearer=sc.caseworker(REGION)))["referralQueue"]
    assert ref in {q["referralToken"] for q in queue}


def test_no_double_funding_for_the_same_need(client: TestClient, linked_sample: Store,
                                             people: list[sc.Recipient]) -> None:
    sc.register(client, REGION)
    sc.register(client, REGION, org=sc.OTHER_CHARITY)
    for person in people:
        sc.consent(client, REGION, person.person_id, grantee="*")
    first = sc.publish(client, REGION)
    second = sc.publish(client, REGION, org=sc.OTHER_CHARITY, start="2027-01-01",
                        end="2027-02-28")
    sc.matches(client, REGION, first)
    before = sc.matches(client, REGION, second, org=sc.OTHER_CHARITY)
    funded = people[0]
    early = sc.token_of(linked_sample, second, funded.person_id)
    ref = sc.token_of(linked_sample, first, funded.person_id)
    sc.ok(sc.confirm(client, REGION, ref))
    after = sc.matches(client, REGION, second, org=sc.OTHER_CHARITY)
    assert early in {m["referralToken"] for m in before["matches"]}
    assert early not in {m["referralToken"] for m in after["matches"]}
    assert after["excludedAlreadyMatched"] == before["excludedAlreadyMatched"] + 1
    assert _codes(sc.confirm(client, REGION, early)) == ["CONFLICT"]
    # a later, non-overlapping period is a different need: no exclusion
    later = sc.publish(client, REGION, org=sc.OTHER_CHARITY, start="2027-11-01",
                       end="2028-03-31")
    sc.matches(client, REGION, later, org=sc.OTHER_CHARITY)
    sc.ok(sc.confirm(client, REGION, sc.token_of(linked_sample, later, funded.person_id)))


def test_government_aid_for_the_same_need_excludes(client: TestClient, linked_sample: Store,
                                                    people: list[sc.Recipient]) -> None:
    sc.register(client, REGION)
    for person in people:
        sc.consent(client, REGION, person.person_id)
    aided = people[1]
    linked_sample.write("""
        MATCH (p:Person {person_id: $pid})
        CREATE (:Fact:AidRecord {fact_key: 'test:winter-aid', programme: '冬春生活救助',
                department: '应急', period: 'one_off', start: date('2026-12-15'),
                end: date('2026-12-15'), kind: 'aid'})-[:GRANTED_TO]->(p)""",
                        pid=aided.person_id)
    try:
        donation = sc.publish(client, REGION)
        listed = sc.matches(client, REGION, donation)
        assert listed["excludedGovernmentAid"] >= 1
        assert not linked_sample.read(
            "MATCH (r:Referral {pair_key: $key}) RETURN r", key=f"{donation}|person:"
            f"{aided.person_id}")
        assert len(listed["matches"]) >= 2
    finally:
        linked_sample.write("MATCH (f:Fact {fact_key: 'test:winter-aid'}) DETACH DELETE f")


def test_places_are_limited_to_the_quantity(client: TestClient, linked_sample: Store,
                                            people: list[sc.Recipient]) -> None:
    sc.register(client, REGION)
    for person in people:
        sc.consent(client, REGION, person.person_id)
    donation = sc.publish(client, REGION, quantity=1)
    sc.matches(client, REGION, donation)
    refs = [sc.token_of(linked_sample, donation, p.person_id) for p in people]
    sc.ok(sc.confirm(client, REGION, refs[0]))
    assert _codes(sc.confirm(client, REGION, refs[1])) == ["CONFLICT"]
    sc.ok(sc.decide(client, REGION, refs[0], accepted=False))
    assert _codes(sc.contact(client, REGION, refs[0])) == ["NOT_FOUND"]  # declined
    sc.ok(sc.confirm(client, REGION, refs[1]))  # the declined place is free again


def test_only_registered_charities_publish_and_only_owners_see_matches(
        client: TestClient, people: list[sc.Recipient]) -> None:
    assert _codes(gql(client, """mutation { publishDonation(donation: {title: "x",
        category: "medical", region: "3602", periodStart: "2026-01-01",
        periodEnd: "2026-12-31", quantity: 1}) { donationId } }""",
        bearer=sc.charity(REGION), purpose="charity_matching")) == ["FORBIDDEN"]
    sc.register(client, REGION)
    sc.consent(client, REGION, people[0].person_id)
    donation = sc.publish(client, REGION)
    other = gql(client, sc.MATCHES, bearer=sc.charity(REGION, sc.OTHER_CHARITY),
                purpose="charity_matching", variables={"id": donation})
    assert _codes(other) == ["NOT_FOUND"]
    bad = gql(client, """mutation { publishDonation(donation: {title: "x", category: "spa",
        region: "3602", periodStart: "2026-01-01", periodEnd: "2025-12-31", quantity: 0})
        { donationId } }""", bearer=sc.charity(REGION), purpose="charity_matching")
    assert _codes(bad) == ["BAD_INPUT"]
    message = bad.json()["errors"][0]["message"]
    assert "category" in message and "period" in message and "quantity" in message


def test_consent_limited_to_categories(client: TestClient, linked_sample: Store,
                                       people: list[sc.Recipient]) -> None:
    sc.register(client, REGION)
    sc.consent(client, REGION, people[0].person_id, categories=["medical"])
    sc.consent(client, REGION, people[1].person_id, categories=["winter_heating", "medical"])
    donation = sc.publish(client, REGION)
    listed = {m["referralToken"] for m in sc.matches(client, REGION, donation)["matches"]}
    assert listed == {sc.token_of(linked_sample, donation, people[1].person_id)}
    for purpose, categories in (("charity_matching", ["spa"]), ("verification", ["medical"])):
        bad = gql(client, """mutation($c: RecordConsentInput!) {
            recordConsent(consent: $c) { consentId } }""", bearer=sc.caseworker(REGION),
                  variables={"c": {"subjectKind": "PERSON", "subjectId": people[2].person_id,
                                   "purpose": purpose, "grantee": sc.CHARITY,
                                   "expiresAt": "2027-06-01T00:00:00+00:00",
                                   "evidenceRef": "F-9", "categories": categories}})
        assert _codes(bad) == ["BAD_INPUT"]


def test_no_double_funding_of_one_household_through_two_members(
        client: TestClient, linked_sample: Store) -> None:
    """Issue 13.10: two members of one household, each with their own consent (one to a
    charity, one to any charity): once one is funded for a household need (winter
    heating), the other is neither offered nor confirmable for it in an overlapping
    period — by the same donation or another charity's. A personal need (education)
    stays per person: both members may be funded for it."""
    _, first_member, second_member = sc.household_pair(linked_sample, REGION)
    sc.register(client, REGION)
    sc.register(client, REGION, org=sc.OTHER_CHARITY)
    sc.consent(client, REGION, first_member, grantee=sc.CHARITY)
    sc.consent(client, REGION, second_member, grantee="*")
    heating = sc.publish(client, REGION, programmeStatuses=[])
    other_heating = sc.publish(client, REGION, org=sc.OTHER_CHARITY, start="2027-01-01",
                               end="2027-02-28", programmeStatuses=[])
    listed = sc.matches(client, REGION, heating)
    before = sc.matches(client, REGION, other_heating, org=sc.OTHER_CHARITY)
    funded = sc.token_of(linked_sample, heating, first_member)
    same_donation = sc.token_of(linked_sample, heating, second_member)
    other_donation = sc.token_of(linked_sample, other_heating, second_member)
    assert {funded, same_donation} <= {m["referralToken"] for m in listed["matches"]}
    assert other_donation in {m["referralToken"] for m in before["matches"]}
    assert sc.ok(sc.confirm(client, REGION, funded))["confirmReferral"]["status"] == \
        "confirmed"
    for token in (same_donation, other_donation):
        refused = sc.confirm(client, REGION, token)
        assert _codes(refused) == ["CONFLICT"]
        assert "household" in refused.json()["errors"][0]["message"]
    after = sc.matches(client, REGION, other_heating, org=sc.OTHER_CHARITY)
    assert other_donation not in {m["referralToken"] for m in after["matches"]}
    assert after["excludedAlreadyMatched"] == before["excludedAlreadyMatched"] + 1
    again = sc.matches(client, REGION, heating)
    assert same_donation not in {m["referralToken"] for m in again["matches"]}
    assert funded in {m["referralToken"] for m in again["matches"]}
    # a personal need is per person: each member may be funded for it
    school = sc.publish(client, REGION, category="education", programmeStatuses=[])
    sc.matches(client, REGION, school)
    for member in (first_member, second_member):
        confirmed = sc.ok(sc.confirm(client, REGION, sc.token_of(linked_sample, school, member)))
        assert confirmed["confirmReferral"]["status"] == "confirmed"

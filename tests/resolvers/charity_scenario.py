"""A charity-matching scenario on the linked sample, driven over HTTP like real users.

The caseworker (民政, in the recipients' county) registers a charity and records charity
consents; the charity publishes a donation and asks for matches. Helpers return what the
tests need: tokens, the recipients' hub ids, and every plaintext personal value of the
recipients (to scan responses for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from hub.privacy_graph.kit import PrivacyKit
from hub.store import Store
from tests.api_helpers import gql, token

CHARITY = "CH-TEST-01"
OTHER_CHARITY = "CH-TEST-02"
_CLEAR = """
MATCH (n) WHERE n:Charity OR n:Donation OR n:Referral
   OR (n:Consent AND n.purpose = 'charity_matching')
DETACH DELETE n
"""

# living recipients of 低保 in the donation period, in a current household, with a phone
# on file, in a county
RECIPIENTS = """
MATCH (p:Person)-[:MEMBER_OF {status: '正常'}]->(h:Household {region_code: $region})
WHERE coalesce(p.status, '正常') = '正常'
  AND EXISTS { MATCH (a:AidRecord)-[:GRANTED_TO|COVERS]->(p)
               WHERE a.programme IN ['城市低保', '农村低保']
                 AND (a.end IS NULL OR a.end >= date('2026-11-01')) }
  AND EXISTS { MATCH (p)-[:GRANTED_TO|HAS]-(f:Fact)
               WHERE (f:AidRecord OR f:MonitoringCase) AND f.enc_phones IS NOT NULL }
  AND NOT EXISTS { MATCH (a:AidRecord)-[:GRANTED_TO|COVERS]->(p)
                   WHERE a.programme = '冬春生活救助' }
RETURN p.person_id AS person_id, h.household_id AS household_id
ORDER BY person_id
LIMIT $n
"""

# two living members of one household of a county, none of whose members has government
# aid for winter or schooling (so winter_heating and education donations fit both)
HOUSEHOLD_PAIR = """
MATCH (h:Household {region_code: $region})<-[:MEMBER_OF {status: '正常'}]-(p:Person)
WHERE coalesce(p.status, '正常') = '正常'
WITH h, p ORDER BY p.person_id
WITH h, collect(p.person_id) AS people
WHERE size(people) >= 2 AND NOT EXISTS {
  MATCH (a:AidRecord)-[:GRANTED_TO|COVERS]->(:Person)-[:MEMBER_OF]->(h)
  WHERE a.programme IN ['冬春生活救助', '应急期生活救助', '过渡期生活救助']
     OR a.department = '教育' }
RETURN h.household_id AS household_id, people[0..2] AS people
ORDER BY household_id
LIMIT 1
"""

SECRETS = """
MATCH (p:Person {person_id: $person_id})
OPTIONAL MATCH (p)-[:GRANTED_TO|HAS]-(f:Fact)
WHERE (f:AidRecord OR f:MonitoringCase) AND f.enc_phones IS NOT NULL
RETURN p.enc_name AS name, p.enc_id_number AS id_number, p.enc_birth_date AS birth,
       collect({key: f.fact_key, label: CASE WHEN f:AidRecord THEN 'AidRecord'
                ELSE 'MonitoringCase' END, phones: f.enc_phones}) AS phones
"""


@dataclass
class Recipient:
    """A test recipient: hub ids and the plaintexts that must never reach a charity."""

    person_id: str
    household_id: str
    name: str
    id_number: str
    birth_date: str
    phones: list[str] = field(default_factory=list)
    consent_id: str = ""

    @property
    def secrets(self) -> list[str]:
        """Every plaintext personal value of this recipient."""
        return [v for v in (self.name, self.id_number, *self.phones) if v]


def clear(store: Store) -> None:
    """Remove charities, donations, referrals and charity consents (the sample stays)."""
    store.write(_CLEAR)


def recipients(store: Store, kit: PrivacyKit, region: str, n: int) -> list[Recipient]:
    """``n`` living 低保 recipients of ``region`` with their plaintexts (decrypted here)."""
    found = []
    enc = kit.encryptor
    for row in store.read(RECIPIENTS, region=region, n=n):
        pid = row["person_id"]
        s = store.read(SECRETS, person_id=pid)[0]
        phones = []
        for item in s["phones"]:
            if item["phones"]:
                text = enc.decrypt(item["phones"], label=item["label"], record_key=item["key"],
                                   field="phones")
                phones += [p.strip() for p in text.split(";") if p.strip()]
        found.append(Recipient(
            person_id=pid, household_id=row["household_id"],
            name=enc.decrypt(s["name"], label="Person", record_key=pid, field="name"),
            id_number=enc.decrypt(s["id_number"], label="Person", record_key=pid,
                                  field="id_number") if s["id_number"] else "",
            birth_date=enc.decrypt(s["birth"], label="Person", record_key=pid,
                                   field="birth_date") if s["birth"] else "",
            phones=phones))
    assert len(found) == n, "the sample lacks enough recipients for the scenario"
    return found


def household_pair(store: Store, region: str) -> tuple[str, str, str]:
    """Two living members of one household of ``region``: (household id, person, person)."""
    rows = store.read(HOUSEHOLD_PAIR, region=region)
    assert rows, "the sample lacks a household of two in the region"
    first, second = rows[0]["people"]
    return str(rows[0]["household_id"]), str(first), str(second)


def caseworker(region: str) -> str:
    """A 民政 caseworker token for ``region``."""
    return token("caseworker", org="民政", regions=(region,), subject="cw-charity")


def charity(region: str, org: str = CHARITY) -> str:
    """A charity token acting in ``region``."""
    return token("charity", org=org, regions=(region,), subject=f"{org}-staff")


def ok(response: Any) -> dict[str, Any]:
    """The ``data`` of a successful GraphQL response (fails the test on errors)."""
    body = response.json()
    assert not body.get("errors"), body.get("errors")
    return body["data"]


def register(client: TestClient, region: str, org: str = CHARITY) -> None:
    """A caseworker registers a charity."""
    ok(gql(client, 'mutation($id: String!) { registerCharity(charityId: $id, name: "测试慈善会")'
                   " { charityId } }", bearer=caseworker(region), variables={"id": org}))


def consent(client: TestClient, region: str, person_id: str, *, grantee: str = CHARITY,
            categories: list[str] | None = None, days: int = 90) -> str:
    """A caseworker records a charity-matching consent; returns its id."""
    expires = (datetime.now(UTC) + timedelta(days=days)).isoformat()
    data = ok(gql(client, """mutation($c: RecordConsentInput!) {
        recordConsent(consent: $c) { consentId } }""", bearer=caseworker(region),
                  variables={"c": {"subjectKind": "PERSON", "subjectId": person_id,
                                   "purpose": "charity_matching", "grantee": grantee,
                                   "expiresAt": expires, "evidenceRef": "CONSENT-FORM-1",
                                   "categories": categories}}))
    return str(data["recordConsent"]["consentId"])


def publish(client: TestClient, region: str, *, org: str = CHARITY,
            category: str = "winter_heating", quantity: int = 5,
            start: str = "2026-11-01", end: str = "2027-03-31", **extra: Any) -> str:
    """The charity publishes a donation; returns its id."""
    donation = {"title": "冬季取暖煤", "category": category, "region": region[:4],
                "periodStart": start, "periodEnd": end, "quantity": quantity,
                "programmeStatuses": ["dibao"], **extra}
    data = ok(gql(client, """mutation($d: DonationInput!) {
        publishDonation(donation: $d) { donationId } }""", bearer=charity(region, org),
                  purpose="charity_matching", variables={"d": donation}))
    return str(data["publishDonation"]["donationId"])


MATCHES = """query($id: ID!) { donationMatches(donationId: $id) {
    matches { referralToken regionCode category householdSize reasons score status }
    excludedGovernmentAid excludedAlreadyMatched } }"""


def matches(client: TestClient, region: str, donation_id: str, org: str = CHARITY
            ) -> dict[str, Any]:
    """The charity's matches of a donation."""
    return ok(gql(client, MATCHES, bearer=charity(region, org), purpose="charity_matching",
                  variables={"id": donation_id}))["donationMatches"]


def token_of(store: Store, donation_id: str, person_id: str) -> str:
    """The referral token of a recipient for a donation (test-side lookup in the graph)."""
    rows = store.read("MATCH (r:Referral {pair_key: $key}) RETURN r.token AS token",
                      key=f"{donation_id}|person:{person_id}")
    assert rows, "no referral for this recipient"
    return str(rows[0]["token"])


def confirm(client: TestClient, region: str, ref: str) -> Any:
    """A caseworker confirms a referral (the raw response)."""
    return gql(client, """mutation($t: String!) { confirmReferral(referralToken: $t)
        { status } }""", bearer=caseworker(region), variables={"t": ref})


def decide(client: TestClient, region: str, ref: str, accepted: bool = True) -> Any:
    """A caseworker records the recipient's answer (the raw response)."""
    return gql(client, """mutation($t: String!, $a: Boolean!) {
        recordReferralDecision(referralToken: $t, accepted: $a, evidenceRef: "ANSWER-7")
        { status } }""", bearer=caseworker(region), variables={"t": ref, "a": accepted})


CONTACT = """query($t: String!) { referralContact(referralToken: $t)
    { referralToken regionCode name phone } }"""


def contact(client: TestClient, region: str, ref: str, org: str = CHARITY) -> Any:
    """The charity asks for the contact of a referral (the raw response)."""
    return gql(client, CONTACT, bearer=charity(region, org), purpose="charity_matching",
               variables={"t": ref})

"""reportAid and the link-review fields over real HTTP on the linked sample."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph_schema import labels
from hub.app import create_app
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.store import Store
from tests.api_helpers import api_settings, gql, token
from tests.leftovers import removing_new_nodes

pytestmark = pytest.mark.neo4j
REPORT = """mutation($a: ReportAidInput!) { reportAid(aid: $a) {
  recordKey personId programme department period start amount regionCode link } }"""


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    """The API on the linked sample; the aid reported and the review pairs queued by a
    test are removed after it."""
    with removing_new_nodes(linked_sample, labels.AID_RECORD, labels.REVIEW_PAIR), \
            TestClient(create_app(api_settings(settings))) as opened:
        yield opened


@pytest.fixture
def kit(settings: Settings) -> PrivacyKit:
    return open_privacy(settings)


def _recipient(store: Store, kit: PrivacyKit, region: str = "659001") -> tuple[str, str]:
    row = store.read("""
        MATCH (p:Person {region_code: $region}) WHERE p.bi_id IS NOT NULL
        RETURN p.person_id AS person_id, p.enc_id_number AS enc
        ORDER BY p.person_id LIMIT 1""", region=region)[0]
    id_number = kit.encryptor.decrypt(row["enc"], label="Person", record_key=row["person_id"],
                                      field="id_number")
    return row["person_id"], id_number


def _report(id_number: str, **changes: Any) -> dict[str, Any]:
    values = {"idNumber": id_number, "recordId": "YB-2026-0001", "programme": "医疗救助",
              "amount": 1200.5, "period": "one_off", "start": "2026-11-02",
              "regionCode": "659001"}
    values.update(changes)
    return {"a": values}


# -- reportAid ---------------------------------------------------------------------------------

def test_a_department_reports_aid_and_it_joins_the_aid_chain(
        client: TestClient, linked_sample: Store, settings: Settings, kit: PrivacyKit) -> None:
    person_id, id_number = _recipient(linked_sample, kit)
    bearer = token("department", org="医保")
    response = gql(client, REPORT, bearer=bearer, purpose="overlap_check",
                   variables=_report(id_number))
    body = response.json()
    assert "errors" not in body, body
    aid = body["data"]["reportAid"]
    assert aid["personId"] == person_id and aid["department"] == "医保"
    assert aid["amount"] == 1200.5 and aid["link"] == "recipient"
    again = gql(client, REPORT, bearer=bearer, purpose="overlap_check",
                variables=_report(id_number)).json()["data"]["reportAid"]
    assert again["recordKey"] == aid["recordKey"]  # idempotent per department record id
    chain = gql(client, "query($p: ID!) { aidChain(personId: $p) { recordKey department } }",
                bearer=token("caseworker"), variables={"p": person_id}).json()
    assert [a["recordKey"] for a in chain["data"]["aidChain"]].count(aid["recordKey"]) == 1
    events = [e for e in AuditLog.open(linked_sample, api_settings(settings)).events()
              if e.correlation_id == response.headers["x-correlation-id"]]
    assert {e.action for e in events} == {"mutation.reportAid"}
    assert any(e.subject_ref and "AidRecord.amount" in e.fields_returned for e in events)
    assert id_number not in repr(events)


def test_bad_reports_name_every_bad_field_without_echoing_values(
        client: TestClient, linked_sample: Store, kit: PrivacyKit) -> None:
    _, id_number = _recipient(linked_sample, kit)
    body = gql(client, REPORT, bearer=token("department", org="医保"), purpose="overlap_check",
               variables=_report(id_number[:-1] + "0", amount=-5, period="weekly",
                                 regionCode="65")).json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_INPUT"
    for name in ("idNumber", "amount", "period", "regionCode"):
        assert name in error["message"]
    assert id_number[:-1] not in repr(body)


def test_reports_outside_the_jurisdiction_or_by_the_wrong_role_are_refused(
        client: TestClient, linked_sample: Store, kit: PrivacyKit) -> None:
    _, id_number = _recipient(linked_sample, kit)
    far = gql(client, REPORT, bearer=token("department", org="医保", regions=("410502",)),
              purpose="overlap_check", variables=_report(id_number)).json()
    assert far["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    verifier = gql(client, REPORT, bearer=token("verifier"), purpose="verification",
                   variables=_report(id_number)).json()
    assert verifier["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unknown = gql(client, REPORT, bearer=token("department", org="医保"),
                  purpose="overlap_check", variables=_report("11010519491231002X")).json()
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "11010519491231002X" not in repr(unknown)


# -- link review -------------------------------------------------------------------------------

@pytest.fixture
def pending_pair(linked_sample: Store) -> Iterator[dict[str, Any]]:
    """A pending review pair of two records in 659001 (the sample links cleanly), removed
    after the test."""
    with removing_new_nodes(linked_sample, labels.REVIEW_PAIR):
        yield _queue_pair(linked_sample)


def _queue_pair(linked_sample: Store) -> dict[str, Any]:
    row = linked_sample.write("""
        MATCH (a:SourceRecord {region_code: '659001'}), (b:SourceRecord {region_code: '659001'})
        WHERE a.mention_key < b.mention_key AND a.source <> b.source
          AND a.enc_name IS NOT NULL AND b.enc_name IS NOT NULL
        WITH a, b LIMIT 1
        MERGE (q:ReviewPair {pair_key: a.mention_key + '|' + b.mention_key})
        SET q.key_a = a.mention_key, q.key_b = b.mention_key, q.status = 'pending',
            q.weight = 3.5, q.reason = 'between thresholds'
        RETURN q.pair_key AS pair_key, q.key_a AS key_a, q.key_b AS key_b""")[0]
    return row


def test_caseworker_reviews_the_queue_with_explanations_and_decides(
        client: TestClient, pending_pair: dict[str, Any]) -> None:
    queue = gql(client, """{ linkReviewQueue(region: "659001", first: 10) { pairId recordA
                  recordB weight status explanation { total comparisons {
                  comparison level weight } } } }""", bearer=token("caseworker")).json()
    assert "errors" not in queue, queue
    pair = next(p for p in queue["data"]["linkReviewQueue"]
                if p["pairId"] == pending_pair["pair_key"])
    explanation = pair["explanation"]
    assert explanation["comparisons"][0]["comparison"] == "prior"
    assert explanation["total"] == pytest.approx(
        sum(c["weight"] for c in explanation["comparisons"]))
    one = gql(client, "query($p: ID!) { linkReviewPair(pairId: $p) { pairId recordA recordB "
                      "weight status explanation { total } } }", bearer=token("caseworker"),
              variables={"p": pair["pairId"]}).json()["data"]["linkReviewPair"]
    assert one == {**{k: v for k, v in pair.items() if k != "explanation"},
                   "explanation": {"total": explanation["total"]}}
    direct = gql(client, "query($a: String!, $b: String!) { explainLink(recordA: $a, "
                         "recordB: $b) { total } }", bearer=token("caseworker"),
                 variables={"a": pending_pair["key_a"], "b": pending_pair["key_b"]}).json()
    assert direct["data"]["explainLink"]["total"] == pytest.approx(explanation["total"])
    decide = """mutation($p: ID!, $r: String!) { decideLinkReview(pairId: $p,
                  decision: REJECT, reason: $r) { pairId status } }"""
    leaky = gql(client, decide, bearer=token("caseworker"),
                variables={"p": pair["pairId"], "r": "same as 659001198001011230"}).json()
    assert leaky["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert "659001198001011230" not in repr(leaky)
    decided = gql(client, decide, bearer=token("caseworker"),
                  variables={"p": pair["pairId"], "r": "different birth dates"}).json()
    assert decided["data"]["decideLinkReview"]["status"] == "rejected"
    after = gql(client, '{ linkReviewQueue(first: 100) { pairId } }',
                bearer=token("caseworker")).json()["data"]["linkReviewQueue"]
    assert pair["pairId"] not in {p["pairId"] for p in after}
    shown = gql(client, "query($p: ID!) { linkReviewPair(pairId: $p) { status } }",
                bearer=token("caseworker"), variables={"p": pair["pairId"]}).json()
    assert shown["data"]["linkReviewPair"]["status"] == "rejected"  # decided pairs stay readable


def test_review_is_for_caseworkers_in_the_pairs_jurisdiction(
        client: TestClient, pending_pair: dict[str, Any]) -> None:
    other = token("caseworker", regions=("410502",))
    assert gql(client, '{ linkReviewQueue { pairId } }', bearer=other).json() == {
        "data": {"linkReviewQueue": []}}
    region = gql(client, '{ linkReviewQueue(region: "659001") { pairId } }', bearer=other)
    assert region.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    explain = gql(client, "query($a: String!, $b: String!) { explainLink(recordA: $a, "
                          "recordB: $b) { total } }", bearer=other,
                  variables={"a": pending_pair["key_a"], "b": pending_pair["key_b"]}).json()
    assert explain["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    one = gql(client, "query($p: ID!) { linkReviewPair(pairId: $p) { pairId } }", bearer=other,
              variables={"p": pending_pair["pair_key"]}).json()
    assert one["errors"][0]["extensions"]["code"] == "FORBIDDEN" and one["data"] is None
    verifier = gql(client, '{ linkReviewQueue { pairId } }', bearer=token("verifier"),
                   purpose="verification").json()
    assert verifier["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    department = gql(client, '{ linkReviewQueue { pairId } }',
                     bearer=token("department", org="医保"), purpose="overlap_check").json()
    assert department["errors"][0]["extensions"]["code"] == "FORBIDDEN"

"""No N+1: Neo4j round trips per request do not grow with the number of members or items."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import ManagedTransaction, Session
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.store import Store
from tests.api_helpers import api_settings, gql, token

pytestmark = pytest.mark.neo4j

HOUSEHOLD = """query($h: String!) { household(householdId: $h) {
  householdId address aid { programme amount }
  members { relation supporters { personId kind } person {
    personId name idNumber phone address
    aidChain { programme department amount }
    sourceRecords { source recordId weight } } } } }"""


class RoundTrips:
    """Counts every query sent to Neo4j (managed transactions and auto-commit runs)."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def data(self) -> list[str]:
        """Queries other than the audit log's own appends."""
        return [text for text in self.queries if "Audit" not in text]


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> RoundTrips:
    counter = RoundTrips()
    for cls in (ManagedTransaction, Session):
        original = cls.run

        def counting(self: Any, query: Any, *args: Any, _original: Any = original,
                     **kwargs: Any) -> Any:
            counter.queries.append(str(getattr(query, "text", query)))
            return _original(self, query, *args, **kwargs)

        monkeypatch.setattr(cls, "run", counting)
    return counter


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    # checkpoints (one query per N audit events) would blur the count: set N out of reach
    with TestClient(create_app(api_settings(settings, audit_checkpoint_every=10**9))) as opened:
        yield opened


def _households_by_size(store: Store) -> list[dict[str, Any]]:
    return store.read("""
        MATCH (h:Household {region_code: '659001'})<-[:MEMBER_OF]-(p:Person)
        WITH h, count(p) AS members
        WITH members, min(h.household_id) AS household_id
        RETURN household_id, members ORDER BY members""")


def _count(client: TestClient, trips: RoundTrips, query: str, variables: dict[str, Any]
           ) -> tuple[int, int, Any]:
    trips.queries.clear()
    body = gql(client, query, bearer=token("caseworker"), variables=variables).json()
    assert "errors" not in body, body
    return len(trips.queries), len(trips.data()), body["data"]


def test_household_members_aid_chains_cost_the_same_round_trips_at_any_size(
        client: TestClient, linked_sample: Store, trips: RoundTrips) -> None:
    sizes = _households_by_size(linked_sample)
    small, large = sizes[0], sizes[-1]
    assert large["members"] >= small["members"] + 2
    counts = {}
    for household in (small, large):
        total, data, result = _count(client, trips, HOUSEHOLD,
                                     {"h": household["household_id"]})
        members = result["household"]["members"]
        assert len(members) == household["members"]
        assert any(m["person"]["sourceRecords"] for m in members)
        counts[household["members"]] = (total, data)
    # household + one batched query each for aid chains, provenance and contacts
    assert {data for _, data in counts.values()} == {4}
    assert len({total for total, _ in counts.values()}) == 1, counts


def test_root_aid_chain_is_one_round_trip_whatever_its_length(
        client: TestClient, linked_sample: Store, trips: RoundTrips) -> None:
    rows = linked_sample.read("""
        MATCH (a:AidRecord)-[:GRANTED_TO|COVERS]->(p:Person {region_code: '659001'})
        WITH p, count(a) AS n RETURN p.person_id AS person_id, n ORDER BY n, person_id""")
    short, long = rows[0], rows[-1]
    query = "query($p: ID!) { aidChain(personId: $p) { programme department amount } }"
    counts = set()
    lengths = []
    for row in (short, long):
        _, data, result = _count(client, trips, query, {"p": row["person_id"]})
        counts.add(data)
        lengths.append(len(result["aidChain"]))
    assert counts == {1}
    assert lengths[0] <= lengths[1] and lengths[1] >= 1


def _queue_pairs(store: Store, count: int) -> None:
    store.write("""
        MATCH (q:ReviewPair) WHERE q.created_run_id = 'round-trip-test' DETACH DELETE q""")
    store.write("""
        MATCH (a:SourceRecord {region_code: '659001'}), (b:SourceRecord {region_code: '659001'})
        WHERE a.mention_key < b.mention_key AND a.source <> b.source
          AND a.enc_name IS NOT NULL AND b.enc_name IS NOT NULL
        WITH a, b ORDER BY a.mention_key, b.mention_key LIMIT $count
        MERGE (q:ReviewPair {pair_key: a.mention_key + '|' + b.mention_key})
        SET q.key_a = a.mention_key, q.key_b = b.mention_key, q.status = 'pending',
            q.weight = 100.0, q.created_run_id = 'round-trip-test'""", count=count)


def test_review_queue_explanations_are_batched(
        client: TestClient, linked_sample: Store, trips: RoundTrips) -> None:
    query = "{ linkReviewQueue(first: 50) { pairId explanation { total } } }"
    counts = {}
    try:
        for size in (1, 4):
            _queue_pairs(linked_sample, size)
            _, data, result = _count(client, trips, query, {})
            pairs = [p for p in result["linkReviewQueue"] if p["explanation"] is not None]
            assert len(pairs) >= size
            counts[size] = data
    finally:
        _queue_pairs(linked_sample, 0)  # the linked sample is given back as it was built
    # the queue, then one read of the mentions and one of the link settings for all pairs
    assert counts == {1: 3, 4: 3}

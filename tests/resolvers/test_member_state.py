"""Each household member's state (LIVING, DECEASED, MOVED_OUT) in the API, and the demo's
applicant a living member; a re-run of the linker says nothing new was linked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.cli.demo_cmd import link_message
from hub.config import Settings
from hub.datasets.demo_tour import prepare_tour
from hub.privacy_graph.kit import open_privacy
from hub.resolution import run_link
from hub.store import Store
from tests.api_helpers import api_settings, gql, token

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

REGIONS = ("659001", "533401", "410502", "360222")
MIXED = """
MATCH (h:Household)<-[m:MEMBER_OF]-(p:Person)
WITH h, collect({id: p.person_id, membership: m.status, person: p.status}) AS members
WHERE any(x IN members WHERE x.membership <> '正常' OR x.person = '死亡')
  AND any(x IN members WHERE x.membership = '正常')
RETURN h.household_id AS household_id, members ORDER BY household_id LIMIT 5
"""
QUERY = """query($h: String!) { household(householdId: $h) {
  members { status state person { personId } } } }"""


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings), store=linked_sample)) as opened:
        yield opened


def _expected(membership: str | None, person: str | None) -> str:
    if membership == "死亡" or person == "死亡":
        return "DECEASED"
    return {"迁出": "MOVED_OUT", "正常": "LIVING"}.get(membership or "", "UNKNOWN")


def test_household_members_show_living_deceased_or_moved_out(
        client: TestClient, linked_sample: Store) -> None:
    households = linked_sample.read(MIXED)
    assert households, "the sample has households with deceased or moved-out members"
    seen = set()
    for row in households:
        body = gql(client, QUERY, bearer=token("caseworker", regions=REGIONS),
                   variables={"h": row["household_id"]}).json()
        assert not body.get("errors"), body
        states = {m["person"]["personId"]: m["state"]
                  for m in body["data"]["household"]["members"]}
        expected = {x["id"]: _expected(x["membership"], x["person"]) for x in row["members"]}
        assert states == expected
        seen |= set(states.values())
    assert {"LIVING"} < seen and seen & {"DECEASED", "MOVED_OUT"}


@pytest.fixture
def tour_store(linked_sample: Store) -> Iterator[Store]:
    """The sample; the demo's consent is removed afterwards (other tests share it)."""
    yield linked_sample
    linked_sample.write("MATCH (c:Consent {evidence_ref: 'DEMO-AUTH-0001'}) DETACH DELETE c")


def test_the_demo_applicant_is_a_living_member(
        client: TestClient, settings: Settings, tour_store: Store) -> None:
    tour = prepare_tour(tour_store, api_settings(settings, dev_mode=True))
    body = gql(client, QUERY, bearer=token("caseworker", regions=REGIONS),
               variables={"h": tour.consented_household}).json()
    states = {m["person"]["personId"]: m["state"]
              for m in body["data"]["household"]["members"]}
    assert states[tour.consented_person] == "LIVING"
    assert list(states.values()).count("LIVING") >= 2


def test_a_second_link_run_says_nothing_new(settings: Settings, linked_sample: Store) -> None:
    summary = run_link(linked_sample, open_privacy(settings))
    assert summary.mode != "full" and summary.new_mentions == 0
    message = link_message(summary)
    assert "nothing new to link" in message and "0 people" not in message

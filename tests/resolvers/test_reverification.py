"""``reverificationsDue`` over HTTP on the linked sample: the schedule a caseworker draws up,
bound to aid_administration and the caller's jurisdiction, audited per household."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph_schema.queries.maintenance import CLEAR_REVIEW_PLANS
from hub.app import create_app
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.kit import open_privacy
from hub.rules import Verifier
from hub.rules.reviews import reviews_due
from hub.rules.schedule import draw_schedule
from hub.store import Store
from tests.api_helpers import api_settings, gql, token

pytestmark = pytest.mark.neo4j

REGION = "659001"
AS_OF = date(2026, 10, 31)
CASEWORKER = token("caseworker", org="民政", regions=(REGION,))
VERIFIER = token("verifier", org="核对中心", subject="verifier-001", regions=(REGION,))
DUE = """query($r: String!, $d: Date, $h: Int, $o: Int! = 0) { reverificationsDue(region: $r,
  asOf: $d, horizonDays: $h, first: 5, offset: $o) { total nextOffset
  households { householdId programme intervalMonths dueDate reason } } }"""


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    linked_sample.write(CLEAR_REVIEW_PLANS)  # a monitoring test may have drawn plans
    with TestClient(create_app(api_settings(settings), store=linked_sample)) as opened:
        yield opened
    linked_sample.write(CLEAR_REVIEW_PLANS)


def test_a_drawn_schedule_reads_back_as_the_live_one(client: TestClient, settings: Settings,
                                                      linked_sample: Store) -> None:
    query = """query($r: String!, $d: Date, $h: Int, $o: Int!) { reverificationsDue(
      region: $r, asOf: $d, horizonDays: $h, first: 200, offset: $o) { total drawnOn
      households { householdId programme intervalMonths dueDate reason } } }"""
    variables = {"r": REGION, "d": "2026-12-15", "h": 200, "o": 0}

    def ask() -> dict[str, Any]:
        answer = gql(client, query, bearer=CASEWORKER, purpose="aid_administration",
                     variables=variables).json()
        assert "errors" not in answer, answer
        return dict(answer["data"]["reverificationsDue"])

    live = ask()
    assert live["drawnOn"] is None and live["total"] > 0
    verifier = Verifier(linked_sample, open_privacy(settings))
    planned = draw_schedule(verifier, date(2026, 12, 15), REGION)
    assert planned >= live["total"]
    drawn = ask()
    assert drawn["drawnOn"] == "2026-12-15"
    assert drawn["households"] == live["households"]  # the same plans, read back


def test_the_schedule_equals_the_rules_and_is_audited(client: TestClient, settings: Settings,
                                                       linked_sample: Store) -> None:
    response = gql(client, DUE, bearer=CASEWORKER, purpose="aid_administration",
                   variables={"r": REGION, "d": AS_OF.isoformat(), "h": 366})
    answer = response.json()
    assert "errors" not in answer, answer
    page = answer["data"]["reverificationsDue"]
    rows = page["households"]
    expected = reviews_due(Verifier(linked_sample, open_privacy(settings)), REGION, AS_OF,
                           horizon_days=366)
    assert page["total"] == len(expected) > 5 and page["nextOffset"] == 5
    assert [r["householdId"] for r in rows] == [e.household_id for e in expected[:5]]
    assert [r["dueDate"] for r in rows] == [e.due_date.isoformat() for e in expected[:5]]
    last = gql(client, DUE, bearer=CASEWORKER, purpose="aid_administration", variables={
        "r": REGION, "d": AS_OF.isoformat(), "h": 366, "o": len(expected) - 2})
    tail = last.json()["data"]["reverificationsDue"]
    assert tail["nextOffset"] is None
    assert [r["householdId"] for r in tail["households"]] == [
        e.household_id for e in expected[-2:]]
    assert {r["intervalMonths"] for r in rows} <= {6, 12} and all(r["reason"] for r in rows)
    log = AuditLog.open(linked_sample, api_settings(settings))
    requests = {response.headers["x-correlation-id"], last.headers["x-correlation-id"]}
    audited = {e.subject_ref for e in log.events()
               if e.correlation_id in requests and e.subject_ref}
    assert len(audited) == len(rows) + 2  # one subject per household returned, no more


def test_other_purposes_regions_and_bad_input_are_refused(client: TestClient) -> None:
    wrong_purpose = gql(client, DUE, bearer=CASEWORKER, purpose="monitoring",
                        variables={"r": REGION}).json()
    assert wrong_purpose["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    verifier = gql(client, DUE, bearer=VERIFIER, purpose="verification",
                   variables={"r": REGION}).json()
    assert verifier["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    elsewhere = gql(client, DUE, bearer=CASEWORKER, purpose="aid_administration",
                    variables={"r": "410502"}).json()
    assert elsewhere["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for region, horizon in (("65900", None), ("<b>x</b>", None), (REGION, 5000)):
        bad = gql(client, DUE, bearer=CASEWORKER, purpose="aid_administration",
                  variables={"r": region, "h": horizon}).json()
        assert bad["errors"][0]["extensions"]["code"] == "BAD_INPUT", bad

"""``monitoringAlerts``, ``overlaps`` and ``updateAlertStatus`` over HTTP on the linked sample:
routing by department and jurisdiction, the pre-grant answer per role, the status workflow."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph_schema.queries.maintenance import DROP_ALERTS
from hub.app import create_app
from hub.config import Settings
from hub.monitoring import monitoring_alerts, run_monitoring
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.api_helpers import api_settings, gql, token
from tests.hub.monitoring.truth import TruthMap

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

TRUTH = Path(__file__).parents[1] / "data" / "sample" / "truth"
AS_OF = date(2026, 10, 31)
REGIONS = ("659001", "533401", "410502", "360222")
PAGE = 5  # the literal page size of ALERTS (a literal keeps it under the cost limit)
ALERTS = """query($r: String, $t: String, $s: String, $after: String) {
  monitoringAlerts(region: $r, type: $t, status: $s, first: 5, after: $after) {
    nextCursor alerts { alertId type status department regionCode regionCodes householdId
      personIds programme sources { department source recordId } } } }"""
UPDATE = """mutation($id: ID!, $s: AlertStatusChange!, $why: String) {
  updateAlertStatus(alertId: $id, status: $s, reason: $why) { alertId status department } }"""
ONE_ALERT = """query($id: ID!) { monitoringAlert(alertId: $id) { alertId status department } }"""
OVERLAPS = """query($p: String!, $g: String) { overlaps(person: $p, programme: $g,
  asOf: "2026-10-31") { personFound personId receiving conflicts
  programmes { programme department via } } }"""


@pytest.fixture
def alerts(linked_sample: Store, settings: Settings) -> Iterator[list[dict[str, Any]]]:
    """The sample's alerts after one fresh monitoring run (every alert, unfiltered); they
    are dropped after the test, so the linked sample is given back as it was built."""
    linked_sample.run_autocommit(DROP_ALERTS)
    run_monitoring(linked_sample, open_privacy(settings), as_of=AS_OF)
    yield monitoring_alerts(linked_sample, limit=100_000)
    linked_sample.run_autocommit(DROP_ALERTS)


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings), store=linked_sample)) as opened:
        yield opened


def _all_pages(client: TestClient, bearer: str, **filters: Any) -> list[dict[str, Any]]:
    """Every alert the caller may see, following ``nextCursor``."""
    out: list[dict[str, Any]] = []
    after = None
    while True:
        body = gql(client, ALERTS, bearer=bearer, purpose="monitoring",
                   variables={"after": after, **filters}).json()
        assert "errors" not in body, body.get("errors")
        page = body["data"]["monitoringAlerts"]
        out.extend(page["alerts"])
        after = page["nextCursor"]
        if after is None:
            return out


def _routed(alerts: list[dict[str, Any]], org: str, region: str) -> set[str]:
    return {a["alert_key"] for a in alerts if a["department"] == org
            and region in (set(a.get("region_codes") or []) | {a["region_code"]})}


def _busiest(alerts: list[dict[str, Any]], org: str) -> str:
    counts = {r: len(_routed(alerts, org, r)) for r in REGIONS}
    return max(counts, key=lambda r: counts[r])


def test_a_department_sees_only_its_alerts_in_its_jurisdiction(
        client: TestClient, alerts: list[dict[str, Any]]) -> None:
    departments = {a["department"] for a in alerts}
    assert {"民政", "残联"} <= departments, departments
    for org, role in (("残联", "department"), ("民政", "caseworker")):
        region = _busiest(alerts, org)
        seen = _all_pages(client, token(role, org=org, regions=(region,)))
        assert {a["alertId"] for a in seen} == _routed(alerts, org, region)
        assert seen and all(a["department"] == org for a in seen)
        assert all(region in set(a["regionCodes"]) | {a["regionCode"]} for a in seen)
        assert all(a["sources"] and all(s["department"] and s["recordId"] for s in a["sources"])
                   for a in seen)
    health = _busiest(alerts, "残联")
    far = next(r for r in REGIONS if r != health and not _routed(alerts, "残联", r)
               & _routed(alerts, "残联", health))
    elsewhere = _all_pages(client, token("department", org="残联", regions=(far,)))
    assert not {a["alertId"] for a in elsewhere} & _routed(alerts, "残联", health)
    other = _all_pages(client, token("department", org="教育", regions=(health,)))
    assert all(a["department"] == "教育" for a in other)


def test_filters_pages_and_out_of_jurisdiction_region(client: TestClient,
                                                      alerts: list[dict[str, Any]]) -> None:
    region = _busiest(alerts, "民政")
    bearer = token("caseworker", regions=(region,))
    mine = _routed(alerts, "民政", region)
    kind = next(a["type"] for a in alerts if a["alert_key"] in mine)
    typed = _all_pages(client, bearer, t=kind)
    assert {a["alertId"] for a in typed} == {a["alert_key"] for a in alerts
                                             if a["alert_key"] in mine and a["type"] == kind}
    first = gql(client, ALERTS, bearer=bearer, purpose="monitoring",
                variables={}).json()["data"]["monitoringAlerts"]
    assert len(mine) > PAGE, "the busiest region fills more than a page"
    assert len(first["alerts"]) == PAGE and first["nextCursor"] == str(PAGE)
    refused = gql(client, ALERTS, bearer=bearer, purpose="monitoring",
                  variables={"r": next(r for r in REGIONS if r != region)}).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = gql(client, ALERTS, bearer=bearer, purpose="monitoring",
              variables={"t": "no_such_type"}).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    wrong = gql(client, ALERTS, bearer=bearer, purpose="overlap_check", variables={})
    assert wrong.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_hardship_is_shown_to_the_department_it_is_routed_to(
        client: TestClient, alerts: list[dict[str, Any]]) -> None:
    region = _busiest(alerts, "残联")
    query = """{ monitoringAlerts(first: 20) { alerts { alertId hardship detail } } }"""
    body = gql(client, query, bearer=token("department", org="残联", regions=(region,)),
               purpose="monitoring").json()
    assert "errors" not in body, body.get("errors")
    shown = body["data"]["monitoringAlerts"]["alerts"]
    assert shown and all(a["hardship"] == "disability" for a in shown)


def test_status_workflow(client: TestClient, alerts: list[dict[str, Any]]) -> None:
    region = _busiest(alerts, "民政")
    bearer = token("caseworker", regions=(region,))
    first, second = sorted(_routed(alerts, "民政", region))[:2]

    def move(alert: str, status: str, why: str | None = None, who: str = bearer) -> Any:
        return gql(client, UPDATE, bearer=who, purpose="monitoring",
                   variables={"id": alert, "s": status, "why": why}).json()

    skipped = move(first, "CONFIRMED")
    assert skipped["errors"][0]["extensions"]["code"] == "INVALID_TRANSITION"
    assert "reachable only from" in skipped["errors"][0]["message"]
    assert move(first, "SENT")["data"]["updateAlertStatus"]["status"] == "sent"
    assert move(first, "CONFIRMED")["data"]["updateAlertStatus"]["status"] == "confirmed"
    again = move(first, "DISMISSED", "duplicate")
    assert again["errors"][0]["extensions"]["code"] == "INVALID_TRANSITION"
    no_reason = move(second, "DISMISSED")
    assert "needs a reason" in no_reason["errors"][0]["message"]
    assert move(second, "DISMISSED", "checked on site")["data"][
        "updateAlertStatus"]["status"] == "dismissed"
    unknown = move(first, "CLOSED")
    assert unknown["errors"]  # not a value of AlertStatusChange: rejected by validation
    statuses = {a["alertId"]: a["status"] for a in _all_pages(client, bearer)}
    assert statuses[first] == "confirmed" and statuses[second] == "dismissed"


def test_only_the_routed_department_in_its_region_may_move_an_alert(
        client: TestClient, alerts: list[dict[str, Any]]) -> None:
    region = _busiest(alerts, "民政")
    alert = sorted(a["alert_key"] for a in alerts if a["department"] == "民政"
                   and set(a.get("region_codes") or []) | {a["region_code"]} == {region})[0]
    one = gql(client, ONE_ALERT, bearer=token("caseworker", regions=(region,)),
              purpose="monitoring", variables={"id": alert}).json()
    assert one["data"]["monitoringAlert"] == {"alertId": alert, "status": "new",
                                              "department": "民政"}
    for bearer in (token("department", org="残联", regions=(region,)),
                   token("caseworker", regions=tuple(r for r in REGIONS if r != region))):
        body = gql(client, UPDATE, bearer=bearer, purpose="monitoring",
                   variables={"id": alert, "s": "SENT"}).json()
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        read = gql(client, ONE_ALERT, bearer=bearer, purpose="monitoring",
                   variables={"id": alert}).json()  # nor read: not disclosed
        assert read["errors"][0]["extensions"]["code"] == "NOT_FOUND" and read["data"] is None
    charity = gql(client, UPDATE, bearer=token("charity", org="民政", regions=(region,)),
                  purpose="charity_matching", variables={"id": alert, "s": "SENT"}).json()
    assert charity["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    untouched = [a for a in _all_pages(client, token("caseworker", regions=(region,)))
                 if a["alertId"] == alert]
    assert untouched[0]["status"] == "new"


def _id_number(person_uid: str) -> str:
    with (TRUTH / "persons.csv").open(encoding="utf-8", newline="") as fh:
        return next(r["id18"] for r in csv.DictReader(fh) if r["person_uid"] == person_uid)


def _region_of(store: Store, person_id: str) -> str:
    return store.read("MATCH (p:Person {person_id: $id}) RETURN p.region_code AS r",
                      id=person_id)[0]["r"]


def test_overlaps_answers_which_programme_never_amounts(
        client: TestClient, linked_sample: Store, settings: Settings) -> None:
    truth = TruthMap(linked_sample, open_privacy(settings), TRUTH)
    person_id = truth.person["P0000088"]  # 特困 and covered by a 低保 family (truth)
    id_number = _id_number("P0000088")
    region = _region_of(linked_sample, person_id)
    for bearer in (token("department", org="医保", regions=(region,)),
                   token("caseworker", regions=(region,))):
        response = gql(client, OVERLAPS, bearer=bearer, purpose="overlap_check",
                       variables={"p": id_number, "g": "城市低保"})
        body = response.json()
        assert "errors" not in body, body.get("errors")
        got = body["data"]["overlaps"]
        assert got["personFound"] and got["receiving"] and got["personId"] == person_id
        own = {(p["programme"], p["department"]) for p in got["programmes"] if p["via"] == "self"}
        assert {("特困供养", "民政"), ("城市低保", "民政")} <= own
        assert "特困供养" in got["conflicts"]
        assert "amount" not in response.text and id_number not in response.text
    by_id = gql(client, OVERLAPS, bearer=token("department", org="医保", regions=(region,)),
                purpose="overlap_check", variables={"p": person_id}).json()
    assert by_id["data"]["overlaps"]["personId"] == person_id
    asked = gql(client, "{ overlaps(person: \"P0000001\") { programmes { amount } } }",
                bearer=token("department", org="医保"), purpose="overlap_check").json()
    assert asked["errors"] and asked.get("data") is None


CROSS = """query($p: String!, $g: String) { overlaps(person: $p, programme: $g,
  asOf: "2026-10-31") { personFound personId receiving conflicts
  programmes { programme department via } elsewhere { receiving conflict } } }"""
NOT_FOUND = {"personFound": False, "personId": None, "receiving": False, "conflicts": [],
             "programmes": []}


def test_overlaps_outside_the_jurisdiction_is_a_referral_signal_only(
        client: TestClient, linked_sample: Store, settings: Settings) -> None:
    """Issue 13.2: a 医保 token for 360222, or with no regions at all, asking about a
    533401 person learns only that aid exists elsewhere — no person id, no programme."""
    truth = TruthMap(linked_sample, open_privacy(settings), TRUTH)
    person_id = truth.person["P0000088"]
    id_number = _id_number("P0000088")
    assert _region_of(linked_sample, person_id) == "533401"
    for regions in (("360222",), ()):
        response = gql(client, CROSS, bearer=token("department", org="医保", regions=regions),
                       purpose="overlap_check", variables={"p": id_number, "g": "城市低保"})
        body = response.json()
        assert "errors" not in body, body.get("errors")
        got = body["data"]["overlaps"]
        assert {k: v for k, v in got.items() if k != "elsewhere"} == NOT_FOUND, regions
        assert got["elsewhere"] == {"receiving": True, "conflict": True}
        shown = json.dumps(body, ensure_ascii=False)  # the body itself escapes 特
        assert person_id not in shown and "特困" not in shown
    unknown = gql(client, CROSS, bearer=token("department", org="医保", regions=("360222",)),
                  purpose="overlap_check", variables={"p": "P00FFFFFFF"}).json()
    assert unknown["data"]["overlaps"]["elsewhere"] == {"receiving": False, "conflict": False}
    inside = gql(client, CROSS, bearer=token("department", org="医保", regions=("533401",)),
                 purpose="overlap_check", variables={"p": id_number}).json()
    assert inside["data"]["overlaps"]["personId"] == person_id
    assert inside["data"]["overlaps"]["programmes"]


def test_overlaps_find_a_duplicate_granted_in_another_region(
        client: TestClient, linked_sample: Store) -> None:
    """Aid granted in 410502 to a person registered in 360222: the 360222 caseworker is
    told a conflict exists elsewhere, the 410502 department sees its own grant."""
    rows = linked_sample.read(
        "MATCH (a:AidRecord {programme: '城市低保'})-[:GRANTED_TO]->(p:Person) "
        "WHERE a.region_code = '410502' AND p.region_code = '360222' "
        "RETURN DISTINCT p.person_id AS id LIMIT 1")
    assert rows, "the sample plants a cross-region 低保 duplicate"
    person_id = rows[0]["id"]
    home = gql(client, CROSS, bearer=token("caseworker", regions=("360222",)),
               purpose="overlap_check", variables={"p": person_id, "g": "城市低保"}).json()
    got = home["data"]["overlaps"]
    assert got["personFound"] and got["personId"] == person_id
    assert got["elsewhere"] == {"receiving": True, "conflict": True}
    granting = gql(client, CROSS, bearer=token("department", org="民政", regions=("410502",)),
                   purpose="overlap_check", variables={"p": person_id, "g": "城市低保"}).json()
    seen = granting["data"]["overlaps"]
    assert seen["personFound"] and ("城市低保", "self") in {
        (p["programme"], p["via"]) for p in seen["programmes"]}


def test_overlaps_generalises_health_revealing_programmes(
        client: TestClient, linked_sample: Store) -> None:
    rows = linked_sample.read(
        "MATCH (a:AidRecord {department: '残联'})-[:GRANTED_TO]->(p:Person) "
        "RETURN DISTINCT p.person_id AS id, collect(DISTINCT a.programme) AS names LIMIT 5")
    assert rows, "the sample holds 残联 subsidies"
    names = {n for r in rows for n in r["names"]}
    for row in rows:
        body = gql(client, OVERLAPS, bearer=token("department", org="民政"),
                   purpose="overlap_check", variables={"p": row["id"]}).json()
        listed = [p["programme"] for p in body["data"]["overlaps"]["programmes"]
                  if p["department"] == "残联"]
        assert not set(listed) & (names - {"残疾人两项补贴"})
    assert names - {"残疾人两项补贴"}, "the raw names are more specific than the generic one"


def test_overlaps_refusals_and_bad_input(client: TestClient) -> None:
    bad = "410502198503071235"  # bad checksum
    body = gql(client, OVERLAPS, bearer=token("department", org="医保"),
               purpose="overlap_check", variables={"p": bad}).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert bad not in json.dumps(body)
    for role, purpose in (("department", "monitoring"), ("charity", "charity_matching"),
                          ("verifier", "verification")):
        refused = gql(client, OVERLAPS, bearer=token(role, org="医保"), purpose=purpose,
                      variables={"p": "P0000001"}).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", (role, purpose)
    unknown = gql(client, OVERLAPS, bearer=token("department", org="医保"),
                  purpose="overlap_check", variables={"p": "P00FFFFFFF"}).json()
    assert unknown["data"]["overlaps"] == {"personFound": False, "personId": None,
                                           "receiving": False, "conflicts": [],
                                           "programmes": []}

"""Alerts: stored once per case, re-runs add nothing, stale ones close, the workflow holds."""

from __future__ import annotations

import re
from datetime import date

import pytest

from hub.monitoring import monitoring_alerts, run_monitoring, update_alert_status
from hub.monitoring.errors import AlertNotFoundError, AlertTransitionError
from hub.privacy_graph.kit import PrivacyKit
from hub.store import Store

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

AS_OF = date(2026, 10, 31)
_COUNT = "MATCH (a:Alert) RETURN count(a) AS n"
_DEATH_AID = "MATCH (a:AidRecord {fact_key: 'minzheng_aid:MZJZ00000052'}) "


def test_rerun_creates_no_duplicates(sample: Store, kit: PrivacyKit) -> None:
    first = run_monitoring(sample, kit, as_of=AS_OF)
    assert first.created == len(first.findings) > 0
    count = sample.read(_COUNT)[0]["n"]
    second = run_monitoring(sample, kit, as_of=AS_OF)
    assert (second.created, second.closed) == (0, 0)
    assert second.seen_again == first.created
    assert sample.read(_COUNT)[0]["n"] == count


def test_alert_carries_routing_and_record_evidence_only(sample: Store, kit: PrivacyKit) -> None:
    run_monitoring(sample, kit, as_of=AS_OF)
    housing = monitoring_alerts(sample, type="double_housing_aid")
    assert len(housing) == 1
    alert = housing[0]
    assert alert["department"] == "住建" and alert["status"] == "new"
    # the driver's ISO text, kept now that the store returns native values (issue 16)
    assert alert["as_of"] == "2026-10-31"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+00:00", alert["created_at"])
    assert alert["evidence"] == ["住建|zhujian_housing|ZJ0000069", "住建|zhujian_housing|ZJ0000070"]
    for a in monitoring_alerts(sample):
        for label in a["evidence"]:
            department, source, record_id = label.split("|")
            assert department and source and record_id
    linked = sample.read("MATCH (:Alert)-[:EVIDENCED_BY]->(f:Fact) RETURN count(f) AS n")
    assert linked[0]["n"] > 0
    assert monitoring_alerts(sample, department="住建") == housing
    region = housing[0]["region_code"]
    assert monitoring_alerts(sample, department="住建", regions=[region]) == housing
    assert monitoring_alerts(sample, department="住建", regions=["000000"]) == []
    assert monitoring_alerts(sample, region="659001", type="double_housing_aid") == [] or (
        housing[0]["region_code"] == "659001")


def test_alert_that_no_longer_holds_is_closed_and_reopened(sample: Store,
                                                           kit: PrivacyKit) -> None:
    run_monitoring(sample, kit, as_of=AS_OF)
    (death,) = [a for a in monitoring_alerts(sample, type="still_receiving_after_death")
                if "民政|minzheng_aid|MZJZ00000052" in a["evidence"]]
    try:  # the aid now stops the month after the death: a near miss, not an alert
        sample.write(_DEATH_AID + "SET a.end = date('2026-03-01')")
        rerun = run_monitoring(sample, kit, as_of=AS_OF)
    finally:
        sample.write(_DEATH_AID + "REMOVE a.end")
    assert rerun.closed == 1
    (closed,) = monitoring_alerts(sample, status="closed")
    assert closed["alert_key"] == death["alert_key"]
    assert closed["reason"] == "no_longer_holds"
    again = run_monitoring(sample, kit, as_of=AS_OF)
    assert again.reopened == 1 and again.created == 0
    assert monitoring_alerts(sample, status="closed") == []


def test_region_run_closes_only_its_region(sample: Store, kit: PrivacyKit) -> None:
    sample.write("CREATE (:Alert {alert_key: 'ALstale1', type: 'kin_of_staff', status: 'sent',"
                 " region_code: '533401', last_seen_run_id: 'old', history: []})")
    sample.write("CREATE (:Alert {alert_key: 'ALstale2', type: 'kin_of_staff', status: 'new',"
                 " region_code: '410502', last_seen_run_id: 'old', history: []})")
    run = run_monitoring(sample, kit, as_of=AS_OF, region="533401", types=["kin_of_staff"])
    assert run.closed == 1
    statuses = {a["alert_key"]: a["status"] for a in monitoring_alerts(sample)}
    assert statuses["ALstale1"] == "closed" and statuses["ALstale2"] == "new"


def test_status_workflow(sample: Store, kit: PrivacyKit) -> None:
    run_monitoring(sample, kit, as_of=AS_OF, types=["exclusive_overlap", "kin_of_staff"])
    first, second = (a["alert_key"] for a in monitoring_alerts(sample))
    with pytest.raises(AlertTransitionError):
        update_alert_status(sample, first, "confirmed", None, "clerk-1")
    assert update_alert_status(sample, first, "sent", None, "clerk-1") == "sent"
    assert update_alert_status(sample, first, "confirmed", "checked", "clerk-2") == "confirmed"
    with pytest.raises(AlertTransitionError):
        update_alert_status(sample, first, "dismissed", "too late", "clerk-2")
    with pytest.raises(AlertTransitionError, match="reason"):
        update_alert_status(sample, second, "dismissed", " ", "clerk-1")
    assert update_alert_status(sample, second, "dismissed", "家访核实", "clerk-1") == "dismissed"
    with pytest.raises(AlertNotFoundError):
        update_alert_status(sample, "ALnope", "sent", None, "clerk-1")
    with pytest.raises(AlertTransitionError, match="unknown"):
        update_alert_status(sample, second, "closed", None, "clerk-1")
    confirmed = monitoring_alerts(sample, status="confirmed")[0]
    assert any("clerk-2" in step for step in confirmed["history"])
    rerun = run_monitoring(sample, kit, as_of=AS_OF, types=["exclusive_overlap", "kin_of_staff"])
    assert rerun.created == 0
    assert {a["status"] for a in monitoring_alerts(sample)} == {"confirmed", "dismissed"}

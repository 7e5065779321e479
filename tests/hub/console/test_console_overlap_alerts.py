"""The overlap check and the alerts inbox over HTTP against the linked sample: each page
shows what its GraphQL document returns for the same token and purpose; a purpose that
may not use the query sees the refusal and no data; the status change is CSRF-checked
and bad input changes nothing."""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph_schema.queries.maintenance import DROP_ALERTS
from hub.config import Settings
from hub.console.alerts import ALERT_DOCUMENT, ALERT_FIELDS, LIST_DOCUMENT
from hub.console.overlap import OVERLAP_DOCUMENT
from hub.console.pages import CODE_MESSAGES, CSRF_FAILED
from hub.console.security import CONTENT_SECURITY_POLICY
from hub.monitoring import run_monitoring
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.api_helpers import gql, token
from tests.console_helpers import ID_NUMBER, csrf_of, inline_script_problems, leaves, sign_in
from tests.hub.monitoring.truth import TruthMap

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

AS_OF = date(2026, 10, 31)
REGIONS = ("659001", "533401", "410502", "360222")
TRUTH = Path(__file__).parents[2] / "data" / "sample" / "truth"
# the monitoring officer of 民政 over the sample's four counties (11 alerts: two pages)
MONITOR = token("caseworker", org="民政", regions=REGIONS, subject="monitor-001")


@pytest.fixture
def alerts(linked_sample: Store, settings: Settings) -> Iterator[Store]:
    """The sample after one monitoring run (the demo's function); the alerts are dropped
    afterwards, so the linked sample is given back as it was built."""
    linked_sample.run_autocommit(DROP_ALERTS)
    run_monitoring(linked_sample, open_privacy(settings), as_of=AS_OF)
    yield linked_sample
    linked_sample.run_autocommit(DROP_ALERTS)


@pytest.fixture
def special_care(linked_sample: Store, settings: Settings) -> dict[str, str]:
    """The sample's 特困 person covered by a 低保 family (truth P0000088): person id, ID
    number, region."""
    truth = TruthMap(linked_sample, open_privacy(settings), TRUTH)
    person_id = truth.person["P0000088"]
    with (TRUTH / "persons.csv").open(encoding="utf-8", newline="") as fh:
        id_number = next(r["id18"] for r in csv.DictReader(fh) if r["person_uid"] == "P0000088")
    region = linked_sample.read("MATCH (p:Person {person_id: $id}) RETURN p.region_code AS r",
                                id=person_id)[0]["r"]
    return {"person_id": person_id, "id_number": id_number, "region": region}


def strings(value: Any) -> list[str]:
    """The answer's values as the page prints them (booleans are words, nulls marks)."""
    return [str(v) for v in leaves(value) if v is not None and not isinstance(v, bool)]


def section(page: str, element_id: str) -> str:
    """The page from the element with ``element_id`` to the end of its section."""
    start = page.find(f'id="{element_id}"')
    assert start >= 0, f"no #{element_id} on the page"
    return page[start:page.find("</section>", start)]


def alert_status(store: Store, alert_id: str) -> tuple[str, str | None]:
    row = store.read("MATCH (a:Alert {alert_key: $k}) RETURN a.status AS s, a.reason AS r",
                     k=alert_id)[0]
    return row["s"], row["r"]


SCAN_DOCUMENT = f"""
query AlertScan($after: String) {{
  monitoringAlerts(first: 50, after: $after) {{ nextCursor alerts {{ {ALERT_FIELDS} }} }}
}}"""


def every_alert(client: TestClient, bearer: str) -> list[dict[str, Any]]:
    """Every alert the officer may see, through GraphQL, with the alert page's fields."""
    out: list[dict[str, Any]] = []
    variables: dict[str, Any] = {}
    while True:
        body = gql(client, SCAN_DOCUMENT, bearer=bearer, purpose="monitoring",
                   variables=variables).json()
        assert "errors" not in body, body.get("errors")
        out.extend(body["data"]["monitoringAlerts"]["alerts"])
        if not body["data"]["monitoringAlerts"]["nextCursor"]:
            return out
        variables["after"] = body["data"]["monitoringAlerts"]["nextCursor"]


# --- the overlap check -------------------------------------------------------------------

def test_overlap_page_shows_what_graphql_returns_with_the_conflict_and_its_reason(
        client: TestClient, special_care: dict[str, str]) -> None:
    department = token("department", org="医保", regions=(special_care["region"],),
                       subject="dept-533")
    sign_in(client, department, "overlap_check")
    form = client.get("/console/overlap")
    assert form.status_code == 200 and 'name="applicant"' in form.text
    assert '<option value="城市低保"' in form.text and inline_script_problems(form.text) == []
    assert form.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for applicant in (special_care["id_number"], special_care["person_id"]):
        variables = {"person": applicant, "programme": "城市低保", "asOf": AS_OF.isoformat()}
        answer = gql(client, OVERLAP_DOCUMENT, bearer=department, purpose="overlap_check",
                     variables=variables).json()
        assert "errors" not in answer, answer.get("errors")
        got = answer["data"]["overlaps"]
        assert got["receiving"] and "特困供养" in got["conflicts"]
        page = client.get("/console/overlap", params={
            "applicant": applicant, "programme": "城市低保", "as_of": AS_OF.isoformat()})
        assert page.status_code == 200
        result = section(page.text, "overlap-result")
        for value in strings(got):
            assert html.escape(value) in result, f"{value!r} from GraphQL missing"
        assert re.search(r'id="receiving"[^>]*>是<', result)
        for key in ("receiving", "conflict"):
            word = "是" if got["elsewhere"][key] else "否"
            assert re.search(f'id="elsewhere-{key}"[^>]*>{word}<', result), key
        conflicts = section(page.text, "conflicts")
        assert "特困供养" in conflicts and "基本生活救助" in conflicts  # and why
        assert "民政" in conflicts and "本人享受" in conflicts
        assert special_care["id_number"] not in page.text  # an ID number is never echoed
        assert ID_NUMBER.findall(page.text) == [] and inline_script_problems(page.text) == []
        assert "amount" not in page.text and "金额" not in result


def test_overlap_outside_the_jurisdiction_shows_the_referral_signal_only(
        client: TestClient, special_care: dict[str, str]) -> None:
    far = token("department", org="医保", regions=("360222",), subject="dept-360")
    variables = {"person": special_care["id_number"], "programme": "城市低保",
                 "asOf": AS_OF.isoformat()}
    answer = gql(client, OVERLAP_DOCUMENT, bearer=far, purpose="overlap_check",
                 variables=variables).json()["data"]["overlaps"]
    assert not answer["personFound"] and answer["elsewhere"] == {"receiving": True,
                                                                 "conflict": True}
    sign_in(client, far, "overlap_check")
    page = client.get("/console/overlap", params={
        "applicant": special_care["id_number"], "programme": "城市低保", "as_of": "2026-10-31"})
    result = section(page.text, "overlap-result")
    assert page.status_code == 200 and 'id="not-found"' in result
    assert re.search(r'id="elsewhere-receiving"[^>]*>是<', result)
    assert re.search(r'id="elsewhere-conflict"[^>]*>是<', result)
    assert special_care["person_id"] not in page.text and "特困" not in result


def test_overlap_refused_to_a_purpose_that_may_not_use_it(
        client: TestClient, special_care: dict[str, str]) -> None:
    caseworker = token("caseworker", regions=(special_care["region"],))
    refused = gql(client, OVERLAP_DOCUMENT, bearer=caseworker, purpose="monitoring",
                  variables={"person": special_care["person_id"]}).json()
    code = refused["errors"][0]["extensions"]["code"]
    assert code == "FORBIDDEN" and refused["data"] is None
    sign_in(client, caseworker, "monitoring")
    page = client.get("/console/overlap", params={"applicant": special_care["person_id"]})
    assert page.status_code == 403
    assert CODE_MESSAGES[code] in page.text and f"（{code}）" in page.text
    assert 'id="overlap-result"' not in page.text and "特困供养</td>" not in page.text


@pytest.mark.parametrize(("params", "message"), [
    ({"applicant": "11010519491231002Z"}, "18 位身份证号"),
    ({"applicant": "110105194912310021"}, "校验位"),  # wrong check digit
    ({"applicant": "<script>alert(1)</script>"}, "18 位身份证号"),
    ({"applicant": "P0000001A", "as_of": "2026-02-30"}, "核查日期格式不正确"),
    ({"applicant": "P0000001A", "as_of": "31/10/2026"}, "核查日期格式不正确"),
    ({"applicant": "P0000001A", "programme": "<b>低保</b>"}, "拟发放项目不在可选列表中"),
    ({"applicant": "x" * 5000}, "18 位身份证号"),
])
def test_overlap_bad_input_is_refused_and_not_echoed(
        client: TestClient, params: dict[str, str], message: str) -> None:
    sign_in(client, token("department", org="医保", subject="dept-001"), "overlap_check")
    page = client.get("/console/overlap", params=params)
    assert page.status_code == 400 and message in page.text
    assert 'id="overlap-result"' not in page.text
    assert "<script>alert" not in page.text and "<b>低保" not in page.text
    assert "1101051949123100" not in page.text and "2026-02-30" not in page.text


# --- the alerts inbox ----------------------------------------------------------------------

def test_inbox_shows_what_graphql_returns_page_by_page_and_filtered(
        client: TestClient, alerts: Store) -> None:
    sign_in(client, MONITOR, "monitoring")
    seen: list[str] = []
    variables: dict[str, Any] = {}
    path = "/console/alerts"
    while True:
        answer = gql(client, LIST_DOCUMENT, bearer=MONITOR, purpose="monitoring",
                     variables=variables).json()
        assert "errors" not in answer, answer.get("errors")
        page = client.get(path)
        assert page.status_code == 200 and inline_script_problems(page.text) == []
        found = answer["data"]["monitoringAlerts"]
        assert found["alerts"], "the officer has alerts"
        for value in strings(found):
            assert html.escape(value) in page.text, f"{value!r} from GraphQL missing"
        seen += [a["alertId"] for a in found["alerts"]]
        if not found["nextCursor"]:
            assert 'id="next-page"' not in page.text
            break
        link = re.search(r'id="next-page" href="([^"]+)"', page.text)
        assert link, "a next page link"
        path = html.unescape(link.group(1))
        variables["after"] = found["nextCursor"]
    assert len(seen) == len(set(seen)) > 10  # two pages, none shown twice
    routed = alerts.read("MATCH (a:Alert {department: '民政'}) RETURN count(a) AS n")[0]["n"]
    assert len(seen) == routed

    filters = {"type": "duplicate_basic_aid", "region": "360222", "status": "new"}
    answer = gql(client, LIST_DOCUMENT, bearer=MONITOR, purpose="monitoring",
                 variables=filters).json()["data"]["monitoringAlerts"]
    page = client.get("/console/alerts", params=filters)
    shown = set(re.findall(r'class="alert-link" href="[^"]*/console/alerts/([^"?]+)', page.text))
    assert shown == {a["alertId"] for a in answer["alerts"]} and shown
    assert shown < set(seen) and all(a["type"] == "duplicate_basic_aid" for a in answer["alerts"])
    assert '<option value="duplicate_basic_aid" selected>' in page.text


def test_alert_page_shows_every_field_and_its_evidence(client: TestClient,
                                                        alerts: Store) -> None:
    every = every_alert(client, MONITOR)
    sign_in(client, MONITOR, "monitoring")
    for alert in (every[0], every[-1]):
        assert alert["sources"], "an alert is proven by source records"
        one = gql(client, ALERT_DOCUMENT, bearer=MONITOR, purpose="monitoring",
                  variables={"alertId": alert["alertId"]}).json()["data"]["monitoringAlert"]
        assert one == alert  # the page's one read equals the inbox's row
        page = client.get(f"/console/alerts/{alert['alertId']}")
        assert page.status_code == 200 and inline_script_problems(page.text) == []
        for value in strings(alert):
            assert html.escape(value) in page.text, f"{value!r} from GraphQL missing"
        evidence = page.text[page.text.find('id="sources"'):]
        assert all(s["recordId"] in evidence for s in alert["sources"])
    missing = client.get("/console/alerts/ALnotthere")
    assert missing.status_code == 404 and CODE_MESSAGES["NOT_FOUND"] in missing.text
    assert client.get("/console/alerts/bad%20id%3Cx").status_code == 400


def test_inbox_refused_to_a_purpose_or_organisation_that_may_not_see_it(
        client: TestClient, alerts: Store) -> None:
    alert = every_alert(client, MONITOR)[0]
    department = token("department", org="医保", regions=REGIONS, subject="dept-all")
    refused = gql(client, LIST_DOCUMENT, bearer=department, purpose="overlap_check").json()
    code = refused["errors"][0]["extensions"]["code"]
    assert code == "FORBIDDEN"
    sign_in(client, department, "overlap_check")
    for path in ("/console/alerts", f"/console/alerts/{alert['alertId']}"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert CODE_MESSAGES[code] in page.text and f"（{code}）" in page.text
        assert alert["alertId"] not in page.text.replace(path, "")
        assert 'id="alerts"' not in page.text and 'id="sources"' not in page.text
    # another department under monitoring: its own inbox, not 民政's alert
    sign_in(client, token("department", org="教育", regions=REGIONS, subject="edu-1"),
            "monitoring")
    other = client.get(f"/console/alerts/{alert['alertId']}")
    assert other.status_code == 404 and 'id="sources"' not in other.text
    assert alert["alertId"] not in client.get("/console/alerts").text


def test_status_change_is_csrf_checked_and_bad_input_changes_nothing(
        client: TestClient, alerts: Store) -> None:
    sign_in(client, MONITOR, "monitoring")
    alert = next(a for a in every_alert(client, MONITOR) if a["status"] == "new")
    path = f"/console/alerts/{alert['alertId']}"
    page = client.get(path)
    csrf = csrf_of(page.text)
    target = f"{path}/status"

    refused = client.post(target, data={"status": "sent"})
    assert refused.status_code == 403 and CSRF_FAILED in refused.text
    forged = client.post(target, data={"status": "sent", "csrf": "forged"})
    assert forged.status_code == 403 and CSRF_FAILED in forged.text
    for form, message in (
            ({"status": "dismissed", "reason": "  "}, "须填写处理理由"),
            ({"status": "dismissed", "reason": "<script>alert(1)</script>"}, "HTML 标记"),
            ({"status": "confirmed"}, CODE_MESSAGES["INVALID_TRANSITION"]),
            ({"status": "closed"}, "请选择新的处理状态"),
            ({"status": "dismissed", "reason": "x" * 5000}, "过长")):
        bad = client.post(target, data={**form, "csrf": csrf})
        assert bad.status_code == 400 and message in bad.text, form
        assert "<script>alert" not in bad.text
        assert 'id="alert-status-code">new<' in bad.text  # the page shows it unchanged
    huge = client.post(target, data={"status": "dismissed", "reason": "x" * 1_000_000,
                                     "csrf": csrf})
    assert huge.status_code == 413 and "提交的内容过大" in huge.text
    assert alert_status(alerts, alert["alertId"]) == ("new", None)
    still = {a["alertId"]: a["status"] for a in every_alert(client, MONITOR)}
    assert still[alert["alertId"]] == "new"

    sent = client.post(target, data={"status": "sent", "csrf": csrf})
    assert sent.status_code == 200 and 'id="alert-status-code">sent<' in sent.text
    reason = "已入户核实 <不重复>"
    rejected = client.post(target, data={"status": "dismissed", "reason": reason, "csrf": csrf})
    assert rejected.status_code == 400 and alert_status(alerts, alert["alertId"])[0] == "sent"
    done = client.post(target, data={"status": "dismissed", "reason": "已入户核实，不重复",
                                     "csrf": csrf})
    assert done.status_code == 200 and "预警状态已改为：已排除（dismissed）" in done.text
    assert 'id="alert-status-code">dismissed<' in done.text and "处理理由已记录" in done.text
    assert 'id="alert-status-form"' not in done.text  # the workflow has ended
    assert alert_status(alerts, alert["alertId"]) == ("dismissed", "已入户核实，不重复")
    again = client.post(target, data={"status": "sent", "csrf": csrf})
    assert again.status_code == 400 and "INVALID_TRANSITION" in again.text
    assert alert_status(alerts, alert["alertId"])[0] == "dismissed"

"""The department's overlap check and the monitoring officer's inbox in real Chromium,
network blocked, on the demo (dev sign-in links, the demo tour's tokens, alerts from the
monitoring run ``hub demo`` does): the department checks an applicant with current aid and
sees the conflict; the officer filters the inbox, opens an alert and dismisses it with a
reason. A screenshot of each step goes to ``tests/artifacts/console/``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.support.select import Select
from starlette.testclient import TestClient

from graph_schema.queries.maintenance import DROP_ALERTS
from hub.app import create_app
from hub.config import Settings
from hub.console.alerts import LIST_DOCUMENT
from hub.console.overlap import OVERLAP_DOCUMENT
from hub.datasets.demo_tour import DEMO_AS_OF
from hub.monitoring import run_monitoring
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.api_helpers import api_settings, gql
from tests.browser import offline_chromium, requested_urls
from tests.console_helpers import shot, submit_and_wait, wait_text

pytestmark = [pytest.mark.neo4j, pytest.mark.browser, pytest.mark.slow]

PLANNED = "城市低保"
REASON = "已入户核实：两地登记为同一人，已停发其一"


@pytest.fixture
def monitored(linked_sample: Store, settings: Settings) -> Iterator[Store]:
    """The demo graph's alerts: the monitoring run ``hub demo`` does (``load_demo``), on
    the demo's reference date; dropped afterwards (the linked sample given back)."""
    linked_sample.run_autocommit(DROP_ALERTS)
    run_monitoring(linked_sample, open_privacy(settings), as_of=DEMO_AS_OF)
    yield linked_sample
    linked_sample.run_autocommit(DROP_ALERTS)


def _applicant_with_current_aid(settings: Settings, tour: Any) -> tuple[str, list[str]]:
    """A person with a conflict for ``PLANNED``, through GraphQL with the demo tokens: the
    one of the officer's exclusive-overlap alert (特困 and 低保 at once)."""
    users = {u.name: u for u in tour.users}
    with TestClient(create_app(api_settings(settings, dev_mode=True))) as api:
        found = gql(api, LIST_DOCUMENT, bearer=users["caseworker"].token, purpose="monitoring",
                    variables={"type": "exclusive_overlap"}).json()
        person = found["data"]["monitoringAlerts"]["alerts"][0]["personIds"][0]
        check = gql(api, OVERLAP_DOCUMENT, bearer=users["department"].token,
                    purpose="overlap_check", variables={
                        "person": person, "programme": PLANNED,
                        "asOf": DEMO_AS_OF.isoformat()}).json()
    answer = check["data"]["overlaps"]
    assert answer["receiving"] and answer["conflicts"], answer
    return person, answer["conflicts"]


def test_department_checks_overlap_and_the_officer_dismisses_an_alert(
        monitored: Store, demo: tuple[str, Any], settings: Settings) -> None:
    base, tour = demo
    person, conflicts = _applicant_with_current_aid(settings, tour)
    with offline_chromium() as browser:
        browser.get(f"{base}/console/signin?as=department")
        assert "重复救助核查" in wait_text(browser, "#purpose")
        browser.find_element("css selector", "header nav a[href='/console/overlap']").click()
        wait_text(browser, "#overlap-form")
        browser.find_element("name", "applicant").send_keys(person)
        Select(browser.find_element("name", "programme")).select_by_value(PLANNED)
        browser.find_element("name", "as_of").send_keys(DEMO_AS_OF.isoformat())
        shot(browser, "10-department-overlap-form")
        submit_and_wait(browser, "#overlap-form button")
        table = wait_text(browser, "#conflicts")
        assert all(name in table for name in conflicts)
        assert wait_text(browser, "#receiving") == "是"
        assert wait_text(browser, "#person-id") == person
        shot(browser, "11-department-overlap-result")

        browser.set_window_size(1400, 1300)  # the alert, its evidence and the form at once
        browser.get(f"{base}/console/signin?as=caseworker&purpose=monitoring")
        assert "动态监测" in wait_text(browser, "#purpose")
        browser.find_element("css selector", "header nav a[href='/console/alerts']").click()
        wait_text(browser, "#alerts")
        everything = len(browser.find_elements("css selector", "#alerts tr.status-new"))
        Select(browser.find_element("name", "type")).select_by_value("duplicate_basic_aid")
        Select(browser.find_element("name", "status")).select_by_value("new")
        submit_and_wait(browser, "#alert-filters button")
        wait_text(browser, "#alerts")
        assert "type=duplicate_basic_aid" in browser.current_url
        rows = browser.find_elements("css selector", "#alerts tr.status-new")
        assert 0 < len(rows) <= everything
        assert all("duplicate_basic_aid" in row.text for row in rows)
        shot(browser, "20-monitoring-inbox")
        link = browser.find_element("css selector", "#alerts a.alert-link")
        alert_id = link.text
        link.click()
        assert wait_text(browser, "#alert-id") == alert_id
        assert wait_text(browser, "#alert-status-code") == "new"
        assert browser.find_elements("css selector", "#sources tr")[1:]  # its evidence
        shot(browser, "21-monitoring-alert")
        Select(browser.find_element("name", "status")).select_by_value("dismissed")
        browser.find_element("name", "reason").send_keys(REASON)
        submit_and_wait(browser, "#alert-status-form button")
        assert "已排除" in wait_text(browser, ".notice")
        assert wait_text(browser, "#alert-status-code") == "dismissed"
        shot(browser, "22-monitoring-dismissed")
        urls = requested_urls(browser)
        refused = [entry["message"] for entry in browser.get_log("browser")
                   if "Content Security Policy" in entry["message"]]
    assert [u for u in urls if not u.startswith(("http://127.0.0.1:", "data:"))] == []
    assert refused == []
    stored = monitored.read("MATCH (a:Alert {alert_key: $k}) RETURN a.status AS s, "
                            "a.reason AS r", k=alert_id)
    assert stored == [{"s": "dismissed", "r": REASON}]

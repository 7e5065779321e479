"""The caseworker's and the verifier's main task in real Chromium, network blocked:
sign in (dev sign-in link), find the household by a member's ID number, record the
verification consent, then as the verifier run the verification and read the amount.
A screenshot of each step goes to ``tests/artifacts/console/``."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.support.wait import WebDriverWait

from hub.app import create_app
from hub.config import Settings
from tests.api_helpers import api_settings, gql
from tests.browser import offline_chromium, requested_urls
from tests.console_helpers import shot, wait_text

pytestmark = [pytest.mark.neo4j, pytest.mark.browser, pytest.mark.slow]

def test_caseworker_finds_consents_and_the_verifier_reads_the_amount(
        demo: tuple[str, Any], settings: Settings) -> None:
    base, tour = demo
    caseworker = next(u for u in tour.users if u.name == "caseworker")
    from starlette.testclient import TestClient
    with TestClient(create_app(api_settings(settings, dev_mode=True))) as api:
        members = gql(api, "query($h: String) { household(householdId: $h) { members { "
                      "person { idNumber } } } }", bearer=caseworker.token,
                      variables={"h": tour.consented_household}).json()
        ids = [m["person"]["idNumber"] for m in members["data"]["household"]["members"]
               if m["person"] and m["person"]["idNumber"]]
        # a member who moved out (迁出, listed first) is current in another 户 and opens
        # that one (or none, when it lies outside the caseworker's regions): search by a
        # member whose ID number leads here
        def opens(i: str) -> Any:
            return gql(api, "query($i: String) { household(idNumber: $i) { householdId } }",
                       bearer=caseworker.token, variables={"i": i}).json()["data"]["household"]

        id_number = next(i for i in ids
                         if (opens(i) or {}).get("householdId") == tour.consented_household)
    with offline_chromium() as browser:
        browser.get(f"{base}/console/signin?as=caseworker")
        assert "救助经办" in wait_text(browser, "#purpose")
        browser.find_element("name", "id_number").send_keys(id_number)
        shot(browser, "01-caseworker-search")
        browser.find_element("css selector", "main form button").click()
        assert wait_text(browser, "#household-id") == tour.consented_household
        assert len(browser.find_elements("css selector", "#members tr")) > 2
        drawn = WebDriverWait(browser, 10).until(lambda driver: driver.find_element(
            "css selector", "svg#household-graph").get_attribute("data-drawn"))
        circles = browser.find_elements("css selector", "svg#household-graph .node circle")
        assert len(circles) == int(drawn) > 2  # household, its members, their aid and assets
        assert browser.find_elements("css selector", "svg#household-graph .node-member")
        shot(browser, "02-caseworker-household")
        browser.find_element("name", "evidence_ref").send_keys("AUTH-BROWSER-001")
        browser.find_element("css selector", "form[action$='/consent'] button").click()
        assert "已登记核对授权" in wait_text(browser, ".notice")
        shot(browser, "03-caseworker-consent-recorded")
        browser.get(f"{base}/console/reverification")
        browser.find_element("name", "as_of").send_keys("2026-10-31")
        horizon = browser.find_element("name", "horizon")
        horizon.clear()
        horizon.send_keys("366")
        browser.find_element("css selector", "main form button").click()
        assert int(wait_text(browser, "#due-count")) > 0  # swapped in by htmx
        assert "as_of=2026-10-31" in browser.current_url  # and the URL pushed
        shot(browser, "04-caseworker-reverification-due")

        browser.get(f"{base}/console/signin?as=verifier")
        assert "经济状况核对" in wait_text(browser, "#purpose")
        browser.get(f"{base}/console/household?household_id={tour.consented_household}")
        wait_text(browser, "#verify-link")
        browser.find_element("id", "verify-link").click()
        amount = wait_text(browser, "#monthly-amount")
        assert amount and wait_text(browser, "#category")
        assert len(browser.find_elements("css selector", "#steps tr")) > 1
        shot(browser, "06-verifier-report")
        urls = requested_urls(browser)
        refused = [entry["message"] for entry in browser.get_log("browser")
                   if "Content Security Policy" in entry["message"]]
    assert [u for u in urls if not u.startswith(("http://127.0.0.1:", "data:"))] == []
    assert refused == []  # htmx and the pages run under the strict CSP

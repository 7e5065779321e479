"""The caseworker's find by name + birth date and the auditor's review in real Chromium,
network blocked: the caseworker finds a household by a member's name and birth date; the
auditor filters the log down to the caseworker's look, then verifies the chain and reads
that it is intact. A screenshot of each step goes to ``tests/artifacts/console/``."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.console.casework import PEOPLE_DOCUMENT
from hub.store import Store
from tests.api_helpers import api_settings, gql
from tests.audit_helpers import forget_a_reset_logs_anchor
from tests.browser import offline_chromium, requested_urls
from tests.console_helpers import shot, wait_text

pytestmark = [pytest.mark.neo4j, pytest.mark.browser, pytest.mark.slow]


def _member_found_alone(settings: Settings, token: str, household_id: str) -> dict[str, Any]:
    """A member of the household whom their name and birth date name alone."""
    with TestClient(create_app(api_settings(settings, dev_mode=True))) as api:
        members = gql(api, "query($h: String) { household(householdId: $h) { members { "
                      "person { personId name birthDate } } } }", bearer=token,
                      variables={"h": household_id}).json()["data"]["household"]["members"]
        for member in members:
            person = member["person"]
            if not (person and person["name"] and person["birthDate"]):
                continue
            found = gql(api, PEOPLE_DOCUMENT, bearer=token, variables={
                "name": person["name"], "birthDate": person["birthDate"]}).json()
            # alone, and listed with this household (not a second 户 they are current in)
            if [(p["personId"], p["householdId"]) for p in found["data"]["people"]] == [
                    (person["personId"], household_id)]:
                return dict(person)
    raise AssertionError("no member of the household is found alone by name and birth date")


def test_caseworker_finds_by_name_and_the_auditor_reviews_and_verifies(
        demo: tuple[str, Any], settings: Settings, linked_sample: Store) -> None:
    base, tour = demo
    forget_a_reset_logs_anchor(linked_sample, api_settings(settings, dev_mode=True))
    caseworker = next(u for u in tour.users if u.name == "caseworker")
    person = _member_found_alone(settings, caseworker.token, tour.consented_household)
    with offline_chromium() as browser:
        browser.get(f"{base}/console/signin?as=caseworker")
        assert "救助经办" in wait_text(browser, "#purpose")
        form = browser.find_element("id", "find-by-name")
        form.find_element("name", "name").send_keys(person["name"])
        form.find_element("name", "birth_date").send_keys(person["birthDate"])
        shot(browser, "05-caseworker-find-by-name")
        browser.find_element("id", "find-by-name-button").click()
        assert wait_text(browser, "#household-id") == tour.consented_household
        assert person["name"] in browser.find_element("id", "members").text

        browser.get(f"{base}/console/signin?as=auditor")
        assert "审计" in wait_text(browser, "#purpose")
        assert browser.current_url.endswith("/console/audit")
        search = browser.find_element("id", "audit-filter")
        search.find_element("name", "actor").send_keys("demo-caseworker")
        Select(search.find_element("name", "purpose")).select_by_value("aid_administration")
        browser.find_element("id", "audit-search").click()
        WebDriverWait(browser, 10).until(  # the unfiltered page had a table too
            lambda driver: "actor=demo-caseworker" in driver.current_url)
        wait_text(browser, "#events")
        rows = browser.find_elements("css selector", "#events tr")[1:]
        assert rows and all("demo-caseworker" in row.text for row in rows)
        assert any("query.people" in row.text for row in rows)  # the find just made
        assert any("query.household" in row.text for row in rows)
        assert all("aid_administration" in row.text for row in rows)
        assert person["name"] not in browser.page_source  # the log holds no names
        shot(browser, "50-auditor-log")
        browser.find_element("id", "verify-chain").click()
        verdict = wait_text(browser, "#chain-verdict")
        assert "完整" in verdict
        assert int(wait_text(browser, "#chain-events")) > len(rows)
        shot(browser, "51-auditor-chain-verified")
        urls = requested_urls(browser)
        refused = [entry["message"] for entry in browser.get_log("browser")
                   if "Content Security Policy" in entry["message"]]
    assert any("/console/audit/chain" in u for u in urls)
    assert [u for u in urls if not u.startswith(("http://127.0.0.1:", "data:"))] == []
    assert refused == []

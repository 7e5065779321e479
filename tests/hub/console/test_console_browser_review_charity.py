"""The link review and the charity referral workflow in real Chromium, network blocked, on
the demo (dev sign-in links, the demo tour's tokens): the caseworker opens the review
queue, a pair and its weight chart, and decides it with a reason; the charity opens its
donation and sees de-identified matches; the caseworker confirms the referral and records
the recipient's acceptance, and only then does the charity see the contact. A screenshot
of each step goes to ``tests/artifacts/console/``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.wait import WebDriverWait
from starlette.testclient import TestClient

from graph_schema import labels
from hub.app import create_app
from hub.config import Settings
from hub.datasets.demo_tour import CHARITY_ORG
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.api_helpers import api_settings
from tests.browser import offline_chromium, requested_urls
from tests.console_helpers import shot, submit_and_wait, wait_text
from tests.hub.console.test_console_review_charity import queue_pairs
from tests.leftovers import removing_new_nodes
from tests.resolvers import charity_scenario as sc

pytestmark = [pytest.mark.neo4j, pytest.mark.browser, pytest.mark.slow]

REVIEW_REGION = "659001"
CHARITY_REGION = "360222"
REASON = "姓名、出生日期、证件号均一致，两部门登记为同一人"


@pytest.fixture
def prepared(demo: tuple[str, Any], linked_sample: Store, settings: Settings
             ) -> Iterator[dict[str, Any]]:
    """Two pending review pairs, and the demo charity registered with a donation and two
    consenting recipients (through the API); all removed afterwards."""
    sc.clear(linked_sample)
    with removing_new_nodes(linked_sample, labels.REVIEW_PAIR), \
            TestClient(create_app(api_settings(settings, dev_mode=True))) as api:
        pairs = queue_pairs(linked_sample, REVIEW_REGION)
        people = sc.recipients(linked_sample, open_privacy(settings), CHARITY_REGION, 2)
        sc.register(api, CHARITY_REGION, org=CHARITY_ORG)
        for person in people:
            sc.consent(api, CHARITY_REGION, person.person_id, grantee=CHARITY_ORG,
                       categories=["winter_heating"])
        donation = sc.publish(api, CHARITY_REGION, org=CHARITY_ORG)
        yield {"pairs": pairs, "people": people, "donation": donation, "api": api}
    sc.clear(linked_sample)


def _click(browser: Any, css: str) -> None:
    """Click a control that loads a new page (a button or a link), and wait for it."""
    submit_and_wait(browser, css)


def _choose(browser: Any, css: str) -> None:
    """Tick a radio button (nothing loads)."""
    browser.find_element("css selector", css).click()


def test_review_decision_and_referral_until_the_charity_sees_the_contact(
        demo: tuple[str, Any], prepared: dict[str, Any]) -> None:
    base, _ = demo
    pair = prepared["pairs"][0]
    people = prepared["people"]
    with offline_chromium() as browser:
        browser.get(f"{base}/console/signin?as=caseworker")
        assert "救助经办" in wait_text(browser, "#purpose")
        browser.get(f"{base}/console/review")
        assert int(wait_text(browser, "#pair-count")) >= 2
        shot(browser, "30-review-queue")
        link = next(a for a in browser.find_elements("css selector", "a.pair-link")
                    if a.text == pair["pair_key"])
        link.click()
        assert wait_text(browser, "#pair-id") == pair["pair_key"]
        bars = browser.find_elements("css selector", "svg#waterfall g.bar rect")
        comparisons = browser.find_elements("css selector", "#comparisons tr")
        assert len(bars) == len(comparisons) - 1 > 2  # a bar per comparison and the total
        assert bars[0].size["width"] > 0
        assert browser.find_elements("css selector", "svg#waterfall g.bar-total-pos")
        ActionChains(browser).scroll_to_element(
            browser.find_element("id", "comparisons")).perform()
        shot(browser, "31-review-pair-chart")
        _choose(browser, "input[name=decision][value=accept]")
        browser.find_element("name", "reason").send_keys(REASON)
        _click(browser, "#review-decision button")
        assert "已记录复核结论" in wait_text(browser, ".notice")
        assert wait_text(browser, "#pair-status-code") == "accepted"
        assert browser.find_elements("css selector", "#review-done")
        shot(browser, "32-review-decided")

        browser.get(f"{base}/console/signin?as=charity")
        assert "慈善帮扶对接" in wait_text(browser, "#purpose")
        wait_text(browser, "#donations")
        _click(browser, "a.donation-link")
        wait_text(browser, "#matches")
        rows = browser.find_elements("css selector", "#matches tr.match")
        assert len(rows) >= 2 and not browser.find_elements("css selector", "a.contact-link")
        ref = str(rows[0].get_attribute("data-token"))
        donation_url = browser.current_url
        before_matches = browser.page_source
        browser.set_window_size(1400, 1150)  # the donation and its matches on one screen
        shot(browser, "40-charity-donation-matches")
        browser.set_window_size(1400, 900)
        browser.get(f"{base}/console/charity/referrals/{ref}")
        wait_text(browser, "#contact-withheld")
        assert not browser.find_elements("css selector", "#contact-name")
        before_contact = browser.page_source
        shot(browser, "41-referral-before-acceptance")

        browser.get(f"{base}/console/signin?as=caseworker")
        wait_text(browser, "#purpose")
        browser.get(f"{base}/console/referrals")
        _click(browser, f"tr.referral-actions[data-token='{ref}'] form.confirm-form button")
        assert "已确认" in wait_text(browser, ".notice")
        row = f"#referrals tr.referral-actions[data-token='{ref}']"
        _choose(browser, f"{row} input[name=accepted][value=yes]")
        browser.find_element("css selector", f"{row} input[name=evidence_ref]").send_keys(
            "ANSWER-2026-001")
        _click(browser, f"{row} form.decision-form button")
        assert "受助人已同意" in wait_text(browser, ".notice")
        assert browser.find_element("css selector", "#changed tr.referral").get_attribute(
            "data-status") == "accepted"
        shot(browser, "42-caseworker-records-acceptance")

        browser.get(f"{base}/console/signin?as=charity")
        wait_text(browser, "#purpose")
        browser.get(donation_url)
        WebDriverWait(browser, 10).until(
            lambda driver: driver.find_elements("css selector", "a.contact-link"))
        _click(browser, "a.contact-link")
        name = wait_text(browser, "#contact-name")
        phone = wait_text(browser, "#contact-phone")
        shot(browser, "43-charity-sees-contact")
        urls = requested_urls(browser)
        refused = [entry["message"] for entry in browser.get_log("browser")
                   if "Content Security Policy" in entry["message"]]
    contact = sc.ok(sc.contact(prepared["api"], CHARITY_REGION, ref, org=CHARITY_ORG))
    answer = contact["referralContact"]
    assert name == answer["name"] and phone == answer["phone"]
    assert name in {p.name for p in people}
    for page in (before_matches, before_contact):  # not visible before the acceptance
        assert name not in page and phone not in page
    assert [u for u in urls if not u.startswith(("http://127.0.0.1:", "data:"))] == []
    assert refused == []

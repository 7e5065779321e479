"""Shared by the console's tests: tokens in one region, signing in, CSRF, screenshots.

Household ids are keyed hashes and differ with every fresh key, so a test never picks
"the lowest household" over all regions: the tokens cover one region (``REGION``) and
:func:`household_in_region` picks within it (CI once failed on a key where the lowest
household overall lay elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from hub.store import Store
from tests.api_helpers import token

REGION = "659001"
CASEWORKER = token("caseworker", org="民政", regions=(REGION,))
VERIFIER = token("verifier", org="核对中心", subject="verifier-001", regions=(REGION,))
DEPARTMENT = token("department", org="医保", subject="dept-001", regions=(REGION,))
ID_NUMBER = re.compile(r"\b\d{17}[\dX]\b")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "console"

HOUSEHOLD_IN_REGION = """
MATCH (h:Household {region_code: $region})<-[:MEMBER_OF {status: '正常'}]-(p:Person)
WHERE coalesce(p.status, '正常') <> '死亡'
WITH h, collect(p.person_id) AS living WHERE size(living) >= 2
WITH h, living ORDER BY h.household_id LIMIT 1
UNWIND living AS person_id
RETURN h.household_id AS household_id, min(person_id) AS person_id
"""


def household_in_region(store: Store, region: str = REGION) -> dict[str, Any]:
    """The household (two living members or more, lowest id) and applicant in ``region``."""
    rows = store.read(HOUSEHOLD_IN_REGION, region=region)
    assert rows, f"the sample has no household of two living members in {region}"
    return dict(rows[0])


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def inline_script_problems(page: str) -> list[str]:
    """Script tags that are not an empty ``<script src="/console/static/...">``, and
    ``style=`` attributes: what the console's strict CSP would refuse to run."""
    problems = [tag for tag, body in SCRIPT_TAG.findall(page)
                if body.strip() or "/console/static/" not in tag]
    if page.count("<script") != len(SCRIPT_TAG.findall(page)):
        problems.append("an unclosed <script> tag")
    if "style=" in page:
        problems.append("a style= attribute")
    return problems


def sign_in(client: TestClient, bearer: str, purpose: str) -> TestClient:
    """Open a console session on ``client`` (its cookies replaced)."""
    client.cookies.clear()
    answer = client.post("/console/signin", data={"token": bearer, "purpose": purpose},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(page: str) -> str:
    """The CSRF token in a page's forms."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def leaves(value: Any) -> Iterator[Any]:
    """Every scalar in a GraphQL answer."""
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def shot(browser: Any, name: str) -> None:
    """Save a screenshot of the browser's page as ``tests/artifacts/console/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def wait_text(browser: Any, css: str, timeout: float = 10) -> str:
    """The element's text, waiting for it: a click that submits a form returns before the
    next page has loaded (an element of the old page going stale is waited out too)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.wait import WebDriverWait

    found = WebDriverWait(browser, timeout, ignored_exceptions=(
        StaleElementReferenceException,)).until(
        lambda driver: (driver.find_element("css selector", css).text,))
    return str(found[0])


def submit_and_wait(browser: Any, button_css: str, timeout: float = 10) -> None:
    """Click a button that loads a new page, and wait until the old page is gone.

    Chromium, asked about the old page's node mid-navigation, sometimes answers "Node
    with given id does not belong to the document" instead of a stale-element error;
    both mean the old page is gone (``staleness_of`` only knew the second).
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.wait import WebDriverWait

    old_page = browser.find_element("tag name", "html")
    browser.find_element("css selector", button_css).click()

    def old_page_gone(_driver: Any) -> bool:
        try:
            old_page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc.msg):
                return True
            raise
        return False

    WebDriverWait(browser, timeout).until(old_page_gone)

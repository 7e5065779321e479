"""The console shows each role, under each purpose, exactly what GraphQL returns to it.

For every role × purpose: a purpose the role may not declare is refused at sign-in; for
the others, every page of the console (``PAGES``) is read through the console and the
page's own GraphQL document through ``/graphql`` with the same token and purpose, then:

- every value GraphQL returns is on the page (escaped);
- every ID number on the page is one GraphQL returned (identifiers only where allowed);
- a document GraphQL refuses shows the refusal on the page, in Chinese, with its code,
  and none of the data (none of the page's data sections).

The graph is the linked sample plus what the pages list: one monitoring run's alerts,
two queued review pairs, a charity's donation with its proposed referrals (all removed
afterwards). The audit chain page is left out here: each look at the chain is itself
audited, so two reads never agree on the head; ``test_console_audit`` checks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from graph_schema import labels
from graph_schema.queries.maintenance import DROP_ALERTS
from hub.auth import Principal
from hub.config import Settings
from hub.console import alerts as console_alerts
from hub.console import audit as console_audit
from hub.console import charity as console_charity
from hub.console import review as console_review
from hub.console.casework import HOUSEHOLD_DOCUMENT, VERIFY_DOCUMENT
from hub.console.overlap import OVERLAP_DOCUMENT
from hub.console.pages import CODE_MESSAGES
from hub.console.reverification import DUE_DOCUMENT
from hub.monitoring import run_monitoring
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from privacy import Purpose, purpose_allowed
from tests.api_helpers import TEST_JWT_SECRET, gql, token
from tests.console_helpers import ID_NUMBER, REGION, household_in_region, leaves
from tests.hub.console.test_console_overlap_alerts import AS_OF
from tests.hub.console.test_console_review_charity import pair_url, queue_pairs
from tests.leftovers import removing_new_nodes
from tests.resolvers import charity_scenario as sc

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

# role → (org, regions): one principal per role, as the policy's roles are, and one that
# holds two roles (its token's purposes are those of either; its pages follow the purpose)
ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "caseworker": ("民政", (REGION,)),
    "verifier": ("核对中心", (REGION,)),
    "department": ("医保", (REGION,)),
    "charity": (sc.CHARITY, (REGION,)),
    "auditor": ("审计", ()),
    "sysadmin": ("信息中心", ()),
    "security_admin": ("信息中心", ()),
    "caseworker+verifier": ("民政", (REGION,)),
}
ALERT_IN_REGION = """
MATCH (a:Alert {department: '民政'}) WHERE a.region_code = $region OR $region IN a.region_codes
RETURN a.alert_key AS key ORDER BY key LIMIT 1
"""


@dataclass(frozen=True)
class PageCase:
    """A console page, the GraphQL document it shows, and the page's data sections (none
    of them may appear when the document shows nothing)."""

    name: str
    path: Callable[[dict[str, Any]], str]
    document: str
    variables: Callable[[dict[str, Any]], dict[str, Any]]
    sections: tuple[str, ...]


def _case(name: str, path: Callable[[dict[str, Any]], str], document: str,
          variables: Callable[[dict[str, Any]], dict[str, Any]], *sections: str) -> PageCase:
    return PageCase(name, path, document, variables, sections)


PAGES: tuple[PageCase, ...] = (
    _case("household", lambda t: f"/console/household?household_id={t['household_id']}",
          HOUSEHOLD_DOCUMENT, lambda t: {"householdId": t["household_id"]}, 'id="members"'),
    _case("verify", lambda t: f"/console/verify?applicant={t['person_id']}",
          VERIFY_DOCUMENT, lambda t: {"applicant": t["person_id"]}, 'id="steps"'),
    _case("reverification",
          lambda t: f"/console/reverification?region={REGION}&as_of=2026-10-31&horizon=366",
          DUE_DOCUMENT, lambda t: {"region": REGION, "asOf": "2026-10-31", "horizonDays": 366},
          'id="due"'),
    _case("overlap", lambda t: f"/console/overlap?applicant={t['person_id']}",
          OVERLAP_DOCUMENT, lambda t: {"person": t["person_id"]}, 'id="overlap-result"'),
    _case("alerts", lambda t: "/console/alerts", console_alerts.LIST_DOCUMENT,
          lambda t: {}, 'id="alerts"'),
    _case("alert", lambda t: f"/console/alerts/{t['alert_id']}", console_alerts.ALERT_DOCUMENT,
          lambda t: {"alertId": t["alert_id"]}, 'id="sources"', 'id="alert-status-form"'),
    _case("review", lambda t: "/console/review", console_review.QUEUE_DOCUMENT,
          lambda t: {"region": None, "first": console_review.QUEUE_PAGE}, 'id="review-queue"'),
    _case("review_pair", lambda t: pair_url(t["pair_id"]), console_review.PAIR_DOCUMENT,
          lambda t: {"pairId": t["pair_id"]}, 'id="pair"', 'id="waterfall"'),
    _case("charity", lambda t: "/console/charity", console_charity.DONATIONS_DOCUMENT,
          lambda t: {}, 'id="donations"'),
    _case("donation", lambda t: f"/console/charity/donations/{t['donation_id']}",
          console_charity.MATCHES_DOCUMENT, lambda t: {"donationId": t["donation_id"]},
          'id="matches"', 'id="donation"'),
    _case("referrals", lambda t: "/console/referrals", console_charity.QUEUE_DOCUMENT,
          lambda t: {"status": None}, 'id="referrals"'),
    _case("audit", lambda t: "/console/audit", console_audit.EVENTS_DOCUMENT,
          lambda t: {"after": 0, "where": None}, 'id="events"'),
)

# pages that must show data to the role under the purpose (so the comparison is not empty)
MUST_SEE = {("caseworker", "aid_administration", "household"),
            ("caseworker", "aid_administration", "reverification"),
            ("caseworker", "aid_administration", "review"),
            ("caseworker", "aid_administration", "review_pair"),
            ("caseworker", "aid_administration", "referrals"),
            ("caseworker", "monitoring", "household"),
            ("caseworker", "monitoring", "alerts"),
            ("caseworker", "monitoring", "alert"),
            ("department", "overlap_check", "overlap"),
            ("charity", "charity_matching", "charity"),
            ("charity", "charity_matching", "donation"),
            ("auditor", "audit", "audit"),
            ("caseworker+verifier", "aid_administration", "household"),
            ("caseworker+verifier", "aid_administration", "review"),
            ("caseworker+verifier", "monitoring", "alerts")}


def principal(role: str) -> Principal:
    org, regions = ROLES[role]
    return Principal(subject=f"{role}-001", org=org, roles=tuple(role.split("+")),
                     regions=regions)


def scalars(value: Any) -> list[str]:
    """The answer's values as the page prints them (booleans and nulls are rendered as
    words or marks, not compared)."""
    return [str(v) for v in leaves(value) if v is not None and not isinstance(v, bool)]


@pytest.fixture
def listed(client: TestClient, linked_sample: Store, settings: Settings
           ) -> Iterator[dict[str, Any]]:
    """What the pages list, in the tokens' region: alerts of one monitoring run, two
    queued review pairs, a donation whose matches proposed referrals; removed after."""
    target = household_in_region(linked_sample)
    linked_sample.run_autocommit(DROP_ALERTS)
    sc.clear(linked_sample)
    with removing_new_nodes(linked_sample, labels.REVIEW_PAIR):
        try:
            run_monitoring(linked_sample, open_privacy(settings), as_of=AS_OF)
            alert = linked_sample.read(ALERT_IN_REGION, region=REGION)
            assert alert, f"the monitoring run raised no alert for 民政 in {REGION}"
            pairs = queue_pairs(linked_sample, REGION)
            people = sc.recipients(linked_sample, open_privacy(settings), REGION, 2)
            sc.register(client, REGION)
            for person in people:
                sc.consent(client, REGION, person.person_id, categories=["winter_heating"])
            donation = sc.publish(client, REGION)
            assert sc.matches(client, REGION, donation)["matches"], "no referral proposed"
            yield {**target, "alert_id": alert[0]["key"], "pair_id": pairs[0]["pair_key"],
                   "donation_id": donation}
        finally:
            linked_sample.run_autocommit(DROP_ALERTS)
            sc.clear(linked_sample)


@pytest.mark.parametrize("role", list(ROLES))
def test_each_page_shows_what_graphql_returns(client: TestClient, listed: dict[str, Any],
                                              role: str) -> None:
    org, regions = ROLES[role]
    bearer = token(*role.split("+"), org=org, regions=regions, subject=f"{role}-001")
    seen: set[tuple[str, str]] = set()
    for purpose in Purpose:
        client.cookies.clear()
        signed = client.post("/console/signin", data={"token": bearer,
                                                      "purpose": purpose.value},
                             follow_redirects=False)
        if not purpose_allowed(principal(role), purpose):
            assert signed.status_code == 400 and "不能以此用途" in signed.text
            continue
        assert signed.status_code == 303, signed.text
        for case in PAGES:
            where = (role, purpose.value, case.name)
            # GraphQL first: a list that grows meanwhile (the audit log) only adds to the page
            answer = gql(client, case.document, bearer=bearer, purpose=purpose.value,
                         variables=case.variables(listed)).json()
            page = client.get(case.path(listed))
            assert page.status_code in (200, 400, 403, 404), (where, page.status_code)
            data = {k: v for k, v in (answer.get("data") or {}).items() if v is not None}
            if where in MUST_SEE:
                assert data and scalars(data), (where, answer.get("errors"))
                seen.add((purpose.value, case.name))
            for value in scalars(data):  # as the templates escape it
                assert str(escape(value)) in page.text, (where, value)
            returned = {v for v in scalars(answer.get("data")) if ID_NUMBER.fullmatch(v)}
            assert set(ID_NUMBER.findall(page.text)) <= returned, where
            for error in answer.get("errors") or []:
                code = error["extensions"]["code"]
                assert f"（{code}）" in page.text and CODE_MESSAGES[code] in page.text, where
            if not data:  # refused or empty: none of the page's data sections
                assert not any(section in page.text for section in case.sections), where
    assert seen == {(p, n) for r, p, n in MUST_SEE if r == role}


def test_a_token_combining_an_operating_role_is_refused_at_sign_in(client: TestClient) -> None:
    """Role separation holds in the console as in the API: an auditor cannot also be a
    caseworker, so such a token opens no session at all."""
    now = datetime.now(UTC)  # signed as an identity provider might send it
    both = jwt.encode({"sub": "both-001", "org": "民政", "roles": ["caseworker", "auditor"],
                       "regions": [REGION], "aud": "hub", "iat": now,
                       "exp": now + timedelta(hours=1)}, TEST_JWT_SECRET, algorithm="HS256")
    signed = client.post("/console/signin", data={"token": both, "purpose": "audit"},
                         follow_redirects=False)
    assert signed.status_code == 400 and "令牌无效" in signed.text
    assert "hub_console" not in signed.cookies
    assert gql(client, "{ me { subject } }", bearer=both, purpose="audit").status_code == 401

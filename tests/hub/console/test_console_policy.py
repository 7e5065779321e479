"""The console shows each role, under each purpose, exactly what GraphQL returns to it.

For every role × purpose: a purpose the role may not declare is refused at sign-in; for
the others, every page of the console (``PAGES``) is read through the console and the
page's own GraphQL document through ``/graphql`` with the same token and purpose, then:

- every value GraphQL returns is on the page (escaped);
- every ID number on the page is one GraphQL returned (identifiers only where allowed);
- a document GraphQL refuses shows the refusal on the page, in Chinese, with its code,
  and none of the data.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from hub.auth import Principal
from hub.console.casework import HOUSEHOLD_DOCUMENT, VERIFY_DOCUMENT
from hub.console.pages import CODE_MESSAGES
from hub.console.reverification import DUE_DOCUMENT
from hub.store import Store
from privacy import Purpose, purpose_allowed
from tests.api_helpers import gql, token
from tests.console_helpers import ID_NUMBER, REGION, household_in_region, leaves

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

# role → (org, regions): one principal per role, as the policy's roles are
ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "caseworker": ("民政", (REGION,)),
    "verifier": ("核对中心", (REGION,)),
    "department": ("医保", (REGION,)),
    "charity": ("CH-DEMO-WARMTH", (REGION,)),
    "auditor": ("审计", ()),
    "sysadmin": ("信息中心", ()),
    "security_admin": ("信息中心", ()),
}


@dataclass(frozen=True)
class PageCase:
    """A console page and the GraphQL document it shows."""

    name: str
    path: Callable[[dict[str, Any]], str]
    document: str
    variables: Callable[[dict[str, Any]], dict[str, Any]]


PAGES: tuple[PageCase, ...] = (
    PageCase("household", lambda t: f"/console/household?household_id={t['household_id']}",
             HOUSEHOLD_DOCUMENT, lambda t: {"householdId": t["household_id"]}),
    PageCase("verify", lambda t: f"/console/verify?applicant={t['person_id']}",
             VERIFY_DOCUMENT, lambda t: {"applicant": t["person_id"]}),
    PageCase("reverification",
             lambda t: f"/console/reverification?region={REGION}&as_of=2026-10-31&horizon=366",
             DUE_DOCUMENT,
             lambda t: {"region": REGION, "asOf": "2026-10-31", "horizonDays": 366}),
)

# pages that must show data to the role under the purpose (so the comparison is not empty)
MUST_SEE = {("caseworker", "aid_administration", "household"),
            ("caseworker", "aid_administration", "reverification"),
            ("caseworker", "monitoring", "household")}
COMBINATIONS = [(role, purpose) for role in ROLES for purpose in Purpose]


def principal(role: str) -> Principal:
    org, regions = ROLES[role]
    return Principal(subject=f"{role}-001", org=org, roles=(role,), regions=regions)


def scalars(value: Any) -> list[str]:
    """The answer's values as the page prints them (booleans and nulls are rendered as
    words or marks, not compared)."""
    return [str(v) for v in leaves(value) if v is not None and not isinstance(v, bool)]


@pytest.mark.parametrize(("role", "purpose"), COMBINATIONS,
                         ids=[f"{r}-{p.value}" for r, p in COMBINATIONS])
def test_each_page_shows_what_graphql_returns(client: TestClient, linked_sample: Store,
                                              role: str, purpose: Purpose) -> None:
    org, regions = ROLES[role]
    bearer = token(role, org=org, regions=regions, subject=f"{role}-001")
    client.cookies.clear()
    signed = client.post("/console/signin", data={"token": bearer, "purpose": purpose.value},
                         follow_redirects=False)
    if not purpose_allowed(principal(role), purpose):
        assert signed.status_code == 400 and "不能以此用途" in signed.text
        return
    assert signed.status_code == 303, signed.text
    target = household_in_region(linked_sample)
    for case in PAGES:
        page = client.get(case.path(target))
        assert page.status_code in (200, 400, 404), (case.name, page.status_code)
        answer = gql(client, case.document, bearer=bearer, purpose=purpose.value,
                     variables=case.variables(target)).json()
        data = {k: v for k, v in (answer.get("data") or {}).items() if v is not None}
        if (role, purpose.value, case.name) in MUST_SEE:
            assert data and scalars(data), (case.name, answer.get("errors"))
        for value in scalars(data):
            assert html.escape(value) in page.text, (case.name, value)
        returned = {v for v in scalars(answer.get("data")) if ID_NUMBER.fullmatch(v)}
        assert set(ID_NUMBER.findall(page.text)) <= returned, case.name
        for error in answer.get("errors") or []:
            code = error["extensions"]["code"]
            assert f"（{code}）" in page.text and CODE_MESSAGES[code] in page.text, case.name
        if not data:  # refused or empty: nothing from the document is on the page
            assert 'id="members"' not in page.text and 'id="steps"' not in page.text
            assert 'id="due"' not in page.text

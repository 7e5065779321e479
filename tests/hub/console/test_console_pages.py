"""The console over HTTP against the sample graph: sign-in, the household page, consent,
verification; the same policy as GraphQL; bad input, CSRF and CSP."""

from __future__ import annotations

import html
import json
import re
import time
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from hub.app import create_app
from hub.config import Settings
from hub.console.casework import HOUSEHOLD_DOCUMENT, VERIFY_DOCUMENT
from hub.console.security import CONTENT_SECURITY_POLICY
from hub.store import Store
from tests.api_helpers import api_settings, gql, token
from tests.console_helpers import (
    CASEWORKER,
    DEPARTMENT,
    ID_NUMBER,
    VERIFIER,
    csrf_of,
    household_in_region,
    inline_script_problems,
    leaves,
    sign_in,
)

pytestmark = pytest.mark.neo4j


def consent_count(store: Store) -> int:
    return int(store.read("MATCH (c:Consent) RETURN count(c) AS n")[0]["n"])


def test_sign_in_refuses_a_bad_token_and_a_purpose_the_role_may_not_declare(
        client: TestClient) -> None:
    bad = client.post("/console/signin", data={"token": "not-a-jwt", "purpose": "verification"},
                      follow_redirects=False)
    assert bad.status_code == 400 and "令牌无效" in bad.text
    assert "hub_console" not in bad.cookies
    wrong = client.post("/console/signin", data={"token": DEPARTMENT, "purpose": "verification"},
                        follow_redirects=False)
    assert wrong.status_code == 400 and "不能以此用途" in wrong.text
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_every_page_has_a_strict_csp_and_no_inline_script(client: TestClient,
                                                          household_id: str) -> None:
    sign_in(client, CASEWORKER, "aid_administration")
    for path in ("/console/signin", "/console/", f"/console/household?household_id={household_id}",
                 "/console/verify", "/console/reverification"):
        answer = client.get(path)
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
        assert inline_script_problems(answer.text) == [], path
        assert answer.headers["cache-control"] == "no-store"
    script = client.get("/console/static/vendor/d3/d3.min.js")
    assert script.status_code == 200 and "max-age=3600" in script.headers["cache-control"]
    assert script.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_the_purpose_is_shown_on_every_page(client: TestClient, household_id: str) -> None:
    sign_in(client, CASEWORKER, "aid_administration")
    for path in ("/console/", f"/console/household?household_id={household_id}"):
        assert "用途：<span id=\"purpose\">救助经办</span>" in client.get(path).text


@pytest.mark.parametrize(("bearer", "purpose"), [
    (CASEWORKER, "aid_administration"), (CASEWORKER, "monitoring"),
    (VERIFIER, "verification"), (DEPARTMENT, "overlap_check")])
def test_the_household_page_shows_what_graphql_returns_for_the_role_and_purpose(
        client: TestClient, household_id: str, bearer: str, purpose: str) -> None:
    answer = gql(client, HOUSEHOLD_DOCUMENT, bearer=bearer, purpose=purpose,
                 variables={"householdId": household_id}).json()
    sign_in(client, bearer, purpose)
    page = client.get(f"/console/household?household_id={household_id}").text
    data = answer.get("data") or {}
    if purpose == "aid_administration":
        assert data["household"]["members"], "the caseworker sees the household"
    if not data.get("household"):
        assert "未找到该家庭" in page or "（" in page
        assert ID_NUMBER.findall(page) == []
        return
    for value in leaves(data["household"]):
        if value is not None and not isinstance(value, bool):
            assert html.escape(str(value)) in page, f"{value!r} from GraphQL missing"
    graph = re.search(r"data-graph='([^']*)'", page)
    assert graph, "the household picture's data is on the page"
    labels = " ".join(n["label"] for n in json.loads(html.unescape(graph.group(1)))["nodes"])
    names = {m["person"]["name"] for m in data["household"]["members"] or []
             if m.get("person") and m["person"].get("name")}
    assert all(name in labels for name in names)  # the picture names whom the table names
    if any(m.get("person") and m["person"].get("name") is None
           for m in data["household"]["members"] or []):
        assert "（无权查看）" in labels or "人员 " in labels
    returned = {v for v in leaves(data) if isinstance(v, str) and ID_NUMBER.fullmatch(v)}
    assert set(ID_NUMBER.findall(page)) <= returned  # identifiers only where policy allows
    if None in set(leaves(data["household"])):
        assert "（无权查看）" in page


def test_find_by_id_number_and_a_malformed_one(client: TestClient, household_id: str) -> None:
    answer = gql(client, HOUSEHOLD_DOCUMENT, bearer=CASEWORKER,
                 variables={"householdId": household_id}).json()
    id_number = next(m["person"]["idNumber"] for m in answer["data"]["household"]["members"]
                     if m["person"] and m["person"]["idNumber"])
    sign_in(client, CASEWORKER, "aid_administration")
    found = client.get("/console/household", params={"id_number": f" {id_number.lower()} "})
    assert found.status_code == 200 and f'id="household-id">{household_id}<' in found.text
    bad = client.get("/console/household", params={"id_number": id_number[:-1] + "Z"})
    assert bad.status_code == 400 and "身份证号格式不正确" in bad.text
    assert id_number[:-1] not in bad.text  # the input is not echoed back


def test_consent_needs_the_csrf_token_and_bad_input_changes_nothing(
        client: TestClient, household_id: str, linked_sample: Store) -> None:
    sign_in(client, CASEWORKER, "aid_administration")
    page = client.get(f"/console/household?household_id={household_id}").text
    form = {"household_id": household_id, "grantee": "核对中心", "expires": "2027-06-01",
            "evidence_ref": "AUTH-2026-001"}
    before = consent_count(linked_sample)
    refused = client.post("/console/consent", data=form)
    assert refused.status_code == 403 and "CSRF" in refused.text
    forged = client.post("/console/consent", data={**form, "csrf": "forged"})
    assert forged.status_code == 403
    for field, value, message in (("expires", "2027-13-45", "有效期日期格式不正确"),
                                  ("evidence_ref", " ", "请填写授权书编号"),
                                  ("evidence_ref", "x" * 5000, "过长")):
        bad = client.post("/console/consent", data={**form, field: value, "csrf": csrf_of(page)})
        assert bad.status_code == 400 and message in bad.text
    huge = client.post("/console/consent",
                       data={**form, "evidence_ref": "x" * 1_000_000, "csrf": csrf_of(page)})
    assert huge.status_code == 413 and "提交的内容过大" in huge.text
    assert consent_count(linked_sample) == before
    done = client.post("/console/consent", data={**form, "csrf": csrf_of(page)})
    assert done.status_code == 200 and "已登记核对授权" in done.text
    assert consent_count(linked_sample) == before + 1


def test_caseworker_records_consent_then_the_verifier_reads_the_amount(
        client: TestClient, household_id: str, linked_sample: Store) -> None:
    sign_in(client, CASEWORKER, "aid_administration")
    page = client.get(f"/console/household?household_id={household_id}").text
    client.post("/console/consent", data={
        "household_id": household_id, "grantee": "核对中心", "expires": "2027-06-01",
        "evidence_ref": "AUTH-2026-002", "csrf": csrf_of(page)})
    applicant = str(household_in_region(linked_sample)["person_id"])
    expected = gql(client, VERIFY_DOCUMENT, bearer=VERIFIER, purpose="verification",
                   variables={"applicant": applicant}).json()["data"]["verifyHousehold"]
    sign_in(client, VERIFIER, "verification")
    household = client.get(f"/console/household?household_id={household_id}").text
    link = re.search(r'id="verify-link" href="([^"]+)"', household)
    assert link, "no verification link for the verifier"
    report = client.get(html.unescape(link.group(1)))
    assert report.status_code == 200
    amount = re.search(r'id="monthly-amount">([^<]+)<', report.text)
    assert amount and amount.group(1) == (str(expected["monthlyAmount"])
                                          if expected["monthlyAmount"] is not None else "—")
    assert f'id="category">{html.escape(expected["category"])}<' in report.text
    for step in expected["steps"]:
        assert html.escape(step["rule"]) in report.text


def test_script_in_a_field_is_escaped(client: TestClient) -> None:
    sign_in(client, VERIFIER, "verification")
    page = client.get("/console/verify", params={"applicant": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_reverification_list_shows_what_graphql_returns(client: TestClient) -> None:
    from hub.console.reverification import DUE_DOCUMENT

    variables = {"region": "659001", "asOf": "2026-10-31", "horizonDays": 366}
    answer = gql(client, DUE_DOCUMENT, bearer=CASEWORKER, purpose="aid_administration",
                 variables=variables).json()
    rows = answer["data"]["reverificationsDue"]
    assert rows["households"], "the sample has households due within a year"
    sign_in(client, CASEWORKER, "aid_administration")
    page = client.get("/console/reverification",
                      params={"region": "659001", "as_of": "2026-10-31", "horizon": "366"})
    assert page.status_code == 200
    assert f'id="due-count">{rows["total"]}<' in page.text
    assert page.text.count("console/household?household_id=") == len(rows["households"])
    for value in leaves(rows["households"]):
        assert html.escape(str(value)) in page.text, f"{value!r} from GraphQL missing"
    bad = client.get("/console/reverification", params={"as_of": "2026-02-30"})
    assert bad.status_code == 400 and "核对日期格式不正确" in bad.text
    elsewhere = client.get("/console/reverification", params={"region": "410502"})
    assert elsewhere.status_code == 403 and "FORBIDDEN" in elsewhere.text
    assert 'id="due"' not in elsewhere.text
    sign_in(client, VERIFIER, "verification")
    refused = client.get("/console/reverification", params={"region": "659001"})
    assert refused.status_code == 403 and 'id="due"' not in refused.text


def test_the_console_takes_from_the_api_rate_limit_bucket(
        settings: Settings, linked_sample: Store, household_id: str) -> None:
    from hub.api.rate_limit import TokenBucketLimiter

    limiter = TokenBucketLimiter(per_minute=3)
    with TestClient(create_app(api_settings(settings), store=linked_sample,
                               limiter=limiter)) as client:
        sign_in(client, CASEWORKER, "aid_administration")
        assert gql(client, "{ me { subject } }", bearer=CASEWORKER).status_code == 200
        pages = [client.get(f"/console/household?household_id={household_id}")
                 for _ in range(3)]
        assert [p.status_code for p in pages] == [200, 200, 429]  # 1 API + 2 pages = 3
        limited = pages[-1]
        assert int(limited.headers["retry-after"]) >= 1
        assert "请求过于频繁" in limited.text and 'id="members"' not in limited.text
        assert gql(client, "{ me { subject } }", bearer=CASEWORKER).status_code == 429


def test_a_session_whose_token_expired_is_sent_to_sign_in(client: TestClient) -> None:
    """The cookie outlives the token: the next page's document finds it no longer
    verifies, and the console's handler answers with the sign-in page (nothing read)."""
    # expired 27 s ago: still inside the verifier's 30 s leeway at sign-in, past it soon
    short = token("department", org="医保", subject="dept-short", ttl=timedelta(seconds=-27))
    signed = client.post("/console/signin", data={"token": short, "purpose": "overlap_check"},
                         follow_redirects=False)
    assert signed.status_code == 303
    time.sleep(5)
    page = client.get("/console/overlap", params={"applicant": "P0000001A"},
                      follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/console/signin"

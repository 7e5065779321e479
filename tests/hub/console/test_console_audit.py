"""The auditor's pages and the caseworker's find by name + birth date, over HTTP against
the sample graph: each page shows what its GraphQL document returns, other purposes see
the refusal, bad input is refused with a message naming the field."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from graph_schema import labels
from hub.config import Settings
from hub.console.audit import CHAIN_DOCUMENT, EVENTS_DOCUMENT, PAGE_SIZE, parse_moment
from hub.console.casework import HOUSEHOLD_DOCUMENT, PEOPLE_DOCUMENT
from hub.console.pages import CODE_MESSAGES
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.security_events import operation_event
from hub.store import Store
from tests.api_helpers import api_settings, gql, token
from tests.audit_helpers import forget_a_reset_logs_anchor
from tests.console_helpers import (
    CASEWORKER,
    DEPARTMENT,
    VERIFIER,
    inline_script_problems,
    leaves,
    sign_in,
)
from tests.leftovers import removing_new_nodes

pytestmark = pytest.mark.neo4j
AUDITOR = token("auditor", org="审计", subject="auditor-001", regions=())


def _shows_every_value(answer: Any, page: str) -> None:
    values = [str(v) for v in leaves(answer) if v is not None and not isinstance(v, bool)]
    assert values, "the comparison is not empty"
    for value in values:
        assert str(escape(value)) in page, f"{value!r} from GraphQL missing"  # as Jinja


def _events_answer(client: TestClient, after: int, where: dict[str, Any] | None) -> Any:
    body = gql(client, EVENTS_DOCUMENT, bearer=AUDITOR, purpose="audit",
               variables={"after": after, "where": where}).json()
    assert "errors" not in body, body
    return body["data"]["auditEvents"]


# -- the audit log ---------------------------------------------------------------------------

def test_the_auditor_page_shows_what_audit_events_returns(client: TestClient) -> None:
    # a refusal to find: the caseworker tries to read the log
    gql(client, EVENTS_DOCUMENT, bearer=CASEWORKER, variables={"after": 0, "where": None})
    sign_in(client, AUDITOR, "audit")
    # GraphQL first: the oldest page then holds what it returned (later looks append
    # events of their own, after it, and to this page only while it has room)
    answer = _events_answer(client, 0, None)
    first = client.get("/console/audit")
    assert first.status_code == 200
    _shows_every_value(answer["events"], first.text)
    assert int(re.search(r'id="event-count">(\d+)<', first.text).group(1)) in (
        len(answer["events"]), len(answer["events"]) + 1)
    filters = {"actor": "staff-001", "decision": "deny", "purpose": "aid_administration"}
    answer = _events_answer(client, 0, filters)
    filtered = client.get("/console/audit", params=filters)
    assert answer["events"], "the caseworker's refusal is in the log"
    assert all(e["decision"] == "deny" for e in answer["events"])
    _shows_every_value(answer["events"], filtered.text)
    assert "query.auditEvents" in filtered.text and "拒绝（deny）" in filtered.text


def test_the_time_range_and_the_next_page(client: TestClient, linked_sample: Store,
                                          settings: Settings) -> None:
    AuditLog.open(linked_sample, api_settings(settings)).append_many([  # a second page
        operation_event("security.test_page", f"filler {n}") for n in range(PAGE_SIZE + 1)])
    today = datetime.now(UTC).date().isoformat()
    sign_in(client, AUDITOR, "audit")
    for _ in range(3):  # enough events today for a second page of the filter below
        client.get("/console/audit")
    where = {"since": parse_moment(today, end=False).isoformat(),
             "until": parse_moment(today, end=True).isoformat(), "actor": "auditor-001"}
    answer = _events_answer(client, 0, where)
    page = client.get("/console/audit", params={"since": today, "until": today,
                                                "actor": "auditor-001"})
    assert page.status_code == 200 and answer["events"]
    assert all(e["at"].startswith(today) for e in answer["events"])
    _shows_every_value(answer["events"], page.text)
    older = client.get("/console/audit", params={"until": "2000-01-01"})
    assert 'id="no-events"' in older.text
    everything = _events_answer(client, 0, None)
    assert everything["nextCursor"] is not None, "the log has more than one page"
    first = client.get("/console/audit")
    link = html.unescape(re.search(r'id="next-page" href="([^"]+)"', first.text).group(1))
    assert link == f"/console/audit?after={everything['nextCursor']}"
    answer = _events_answer(client, everything["nextCursor"], None)
    second = client.get(link)
    _shows_every_value(answer["events"], second.text)
    assert 'id="first-page"' in second.text


def test_bad_filters_are_refused_with_a_message_and_escaped(client: TestClient) -> None:
    sign_in(client, AUDITOR, "audit")
    for params, message in (({"since": "2026-13-01"}, "起始时间格式不正确"),
                            ({"until": "yesterday"}, "截止时间格式不正确"),
                            ({"after": "-1"}, "分页参数 after"),
                            ({"actor": "x" * 500}, "过长")):
        bad = client.get("/console/audit", params=params)
        assert bad.status_code == 400 and message in bad.text, params
        assert 'id="events"' not in bad.text
    hostile = client.get("/console/audit", params={"actor": "<script>alert(1)</script>"})
    assert hostile.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
    assert inline_script_problems(hostile.text) == []


@pytest.mark.parametrize(("bearer", "purpose"), [
    (CASEWORKER, "aid_administration"), (DEPARTMENT, "overlap_check"),
    (VERIFIER, "verification")])
def test_other_roles_and_purposes_see_the_refusal(client: TestClient, bearer: str,
                                                  purpose: str) -> None:
    sign_in(client, bearer, purpose)
    for path in ("/console/audit", "/console/audit/chain"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert CODE_MESSAGES["FORBIDDEN"] in page.text and "（FORBIDDEN）" in page.text
        assert 'id="events"' not in page.text and 'id="chain-verdict"' not in page.text


def test_the_chain_report_shown_is_the_graphql_one(client: TestClient, linked_sample: Store,
                                                   settings: Settings) -> None:
    forget_a_reset_logs_anchor(linked_sample, api_settings(settings))
    sign_in(client, AUDITOR, "audit")
    before = gql(client, CHAIN_DOCUMENT, bearer=AUDITOR, purpose="audit").json()
    page = client.get("/console/audit/chain")
    after = gql(client, CHAIN_DOCUMENT, bearer=AUDITOR, purpose="audit").json()
    assert page.status_code == 200
    assert "完整：审计链未被篡改" in page.text and 'class="chain chain-ok"' in page.text
    shown = {key: re.search(rf'id="chain-{key}">([^<]*)<', page.text).group(1)
             for key in ("events", "last-seq", "head", "checkpoints", "legacy")}
    first, last = before["data"]["auditChain"], after["data"]["auditChain"]
    assert first["ok"] and last["ok"]
    # each look is audited after its check: the page saw one event more than the first
    # answer (its own request's), the second answer one more than the page
    assert int(shown["events"]) == first["events"] + 1 == last["events"] - 1
    assert int(shown["last-seq"]) == first["lastSeq"] + 1
    head = linked_sample.read("MATCH (e:AuditEvent {seq: $s}) RETURN e.hash AS h",
                              s=int(shown["last-seq"]))[0]["h"]
    assert shown["head"] == head
    assert first["checkpointsVerified"] <= int(shown["checkpoints"]) <= last[
        "checkpointsVerified"]
    assert int(shown["legacy"]) == first["legacyEvents"]
    assert "已验证" in page.text and f"锚定至第 {shown['last-seq']} 条" in page.text
    assert inline_script_problems(page.text) == []


# -- find by name + birth date -----------------------------------------------------------------

def _members(client: TestClient, household_id: str) -> list[dict[str, Any]]:
    answer = gql(client, HOUSEHOLD_DOCUMENT, bearer=CASEWORKER,
                 variables={"householdId": household_id}).json()
    return [m["person"] for m in answer["data"]["household"]["members"]
            if m["person"] and m["person"]["name"] and m["person"]["birthDate"]]


def _matches(client: TestClient, name: str, birth: str, bearer: str = CASEWORKER,
             purpose: str = "aid_administration") -> list[dict[str, Any]]:
    body = gql(client, PEOPLE_DOCUMENT, bearer=bearer, purpose=purpose,
               variables={"name": name, "birthDate": birth}).json()
    assert "errors" not in body, body
    return list(body["data"]["people"])


def test_find_by_name_and_birth_date_opens_the_household(client: TestClient,
                                                         household_id: str) -> None:
    member = next(m for m in _members(client, household_id)
                  if len(_matches(client, m["name"], m["birthDate"])) == 1)
    sign_in(client, CASEWORKER, "aid_administration")
    home = client.get("/console/")
    assert 'id="find-by-name"' in home.text and "姓名" in home.text
    found = client.get("/console/find", params={"name": f" {member['name']} ",
                                                 "birth_date": member["birthDate"]},
                       follow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == f"/console/household?household_id={household_id}"
    page = client.get(found.headers["location"])
    assert page.status_code == 200 and f'id="household-id">{household_id}<' in page.text
    assert html.escape(member["name"]) in page.text


def test_several_matches_are_listed_as_policy_shows_them(
        client: TestClient, linked_sample: Store, household_id: str) -> None:
    members = _members(client, household_id)
    one, other = members[0], members[1]
    person = linked_sample.read("""
        MATCH (r:SourceRecord)-[:RESOLVES_TO]->(:Person {person_id: $p})
        WHERE r.bi_name_birth IS NOT NULL RETURN r.bi_name_birth AS bi LIMIT 1""",
                                p=one["personId"])[0]
    # a second person's department record with the first one's name and birth date
    # (two people sharing both), removed afterwards
    with removing_new_nodes(linked_sample, labels.SOURCE_RECORD):
        linked_sample.write("""
            MATCH (p:Person {person_id: $p})
            CREATE (:SourceRecord {mention_key: 'test:name-birth:1', source: 'test',
                                   record_id: 'name-birth-1', bi_name_birth: $bi})
                   -[:RESOLVES_TO]->(p)""", p=other["personId"], bi=person["bi"])
        for bearer, purpose in ((CASEWORKER, "aid_administration"),
                                (DEPARTMENT, "overlap_check")):
            answer = _matches(client, one["name"], one["birthDate"], bearer, purpose)
            assert sorted(m["personId"] for m in answer) == sorted(
                [one["personId"], other["personId"]])
            sign_in(client, bearer, purpose)
            page = client.get("/console/find", params={"name": one["name"],
                                                       "birth_date": one["birthDate"]})
            assert page.status_code == 200 and 'id="matches"' in page.text
            assert int(re.search(r'id="match-count">(\d+)<', page.text).group(1)) == 2
            _shows_every_value(answer, page.text)
            if purpose == "overlap_check":  # masked as the policy masks it, never in full
                assert f"<td>{html.escape(one['name'])}</td>" not in page.text
                assert "（无权查看）" in page.text or "**" in page.text


def test_find_by_name_refuses_bad_input_and_says_when_nobody_matches(
        client: TestClient, household_id: str) -> None:
    member = _members(client, household_id)[0]
    sign_in(client, CASEWORKER, "aid_administration")
    for params, message in (
            ({"name": member["name"], "birth_date": "1980-02-31"}, "出生日期格式不正确"),
            ({"name": member["name"], "birth_date": "19800101"}, "出生日期格式不正确"),
            ({"name": member["name"], "birth_date": ""}, "请输入出生日期"),
            ({"name": " ", "birth_date": "1980-01-01"}, "请输入姓名"),
            ({"name": "王" * 65, "birth_date": "1980-01-01"}, "姓名过长")):
        bad = client.get("/console/find", params=params)
        assert bad.status_code == 400 and message in bad.text, params
        assert 'id="matches"' not in bad.text
    wrong = date.fromisoformat(member["birthDate"]).replace(year=1899).isoformat()
    nobody = client.get("/console/find", params={"name": member["name"], "birth_date": wrong})
    assert nobody.status_code == 404 and "未找到姓名与出生日期都相符的人员" in nobody.text
    hostile = client.get("/console/find", params={"name": "<script>alert(1)</script>",
                                                  "birth_date": "1980-01-01"})
    assert hostile.status_code in (400, 404)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
    assert "<script>alert" not in hostile.text
    assert inline_script_problems(hostile.text) == []


def test_find_by_name_under_verification_shows_the_consent_refusal(
        client: TestClient, household_id: str) -> None:
    member = _members(client, household_id)[0]
    sign_in(client, token("verifier", org="核对中心", subject="verifier-009"), "verification")
    page = client.get("/console/find", params={"name": member["name"],
                                               "birth_date": member["birthDate"]})
    assert page.status_code == 400 and "（CONSENT_REQUIRED）" in page.text
    assert CODE_MESSAGES["CONSENT_REQUIRED"] in page.text
    assert household_id not in page.text

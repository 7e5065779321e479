"""The link review, the charity's pages and the referral queue over HTTP against the linked
sample: each page shows what its GraphQL document returns for the same token and purpose;
a purpose that may not use the query sees the refusal and no data; the charity never sees
a recipient's contact before the caseworker recorded the acceptance; the forms are
CSRF-checked and bad input changes nothing (checked in Neo4j and through GraphQL).

The sample links cleanly, so its review queue is empty: the pairs are queued here the way
the API's review tests do (``ReviewPair`` nodes between thresholds), and removed after."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph_schema import labels
from hub.config import Settings
from hub.console import charity as console_charity
from hub.console import review as console_review
from hub.console.pages import CODE_MESSAGES, CSRF_FAILED
from hub.console.security import CONTENT_SECURITY_POLICY
from hub.privacy_graph.kit import open_privacy
from hub.store import Store
from tests.api_helpers import gql, token
from tests.console_helpers import (
    CASEWORKER,
    DEPARTMENT,
    ID_NUMBER,
    VERIFIER,
    csrf_of,
    inline_script_problems,
    leaves,
    sign_in,
)
from tests.leftovers import removing_new_nodes
from tests.resolvers import charity_scenario as sc

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

REVIEW_REGION = "659001"
CHARITY_REGION = "360222"
FORBIDDEN = CODE_MESSAGES["FORBIDDEN"]

# two records of one person from two departments (the linker's weights favour a match),
# and two records of two people (they oppose it): pending pairs, as a link run leaves them
SAME_PERSON = """
MATCH (a:SourceRecord {region_code: $region})-[:RESOLVES_TO]->(p:Person)
      <-[:RESOLVES_TO]-(b:SourceRecord {region_code: $region})
WHERE a.mention_key < b.mention_key AND a.source <> b.source
  AND a.enc_name IS NOT NULL AND b.enc_name IS NOT NULL
WITH a, b ORDER BY a.mention_key, b.mention_key LIMIT 1
RETURN a.mention_key AS a, b.mention_key AS b
"""
TWO_PEOPLE = """
MATCH (a:SourceRecord {region_code: $region})-[:RESOLVES_TO]->(p:Person),
      (b:SourceRecord {region_code: $region})-[:RESOLVES_TO]->(o:Person)
WHERE a.mention_key < b.mention_key AND a.source <> b.source AND p <> o
  AND a.enc_name IS NOT NULL AND b.enc_name IS NOT NULL
WITH a, b ORDER BY a.mention_key, b.mention_key LIMIT 1
RETURN a.mention_key AS a, b.mention_key AS b
"""
QUEUE_PAIR = """
MERGE (q:ReviewPair {pair_key: $a + '|' + $b})
SET q.key_a = $a, q.key_b = $b, q.status = 'pending', q.weight = $weight,
    q.reason = 'between thresholds'
RETURN q.pair_key AS pair_key, q.key_a AS key_a, q.key_b AS key_b
"""
PAIR_STATE = """MATCH (q:ReviewPair {pair_key: $k})
RETURN q.status AS status, q.note AS note, q.decided_by AS decided_by"""
REFERRAL_STATE = """MATCH (r:Referral {token: $t})
RETURN r.status AS status, r.evidence_ref AS evidence"""


def queue_pairs(store: Store, region: str) -> list[dict[str, Any]]:
    """Queue a same-person pair and a two-people pair of ``region``; returns them."""
    out = []
    for query, weight in ((SAME_PERSON, 4.5), (TWO_PEOPLE, 1.5)):
        rows = store.read(query, region=region)
        assert rows, f"the sample lacks a record pair for the review in {region}"
        out.append(dict(store.write(QUEUE_PAIR, a=rows[0]["a"], b=rows[0]["b"],
                                    weight=weight)[0]))
    return out


@pytest.fixture
def pairs(linked_sample: Store) -> Iterator[list[dict[str, Any]]]:
    """Two pending review pairs in 659001, removed after the test."""
    with removing_new_nodes(linked_sample, labels.REVIEW_PAIR):
        yield queue_pairs(linked_sample, REVIEW_REGION)


def strings(value: Any) -> list[str]:
    """The answer's values as the page prints them (escaped; nulls and booleans aside)."""
    return [html.escape(str(v)) for v in leaves(value)
            if v is not None and not isinstance(v, bool)]


def ok(response: Any) -> dict[str, Any]:
    body = response.json()
    assert "errors" not in body, body.get("errors")
    return dict(body["data"])


def codes(response: Any) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors") or []]


def pair_url(pair_id: str) -> str:
    from urllib.parse import quote
    return "/console/review/" + quote(pair_id)


# --- link review -----------------------------------------------------------------------------

def test_review_queue_and_pair_show_what_graphql_returns_with_the_waterfall(
        client: TestClient, pairs: list[dict[str, Any]]) -> None:
    sign_in(client, CASEWORKER, "aid_administration")
    page = client.get("/console/review")
    assert page.status_code == 200, page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert inline_script_problems(page.text) == []
    queue = ok(gql(client, console_review.QUEUE_DOCUMENT, bearer=CASEWORKER,
                   variables={"region": None, "first": console_review.QUEUE_PAGE}))
    listed = queue["linkReviewQueue"]
    assert {p["pair_key"] for p in pairs} <= {p["pairId"] for p in listed}
    for value in strings(listed):
        assert value in page.text, f"{value!r} from GraphQL missing from the queue page"
    links = re.findall(r'class="pair-link" href="([^"]+)"', page.text)
    assert len(links) == len(listed)

    for pair in pairs:
        shown = client.get(pair_url(pair["pair_key"]))
        assert shown.status_code == 200, shown.text
        assert inline_script_problems(shown.text) == []
        one = ok(gql(client, console_review.PAIR_DOCUMENT, bearer=CASEWORKER,
                     variables={"pairId": pair["pair_key"]}))["linkReviewPair"]
        listed_pair = next(p for p in listed if p["pairId"] == pair["pair_key"])
        assert {k: v for k, v in one.items() if k != "explanation"} == listed_pair
        for value in strings(one):
            assert value in shown.text, f"{value!r} from GraphQL missing from the pair page"
        explained = {"explainLink": one["explanation"]}
        comparisons = explained["explainLink"]["comparisons"]
        svg = shown.text[shown.text.index('<svg id="waterfall"'):shown.text.index("</svg>")]
        bars = re.findall(r'<g class="bar bar-([a-z-]+)" data-weight="([^"]+)"', svg)
        assert len(bars) == len(comparisons) + 1 == svg.count("<rect")
        for (kind, weight), part in zip(bars, comparisons, strict=False):
            assert kind == ("pos" if part["weight"] >= 0 else "neg")
            assert float(weight) == pytest.approx(part["weight"])
        total = explained["explainLink"]["total"]
        assert bars[-1] == ("total-pos" if total >= 0 else "total-neg", str(float(total)))
        assert 'name="reason"' in shown.text and 'name="csrf"' in shown.text
    # the same person's records add up to a match, two people's do not
    totals = [float(re.search(r'id="total-weight">([^<]+)<',  # type: ignore[union-attr]
                              client.get(pair_url(p["pair_key"])).text).group(1))
              for p in pairs]
    assert totals[0] > 0 > totals[1]


def test_review_pages_refuse_other_purposes_and_show_no_pair(
        client: TestClient, pairs: list[dict[str, Any]]) -> None:
    charity = token("charity", org=sc.CHARITY, regions=(REVIEW_REGION,), subject="ch-1")
    for bearer, purpose in ((VERIFIER, "verification"), (DEPARTMENT, "overlap_check"),
                            (charity, "charity_matching")):
        assert codes(gql(client, console_review.QUEUE_DOCUMENT, bearer=bearer,
                         purpose=purpose, variables={"first": 10})) == ["FORBIDDEN"]
        sign_in(client, bearer, purpose)
        for url in ("/console/review", pair_url(pairs[0]["pair_key"])):
            page = client.get(url)
            assert page.status_code == 403, (url, page.status_code)
            assert FORBIDDEN in page.text, url
            for pair in pairs:
                assert pair["key_a"] not in page.text and pair["key_b"] not in page.text
            assert 'id="waterfall"' not in page.text and 'name="reason"' not in page.text
    other = token("caseworker", regions=("410502",), subject="cw-410")
    sign_in(client, other, "aid_administration")
    page = client.get(pair_url(pairs[0]["pair_key"]))  # outside the caller's jurisdiction
    assert page.status_code == 403 and pairs[0]["key_a"] not in page.text


def test_decision_is_csrf_checked_and_bad_input_changes_nothing(
        client: TestClient, linked_sample: Store, pairs: list[dict[str, Any]]) -> None:
    pair = pairs[1]
    url = pair_url(pair["pair_key"])
    sign_in(client, CASEWORKER, "aid_administration")
    csrf = csrf_of(client.get(url).text)
    good = {"decision": "reject", "reason": "出生日期与性别均不同，非同一人"}

    def unchanged() -> None:
        state = linked_sample.read(PAIR_STATE, k=pair["pair_key"])[0]
        assert state == {"status": "pending", "note": None, "decided_by": None}
        queue = ok(gql(client, console_review.QUEUE_DOCUMENT, bearer=CASEWORKER,
                       variables={"region": REVIEW_REGION, "first": 100}))
        assert pair["pair_key"] in {p["pairId"] for p in queue["linkReviewQueue"]}

    for forged in ({}, {"csrf": "forged-token"}, {"csrf": ""}):
        refused = client.post(url, data={**good, **forged})
        assert refused.status_code == 403 and CSRF_FAILED in refused.text
    unchanged()
    missing = client.post(url, data={"decision": "reject", "reason": "  ", "csrf": csrf})
    assert missing.status_code == 400 and "请填写复核理由（reason）" in missing.text
    no_choice = client.post(url, data={"reason": "理由", "csrf": csrf})
    assert no_choice.status_code == 400 and "请选择复核结论" in no_choice.text
    script = client.post(url, data={"decision": "accept", "csrf": csrf,
                                    "reason": "<script>alert(1)</script>"})
    assert script.status_code == 400 and "不能包含 HTML 标记" in script.text
    assert "<script>alert" not in script.text and "&lt;script&gt;alert(1)" in script.text
    leaky = client.post(url, data={"decision": "reject", "csrf": csrf,
                                   "reason": "与 659001198001011230 相同"})
    assert leaky.status_code == 400 and CODE_MESSAGES["BAD_INPUT"] in leaky.text
    assert "659001198001011230" not in leaky.text  # not offered back on the page
    long = client.post(url, data={"decision": "reject", "reason": "长" * 201, "csrf": csrf})
    assert long.status_code == 400 and "字段 reason 过长" in long.text
    huge = client.post(url, data={"decision": "reject", "reason": "x" * 1_000_000,
                                  "csrf": csrf})
    assert huge.status_code == 413 and "提交的内容过大" in huge.text
    bad_id = client.post("/console/review/a b", data={**good, "csrf": csrf})
    assert bad_id.status_code == 400 and "记录对编号格式不正确" in bad_id.text
    unchanged()

    decided = client.post(url, data={**good, "csrf": csrf})
    assert decided.status_code == 200, decided.text
    assert "已记录复核结论" in decided.text and 'id="review-done"' in decided.text
    assert re.search(r'id="pair-status-code">rejected<', decided.text)
    assert 'id="waterfall"' in decided.text  # the mutation's explanation, drawn
    state = linked_sample.read(PAIR_STATE, k=pair["pair_key"])[0]
    assert state == {"status": "rejected", "note": good["reason"], "decided_by": "staff-001"}
    queue = ok(gql(client, console_review.QUEUE_DOCUMENT, bearer=CASEWORKER,
                   variables={"region": REVIEW_REGION, "first": 100}))
    assert pair["pair_key"] not in {p["pairId"] for p in queue["linkReviewQueue"]}
    assert pairs[0]["pair_key"] in {p["pairId"] for p in queue["linkReviewQueue"]}
    gone = client.get(url)  # decided: out of the queue; the page shows the decision, no form
    assert gone.status_code == 200 and 'id="pair-status-code">rejected<' in gone.text
    assert 'name="reason"' not in gone.text and 'id="review-decision"' not in gone.text
    missing = client.get(pair_url("nosuch:1:a|nosuch:2:b"))
    assert missing.status_code == 404 and CODE_MESSAGES["NOT_FOUND"] in missing.text


# --- charity and referrals -------------------------------------------------------------------

@pytest.fixture
def scenario(client: TestClient, linked_sample: Store, settings: Settings
             ) -> Iterator[dict[str, Any]]:
    """A registered charity, two recipients' charity consents and a published donation in
    360222 (the API's own scenario); removed after the test."""
    sc.clear(linked_sample)
    people = sc.recipients(linked_sample, open_privacy(settings), CHARITY_REGION, 2)
    sc.register(client, CHARITY_REGION)
    for person in people:
        person.consent_id = sc.consent(client, CHARITY_REGION, person.person_id,
                                       categories=["winter_heating"])
    donation = sc.publish(client, CHARITY_REGION)
    yield {"donation": donation, "people": people,
           "charity": sc.charity(CHARITY_REGION), "caseworker": sc.caseworker(CHARITY_REGION)}
    sc.clear(linked_sample)


def _no_personal_data(text: str, people: list[sc.Recipient]) -> None:
    assert ID_NUMBER.findall(text) == []
    for person in people:
        for secret in [*person.secrets, person.person_id, person.household_id]:
            assert secret not in text


def test_charity_sees_matches_and_the_contact_only_after_acceptance(
        client: TestClient, linked_sample: Store, scenario: dict[str, Any]) -> None:
    people, charity, caseworker = scenario["people"], scenario["charity"], scenario["caseworker"]
    donation = scenario["donation"]
    sign_in(client, charity, "charity_matching")
    listing = client.get("/console/charity")
    assert listing.status_code == 200, listing.text
    assert inline_script_problems(listing.text) == []
    donations = ok(gql(client, console_charity.DONATIONS_DOCUMENT, bearer=charity,
                       purpose="charity_matching"))
    assert [d["donationId"] for d in donations["donations"]] == [donation]
    for value in strings(donations):
        assert value in listing.text, f"{value!r} from GraphQL missing from the listing"

    page = client.get(f"/console/charity/donations/{donation}")  # proposes the referrals
    assert page.status_code == 200, page.text
    matches = ok(gql(client, console_charity.MATCHES_DOCUMENT, bearer=charity,
                     purpose="charity_matching", variables={"donationId": donation}))
    found = matches["donationMatches"]["matches"]
    mine = {p.person_id: sc.token_of(linked_sample, donation, p.person_id) for p in people}
    assert set(mine.values()) <= {m["referralToken"] for m in found}
    for value in strings(matches):
        assert value in page.text, f"{value!r} from GraphQL missing from the matches page"
    assert {m["status"] for m in found} == {"proposed"}
    assert "contact-link" not in page.text and "受助人同意后提供" in page.text
    _no_personal_data(page.text, people)

    chosen = people[0]
    ref = mine[chosen.person_id]
    contact_url = f"/console/charity/referrals/{ref}"

    def withheld() -> None:
        sign_in(client, charity, "charity_matching")
        before = client.get(contact_url)
        assert before.status_code == 404 and CODE_MESSAGES["NOT_FOUND"] in before.text
        assert 'id="contact-withheld"' in before.text and 'id="contact-name"' not in before.text
        _no_personal_data(before.text, people)
        assert codes(sc.contact(client, CHARITY_REGION, ref)) == ["NOT_FOUND"]

    withheld()  # proposed
    sign_in(client, caseworker, "aid_administration")
    queue_page = client.get("/console/referrals")
    assert queue_page.status_code == 200 and inline_script_problems(queue_page.text) == []
    queue = ok(gql(client, console_charity.QUEUE_DOCUMENT, bearer=caseworker,
                   variables={"status": None}))
    assert ref in {r["referralToken"] for r in queue["referralQueue"]}
    for value in strings(queue):
        assert value in queue_page.text, f"{value!r} from GraphQL missing from the queue"
    confirmed = client.post(f"/console/referrals/{ref}/confirm",
                            data={"csrf": csrf_of(queue_page.text)})
    assert confirmed.status_code == 200, confirmed.text
    assert "现为：已确认" in confirmed.text
    assert linked_sample.read(REFERRAL_STATE, t=ref)[0]["status"] == "confirmed"
    withheld()  # confirmed, not yet accepted

    sign_in(client, caseworker, "aid_administration")
    csrf = csrf_of(client.get("/console/referrals").text)
    accepted = client.post(f"/console/referrals/{ref}/decision",
                           data={"accepted": "yes", "evidence_ref": "ANSWER-7", "csrf": csrf})
    assert accepted.status_code == 200, accepted.text
    assert "现为：受助人已同意（accepted）" in accepted.text
    assert linked_sample.read(REFERRAL_STATE, t=ref)[0] == {"status": "accepted",
                                                           "evidence": "ANSWER-7"}
    changed = accepted.text[accepted.text.index('id="changed"'):]
    assert ref in changed[:changed.index("</table>")]

    sign_in(client, charity, "charity_matching")
    released = client.get(contact_url)
    assert released.status_code == 200, released.text
    answer = ok(sc.contact(client, CHARITY_REGION, ref))["referralContact"]
    assert answer["name"] == chosen.name and answer["phone"] in chosen.phones
    for value in strings(answer):
        assert value in released.text
    assert f'id="contact-name">{html.escape(chosen.name)}<' in released.text
    _no_personal_data(released.text.replace(chosen.name, "").replace(answer["phone"], ""),
                      people)
    after = client.get(f"/console/charity/donations/{donation}")
    links = re.findall(r'class="contact-link" href="([^"]+)"', after.text)
    assert [link.removeprefix("http://testserver") for link in links] == [contact_url]
    assert chosen.name not in after.text  # the list stays de-identified


def test_referral_forms_are_csrf_checked_and_bad_input_changes_nothing(
        client: TestClient, linked_sample: Store, scenario: dict[str, Any]) -> None:
    caseworker, donation = scenario["caseworker"], scenario["donation"]
    sc.matches(client, CHARITY_REGION, donation)  # the charity's look proposes the referrals
    ref = sc.token_of(linked_sample, donation, scenario["people"][0].person_id)
    sign_in(client, caseworker, "aid_administration")
    csrf = csrf_of(client.get("/console/referrals").text)
    for forged in ({}, {"csrf": "forged-token"}):
        refused = client.post(f"/console/referrals/{ref}/confirm", data=forged)
        assert refused.status_code == 403 and CSRF_FAILED in refused.text
    assert linked_sample.read(REFERRAL_STATE, t=ref)[0]["status"] == "proposed"
    bad_token = client.post("/console/referrals/ref-bad!token/confirm", data={"csrf": csrf})
    assert bad_token.status_code in (400, 404)
    early = client.post(f"/console/referrals/{ref}/decision",  # not confirmed yet
                        data={"accepted": "yes", "evidence_ref": "ANSWER-1", "csrf": csrf})
    assert early.status_code == 400 and CODE_MESSAGES["CONFLICT"] in early.text
    assert client.post(f"/console/referrals/{ref}/confirm",
                       data={"csrf": csrf}).status_code == 200

    def unchanged() -> None:
        assert linked_sample.read(REFERRAL_STATE, t=ref)[0] == {"status": "confirmed",
                                                               "evidence": None}
        queue = ok(gql(client, console_charity.QUEUE_DOCUMENT, bearer=caseworker,
                       variables={"status": ["confirmed"]}))
        assert ref in {r["referralToken"] for r in queue["referralQueue"]}

    target = f"/console/referrals/{ref}/decision"
    good = {"accepted": "yes", "evidence_ref": "ANSWER-7"}
    for forged in ({}, {"csrf": "forged-token"}):
        refused = client.post(target, data={**good, **forged})
        assert refused.status_code == 403 and CSRF_FAILED in refused.text
    missing = client.post(target, data={"accepted": "yes", "evidence_ref": " ", "csrf": csrf})
    assert missing.status_code == 400 and "请填写答复凭证编号（evidence_ref）" in missing.text
    no_answer = client.post(target, data={"evidence_ref": "ANSWER-7", "csrf": csrf})
    assert no_answer.status_code == 400 and "请选择受助人的答复" in no_answer.text
    script = client.post(target, data={"accepted": "yes", "csrf": csrf,
                                       "evidence_ref": "<script>alert(1)</script>"})
    assert script.status_code == 400 and "不能包含 HTML 标记" in script.text
    assert "<script>alert" not in script.text
    spaced = client.post(target, data={"accepted": "no", "evidence_ref": "a b", "csrf": csrf})
    assert spaced.status_code == 400 and "只能由字母、数字" in spaced.text
    leaky = client.post(target, data={"accepted": "no", "csrf": csrf,
                                      "evidence_ref": "659001198001011230"})
    assert leaky.status_code == 400 and "659001198001011230" not in leaky.text
    huge = client.post(target, data={"accepted": "yes", "evidence_ref": "x" * 1_000_000,
                                     "csrf": csrf})
    assert huge.status_code == 413 and "提交的内容过大" in huge.text
    unchanged()


def test_charity_and_referral_pages_refuse_other_purposes(
        client: TestClient, linked_sample: Store, scenario: dict[str, Any]) -> None:
    donation, people = scenario["donation"], scenario["people"]
    sc.matches(client, CHARITY_REGION, donation)
    ref = sc.token_of(linked_sample, donation, people[0].person_id)
    department = token("department", org="医保", regions=(CHARITY_REGION,), subject="d-360")
    verifier = token("verifier", org="核对中心", regions=(CHARITY_REGION,), subject="v-360")
    refusals = (
        (department, "overlap_check", ("/console/charity", f"/console/charity/donations/"
                                       f"{donation}", f"/console/charity/referrals/{ref}",
                                       "/console/referrals")),
        (verifier, "verification", ("/console/charity",
                                    f"/console/charity/donations/{donation}")),
        (scenario["charity"], "charity_matching", ("/console/referrals",)),
    )
    for bearer, purpose, urls in refusals:
        sign_in(client, bearer, purpose)
        for url in urls:
            page = client.get(url)
            assert page.status_code == 403, (purpose, url, page.status_code)
            assert FORBIDDEN in page.text, (purpose, url)
            assert ref not in page.text or url.endswith(ref)
            assert "<table" not in page.text.split("<main>", 1)[1]
            _no_personal_data(page.text, people)
    assert codes(gql(client, console_charity.QUEUE_DOCUMENT, bearer=scenario["charity"],
                     purpose="charity_matching")) == ["FORBIDDEN"]
    sign_in(client, scenario["charity"], "charity_matching")
    csrf = csrf_of(client.get("/console/charity").text)
    refused = client.post(f"/console/referrals/{ref}/confirm", data={"csrf": csrf})
    assert refused.status_code == 403 and FORBIDDEN in refused.text
    assert linked_sample.read(REFERRAL_STATE, t=ref)[0]["status"] == "proposed"

"""``verifyHousehold`` over HTTP on the linked sample: consent, purpose, role, jurisdiction,
agreement with ``truth/eligibility.csv``, explanations, reports and the audit trail; the
report and step values under the field policy, one answer for unknown and unconsented
applicants, a clean error for a date no ruleset covers."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from graph_schema import labels
from hub.app import create_app
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.consent import record_consent, revoke_consent
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.rules import Verifier
from hub.rules.report import determination_dict
from hub.store import Store
from resolvers.verification import REFUSED
from tests.api_helpers import api_settings, gql, token
from tests.leftovers import removing_new_nodes

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

TRUTH = Path(__file__).parents[1] / "data" / "sample" / "truth"
AS_OF = "2026-10-31"
QUERY = """query($a: String!, $d: Date) { verifyHousehold(applicant: $a, asOf: $d) {
  householdId category monthlyAmount perCapitaIncome consentId regionCode
  supplements { personId amount } singlePersonMembers { personId amount } tekunPersonIds
  steps { rule outcome values sources { department recordId } }
  members { personId relation monthlyIncome }
  json: report html: report(format: HTML) } }"""
HUKOU_TO_PERSON = """
UNWIND $ids AS rid
MATCH (:SourceRecord {source: 'gongan_hukou', record_id: rid})-[:RESOLVES_TO]->(p:Person)
RETURN rid, p.person_id AS person_id
"""


def _read(name: str) -> list[dict[str, str]]:
    with (TRUTH / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Sample:
    """Truth rows of the sample with their hub ids (household id, person ids)."""

    def __init__(self, store: Store, kit: PrivacyKit) -> None:
        self.households = {r["household_uid"]: r for r in _read("households.csv")}
        self.persons = _read("persons.csv")
        self.eligibility = _read("eligibility.csv")
        hukou = [r for r in _read("person_map.csv") if r["file"] == "gongan_hukou.csv"]
        found = {r["rid"]: r["person_id"] for r in store.read(
            HUKOU_TO_PERSON, ids=[r["record_id"] for r in hukou])}
        self.person = {r["person_uid"]: found[r["record_id"]] for r in hukou
                       if r["record_id"] in found}
        self.kit = kit

    def household_id(self, uid: str) -> str:
        hukou_no = self.households[uid]["hukou_no"]
        return "HH" + self.kit.indexer.generic(hukou_no, purpose="hukou_no")[:16]

    def applicant(self, uid: str) -> str:
        """The ID number of a living member of the household."""
        return next(p["id18"] for p in self.persons
                    if p["household_uid"] == uid and p["status"] == "正常")

    def region(self, uid: str) -> str:
        return self.households[uid]["region_code"]

    def first(self, category: str, *, single: bool = False, skip: int = 0) -> dict[str, str]:
        rows = [r for r in self.eligibility if r["category"] == category and not r["planted"]
                and bool(r["individual_dibao_uids"]) == single]
        return rows[skip]


@pytest.fixture
def sample(linked_sample: Store, settings: Settings) -> Iterator[Sample]:
    """The linked sample's truth; the consents a test records are removed after it."""
    with removing_new_nodes(linked_sample, labels.CONSENT):
        yield Sample(linked_sample, open_privacy(settings))


@pytest.fixture
def client(settings: Settings, linked_sample: Store) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(settings), store=linked_sample)) as opened:
        yield opened


def consent(store: Store, household_id: str, *, grantee: str = "民政", days: int = 30,
            now: datetime | None = None) -> str:
    """Record a verification consent of the household; returns its id."""
    moment = now or datetime.now(UTC)
    return record_consent(store, subject_kind="household", subject_id=household_id,
                          purpose="verification", grantee=grantee,
                          expires_at=moment + timedelta(days=days), evidence_ref="FORM-7",
                          recorded_by="staff-test", regions=None, now=moment).consent_id


def verify(client: TestClient, applicant: str, region: str, *, role: str = "verifier",
           purpose: str = "verification", org: str = "民政") -> Any:
    response = gql(client, QUERY, bearer=token(role, org=org, regions=(region,)),
                   purpose=purpose, variables={"a": applicant, "d": AS_OF})
    assert response.status_code == 200
    return response


def _amounts(items: list[dict[str, Any]]) -> set[str]:
    return {m["personId"] for m in items}


@pytest.mark.parametrize(("category", "single"), [("低保", False), ("低保边缘", True),
                                                   ("特困", False), ("不符合", False)])
def test_verification_with_consent_matches_truth(client: TestClient, sample: Sample,
                                                 linked_sample: Store, category: str,
                                                 single: bool) -> None:
    row = sample.first(category, single=single)
    uid = row["household_uid"]
    consent_id = consent(linked_sample, sample.household_id(uid))
    body = verify(client, sample.applicant(uid), sample.region(uid)).json()
    assert "errors" not in body, body.get("errors")
    got = body["data"]["verifyHousehold"]
    assert got["householdId"] == sample.household_id(uid)
    assert got["category"] == row["category"]
    assert Decimal(str(got["monthlyAmount"])) == Decimal(row["expected_monthly_amount"])
    assert Decimal(str(got["perCapitaIncome"])) == Decimal(row["per_capita_income"])
    assert got["consentId"] == consent_id
    expected_single = {sample.person[u] for u in row["individual_dibao_uids"].split(";") if u}
    assert _amounts(got["singlePersonMembers"]) == expected_single
    expected_tekun = {sample.person[u] for u in row["tekun_uids"].split(";") if u}
    assert set(got["tekunPersonIds"]) == expected_tekun
    assert got["steps"] and any(s["sources"] for s in got["steps"])
    assert all(src["department"] and src["recordId"]
               for s in got["steps"] for src in s["sources"])
    assert {m["personId"] for m in got["members"]} >= expected_single | expected_tekun
    assert json.loads(got["json"])["category"] == row["category"]
    assert got["html"].startswith("<!DOCTYPE html>") and row["category"] in got["html"]


def test_explanations_compare_the_standard(client: TestClient, sample: Sample,
                                           linked_sample: Store) -> None:
    row = sample.first("低保", skip=1)
    uid = row["household_uid"]
    consent(linked_sample, sample.household_id(uid))
    got = verify(client, sample.applicant(uid), sample.region(uid)).json()
    steps = got["data"]["verifyHousehold"]["steps"]
    standard = next(s for s in steps if s["rule"] == "standard")
    assert Decimal(str(standard["values"]["dibao_standard"])) == Decimal(row["dibao_standard"])
    assert {"公安"} <= {src["department"] for s in steps for src in s["sources"]}


def test_verification_is_audited_with_the_consent(client: TestClient, sample: Sample,
                                                  linked_sample: Store,
                                                  settings: Settings) -> None:
    uid = sample.first("低保", skip=2)["household_uid"]
    consent_id = consent(linked_sample, sample.household_id(uid))
    body = verify(client, sample.applicant(uid), sample.region(uid)).json()
    assert body["data"]["verifyHousehold"]["consentId"] == consent_id
    events = [e for e in AuditLog.open(linked_sample, api_settings(settings)).events()
              if e.action == "query.verifyHousehold" and e.consent_id == consent_id]
    # partial: the report and step values left out what the policy denies a verifier
    assert events and events[-1].decision == "partial"
    assert "HouseholdVerification.category" in events[-1].fields_returned
    assert "VerifiedMember.severeDisability" in events[-1].fields_denied
    assert events[-1].purpose == "verification"


def test_health_flags_are_hidden_from_verifiers(client: TestClient, sample: Sample,
                                                linked_sample: Store) -> None:
    uid = sample.first("低保", skip=3)["household_uid"]
    consent(linked_sample, sample.household_id(uid))
    query = """query($a: String!) { verifyHousehold(applicant: $a, asOf: "2026-10-31") {
      category members { personId severeDisability } } }"""
    body = gql(client, query, bearer=token("verifier", regions=(sample.region(uid),)),
               purpose="verification", variables={"a": sample.applicant(uid)}).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "severeDisability" in body["errors"][0]["message"]


def _refused(body: dict[str, Any], code: str, applicant: str) -> None:
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == code
    assert applicant not in json.dumps(body, ensure_ascii=False)
    if code == "CONSENT_REQUIRED":  # one message whatever the reason (no existence oracle)
        assert body["errors"][0]["message"] == REFUSED


def _audited_reasons(store: Store, settings: Settings, body: dict[str, Any]) -> set[str]:
    """The reasons the audit log records for the request that gave ``body``."""
    correlation = body["errors"][0]["extensions"]["correlationId"]
    return {reason for e in AuditLog.open(store, api_settings(settings)).events()
            if e.correlation_id == correlation and e.action == "query.verifyHousehold"
            for reason in e.reason.split(",") if reason}


def test_refused_without_consent_or_for_another_organisation(
        client: TestClient, sample: Sample, linked_sample: Store, settings: Settings) -> None:
    uid = sample.first("低保", skip=4)["household_uid"]
    applicant = sample.applicant(uid)
    _refused(verify(client, applicant, sample.region(uid)).json(), "CONSENT_REQUIRED", applicant)
    consent(linked_sample, sample.household_id(uid), grantee="医保")
    body = verify(client, applicant, sample.region(uid)).json()
    _refused(body, "CONSENT_REQUIRED", applicant)
    assert "consent_missing" in _audited_reasons(linked_sample, settings, body)


def test_refused_with_expired_consent(client: TestClient, sample: Sample,
                                      linked_sample: Store, settings: Settings) -> None:
    uid = sample.first("低保", skip=5)["household_uid"]
    consent(linked_sample, sample.household_id(uid), days=10,
            now=datetime.now(UTC) - timedelta(days=20))
    body = verify(client, sample.applicant(uid), sample.region(uid)).json()
    _refused(body, "CONSENT_REQUIRED", sample.applicant(uid))
    assert "consent_expired" in _audited_reasons(linked_sample, settings, body)


def test_refused_with_revoked_consent(client: TestClient, sample: Sample,
                                      linked_sample: Store, settings: Settings) -> None:
    uid = sample.first("低保", skip=6)["household_uid"]
    consent_id = consent(linked_sample, sample.household_id(uid))
    assert "errors" not in verify(client, sample.applicant(uid), sample.region(uid)).json()
    revoke_consent(linked_sample, consent_id, revoked_by="staff-test", regions=None)
    body = verify(client, sample.applicant(uid), sample.region(uid)).json()
    _refused(body, "CONSENT_REQUIRED", sample.applicant(uid))
    assert "consent_revoked" in _audited_reasons(linked_sample, settings, body)


def test_refused_for_wrong_role_purpose_or_jurisdiction(client: TestClient, sample: Sample,
                                                        linked_sample: Store,
                                                        settings: Settings) -> None:
    uid = sample.first("低保", skip=7)["household_uid"]
    applicant, region = sample.applicant(uid), sample.region(uid)
    consent(linked_sample, sample.household_id(uid))
    _refused(verify(client, applicant, region, role="department").json(), "FORBIDDEN",
             applicant)
    _refused(verify(client, applicant, region, role="charity").json(), "FORBIDDEN", applicant)
    _refused(verify(client, applicant, region, role="caseworker",
                    purpose="aid_administration").json(), "FORBIDDEN", applicant)
    _refused(verify(client, applicant, region, purpose="monitoring").json(), "FORBIDDEN",
             applicant)
    elsewhere = next(r for r in ("659001", "533401", "410502", "360222") if r != region)
    body = verify(client, applicant, elsewhere).json()
    _refused(body, "CONSENT_REQUIRED", applicant)  # not "it exists, elsewhere"
    assert "out_of_jurisdiction" in _audited_reasons(linked_sample, settings, body)
    # the caseworker role may verify too, with the same consent
    allowed = verify(client, applicant, region, role="caseworker").json()
    assert allowed["data"]["verifyHousehold"]["householdId"] == sample.household_id(uid)


def test_unknown_or_invalid_applicants_are_not_echoed(client: TestClient,
                                                      sample: Sample) -> None:
    unknown = "110101199003074514"  # valid checksum, nobody in the sample
    body = verify(client, unknown, "659001").json()
    _refused(body, "CONSENT_REQUIRED", unknown)
    bad = "410502198503071235"  # bad checksum: a format error, public knowledge
    _refused(verify(client, bad, "659001").json(), "BAD_INPUT", bad)


def test_verify_by_person_id(client: TestClient, sample: Sample, linked_sample: Store) -> None:
    row = sample.first("低保边缘", single=True, skip=1)
    uid = row["household_uid"]
    consent(linked_sample, sample.household_id(uid))
    member = next(p["person_uid"] for p in sample.persons
                  if p["household_uid"] == uid and p["status"] == "正常")
    got = verify(client, sample.person[member], sample.region(uid)).json()
    assert got["data"]["verifyHousehold"]["category"] == row["category"]


REPORT_QUERY = """query($a: String!) { verifyHousehold(applicant: $a, asOf: "2026-10-31") {
  members { personId age } report html: report(format: HTML) steps { rule values } } }"""
HEALTH_KEYS = {"severe_disability", "serious_illness", "labour_capacity", "other_relatives"}


def _health_keys(rows: list[dict[str, Any]]) -> set[str]:
    return HEALTH_KEYS & {key for row in rows for key in row}


def test_report_and_step_values_pass_the_field_policy(client: TestClient, sample: Sample,
                                                      linked_sample: Store,
                                                      settings: Settings) -> None:
    """Issue 13.3: the report JSON, the HTML and ``steps { values }`` hold no fact the
    fields deny (health flags) and the age exactly as ``members { age }`` shows it."""
    uid = sample.first("低保边缘", single=True, skip=2)["household_uid"]
    household_id, region = sample.household_id(uid), sample.region(uid)
    consent(linked_sample, household_id)
    full = determination_dict(Verifier(linked_sample, sample.kit).verify_household_id(
        household_id, date.fromisoformat(AS_OF)))
    assert any(m["severe_disability"] for m in full["members"])  # there is something to hide
    assert any(m["age"] is not None for m in full["members"])
    log = AuditLog.open(linked_sample, api_settings(settings))
    for role in ("verifier", "caseworker"):  # verification purpose: health denied, age masked
        response = gql(client, REPORT_QUERY, bearer=token(role, regions=(region,)),
                       purpose="verification", variables={"a": sample.applicant(uid)})
        body = response.json()
        assert "errors" not in body, body.get("errors")
        got = body["data"]["verifyHousehold"]
        report = json.loads(got["report"])
        ages = {m["personId"]: m["age"] for m in got["members"]}
        assert ages and set(ages.values()) == {None}
        assert {m["person_id"]: m["age"] for m in report["members"]} == ages
        assert _health_keys(report["members"]) == set()
        for steps in (report["steps"], got["steps"]):
            values = [s["values"] for s in steps]
            assert _health_keys(values) == set()
            assert all(v.get("age") is None for v in values)
            assert any("income" in v for v in values)  # what the policy allows stays
        assert "<th>重度残疾</th>" not in got["html"] and "残疾证" not in got["html"]
        assert "<th>年龄</th>" in got["html"] and report["category"] == full["category"]
        correlation = response.headers["x-correlation-id"]
        event = next(e for e in log.events() if e.correlation_id == correlation
                     and e.subject_ref)
        assert "VerifiedMember.severeDisability" in event.fields_denied
        assert "VerifiedMember.age" in event.fields_masked


def test_cli_report_passes_the_field_policy_of_its_role(sample: Sample, linked_sample: Store,
                                                        settings: Settings,
                                                        tmp_path: Path) -> None:
    """Issue 13.3 for ``hub verify household``: a verifier's view by default; a caseworker
    under aid_administration (which allows health) still gets the health flags."""
    from typer.testing import CliRunner

    from hub.cli import app

    uid = sample.first("低保边缘", single=True, skip=2)["household_uid"]
    env = {"HUB_DATA_DIR": str(settings.data_dir), "HUB_NEO4J_PORT": str(settings.neo4j_port)}
    views = {}
    for extra in ([], ["--role", "caseworker", "--purpose", "aid_administration"]):
        page = tmp_path / f"report{len(extra)}.html"
        result = CliRunner().invoke(app, ["verify", "household", "--id-number",
                                          sample.applicant(uid), "--as-of", AS_OF,
                                          "--html", str(page), *extra], env=env)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
        views[bool(extra)] = (data, page.read_text(encoding="utf-8"))
    (verifier, verifier_html), (caseworker, caseworker_html) = views[False], views[True]
    assert _health_keys(verifier["members"]) == set()
    assert {m["age"] for m in verifier["members"]} == {None}
    assert "<th>重度残疾</th>" not in verifier_html
    assert _health_keys(caseworker["members"]) == {"severe_disability", "serious_illness",
                                                   "labour_capacity"}
    assert any(m["severe_disability"] for m in caseworker["members"])
    assert all(isinstance(m["age"], int) for m in caseworker["members"])
    assert "<th>重度残疾</th>" in caseworker_html and "残疾证" in caseworker_html
    refused = CliRunner().invoke(app, ["verify", "household", "--id-number",
                                       sample.applicant(uid), "--role", "charity"], env=env)
    assert refused.exit_code != 0


def test_as_of_without_a_ruleset_is_a_clean_error(client: TestClient, sample: Sample,
                                                  linked_sample: Store) -> None:
    """Issue 13.6: a date no ruleset covers is the caller's error, named, not INTERNAL."""
    uid = sample.first("低保", skip=8)["household_uid"]
    consent(linked_sample, sample.household_id(uid))
    for day in ("0001-01-01", "1900-06-30"):
        response = gql(client, QUERY, bearer=token("verifier", regions=(sample.region(uid),)),
                       purpose="verification", variables={"a": sample.applicant(uid), "d": day})
        body = response.json()
        assert body["data"] is None
        error = body["errors"][0]
        assert error["extensions"]["code"] == "NO_RULESET"
        assert "no ruleset in force" in error["message"] and day in error["message"]


def test_unknown_and_unconsented_applicants_get_the_same_answer(
        client: TestClient, sample: Sample, linked_sample: Store, settings: Settings) -> None:
    """Issue 13.9: no existence oracle — an unknown valid ID number, a known person without
    consent and one outside the caller's regions get one answer; the audit log keeps the
    true reasons. (Each refusal makes the same database round trips, so their timings match
    too; that is measured by hand, not asserted here: timed tests flake under load.)"""
    uid = sample.first("低保", skip=9)["household_uid"]
    region = sample.region(uid)
    elsewhere = next(r for r in ("659001", "533401", "410502", "360222") if r != region)
    cases = {"unknown": ("110101199003074514", region),
             "known_without_consent": (sample.applicant(uid), region),
             "known_elsewhere": (sample.applicant(uid), elsewhere)}
    query = "query($a: String!) { verifyHousehold(applicant: $a) { category } }"
    answers, reasons = {}, {}
    for name, (applicant, regions) in cases.items():
        response = gql(client, query, bearer=token("verifier", regions=(regions,)),
                       purpose="verification", variables={"a": applicant})
        body = response.json()
        reasons[name] = _audited_reasons(linked_sample, settings, body)
        for error in body["errors"]:
            error["extensions"].pop("correlationId")
        answers[name] = (response.status_code, body)
    assert answers["unknown"] == answers["known_without_consent"] == answers["known_elsewhere"]
    assert answers["unknown"][1]["errors"][0]["extensions"]["code"] == "CONSENT_REQUIRED"
    assert reasons == {"unknown": {"applicant_not_found"},
                       "known_without_consent": {"consent_missing"},
                       "known_elsewhere": {"out_of_jurisdiction"}}

"""The hub's mixed workload for locust (run it through ``bench/bench_load.py``).

Reads the plan that ``bench_load.py`` prepared (``HUB_LOAD_PLAN``: the API's URL, tokens
per kind of caller, targets taken from the graph, the request budget and where to record
acknowledged writes). Each simulated system sends, closed-loop, the questions the issue
names: ``verifyHousehold`` with consent on file, ``overlaps`` before a grant,
``household``, ``aidChain``, alert listing and charity matches, plus a writing share:
consent records, alert status changes and ``reportAid``. Every write the API
acknowledges is appended to the acks file (one JSON line: kind and key), so that
``bench_load.py`` can count them in the graph afterwards. A GraphQL error or a non-200
answer is a failure in locust's figures, with the error code as its message.

The run stops at the request budget (``requests`` in the plan) or at ``--run-time``,
whichever comes first.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, constant, task
from locust.exception import StopUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["HUB_LOAD_PLAN"]).read_text("utf-8"))
_SENT = itertools.count(1)
_QUITTING: list[bool] = []
_ALERTS: list[dict[str, str]] = list(PLAN["alerts"])  # each moved new → sent once
_ACKS = os.open(PLAN["acks"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

HOUSEHOLD = """query($h: String!) { household(householdId: $h) {
  householdId regionCode aid { programme department amount }
  members { relation person { personId name idNumber
    aidChain { programme department period amount } } } } }"""
AID_CHAIN = """query($p: ID!) { aidChain(personId: $p) {
  programme department period start end regionCode amount } }"""
VERIFY = """query($p: String!) { verifyHousehold(applicant: $p) {
  category monthlyAmount perCapitaIncome steps { rule outcome } } }"""
OVERLAPS = """query($p: String!) { overlaps(person: $p) {
  receiving programmes { programme department } elsewhere { receiving conflict } } }"""
ALERTS = """query { monitoringAlerts(first: 20) { alerts { alertId type status department } } }"""
MATCHES = """query($d: ID!) { donationMatches(donationId: $d, first: 10) {
  matches { referralToken regionCode category householdSize score status } } }"""
RECORD_CONSENT = """mutation($c: RecordConsentInput!) { recordConsent(consent: $c) {
  consentId inForce } }"""
ALERT_SENT = """mutation($a: ID!) { updateAlertStatus(alertId: $a, status: SENT) {
  alertId status } }"""
REPORT_AID = """mutation($a: ReportAidInput!) { reportAid(aid: $a) { programme amount } }"""


def _ack(kind: str, key: str) -> None:
    """Record an acknowledged write (one ``os.write``: whole lines even under load)."""
    os.write(_ACKS, (json.dumps({"kind": kind, "key": key}, ensure_ascii=False) + "\n")
             .encode("utf-8"))


class HubSystem(HttpUser):
    """One calling system: a department's grant system, a verification agency, a
    monitoring job or a charity, all in one closed loop."""

    wait_time = constant(0)

    def _ask(self, name: str, caller: str, purpose: str, query: str,
             **variables: Any) -> dict[str, Any] | None:
        if next(_SENT) > PLAN["requests"]:
            if not _QUITTING:  # from a greenlet of its own: quit waits for the users
                _QUITTING.append(True)
                gevent.spawn(self.environment.runner.quit)
            raise StopUser
        headers = {"Authorization": f"Bearer {PLAN['tokens'][caller]}", "X-Purpose": purpose}
        with self.client.post("/graphql", name=name, headers=headers, catch_response=True,
                              json={"query": query, "variables": variables}) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} "
                                 f"retry-after={response.headers.get('retry-after')}")
                return None
            body = response.json()
            if body.get("errors"):
                response.failure(body["errors"][0].get("extensions", {}).get("code", "ERROR"))
                return None
            response.success()
            return body["data"]

    @task(3)
    def household(self) -> None:
        self._ask("household", "caseworker", "aid_administration", HOUSEHOLD,
                  h=random.choice(PLAN["households"]))

    @task(3)
    def aid_chain(self) -> None:
        self._ask("aidChain", "caseworker", "aid_administration", AID_CHAIN,
                  p=random.choice(PLAN["people"]))

    @task(2)
    def overlaps(self) -> None:
        self._ask("overlaps", "department", "overlap_check", OVERLAPS,
                  p=random.choice(PLAN["people"]))

    @task(2)
    def verify_household(self) -> None:
        self._ask("verifyHousehold", "verifier", "verification", VERIFY,
                  p=random.choice(PLAN["consented_people"]))

    @task(1)
    def alerts(self) -> None:
        self._ask("monitoringAlerts", "caseworker", "monitoring", ALERTS)

    @task(1)
    def charity_matches(self) -> None:
        if PLAN["donation"]:
            self._ask("donationMatches", "charity", "charity_matching", MATCHES,
                      d=PLAN["donation"])

    @task(1)
    def record_consent(self) -> None:
        expires = (datetime.now(UTC) + timedelta(days=90)).isoformat()
        data = self._ask("recordConsent", "caseworker", "aid_administration",
                         RECORD_CONSENT, c={
                             "subjectKind": "HOUSEHOLD",
                             "subjectId": random.choice(PLAN["households"]),
                             "purpose": "verification", "grantee": PLAN["verifier_org"],
                             "expiresAt": expires, "evidenceRef": f"LOAD-{uuid.uuid4().hex}"})
        if data is not None:
            _ack("consent", data["recordConsent"]["consentId"])

    @task(1)
    def alert_status(self) -> None:
        if not _ALERTS:
            return
        alert = _ALERTS.pop(random.randrange(len(_ALERTS)))
        data = self._ask("updateAlertStatus", f"alerts:{alert['department']}", "monitoring",
                         ALERT_SENT, a=alert["key"])
        if data is not None:
            _ack("alert_sent", alert["key"])

    @task(1)
    def report_aid(self) -> None:
        target = random.choice(PLAN["id_numbers"])
        record_id = f"LOAD-{uuid.uuid4().hex}"
        data = self._ask("reportAid", "caseworker", "aid_administration", REPORT_AID, a={
            "idNumber": target["id_number"], "recordId": record_id, "programme": "临时救助",
            "amount": 500.0, "period": "one_off", "start": datetime.now(UTC).date().isoformat(),
            "regionCode": target["region_code"]})
        if data is not None:
            _ack("aid", f"report:{PLAN['caseworker_org']}:{record_id}")

"""The hub's mixed workload for locust (run it through ``bench/bench_load.py``).

Reads the plan that ``bench_load.py`` prepared (``HUB_LOAD_PLAN``: tokens per kind of
caller, targets taken from the graph, the request budget, the pace, and the files to
write). Each simulated system sends the questions the issue names: ``verifyHousehold``
with consent on file, ``overlaps`` before a grant, ``household``, ``aidChain``, alert
listing and charity matches, plus a writing share: consent records, alert status changes
and ``reportAid``. The GraphQL documents are ``bench_api.py``'s (locust puts this file's
directory on ``sys.path``).

Three files, one JSON line per request, each written with one ``os.write`` on an
``O_APPEND`` descriptor (whole lines even under load), for ``bench_load.py`` to check
afterwards:

- ``acks``: every write the API acknowledged (kind and key), to be found in the graph;
- ``answered``: every request answered 200 without errors (kind and the response's
  ``X-Correlation-ID``), to be found in the audit log;
- ``failures``: every other outcome, classified: ``retryable`` (503 with
  ``Retry-After``), ``connection`` (no HTTP answer: reset, refused, closed) or
  ``failure`` (anything else, including a timeout after ``request_timeout`` s: a hang).

A client told ``Retry-After`` waits that long (at most ``max_backoff`` s) plus a random
0.5–1.5 s before its next request, as a well-behaved system would (the jitter also keeps
it from reusing its kept-alive connection just as the server's 5 s keep-alive timeout
closes it, which requests reports as ``RemoteDisconnected`` for a POST it does not
retry). Closed loop by default; with ``rate_per_user`` each user paces itself (locust's
``constant_throughput``). The run stops at the request budget (``requests`` in the plan;
none in a soak) or at ``--run-time``, whichever comes first.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gevent
from bench_api import (
    AID_CHAIN,
    ALERT_SENT,
    ALERTS,
    HOUSEHOLD,
    MATCHES,
    OVERLAPS,
    RECORD_CONSENT,
    REPORT_AID,
    VERIFY,
)
from locust import HttpUser, constant, constant_throughput, task
from locust.exception import StopUser
from requests.exceptions import Timeout

PLAN: dict[str, Any] = json.loads(Path(os.environ["HUB_LOAD_PLAN"]).read_text("utf-8"))
_SENT = itertools.count(1)
_QUITTING: list[bool] = []
_ALERTS: list[dict[str, str]] = list(PLAN["alerts"])  # each moved new → sent once
_FILES = {name: os.open(PLAN[name], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
          for name in ("acks", "answered", "failures")}
_CAUSES = re.compile(r"RemoteDisconnected|Connection(?:Reset|Refused|Aborted)Error|"
                     r"BrokenPipeError|Connection aborted|Connection refused")


def _line(file: str, entry: dict[str, Any]) -> None:
    """Append one JSON line (one ``os.write``: whole lines even under load)."""
    os.write(_FILES[file], (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))


def _ack(kind: str, key: str) -> None:
    """Record an acknowledged write."""
    _line("acks", {"kind": kind, "key": key, "t": time.time()})


def _verdict(response: Any) -> tuple[str, str, int, Any]:
    """(class, detail, Retry-After seconds, data) of a response; class ``ok`` when
    answered 200 without errors."""
    if response.status_code == 0:  # no HTTP answer: locust keeps the exception
        error = response.error
        if isinstance(error, Timeout):
            return "failure", f"timeout ({type(error).__name__})", 0, None
        causes = sorted(set(_CAUSES.findall(repr(error))))
        return "connection", " / ".join(causes) or type(error).__name__, 0, None
    try:
        body = response.json()
    except ValueError:
        body = {}
    errors = body.get("errors") if isinstance(body, dict) else None
    code = (errors or [{}])[0].get("extensions", {}).get("code", "-") if errors else "-"
    retry = response.headers.get("retry-after")
    if response.status_code == 503 and retry is not None and retry.isdigit():
        return "retryable", f"HTTP 503 {code}", int(retry), None
    if response.status_code != 200 or errors or not isinstance(body, dict) \
            or "data" not in body:
        return "failure", f"HTTP {response.status_code} {code} retry-after={retry}", 0, None
    return "ok", "", 0, body["data"]


class HubSystem(HttpUser):
    """One calling system: a department's grant system, a verification agency, a
    monitoring job or a charity, all in one loop (closed, or paced in a soak)."""

    wait_time = (constant_throughput(PLAN["rate_per_user"]) if PLAN.get("rate_per_user")
                 else constant(0))

    def _ask(self, name: str, caller: str, purpose: str, query: str,
             **variables: Any) -> dict[str, Any] | None:
        if PLAN["requests"] is not None and next(_SENT) > PLAN["requests"]:
            if not _QUITTING:  # from a greenlet of its own: quit waits for the users
                _QUITTING.append(True)
                gevent.spawn(self.environment.runner.quit)
            raise StopUser
        headers = {"Authorization": f"Bearer {PLAN['tokens'][caller]}", "X-Purpose": purpose}
        with self.client.post("/graphql", name=name, headers=headers, catch_response=True,
                              timeout=PLAN["request_timeout"],
                              json={"query": query, "variables": variables}) as response:
            verdict, detail, retry_after, data = _verdict(response)
            correlation = response.headers.get("x-correlation-id") if response.headers \
                else None
            if verdict == "ok":
                response.success()
                _line("answered", {"name": name, "cid": correlation, "t": time.time()})
            else:
                response.failure(f"{verdict}: {detail}")
                _line("failures", {"name": name, "class": verdict, "detail": detail,
                                   "status": response.status_code, "cid": correlation,
                                   "t": time.time()})
        if retry_after:  # jittered: no herd, and not in step with the keep-alive timeout
            gevent.sleep(min(retry_after, PLAN["max_backoff"]) + random.uniform(0.5, 1.5))
        return data

    def _idle_turn(self) -> None:
        """A turn with nothing to do (no donation, every alert already moved): paced, it
        lists alerts instead, so that the rate stays the one asked for; closed loop, the
        next task follows at once anyway."""
        if PLAN.get("rate_per_user"):
            self.alerts()

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
        else:
            self._idle_turn()

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
            self._idle_turn()
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

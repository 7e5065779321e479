"""Console benchmark: server time and weight of every console page on a large graph.

Serves the app with uvicorn (``hub serve --prod`` in a subprocess, one worker, so the
figures are a page's own cost and not a pool's), signs in each kind of user through the
console's own sign-in form, then requests each page in turn from one client over real
HTTP, with a different household, person or alert each time: authentication, policy,
decryption, Neo4j, the audit log's append and the template included. With one client on
127.0.0.1 the latency is the server's time plus a loopback round trip. The graph is the
configured one (``--reuse``) or a generated set loaded into it first, as ``hub demo``
does (generate, ingest, link, monitor)::

    python bench/bench_console.py --households 20000 [--requests 40]
    python bench/bench_console.py --reuse

The target (issue 19) is every page under 300 ms on the 20k-household graph.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from bench_api import Server, load_generated_set, percentile

from hub.auth import issue_dev_token
from hub.charity.demo import DEMO_CHARITY, run_charity_demo
from hub.charity.model import CharityError
from hub.config import Secret, Settings
from hub.store import Store

TARGET_MS = 300.0
AS_OF = "2026-10-31"
HOUSEHOLDS = """
MATCH (h:Household)<-[:MEMBER_OF {status: '正常'}]-(p:Person)
WHERE coalesce(p.status, '正常') <> '死亡'
WITH h, collect(p.person_id) AS people
RETURN h.household_id AS household_id, h.region_code AS region_code, people
"""
ALERTS = "MATCH (a:Alert {department: '民政'}) RETURN a.alert_key AS key ORDER BY key LIMIT 2000"
# pending pairs a county caseworker may open: both records in a region (records without
# a region code are reviewed by a principal without regional restriction)
PAIRS = """
MATCH (q:ReviewPair {status: 'pending'})
MATCH (a:SourceRecord {mention_key: q.key_a}), (b:SourceRecord {mention_key: q.key_b})
WHERE a.region_code IN $regions AND b.region_code IN $regions
RETURN q.pair_key AS key ORDER BY key LIMIT 2000
"""
LATEST_DONATION = ("MATCH (d:Donation {charity_id: $charity}) RETURN d.donation_id AS id "
                   "ORDER BY d.published_at DESC LIMIT 1")
CONSENT = """mutation($c: RecordConsentInput!) { recordConsent(consent: $c) { consentId } }"""
# user → (org, roles, purpose): each signs in once, through the console's form
USERS = {
    "caseworker": ("民政", ["caseworker"], "aid_administration"),
    "verifier": ("核对中心", ["verifier"], "verification"),
    "department": ("医保", ["department"], "overlap_check"),
    "monitor": ("民政", ["caseworker"], "monitoring"),
    "charity": (DEMO_CHARITY, ["charity"], "charity_matching"),
    "auditor": ("审计", ["auditor"], "audit"),
}


@dataclass
class PageFigures:
    """Latencies (ms) and sizes (bytes) of one page."""

    name: str
    latencies: list[float]
    sizes: list[int]
    failures: int

    def line(self) -> str:
        """One printable line, with the verdict against the target."""
        ms = self.latencies
        p95 = percentile(ms, 0.95)
        verdict = "ok" if p95 < TARGET_MS else "OVER"
        return (f"{self.name:<16} n={len(ms):>4}  p50={percentile(ms, 0.50):7.1f} ms  "
                f"p95={p95:7.1f} ms  max={max(ms):7.1f} ms  "
                f"weight={statistics.fmean(self.sizes) / 1024:6.1f} KB  "
                f"failures={self.failures}  {verdict}")


class ConsoleBench:
    """Every page, one request at a time, as the user whose page it is."""

    def setup(self, store: Store, settings: Settings, server: Server, requests: int,
              seed: int) -> None:
        rows = store.read(HOUSEHOLDS)
        if not rows:
            raise SystemExit("the graph holds no households; load a set first")
        rng = random.Random(seed)
        self.regions = sorted({r["region_code"] for r in rows if r["region_code"]})
        alerts = [r["key"] for r in store.read(ALERTS)]
        pairs = [r["key"] for r in store.read(PAIRS, regions=self.regions)]
        self.donation = self._publish_donation(store, settings, server)
        self.targets = [{**rng.choice(rows),
                         "alert": rng.choice(alerts) if alerts else None,
                         "pair": rng.choice(pairs) if pairs else None}
                        for _ in range(requests)]
        self.graph_households = len(rows)
        self.requests = requests
        self.base = server.url
        tokens = {name: issue_dev_token(server.secret, subject=f"bench-{name}", org=org,
                                        roles=roles, regions=self.regions)
                  for name, (org, roles, _purpose) in USERS.items()}
        self.bearers = tokens
        self.sessions = {name: self._sign_in(tokens[name], purpose)
                         for name, (_org, _roles, purpose) in USERS.items()}
        self._record_consents()

    @staticmethod
    def _publish_donation(store: Store, settings: Settings, server: Server) -> str | None:
        """A donation matched once through the served API (the charity demo's steps:
        a charity registered, recipients' consents, the donation, its matches)."""
        signing = settings.with_overrides(jwt_secret=Secret(server.secret), dev_mode=False)
        try:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                run_charity_demo(store, signing, client, emit=lambda line: None, recipients=8)
        except CharityError as exc:
            print(f"charity pages left out: {exc}")
            return None
        rows = store.read(LATEST_DONATION, charity=DEMO_CHARITY)
        return str(rows[0]["id"]) if rows else None

    def _sign_in(self, bearer: str, purpose: str) -> httpx.Client:
        client = httpx.Client(base_url=self.base, timeout=60)
        answer = client.post("/console/signin", data={"token": bearer, "purpose": purpose})
        if answer.status_code != 303 or "hub_console" not in client.cookies:
            raise SystemExit(f"console sign-in failed: {answer.status_code}")
        return client

    def _record_consents(self) -> None:
        """The verifier's pages need the households' consent (as a caseworker records)."""
        expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        headers = {"Authorization": f"Bearer {self.bearers['caseworker']}",
                   "X-Purpose": "aid_administration"}
        with httpx.Client(base_url=self.base, timeout=60, headers=headers) as api:
            for target in {t["household_id"]: t for t in self.targets}.values():
                consent = {"subjectKind": "HOUSEHOLD", "subjectId": target["household_id"],
                           "purpose": "verification", "grantee": "核对中心",
                           "expiresAt": expires, "evidenceRef": "BENCH-CONSOLE"}
                answer = api.post("/graphql", json={"query": CONSENT,
                                                    "variables": {"c": consent}})
                if answer.status_code != 200 or answer.json().get("errors"):
                    raise SystemExit(f"recording a consent failed: {answer.text[:200]}")

    def _measure(self, name: str, user: str, path: Callable[[dict[str, Any]], str],
                 ok_status: int = 200, requests: int | None = None) -> PageFigures:
        client = self.sessions[user]
        for target in self.targets[:3]:  # warm: templates compiled, documents cached
            client.get(path(target))
        latencies: list[float] = []
        sizes: list[int] = []
        failures = 0
        for target in self.targets[:requests]:
            began = time.perf_counter()
            answer = client.get(path(target))
            latencies.append((time.perf_counter() - began) * 1000)
            sizes.append(len(answer.content))
            if answer.status_code != ok_status:
                failures += 1
        return PageFigures(name, latencies, sizes, failures)

    def pages(self) -> list[PageFigures]:
        """Every page's figures, in the console's order (a page without anything to show
        in this graph, e.g. no review pair, is left out and said so)."""
        pages = [
            self._measure("home", "caseworker", lambda t: "/console/"),
            self._measure("household", "caseworker",
                          lambda t: f"/console/household?household_id={t['household_id']}"),
            self._measure("verify", "verifier",
                          lambda t: f"/console/verify?applicant={min(t['people'])}"),
            self._measure("reverification", "caseworker",
                          lambda t: f"/console/reverification?region={t['region_code']}"
                                    f"&as_of={AS_OF}&horizon=31"),
            self._measure("overlap", "department",
                          lambda t: f"/console/overlap?applicant={min(t['people'])}"),
            self._measure("alerts", "monitor", lambda t: "/console/alerts"),
            self._measure("alerts (region)", "monitor",
                          lambda t: f"/console/alerts?region={t['region_code']}"),
            self._measure("review", "caseworker", lambda t: "/console/review"),
            self._measure("referrals", "caseworker", lambda t: "/console/referrals"),
            self._measure("audit log", "auditor", lambda t: "/console/audit"),
            self._measure("audit (actor)", "auditor",
                          lambda t: "/console/audit?actor=bench-caseworker"),
            # verifying the chain is an action on the whole log (`hub audit verify`), not a
            # page view: its time grows with the log; a few runs, reported apart
            self._measure("chain verify*", "auditor", lambda t: "/console/audit/chain",
                          requests=5),
        ]
        if self.targets[0]["alert"]:
            pages.append(self._measure("alert", "monitor",
                                       lambda t: f"/console/alerts/{t['alert']}"))
        else:
            print("alert page left out: the graph holds no alert for 民政 (run hub monitor)")
        if self.targets[0]["pair"]:
            pages.append(self._measure("review pair", "caseworker",
                                       lambda t: f"/console/review/{quote(t['pair'])}"))
        else:
            print("review pair page left out: the graph holds no pending pair")
        if self.donation:
            pages += [self._measure("charity", "charity", lambda t: "/console/charity"),
                      self._measure("donation", "charity",
                                    lambda t: f"/console/charity/donations/{self.donation}")]
        return pages


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, load or reuse the graph, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--households", type=int, help="generate, ingest and link N first")
    source.add_argument("--reuse", action="store_true", help="use the graph as it is")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=40, help="per page")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--server-log", help="append the server's output to this file")
    args = parser.parse_args(argv)

    settings = Settings.from_env(os.environ)
    if args.households:
        began = time.monotonic()
        load_generated_set(settings, args.households, args.seed, clear=False)
        print(f"loaded {args.households} households in {time.monotonic() - began:.0f} s")
    bench = ConsoleBench()
    with Store.connect(settings) as store, Server(args.port, args.server_log, workers=1) as server:
        bench.setup(store, settings, server, args.requests, args.seed)
        print(f"graph: {bench.graph_households} households; one client, {args.requests} "
              f"requests per page, one worker; target p95 < {TARGET_MS:.0f} ms")
        for figures in bench.pages():
            print(figures.line())
            if figures.name.startswith("chain verify"):
                chain = figures
        events = store.read("MATCH (e:AuditEvent) RETURN count(e) AS n")[0]["n"]
        print(f"* an action, not a page: it checks all {events} audit events, "
              f"{statistics.median(chain.latencies) * 1000 / max(events, 1):.0f} µs per "
              f"event (median); the audit page itself is the 'audit log' line")


if __name__ == "__main__":
    main()

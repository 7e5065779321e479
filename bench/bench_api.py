"""API benchmark: p50/p95 latency and requests/s of ``household`` and ``aidChain`` under load.

Serves the app with uvicorn (``hub serve --prod`` in a subprocess, so the load generator
does not share its GIL), then drives it with 20 concurrent ``httpx.AsyncClient`` clients
over real HTTP: authentication, policy, decryption, Neo4j and the audit log's append per
request included. The graph is either the configured one as it is (``--reuse``) or a
generated set loaded into it first, exactly as ``hub demo`` does (generate, ingest,
link)::

    python bench/bench_api.py --households 2000 [--clear] [--requests 1000] [--clients 20]
    python bench/bench_api.py --reuse

Benchmarks are classes with ``setup`` and ``time_*`` methods (asv style); ``main`` runs
them once and prints the figures.

The load test (``bench_load.py``, ``locust_hub.py``, ``load_ceiling.py``) shares this
module's ``Server`` helper, ``TARGETS``, ``load_generated_set`` and the GraphQL documents
of every request kind, which are kept here only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.auth import issue_dev_token
from hub.config import Secret, Settings
from hub.store import Store

# The GraphQL documents of the benchmarks, held here only: ``locust_hub.py`` (the mixed
# workload) and ``load_ceiling.py`` (the same reads, one kind at a time) import them.
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
MEMBERS_ID = """query($h: String!) { household(householdId: $h) {
  regionCode members { person { personId idNumber } } } }"""
TARGETS = """
MATCH (h:Household)<-[:MEMBER_OF {status: '正常'}]-(p:Person)
RETURN h.household_id AS household_id, h.region_code AS region_code,
       collect(p.person_id) AS people
"""


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Figures:
    """Latencies (ms) and throughput of one workload."""

    name: str
    latencies: list[float]
    seconds: float
    failures: int

    def line(self) -> str:
        """One printable line."""
        ms = self.latencies
        return (f"{self.name:<10} n={len(ms):>5}  p50={percentile(ms, 0.50):7.1f} ms  "
                f"p95={percentile(ms, 0.95):7.1f} ms  p99={percentile(ms, 0.99):7.1f} ms  "
                f"mean={statistics.fmean(ms):7.1f} ms  {len(ms) / self.seconds:7.1f} req/s  "
                f"failures={self.failures}")


def load_generated_set(settings: Settings, households: int, seed: int, clear: bool) -> None:
    """Generate (once), ingest and link a demo set into the configured graph.

    The demo's charity step serves the API in process, which needs a token key: outside
    dev mode and without one configured, a fresh random secret is used for that step.
    """
    from hub.cli.demo_cmd import prepare_demo_graph

    if not (settings.dev_mode or settings.jwt_secret or settings.jwt_public_key_file
            or settings.jwks_file):
        settings = settings.with_overrides(jwt_secret=Secret(secrets.token_urlsafe(32)))
    if clear:
        with Store.connect(settings) as store:
            store.run_autocommit(CLEAR_GRAPH)
    prepare_demo_graph(settings, households, seed)


class Server:
    """``hub serve --prod`` in a subprocess on a free port, with a fresh token secret
    (``workers``: its worker processes; ``None``, the command's default)."""

    def __init__(self, port: int, log: str | None = None, workers: int | None = None) -> None:
        self.port = port
        self.log = log
        self.workers = workers
        self.secret = secrets.token_urlsafe(32)
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = dict(os.environ, HUB_JWT_SECRET=self.secret, HUB_DEV="false",
                   HUB_RATE_LIMIT_PER_MINUTE="10000000", HUB_PORT=str(self.port))
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        workers = ["--workers", str(self.workers)] if self.workers else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "serve", "--prod", "--port", str(self.port),
             *workers], env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("the API did not become ready within 120 s")

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    @property
    def url(self) -> str:
        """Base URL of the served app."""
        return f"http://127.0.0.1:{self.port}"


class ApiBench:
    """``household`` and ``aidChain`` requests from concurrent clients."""

    def setup(self, store: Store, server: Server, clients: int, requests: int,
              seed: int) -> None:
        targets = store.read(TARGETS)
        if not targets:
            raise SystemExit("the graph holds no households; load a set first")
        rng = random.Random(seed)
        regions = sorted({t["region_code"] for t in targets if t["region_code"]})
        self.tokens = [issue_dev_token(server.secret, subject=f"bench-{i}", org="民政",
                                       roles=["caseworker"], regions=regions)
                       for i in range(clients)]
        self.url = server.url + "/graphql"
        self.clients = clients
        self.households = [rng.choice(targets)["household_id"] for _ in range(requests)]
        self.people = [rng.choice(rng.choice(targets)["people"]) for _ in range(requests)]
        self.graph_households = len(targets)

    async def _drive(self, name: str, bodies: list[dict[str, Any]]) -> Figures:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for body in bodies:
            queue.put_nowait(body)
        latencies: list[float] = []
        failures = 0

        async def client(bearer: str) -> None:
            nonlocal failures
            headers = {"Authorization": f"Bearer {bearer}", "X-Purpose": "aid_administration"}
            async with httpx.AsyncClient(timeout=60, headers=headers) as http:
                while not queue.empty():
                    body = queue.get_nowait()
                    began = time.perf_counter()
                    response = await http.post(self.url, json=body)
                    latencies.append((time.perf_counter() - began) * 1000)
                    if response.status_code != 200 or response.json().get("errors"):
                        failures += 1

        began = time.perf_counter()
        await asyncio.gather(*(client(token) for token in self.tokens))
        return Figures(name, latencies, time.perf_counter() - began, failures)

    def _run(self, name: str, query: str, variable: str, values: list[str]) -> Figures:
        warm = [{"query": query, "variables": {variable: v}} for v in values[:40]]
        asyncio.run(self._drive(name, warm))
        bodies = [{"query": query, "variables": {variable: v}} for v in values]
        return asyncio.run(self._drive(name, bodies))

    def time_household(self) -> Figures:
        """``household`` with members, their identity and aid chains (nested)."""
        return self._run("household", HOUSEHOLD, "h", self.households)

    def time_aid_chain(self) -> Figures:
        """``aidChain(personId)``: the person's and household's aid from all departments."""
        return self._run("aidChain", AID_CHAIN, "p", self.people)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, load or reuse the graph, serve, drive, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--households", type=int, help="generate, ingest and link N first")
    source.add_argument("--reuse", action="store_true", help="use the graph as it is")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clear", action="store_true",
                        help="empty the configured graph before loading (never the default)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000, help="per workload")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=None, help="API worker processes")
    parser.add_argument("--server-log", help="append the server's output to this file")
    args = parser.parse_args(argv)

    settings = Settings.from_env(os.environ)
    if args.households:
        began = time.monotonic()
        load_generated_set(settings, args.households, args.seed, args.clear)
        print(f"loaded {args.households} households in {time.monotonic() - began:.0f} s")
    bench = ApiBench()
    with Store.connect(settings) as store, \
            Server(args.port, args.server_log, workers=args.workers) as server:
        bench.setup(store, server, args.clients, args.requests, args.seed)
        print(f"graph: {bench.graph_households} households; {args.clients} concurrent "
              f"clients, {args.requests} requests per workload, "
              f"workers: {args.workers or 'one per core'}")
        for figures in (bench.time_household(), bench.time_aid_chain()):
            print(figures.line())


if __name__ == "__main__":
    main()

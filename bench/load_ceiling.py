"""The database ceiling of the load test: the API's reads as raw Cypher, side by side.

``bench_load.py --ceiling`` runs, for ``household``, ``aidChain`` and ``overlaps``, the
same number of requests at the same concurrency (``--users`` threads) twice, one kind at
a time, with the same client harness and the same targets:

- *raw*: the Cypher the API's read models run, imported from ``graph_schema.queries``
  (``household`` is the two round trips the resolvers make: ``HOUSEHOLD_CARD``, then
  ``AID_OF_PEOPLE`` for the members' ``aidChain`` DataLoader; ``aidChain`` is
  ``AID_CHAIN_CARD``; ``overlaps`` is ``PERSON_AID``), through the neo4j driver, with the
  token's regions as ``$regions``. It returns ciphertext: nothing is decrypted, checked
  or audited, which is the point (the database alone);
- *API*: the GraphQL documents of the mixed workload (``bench_api.py``) over HTTP, one
  keep-alive connection per thread: authentication, policy, decryption, Neo4j and the
  audit append included. The correlation id of every answered request is appended to
  the same file as the mixed run's, so its audit events are counted too.

The API's figures are given as a ratio of the raw ones. The mixed run's per-kind figures
(locust) are printed beside them, but its requests/s is a share of a mix and is not
compared.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from bench_api import AID_CHAIN, HOUSEHOLD, OVERLAPS, percentile
from neo4j import GraphDatabase

from graph_schema.queries.monitoring import PERSON_AID
from graph_schema.queries.people import AID_CHAIN_CARD, AID_OF_PEOPLE, HOUSEHOLD_CARD
from hub.config import Settings
from hub.store import connection_details

KINDS = ("household", "aidChain", "overlaps")
# kind -> (token in the plan, declared purpose, GraphQL document, its variable, targets)
_API = {"household": ("caseworker", "aid_administration", HOUSEHOLD, "h", "households"),
        "aidChain": ("caseworker", "aid_administration", AID_CHAIN, "p", "people"),
        "overlaps": ("department", "overlap_check", OVERLAPS, "p", "people")}


@dataclass
class Timing:
    """Latencies (ms) of one kind on one side, and how long the whole batch took."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    failures: int = 0
    first_failure: str = ""

    def p(self, share: float) -> float:
        """A percentile in ms (0 when nothing was timed)."""
        return percentile(self.latencies, share) if self.latencies else 0.0

    @property
    def rate(self) -> float:
        """Requests per second over the batch."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def drive(call: Callable[[random.Random], None], users: int, count: int,
          seed: int) -> Timing:
    """``count`` calls from ``users`` threads, closed loop; each thread its own RNG."""
    timing = Timing()
    issued = itertools.count()
    lock = threading.Lock()

    def user(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        while next(issued) < count:
            began = time.perf_counter()
            try:
                call(rng)
            except Exception as exc:  # counted and reported, never raised out of a thread
                with lock:
                    timing.failures += 1
                    timing.first_failure = timing.first_failure or repr(exc)[:200]
                continue
            with lock:
                timing.latencies.append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timing.seconds = time.perf_counter() - began
    return timing


class RawReads:
    """The API's read queries through one neo4j driver (its connection pool sized for
    the threads)."""

    def __init__(self, settings: Settings, plan: dict[str, Any], users: int) -> None:
        uri, user, password = connection_details(settings)
        self.driver = GraphDatabase.driver(uri, auth=(user, password),
                                           max_connection_pool_size=max(users, 10),
                                           notifications_min_severity="OFF")
        self.plan = plan
        self.regions = plan["regions"]

    def close(self) -> None:
        """Close the driver."""
        self.driver.close()

    def _read(self, text: Any, **params: Any) -> list[dict[str, Any]]:
        """A session and a managed read transaction per query, as ``Store.read``."""
        with self.driver.session() as session:
            return session.execute_read(lambda tx: [r.data() for r in tx.run(text, params)])

    def household(self, rng: random.Random) -> None:
        """``household`` with members' aid: the card, then the members' aid in one batch."""
        rows = self._read(HOUSEHOLD_CARD, household_id=rng.choice(self.plan["households"]),
                          bi_id=None, regions=self.regions)
        members = [m["person"]["person_id"] for m in rows[0]["members"]] if rows else []
        self._read(AID_OF_PEOPLE, person_ids=members, regions=self.regions)

    def aid_chain(self, rng: random.Random) -> None:
        """``aidChain(personId)``."""
        self._read(AID_CHAIN_CARD, person_id=rng.choice(self.plan["people"]),
                   household_id=None, regions=self.regions)

    def overlaps(self, rng: random.Random) -> None:
        """``overlaps(person)`` by hub person id."""
        self._read(PERSON_AID, person_id=rng.choice(self.plan["people"]), bi_id=None)

    def call(self, kind: str) -> Callable[[random.Random], None]:
        """The raw read of one kind."""
        return {"household": self.household, "aidChain": self.aid_chain,
                "overlaps": self.overlaps}[kind]


class ApiReads:
    """The same reads as GraphQL over HTTP, one keep-alive client per thread; every
    answered request's correlation id appended to the plan's ``answered`` file."""

    def __init__(self, url: str, plan: dict[str, Any], timeout: float) -> None:
        self.url = url
        self.plan = plan
        self.timeout = timeout
        self.local = threading.local()
        self.clients: list[httpx.Client] = []
        self.lock = threading.Lock()
        self.answered = os.open(plan["answered"], os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                                0o600)

    def close(self) -> None:
        """Close every thread's client and the answered file."""
        for client in self.clients:
            client.close()
        os.close(self.answered)

    def _client(self) -> httpx.Client:
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = httpx.Client(base_url=self.url, timeout=self.timeout)
            with self.lock:
                self.clients.append(client)
        return client

    def call(self, kind: str) -> Callable[[random.Random], None]:
        """The API read of one kind (raises on anything but 200 without errors)."""
        caller, purpose, document, variable, targets = _API[kind]
        headers = {"Authorization": f"Bearer {self.plan['tokens'][caller]}",
                   "X-Purpose": purpose}

        def ask(rng: random.Random) -> None:
            response = self._client().post("/graphql", headers=headers, json={
                "query": document, "variables": {variable: rng.choice(self.plan[targets])}})
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                code = (body.get("errors") or [{}])[0].get("extensions", {}).get("code")
                raise RuntimeError(f"HTTP {response.status_code} {code}")
            line = {"name": kind, "cid": response.headers.get("x-correlation-id"),
                    "t": time.time(), "phase": "ceiling"}
            os.write(self.answered, (json.dumps(line) + "\n").encode("utf-8"))

        return ask


def run_ceiling(settings: Settings, url: str, plan: dict[str, Any], users: int,
                count: int, timeout: float, seed: int = 11) -> dict[str, dict[str, Timing]]:
    """Each kind on each side: a warm-up of ``2 * users`` requests, then ``count``."""
    raw = RawReads(settings, plan, users)
    api = ApiReads(url, plan, timeout)
    results: dict[str, dict[str, Timing]] = {}
    try:
        for kind in KINDS:
            results[kind] = {}
            for side, source in (("raw", raw), ("api", api)):
                call = source.call(kind)
                drive(call, users, 2 * users, seed + 1)
                results[kind][side] = drive(call, users, count, seed)
    finally:
        raw.close()
        api.close()
    return results


def print_ceiling(results: dict[str, dict[str, Timing]], users: int, count: int,
                  mixed: dict[str, dict[str, float]]) -> bool:
    """The side-by-side table; False if a request of either side failed."""
    print(f"ceiling: {users} threads, {count} requests per kind and side, one kind at a time "
          "(raw: the resolvers' Cypher through the driver; API: GraphQL over HTTP)")
    print(f"{'kind':<10} {'raw p50':>8} {'p95':>7} {'req/s':>8} | {'API p50':>8} {'p95':>7} "
          f"{'req/s':>7} | {'API/raw':>7} | {'mixed p50':>9} {'p95':>6}")
    ok = True
    for kind, sides in results.items():
        raw, api = sides["raw"], sides["api"]
        ratio = api.rate / raw.rate if raw.rate else 0.0
        row = mixed.get(kind, {})
        print(f"{kind:<10} {raw.p(0.5):8.1f} {raw.p(0.95):7.1f} {raw.rate:8.1f} | "
              f"{api.p(0.5):8.1f} {api.p(0.95):7.1f} {api.rate:7.1f} | {ratio:7.3f} | "
              f"{row.get('p50', '-'):>9} {row.get('p95', '-'):>6}")
        for side, timing in sides.items():
            if timing.failures:
                ok = False
                print(f"  {kind} {side}: {timing.failures} failed, first: "
                      f"{timing.first_failure}")
    print("(ms; req/s over each batch; mixed: the locust run's per-kind latency in ms)")
    return ok

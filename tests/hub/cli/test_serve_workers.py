"""``hub serve --workers 2`` as a real subprocess: requests land on both workers, the
rate limit holds across them, every acknowledged write is in the graph, and
``hub audit verify`` passes with every request's audit event present.

Dev mode, so each response names the worker process that answered (``X-Hub-Worker``);
each request opens its own connection, so the kernel spreads them over the workers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.config import Settings
from hub.neo4j_local import LocalNeo4j
from hub.store import Store
from tests.api_helpers import TEST_JWT_SECRET, headers, token
from tests.conftest import test_environ
from tests.live_server import free_port

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]
_START_SECONDS = 180
RECORD_CONSENT = """mutation($c: RecordConsentInput!) { recordConsent(consent: $c) {
    consentId inForce } }"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = test_environ()
    env.update({"HUB_JWT_SECRET": TEST_JWT_SECRET, "HUB_RATE_LIMIT_PER_MINUTE": "10",
                "HUB_AUDIT_KEY_FILE": str(tmp_path / "keys" / "audit.key"),
                "HUB_AUDIT_CHECKPOINT_EVERY": "5"})
    return env


def _hub(*args: str) -> list[str]:
    return [sys.executable, "-m", "hub.cli", *args]


def _worker_of(base: str) -> str | None:
    """The worker answering a fresh connection's /healthz (None while none listens)."""
    try:
        return httpx.get(f"{base}/healthz", timeout=10).headers.get("x-hub-worker")
    except httpx.TransportError:
        return None


@pytest.fixture
def two_workers(clean_store: Store, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A running ``hub serve --workers 2 --dev``; its base URL and environment."""
    env = _env(tmp_path)
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(_hub("serve", "--workers", "2", "--dev", "--port", str(port)),
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + _START_SECONDS
        while len(seen) < 2 and time.monotonic() < deadline and server.poll() is None:
            with ThreadPoolExecutor(max_workers=4) as pool:
                seen.update(w for w in pool.map(lambda _: _worker_of(base), range(8)) if w)
            time.sleep(0.2)
        assert len(seen) == 2, (tmp_path / "serve.log").read_text(errors="replace")
        yield base, env
    finally:
        server.send_signal(signal.SIGINT)  # uvicorn's supervisor stops its workers
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        log.close()
        clean_store.run_autocommit(CLEAR_GRAPH)  # the chain is keyed by this test's key


def _consent(base: str, i: int) -> tuple[int, str, str, Any]:
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    variables = {"c": {"subjectKind": "HOUSEHOLD", "subjectId": "HH-1",
                       "purpose": "verification", "grantee": "民政",
                       "expiresAt": expires, "evidenceRef": f"FORM-{i}"}}
    response = httpx.post(f"{base}/graphql", timeout=60,
                          json={"query": RECORD_CONSENT, "variables": variables},
                          headers=headers(token("caseworker", subject=f"staff-{i:03d}")))
    return (response.status_code, response.headers["x-correlation-id"],
            response.headers["x-hub-worker"], response.json())


def _me(base: str, _i: int) -> tuple[int, str]:
    response = httpx.post(f"{base}/graphql", timeout=60, json={"query": "{ me { org } }"},
                          headers=headers(token("caseworker", subject="staff-limited")))
    return response.status_code, response.headers["x-hub-worker"]


def test_two_workers_share_the_audit_chain_and_the_rate_limit(
        two_workers: tuple[str, dict[str, str]], clean_store: Store) -> None:
    base, env = two_workers
    clean_store.write("CREATE (:Household {household_id: 'HH-1', region_code: '659001'})")
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: _consent(base, i), range(40)))
    assert all(status == 200 and "errors" not in body for status, _, _, body in answers), [
        body for _, _, _, body in answers if "errors" in body][:3]
    assert len({worker for _, _, worker, _ in answers}) == 2  # both workers served writes

    with ThreadPoolExecutor(max_workers=8) as pool:
        limited = list(pool.map(lambda i: _me(base, i), range(24)))
    granted = [worker for status, worker in limited if status == 200]
    refused = [worker for status, worker in limited if status == 429]
    assert len(granted) + len(refused) == 24
    # 10 a minute for the principal across both workers (one more token each 6 s);
    # buckets per worker would have granted up to 20 of the 24
    assert 10 <= len(granted) <= 12, limited
    assert len({w for _, w in limited}) == 2

    acknowledged = {body["data"]["recordConsent"]["consentId"] for *_, body in answers}
    stored = {r["id"] for r in clean_store.read(
        "MATCH (c:Consent) RETURN c.consent_id AS id")}
    assert acknowledged == stored and len(stored) == 40  # no acknowledged write lost

    verify = subprocess.run(_hub("audit", "verify"), env=env, capture_output=True,
                            text=True, timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "intact" in verify.stdout
    events = {r["c"]: r["d"] for r in clean_store.read(
        "MATCH (e:AuditEvent) RETURN e.correlation_id AS c, e.decision AS d")}
    assert all(events.get(corr) == "allow" for _, corr, _, _ in answers)


def _probe(base: str, path: str) -> tuple[int, str | None, str | None]:
    """Status, Retry-After and answering worker of a fresh connection's GET."""
    response = httpx.get(f"{base}{path}", timeout=60)
    return (response.status_code, response.headers.get("retry-after"),
            response.headers.get("x-hub-worker"))


def _until_ready(base: str) -> set[str]:
    """Poll /readyz until both workers answer 200 (bounded); the workers seen ready."""
    ready: set[str] = set()
    deadline = time.monotonic() + _START_SECONDS
    while len(ready) < 2 and time.monotonic() < deadline:
        with ThreadPoolExecutor(max_workers=4) as pool:
            ready.update(w for s, _, w in pool.map(lambda _: _probe(base, "/readyz"), range(8))
                         if s == 200 and w)
        time.sleep(0.5)
    return ready


def test_neo4j_killed_and_restarted_under_two_workers(
        two_workers: tuple[str, dict[str, str]], clean_store: Store,
        neo4j_server: Settings) -> None:
    """SIGKILL Neo4j: /readyz 503 with Retry-After, writes refused with 503 (no hang, no
    500), /healthz still 200; a worker SIGKILLed meanwhile is replaced; restarted: both
    workers ready again, every acknowledged write kept."""
    if neo4j_server.uses_external_neo4j:
        pytest.skip("the test kills and restarts the managed Neo4j only")
    base, env = two_workers
    clean_store.write("CREATE (:Household {household_id: 'HH-1', region_code: '659001'})")
    before = [_consent(base, i) for i in range(6)]
    acknowledged = {body["data"]["recordConsent"]["consentId"] for *_, body in before}
    assert len(acknowledged) == 6

    server = LocalNeo4j(neo4j_server)
    pid = server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            ready = list(pool.map(lambda _: _probe(base, "/readyz"), range(8)))
            live = list(pool.map(lambda _: _probe(base, "/healthz"), range(4)))
            writes = list(pool.map(lambda i: _consent(base, 100 + i), range(8)))
        assert all(s == 503 and r is not None and int(r) >= 1 for s, r, _ in ready), ready
        assert all(s == 200 for s, _, _ in live)
        for status, _, _, body in writes:
            assert status == 503, body
            assert body["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
        # a worker dies during the outage: its replacement comes up answering 503 (it
        # used to fail its start, and uvicorn's supervisor then stopped every worker)
        killed = next(w for _, _, w in live if w)
        os.kill(int(killed), signal.SIGKILL)
        deadline = time.monotonic() + _START_SECONDS
        fresh: set[str] = set()
        while not fresh and time.monotonic() < deadline:
            with ThreadPoolExecutor(max_workers=4) as pool:
                seen = {w for w in pool.map(lambda _: _worker_of(base), range(8)) if w}
            fresh = seen - {w for _, _, w in live}
            time.sleep(0.2)
        assert fresh, "no worker replaced the killed one while Neo4j was down"
        status, retry, _ = _probe(base, "/readyz")
        assert status == 503 and retry is not None
    finally:
        server.start()  # waits for Bolt: the session's other tests find it up
    ready_again = _until_ready(base)  # both: the survivor and the replacement
    assert len(ready_again) == 2 and killed not in ready_again
    after = _consent(base, 200)
    assert after[0] == 200 and "errors" not in after[3], after[3]
    stored = {r["id"] for r in clean_store.read("MATCH (c:Consent) RETURN c.consent_id AS id")}
    assert acknowledged | {after[3]["data"]["recordConsent"]["consentId"]} == stored
    verify = subprocess.run(_hub("audit", "verify"), env=env, capture_output=True,
                            text=True, timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr

"""Issue 13, item 7: the newest audit events cannot be dropped or rewritten without the key.

The events come from real HTTP requests (uvicorn on a local socket) to the hub's app on
the real test Neo4j. The test then does what someone with write access to Neo4j but
without the audit key can do — Cypher through the store, and the hub's own hashing code,
which is no secret — and runs ``hub audit verify`` (the CLI) and ``AuditLog.verify``.

Before event/head MACs and the head anchor, both attacks below left a log that verified
"intact": the hash chain and the head were consistent, and the last checkpoint (every 5
events here) lay before the tampered events.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from hub.app import create_app
from hub.cli import app as cli
from hub.config import Settings
from hub.privacy_graph.audit import AuditLog
from hub.store import Store
from privacy import seal_event
from tests.api_helpers import api_settings, token
from tests.conftest import test_environ
from tests.live_server import live_server

pytestmark = pytest.mark.neo4j

READ_LOG = "{ auditEvents(first: 1) { events { seq } } }"  # audited: one event per request
REQUESTS = 13  # a checkpoint every 5 events (api_settings): the newest few are unprotected


@dataclass(frozen=True)
class Served:
    """The running app: where to post, and the settings it and the CLI share."""

    url: str
    settings: Settings
    store: Store

    def post(self, url: str | None = None) -> httpx.Response:
        """One auditor request over HTTP (writes one audit event)."""
        bearer = token("auditor", org="审计", regions=())
        return httpx.post(f"{url or self.url}/graphql", json={"query": READ_LOG}, timeout=30,
                          headers={"Authorization": f"Bearer {bearer}", "X-Purpose": "audit"})


def _serve(app_settings: Settings, store: Store) -> AbstractContextManager[str]:
    """The hub's app under uvicorn on a free local port, for as long as the block runs."""
    return live_server(create_app(app_settings, store=store))


@pytest.fixture
def served(settings: Settings, clean_store: Store, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    key_file = tmp_path / "keys" / "audit.key"  # its own key, hence its own head anchor
    app_settings = api_settings(settings, audit_key_file=key_file)
    for name, value in {**test_environ(), "HUB_AUDIT_KEY_FILE": str(key_file)}.items():
        monkeypatch.setenv(name, value)  # for `hub audit verify`
    with _serve(app_settings, clean_store) as url:
        yield Served(url, app_settings, clean_store)


def _produce(served: Served, count: int, url: str | None = None) -> None:
    for _ in range(count):
        response = served.post(url)
        assert response.status_code == 200 and "errors" not in response.json()


def _hub_audit_verify() -> tuple[int, str]:
    """Exit code and output (lines re-joined: rich wraps at the terminal width)."""
    result: Result = CliRunner().invoke(cli, ["audit", "verify"])
    return result.exit_code, " ".join(result.output.split())


def _head(store: Store) -> dict[str, Any]:
    return dict(store.read("MATCH (h:AuditHead {name: 'main'}) RETURN properties(h) AS h")[0]["h"])


def _drop_tail_after(store: Store, seq: int) -> None:
    store.write("MATCH (e:AuditEvent) WHERE e.seq > $seq DETACH DELETE e", seq=seq)


def _ends(store: Store) -> tuple[int, int]:
    """(last seq, last checkpoint seq): what the app wrote, counted by the graph (the app
    may log events of its own, e.g. at start-up, besides one per request)."""
    row = store.read("MATCH (h:AuditHead {name: 'main'}) OPTIONAL MATCH (c:AuditCheckpoint) "
                     "RETURN h.seq AS last, max(c.seq) AS checkpoint")[0]
    last, checkpoint = int(row["last"]), int(row["checkpoint"])
    assert checkpoint >= 5 and last - checkpoint >= 2, "the log needs an unprotected tail"
    return last, checkpoint


def test_an_untampered_log_verifies_intact(served: Served) -> None:
    _produce(served, REQUESTS)
    last, checkpoint = _ends(served.store)
    code, output = _hub_audit_verify()
    assert code == 0, output
    assert f"intact: {last} events" in output
    assert (f"{checkpoint // 5} checkpoints verified, head MAC verified, anchored outside "
            f"Neo4j at seq {last}") in output
    assert "note:" not in output  # no legacy events, nothing unanchored


def test_dropping_the_tail_and_moving_the_head_back_is_detected(served: Served) -> None:
    _produce(served, REQUESTS)
    last, checkpoint = _ends(served.store)
    _drop_tail_after(served.store, checkpoint)  # everything after the last checkpoint
    served.store.write("MATCH (e:AuditEvent {seq: $seq}), (h:AuditHead {name: 'main'}) "
                       "SET h.seq = e.seq, h.hash = e.hash", seq=checkpoint)
    code, output = _hub_audit_verify()
    assert code == 1
    assert f"BROKEN at seq {checkpoint + 1} (truncated)" in output
    assert f"anchored outside Neo4j is at seq {last} but the log ends at {checkpoint}" in output
    key = AuditLog.open(served.store, served.settings)._key
    unanchored = AuditLog(served.store, key).verify().broken  # the head MAC alone sees it too
    assert unanchored is not None and (unanchored.seq, unanchored.kind) == (checkpoint, "head")
    refused = served.post()  # and the app does not launder the cut with a fresh head MAC
    assert refused.json()["errors"][0]["extensions"]["code"] == "AUDIT_UNAVAILABLE"
    assert _head(served.store)["seq"] == checkpoint


def test_a_replayed_earlier_head_is_detected_by_the_anchor(served: Served) -> None:
    _produce(served, 10)
    kept = _head(served.store)  # a genuine, MAC'd head: a copy taken now
    _produce(served, REQUESTS - 10)
    _drop_tail_after(served.store, kept["seq"])
    served.store.write("MATCH (h:AuditHead {name: 'main'}) SET h = $kept", kept=kept)
    code, output = _hub_audit_verify()
    assert code == 1
    assert f"BROKEN at seq {kept['seq'] + 1} (truncated)" in output


def test_a_replayed_head_extended_again_by_a_restarted_hub_is_detected(
        served: Served) -> None:
    _produce(served, 10)
    kept = _head(served.store)
    _produce(served, REQUESTS - 10)
    last, _ = _ends(served.store)
    _drop_tail_after(served.store, kept["seq"])
    served.store.write("MATCH (h:AuditHead {name: 'main'}) SET h = $kept", kept=kept)
    with _serve(served.settings, served.store) as restarted:  # knows nothing of the old tail
        _produce(served, last - kept["seq"] + 2, url=restarted)
    assert _head(served.store)["seq"] > last  # the newest anchored head matches the graph
    code, output = _hub_audit_verify()
    assert code == 1
    assert f"BROKEN at seq {kept['seq'] + 1} (forged)" in output
    assert "differs from the head anchored outside Neo4j at that seq" in output


@pytest.mark.parametrize("strip_macs", [False, True], ids=["macs-kept", "macs-removed"])
def test_rewriting_a_tail_event_and_recomputing_chain_and_head_is_detected(
        served: Served, strip_macs: bool) -> None:
    _produce(served, REQUESTS)
    last, checkpoint = _ends(served.store)
    target = checkpoint + 2  # a tail event with a successor, after the last checkpoint
    log = AuditLog.open(served.store, served.settings)
    events = {e.seq: e for e in log.events()}
    prev = events[target - 1].hash
    for seq in range(target, last + 1):  # rewrite one, re-hash it and all after it
        changed = replace(events[seq], actor="someone-else") if seq == target else events[seq]
        resealed = seal_event(changed, seq, prev, log.profile)  # no key: no valid MAC
        served.store.write("MATCH (e:AuditEvent {seq: $seq}) SET e.actor = $actor, "
                           "e.prev_hash = $prev, e.hash = $hash", seq=seq,
                           actor=resealed.actor, prev=prev, hash=resealed.hash)
        if strip_macs:
            served.store.write("MATCH (e:AuditEvent {seq: $seq}) REMOVE e.mac", seq=seq)
        prev = resealed.hash
    served.store.write("MATCH (h:AuditHead {name: 'main'}) SET h.hash = $hash", hash=prev)
    code, output = _hub_audit_verify()
    assert code == 1
    assert f"BROKEN at seq {target} (forged)" in output
    broken = log.verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (target, "forged")

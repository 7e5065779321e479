"""The audit log in Neo4j: append, concurrency, tampering, ``hub audit verify``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.audit_log import AuditFilter, AuditLog
from hub.cli import app
from hub.store import Store
from privacy import AuditEvent, Profile, seal_event, utc_timestamp
from tests.conftest import test_environ

pytestmark = pytest.mark.neo4j
KEY = b"audit-test-key-0123456789abcdef!"


def _event(i: int, actor: str = "staff-001") -> AuditEvent:
    return AuditEvent(at=utc_timestamp(), actor=actor, org="民政", roles=("caseworker",),
                      purpose="aid_administration", action="query.household",
                      decision="allow", subject_ref=f"sr1:{i:032x}",
                      fields_returned=("Household.address",), correlation_id=f"corr-{i}")


@pytest.fixture(params=[Profile.STANDARD, Profile.NATIONAL], ids=["sha256", "sm3"])
def log(clean_store: Store, request: pytest.FixtureRequest) -> AuditLog:
    return AuditLog(clean_store, KEY, request.param, checkpoint_every=4)


def test_append_read_and_verify(log: AuditLog) -> None:
    sealed = log.append_many([_event(i) for i in range(1, 7)])
    assert [e.seq for e in sealed] == [1, 2, 3, 4, 5, 6]
    assert log.append(_event(7, actor="staff-002")).seq == 7
    report = log.verify()
    assert report.ok and report.events == 7 and report.checkpoints_verified == 1
    assert [e.seq for e in log.page(after=2, limit=3)] == [3, 4, 5]
    assert [e.seq for e in log.page(filters=AuditFilter(actor="staff-002"))] == [7]
    assert log.page(filters=AuditFilter(correlation_id="corr-3"))[0].seq == 3


def test_concurrent_appends_never_fork_the_chain(log: AuditLog) -> None:
    def burst(worker: int) -> None:
        for i in range(6):
            log.append(_event(worker * 100 + i))

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(burst, range(6)))
    report = log.verify()
    assert report.ok, report.broken
    assert report.events == 36


def _tamper(store: Store, statement: str) -> None:
    store.write(statement)  # the test's own Cypher: an attacker with database access


@pytest.mark.parametrize(("statement", "seq", "kind"), [
    ("MATCH (e:AuditEvent {seq: 3}) SET e.actor = 'nobody'", 3, "edited"),
    ("MATCH (e:AuditEvent {seq: 3}) DETACH DELETE e", 3, "deleted"),
    ("MATCH (a:AuditEvent {seq: 3}), (b:AuditEvent {seq: 4}) "
     "SET a.seq = -1 WITH a, b SET b.seq = 3 WITH a SET a.seq = 4", 3, "reordered"),
    ("MATCH (e:AuditEvent {seq: 6}) DETACH DELETE e", 6, "truncated"),
])
def test_tampering_is_detected_at_the_first_broken_link(
        log: AuditLog, statement: str, seq: int, kind: str) -> None:
    log.append_many([_event(i) for i in range(1, 7)])
    _tamper(log._store, statement)
    broken = log.verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (seq, kind)


def test_a_recomputed_chain_fails_the_checkpoint_mac(log: AuditLog) -> None:
    log.append_many([_event(i) for i in range(1, 7)])
    store = log._store
    events = list(log.events())
    prev = events[0].prev_hash
    for event in events:  # rewrite event 2 and re-hash everything after it, like an attacker
        changed = event if event.seq != 2 else AuditEvent(**{**_as_dict(event), "actor": "x"})
        resealed = seal_event(changed, event.seq, prev, log.profile)
        store.write("MATCH (e:AuditEvent {seq: $seq}) SET e.actor = $actor, e.hash = $hash, "
                    "e.prev_hash = $prev", seq=event.seq, actor=resealed.actor,
                    hash=resealed.hash, prev=prev)
        prev = resealed.hash
    store.write("MATCH (h:AuditHead) SET h.hash = $hash", hash=prev)
    broken = log.verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (4, "checkpoint")


def _as_dict(event: AuditEvent) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(event)


def test_hub_audit_verify_command(clean_store: Store, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    env = test_environ()
    env["HUB_AUDIT_KEY_FILE"] = str(tmp_path / "audit.key")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from hub.config import Settings

    log = AuditLog.open(clean_store, Settings.from_env(env))
    log.append_many([_event(i) for i in range(1, 5)])
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact: 4 events" in ok.output
    clean_store.write("MATCH (e:AuditEvent {seq: 2}) SET e.decision = 'deny'")
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "seq 2" in bad.output and "edited" in bad.output

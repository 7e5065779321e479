"""The audit log in Neo4j: append, concurrency, tampering, legacy logs, ``hub audit verify``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.privacy_graph.audit import AuditAppendError, AuditFilter, AuditLog
from hub.privacy_graph.audit_anchor import HeadAnchor
from hub.store import Store
from privacy import GENESIS_HASH, AuditEvent, Profile, event_to_record, seal_event, utc_timestamp
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


def test_concurrent_appends_never_fork_the_chain(log: AuditLog, tmp_path: Path) -> None:
    log.anchor = HeadAnchor(tmp_path / "audit-head.anchor")  # lines may land out of order

    def burst(worker: int) -> None:
        for i in range(6):
            log.append(_event(worker * 100 + i))

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(burst, range(6)))
    report = log.verify()
    assert report.ok, report.broken
    assert report.events == 36 and report.anchored_seq == 36
    assert len(list(log.anchor.heads())) == log.transactions <= 36  # one line per group


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


def test_the_chain_is_read_in_pages_and_events_without_a_seq_are_still_seen(
        log: AuditLog) -> None:
    """Verification reads the log a page at a time (a long log once overran Neo4j's
    transaction memory in one sorted read); the pages join into the one ordered chain,
    and an event whose seq was removed is still read, after the chain."""
    log.append_many([_event(i) for i in range(1, 8)])
    whole = [e.seq for e in log.events()]
    assert [e.seq for e in log.events(page_size=3)] == whole == list(range(1, 8))
    _tamper(log._store, "MATCH (e:AuditEvent {seq: 7}) SET e.seq = null")
    assert len(list(log.events(page_size=3))) == 7  # the seq-less one comes last
    broken = log.verify().broken  # read without a seq (0), after seq 6: out of order
    assert broken is not None and broken.kind == "reordered"


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
    broken = log.verify().broken  # the event MAC names the rewritten event itself
    assert broken is not None and (broken.seq, broken.kind) == (2, "forged")
    store.write("MATCH (e:AuditEvent) REMOVE e.mac")  # stripping every MAC does not help:
    broken = log.verify().broken  # the head's MAC fails, so nothing is taken as legacy
    assert broken is not None and (broken.seq, broken.kind) == (4, "checkpoint")


def test_an_append_refuses_a_head_moved_back_or_stripped(log: AuditLog) -> None:
    log.append_many([_event(i) for i in range(1, 7)])
    store = log._store
    store.write("MATCH (e:AuditEvent) WHERE e.seq > 4 DETACH DELETE e")
    store.write("MATCH (e:AuditEvent {seq: 4}), (h:AuditHead) SET h.seq = 4, h.hash = e.hash")
    with pytest.raises(AuditAppendError, match="fails its MAC"):
        log.append(_event(7))  # would otherwise put a fresh, valid MAC on the cut log
    store.write("MATCH (h:AuditHead) REMOVE h.mac, h.mac_from")
    fresh = AuditLog(store, KEY, log.profile)  # another process: it never saw seq 6
    with pytest.raises(AuditAppendError, match="carries no MAC"):
        fresh.append(_event(7))
    assert store.read("MATCH (e:AuditEvent) RETURN max(e.seq) AS n")[0]["n"] == 4


def test_an_append_refuses_a_replayed_head_behind_what_it_wrote(log: AuditLog) -> None:
    log.append_many([_event(i) for i in range(1, 5)])
    store = log._store
    kept = store.read("MATCH (h:AuditHead) RETURN properties(h) AS h")[0]["h"]
    log.append_many([_event(i) for i in range(5, 7)])
    store.write("MATCH (e:AuditEvent) WHERE e.seq > 4 DETACH DELETE e")
    store.write("MATCH (h:AuditHead) SET h = $kept", kept=kept)  # genuine, MAC'd, old
    assert log.verify().ok  # without an anchor nothing in Neo4j can tell
    with pytest.raises(AuditAppendError, match="behind seq 6"):
        log.append(_event(7))


def _write_legacy_log(store: Store, profile: Profile, count: int) -> None:
    """Events and head as the code before event and head MACs wrote them."""
    prev, legacy = GENESIS_HASH, []
    for i in range(1, count + 1):
        legacy.append(seal_event(_event(i), i, prev, profile))
        prev = legacy[-1].hash
    records = [{k: v for k, v in event_to_record(e).items() if k != "mac"} for e in legacy]
    store.write("UNWIND $events AS event CREATE (e:AuditEvent) SET e = event "
                "WITH count(e) AS n MERGE (h:AuditHead {name: 'main'}) SET h.seq = n, "
                "h.hash = $hash, h.profile = $profile", events=records, hash=prev,
                profile=profile.value)


def test_a_legacy_log_is_continued_with_macs(log: AuditLog) -> None:
    _write_legacy_log(log._store, log.profile, 3)
    assert log.verify().legacy_events == 3
    assert [e.seq for e in log.append_many([_event(4), _event(5)])] == [4, 5]
    report = log.verify()
    assert report.ok and report.legacy_events == 3 and report.head_authenticated
    log._store.write("MATCH (e:AuditEvent {seq: 5}) REMOVE e.mac")
    broken = log.verify().broken
    assert broken is not None and (broken.seq, broken.kind) == (5, "forged")


def _as_dict(event: AuditEvent) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(event)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of `hub audit verify`, with its own audit key (and anchor)."""
    env = test_environ()
    env["HUB_AUDIT_KEY_FILE"] = str(tmp_path / "audit.key")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _hub_audit_verify() -> tuple[int, str]:
    """Exit code and output (lines re-joined: rich wraps at the terminal width)."""
    result = CliRunner().invoke(app, ["audit", "verify"])
    return result.exit_code, " ".join(result.output.split())


def test_hub_audit_verify_command(clean_store: Store, tmp_path: Path,
                                  cli_env: dict[str, str]) -> None:
    from hub.config import Settings

    log = AuditLog.open(clean_store, Settings.from_env(cli_env))
    log.append_many([_event(i) for i in range(1, 5)])
    code, output = _hub_audit_verify()
    assert code == 0, output
    assert "intact: 4 events" in output
    assert "head MAC verified, anchored outside Neo4j at seq 4" in output
    assert (tmp_path / "audit-head.anchor").stat().st_mode & 0o777 == 0o600
    clean_store.write("MATCH (e:AuditEvent {seq: 2}) SET e.decision = 'deny'")
    code, output = _hub_audit_verify()
    assert code == 1
    assert "BROKEN at seq 2 (edited)" in output


def test_hub_audit_verify_names_what_a_legacy_log_leaves_unauthenticated(
        clean_store: Store, cli_env: dict[str, str]) -> None:
    _write_legacy_log(clean_store, Profile.STANDARD, 3)
    code, output = _hub_audit_verify()
    assert code == 0, output
    assert "intact: 3 events" in output
    assert "note: 3 legacy events, written before event MACs, are unauthenticated" in output
    assert "note: the head carries no MAC yet" in output
    assert "note: no head anchor at" in output


def _operators(plan: dict[str, object]) -> list[str]:
    children = plan.get("children") or []
    assert isinstance(children, list)
    return [f"{plan['operatorType']} {plan.get('args', {}).get('Details', '')}"] + [
        op for child in children for op in _operators(child)]


@pytest.mark.parametrize(("field", "index"), [("subject_ref", "subject_ref"),
                                              ("correlation_id", "correlation_id")])
def test_a_subject_or_a_request_is_paged_by_its_index(
        clean_store: Store, field: str, index: str) -> None:
    """"Who read this person's data" reads that person's events, not the whole log."""
    log = AuditLog(clean_store, KEY, checkpoint_every=1000)
    events = [_event(i, actor=f"staff-{i % 3}") for i in range(1, 31)]
    for i, event in enumerate(events):  # every third event about one subject, one request
        if i % 3 == 0:
            events[i] = _event(1, actor=event.actor)
    log.append_many(events)
    wanted = getattr(_event(1), field)
    everything = log.page(limit=100)
    expected = [e.seq for e in everything if getattr(e, field) == wanted]
    assert len(expected) == 10
    query = AuditFilter(**{field: wanted})
    assert [e.seq for e in log.page(filters=query, limit=100)] == expected
    # paged with the cursor, and combined with another filter
    first = log.page(filters=query, limit=4)
    rest = log.page(filters=query, after=first[-1].seq, limit=100)
    assert [e.seq for e in first + rest] == expected
    staff = AuditFilter(**{field: wanted, "actor": "staff-0"})
    assert [e.seq for e in log.page(filters=staff, limit=100)] == [
        e.seq for e in everything if getattr(e, field) == wanted and e.actor == "staff-0"]
    assert log.page(filters=AuditFilter(**{field: "absent"})) == []
    # the plan seeks the index (the seq walk would read every event of a long log)
    from graph_schema.queries import audit as q
    text = (q.AUDIT_EVENTS_PAGE_BY_SUBJECT if field == "subject_ref"
            else q.AUDIT_EVENTS_PAGE_BY_CORRELATION)
    params = {"after": 0, "limit": 50, "actor": None, "org": None, "purpose": None,
              "decision": None, "subject_ref": None, "correlation_id": None, "since": None,
              "until": None, field: wanted}
    summary = clean_store.driver.execute_query("EXPLAIN " + text, params).summary
    assert summary.plan is not None
    assert any(op.startswith("NodeIndexSeek") and f"AuditEvent({index})" in op
               for op in _operators(summary.plan)), _operators(summary.plan)

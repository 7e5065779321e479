"""Group commit of audit appends: the queueing itself (no database), then on the real log.

The first group is held at a gate so that the other appends pile up behind it: what the
committer then does with them is decided, not left to thread timing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hub.errors import ConstraintViolationError
from hub.privacy_graph.audit import AuditLog
from hub.privacy_graph.audit_anchor import HeadAnchor
from hub.privacy_graph.audit_group import GroupCommitter
from hub.store import Store
from privacy import AuditEvent, Profile, utc_timestamp

KEY = b"audit-group-key-0123456789abcdef"


def _event(request: int, part: int = 0) -> AuditEvent:
    return AuditEvent(at=utc_timestamp(), actor=f"staff-{request:03d}", org="民政",
                      roles=("caseworker",), purpose="aid_administration",
                      action="query.household", decision="allow",
                      subject_ref=f"sr1:{request:028x}{part:04x}",
                      fields_returned=("Household.address",), correlation_id=f"req-{request}")


class _Gate:
    """Holds the first commit until released, so later submits queue behind it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.first = True

    def wait_if_first(self) -> None:
        if self.first:
            self.first = False
            self.entered.set()
            assert self.release.wait(60), "the test never released the first commit"


class _Recorder:
    """A commit function that records its groups (the queueing logic alone)."""

    def __init__(self, gate: _Gate, fail_with: Exception | None = None) -> None:
        self.gate = gate
        self.groups: list[list[str]] = []
        self.fail_with = fail_with

    def __call__(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        self.gate.wait_if_first()
        self.groups.append([e.correlation_id for e in events])
        if self.fail_with is not None and len(self.groups) > 1:
            raise self.fail_with
        return list(events)


def _held(committer: GroupCommitter, gate: _Gate, first: list[AuditEvent]) -> object:
    future = committer.submit(first)
    assert gate.entered.wait(60)
    return future


def test_appends_queued_during_a_commit_go_in_one_group() -> None:
    gate = _Gate()
    recorder = _Recorder(gate)
    committer = GroupCommitter(recorder, idle_seconds=0.1)
    _held(committer, gate, [_event(0)])
    futures = [committer.submit([_event(i, 0), _event(i, 1)]) for i in range(1, 11)]
    gate.release.set()
    results = [f.result(timeout=60) for f in futures]
    assert [len(r) for r in results] == [2] * 10
    assert [r[0].correlation_id for r in results] == [f"req-{i}" for i in range(1, 11)]
    assert recorder.groups[0] == ["req-0"]
    assert recorder.groups[1] == [f"req-{i}" for i in range(1, 11) for _ in range(2)]
    assert committer.transactions == 2


def test_a_group_stops_at_max_events_but_never_splits_a_request() -> None:
    gate = _Gate()
    recorder = _Recorder(gate)
    committer = GroupCommitter(recorder, max_events=5, idle_seconds=0.1)
    _held(committer, gate, [_event(0)])
    futures = [committer.submit([_event(i, p) for p in range(3)]) for i in range(1, 4)]
    big = committer.submit([_event(9, p) for p in range(7)])  # more than max_events alone
    gate.release.set()
    assert len(big.result(timeout=60)) == 7
    for f in futures:
        f.result(timeout=60)
    assert [len(g) for g in recorder.groups] == [1, 3, 3, 3, 7]


def test_a_failed_group_fails_each_waiter_with_the_same_error() -> None:
    gate = _Gate()
    failure = ConstraintViolationError("Neo.ClientError.Schema.ConstraintValidationFailed")
    recorder = _Recorder(gate, fail_with=failure)
    committer = GroupCommitter(recorder, idle_seconds=0.1)
    first = committer.submit([_event(0)])
    assert gate.entered.wait(60)
    futures = [committer.submit([_event(i)]) for i in range(1, 6)]
    gate.release.set()
    assert first.result(timeout=60)[0].correlation_id == "req-0"
    assert all(f.exception(timeout=60) is failure for f in futures)
    assert committer.transactions == 2


def test_a_cancelled_waiter_is_left_out_and_the_thread_ends_when_idle() -> None:
    gate = _Gate()
    recorder = _Recorder(gate)
    committer = GroupCommitter(recorder, idle_seconds=0.05)
    _held(committer, gate, [_event(0)])
    dropped = committer.submit([_event(1)])
    kept = committer.submit([_event(2)])
    assert dropped.cancel()
    gate.release.set()
    assert kept.result(timeout=60)[0].correlation_id == "req-2"
    assert recorder.groups == [["req-0"], ["req-2"]]
    for _ in range(200):  # the thread ends after idle_seconds; the next submit starts one
        if committer._thread is None:
            break
        threading.Event().wait(0.05)
    assert committer._thread is None
    assert committer.submit([_event(3)]).result(timeout=60)[0].correlation_id == "req-3"


# -- on the real audit log ------------------------------------------------------------


class _GatedLog(AuditLog):
    """The hub's log with its first transaction held at a gate."""

    gate: _Gate

    def _commit(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        self.gate.wait_if_first()
        return super()._commit(events)


@pytest.fixture
def gated(clean_store: Store, tmp_path: Path) -> _GatedLog:
    log = _GatedLog(clean_store, KEY, Profile.STANDARD, checkpoint_every=7,
                    anchor=HeadAnchor(tmp_path / "audit-head.anchor"))
    log.gate = _Gate()
    return log


def _stored_ids(store: Store) -> list[str]:
    return [r["c"] for r in store.read(
        "MATCH (e:AuditEvent) RETURN e.correlation_id AS c ORDER BY e.seq")]


@pytest.mark.neo4j
def test_threads_appending_at_once_make_one_valid_chain_in_few_transactions(
        gated: _GatedLog) -> None:
    gated.gate.release.set()  # no gate: real thread timing

    def request(i: int) -> list[AuditEvent]:
        return gated.append_many([_event(i, p) for p in range(1 + i % 3)])

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(request, range(60)))
    for i, sealed in enumerate(results):  # each request's events contiguous, in order
        assert [e.correlation_id for e in sealed] == [f"req-{i}"] * (1 + i % 3)
        assert [e.seq for e in sealed] == list(range(sealed[0].seq, sealed[0].seq + len(sealed)))
    report = gated.verify()
    total = sum(1 + i % 3 for i in range(60))
    assert report.ok, report.broken
    assert report.events == total and report.anchored_seq == total
    assert sorted(_stored_ids(gated._store)) == sorted(
        f"req-{i}" for i in range(60) for _ in range(1 + i % 3))
    assert gated.anchor is not None
    assert len(list(gated.anchor.heads())) == gated.transactions <= 60


@pytest.mark.neo4j
def test_asyncio_requests_share_transactions_and_each_waits_for_its_own(
        gated: _GatedLog) -> None:
    async def main() -> list[list[AuditEvent]]:
        first = asyncio.ensure_future(gated.append_many_async([_event(0)]))
        while not gated.gate.entered.is_set():
            await asyncio.sleep(0.01)
        rest = [asyncio.ensure_future(gated.append_many_async([_event(i, 0), _event(i, 1)]))
                for i in range(1, 41)]
        await asyncio.sleep(0)  # every request has queued its events
        assert not any(task.done() for task in rest)  # none acknowledged before the commit
        gated.gate.release.set()
        return [await first, *[await task for task in rest]]

    results = asyncio.run(main())
    assert gated.transactions == 2  # 81 events from 41 requests
    assert [e.seq for e in results[0]] == [1]
    assert [e.seq for r in results[1:] for e in r] == list(range(2, 82))
    report = gated.verify()
    assert report.ok and report.events == 81 and report.checkpoints_verified == 11


@pytest.mark.neo4j
def test_a_failing_group_fails_its_waiters_and_writes_nothing_of_them(
        gated: _GatedLog) -> None:
    gated.gate.release.set()
    gated.append_many([_event(0)])  # seq 1
    gated.gate = _Gate()
    # a stray event at seq 4 (a fork attempt): the group reaching seq 4 violates the
    # unique seq constraint halfway through its transaction
    gated._store.write("CREATE (:AuditEvent {seq: 4, correlation_id: 'stray'})")
    first = gated._committer.submit([_event(1)])  # seq 2, alone in the held group
    assert gated.gate.entered.wait(60)
    waiting = [gated._committer.submit([_event(i)]) for i in range(2, 8)]
    gated.gate.release.set()
    assert first.result(timeout=60)[0].seq == 2
    errors = [f.exception(timeout=60) for f in waiting]
    assert all(isinstance(e, ConstraintViolationError) for e in errors)
    assert len({id(e) for e in errors}) == 1  # one transaction, one error for all
    assert "req-" not in str(errors[0])
    assert _stored_ids(gated._store) == ["req-0", "req-1", "stray"]  # nothing partial
    gated._store.write("MATCH (e:AuditEvent {correlation_id: 'stray'}) DELETE e")
    assert [e.seq for e in gated.append_many([_event(9)])] == [3]
    assert gated.verify().ok

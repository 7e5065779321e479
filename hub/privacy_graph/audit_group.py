"""Group commit of audit appends: the events of many concurrent requests, one transaction.

Why: every append takes the ``(:AuditHead)`` write lock for the length of its transaction
(three or four Bolt round trips), so with one transaction per request every request of
the process queued on that lock in turn. Here each request hands its events to one
committer thread per :class:`~hub.privacy_graph.audit.AuditLog` and waits on a future.
The committer takes everything queued (up to ``max_events``), appends it in one
transaction — one head lock, one anchor line and one ``fsync`` for the group — and only
then resolves each waiter's future with its own sealed events. While it commits, new
requests queue; the next group takes them all, so groups grow with the load and no
request waits for a timer.

Guarantees kept: a request's events stay contiguous and in order, all of a group commits
or none (one transaction), and no future resolves before its events are committed and
anchored. When the transaction (or the anchor line after it) fails, every waiter of the
group gets that same exception, exactly what one request's own append raised before, so
the API withholds data as it always did.

The thread starts on the first submit and ends after ``idle_seconds`` without work (the
next submit starts another), so an idle log holds no thread and nothing needs closing.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from privacy import AuditEvent

Commit = Callable[[Sequence[AuditEvent]], list[AuditEvent]]
"""Appends events in one transaction and returns them sealed, in order."""


@dataclass(frozen=True)
class _Waiter:
    events: tuple[AuditEvent, ...]
    future: Future[list[AuditEvent]]


class GroupCommitter:
    """Queue appends and commit them in groups on one thread; thread-safe.

    Args:
        commit: appends a group's events in one transaction (``AuditLog``'s own).
        max_events: most events in one transaction (a request's events are never split,
            so one request with more still commits, alone).
        idle_seconds: how long the thread waits for work before it ends.
    """

    def __init__(self, commit: Commit, *, max_events: int = 500,
                 idle_seconds: float = 2.0) -> None:
        self._commit = commit
        self.max_events = max_events
        self.idle_seconds = idle_seconds
        self._pending: deque[_Waiter] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._transactions = 0

    @property
    def transactions(self) -> int:
        """Group transactions attempted so far (committed or failed)."""
        with self._cond:
            return self._transactions

    def submit(self, events: Sequence[AuditEvent]) -> Future[list[AuditEvent]]:
        """Queue ``events`` for the next group; the future resolves once they are durable.

        Returns:
            A future of the events sealed (``seq``, ``hash``, ``mac`` set), or of the
            exception the group's transaction raised.
        """
        future: Future[list[AuditEvent]] = Future()
        if not events:
            future.set_result([])
            return future
        with self._cond:
            self._pending.append(_Waiter(tuple(events), future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hub-audit-commit",
                                                daemon=True)
                self._thread.start()
            else:
                self._cond.notify()
        return future

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._pending:
                    self._cond.wait(self.idle_seconds)
                if not self._pending:
                    self._thread = None  # under the lock: the next submit starts a thread
                    return
                group = self._take()
                self._transactions += bool(group)
            self._commit_group(group)

    def _take(self) -> list[_Waiter]:
        """The oldest waiters whose events fit in ``max_events`` (at least one);
        cancelled waiters are dropped (their requests returned nothing)."""
        group: list[_Waiter] = []
        size = 0
        while self._pending:
            waiter = self._pending[0]
            if group and size + len(waiter.events) > self.max_events:
                break
            self._pending.popleft()
            if waiter.future.set_running_or_notify_cancel():
                group.append(waiter)
                size += len(waiter.events)
        return group

    def _commit_group(self, group: list[_Waiter]) -> None:
        if not group:
            return
        events = [event for waiter in group for event in waiter.events]
        try:
            sealed = self._commit(events)
        except Exception as exc:  # not swallowed: every waiter of the group raises it
            for waiter in group:
                waiter.future.set_exception(exc)
            return
        start = 0
        for waiter in group:
            waiter.future.set_result(sealed[start:start + len(waiter.events)])
            start += len(waiter.events)

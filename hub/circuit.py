"""A circuit breaker for Neo4j: once an outage outlasts its tolerance, fail at once.

Why: when Neo4j is down every operation would otherwise wait out its own connection and
retry window (minutes for an API request that reads, then audits; twice the documented
window for an ingest with two writers). The breaker tracks one outage for the whole
store: failures start its clock (at the failing operation's start), and once it has
lasted ``tolerance`` seconds the breaker opens and every operation fails in microseconds
with the time to wait (``Retry-After``). After ``cooldown`` seconds the next operation
tries again (half-open); any success closes the breaker and ends the outage. The API
uses no tolerance (a request must not hang); the command line tolerates
``HUB_RETRY_SECONDS`` (a Neo4j restart during an ingest delays it, once for all writers).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    """Open once failures have lasted ``tolerance`` s, for ``cooldown`` s; thread-safe."""

    def __init__(self, cooldown: float, tolerance: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown = cooldown
        self.tolerance = tolerance
        self._clock = clock
        self._lock = threading.Lock()
        self._opened_at: float | None = None
        self._failing_since: float | None = None
        self._failures = 0

    def now(self) -> float:
        """The breaker's clock (callers pass it back as ``started``)."""
        return self._clock()

    def is_open(self) -> bool:
        """True while the cool-down after the last failure runs."""
        with self._lock:
            return (self._opened_at is not None
                    and self._clock() - self._opened_at < self.cooldown)

    def retry_after(self) -> int:
        """Whole seconds until the next attempt is let through (at least 1)."""
        with self._lock:
            if self._opened_at is None:
                return 1
            left = self.cooldown - (self._clock() - self._opened_at)
        return max(1, int(left + 0.999))

    @property
    def failures(self) -> int:
        """Connection failures seen so far (a caller compares before and after a request)."""
        with self._lock:
            return self._failures

    def record_failure(self, started: float | None = None) -> float:
        """An operation begun at ``started`` could not reach the server.

        Returns:
            Seconds of tolerance left in this outage; 0 means the breaker is now open.
        """
        with self._lock:
            now = self._clock()
            self._failures += 1
            begun = now if started is None else min(started, now)
            if self._failing_since is None or begun < self._failing_since:
                self._failing_since = begun
            left = self.tolerance - (now - self._failing_since)
            if left <= 0:
                self._opened_at = now
                return 0.0
            return left

    def record_success(self) -> None:
        """The server answered: close the breaker and end the outage."""
        with self._lock:
            self._opened_at = None
            self._failing_since = None

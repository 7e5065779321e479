"""Per-principal rate limit: an in-memory token bucket, 429 with ``Retry-After`` beyond it.

Each principal (issuer-independent: organisation + subject) holds a bucket of
``per_minute`` tokens refilled continuously; one request takes one token. In memory, for
one process; ``hub serve --workers N`` gives its workers
:class:`~hub.api.rate_limit_shared.SharedTokenBucketLimiter` instead, whose buckets all
workers share, so the limit stays per principal, not per principal and worker.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from hub.api.correlation import correlation_id_of
from hub.api.responses import send_error
from hub.auth import Principal

_MAX_BUCKETS = 10_000


class Limiter(Protocol):
    """What the middleware needs of a limiter (in memory, or shared by workers)."""

    def take(self, key: str) -> float:
        """Take a token for ``key``; 0 if allowed, else seconds until one is free."""
        ...


class TokenBucketLimiter:
    """Token buckets keyed by principal; thread-safe."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take a token for ``key``; return 0 if allowed, else seconds until one is free."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                allowed = 0.0
            else:
                self._buckets[key] = (tokens, now)
                allowed = (1.0 - tokens) / self.rate
            if len(self._buckets) > _MAX_BUCKETS:
                self._prune(now)
        return allowed

    def _prune(self, now: float) -> None:
        full = [k for k, (t, last) in self._buckets.items()
                if t + (now - last) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]


def rate_limit_key(principal: Principal) -> str:
    """The bucket of a principal (its organisation and subject, whoever issued the token):
    the API and the console take from the same one."""
    return f"{principal.org}\x00{principal.subject}"


class RateLimitMiddleware:
    """429 when the authenticated principal has no token left (runs after authn)."""

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("state", {}).get("principal") if scope["type"] == "http" else None
        if principal is not None:
            wait = self.limiter.take(rate_limit_key(principal))
            if wait > 0:
                await send_error(send, 429, "RATE_LIMITED", "too many requests; slow down",
                                 correlation_id_of(scope),
                                 {"Retry-After": str(max(1, math.ceil(wait)))})
                return
        await self.app(scope, receive, send)

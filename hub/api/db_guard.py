"""503 ``DATABASE_UNAVAILABLE`` with ``Retry-After`` when Neo4j is down, at once.

Why: without it a request to a hub whose Neo4j is down waited out the driver's retries
twice (the read, then the audit append) and then answered HTTP 200 with
``AUDIT_UNAVAILABLE``, which hides the cause. The store's circuit breaker
(:mod:`hub.circuit`) knows when the server was just found unreachable: such a request is
refused before it runs, and one that found it unreachable while running gets the same
503 instead of its (withheld) result. Nothing was released in either case.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.api.correlation import correlation_id_of
from hub.api.responses import send_error
from hub.circuit import CircuitBreaker

logger = logging.getLogger(__name__)
CODE = "DATABASE_UNAVAILABLE"


def unavailable_message(retry_after: int) -> str:
    """What the client is told (no internals: an operator checks ``hub neo4j status``)."""
    return (f"the database (Neo4j) is unavailable, so nothing was read or released; "
            f"retry after {retry_after} s")


class DatabaseGuardMiddleware:
    """Answer 503 for GraphQL requests while, or because, Neo4j is unreachable."""

    def __init__(self, app: ASGIApp, *, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        breaker = self._breaker(scope)
        if (breaker is None or scope["type"] != "http" or scope["method"] != "POST"
                or scope["path"].rstrip("/") != self.path):
            await self.app(scope, receive, send)
            return
        if breaker.is_open():
            await self._refuse(scope, send, breaker)
            return
        before = breaker.failures
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        if breaker.failures > before:
            await self._refuse(scope, send, breaker)
            return
        for message in held:
            await send(message)

    @staticmethod
    def _breaker(scope: Scope) -> CircuitBreaker | None:
        app = scope.get("app")
        store = getattr(getattr(app, "state", None), "store", None)
        return getattr(store, "breaker", None)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, breaker: CircuitBreaker) -> None:
        correlation_id = correlation_id_of(scope)
        wait = breaker.retry_after()
        logger.warning("503 on %s: Neo4j unreachable (retry after %d s)", correlation_id, wait)
        await send_error(send, 503, CODE, unavailable_message(wait), correlation_id,
                         {"Retry-After": str(wait)})

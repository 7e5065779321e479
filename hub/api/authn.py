"""Who is asking and why: bearer token → principal, ``X-Purpose`` → purpose, for /graphql.

Every POST to ``/graphql`` must carry ``Authorization: Bearer <JWT>`` (401 otherwise,
with ``WWW-Authenticate``) and ``X-Purpose: <purpose>``, one of ``privacy.Purpose``:
verification, aid_administration, overlap_check, monitoring, charity_matching, audit
(400 otherwise). Both refusals are audited as security events: a 401 with its cause and
no identity (the token is never recorded), a bad purpose with the caller. Other methods get 405,
except GET in development mode, which serves GraphiQL (queries over GET stay off).
The principal and purpose land in ``scope["state"]`` for the GraphQL context.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from hub.api.access import ANONYMOUS, denial_event
from hub.api.correlation import correlation_id_of
from hub.api.responses import send_error
from hub.auth import AuthenticationError, Principal, TokenVerifier
from hub.errors import StoreError
from privacy import UnknownPurposeError, parse_purpose

logger = logging.getLogger(__name__)
PURPOSE_HEADER = "x-purpose"


class AuthMiddleware:
    """Authenticate ``/graphql`` requests and read their declared purpose."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier, *, path: str = "/graphql",
                 dev_mode: bool = False) -> None:
        self.app = app
        self.verifier = verifier
        self.path = path
        self.dev_mode = dev_mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path:
            await self.app(scope, receive, send)
            return
        correlation_id = correlation_id_of(scope)
        method = scope["method"]
        if method != "POST":
            if method == "GET" and self.dev_mode:
                await self.app(scope, receive, send)
                return
            await send_error(send, 405, "METHOD_NOT_ALLOWED", "use POST for GraphQL",
                             correlation_id, {"Allow": "POST"})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers") or []}
        try:
            principal = self._authenticate(headers.get("authorization", ""))
        except AuthenticationError as exc:
            logger.info("401 on %s: %s", correlation_id, exc)
            await self._audit_refusal(scope, ANONYMOUS, f"unauthenticated: {exc}",
                                      correlation_id)
            await send_error(send, 401, "UNAUTHENTICATED", str(exc), correlation_id,
                             {"WWW-Authenticate": 'Bearer realm="hub"'})
            return
        try:
            purpose = parse_purpose(headers.get(PURPOSE_HEADER))
        except UnknownPurposeError as exc:
            await self._audit_refusal(scope, principal, "unknown_purpose", correlation_id)
            await send_error(send, 400, "BAD_PURPOSE", f"{exc} in the X-Purpose header",
                             correlation_id)
            return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state["purpose"] = purpose
        await self.app(scope, receive, send)

    def _authenticate(self, header: str) -> Principal:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("missing bearer token")
        return self.verifier.verify(token.strip())

    async def _audit_refusal(self, scope: Scope, principal: Principal, reason: str,
                             correlation_id: str) -> None:
        """Record a refused request as a security event (never the token or its claims:
        an unauthenticated caller is recorded as nobody, with the refusal's cause)."""
        audit = getattr(scope["app"].state, "audit", None) if "app" in scope else None
        if audit is None:
            return
        event = denial_event(principal, "", "http.graphql", reason, correlation_id)
        try:
            await audit.append_many_async([event])
        except StoreError:
            logger.exception("audit append failed for %s", correlation_id)

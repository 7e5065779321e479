"""Every page's data comes through the GraphQL schema, executed in process.

There is no side door: a console page runs a GraphQL document with a context built like
the API's (the verified principal, the session's purpose, the request's correlation id,
the same access guard and audit log), so the field policy, jurisdiction, consent checks
and audit records are the API's own. A page shows what the document returns, nothing
else; the policy test over the console compares the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from hub.api.access import AccessGuard
from hub.api.correlation import correlation_id_of
from hub.api.rate_limit import rate_limit_key
from hub.auth import AuthenticationError, Principal
from privacy import Purpose, UnknownPurposeError, parse_purpose
from resolvers.context import HubContext

from .session import ConsoleSession

# A document's first error code → the page's HTTP status; every other code is 400.
ERROR_STATUS = {"FORBIDDEN": 403, "CONSENT_REQUIRED": 403, "NOT_FOUND": 404,
                "UNAUTHENTICATED": 401, "DATABASE_UNAVAILABLE": 503, "UNAVAILABLE": 503,
                "INTERNAL": 500}


class SignInRequiredError(Exception):
    """No valid session: the token is missing, expired or no longer verifies."""


class RateLimitedError(Exception):
    """The principal has used up its requests for now (the API's bucket, shared)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass
class PageData:
    """What a document returned: its data, and its errors as (code, message) pairs."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No error at all."""
        return not self.errors

    @property
    def status(self) -> int:
        """The page's HTTP status, by its document's first error code: one mapping for
        every area, so a refusal is 403 on every page (the API answers 200 with errors;
        a page is a resource, and its status says what the page could show)."""
        if self.ok:
            return 200
        return ERROR_STATUS.get(self.errors[0][0], 400)


def principal_of(request: Request, session: ConsoleSession | None) -> Principal:
    """The session's principal, its token verified now (expiry and signature).

    Raises:
        SignInRequiredError: no session, or a token that no longer verifies.
    """
    if session is None:
        raise SignInRequiredError("not signed in")
    try:
        return request.app.state.verifier.verify(session.token)
    except AuthenticationError as exc:
        raise SignInRequiredError(str(exc)) from exc


def purpose_of(session: ConsoleSession) -> Purpose:
    """The session's purpose (sessions are only opened with a valid one)."""
    try:
        return parse_purpose(session.purpose)
    except UnknownPurposeError as exc:
        raise SignInRequiredError("the session's purpose is unknown") from exc


async def run_document(request: Request, session: ConsoleSession | None, document: str,
                       variables: dict[str, Any] | None = None) -> PageData:
    """Execute ``document`` as the session's principal under its purpose.

    Every document takes a token from the principal's rate-limit bucket, the one its API
    requests take from, so the console is no way around the API's limit.

    Raises:
        SignInRequiredError: the session is missing or its token no longer verifies.
        RateLimitedError: the principal has no request left for now.
    """
    principal = principal_of(request, session)
    assert session is not None  # principal_of refused a missing session
    state = request.app.state
    wait = state.limiter.take(rate_limit_key(principal))
    if wait > 0:
        raise RateLimitedError(max(1, math.ceil(wait)))
    guard = AccessGuard(principal=principal, purpose=purpose_of(session),
                        correlation_id=correlation_id_of(request.scope),
                        store=state.store, audit=state.audit)
    context = HubContext(request=request, store=state.store, access=guard, audit=state.audit,
                         kit=state.kit)
    result = await state.schema.execute(document, variable_values=variables or {},
                                        context_value=context)
    errors = [(str((error.extensions or {}).get("code", "ERROR")), error.message)
              for error in result.errors or []]
    return PageData(data=result.data or {}, errors=errors)

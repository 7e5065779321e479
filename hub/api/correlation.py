"""A correlation id for every request: in ``scope["state"]``, the response header and logs.

A client may send ``X-Correlation-ID`` (8–64 letters, digits, ``-`` or ``_``) to tie its
own logs to ours; anything else is replaced, so a header cannot inject text into logs.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.api.responses import CORRELATION_HEADER

_SAFE = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")


def new_correlation_id() -> str:
    """A fresh random correlation id."""
    return uuid.uuid4().hex


def correlation_id_of(scope: Scope) -> str:
    """The request's correlation id (a fresh one if the middleware did not run)."""
    state = scope.setdefault("state", {})
    if "correlation_id" not in state:
        state["correlation_id"] = new_correlation_id()
    return str(state["correlation_id"])


class CorrelationIdMiddleware:
    """Assign the correlation id and echo it in every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope.get("headers") or []).get(CORRELATION_HEADER.encode("ascii"), b"")
        text = offered.decode("latin-1")
        value = text if _SAFE.match(text) else new_correlation_id()
        scope.setdefault("state", {})["correlation_id"] = value

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[CORRELATION_HEADER] = value
            await send(message)

        await self.app(scope, receive, send_with_id)

"""``X-Hub-Worker: <pid>`` on every response, in development mode only.

Why: with ``hub serve --workers N`` a developer (and the two-worker test) needs to see
which worker process answered. The header names a process id, nothing about the caller
or the data; production leaves it off all the same, since it helps nobody outside.
"""

from __future__ import annotations

import os

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

WORKER_HEADER = "X-Hub-Worker"


class WorkerHeaderMiddleware:
    """Add this process's id to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pid = str(os.getpid())  # read per app: each worker builds its own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[WORKER_HEADER] = self.pid
            await send(message)

        await self.app(scope, receive, with_header)

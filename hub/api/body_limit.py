"""Refuse request bodies over HUB_MAX_BODY_BYTES with 413, before anything parses them.

A declared ``Content-Length`` over the limit is refused at once; otherwise the body is
read (it is a GraphQL document, small by nature) up to the limit and replayed to the app,
so a chunked upload cannot slip past either.
"""

from __future__ import annotations

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.api.correlation import correlation_id_of
from hub.api.responses import send_error


class BodySizeLimitMiddleware:
    """413 for bodies larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        if scope["path"].startswith("/console"):  # a console form: say it on a page
            page = HTMLResponse(
                "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>提交内容过大"
                f"</title><p role=\"alert\">提交的内容过大（上限 {self.max_bytes} 字节），"
                "未作任何更改。请返回修改后重试。</p></html>", status_code=413)
            await page(scope, self._no_body, send)
            return
        await send_error(send, 413, "PAYLOAD_TOO_LARGE",
                         f"request body larger than {self.max_bytes} bytes",
                         correlation_id_of(scope))

    @staticmethod
    async def _no_body() -> Message:
        return {"type": "http.disconnect"}

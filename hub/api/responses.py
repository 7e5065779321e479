"""JSON error responses sent straight from ASGI middleware (no stack trace, ever)."""

from __future__ import annotations

import json

from starlette.types import Send

CORRELATION_HEADER = "x-correlation-id"


async def send_error(send: Send, status: int, code: str, message: str, correlation_id: str,
                     headers: dict[str, str] | None = None) -> None:
    """Send a GraphQL-shaped error body with the correlation id, and close the response."""
    body = json.dumps({
        "errors": [{"message": message,
                    "extensions": {"code": code, "correlationId": correlation_id}}],
    }, ensure_ascii=False).encode("utf-8")
    raw_headers = [(b"content-type", b"application/json; charset=utf-8"),
                   (b"content-length", str(len(body)).encode("ascii")),
                   (CORRELATION_HEADER.encode("ascii"), correlation_id.encode("ascii"))]
    raw_headers += [(k.lower().encode("latin-1"), v.encode("latin-1"))
                    for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})

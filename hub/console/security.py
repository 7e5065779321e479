"""The console's browser protections: a strict Content-Security-Policy and CSRF checks.

Pages load scripts and styles from the console's own origin only (no inline script, no
inline style, nothing from elsewhere), may not be framed, and post forms only to
themselves. Every form that writes carries the session's CSRF token; the session cookie
is also ``SameSite=Strict``, so a cross-site post arrives without it.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
# Pages hold personal data: never stored. The static scripts and styles hold none, and
# d3 alone weighs 280 KB: the browser keeps them for an hour.
PAGE_CACHING = (b"cache-control", b"no-store")
STATIC_CACHING = (b"cache-control", b"public, max-age=3600")


class ConsoleHeadersMiddleware:
    """Add the security headers to every response under ``prefix``."""

    def __init__(self, app: ASGIApp, prefix: str = "/console") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        static = scope["path"].startswith(f"{self.prefix}/static/")
        added = [*SECURITY_HEADERS, STATIC_CACHING if static else PAGE_CACHING]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in added}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + added
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_ok(expected: str, submitted: object) -> bool:
    """The form's token equals the session's (compared in constant time)."""
    return isinstance(submitted, str) and bool(submitted) and hmac.compare_digest(
        expected.encode("utf-8"), submitted.encode("utf-8"))

"""The console's session: the bearer token, the chosen purpose and a CSRF token, sealed.

The session lives in one cookie, encrypted and authenticated with Fernet under a secret
kept beside the other keys (created 0600 on first use). Every worker of ``hub serve
--workers N`` reads the same file, so a session opened on one worker is valid on all,
and nothing is kept in process memory. The token inside is verified again on every
request (expiry, signature), exactly as the API does for its bearer header.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from hub.auth import dev_secret

COOKIE_NAME = "hub_console"
SESSION_TTL_SECONDS = 8 * 3600  # a working day; the token's own expiry also applies


@dataclass(frozen=True)
class ConsoleSession:
    """Who signed in (their token), for what purpose, and the session's CSRF token."""

    token: str
    purpose: str
    csrf: str

    @classmethod
    def open(cls, token: str, purpose: str) -> ConsoleSession:
        """A new session with a fresh CSRF token."""
        return cls(token=token, purpose=purpose, csrf=secrets.token_urlsafe(24))

    def with_purpose(self, purpose: str) -> ConsoleSession:
        """The same session under another purpose (a fresh CSRF token with it)."""
        return ConsoleSession.open(self.token, purpose)


class SessionSealer:
    """Seal and open :class:`ConsoleSession` cookies."""

    def __init__(self, secret_path: Path) -> None:
        secret = dev_secret(secret_path).reveal()
        key = base64.urlsafe_b64encode(hashlib.sha256(secret.encode("ascii")).digest())
        self._fernet = Fernet(key)

    def seal(self, session: ConsoleSession) -> str:
        """The cookie value for ``session``."""
        body = json.dumps({"t": session.token, "p": session.purpose, "c": session.csrf})
        return self._fernet.encrypt(body.encode("utf-8")).decode("ascii")

    def open(self, cookie: str | None) -> ConsoleSession | None:
        """The session in ``cookie``, or ``None`` when absent, tampered with or expired."""
        if not cookie:
            return None
        try:
            raw = self._fernet.decrypt(cookie.encode("ascii"), ttl=SESSION_TTL_SECONDS)
            body = json.loads(raw)
            return ConsoleSession(token=str(body["t"]), purpose=str(body["p"]),
                                  csrf=str(body["c"]))
        except (InvalidToken, UnicodeEncodeError, ValueError, KeyError, TypeError):
            return None

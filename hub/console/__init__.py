"""The web console at ``/console``: server-rendered pages for the hub's users.

Pages take their data from the GraphQL schema executed in process
(:mod:`hub.console.bridge`), so the console has the API's policy, consent checks and
audit, with no side door. Sessions are sealed cookies (:mod:`hub.console.session`);
pages carry a strict Content-Security-Policy and forms that write a CSRF token
(:mod:`hub.console.security`).
"""

from .routes import console_exception_handlers, console_mount
from .security import ConsoleHeadersMiddleware
from .session import SessionSealer

__all__ = [
    "ConsoleHeadersMiddleware",
    "SessionSealer",
    "console_exception_handlers",
    "console_mount",
]

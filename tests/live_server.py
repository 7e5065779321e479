"""A real uvicorn server on 127.0.0.1 (free port) in a thread, for tests over real HTTP.

The product already serves its app on a loopback port for the commands that drive it
(``hub.cli._local_api``); tests use the same helper.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from starlette.types import ASGIApp

from hub.cli._local_api import _free_port, serve_on_loopback


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return _free_port()


def live_server(app: ASGIApp) -> AbstractContextManager[str]:
    """Serve ``app`` (lifespan included) until the block ends; yields its base URL."""
    return serve_on_loopback(app)

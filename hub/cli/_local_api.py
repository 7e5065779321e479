"""The hub's own API on a loopback port, for the commands that drive it (charity demo).

The command line is where the application is composed (``hub serve`` builds it too), so
building the app and a client for it lives here, not in the domain packages: they take a
client and never import ``hub.app`` or a test client. The server is real uvicorn on
127.0.0.1, lifespan included, so each call crosses the same middleware, policy and audit
as any other client's.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.types import ASGIApp

from hub.app import create_app
from hub.config import Settings
from hub.errors import ConfigError
from hub.store import Store

_START_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_on_loopback(app: ASGIApp, *, start_seconds: float = _START_SECONDS) -> Iterator[str]:
    """Serve ``app`` with real uvicorn (lifespan included) on a free 127.0.0.1 port until
    the block ends; yields its base URL.

    Raises:
        ConfigError: the server did not start within ``start_seconds``.
    """
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="hub-local-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_seconds
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise ConfigError("the in-process API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def local_api(settings: Settings, store: Store) -> Iterator[httpx.Client]:
    """Serve the API over ``store`` on a free loopback port until the block ends.

    Args:
        settings: The hub's settings (the app is built from them, as ``hub serve`` does).
        store: An open store the app uses (and leaves open).

    Returns:
        A context manager yielding an ``httpx.Client`` whose base URL is the server.

    Raises:
        ConfigError: the server did not start within a minute.
    """
    with serve_on_loopback(create_app(settings, store=store)) as base, \
            httpx.Client(base_url=base, timeout=120) as client:
        yield client

"""``hub serve``: the GraphQL API under uvicorn, in one or several worker processes.

With more than one worker, uvicorn's supervisor binds the socket and spawns the workers,
each of which imports :func:`worker_app` and builds its own app (``factory=True``). What
each process holds and why that stays correct is argued in ``docs/serving.md``; in short:
settings reach the workers through their environment (the command's options written
into it), key files are created here once before any worker starts, the rate-limit
buckets are shared in a file, and the audit head is Neo4j's, locked per group commit.
"""

from __future__ import annotations

import math
import os

import typer
import uvicorn
from starlette.applications import Starlette

from graph_schema import migrate
from hub.api.graphiql import load_demo_logins
from hub.api.rate_limit_shared import SharedTokenBucketLimiter, reset_table
from hub.app import create_app
from hub.cli._common import console, hub_errors, settings
from hub.config import Settings
from hub.store import Store

WORKER_APP = "hub.cli.serve_cmd:worker_app"
# what the command's options can change, handed to the workers through their environment
_PASSED_TO_WORKERS = ("http_host", "http_port", "dev_mode", "rate_limit_per_minute")


def worker_app() -> Starlette:
    """The app of one worker process (uvicorn's factory, called in the worker).

    Settings are the worker's environment, which the supervisor set up; the rate-limit
    buckets are the file every worker of this server shares.
    """
    s = Settings.from_env()
    limiter = SharedTokenBucketLimiter(s.rate_limit_table_path, s.rate_limit_per_minute)
    return create_app(s, limiter=limiter)


def serve_app(s: Settings, *, workers: int = 1) -> None:
    """Migrate, then serve until Ctrl-C (used by ``serve`` and ``demo``)."""
    with hub_errors(), Store.connect(s) as store:
        migrate(store)
    with hub_errors():  # a bad key fails here, and key files are made once, not per worker
        app = create_app(s)
    mode = "development (GraphiQL on)" if s.dev_mode else "production"
    plural = "es" if workers > 1 else ""
    console.print(f"serving http://{s.http_host}:{s.http_port}/graphql in {mode} mode, "
                  f"{workers} worker process{plural}")
    if s.dev_mode:  # GraphiQL with a demo user's headers filled in, one link per user
        for name in load_demo_logins(s.demo_tokens_path):
            console.print(f"  as {name}: http://{s.http_host}:{s.http_port}/graphql?as={name}",
                          highlight=False)
    # an idle connection outlives a Retry-After (the breaker's cool-down): a client that
    # waits as told and reuses its connection must not meet the server closing it
    keep_alive = max(5, math.ceil(s.neo4j_cooldown) + 5)
    if workers == 1:
        uvicorn.run(app, host=s.http_host, port=s.http_port, log_level="info",
                    timeout_keep_alive=keep_alive)
        return
    os.environ.update(s.environ_of(*_PASSED_TO_WORKERS))  # inherited by the workers
    reset_table(s.rate_limit_table_path)
    uvicorn.run(WORKER_APP, factory=True, workers=workers, host=s.http_host,
                port=s.http_port, log_level="info", timeout_keep_alive=keep_alive)


def serve(
    host: str = typer.Option(None, help="Bind address (default HUB_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default HUB_PORT or 8000)."),
    dev: bool = typer.Option(None, "--dev/--prod", help="GraphiQL and introspection."),
    workers: int = typer.Option(None, min=1, help="Worker processes (default HUB_WORKERS, "
                                                  "else one per core)."),
) -> None:
    """Serve the GraphQL API (/graphql, /healthz, /readyz)."""
    s = settings()
    changes = {k: v for k, v in {"http_host": host, "http_port": port, "dev_mode": dev,
                                 "workers": workers}.items() if v is not None}
    s = s.with_overrides(**changes)
    serve_app(s, workers=s.worker_count)

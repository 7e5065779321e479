"""``hub serve``: the GraphQL API under uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from graph_schema import migrate
from hub.api.graphiql import load_demo_logins
from hub.app import create_app
from hub.cli._common import console, hub_errors, settings
from hub.config import Settings
from hub.store import Store


def serve_app(s: Settings) -> None:
    """Migrate, then serve until Ctrl-C (used by ``serve`` and ``demo``)."""
    with hub_errors(), Store.connect(s) as store:
        migrate(store)
    app = create_app(s)
    mode = "development (GraphiQL on)" if s.dev_mode else "production"
    console.print(f"serving http://{s.http_host}:{s.http_port}/graphql in {mode} mode")
    if s.dev_mode:  # GraphiQL with a demo user's headers filled in, one link per user
        for name in load_demo_logins(s.demo_tokens_path):
            console.print(f"  as {name}: http://{s.http_host}:{s.http_port}/graphql?as={name}",
                          highlight=False)
    uvicorn.run(app, host=s.http_host, port=s.http_port, log_level="info")


def serve(
    host: str = typer.Option(None, help="Bind address (default HUB_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default HUB_PORT or 8000)."),
    dev: bool = typer.Option(None, "--dev/--prod", help="GraphiQL and introspection."),
) -> None:
    """Serve the GraphQL API (/graphql, /healthz, /readyz)."""
    s = settings()
    changes = {k: v for k, v in {"http_host": host, "http_port": port, "dev_mode": dev}.items()
               if v is not None}
    serve_app(s.with_overrides(**changes))

"""``hub demo``: the main job — local Neo4j, sample data, API with GraphiQL."""

from __future__ import annotations

import typer

from hub.cli._common import console, hub_errors, settings
from hub.cli.serve_cmd import serve_app
from hub.neo4j_local import LocalNeo4j

app = typer.Typer(help="Run the demo, or generate synthetic exports.",
                  invoke_without_command=True)


@app.callback()
def demo(
    ctx: typer.Context,
    port: int = typer.Option(None, help="HTTP port of the API (default HUB_PORT or 8000)."),
) -> None:
    """Start Neo4j, migrate, and serve the API with GraphiQL until Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    s = settings().with_overrides(dev_mode=True)
    if port is not None:
        s = s.with_overrides(http_port=port)
    server = None if s.uses_external_neo4j else LocalNeo4j(s)
    started_here = False
    if server is not None and server.pid() is None:
        with hub_errors(), console.status("starting Neo4j (first run fetches it via Maven)"):
            server.start()
        started_here = True
        console.print(f"Neo4j running at {server.uri}")
    try:
        serve_app(s)
    finally:
        if started_here and server is not None:
            server.stop()
            console.print("Neo4j stopped")

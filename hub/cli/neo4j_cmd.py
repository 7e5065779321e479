"""``hub neo4j start|stop|status``: the managed local Neo4j server."""

from __future__ import annotations

import json
import time

import typer

from hub.cli._common import console, hub_errors, settings
from hub.errors import HubError
from hub.neo4j_dist import is_cached
from hub.neo4j_local import LocalNeo4j, ServerStatus
from hub.store import Store

app = typer.Typer(help="Manage the local Neo4j Community server.", no_args_is_help=True)
NOT_RUNNING = 3
"""Exit code of ``status`` when the server is down (LSB: "program is not running")."""


def external_status() -> ServerStatus:
    """Status of a user-provided server (NEO4J_URI): reachable or not, never managed."""
    s = settings()
    running = True
    try:
        Store.connect(s).close()
    except HubError:
        running = False
    return ServerStatus(running=running, managed=False, uri=s.neo4j_uri or "",
                        user=s.neo4j_user, password_file=None, pid=None,
                        version="external", home=None)


@app.command()
def start() -> None:
    """Fetch Neo4j from Maven Central once, configure it and start it on 127.0.0.1."""
    s = settings()
    if s.uses_external_neo4j:
        console.print(f"NEO4J_URI is set: using {s.neo4j_uri}, not starting a local server")
        return
    server = LocalNeo4j(s)
    if server.pid() is not None:
        console.print(f"Neo4j already running at {server.uri} (pid {server.pid()})")
        return
    cached = is_cached(s.cache_dir, s.neo4j_version)
    began = time.monotonic()
    with hub_errors(), console.status(
        "starting Neo4j" + ("" if cached else f" (fetching {s.neo4j_version} from Maven Central)")
    ):
        status = server.start()
    console.print(
        f"Neo4j {s.neo4j_version} running at [bold]{status.uri}[/] (pid {status.pid}) "
        f"in {time.monotonic() - began:.1f} s; password in {status.password_file}"
    )


@app.command()
def stop() -> None:
    """Shut the managed server down cleanly."""
    s = settings()
    if s.uses_external_neo4j:
        console.print("NEO4J_URI is set: the hub does not manage that server")
        return
    with hub_errors():
        stopped = LocalNeo4j(s).stop()
    console.print("Neo4j stopped" if stopped else "Neo4j was not running")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """Say whether the server runs, where, and with which version.

    Exit code 0 when it runs, 3 when it does not (as LSB init scripts and systemctl
    do), with or without --json, so a script can test it directly.
    """
    s = settings()
    report = external_status() if s.uses_external_neo4j else LocalNeo4j(s).status()
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        state = "[green]running[/]" if report.running else "[red]not running[/]"
        console.print(f"Neo4j {report.version}: {state} at {report.uri}"
                      + (f" (pid {report.pid})" if report.pid else ""))
    if not report.running:
        raise typer.Exit(code=NOT_RUNNING)

"""The ``hub`` command: one Typer app, one module per command group."""

from __future__ import annotations

import typer

from hub.cli import (
    audit_cmd,
    charity_cmd,
    db_cmd,
    demo_cmd,
    ingest_cmd,
    keys_cmd,
    link_cmd,
    monitor_cmd,
    neo4j_cmd,
    privacy_cmd,
    serve_cmd,
    token_cmd,
    verify_cmd,
)

app = typer.Typer(
    name="hub",
    help="Social-assistance data hub: Neo4j, ingest, linkage, GraphQL API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # click's plain help: typer's rich panels print "<bool>" beside every flag
    rich_markup_mode=None,
)
app.add_typer(neo4j_cmd.app, name="neo4j")
app.add_typer(db_cmd.app, name="db")
app.add_typer(demo_cmd.app, name="demo")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(link_cmd.app, name="link")
app.add_typer(monitor_cmd.app, name="monitor")
app.add_typer(privacy_cmd.app, name="privacy")
app.add_typer(verify_cmd.app, name="verify")
app.add_typer(token_cmd.app, name="token")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(charity_cmd.app, name="charity")
app.command("serve")(serve_cmd.serve)
app.command("ingest")(ingest_cmd.ingest)


def run() -> None:
    """Console-script entry point (``[project.scripts] hub``)."""
    app()

"""``hub db migrate|version``: the graph schema."""

from __future__ import annotations

import typer

from graph_schema import migrate as apply_migrations
from graph_schema import schema_version
from hub.cli._common import console, hub_errors, settings
from hub.store import Store

app = typer.Typer(help="Graph schema migrations.", no_args_is_help=True)


@app.command()
def migrate() -> None:
    """Apply every pending migration (idempotent)."""
    with hub_errors(), Store.connect(settings()) as store:
        applied = apply_migrations(store)
        version = schema_version(store)
    for migration in applied:
        console.print(f"applied {migration.version:04d} {migration.name}")
    console.print(f"schema version {version}")


@app.command()
def version() -> None:
    """Print the schema version recorded in the graph."""
    with hub_errors(), Store.connect(settings()) as store:
        console.print(str(schema_version(store)))

"""``hub privacy scan``: fail when any plaintext identifier is found in the graph."""

from __future__ import annotations

import typer
from rich.table import Table

from hub.cli._common import console, hub_errors, settings
from hub.privacy_scan import scan_graph
from hub.store import Store

app = typer.Typer(help="Privacy checks on the stored graph.", no_args_is_help=True)


@app.command()
def scan(limit: int = typer.Option(50, help="Findings to list (all are counted).")) -> None:
    """Scan every string property for resident IDs, mobile and bank-card numbers."""
    config = settings()
    with hub_errors(), Store.connect(config) as store, console.status("scanning"):
        scanned, findings = scan_graph(store, blind_index_bits=config.blind_index_bits)
    if not findings:
        console.print(f"[green]no plaintext identifier[/] in {scanned} string properties")
        return
    table = Table(title=f"{len(findings)} suspected plaintext identifiers")
    for column in ("label", "property", "kind", "masked value", "element id"):
        table.add_column(column)
    for f in findings[:limit]:
        table.add_row(f.label, f.property, f.kind, f.masked, f.element_id)
    console.print(table)
    raise typer.Exit(code=1)

"""``hub privacy scan``: fail when anything personal, or anything undeclared, is in the graph."""

from __future__ import annotations

import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.cli._common import console, hub_errors, settings
from hub.privacy_graph.kit import open_privacy
from hub.privacy_graph.scan import scan_graph, total_items
from hub.store import Store

app = typer.Typer(help="Privacy checks on the stored graph.", no_args_is_help=True)


@app.command()
def scan(
    limit: int = typer.Option(50, help="Findings to list (all are counted)."),
    names: bool = typer.Option(True, help="Search plain text for residents' names "
                               "(decrypts the mentions' names in memory)."),
    workers: int = typer.Option(2, min=1, help="Neo4j queries in flight at once."),
) -> None:
    """Check every declared property; report ID, mobile, card numbers, residents' names,
    unsealed values and anything the schema does not declare. Exit 1 on any finding."""
    config = settings()
    began, cpu = time.monotonic(), time.process_time()
    with hub_errors(), Store.connect(config) as store, Progress(
            TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("scanning", total=total_items(store))

        def advance(part: str, count: int) -> None:
            progress.update(task, description=part[:32], advance=count)

        report = scan_graph(store, blind_index_bits=config.blind_index_bits,
                            encryptor=open_privacy(config).encryptor if names else None,
                            workers=workers, on_progress=advance)
    seconds, cpu = time.monotonic() - began, time.process_time() - cpu
    scope = (f"{report.properties:,} properties of {report.nodes:,} nodes and "
             f"{report.relationships:,} relationships"
             + (f", {report.names:,} residents' names searched" if names else "")
             + f" in {seconds:.1f} s ({cpu:.1f} s CPU here)")
    if report.clean:
        console.print(f"[green]nothing personal in plaintext, nothing undeclared[/]: {scope}")
        return
    table = Table(title=f"{len(report.findings)} findings — {scope}")
    for column in ("label", "property", "kind", "masked value", "count", "element id"):
        table.add_column(column)
    for f in report.findings[:limit]:
        table.add_row(f.label, f.property, f.kind, f.masked, str(f.count), f.element_id)
    console.print(table)
    raise typer.Exit(code=1)

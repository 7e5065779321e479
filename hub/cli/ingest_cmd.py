"""``hub ingest DIR``: department exports into the graph, with progress and a report."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph_schema import migrate
from hub.cli._common import console, hub_errors, settings
from hub.ingest.directory import IngestReport
from hub.ingest.run import IngestOptions, ingest_directory
from hub.privacy_kit import open_privacy
from hub.store import Store


def print_report(report: IngestReport, seconds: float, *, show_rows: int = 20) -> None:
    """The per-file table (rows read, accepted, duplicates, quarantined), totals, and the
    first ``show_rows`` quarantined rows (file, line, record, reason; never values)."""
    table = Table(title=f"ingest of {report.directory}")
    for column in ("file", "rows read", "accepted", "duplicates", "quarantined"):
        table.add_column(column, justify="left" if column == "file" else "right")
    for s in report.files:
        table.add_row(s.file, str(s.rows_read), str(s.accepted), str(s.duplicates),
                      str(s.quarantined))
    totals = report.to_dict()["totals"]
    table.add_row("[bold]total", *(f"[bold]{totals[k]}" for k in
                                   ("rows_read", "accepted", "duplicates", "quarantined")))
    console.print(table)
    rate = totals["rows_read"] / seconds if seconds else 0
    console.print(f"{totals['rows_read']} rows in {seconds:.1f} s ({rate:,.0f} rows/s)")
    for row in report.quarantine[:show_rows]:
        console.print(f"  quarantined {row.file} line {row.line_no} record "
                      f"{row.record_id or '-'}: {row.reason}", markup=False)
    if len(report.quarantine) > show_rows:
        console.print(f"  … and {len(report.quarantine) - show_rows} more (see the report)")
    for problem in report.problems:
        console.print(f"[yellow]problem:[/] {problem}")


def default_report_path(directory: Path) -> Path:
    """``DIR/../ingest-report.json`` beside the exports, or ``./`` when that is read-only."""
    parent = directory.resolve().parent
    return (parent if os.access(parent, os.W_OK) else Path.cwd()) / "ingest-report.json"


def ingest(
    directory: Path = typer.Argument(..., exists=True, file_okay=False,
                                     help="Directory holding the department exports."),
    report_file: Path = typer.Option(None, "--report",
                                     help="Where to write the JSON quarantine report "
                                          "(default: DIR/../ingest-report.json or ./)."),
    batch_rows: int = typer.Option(IngestOptions.batch_rows, help="Rows per write batch."),
) -> None:
    """Read, validate, encrypt and write every export of DIR (truth/ is never read)."""
    s = settings()
    began = time.monotonic()
    with hub_errors(), Store.connect(s) as store:
        migrate(store)
        kit = open_privacy(s)
        with Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as progress:
            tasks: dict[str, int] = {}

            def advance(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = progress.add_task(name, total=total)
                progress.update(tasks[name], completed=done, total=total)

            report = ingest_directory(store, kit, directory,
                                      IngestOptions(batch_rows=batch_rows, progress=advance))
    seconds = time.monotonic() - began
    print_report(report, seconds)
    target = report_file or default_report_path(directory)
    target.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    console.print(f"{len(report.quarantine)} quarantined rows listed in {target}")

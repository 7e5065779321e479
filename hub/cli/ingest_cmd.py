"""``hub ingest DIR``: department exports into the graph, with progress and a report.

Exit codes, for scripts: 0 every row written; 3 some rows quarantined (the rest written;
each listed in the report); 4 a whole file rejected (wrong header, empty, not the
format), which wins over 3; 1 Neo4j or settings failed (an interrupted ingest prints how
to resume: re-running is safe).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph_schema import migrate
from hub.cli._common import console, err_console, hub_errors, settings
from hub.config import Settings
from hub.ingest.directory import IngestReport
from hub.ingest.errors import IngestInterruptedError
from hub.ingest.parallel import ingest_set
from hub.ingest.run import IngestOptions
from hub.privacy_graph.kit import open_privacy
from hub.store import Store

EXIT_QUARANTINED = 3
EXIT_REJECTED = 4


def exit_code(report: IngestReport) -> int:
    """0 clean, 3 rows quarantined, 4 a file rejected (see the module docstring)."""
    if report.rejected:
        return EXIT_REJECTED
    return EXIT_QUARANTINED if report.quarantine else 0


def print_report(report: IngestReport, seconds: float, *, show_rows: int = 20,
                 report_path: Path | None = None) -> None:
    """The per-file table (rows read, accepted, duplicates, quarantined), totals, the
    first ``show_rows`` quarantined rows (file, line, record, reason; never values), the
    rejected files and, in one line, the absent ones."""
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
        where = f"in {report_path}" if report_path else "in the report (--report FILE)"
        console.print(f"  … and {len(report.quarantine) - show_rows} more, listed {where}",
                      markup=False)
    for problem in report.problems:
        console.print(f"[yellow]problem:[/] {problem}", highlight=False)
    if report.missing:
        found = len(report.files)
        console.print(f"{len(report.missing)} of {len(report.missing) + found} department "
                      f"files are not in this directory (not an error; those departments "
                      f"are simply not loaded): {', '.join(report.missing)}",
                      highlight=False)
    if report.rejected:
        console.print(f"[bold red]rejected whole:[/] {', '.join(report.rejected)} "
                      "(nothing of these files was written; see the problems above)",
                      highlight=False)


def write_report(report: IngestReport, target: Path) -> Path:
    """Write the JSON report (quarantined rows carry no personal data) and return where."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2),
                      encoding="utf-8")
    return target


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
    jobs: int = typer.Option(None, min=0, show_default=False,
                             help="Ingest processes, each taking whole exports (default "
                                  "HUB_INGEST_JOBS; 0: one per core, at most 4, one for a "
                                  "small set)."),
) -> None:
    """Read, validate, encrypt and write every export of DIR (truth/ is never read).

    Exit code 0: all written; 3: some rows quarantined; 4: a whole file rejected; 1: Neo4j
    or settings failed. Re-running on the same files is safe (nothing is written twice).
    """
    s = settings()
    began = time.monotonic()
    target = report_file or default_report_path(directory)
    try:
        report = _run(s, directory, batch_rows, s.ingest_jobs if jobs is None else jobs)
    except _Interrupted as stop:
        _interrupted(stop.error, directory, target, time.monotonic() - began, s.retry_seconds)
        raise typer.Exit(code=1) from stop.error
    print_report(report, time.monotonic() - began, report_path=target)
    write_report(report, target)
    console.print(f"{len(report.quarantine)} quarantined rows listed in {target}")
    code = exit_code(report)
    if code:
        reason = ("a file was rejected whole" if code == EXIT_REJECTED
                  else "rows were quarantined")
        console.print(f"exit code {code}: {reason}")
    raise typer.Exit(code=code)


def _interrupted(exc: IngestInterruptedError, directory: Path, target: Path, seconds: float,
                 window: float) -> None:
    """The partial report, and how to resume (re-running is safe)."""
    write_report(exc.report, target)
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
    err_console.print(
        f"The ingest stopped after {seconds:.0f} s (Neo4j was retried for "
        f"{window:.0f} s, HUB_RETRY_SECONDS). Batches Neo4j acknowledged are kept; what "
        f"was read so far is in {target}.\n"
        f"To resume: start Neo4j ('hub neo4j start', or check 'hub neo4j status') and run "
        f"the same command again ('hub ingest {directory}'). Re-running is safe: records "
        "already written are matched by their keys, nothing is written twice.",
        highlight=False, markup=False)


def _run(s: Settings, directory: Path, batch_rows: int, jobs: int) -> IngestReport:
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

            try:
                return ingest_set(store, kit, s, directory,
                                  IngestOptions(batch_rows=batch_rows, progress=advance), jobs)
            except IngestInterruptedError as exc:  # not hub_errors' plain "error:" line
                raise _Interrupted(exc) from exc


class _Interrupted(Exception):  # noqa: N818 - a signal inside this module, not an error
    """Carries an :class:`IngestInterruptedError` past ``hub_errors`` to the command."""

    def __init__(self, error: IngestInterruptedError) -> None:
        super().__init__(str(error))
        self.error = error

"""``hub monitor run|alerts|status|overlaps``: dynamic monitoring (动态监测) from the shell."""

from __future__ import annotations

from datetime import date

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph_schema import migrate
from hub.cli._common import console, hub_errors, settings
from hub.cli._output import JSON_OPTION, PLAIN_OPTION, Column, emit
from hub.monitoring import ALL_TYPES, monitoring_alerts, overlaps, run_monitoring
from hub.monitoring import update_alert_status as set_status
from hub.privacy_graph.kit import open_privacy
from hub.store import Store

app = typer.Typer(help="Detect anomalies and missed eligibility; manage the alerts.",
                  no_args_is_help=True)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from exc


@app.command("run")
def run(
    as_of: str = typer.Option(..., "--as-of", help="Judge the situation on this date."),
    region: str = typer.Option(None, help="Only this 行政区划 code."),
    types: list[str] = typer.Option(None, "--type", help=f"Only these types: {ALL_TYPES}."),
) -> None:
    """Run every detection, store alerts, close the ones that no longer hold."""
    s = settings()
    day = _date(as_of)
    with hub_errors(), Store.connect(s) as store, Progress(
        TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    ) as bar:
        migrate(store)
        detect_task = bar.add_task("detecting", total=None)
        store_task = bar.add_task("storing alerts", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            task = store_task if stage in ("store", "schedule") else detect_task
            label = {"store": "storing alerts", "schedule": "re-verification schedule"}.get(
                stage, f"detecting: {stage}")
            bar.update(task, completed=done, total=total, description=label)

        result = run_monitoring(store, open_privacy(s), as_of=day, region=region,
                                types=types or ALL_TYPES, progress=progress)
    table = Table(title=f"monitoring run {result.run_id} as of {day} "
                        f"({region or 'all regions'})")
    table.add_column("type")
    table.add_column("found", justify="right")
    for kind, count in result.found.items():
        table.add_row(kind, str(count))
    console.print(table)
    console.print(f"new {result.created}, seen again {result.seen_again}, reopened "
                  f"{result.reopened}, closed {result.closed}; re-verification planned for "
                  f"{result.planned} households; in {result.seconds:.1f}s")


@app.command("alerts")
def alerts(
    region: str = typer.Option(None, help="行政区划 code."),
    type_: str = typer.Option(None, "--type", help="Alert type."),
    status: str = typer.Option(None, help="new, sent, confirmed, dismissed or closed."),
    department: str = typer.Option(None, help="Responsible department, e.g. 民政."),
    limit: int = typer.Option(50, help="Rows to show."),
    as_json: bool = JSON_OPTION,
    plain: bool = PLAIN_OPTION,
) -> None:
    """List alerts (keys, types, departments and evidence record ids; no personal data).

    Keys are printed whole, to paste into 'hub monitor status KEY …'.
    """
    with hub_errors(), Store.connect(settings()) as store:
        rows = monitoring_alerts(store, region, type_, status, department, limit=limit)
    emit(rows, _ALERT_COLUMNS, title=f"{len(rows)} alerts", as_json=as_json, plain=plain)


_ALERT_COLUMNS = (
    Column("alert_key", "key", copyable=True), Column("type", "type", copyable=True),
    Column("status", "status"), Column("department", "department"),
    Column("region_code", "region"), Column("subject_id", "subject", copyable=True),
    Column("evidence", "evidence"),
)


@app.command("status")
def status(
    alert_key: str,
    new_status: str = typer.Argument(..., help="sent, confirmed or dismissed."),
    reason: str = typer.Option(None, help="Why (required to dismiss)."),
    actor: str = typer.Option("cli", help="Who acts (kept in the alert's history)."),
) -> None:
    """Move an alert along new → sent → confirmed | dismissed."""
    with hub_errors(), Store.connect(settings()) as store:
        result = set_status(store, alert_key, new_status, reason, actor)
    console.print(f"{alert_key}: {result}")


@app.command("overlaps")
def overlaps_cmd(
    person_id: str,
    as_of: str = typer.Option(..., "--as-of", help="Date of the planned grant."),
    programme: str = typer.Option(None, help="The programme about to be granted."),
) -> None:
    """Pre-grant check: which programmes the person or household already receives."""
    with hub_errors(), Store.connect(settings()) as store:
        answer = overlaps(store, person_id=person_id, as_of=_date(as_of), programme=programme)
    if not answer.person_found:
        console.print("no such person")
        raise typer.Exit(code=1)
    for hit in answer.programmes:
        console.print(f"{hit.via:<9} {hit.department:<6} {hit.programme}")
    console.print(f"receiving: {answer.receiving}; conflicts: {answer.conflicts or 'none'}")

"""``hub audit verify``: check the whole audit chain and name the first broken link."""

from __future__ import annotations

import typer

from hub.cli._common import console, err_console, hub_errors, settings
from hub.privacy_graph.audit import AuditLog
from hub.store import Store
from privacy import ChainReport, PrivacyError

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Recompute every hash and event MAC, check links, checkpoints, the head's MAC and the
    head anchored outside Neo4j.

    Exits 1 and names the first broken event when anything was edited, deleted, reordered,
    rewritten without the audit key, or cut off with the head moved back.
    """
    s = settings()
    with hub_errors(), Store.connect(s) as store:
        try:
            log = AuditLog.open(store, s)
        except PrivacyError as exc:
            err_console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(code=1) from exc
        report = log.verify()
    if report.broken is not None:
        err_console.print(f"[bold red]audit chain BROKEN[/] at seq {report.broken.seq} "
                          f"({report.broken.kind}): {report.broken.detail}")
        err_console.print(f"{report.events} events verified before the break")
        raise typer.Exit(code=1)
    checked = [f"{report.checkpoints_verified} checkpoints verified"]
    if report.head_authenticated:
        checked.append("head MAC verified")
    if report.anchored_seq is not None:
        checked.append(f"anchored outside Neo4j at seq {report.anchored_seq}")
    console.print(f"audit chain intact: {report.events} events, head {report.head_hash[:16]}…, "
                  + ", ".join(checked))
    for line in _caveats(report, str(log.anchor.path) if log.anchor else None):
        err_console.print(f"[yellow]note:[/] {line}")


def _caveats(report: ChainReport, anchor_path: str | None) -> list[str]:
    """What an intact verdict does not cover: legacy events, an unanchored head."""
    notes: list[str] = []
    if report.legacy_events:
        notes.append(f"{report.legacy_events} legacy events, written before event MACs, are "
                     "unauthenticated: only their hashes and checkpoints vouch for them")
    if report.events and not report.head_authenticated:
        notes.append("the head carries no MAC yet (a log from before head MACs); the next "
                     "append authenticates it")
    if report.anchored_seq is None and report.events:
        notes.append(f"no head anchor at {anchor_path}: a head moved back onto an earlier, "
                     "genuine state cannot be ruled out")
    return notes

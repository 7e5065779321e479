"""``hub audit verify``: check the whole audit chain and name the first broken link."""

from __future__ import annotations

import typer

from hub.audit_log import AuditLog
from hub.cli._common import console, err_console, hub_errors, settings
from hub.store import Store
from privacy import PrivacyError

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Recompute every hash, check links, checkpoints (with the audit key) and the head.

    Exits 1 and names the first broken event when anything was edited, deleted or
    reordered.
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
    console.print(f"audit chain intact: {report.events} events, head {report.head_hash[:16]}…, "
                  f"{report.checkpoints_verified} checkpoints verified")

"""``hub keys list|rotate|rewrap|retire``: data-key versions over time.

Rotating, rewrapping and retiring are recorded in the audit log (action ``security.key_*``,
the operator from ``HUB_OPERATOR`` or the login); a failure to record exits 1.
"""

from __future__ import annotations

import typer
from rich.progress import Progress

from hub.cli._common import console, err_console, hub_errors, settings
from hub.cli._output import JSON_OPTION, PLAIN_OPTION, Column, emit
from hub.privacy_graph.keys import count_sealed_nodes, rewrap_graph, versions_in_use
from hub.privacy_graph.kit import open_privacy
from hub.privacy_graph.security_events import record_operation
from hub.store import Store
from privacy import PrivacyError

app = typer.Typer(help="Encryption key versions: rotate, rewrap, retire.", no_args_is_help=True)


def _kit():
    try:
        return open_privacy(settings())
    except PrivacyError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=1) from exc


def _audited(action: str, reason: str) -> None:
    """Record a key operation (三员分立: the security administrator's acts are audited)."""
    with hub_errors():
        record_operation(settings(), action, reason)


@app.command("list")
def list_versions(as_json: bool = JSON_OPTION, plain: bool = PLAIN_OPTION) -> None:
    """Key versions with their status, and how many stored ciphertexts use each."""
    kit = _kit()
    with hub_errors(), Store.connect(settings()) as store:
        used = versions_in_use(store)
    rows = [{"version": info.version, "status": str(info.status),
             "profile": str(info.profile), "ciphertexts": used.get(info.version, 0)}
            for info in kit.keyring.versions()]
    emit(rows, (Column("version", "version"), Column("status", "status"),
                Column("profile", "profile"),
                Column("ciphertexts", "ciphertexts in graph", justify="right")),
         title=f"keyring {kit.keyring_path}", as_json=as_json, plain=plain)


@app.command()
def rotate() -> None:
    """Make a new key version; every new write uses it from now on."""
    kit = _kit()
    previous = kit.encryptor.active_version
    version = kit.keyring.rotate()
    kit.save_keyring()
    _audited("security.key_rotate", f"active data-key version {previous} -> {version}")
    console.print(f"active key version is now {version}; run 'hub keys rewrap' next")


@app.command()
def rewrap() -> None:
    """Re-encrypt stored ciphertexts under the active version (resumable, online)."""
    kit = _kit()
    with hub_errors(), Store.connect(settings()) as store:
        total = count_sealed_nodes(store)
        with Progress(console=console) as progress:
            task = progress.add_task("rewrapping", total=total)
            done = rewrap_graph(store, kit.encryptor,
                                on_nodes=lambda n: progress.advance(task, n))
    _audited("security.key_rewrap",
             f"{done} ciphertexts rewrapped to version {kit.encryptor.active_version}")
    console.print(f"rewrapped {done} ciphertexts to version {kit.encryptor.active_version}")


@app.command()
def retire(version: int = typer.Argument(..., help="The key version to retire.")) -> None:
    """Retire a version once no stored ciphertext uses it."""
    kit = _kit()
    with hub_errors(), Store.connect(settings()) as store:
        still = versions_in_use(store).get(version, 0)
    if still:
        err_console.print(f"[bold red]error:[/] {still} ciphertexts still use version "
                          f"{version}; run 'hub keys rewrap' first")
        raise typer.Exit(code=1)
    try:
        kit.keyring.retire(version)
    except PrivacyError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=1) from exc
    kit.save_keyring()
    _audited("security.key_retire", f"data-key version {version} retired")
    console.print(f"version {version} retired")

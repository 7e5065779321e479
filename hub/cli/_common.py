"""Helpers shared by the CLI commands: settings, console, turning HubErrors into exits."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.logging import RichHandler

from hub.config import Settings
from hub.errors import HubError

console = Console()
err_console = Console(stderr=True)


def settings() -> Settings:
    """Settings from the environment; configures logging once."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(message)s",
            handlers=[RichHandler(console=err_console, show_path=False)],
        )
        logging.getLogger("neo4j").setLevel(logging.WARNING)
        logging.getLogger("recordlinkage").setLevel(logging.WARNING)
        # the loopback API client of `hub charity demo` / `hub demo`: one line per step
        # is theirs to print, not one "HTTP Request: POST …" per call
        for name in ("httpx", "httpx2"):
            logging.getLogger(name).setLevel(logging.WARNING)
    with hub_errors():
        return Settings.from_env()


@contextmanager
def hub_errors() -> Iterator[None]:
    """Print a HubError as a clear message and exit 1 instead of a traceback."""
    try:
        yield
    except HubError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(code=1) from exc

"""``hub charity demo|categories``: charity matching on the linked graph.

``demo`` registers a charity, records consents, publishes a donation, lists the
de-identified matches, confirms and accepts one, and shows the contact released to the
charity — through the real API, served on a loopback port for the run
(:mod:`hub.cli._local_api`), so each step is policy-checked and audited.
"""

from __future__ import annotations

import typer

from graph_schema import migrate
from hub.charity.categories import NEED_CATEGORIES
from hub.charity.demo import run_charity_demo
from hub.charity.model import CharityError
from hub.cli._common import console, err_console, hub_errors, settings
from hub.cli._local_api import local_api
from hub.cli._output import JSON_OPTION, PLAIN_OPTION, Column, emit
from hub.store import Store

app = typer.Typer(help="Charity matching: donations to consenting recipients.",
                  no_args_is_help=True)


@app.command()
def demo(
    region: str | None = typer.Option(None, help="County code (default: the busiest)."),
    recipients: int = typer.Option(4, min=1, max=50, help="Recipients who consent."),
) -> None:
    """Match one donation end to end on the linked graph ('hub ingest', then 'hub link run'
    first)."""
    s = settings().with_overrides(dev_mode=True)
    with hub_errors(), Store.connect(s) as store:
        migrate(store)
        try:
            with local_api(s, store) as client:
                run_charity_demo(store, s, client,
                                 emit=lambda line: console.print(line, highlight=False,
                                                                 soft_wrap=True),
                                 region=region, recipients=recipients)
        except CharityError as exc:
            err_console.print(f"[bold red]refused:[/] {exc}")
            raise typer.Exit(code=1) from exc


@app.command()
def categories(as_json: bool = JSON_OPTION, plain: bool = PLAIN_OPTION) -> None:
    """List the need categories and the government aid that already covers each."""
    rows = [{"category": name,
             "covered_by": sorted(coverage.departments | coverage.programmes)}
            for name, coverage in sorted(NEED_CATEGORIES.items())]
    emit(rows, (Column("category", "category", copyable=True),
                Column("covered_by", "covered by")),
         title="need categories", as_json=as_json, plain=plain,
         cell=lambda key, value: ", ".join(value) or "(none)" if key == "covered_by"
         else str(value))

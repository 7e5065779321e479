"""``hub demo``: the main job — local Neo4j, a generated set ingested and linked, the API
with GraphiQL; and ``hub demo generate`` for synthetic exports at any scale."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.progress import Progress

from graph_schema import migrate
from hub.charity import CharityError
from hub.charity.demo import run_charity_demo
from hub.cli._common import console, hub_errors, settings
from hub.cli._local_api import local_api
from hub.cli.ingest_cmd import print_report, write_report
from hub.cli.serve_cmd import serve_app
from hub.config import Settings
from hub.datasets import generate as generate_set
from hub.datasets.demo_tour import (
    DEMO_AS_OF,
    EXAMPLE_QUERIES,
    DemoTour,
    prepare_tour,
    render_example,
)
from hub.ingest.parallel import ingest_set
from hub.ingest.run import IngestOptions
from hub.monitoring import run_monitoring
from hub.neo4j_local import LocalNeo4j
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.resolution import run_link
from hub.resolution.service import LinkSummary
from hub.store import Store

app = typer.Typer(help="Run the demo, or generate synthetic exports.",
                  invoke_without_command=True)


@app.command()
def generate(
    out_dir: Path = typer.Argument(..., help="Directory to write the 18 exports + truth/."),
    households: int = typer.Option(20_000, min=1, help="Number of households."),
    seed: int = typer.Option(7, help="Random seed (same seed, same bytes)."),
) -> None:
    """Write synthetic department exports in the exact layouts, with their ground truth."""
    began = time.monotonic()
    with Progress(console=console) as progress:
        task = progress.add_task("generating", total=None)

        def advance(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        with hub_errors():
            summary = generate_set(out_dir, households=households, seed=seed,
                                   progress=advance)
    console.print(f"{summary} in {time.monotonic() - began:.1f} s → {out_dir}")


def prepare_demo_graph(s: Settings, households: int, seed: int) -> DemoTour:
    """Generate (once), ingest, link and monitor the demo set; issue the demo's tokens."""
    set_dir = s.data_dir / "demo" / f"set-{households}-{seed}"
    if not (set_dir / "truth" / "manifest.csv").is_file():
        with hub_errors(), console.status(f"generating {households} households"):
            generate_set(set_dir, households=households, seed=seed)
    with hub_errors(), Store.connect(s) as store:
        return load_demo(store, open_privacy(s), s, set_dir)


def link_message(summary: LinkSummary) -> str:
    """One line on the link run; a re-run with nothing new says so (not "0 people")."""
    if summary.mode != "full" and summary.new_mentions == 0:
        return (f"nothing new to link: the {summary.mentions} mentions were linked by an "
                f"earlier run ({summary.seconds} s)")
    return (f"linked {summary.new_mentions} new of {summary.mentions} mentions; "
            f"{summary.persons} people created or updated ({summary.mode}, "
            f"{summary.seconds} s)")


def load_demo(store: Store, kit: PrivacyKit, s: Settings, set_dir: Path) -> DemoTour:
    """Ingest, link and monitor ``set_dir`` into ``store``; issue the demo's tokens."""
    migrate(store)
    began = time.monotonic()
    with console.status("ingesting the demo set"):
        report = ingest_set(store, kit, s, set_dir, IngestOptions(), s.ingest_jobs)
    report_path = write_report(report, s.data_dir / "demo" / "ingest-report.json")
    print_report(report, time.monotonic() - began, show_rows=5, report_path=report_path)
    with console.status("linking people and households"):
        summary = run_link(store, kit, cache_dir=s.link_cache_dir)
    console.print(link_message(summary))
    with console.status("monitoring: overlaps, deceased still paid, missed eligible …"):
        monitoring = run_monitoring(store, kit, as_of=DEMO_AS_OF)
    console.print(f"monitoring as of {DEMO_AS_OF}: {sum(monitoring.found.values())} "
                  f"findings {dict(monitoring.found)}")
    tour = prepare_tour(store, s)
    console.rule("charity matching, end to end")
    try:
        with local_api(s, store) as client:
            run_charity_demo(store, s, client,
                             emit=lambda line: console.print(line, markup=False))
    except CharityError as exc:
        console.print(f"charity demo skipped: {exc}")
    return tour


def graphiql_link(s: Settings, user: str, purpose: str | None = None) -> str:
    """GraphiQL opened as a demo user (headers filled in; see hub.api.graphiql)."""
    link = f"http://{s.http_host}:{s.http_port}/graphql?as={user}"
    return link + (f"&purpose={purpose}" if purpose else "")


def console_link(s: Settings, user: str) -> str:
    """The web console, signed in as a demo user (dev mode only)."""
    return f"http://{s.http_host}:{s.http_port}/console/signin?as={user}"


def print_tour(s: Settings, tour: DemoTour) -> None:
    """Where to click and what to paste: the console per user first, then the API."""
    console.rule("the console (控制台)")
    console.print("Open the web console signed in as a kind of user:", highlight=False)
    for user in tour.users:
        console.print(f"  {user.name:<11} {console_link(s, user.name)}", markup=False,
                      highlight=False)
    console.rule("try the API")
    console.print("Open GraphiQL as a user (headers filled in), or send the headers "
                  f"yourself; also saved in {tour.tokens_file} (mode 0600), with one set "
                  "of headers per purpose each user may declare.", highlight=False)
    for user in tour.users:
        console.print(f"\n[bold]{user.name}[/] ({user.org}, X-Purpose: {user.purpose})",
                      highlight=False)
        console.print(f"  {graphiql_link(s, user.name)}", markup=False, highlight=False)
        console.print(f"  Authorization: Bearer {user.token}", markup=False,
                      highlight=False, soft_wrap=True)
    if tour.consented_household:
        console.print(f"\nhousehold {tour.consented_household} has a verification consent "
                      f"for the verifier; its member {tour.consented_person} (living) is "
                      "the applicant below.", highlight=False)
    for example in EXAMPLE_QUERIES:
        console.print(f"\n[dim]# {example.title} — as {example.user}, "
                      f"X-Purpose: {example.purpose}[/]", highlight=False)
        console.print(f"[dim]# {graphiql_link(s, example.user, example.purpose)}[/]",
                      highlight=False)
        console.print(render_example(example.query, tour), markup=False, highlight=False,
                      soft_wrap=True)


@app.callback()
def demo(
    ctx: typer.Context,
    port: int = typer.Option(None, help="HTTP port of the API (default HUB_PORT or 8000)."),
    households: int = typer.Option(300, min=1, help="Households in the demo set."),
    seed: int = typer.Option(7, help="Seed of the demo set."),
) -> None:
    """Start Neo4j, load a demo set, and serve the API with GraphiQL until Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    s = settings().with_overrides(dev_mode=True)
    if port is not None:
        s = s.with_overrides(http_port=port)
    server = None if s.uses_external_neo4j else LocalNeo4j(s)
    started_here = False
    if server is not None and server.pid() is None:
        with hub_errors(), console.status("starting Neo4j (the first run fetches it via Maven)"):
            server.start()
        started_here = True
        console.print(f"Neo4j running at {server.uri}")
    try:
        tour = prepare_demo_graph(s, households, seed)
        print_tour(s, tour)
        serve_app(s)
    finally:
        if started_here and server is not None:
            stopped = server.stop()
            console.print("Neo4j stopped" if stopped else "Neo4j had already stopped")

"""``hub link run|review|decide|explain|evaluate``: entity resolution in the graph."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from graph_schema import migrate
from hub.cli._common import console, err_console, hub_errors, settings
from hub.cli._output import JSON_OPTION, PLAIN_OPTION, Column, emit
from hub.config import Settings
from hub.env_fields import one_of
from hub.linkage.spark import SparkOptions
from hub.privacy_graph.kit import open_privacy
from hub.resolution import run_link
from hub.resolution.evaluate import evaluate_graph, read_truth
from hub.resolution.review import decide_pair, explain_pair, pending_pairs
from hub.store import Store

app = typer.Typer(help="Resolve mentions into people; review and explain links.",
                  no_args_is_help=True)


def spark_options(s: Settings, master: str | None) -> SparkOptions:
    """The Spark engine's options from the settings (``--master`` wins)."""
    return SparkOptions(master=master or s.spark_master, work_dir=s.spark_work_dir,
                        memory=s.spark_memory, partitions=s.spark_partitions)


@app.command("run")
def run(full: bool = typer.Option(False, help="Relink everything, not only new mentions."),
        no_memory_check: bool = typer.Option(
            False, "--no-memory-check",
            help="Run a full link even when its estimated peak memory exceeds the "
                 "memory available now."),
        engine: str | None = typer.Option(
            None, help="inprocess or spark (default: HUB_LINK_ENGINE, else inprocess)."),
        master: str | None = typer.Option(
            None, help="Spark master URL for --engine spark (default: HUB_SPARK_MASTER, "
                       "else local[*]); e.g. spark://127.0.0.1:7077.")) -> None:
    """Link new mentions (or all with --full), then rebuild households and projections.

    A full run (--full, or the first) first estimates its peak memory from the mention
    count and refuses, naming both figures, when it would not fit. With --engine spark
    the run goes to Apache Spark (same model and outputs; no memory check: Spark's memory
    is bounded by partitions).
    """
    s = settings()
    with hub_errors():
        chosen = one_of("inprocess", "spark")("--engine", engine) if engine else s.link_engine
    if master and chosen != "spark":
        err_console.print("error: --master needs --engine spark (or HUB_LINK_ENGINE=spark)")
        raise typer.Exit(code=2)
    spark = spark_options(s, master) if chosen == "spark" else None
    with hub_errors(), Store.connect(s) as store, console.status("linking"):
        migrate(store)
        summary = run_link(store, open_privacy(s), full=full,
                           cache_dir=s.link_cache_dir, memory_check=not no_memory_check,
                           spark=spark)
    table = Table(title=f"link run {summary.run_id} ({summary.mode})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in vars(summary).items():
        if key not in ("run_id", "mode"):
            table.add_row(key.replace("_", " "), str(value))
    console.print(table)


@app.command()
def review(limit: int = typer.Option(20, help="Pairs to list."),
           as_json: bool = JSON_OPTION, plain: bool = PLAIN_OPTION) -> None:
    """List pending review pairs, strongest first (record keys only, no personal data)."""
    with hub_errors(), Store.connect(settings()) as store:
        pairs = pending_pairs(store, limit)
    emit(pairs, (Column("key_a", "record A", copyable=True),
                 Column("key_b", "record B", copyable=True),
                 Column("weight", "weight", justify="right"), Column("reason", "reason")),
         title=f"{len(pairs)} pending pairs", as_json=as_json, plain=plain,
         cell=lambda key, value: (f"{value:.1f}" if key == "weight" and value is not None
                                  else "" if value is None else str(value)))
    if not (as_json or plain):
        console.print("decide with: hub link decide RECORD_A RECORD_B --accept|--reject")


@app.command()
def decide(
    record_a: str, record_b: str,
    accept: bool = typer.Option(..., "--accept/--reject", help="Same person or not."),
    clerk: str = typer.Option("cli", help="Who decided (kept with the decision)."),
    note: str = typer.Option("", help="Why."),
) -> None:
    """Record a clerical decision; every later run respects it."""
    with hub_errors(), Store.connect(settings()) as store:
        status = decide_pair(store, record_a, record_b, accept=accept, clerk=clerk, note=note)
    console.print(f"{record_a} | {record_b}: {status}; applied on the next 'hub link run'")


@app.command()
def explain(record_a: str, record_b: str) -> None:
    """Print each comparison's weight for two records (source:record_id:role) and the total."""
    s = settings()
    with hub_errors(), Store.connect(s) as store:
        parts, total = explain_pair(store, open_privacy(s), record_a, record_b)
    table = Table(title=f"{record_a}  vs  {record_b}")
    for column in ("comparison", "level", "weight"):
        table.add_column(column, justify="right" if column == "weight" else "left")
    for name, level, weight in parts:
        table.add_row(name, level, f"{weight:+.2f}")
    table.add_row("[bold]total", "", f"[bold]{total:+.2f}")
    console.print(table)


@app.command()
def evaluate(truth: Path = typer.Option(..., exists=True, dir_okay=False,
                                        help="A truth person_map.csv.")) -> None:
    """Pairwise precision, recall, F1, auto-link rate and review-queue size."""
    with hub_errors(), Store.connect(settings()) as store:
        report = evaluate_graph(store, read_truth(truth))
    table = Table(title="linkage against truth")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in report.items():
        table.add_row(key, f"{value:.5f}" if isinstance(value, float) else str(value))
    console.print(table)

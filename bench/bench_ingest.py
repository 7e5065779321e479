"""Ingest benchmark: rows per second end to end and peak memory on a generated set.

    .venv/bin/python bench/bench_ingest.py --households 20000 [--dir DIR] [--rounds 2]
        [--jobs N] [--yes]

Generates the set once (reused when the directory already holds it), clears the graph of
the configured Neo4j (refuses unless --yes or the graph is empty), ingests, and prints
rows/s, the peak resident memory of this process (and of the largest ingest worker with
``--jobs``), and CPU seconds of the hub (this process and its workers) and of the managed
Neo4j server next to the wall time, once per round (``--rounds``, default 2:
the first ingest after ``hub neo4j start`` also pays the JVM's just-in-time compilation,
the second shows a warmed-up server). The machine may be shared: rows per CPU-second show
what the code costs, rows per wall-second what the machine gave. Uses
the same settings as the ``hub`` command (NEO4J_URI or the managed server, HUB_DATA_DIR …).
See bench_link_graph.py for ingest followed by linking.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import psutil

from graph_schema import migrate
from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.config import Settings
from hub.datasets import generate
from hub.ingest.parallel import ingest_set
from hub.ingest.run import IngestOptions
from hub.neo4j_local import LocalNeo4j
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.store import Store

COUNT = "MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n"


def _server_process(settings: Settings) -> psutil.Process | None:
    """The managed Neo4j's JVM (None for an external server)."""
    pid = None if settings.neo4j_uri else LocalNeo4j(settings).status().pid
    return psutil.Process(pid) if pid else None


def _cpu(process: psutil.Process | None) -> float:
    if process is None:
        return float("nan")
    times = process.cpu_times()
    return float(times.user + times.system)


def _round(store: Store, kit: PrivacyKit, settings: Settings, set_dir: Path,
           args: argparse.Namespace, server: psutil.Process | None) -> dict[str, float]:
    """Clear the graph, ingest the set once, and measure wall, CPU and rows."""
    store.run_autocommit(CLEAR_GRAPH)
    migrate(store)
    server_cpu = _cpu(server)
    began, cpu, children = time.monotonic(), time.process_time(), _children_cpu()
    report = ingest_set(store, kit, settings, set_dir, IngestOptions(
        batch_rows=args.batch_rows, writers=args.writers), args.jobs)
    totals = report.to_dict()["totals"]
    return {"seconds": time.monotonic() - began,
            "cpu": time.process_time() - cpu + _children_cpu() - children,
            "server_cpu": _cpu(server) - server_cpu, **totals}


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the ingest workers, --jobs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--batch-rows", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=0,
                        help="ingest processes (0: automatic, as hub ingest; see "
                             "hub/ingest/parallel.py)")
    parser.add_argument("--writers", type=int, default=2,
                        help="write transactions in flight at once")
    parser.add_argument("--rounds", type=int, default=2,
                        help="ingests of the same set, clearing the graph before each; the "
                             "first after a server start includes the JVM's warm-up")
    parser.add_argument("--yes", action="store_true", help="clear a non-empty graph")
    args = parser.parse_args()
    set_dir = args.dir or Path(f"/tmp/gen{args.households}-{args.seed}")
    if not (set_dir / "truth" / "manifest.csv").is_file():
        began = time.monotonic()
        generate(set_dir, households=args.households, seed=args.seed)
        print(f"generated {args.households} households in {time.monotonic() - began:.1f} s")
    settings = Settings.from_env()
    with Store.connect(settings) as store:
        if store.read(COUNT)[0]["n"] and not args.yes:
            raise SystemExit("the graph is not empty: pass --yes to clear it")
        kit = open_privacy(settings)
        server = _server_process(settings)
        rounds = [_round(store, kit, settings, set_dir, args, server) for _ in range(args.rounds)]
    first = rounds[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"set               {set_dir}" if args.dir else
          f"households        {args.households}")
    print(f"rows read         {first['rows_read']}")
    print(f"accepted          {first['accepted']}")
    print(f"quarantined       {first['quarantined']}")
    print(f"duplicates        {first['duplicates']}")
    for number, done in enumerate(rounds, 1):
        print(f"round {number}: {done['seconds']:.1f} s  "
              f"{done['rows_read'] / done['seconds']:,.0f} rows/s  "
              f"cpu s hub {done['cpu']:.1f} ({done['rows_read'] / done['cpu']:,.0f} rows/cpu-s)"
              f"  neo4j {done['server_cpu']:.1f}")
    print(f"peak RSS (MB)     {peak_mb:,.0f}" + (
        f"  (largest ingest worker {worker_peak_mb:,.0f})" if worker_peak_mb else ""))


if __name__ == "__main__":
    main()

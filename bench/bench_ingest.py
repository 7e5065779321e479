"""Ingest benchmark: rows per second end to end and peak memory on a generated set.

    .venv/bin/python bench/bench_ingest.py --households 20000 [--dir /tmp/gen20k] [--keep]

Generates the set once (reused when the directory already holds it), clears the graph of
the configured Neo4j (refuses unless --yes or the graph is empty), ingests, and prints
rows/s, the peak resident memory of this process, and CPU seconds of this process and of
the managed Neo4j server next to the wall time (the machine may be shared: rows per
CPU-second show what the code costs, rows per wall-second what the machine gave). Uses
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
from hub.config import Settings
from hub.demo import generate
from hub.ingest.run import IngestOptions, ingest_directory
from hub.neo4j_local import LocalNeo4j
from hub.privacy_kit import open_privacy
from hub.store import Store

CLEAR = ("MATCH (n) WHERE NOT n:SchemaMigration "
         "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--batch-rows", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=2,
                        help="write transactions in flight at once")
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
        store.run_autocommit(CLEAR)
        migrate(store)
        kit = open_privacy(settings)
        server = _server_process(settings)
        server_cpu = _cpu(server)
        began, cpu = time.monotonic(), time.process_time()
        report = ingest_directory(store, kit, set_dir, IngestOptions(
            batch_rows=args.batch_rows, writers=args.writers))
        seconds, cpu = time.monotonic() - began, time.process_time() - cpu
        server_cpu = _cpu(server) - server_cpu
    totals = report.to_dict()["totals"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"households        {args.households}")
    print(f"rows read         {totals['rows_read']}")
    print(f"accepted          {totals['accepted']}")
    print(f"quarantined       {totals['quarantined']}")
    print(f"duplicates        {totals['duplicates']}")
    print(f"seconds           {seconds:.1f}")
    print(f"rows/s            {totals['rows_read'] / seconds:,.0f}")
    print(f"cpu s (hub)       {cpu:.1f}   rows per cpu-s {totals['rows_read'] / cpu:,.0f}")
    print(f"cpu s (neo4j)     {server_cpu:.1f}")
    print(f"peak RSS (MB)     {peak_mb:,.0f}")


if __name__ == "__main__":
    main()

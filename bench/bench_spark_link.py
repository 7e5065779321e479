"""The Spark engine at graph level: ingest, full link on Spark, quality, memory per process.

    .venv/bin/python bench/bench_spark_link.py [--households 20000] [--master local[2]]
        [--memory 2g] [--compare] [--jobs N] [--yes]

Generates ``N`` households once (reused when the directory already holds them), clears the
configured Neo4j (refuses a non-empty graph unless ``--yes``), ingests the set (in
``--jobs`` processes, as ``hub ingest``) and links it
with ``hub link run --engine spark`` semantics (``run_link(spark=…)``, full). Prints wall
and CPU seconds of ingest and link, rows per second of ingest, the peak resident memory of
every process the run uses (this driver, Spark's JVM, the Python workers, Neo4j), sampled
every 200 ms, and precision, recall and review share against the generator's truth. With
``--compare`` the in-process engine links the same graph afterwards (a full run) and the
two mappings are compared mention by mention. With ``--incremental N`` the last ``N`` lines
of ``--held-file`` are held back from the first ingest; after the full link they arrive
and an incremental Spark run links them: its wall time, the driver's RSS before and at
its peak, the neighbourhood it brought to the driver, and the quality afterwards.
"""

from __future__ import annotations

import argparse
import resource
import threading
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
import psutil
from bench_ingest import _cpu  # bench/ is on the path of its scripts
from bench_link_graph import hold_back

from graph_schema import migrate
from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.config import Settings
from hub.datasets import generate
from hub.errors import LinkMemoryError
from hub.ingest.mapping import load_mappings
from hub.ingest.parallel import ingest_set
from hub.ingest.run import IngestOptions, ingest_directory
from hub.linkage.spark import SparkOptions
from hub.neo4j_local import LocalNeo4j
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.resolution import run_link
from hub.resolution.evaluate import evaluate_graph, read_truth
from hub.resolution.preflight import check_memory
from hub.store import Store

COUNT = "MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n"
MAPPING = ("MATCH (r:SourceRecord)-[:RESOLVES_TO]->(p:Person) "
           "RETURN r.mention_key AS k, p.person_id AS p")


def _kind(process: psutil.Process, neo4j: int | None) -> str:
    """Which part of the run a process is."""
    if process.pid == neo4j:
        return "neo4j"
    if process.pid == psutil.Process().pid:
        return "hub driver (python)"
    line = " ".join(process.cmdline())
    if "from multiprocessing" in line:  # hub ingest --jobs: spawned workers and tracker
        return "ingest workers (python)"
    if "java" in process.name() or "java" in line:
        return "spark driver (jvm)"
    if "pyspark" in line or "daemon" in line or "worker" in line:
        return "python workers"
    return process.name()


class PeakRss:
    """Peak RSS of each kind of process (the largest single process of that kind, and the
    largest sum over its processes), sampled every 200 ms, and the driver's own RSS over
    time (to tell which phase holds its peak)."""

    def __init__(self, neo4j: int | None) -> None:
        self.neo4j = neo4j
        self.single: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)
        self.driver: list[tuple[float, int]] = []
        self.began = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.2):
            processes = [me, *me.children(recursive=True)]
            if self.neo4j and all(p.pid != self.neo4j for p in processes):
                processes.append(psutil.Process(self.neo4j))  # not started by this bench
            sums: dict[str, int] = defaultdict(int)
            for process in processes:
                try:
                    kind, rss = _kind(process, self.neo4j), process.memory_info().rss
                except psutil.Error:
                    continue
                self.single[kind] = max(self.single[kind], rss)
                sums[kind] += rss
                if process.pid == me.pid:
                    self.driver.append((time.monotonic() - self.began, rss))
            for kind, rss in sums.items():
                self.total[kind] = max(self.total[kind], rss)

    def driver_by_phase(self, phases: dict[str, float]) -> str:
        """The driver's peak RSS within each phase, phases laid end to end in run order
        (the engine's own ``spark_*`` steps inside ``linkage``)."""
        order = [k for k in phases if not k.startswith("spark_")]
        steps = [k for k in phases if k.startswith("spark_")]
        windows, start = [], 0.0
        for name in order:
            if name == "linkage" and steps:
                for step in steps:
                    windows.append((step, start, start + phases[step]))
                    start += phases[step]
                start += max(0.0, phases[name] - sum(phases[s] for s in steps))
                continue
            windows.append((name, start, start + phases[name]))
            start += phases[name]
        out = []
        for name, low, high in windows:
            inside = [rss for at, rss in self.driver if low <= at < high]
            if inside:
                out.append(f"{name} {max(inside) / 2**30:.2f}")
        return "  ".join(out) + " GB"

    def report(self) -> str:
        """Peak per kind; the short-lived helpers Spark's file system spawns (``chmod``,
        ``rm``: a few MB) are left out."""
        return "  ".join(f"{kind}: {self.single[kind] / 2**30:.2f} GB (all "
                         f"{self.total[kind] / 2**30:.2f})" for kind in sorted(self.single)
                         if self.single[kind] >= 2**24)


def _cpu_of_tree() -> float:
    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.Error:
            continue
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return total + usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="generated set (reused)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--memory", default="2g")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--compare", action="store_true",
                        help="also link in process and compare the mappings")
    parser.add_argument("--yes", action="store_true", help="clear a non-empty graph")
    parser.add_argument("--incremental", type=int, default=0,
                        help="lines of --held-file held back, then linked incrementally")
    parser.add_argument("--held-file", default="yibao_medical.csv")
    parser.add_argument("--jobs", type=int, default=0,
                        help="ingest processes (0: automatic, as hub ingest)")
    args = parser.parse_args()

    settings = Settings.from_env()
    set_dir = args.dir or settings.data_dir / "bench" / f"spark-{args.households}-{args.seed}"
    if not (set_dir / "truth" / "person_map.csv").is_file():
        began = time.monotonic()
        generate(set_dir, households=args.households, seed=args.seed)
        print(f"generated {args.households} households in {time.monotonic() - began:.1f} s")
    server = LocalNeo4j(settings)
    if not settings.neo4j_uri and server.pid() is None:
        server.start()
    neo4j = None if settings.neo4j_uri else server.status().pid
    kit = open_privacy(settings)
    neo4j_process = psutil.Process(neo4j) if neo4j else None  # nan CPU if external
    options = SparkOptions(master=args.master, work_dir=settings.spark_work_dir,
                           memory=args.memory, partitions=args.partitions)
    with Store.connect(settings) as store:
        if store.read(COUNT)[0]["n"] and not args.yes:
            raise SystemExit("the graph is not empty: pass --yes to clear it")
        store.run_autocommit(CLEAR_GRAPH)
        migrate(store)
        began, cpu, server_cpu = time.monotonic(), _cpu_of_tree(), _cpu(neo4j_process)
        first_dir = set_dir
        if args.incremental:
            first_dir = set_dir.with_name(set_dir.name + "-base")
            held = hold_back(set_dir, first_dir, args.held_file, args.incremental)
            print(f"{held} lines of {args.held_file} held back for the incremental run")
        with PeakRss(neo4j) as peaks:
            report = ingest_set(store, kit, settings, first_dir, IngestOptions(), args.jobs)
        wall = time.monotonic() - began
        rows = report.to_dict()["totals"]["rows_read"]
        print(f"ingest  wall {wall:7.1f} s  cpu (hub and its workers) "
              f"{_cpu_of_tree() - cpu:7.1f} s  neo4j cpu "
              f"{_cpu(neo4j_process) - server_cpu:7.1f} s  rows {rows:,}  {rows / wall:9,.0f} "
              "rows/s")
        print(f"  peak RSS  {peaks.report()}")
        try:
            needed = check_memory(store)
            print(f"in-process pre-flight: would run (estimate {needed / 2**30:.1f} GiB)")
        except LinkMemoryError as exc:
            print(f"in-process pre-flight: refused: {exc}")
        began, cpu, server_cpu = time.monotonic(), _cpu_of_tree(), _cpu(neo4j_process)
        with PeakRss(neo4j) as peaks:
            summary = run_link(store, kit, full=True, spark=options)
        print(f"spark link  wall {time.monotonic() - began:7.1f} s  cpu (this process and "
              f"its children) {_cpu_of_tree() - cpu:7.1f} s  neo4j cpu "
              f"{_cpu(neo4j_process) - server_cpu:7.1f} s  mentions {summary.mentions}  "
              f"persons {summary.persons}")
        print(f"  phases {summary.phases}")
        print(f"  peak RSS  {peaks.report()}")
        print(f"  driver peak RSS by phase  {peaks.driver_by_phase(summary.phases)}")
        truth = read_truth(set_dir / "truth" / "person_map.csv")
        spark_report = evaluate_graph(store, truth)
        print(f"  precision {spark_report['precision']:.5f}  recall "
              f"{spark_report['recall']:.5f}  review share {spark_report['review_share']:.4%}")
        if args.incremental:
            _incremental(store, kit, set_dir, args.held_file, options, neo4j, truth)
        if args.compare:
            spark_map = {r["k"]: r["p"] for r in store.read(MAPPING)}
            began = time.monotonic()
            run_link(store, kit, full=True, memory_check=False)
            local = evaluate_graph(store, truth)
            same = {r["k"]: r["p"] for r in store.read(MAPPING)} == spark_map
            print(f"in-process link  wall {time.monotonic() - began:7.1f} s  precision "
                  f"{local['precision']:.5f}  recall {local['recall']:.5f}  review share "
                  f"{local['review_share']:.4%}  same person ids {same}")


def _incremental(store: Store, kit: PrivacyKit, set_dir: Path, held_file: str,
                 options: SparkOptions, neo4j: int | None, truth: pd.Series) -> None:
    """The held-back rows arrive and an incremental Spark run links them."""
    source = next(m.source for m in load_mappings().values() if m.file == held_file)
    ingest_directory(store, kit, set_dir, IngestOptions(only={source}))  # one export
    before = psutil.Process().memory_info().rss
    began, cpu = time.monotonic(), _cpu_of_tree()
    with PeakRss(neo4j) as peaks:
        summary = run_link(store, kit, spark=options)
    print(f"incremental spark link  wall {time.monotonic() - began:7.1f} s  cpu "
          f"{_cpu_of_tree() - cpu:7.1f} s  new mentions {summary.new_mentions}  "
          f"neighbourhood {summary.neighbourhood} of {summary.mentions} mentions in "
          f"{summary.rounds} rounds  mode {summary.mode}")
    print(f"  phases {summary.phases}")
    print(f"  driver RSS before {before / 2**30:.2f} GB; peak RSS  {peaks.report()}")
    report = evaluate_graph(store, truth)
    print(f"  precision {report['precision']:.5f}  recall {report['recall']:.5f}  "
          f"review share {report['review_share']:.4%}")


if __name__ == "__main__":
    main()

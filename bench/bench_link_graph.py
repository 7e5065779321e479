"""Graph-level benchmark: ingest, full link, then incremental batches, on a generated set.

    .venv/bin/python bench/bench_link_graph.py [--households 20000] [--seed 7] [--yes]

Generates ``N`` households once (reused when the directory already holds them) and holds
back the last rows of one export (``--held-file``, default ``yibao_medical.csv``) so they
make ``--batches`` (2) batches of about ``--incremental`` (1,000) mentions each. Then, on
the configured Neo4j (cleared first; refuses a non-empty graph unless ``--yes``):

1. **ingest** the set without the held-back rows (read, validate, normalise, encrypt,
   write);
2. **full link**: ``run_link(full=True)`` — load and decrypt mentions, linkage, persons /
   ``RESOLVES_TO`` / review queue, households, kinship, projection — scored against the
   generator's ``truth/person_map.csv`` at graph level;
3. **incremental**, once per batch: the department's export with one more batch of rows
   is ingested (its old rows are unchanged, the batch's are new) and ``run_link()``
   links only the new mentions against the existing people; scored again. The first
   batch after a server start also pays Neo4j's planning of the incremental statements
   (a full run uses others); later batches show the steady state of daily runs.

The machine may be shared, so every phase prints wall seconds and CPU seconds of this
process and of the Neo4j server (when it is the managed local one), plus peak RSS.

**Scale curve** (``--sizes 20000,60000,120000``): each size runs in its own process (so
its peak RSS is its own), seeds counting up from ``--seed``, and one table follows:
households, mentions, full-link wall / CPU, peak RSS and RSS per mention, precision,
recall, review share, the last incremental batch's wall, the people holding two distinct
valid ID numbers (must be 0) and the mentions whose person id changed across the
incremental runs — the figures every later change to linkage is compared on.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from graph_schema import migrate
from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.config import Settings
from hub.datasets import generate
from hub.ingest.mapping import load_mappings
from hub.ingest.run import IngestOptions, ingest_directory
from hub.linkage import link
from hub.neo4j_local import LocalNeo4j
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.resolution import run_link
from hub.resolution.evaluate import evaluate_graph, read_truth
from hub.resolution.load import load_mentions
from hub.resolution.service import decisions_frame, latest_settings
from hub.store import Store

COUNT = "MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n"
MENTIONS = "MATCH (r:SourceRecord) RETURN count(r) AS n"
MAPPING = ("MATCH (r:SourceRecord)-[:RESOLVES_TO]->(p:Person) "
           "RETURN r.mention_key AS k, p.person_id AS p")


@dataclass
class Phase:
    """Wall and CPU seconds of one phase."""

    name: str
    wall: float = 0.0
    cpu: float = 0.0
    server_cpu: float | None = None


def _server_process(settings: Settings) -> psutil.Process | None:
    """The managed Neo4j's JVM, whose CPU time counts too (None for an external server)."""
    if settings.neo4j_uri:
        return None
    pid = LocalNeo4j(settings).status().pid
    return psutil.Process(pid) if pid else None


def _cpu(process: psutil.Process | None) -> float | None:
    if process is None:
        return None
    times = process.cpu_times()
    return float(times.user + times.system)


@contextmanager
def timed(phase: Phase, server: psutil.Process | None) -> Iterator[Phase]:
    """Measure a block's wall time, this process's CPU and the server's CPU."""
    wall, cpu, server_cpu = time.monotonic(), time.process_time(), _cpu(server)
    try:
        yield phase
    finally:
        phase.wall = time.monotonic() - wall
        phase.cpu = time.process_time() - cpu
        after = _cpu(server)
        if after is not None and server_cpu is not None:
            phase.server_cpu = after - server_cpu


class RssTimeline:
    """Samples this process's resident memory every 50 ms, to find each phase's peak.

    ``run_link`` reports its phases' wall seconds in order; laying them end to end from the
    run's start gives each phase a window, and the samples in it its peak.
    """

    def __enter__(self) -> RssTimeline:
        self.began = time.monotonic()
        self.samples: list[tuple[float, int]] = []
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.samples.append((time.monotonic() - self.began, self._process.memory_info().rss))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def phase_peaks(self, phases: dict[str, float]) -> dict[str, float]:
        """Peak RSS in GB within each phase's window (phases in the order they ran)."""
        peaks, start = {}, 0.0
        for name, seconds in phases.items():
            inside = [rss for t, rss in self.samples if start <= t <= start + seconds]
            peaks[name] = round(max(inside, default=0) / 2**30, 2)
            start += seconds
        return peaks


def hold_back(full_dir: Path, base_dir: Path, file: str, mentions: int) -> int:
    """Copy the set into ``base_dir`` without the last data lines of ``file``.

    One line is one mention in the held file (one person per row), so ``mentions``
    lines are held back. Lines are cut as bytes, which keeps the file's encoding.

    Returns:
        The number of data lines held back.
    """
    if base_dir.exists():
        shutil.rmtree(base_dir)
    shutil.copytree(full_dir, base_dir, ignore=shutil.ignore_patterns("truth"))
    lines = (full_dir / file).read_bytes().splitlines(keepends=True)
    held = min(mentions, len(lines) - 1)
    (base_dir / file).write_bytes(b"".join(lines[: len(lines) - held]))
    return held


def _truth_size(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def _print_phase(phase: Phase, rows: int | None = None) -> None:
    server = f"{phase.server_cpu:7.1f}" if phase.server_cpu is not None else "      -"
    rate = f"{rows / phase.wall:9,.0f}/s wall {rows / phase.cpu:9,.0f}/s cpu" if rows else ""
    print(f"{phase.name:<26} wall {phase.wall:7.1f} s  cpu {phase.cpu:7.1f} s  "
          f"neo4j cpu {server} s  {rate}")


def _score(store: Store, truth_path: Path) -> dict[str, float]:
    report = evaluate_graph(store, read_truth(truth_path))
    print(f"  precision {report['precision']:.5f}  recall {report['recall']:.5f}  "
          f"f1 {report['f1']:.5f}  mentions {report['mentions']:.0f}  evaluated "
          f"{report['evaluated']:.0f}  review queue {report['review_queue']:.0f} "
          f"({report['review_share']:.3%})  auto-link {report['auto_link_rate']:.3f}")
    return report


def _guards(store: Store, kit: PrivacyKit, before: dict[str, str] | None = None
            ) -> tuple[dict[str, str], int, int]:
    """The two rules no figure may hide: no person holds two distinct valid ID numbers,
    and a mention linked before keeps its person id (unless two people were merged).

    Returns:
        ``mention → person`` now, the people holding two valid ID numbers, and the
        mentions linked before whose person id changed.
    """
    frame = load_mentions(store, kit.encryptor)
    valid = frame[frame["id_valid"] & frame["person_id"].notna()]
    two_ids = int((valid.groupby("person_id")["id_number"].nunique() > 1).sum())
    mapping = {str(k): str(v) for k, v in frame["person_id"].dropna().items()}
    del frame, valid
    moved = sum(mapping.get(k) != v for k, v in (before or {}).items())
    print(f"  people holding two distinct valid ID numbers {two_ids}"
          + ("" if before is None else f"  mentions whose person id changed {moved} "
             f"of {len(before)}"))
    return mapping, two_ids, moved


def _expected_mapping(store: Store, kit: PrivacyKit) -> dict[str, str]:
    """``mention → person`` as an incremental run over every mention would leave it (the
    path without a blocking-key index), computed in memory before the indexed run."""
    frame = load_mentions(store, kit.encryptor)
    is_new = frame["person_id"].isna()
    result = link(frame[is_new].drop(columns="person_id"), latest_settings(store),
                  existing=frame[~is_new], decisions=decisions_frame(store))
    return {str(k): str(v) for k, v in result.person_ids.items()}


def run(store: Store, kit: PrivacyKit, settings: Settings, base_dir: Path, steps: list[Path],
        args: argparse.Namespace) -> dict[str, float]:
    """Ingest, full link, then each incremental ingest + link; print every figure.

    Returns:
        The scale-curve row of this size (see :data:`CURVE`).
    """
    server = _server_process(settings)
    truth = steps[-1] / "truth" / "person_map.csv"
    options = IngestOptions(batch_rows=args.batch_rows)
    source = next(m.source for m in load_mappings().values() if m.file == args.held_file)

    with timed(Phase("ingest"), server) as ingest:
        report = ingest_directory(store, kit, base_dir, options)
    rows = report.to_dict()["totals"]["rows_read"]
    _print_phase(ingest, rows)
    print(f"  rows read {rows}  accepted {report.accepted}  quarantined "
          f"{len(report.quarantine)}  problems {len(report.problems)}")

    with timed(Phase("link (full)"), server) as full, RssTimeline() as memory:
        summary = run_link(store, kit, full=True, cache_dir=settings.link_cache_dir)
    _print_phase(full, summary.mentions)
    print(f"  mentions {summary.mentions}  persons {summary.persons}  households "
          f"{summary.households}  phases {summary.phases}")
    print(f"  peak RSS per phase (GB) {memory.phase_peaks(summary.phases)}")
    scores = _score(store, truth)
    mapping, two_ids, _ = _guards(store, kit)
    row = {"households": args.households, "mentions": summary.mentions,
           "link_wall_s": full.wall, "link_cpu_s": full.cpu,
           "precision": scores["precision"], "recall": scores["recall"],
           "review_share": scores["review_share"], "incremental_s": float("nan"),
           "two_valid_ids": two_ids, "ids_changed": 0}

    for number, step_dir in enumerate(steps, 1):
        before = store.read(MENTIONS)[0]["n"]
        with timed(Phase(f"ingest (held-back {number})"), server) as again:
            ingest_directory(store, kit, step_dir, IngestOptions(batch_rows=args.batch_rows,
                                                                 only={source}))
        _print_phase(again)
        expected = _expected_mapping(store, kit) if args.check_equal else None
        with timed(Phase(f"link (incremental {number})"), server) as incremental, \
                RssTimeline() as memory:
            summary = run_link(store, kit, cache_dir=settings.link_cache_dir)
        _print_phase(incremental)
        print(f"  mode {summary.mode}  new mentions {summary.new_mentions} (graph grew by "
              f"{store.read(MENTIONS)[0]['n'] - before})  read {summary.read_mentions} "
              f"in {summary.rounds} rounds  phases {summary.phases}")
        print(f"  peak RSS per phase (GB) {memory.phase_peaks(summary.phases)}")
        if expected is not None:
            actual = {r["k"]: r["p"] for r in store.read(MAPPING)}
            differ = sum(actual.get(k) != v for k, v in expected.items())
            print(f"  equal to a run over every mention: {differ == 0} "
                  f"({differ} of {len(expected)} mentions differ)")
        after = _score(store, truth)
        mapping, two_ids, moved = _guards(store, kit, mapping)
        row.update(two_valid_ids=max(two_ids, int(row["two_valid_ids"])),
                   ids_changed=int(row["ids_changed"]) + moved)
        row.update(incremental_s=incremental.wall, incremental_precision=after["precision"],
                   incremental_recall=after["recall"])
    print(f"truth mentions {_truth_size(truth)}")
    return row


CURVE = (("households", "{:>10,.0f}"), ("mentions", "{:>10,.0f}"),
         ("link_wall_s", "{:>9.1f}"), ("link_cpu_s", "{:>9.1f}"), ("peak_rss_gb", "{:>7.2f}"),
         ("kb_per_mention", "{:>8.2f}"), ("precision", "{:>9.5f}"), ("recall", "{:>9.5f}"),
         ("review_share", "{:>8.3%}"), ("incremental_s", "{:>9.1f}"),
         ("two_valid_ids", "{:>13.0f}"), ("ids_changed", "{:>11.0f}"))


def print_curve(rows: list[dict[str, float]]) -> None:
    """The scale curve: one line per size."""
    print("scale curve (full link at graph level; incremental = last batch)")
    print("  ".join(f"{name:>{len(fmt.format(0))}}" for name, fmt in CURVE))
    for row in rows:
        print("  ".join(fmt.format(row.get(name, float("nan"))) for name, fmt in CURVE))


def _curve(args: argparse.Namespace) -> None:
    """Run every size of ``--sizes`` in a process of its own and print the curve."""
    rows = []
    for number, households in enumerate(int(x) for x in args.sizes.split(",")):
        out = Path(f"/tmp/bench-link-graph-{households}.json")
        command = [sys.executable, __file__, "--households", str(households),
                   "--seed", str(args.seed + number), "--incremental", str(args.incremental),
                   "--batches", str(args.batches), "--held-file", args.held_file,
                   "--batch-rows", str(args.batch_rows), "--row-json", str(out), "--yes",
                   *(["--check-equal"] if args.check_equal else [])]
        subprocess.run(command, check=True)
        rows.append(json.loads(out.read_text(encoding="utf-8")))
        print_curve(rows)


def main() -> None:
    """Parse arguments, prepare the set and the graph, run, print peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="generated set (reused)")
    parser.add_argument("--held-file", default="yibao_medical.csv")
    parser.add_argument("--incremental", type=int, default=1000,
                        help="mentions held back for the incremental batch")
    parser.add_argument("--batches", type=int, default=2,
                        help="incremental batches in turn; the first after a server start "
                             "also pays Cypher planning of the incremental statements")
    parser.add_argument("--batch-rows", type=int, default=5000)
    parser.add_argument("--yes", action="store_true", help="clear a non-empty graph")
    parser.add_argument("--check-equal", action="store_true",
                        help="before each incremental run, link in memory over every mention "
                             "and check the graph ends up the same (costs a full read)")
    parser.add_argument("--sizes", help="comma-separated household counts: print the scale "
                        "curve (each size in its own process; clears the graph)")
    parser.add_argument("--row-json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # an indexed incremental run reports what it read, round by round
    logging.basicConfig(format="  %(message)s")
    logging.getLogger("hub.resolution.neighbourhood").setLevel(logging.DEBUG)
    if args.sizes:
        _curve(args)
        return
    set_dir = args.dir or Path(f"/tmp/gen{args.households}-{args.seed}")
    if not (set_dir / "truth" / "manifest.csv").is_file():
        began = time.monotonic()
        generate(set_dir, households=args.households, seed=args.seed)
        print(f"generated {args.households} households in {time.monotonic() - began:.1f} s")
    base_dir = set_dir.with_name(set_dir.name + "-base")
    held = hold_back(set_dir, base_dir, args.held_file, args.incremental * args.batches)
    steps = [set_dir.with_name(f"{set_dir.name}-step{number}")
             for number in range(1, args.batches)] + [set_dir]
    for number, step_dir in enumerate(steps[:-1], 1):
        hold_back(set_dir, step_dir, args.held_file,
                  args.incremental * (args.batches - number))
    print(f"households {args.households}; {held} lines of {args.held_file} held back, "
          f"ingested again in {args.batches} batches")
    settings = Settings.from_env()
    with Store.connect(settings) as store:
        if store.read(COUNT)[0]["n"] and not args.yes:
            raise SystemExit("the graph is not empty: pass --yes to clear it")
        store.run_autocommit(CLEAR_GRAPH)
        migrate(store)
        row = run(store, open_privacy(settings), settings, base_dir, steps, args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process {peak:,.0f} MB")
    row.update(peak_rss_gb=peak / 1024, kb_per_mention=peak * 1024 / row["mentions"])
    print_curve([row])
    if args.row_json:
        args.row_json.write_text(json.dumps(row), encoding="utf-8")


if __name__ == "__main__":
    main()

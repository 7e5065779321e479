"""``hub privacy scan`` benchmark: wall and CPU time on a generated county-size graph.

    .venv/bin/python bench/bench_privacy_scan.py --households 60000 [--dir DIR] [--link]
        [--plant-link-run] [--baseline] [--workers 2] [--yes]

Uses the configured Neo4j (HUB_DATA_DIR / HUB_NEO4J_PORT or NEO4J_URI, as ``hub`` does).
When its graph is empty (or with --yes, after clearing it) the set is generated once into
DIR and ingested; --link then runs a full link (about 10 GB and 5 minutes at 60,000
households), --plant-link-run adds a ``LinkRun`` whose model parameters are floats with
long decimals whose digits pass the Luhn check (the false alarm of issue 20) instead.

Prints, for the scan (names searched) and with --baseline for the scan as it was before
issue 20 (every property of every node streamed to Python and checked there, no names):
nodes, relationships, properties, findings, wall seconds, CPU seconds of this process and
of the managed Neo4j. The machine may be shared: CPU seconds show what the scan costs.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from bench_ingest import _cpu, _server_process  # bench/ is on the path of its scripts

from graph_schema import migrate
from graph_schema.queries.maintenance import CLEAR_GRAPH
from hub.config import Settings
from hub.datasets import generate
from hub.ingest.run import IngestOptions, ingest_directory
from hub.privacy_graph.kit import PrivacyKit, open_privacy
from hub.privacy_graph.scan import scan_graph
from hub.store import Store
from privacy.scan import find_identifiers, luhn_valid

COUNT = "MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n"
PLANT = ("MERGE (r:LinkRun {run_id: 'L-bench-planted'}) SET r.mode = 'full', "
         "r.settings_json = $settings, r.finished_at = datetime('2000-01-01T00:00:00Z')")
# the scan before issue 20: every property to Python
BASELINE_QUERIES = (
    "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props",
    "MATCH ()-[r]->() RETURN elementId(r) AS id, [type(r)] AS labels, properties(r) AS props",
)


def _luhn_float(prefix: str) -> float:
    return float(next(prefix + d for d in "0123456789" if luhn_valid((prefix + d)[2:])))


def planted_settings() -> str:
    """Model parameters like a county-size run's: long decimals, digit runs passing Luhn."""
    m = [_luhn_float("0.037512345678906"), _luhn_float("0.999912345678997"), 0.5]
    return json.dumps({"m_probabilities": m, "u_probabilities": m[::-1], "prior": m[0]},
                      indent=2)


def baseline_scan(store: Store) -> dict[str, Any]:
    """The scan as it was: stream every property, check each string in Python."""
    strings = 0
    found: Counter[tuple[str, str, str]] = Counter()
    for query in BASELINE_QUERIES:
        for record in store.stream(query):
            label = ":".join(sorted(record["labels"]))
            for name, value in record["props"].items():
                texts = [value] if isinstance(value, str) else (
                    [v for v in value if isinstance(v, str)] if isinstance(value, list) else [])
                for text in texts:
                    strings += 1
                    if not (name.startswith("bi_") and len(text) == 16):
                        for hit in find_identifiers(text):
                            found[(label, name, hit.kind)] += 1
    return {"properties": strings, "findings": sum(found.values()), "detail": dict(found)}


def new_scan(store: Store, kit: PrivacyKit, workers: int) -> dict[str, Any]:
    """The schema-driven scan, names searched."""
    report = scan_graph(store, encryptor=kit.encryptor, workers=workers)
    return {"nodes": report.nodes, "relationships": report.relationships,
            "properties": report.properties, "names": report.names,
            "findings": len(report.findings),
            "detail": Counter((f.label, f.property, f.kind) for f in report.findings)}


def _measure(run: Callable[[], dict[str, Any]], server: psutil.Process | None
             ) -> dict[str, Any]:
    began, cpu, server_cpu = time.monotonic(), time.process_time(), _cpu(server)
    result = run()
    return {**result, "wall": time.monotonic() - began, "cpu": time.process_time() - cpu,
            "server_cpu": _cpu(server) - server_cpu}


def _prepare(store: Store, kit: PrivacyKit, args: argparse.Namespace) -> None:
    if store.read(COUNT)[0]["n"]:
        if not args.yes:
            print("graph not empty: scanning it as it is (--yes to clear and reload)")
            return
        store.run_autocommit(CLEAR_GRAPH)
    set_dir = args.dir or Path(f"/tmp/gen{args.households}-{args.seed}")
    if not (set_dir / "truth" / "manifest.csv").is_file():
        generate(set_dir, households=args.households, seed=args.seed)
    migrate(store)
    began = time.monotonic()
    report = ingest_directory(store, kit, set_dir, IngestOptions(batch_rows=5000))
    print(f"ingested {report.to_dict()['totals']['accepted']} rows "
          f"in {time.monotonic() - began:.0f} s")
    if args.link:
        from hub.resolution import run_link

        began = time.monotonic()
        summary = run_link(store, kit)
        print(f"linked {summary.mentions} mentions in {time.monotonic() - began:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--link", action="store_true", help="full link after ingest")
    parser.add_argument("--plant-link-run", action="store_true",
                        help="add a LinkRun with long-decimal model parameters")
    parser.add_argument("--baseline", action="store_true",
                        help="also time the scan as it was before issue 20")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--yes", action="store_true", help="clear a non-empty graph")
    args = parser.parse_args()
    settings = Settings.from_env()
    with Store.connect(settings) as store:
        kit = open_privacy(settings)
        _prepare(store, kit, args)
        if args.plant_link_run:
            store.write(PLANT, settings=planted_settings())
        server = _server_process(settings)
        rows = [("scan", _measure(lambda: new_scan(store, kit, args.workers), server))]
        if args.baseline:
            rows.append(("baseline", _measure(lambda: baseline_scan(store), server)))
    for name, row in rows:
        print(f"{name:<9} wall {row['wall']:7.1f} s   cpu hub {row['cpu']:7.1f} s   "
              f"neo4j {row['server_cpu']:7.1f} s   properties {row['properties']:,}   "
              f"findings {row['findings']}")
        for (label, prop, kind), count in sorted(row["detail"].items()):
            print(f"          {label}.{prop}: {kind} × {count}")
        if name == "scan":
            print(f"          {row['nodes']:,} nodes, {row['relationships']:,} relationships, "
                  f"{row['names']:,} residents' names searched")


if __name__ == "__main__":
    main()

"""Verification benchmark: ``verify_household`` latency over every household of the graph.

Run against a graph already built by ``hub ingest DIR`` and ``hub link run`` (the sample,
or a generated set: ``hub demo generate --households 20000 --seed 7 DIR``)::

    python bench/bench_verify.py [--as-of 2026-10-31] [--limit N] [--batch 200]

Benchmarks are classes with ``setup`` and ``time_*`` methods (asv style); ``main`` runs
them once and prints p50/p95/p99 of single-household verification (one gather round trip
plus the rules, as a caseworker's request would run it), the split between gathering and
deciding, and the throughput of batched verification. The goal is p95 ≤ 50 ms on a
20,000-household graph.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from datetime import date

from graph_schema.queries import verification as q
from hub.config import Settings
from hub.privacy_kit import open_privacy
from hub.rules.verify import Verifier
from hub.store import Store


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class VerifyBench:
    """Single-household and batched verification over the whole graph."""

    def setup(self, store: Store, verifier: Verifier, as_of: date, limit: int | None) -> None:
        ids = [r["household_id"] for r in store.read(q.ALL_HOUSEHOLD_IDS)]
        self.ids = ids[:limit] if limit else ids
        self.verifier = verifier
        self.as_of = as_of
        for hid in self.ids[:50]:  # warm the query plan and the connection pool
            verifier.verify_household_id(hid, as_of)

    def time_single(self) -> dict[str, list[float]]:
        """Each household on its own: gather (one round trip) + decide."""
        gather, decide, total = [], [], []
        self.categories: Counter[str] = Counter()
        for hid in self.ids:
            t0 = time.perf_counter()
            facts = self.verifier.gather([hid])[hid]
            t1 = time.perf_counter()
            d = self.verifier.decide(facts, self.as_of)
            t2 = time.perf_counter()
            self.categories[d.category] += 1
            gather.append((t1 - t0) * 1000)
            decide.append((t2 - t1) * 1000)
            total.append((t2 - t0) * 1000)
        return {"gather": gather, "decide": decide, "total": total}

    def time_batched(self, batch: int) -> float:
        """Households per second when verified ``batch`` per round trip."""
        t0 = time.perf_counter()
        self.verifier.verify_many(self.ids, self.as_of, batch=batch)
        return len(self.ids) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-10-31")
    parser.add_argument("--limit", type=int, default=None, help="households to time")
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    settings = Settings.from_env()
    with Store.connect(settings) as store:
        bench = VerifyBench()
        bench.setup(store, Verifier(store, open_privacy(settings)),
                    date.fromisoformat(args.as_of), args.limit)
        timings = bench.time_single()
        rate = bench.time_batched(args.batch)
    print(f"households: {len(bench.ids)}  as-of {args.as_of}")
    print(f"{'part':<8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for part, values in timings.items():
        print(f"{part:<8}{statistics.median(values):>10.1f}{percentile(values, .95):>10.1f}"
              f"{percentile(values, .99):>10.1f}{max(values):>10.1f}")
    print(f"batched ({args.batch}/round trip): {rate:.0f} households/s")
    print("categories: " + ", ".join(f"{k} {v}" for k, v in bench.categories.most_common()))
    goal = percentile(timings["total"], .95) <= 50
    print(f"goal p95 <= 50 ms: {'met' if goal else 'NOT met'}")


if __name__ == "__main__":
    main()

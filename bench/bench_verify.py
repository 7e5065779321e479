"""Verification benchmark: ``verify_household`` latency over every household of the graph.

Run against a graph already built by ``hub ingest DIR`` and ``hub link run`` (the sample,
or a generated set: ``hub demo generate --households 20000 --seed 7 DIR``)::

    python bench/bench_verify.py [--as-of 2026-10-31] [--limit N] [--batch 200] \
        [--truth DIR/truth]

Benchmarks are classes with ``setup`` and ``time_*`` methods (asv style); ``main`` runs
them once and prints p50/p95/p99 of single-household verification (one gather round trip
plus the rules, as a caseworker's request would run it), the split between gathering and
deciding, and the throughput of batched verification. The goal is p95 ≤ 50 ms on a
20,000-household graph. With ``--truth`` it also prints the agreement with the set's
``eligibility.csv`` (category, amount, 单人户 and 特困 members) and every disagreement.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

from graph_schema.queries import verification as q
from hub.config import Settings
from hub.privacy_graph.kit import open_privacy
from hub.rules.model import Determination
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


# mention keys are "<source>:<record id>:<role>": a prefix seek on the unique key index
_HUKOU_TO_PERSON = """
UNWIND $ids AS rid
MATCH (r:SourceRecord) WHERE r.mention_key STARTS WITH 'gongan_hukou:' + rid + ':'
MATCH (r)-[:RESOLVES_TO]->(p:Person)
RETURN rid, p.person_id AS person_id
"""


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _disagreement(d: Determination | None, row: dict[str, str],
                  uid: dict[str, str]) -> str | None:
    """None when ``d`` agrees with a truth row, else what differs."""
    if d is None:
        return "household not in the graph"
    problems = []
    if d.category != row["category"]:
        problems.append(f"category {d.category} != {row['category']}")
    if d.monthly_amount != Decimal(row["expected_monthly_amount"]):
        problems.append(f"amount {d.monthly_amount} != {row['expected_monthly_amount']}")
    if set(d.single_person) != {uid.get(u) for u in row["individual_dibao_uids"].split(";")
                                if u}:
        problems.append("单人户 members differ")
    if set(d.tekun_person_ids) != {uid.get(u) for u in row["tekun_uids"].split(";") if u}:
        problems.append("特困 members differ")
    if not problems:
        return None
    ours = {k: d.figures.get(k) for k in ("living_members", "income_total",
                                          "rigid_expense_12m", "financial_assets")}
    return f"{'; '.join(problems)} | ours {ours} {d.asset_issues} | truth {dict(row)}"


def agreement(verifier: Verifier, truth: Path, as_of: date) -> tuple[int, dict[str, str]]:
    """Households of ``truth/eligibility.csv`` verified in bulk; (agreeing, disagreements)."""
    hid = {r["household_uid"]: "HH" + verifier.kit.indexer.generic(
        r["hukou_no"], purpose="hukou_no")[:16] for r in _csv(truth / "households.csv")}
    hukou = [r for r in _csv(truth / "person_map.csv") if r["file"] == "gongan_hukou.csv"]
    found = {r["rid"]: r["person_id"] for r in verifier.store.read(
        _HUKOU_TO_PERSON, ids=[r["record_id"] for r in hukou])}
    uid = {r["person_uid"]: found[r["record_id"]] for r in hukou if r["record_id"] in found}
    results = verifier.verify_many(list(hid.values()), as_of)
    wrong = {}
    for row in _csv(truth / "eligibility.csv"):
        why = _disagreement(results.get(hid[row["household_uid"]]), row, uid)
        if why is not None:
            wrong[row["household_uid"]] = why
    return len(hid) - len(wrong), wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-10-31")
    parser.add_argument("--limit", type=int, default=None, help="households to time")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--truth", type=Path, help="a set's truth/ directory")
    args = parser.parse_args()
    settings = Settings.from_env()
    with Store.connect(settings) as store:
        bench = VerifyBench()
        bench.setup(store, Verifier(store, open_privacy(settings)),
                    date.fromisoformat(args.as_of), args.limit)
        timings = bench.time_single()
        rate = bench.time_batched(args.batch)
        agreed = agreement(bench.verifier, args.truth, bench.as_of) if args.truth else None
    print(f"households: {len(bench.ids)}  as-of {args.as_of}")
    print(f"{'part':<8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for part, values in timings.items():
        print(f"{part:<8}{statistics.median(values):>10.1f}{percentile(values, .95):>10.1f}"
              f"{percentile(values, .99):>10.1f}{max(values):>10.1f}")
    print(f"batched ({args.batch}/round trip): {rate:.0f} households/s")
    print("categories: " + ", ".join(f"{k} {v}" for k, v in bench.categories.most_common()))
    goal = percentile(timings["total"], .95) <= 50
    print(f"goal p95 <= 50 ms: {'met' if goal else 'NOT met'}")
    if agreed is not None:
        agreeing, wrong = agreed
        print(f"agreement with truth: {agreeing}/{agreeing + len(wrong)}")
        for household, why in sorted(wrong.items()):
            print(f"  {household}: {why}")


if __name__ == "__main__":
    main()

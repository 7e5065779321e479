"""Monitoring benchmarks: full run time, re-run time, pre-grant ``overlaps`` latency.

Runs against the graph the environment points at (``HUB_DATA_DIR`` / ``HUB_NEO4J_PORT`` or
``NEO4J_URI``), which must already hold a set ingested and linked::

    hub demo generate --households 20000 --seed 7 DIR   # or hub.datasets.generator.generate
    hub ingest DIR && hub link run
    python bench/bench_monitoring.py --as-of 2026-10-31 [--truth DIR/truth]

Goals (issue 8): a full run ≤ 60 s on 20,000 households, ``overlaps`` p95 ≤ 20 ms (timed
on the service, and end to end over the API: token check, policy, audit append). With
``--truth`` it also prints recall and precision per type against ``anomalies.csv``.
Benchmarks are classes with ``setup`` and ``time_*`` methods (asv style); ``main`` runs
each once and prints one table.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for tests.hub.monitoring.truth when run as a script
    sys.path.insert(0, str(ROOT))

from graph_schema.queries.maintenance import DROP_ALERTS  # noqa: E402
from hub.config import Secret, Settings  # noqa: E402
from hub.monitoring import CASE_TYPES, overlaps, run_monitoring  # noqa: E402
from hub.privacy_graph.kit import PrivacyKit, open_privacy  # noqa: E402
from hub.store import Store  # noqa: E402

_HOUSEHOLDS = "MATCH (h:Household) RETURN count(h) AS n"
_PERSONS = "MATCH (p:Person) WHERE p.bi_id IS NOT NULL RETURN p.person_id AS id, p.bi_id AS bi"


class MonitoringRunBench:
    """A full monitoring run from an empty alert store, then a re-run (nothing new)."""

    def setup(self, store: Store, kit: PrivacyKit, as_of: date) -> None:
        self.store, self.kit, self.as_of = store, kit, as_of
        store.run_autocommit(DROP_ALERTS)

    def time_full_run(self) -> dict[str, object]:
        began = time.perf_counter()
        run = run_monitoring(self.store, self.kit, as_of=self.as_of)
        self.findings = run.findings
        return {"seconds": time.perf_counter() - began, "alerts": run.created,
                "found": run.found}

    def time_rerun(self) -> dict[str, object]:
        began = time.perf_counter()
        run = run_monitoring(self.store, self.kit, as_of=self.as_of)
        return {"seconds": time.perf_counter() - began, "created": run.created,
                "closed": run.closed}


class OverlapsBench:
    """``overlaps`` latency over random people, by person id and by ID blind index."""

    def setup(self, store: Store, as_of: date, samples: int, seed: int = 7) -> None:
        self.store, self.as_of = store, as_of
        people = store.read(_PERSONS)
        self.people = random.Random(seed).sample(people, min(samples, len(people)))

    def time_overlaps(self) -> dict[str, float]:
        times = []
        for i, person in enumerate(self.people):
            began = time.perf_counter()
            if i % 2:
                overlaps(self.store, bi_id=person["bi"], as_of=self.as_of, programme="城市低保")
            else:
                overlaps(self.store, person_id=person["id"], as_of=self.as_of)
            times.append((time.perf_counter() - began) * 1000)
        return _latency(times)


def _latency(times: list[float]) -> dict[str, float]:
    times.sort()
    return {"calls": len(times), "p50_ms": statistics.median(times),
            "p95_ms": times[int(0.95 * (len(times) - 1))], "max_ms": times[-1]}


class OverlapsApiBench:
    """``overlaps`` end to end: an HTTP POST through the app (auth, policy, audit append)."""

    QUERY = ("query($p: String!) { overlaps(person: $p, programme: \"城市低保\", "
             "asOf: \"2026-10-31\") { personFound receiving conflicts "
             "programmes { programme department via } } }")

    def setup(self, settings: Settings, store: Store, people: list[dict[str, Any]]) -> None:
        from starlette.testclient import TestClient

        from hub.app import create_app
        from hub.auth import issue_dev_token

        secret = secrets.token_urlsafe(32)
        app = create_app(settings.with_overrides(jwt_secret=Secret(secret), dev_mode=False,
                                                 rate_limit_per_minute=1_000_000), store)
        self.client = TestClient(app)
        bearer = issue_dev_token(secret, subject="bench", org="医保", roles=["department"],
                                 regions=["659001"])
        self.headers = {"Authorization": f"Bearer {bearer}", "X-Purpose": "overlap_check"}
        self.people = people

    def time_overlaps(self) -> dict[str, float]:
        times = []
        with self.client:
            for person in self.people:
                began = time.perf_counter()
                response = self.client.post("/graphql", headers=self.headers, json={
                    "query": self.QUERY, "variables": {"p": person["id"]}})
                times.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(f"overlaps failed: {response.text[:200]}")
        return _latency(times)


def quality(store: Store, kit: PrivacyKit, truth: Path, findings: list) -> list[str]:
    """Recall / precision per section-8 type against ``truth/anomalies.csv``."""
    from tests.hub.monitoring.truth import TruthMap, finding_key, score

    truth_map = TruthMap(store, kit, truth)
    cases = [f for f in findings if f.type in CASE_TYPES]
    lines = [f"{kind:<30} truth {s.truth:>4}  found {s.found:>4}  extra {s.extra:>3}  "
             f"recall {s.recall:.3f}  precision {s.precision:.3f}"
             for kind, s in score(truth_map.expected(), cases).items()]
    alerted = {finding_key(f) for f in findings}
    lines.append(f"near misses alerted: {len(truth_map.near_miss_keys() & alerted)}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-10-31")
    parser.add_argument("--samples", type=int, default=500, help="overlaps calls")
    parser.add_argument("--truth", type=Path, help="a set's truth/ directory")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    settings = Settings.from_env()
    kit = open_privacy(settings)
    with Store.connect(settings) as store:
        households = store.read(_HOUSEHOLDS)[0]["n"]
        run_bench = MonitoringRunBench()
        run_bench.setup(store, kit, as_of)
        full = run_bench.time_full_run()
        again = run_bench.time_rerun()
        lookup = OverlapsBench()
        lookup.setup(store, as_of, args.samples)
        latency = lookup.time_overlaps()
        api = OverlapsApiBench()
        api.setup(settings, store, lookup.people)
        over_api = api.time_overlaps()
        print(f"households {households}")
        print(f"full run     {full['seconds']:8.2f} s   alerts {full['alerts']}  {full['found']}")
        print(f"re-run       {again['seconds']:8.2f} s   created {again['created']}  "
              f"closed {again['closed']}")
        print(f"overlaps     p50 {latency['p50_ms']:.2f} ms  p95 {latency['p95_ms']:.2f} ms  "
              f"max {latency['max_ms']:.2f} ms  ({latency['calls']:.0f} calls)")
        print(f"overlaps API p50 {over_api['p50_ms']:.2f} ms  p95 {over_api['p95_ms']:.2f} ms  "
              f"max {over_api['max_ms']:.2f} ms  ({over_api['calls']:.0f} calls)")
        if args.truth:
            for line in quality(store, kit, args.truth, run_bench.findings):
                print(line)


if __name__ == "__main__":
    main()

"""Load test: the mixed workload (``bench/locust_hub.py``) against ``hub serve --workers N``.

Prepares a plan from the configured graph (targets, tokens signed with a fresh secret,
verification consents so ``verifyHousehold`` answers, a charity donation, monitoring
alerts), serves the API with N workers on 127.0.0.1, runs locust headless, bounded by
``--requests`` and ``--run-time``, then checks what counts afterwards:

- every failure locust saw is classified (``load_faults.classify_failures``): a 503 with
  ``Retry-After`` is retryable, a connection reset by a killed worker is counted apart,
  anything else (a 500, a GraphQL error, a 503 without ``Retry-After``, a request
  unanswered after ``--request-timeout`` s) fails the run; without a fault injected,
  every failure does;
- every write locust saw acknowledged (consents, alert status changes, aid reports) is
  counted in the graph: "lost" must be 0;
- every request answered 200 without errors has an audit event with its correlation id
  (``X-Correlation-ID``) for the personal-data reads and the writes: "missing" must be 0;
- ``hub audit verify`` passes.

Options for issue 17:

- ``--ceiling``: before the mixed run, ``household``, ``aidChain`` and ``overlaps`` one
  kind at a time at ``--users`` concurrency, as raw Cypher through the driver and through
  the API (``load_ceiling.py``); a table of both and their ratio;
- ``--kill-neo4j-at S`` (restarted with ``hub neo4j start`` after ``--neo4j-down`` s)
  and ``--kill-worker-at S``: SIGKILL mid-run (``load_faults.py``); requests must still
  succeed after the restart;
- ``--soak S --rate R``: S seconds at about R requests/s in all (each user paced), no
  request budget, no failure allowed; RSS of the supervisor, every worker and Neo4j is
  sampled every ``--rss-every`` s (always; reported with start, end, max and growth).

It prints locust's figures per request kind (p50, p95, requests/s, failures)::

    python bench/bench_load.py --reuse --workers 2 --users 20 --requests 20000 --run-time 600
    python bench/bench_load.py --reuse --workers 2 --users 20 --requests 20000 --ceiling \\
        --kill-neo4j-at 120 --kill-worker-at 300 --run-time 900
    python bench/bench_load.py --reuse --workers 2 --users 20 --soak 1800 --rate 50
    python bench/bench_load.py --households 300 --requests 300 --run-time 60   # a smoke run

Needs the ``bench`` extra (``pip install -e '.[bench]'``: locust). The plan file holds
bench tokens and the synthetic set's ID numbers for ``reportAid``; it lives in a private
temporary directory removed at the end (``--keep DIR`` copies the JSON-lines files,
locust's statistics and the RSS samples there first; never the plan).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from bench_api import (  # bench/ is on the scripts' path
    MEMBERS_ID,
    RECORD_CONSENT,
    TARGETS,
    Server,
    load_generated_set,
)
from load_ceiling import print_ceiling, run_ceiling
from load_faults import Faults, RssSampler, classify_failures, print_failures, read_jsonl

from hub.auth import issue_dev_token
from hub.config import Secret, Settings
from hub.store import Store

HERE = Path(__file__).resolve().parent
VERIFIER_ORG = "核对中心"
CASEWORKER_ORG = "民政"
# answered requests that must each have an audit event: personal-data reads and writes
AUDITED = ("household", "aidChain", "overlaps", "verifyHousehold", "recordConsent",
           "updateAlertStatus", "reportAid")
NEW_ALERTS = """
MATCH (a:Alert {status: 'new'}) WHERE a.department IS NOT NULL
RETURN a.alert_key AS key, a.department AS department LIMIT $n
"""
LATEST_DONATION = """
MATCH (d:Donation) RETURN d.donation_id AS id ORDER BY d.donation_id DESC LIMIT 1
"""
COUNT_CONSENTS = "MATCH (c:Consent) WHERE c.consent_id IN $keys RETURN count(c) AS n"
COUNT_SENT = ("MATCH (a:Alert) WHERE a.alert_key IN $keys AND a.status <> 'new' "
              "RETURN count(a) AS n")
COUNT_AID = "MATCH (a:AidRecord) WHERE a.fact_key IN $keys RETURN count(a) AS n"
UNAUDITED = """
UNWIND $ids AS id
OPTIONAL MATCH (e:AuditEvent {correlation_id: id})
WITH id, count(e) AS events WHERE events = 0
RETURN collect(id) AS missing
"""
AUDIT_BATCH = 5000


def _token(secret: str, org: str, role: str, regions: list[str], name: str) -> str:
    return issue_dev_token(secret, subject=f"load-{name}", org=org, roles=[role],
                           regions=regions, ttl=timedelta(hours=12))


def _ask(url: str, token: str, purpose: str, query: str, **variables: Any) -> Any:
    response = httpx.post(f"{url}/graphql", timeout=120, json={
        "query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}", "X-Purpose": purpose})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"setup request refused: {response.status_code} "
                         f"{body.get('errors', [{}])[0].get('extensions')}")
    return body["data"]


def _charity_donation(store: Store, settings: Settings, url: str) -> str | None:
    """Run the charity demo through the served API once; the donation it published."""
    from hub.charity.demo import run_charity_demo
    from hub.charity.model import CharityError

    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            run_charity_demo(store, settings, client, emit=lambda line: None, recipients=8)
    except CharityError as exc:
        print(f"charity matches left out: {exc}")
        return None
    rows = store.read(LATEST_DONATION)
    return str(rows[0]["id"]) if rows else None


def prepare_plan(store: Store, settings: Settings, url: str, secret: str,
                 args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Targets, tokens, consents and a donation: what the locust users need."""
    targets = store.read(TARGETS)
    if not targets:
        raise SystemExit("the graph holds no households; load a set first")
    regions = sorted({t["region_code"] for t in targets if t["region_code"]})
    tokens = {"caseworker": _token(secret, CASEWORKER_ORG, "caseworker", regions, "case"),
              "verifier": _token(secret, VERIFIER_ORG, "verifier", regions, "verify"),
              "department": _token(secret, "医保", "department", regions, "dept")}
    consented, id_numbers = [], []
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    for target in targets[:args.consented]:
        _ask(url, tokens["caseworker"], "aid_administration", RECORD_CONSENT, c={
            "subjectKind": "HOUSEHOLD", "subjectId": target["household_id"],
            "purpose": "verification", "grantee": VERIFIER_ORG, "expiresAt": expires,
            "evidenceRef": "LOAD-SETUP"})
        consented.extend(target["people"])
        household = _ask(url, tokens["caseworker"], "aid_administration", MEMBERS_ID,
                         h=target["household_id"])["household"]
        id_numbers.extend({"id_number": m["person"]["idNumber"],
                           "region_code": household["regionCode"]}
                          for m in household["members"] if m["person"]["idNumber"])
    alerts = store.read(NEW_ALERTS, n=args.requests)
    for department in {a["department"] for a in alerts}:
        tokens[f"alerts:{department}"] = _token(secret, department, "caseworker", regions,
                                                f"alerts-{len(tokens)}")
    signing = settings.with_overrides(jwt_secret=Secret(secret), dev_mode=False)
    donation = _charity_donation(store, signing, url) if args.charity else None
    if donation:
        from hub.charity.demo import DEMO_CHARITY

        tokens["charity"] = _token(secret, DEMO_CHARITY, "charity", regions, "charity")
    return {"tokens": tokens, "households": [t["household_id"] for t in targets],
            "people": [p for t in targets for p in t["people"]], "regions": regions,
            "consented_people": consented, "id_numbers": id_numbers, "alerts": alerts,
            "donation": donation, "verifier_org": VERIFIER_ORG,
            "caseworker_org": CASEWORKER_ORG,
            "requests": None if args.soak else args.requests,
            "rate_per_user": args.rate / args.users if args.soak else None,
            "request_timeout": args.request_timeout, "max_backoff": args.max_backoff,
            "acks": str(folder / "acks.jsonl"), "answered": str(folder / "answered.jsonl"),
            "failures": str(folder / "failures.jsonl")}


def run_locust(url: str, plan_path: Path, args: argparse.Namespace, folder: Path,
               seconds: int) -> Path:
    """Locust headless on the plan, bounded by the budget and the run time; its final
    statistics as JSON (written at shutdown, unlike the CSV, which lags by a second)."""
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locust_hub.py"),
               "--headless", "--only-summary", "-u", str(args.users), "-r", str(args.users),
               "--run-time", f"{seconds}s", "--stop-timeout", "30", "--host", url,
               "--json-file", str(folder / "locust_stats"), "--loglevel", "WARNING"]
    subprocess.run(command, env=dict(os.environ, HUB_LOAD_PLAN=str(plan_path)), check=False,
                   timeout=seconds + 300)
    return folder / "locust_stats.json"


def _percentile(times: dict[str, int], count: int, share: float) -> int:
    """The ``share`` percentile (ms) of locust's response-time histogram."""
    rank = max(1, math.ceil(share * count))
    seen = 0
    for value in sorted(times, key=float):
        seen += times[value]
        if seen >= rank:
            return round(float(value))
    return 0


def read_figures(stats: Path) -> dict[str, dict[str, float]]:
    """n, p50, p95 (ms), requests/s and failures per request kind, and ``Aggregated``."""
    if not stats.exists():
        return {}
    entries = json.loads(stats.read_text("utf-8"))
    total: dict[str, int] = Counter()
    figures: dict[str, dict[str, float]] = {}
    for entry in sorted(entries, key=lambda e: e["name"]):
        times, n = entry["response_times"], entry["num_requests"]
        total.update(times)
        span = max(entry["last_request_timestamp"] - entry["start_time"], 1e-9)
        figures[entry["name"]] = {"n": n, "p50": _percentile(times, n, 0.50),
                                  "p95": _percentile(times, n, 0.95), "rate": n / span,
                                  "failures": entry["num_failures"]}
    if entries:
        n = sum(e["num_requests"] for e in entries)
        span = max(max(e["last_request_timestamp"] for e in entries)
                   - min(e["start_time"] for e in entries), 1e-9)
        figures["Aggregated"] = {"n": n, "p50": _percentile(total, n, 0.50),
                                 "p95": _percentile(total, n, 0.95), "rate": n / span,
                                 "failures": sum(e["num_failures"] for e in entries)}
    return figures


def print_figures(figures: dict[str, dict[str, float]]) -> None:
    """Locust's per-request figures, one line each (failures included in n and times)."""
    for name, row in figures.items():
        print(f"{name:<18} n={row['n']:>6}  p50={row['p50']:>6} ms  p95={row['p95']:>6} ms  "
              f"{row['rate']:7.1f} req/s  failures={row['failures']}")


def count_acknowledged(store: Store, acks: Path) -> bool:
    """Every acknowledged write counted in the graph; True when none is missing."""
    keys: dict[str, list[str]] = {"consent": [], "alert_sent": [], "aid": []}
    for entry in read_jsonl(acks):
        keys[entry["kind"]].append(entry["key"])
    found = {"consent": store.read(COUNT_CONSENTS, keys=keys["consent"])[0]["n"],
             "alert_sent": store.read(COUNT_SENT, keys=keys["alert_sent"])[0]["n"],
             "aid": store.read(COUNT_AID, keys=keys["aid"])[0]["n"]}
    lost = Counter({k: len(set(v)) - found[k] for k, v in keys.items()})
    for kind, values in keys.items():
        print(f"acknowledged {kind:<10} {len(values):>6}  in the graph {found[kind]:>6}  "
              f"lost {lost[kind]}")
    return sum(lost.values()) == 0


def unaudited(store: Store, ids: list[str]) -> list[str]:
    """The correlation ids of ``ids`` without any audit event (batched ``UNWIND``)."""
    missing: list[str] = []
    for start in range(0, len(ids), AUDIT_BATCH):
        rows = store.read(UNAUDITED, ids=ids[start:start + AUDIT_BATCH])
        missing.extend(rows[0]["missing"] if rows else [])
    return missing


def audit_coverage(store: Store, answered: Path) -> bool:
    """Every answered request of the audited kinds has an audit event with its
    correlation id; True when none is missing (an answer without the header is missing).

    The other kinds (alert listing, de-identified charity matches) are counted and
    printed, not required.
    """
    by_kind: dict[str, list[str]] = {}
    for entry in read_jsonl(answered):
        by_kind.setdefault(entry["name"], []).append(entry.get("cid") or "")
    complete = True
    for kind, ids in sorted(by_kind.items()):
        missing = unaudited(store, sorted({i for i in ids if i}))
        without = sum(1 for i in ids if not i)
        required = kind in AUDITED
        complete = complete and (not required or (not missing and not without))
        note = "" if required else "  (not required: no personal data)"
        print(f"audited {kind:<18} answered {len(ids):>6}  with an event "
              f"{len(ids) - len(missing) - without:>6}  missing {len(missing) + without}"
              f"{note}")
        for cid in missing[:5]:
            print(f"  no audit event for correlation id {cid}")
    return complete


def answered_after(answered: Path, moment: float | None) -> int:
    """How many requests were answered after ``moment`` (``time.time()``)."""
    if moment is None:
        return 0
    return sum(1 for entry in read_jsonl(answered) if entry["t"] > moment)


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace,
                    settings: Settings) -> None:
    """Refuse combinations that cannot run."""
    if args.soak and not args.rate:
        parser.error("--soak needs --rate (requests per second in all)")
    if args.rate and not args.soak:
        parser.error("--rate paces a soak: give --soak SECONDS too")
    if args.kill_neo4j_at is not None and settings.uses_external_neo4j:
        parser.error("--kill-neo4j-at kills and restarts the managed Neo4j only "
                     "(NEO4J_URI is set)")
    if args.kill_worker_at is not None and (args.workers or settings.worker_count) < 2:
        parser.error("--kill-worker-at needs --workers 2 or more (one worker serves in the "
                     "supervisor's own process)")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, prepare, serve, load, check; exit 1 if a request failed for real,
    a write was lost, an answer was not audited or the audit log does not verify."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--households", type=int, help="generate, ingest and link N first")
    source.add_argument("--reuse", action="store_true", help="use the graph as it is")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=None, help="API worker processes")
    parser.add_argument("--users", type=int, default=20, help="concurrent locust users")
    parser.add_argument("--requests", type=int, default=2000, help="request budget")
    parser.add_argument("--run-time", type=int, default=60, help="seconds at most")
    parser.add_argument("--consented", type=int, default=20,
                        help="households given a verification consent first")
    parser.add_argument("--no-charity", dest="charity", action="store_false",
                        help="leave charity matches out (no donation set up)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--server-log", help="append the server's output to this file")
    parser.add_argument("--request-timeout", type=float, default=60.0,
                        help="seconds before an unanswered request counts as a hang")
    parser.add_argument("--max-backoff", type=float, default=10.0,
                        help="longest wait a user makes when told Retry-After")
    parser.add_argument("--ceiling", action="store_true",
                        help="first, the reads as raw Cypher and through the API, side by side")
    parser.add_argument("--ceiling-requests", type=int, default=1000,
                        help="requests per kind and side in the ceiling run")
    parser.add_argument("--kill-neo4j-at", type=float, metavar="SECONDS",
                        help="SIGKILL the managed Neo4j this long into the run, then restart")
    parser.add_argument("--neo4j-down", type=float, default=10.0, metavar="SECONDS",
                        help="how long Neo4j stays down before 'hub neo4j start'")
    parser.add_argument("--kill-worker-at", type=float, metavar="SECONDS",
                        help="SIGKILL one API worker process this long into the run")
    parser.add_argument("--soak", type=int, metavar="SECONDS",
                        help="run this long at --rate, without a request budget")
    parser.add_argument("--rate", type=float, help="requests per second in all (a soak)")
    parser.add_argument("--rss-every", type=float, default=30.0,
                        help="seconds between RSS samples")
    parser.add_argument("--keep", metavar="DIR",
                        help="copy the run's JSON lines, locust's statistics and the RSS "
                             "samples here (not the plan: it holds tokens)")
    args = parser.parse_args(argv)

    settings = Settings.from_env(os.environ)
    check_arguments(parser, args, settings)
    if args.households:
        load_generated_set(settings, args.households, args.seed, clear=False)
    seconds = args.soak or args.run_time
    with tempfile.TemporaryDirectory(prefix="hub-load-") as raw, \
            Store.connect(settings) as store, \
            Server(args.port, args.server_log, workers=args.workers) as server:
        assert server.process is not None
        folder = Path(raw)
        plan = prepare_plan(store, settings, server.url, server.secret, args, folder)
        plan_path = folder / "plan.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), "utf-8")
        plan_path.chmod(0o600)
        pace = (f"{args.rate} req/s in all for {seconds} s" if args.soak else
                f"at most {args.requests} requests or {seconds} s")
        print(f"graph: {len(plan['households'])} households; {args.users} users, {pace}; "
              f"workers: {args.workers or 'one per core'}")
        ceiling = None
        if args.ceiling:
            ceiling = run_ceiling(settings, server.url, plan, args.users,
                                  args.ceiling_requests, args.request_timeout)
        sampler = RssSampler(settings, server.process.pid, folder / "rss.csv", args.rss_every)
        faults = Faults(settings, server.process.pid, neo4j_at=args.kill_neo4j_at,
                        neo4j_down=args.neo4j_down, worker_at=args.kill_worker_at)
        sampler.start()
        faults.start()
        began = time.monotonic()
        figures = read_figures(run_locust(server.url, plan_path, args, folder, seconds))
        print(f"ran {time.monotonic() - began:.0f} s")
        faults.join(timeout=600)
        sampler.stop()
        print_figures(figures)
        faults.report()
        counts, clean = classify_failures(Path(plan["failures"]), faults.windows())
        print_failures(counts)
        recovered = True
        for what, moment in (("Neo4j's restart", faults.neo4j_back),
                             ("the worker's replacement", faults.worker_back)):
            if moment is not None:
                after = answered_after(Path(plan["answered"]), moment)
                print(f"answered after {what}: {after}")
                recovered = recovered and after > 0
        ceiling_ok = True
        if ceiling is not None:
            ceiling_ok = print_ceiling(ceiling, args.users, args.ceiling_requests, figures)
        kept = count_acknowledged(store, Path(plan["acks"]))
        audited = audit_coverage(store, Path(plan["answered"]))
        sampler.report()
        if args.keep:
            keep = Path(args.keep)
            keep.mkdir(parents=True, exist_ok=True)
            for path in folder.iterdir():
                if path.suffix in (".jsonl", ".csv") or path.name == "locust_stats.json":
                    shutil.copy2(path, keep / path.name)
    verify = subprocess.run([sys.executable, "-m", "hub.cli", "audit", "verify"],
                            capture_output=True, text=True, check=False)
    print(" ".join((verify.stdout + verify.stderr).split()))
    checks = {"no real failure": clean, "faults injected as asked": not faults.errors,
              "requests answered after each fault": recovered, "ceiling without failure":
              ceiling_ok, "no acknowledged write lost": kept,
              "every answer audited": audited, "audit chain verifies": verify.returncode == 0}
    failed = [name for name, ok in checks.items() if not ok]
    print("PASS" if not failed else "FAIL: " + "; ".join(failed))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())

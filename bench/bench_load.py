"""Load test: the mixed workload (``bench/locust_hub.py``) against ``hub serve --workers N``.

Prepares a plan from the configured graph (targets, tokens signed with a fresh secret,
verification consents so ``verifyHousehold`` answers, a charity donation, monitoring
alerts), serves the API with N workers on 127.0.0.1, runs locust headless, bounded by
``--requests`` and ``--run-time``, then checks what counts afterwards:

- every write locust saw acknowledged (consents, alert status changes, aid reports) is
  counted in the graph: "lost" must be 0;
- ``hub audit verify`` passes.

It prints locust's figures per request kind (p50, p95, requests/s, failures)::

    python bench/bench_load.py --reuse --workers 2 --users 20 --requests 20000 --run-time 600
    python bench/bench_load.py --households 300 --requests 300 --run-time 60   # a smoke run

Needs the ``bench`` extra (``pip install -e '.[bench]'``: locust). The plan file holds
bench tokens and the synthetic set's ID numbers for ``reportAid``; it lives in a private
temporary directory removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from bench_api import TARGETS, Server, load_generated_set  # bench/ is on the scripts' path

from hub.auth import issue_dev_token
from hub.config import Secret, Settings
from hub.store import Store

HERE = Path(__file__).resolve().parent
VERIFIER_ORG = "核对中心"
CASEWORKER_ORG = "民政"
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
MEMBERS_ID = """query($h: String!) { household(householdId: $h) {
  regionCode members { person { personId idNumber } } } }"""
CONSENT = """mutation($c: RecordConsentInput!) { recordConsent(consent: $c) { consentId } }"""


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
        _ask(url, tokens["caseworker"], "aid_administration", CONSENT, c={
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
            "people": [p for t in targets for p in t["people"]],
            "consented_people": consented, "id_numbers": id_numbers, "alerts": alerts,
            "donation": donation, "verifier_org": VERIFIER_ORG,
            "caseworker_org": CASEWORKER_ORG, "requests": args.requests,
            "acks": str(folder / "acks.jsonl")}


def run_locust(url: str, plan_path: Path, args: argparse.Namespace, folder: Path) -> Path:
    """Locust headless on the plan, bounded by the budget and the run time."""
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locust_hub.py"),
               "--headless", "--only-summary", "-u", str(args.users), "-r", str(args.users),
               "--run-time", f"{args.run_time}s", "--stop-timeout", "30",
               "--host", url, "--csv", str(folder / "locust"), "--loglevel", "WARNING"]
    subprocess.run(command, env=dict(os.environ, HUB_LOAD_PLAN=str(plan_path)), check=False,
                   timeout=args.run_time + 120)
    return folder / "locust_stats.csv"


def print_figures(stats: Path) -> None:
    """Locust's per-request figures, one line each."""
    with stats.open(newline="", encoding="utf-8") as raw:
        for row in csv.DictReader(raw):
            print(f"{row['Name']:<18} n={int(row['Request Count']):>6}  "
                  f"p50={row['50%']:>6} ms  p95={row['95%']:>6} ms  "
                  f"{float(row['Requests/s']):7.1f} req/s  failures={row['Failure Count']}")


def count_acknowledged(store: Store, acks: Path) -> bool:
    """Every acknowledged write counted in the graph; True when none is missing."""
    keys: dict[str, list[str]] = {"consent": [], "alert_sent": [], "aid": []}
    if acks.exists():
        for line in acks.read_text("utf-8").splitlines():
            entry = json.loads(line)
            keys[entry["kind"]].append(entry["key"])
    found = {"consent": store.read(COUNT_CONSENTS, keys=keys["consent"])[0]["n"],
             "alert_sent": store.read(COUNT_SENT, keys=keys["alert_sent"])[0]["n"],
             "aid": store.read(COUNT_AID, keys=keys["aid"])[0]["n"]}
    lost = Counter({k: len(set(v)) - found[k] for k, v in keys.items()})
    for kind, values in keys.items():
        print(f"acknowledged {kind:<10} {len(values):>6}  in the graph {found[kind]:>6}  "
              f"lost {lost[kind]}")
    return sum(lost.values()) == 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, prepare, serve, load, check; exit 1 if a write was lost or the
    audit log does not verify."""
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
    args = parser.parse_args(argv)

    settings = Settings.from_env(os.environ)
    if args.households:
        load_generated_set(settings, args.households, args.seed, clear=False)
    with tempfile.TemporaryDirectory(prefix="hub-load-") as raw, \
            Store.connect(settings) as store, \
            Server(args.port, args.server_log, workers=args.workers) as server:
        folder = Path(raw)
        plan = prepare_plan(store, settings, server.url, server.secret, args, folder)
        plan_path = folder / "plan.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), "utf-8")
        plan_path.chmod(0o600)
        print(f"graph: {len(plan['households'])} households; {args.users} users, at most "
              f"{args.requests} requests or {args.run_time} s; workers: "
              f"{args.workers or 'one per core'}")
        began = time.monotonic()
        stats = run_locust(server.url, plan_path, args, folder)
        print(f"ran {time.monotonic() - began:.0f} s")
        if stats.exists():
            print_figures(stats)
        kept = count_acknowledged(store, Path(plan["acks"]))
    verify = subprocess.run([sys.executable, "-m", "hub.cli", "audit", "verify"],
                            capture_output=True, text=True, check=False)
    print(" ".join(verify.stdout.split()))
    return 0 if kept and verify.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

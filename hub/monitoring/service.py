"""Monitoring services for the CLI and the API: run, list, pre-grant overlap check, workflow.

``run_monitoring`` runs every detection for an as-of date (optionally one region), stores
the findings as alerts (no duplicates on re-runs; open alerts that no longer hold are
closed) and reports counts. The API resolvers call ``monitoring_alerts``, ``overlaps`` and
``update_alert_status``; access decisions (which department and jurisdiction may see what)
stay in ``privacy.policy`` and the resolvers' permission classes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph_schema.queries import monitoring as q
from hub.monitoring import alerts, model
from hub.monitoring.detections import GRAPH_DETECTIONS, Scope
from hub.monitoring.eligibility import eligibility_findings
from hub.monitoring.model import Finding
from hub.monitoring.overlap import OverlapAnswer, answer_overlaps
from hub.privacy_graph.kit import PrivacyKit
from hub.rules.schedule import draw_schedule
from hub.rules.verify import Verifier
from hub.store import Store

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called after each detection and each written batch."""


@dataclass(slots=True)
class MonitoringRun:
    """What one run found and did (counts only)."""

    run_id: str
    as_of: date
    region: str | None
    found: dict[str, int] = field(default_factory=dict)
    created: int = 0
    seen_again: int = 0
    reopened: int = 0
    closed: int = 0
    planned: int = 0  # households whose re-verification plan the run drew
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list, repr=False)


def detect(store: Store, kit: PrivacyKit, scope: Scope, types: Iterable[str] = model.ALL_TYPES,
           progress: Progress | None = None) -> dict[str, list[Finding]]:
    """Run the detections of ``types`` and return their findings by type (nothing stored)."""
    wanted = frozenset(types)
    unknown = wanted - set(model.ALL_TYPES)
    if unknown:
        raise ValueError(f"unknown alert types {sorted(unknown)}")
    stages = [t for t in GRAPH_DETECTIONS if t in wanted]
    total = len(stages) + 1
    out: dict[str, list[Finding]] = {}
    for done, kind in enumerate(stages, start=1):
        out[kind] = GRAPH_DETECTIONS[kind](store, scope)
        if progress is not None:
            progress(kind, done, total)
    out.update(eligibility_findings(store, kit, scope, wanted))
    if progress is not None:
        progress("eligibility", total, total)
    return out


def run_monitoring(store: Store, kit: PrivacyKit, *, as_of: date, region: str | None = None,
                   types: Iterable[str] = model.ALL_TYPES,
                   progress: Progress | None = None) -> MonitoringRun:
    """Detect, store alerts, close the ones that no longer hold; draw the re-verification
    schedule (:mod:`hub.rules.schedule`) on the same as-of date.

    Args:
        store: the linked graph.
        kit: keys to decrypt balances, incomes and levels in memory.
        as_of: the date the situation is judged on.
        region: a 行政区划 code to monitor only that region, or None for all.
        types: the alert types to run (default all).
        progress: optional progress callback (stage, done, total).
    """
    began = time.monotonic()
    wanted = tuple(types)
    run = MonitoringRun(alerts.run_id(), as_of, region)
    by_type = detect(store, kit, Scope(as_of, region), wanted, progress)
    run.found = {k: len(v) for k, v in sorted(by_type.items())}
    run.findings = [f for items in by_type.values() for f in items]
    total = len(run.findings)
    written = 0

    def on_batch(n: int) -> None:
        nonlocal written
        written += n
        if progress is not None:
            progress("store", written, total)

    result = alerts.store_findings(store, run.findings, run_id=run.run_id, as_of=as_of,
                                   types=wanted, region=region, on_batch=on_batch)
    run.created, run.seen_again = result.created, result.seen_again
    run.reopened, run.closed = result.reopened, result.closed
    run.planned = draw_schedule(Verifier(store, kit), as_of, region)
    if progress is not None:
        progress("schedule", run.planned, run.planned)
    run.seconds = round(time.monotonic() - began, 2)
    log.info("monitoring run %s: %s found, %d new, %d closed in %.1fs", run.run_id,
             run.found, run.created, run.closed, run.seconds)
    return run


def monitoring_alerts(store: Store, region: str | None = None, type: str | None = None,
                      status: str | None = None, department: str | None = None, *,
                      regions: list[str] | None = None, skip: int = 0, limit: int = 1000
                      ) -> list[dict[str, Any]]:
    """Alerts filtered by region (own or involved jurisdiction), type, status, department.

    A department role's view is ``department=<its org>, regions=<its jurisdiction>``.
    Each alert carries its evidence as ``department|source|record_id`` labels and the ids
    of the people and household concerned, never personal values.
    """
    return alerts.list_alerts(store, region=region, type=type, status=status,
                              department=department, regions=regions, skip=skip, limit=limit)


def get_alert(store: Store, alert_key: str) -> dict[str, Any]:
    """One alert by key (for routing and jurisdiction checks before acting on it).

    Raises:
        hub.monitoring.errors.AlertNotFoundError: unknown key.
    """
    return alerts.get_alert(store, alert_key)


def update_alert_status(store: Store, alert_key: str, status: str, reason: str | None,
                        actor: str) -> str:
    """Move an alert along new → sent → confirmed | dismissed; returns the new status.

    Raises:
        hub.monitoring.errors.AlertNotFoundError: unknown key.
        hub.monitoring.errors.AlertTransitionError: not allowed from the current status,
            or a dismissal without a reason.
    """
    return alerts.update_status(store, alert_key, status, reason=reason, actor=actor)


def overlaps(store: Store, *, person_id: str | None = None, bi_id: str | None = None,
             as_of: date, programme: str | None = None) -> OverlapAnswer:
    """Pre-grant check: does this person (or their household) already receive aid, and which.

    Args:
        store: the graph.
        person_id: the hub person id, or
        bi_id: the blind index of their ID number (``kit.indexer.id_number(...)``).
        as_of: the date of the planned grant.
        programme: the programme about to be granted; its conflicts are listed.

    Returns:
        Whether and which programmes are current (departments and programme names only —
        never amounts, other departments' details or health facts).
    """
    if (person_id is None) == (bi_id is None):
        raise ValueError("give exactly one of person_id and bi_id")
    rows = store.read(q.PERSON_AID, person_id=person_id, bi_id=bi_id)
    return answer_overlaps(rows[0] if rows else None, as_of, programme)

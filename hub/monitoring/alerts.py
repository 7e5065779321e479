"""Alerts in the graph: stable keys, upsert without duplicates, closing, status workflow.

An alert is ``(:Alert {alert_key, type, status, department, region_code, …})`` with
``ABOUT`` edges to the people and household concerned and ``EVIDENCED_BY`` edges to the
facts that prove it. Its key hashes type + subject + evidence, so a re-run that finds the
same case touches the same node; open alerts a run no longer finds are closed. The status
workflow is new → sent → confirmed | dismissed (with a reason); every step is appended to
the alert's ``history`` with its actor.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from graph_schema.queries import monitoring as q
from hub.monitoring.errors import AlertNotFoundError, AlertTransitionError
from hub.monitoring.model import Finding
from hub.monitoring.routing import department_for
from hub.store import Store

NEW, SENT, CONFIRMED, DISMISSED, CLOSED = "new", "sent", "confirmed", "dismissed", "closed"
OPEN_STATUSES = frozenset({NEW, SENT})
TRANSITIONS: dict[str, frozenset[str]] = {
    SENT: frozenset({NEW}),
    CONFIRMED: frozenset({SENT}),
    DISMISSED: frozenset({NEW, SENT}),
}
"""Target status → the statuses it may be reached from."""


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What storing one run's findings did."""

    created: int
    seen_again: int
    reopened: int
    closed: int


def alert_row(finding: Finding) -> dict[str, Any]:
    """The ``UNWIND`` row of one finding: properties, people, evidence fact keys."""
    props = {
        "type": finding.type, "subject_kind": finding.subject_kind,
        "subject_id": finding.subject_id, "region_code": finding.region_code,
        "region_codes": sorted(set(finding.region_codes) | (
            {finding.region_code} if finding.region_code else set())),
        "department": department_for(finding), "household_id": finding.household_id,
        "person_ids": [p for p, _ in finding.persons],
        "evidence": [e.label() for e in finding.evidence],
        "programme": finding.programme, "hardship": finding.hardship,
        "detail": finding.detail,
    }
    return {"alert_key": finding.alert_key, "props": props,
            "persons": [{"id": p, "role": r} for p, r in finding.persons],
            "fact_keys": [e.fact_key for e in finding.evidence]}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def store_findings(store: Store, findings: Iterable[Finding], *, run_id: str, as_of: date,
                   types: Iterable[str], region: str | None,
                   on_batch: Callable[[int], None] | None = None) -> StoreResult:
    """Upsert one run's findings as alerts and close the open ones it no longer finds.

    Args:
        store: the graph.
        findings: every finding of the run (any order; one alert per key).
        run_id: this run's id, stamped on every alert it sees.
        as_of: the run's as-of date.
        types: the types the run detected (only their stale alerts are closed).
        region: the run's region (only alerts of that region are closed), None for all.
        on_batch: progress callback with the number of alerts written per batch.
    """
    rows = list({f.alert_key: alert_row(f) for f in findings}.values())
    before = {r["alert_key"]: r["status"]
              for r in store.read(q.EXISTING_ALERTS, keys=[r["alert_key"] for r in rows])}
    store.write_batches((q.UPSERT_ALERTS, q.LINK_ALERT_PERSONS, q.LINK_ALERT_HOUSEHOLDS,
                         q.LINK_ALERT_EVIDENCE), rows, on_batch=on_batch, run_id=run_id,
                        as_of=as_of.isoformat(), now=_now())
    closed = store.write(q.CLOSE_STALE_ALERTS, run_id=run_id, types=sorted(set(types)),
                         region=region, now=_now())[0]["closed"]
    return StoreResult(created=sum(1 for r in rows if r["alert_key"] not in before),
                       seen_again=sum(1 for r in rows if r["alert_key"] in before),
                       reopened=sum(1 for s in before.values() if s == CLOSED),
                       closed=int(closed))


def update_status(store: Store, alert_key: str, status: str, *, reason: str | None,
                  actor: str) -> str:
    """Move an alert one step along the workflow and record who did it and why.

    Raises:
        AlertTransitionError: ``status`` is unknown, not reachable from the current status,
            or a dismissal without a reason.
        AlertNotFoundError: no alert has ``alert_key``.
    """
    allowed = TRANSITIONS.get(status)
    if allowed is None:
        raise AlertTransitionError(f"unknown target status {status!r}; "
                                   f"use one of {sorted(TRANSITIONS)}")
    if status == DISMISSED and not (reason and reason.strip()):
        raise AlertTransitionError("a dismissal needs a reason")
    done = store.write(q.SET_ALERT_STATUS, alert_key=alert_key, status=status,
                       allowed_from=sorted(allowed), reason=reason, actor=actor, now=_now())
    if done:
        return status
    current = store.read(q.ALERT_STATUS, alert_key=alert_key)
    if not current:
        raise AlertNotFoundError(f"no alert {alert_key}")
    raise AlertTransitionError(f"alert {alert_key} is {current[0]['status']!r}; "
                               f"{status!r} is reachable only from {sorted(allowed)}")


def list_alerts(store: Store, *, region: str | None = None, type: str | None = None,
                status: str | None = None, department: str | None = None,
                regions: list[str] | None = None, skip: int = 0, limit: int = 1000
                ) -> list[dict[str, Any]]:
    """Alerts matching every given filter, oldest first, as plain dicts.

    ``regions`` is a caller's jurisdiction: an alert is in it when any region it involves
    is (a duplicate registration concerns both offices).
    """
    rows = store.read(q.LIST_ALERTS, region=region, type=type, status=status,
                      department=department, regions=regions, skip=skip, limit=limit)
    return [_plain(r["alert"]) for r in rows]


def get_alert(store: Store, alert_key: str) -> dict[str, Any]:
    """One alert as a plain dict (same shape as :func:`list_alerts` rows).

    Raises:
        AlertNotFoundError: no alert has ``alert_key``.
    """
    rows = store.read(q.ALERT_BY_KEY, alert_key=alert_key)
    if not rows:
        raise AlertNotFoundError(f"no alert {alert_key}")
    return _plain(rows[0]["alert"])


def _plain(alert: dict[str, Any]) -> dict[str, Any]:
    """Dates and times → ISO strings, so the dict serialises anywhere."""
    return {k: _iso(v) if isinstance(v, date) else v for k, v in alert.items()}


def _iso(value: date) -> str:
    """The ISO text the API has always shown: a time with nine fraction digits.

    (The driver's own format; the store now hands back microseconds, and Neo4j's clock
    gives no finer, so three zeros restore the same text.)
    """
    if not isinstance(value, datetime):
        return value.isoformat()
    text = value.isoformat(timespec="microseconds")
    return f"{text[:26]}000{text[26:]}"


def run_id() -> str:
    """A new run id (time-ordered, unique enough for one hub)."""
    return time.strftime("M%Y%m%dT%H%M%S-") + f"{time.perf_counter_ns() % 1_000_000:06d}"

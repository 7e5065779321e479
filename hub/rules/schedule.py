"""The re-verification schedule, drawn once per monitoring run and read in milliseconds.

Working out who is due (``hub.rules.reviews``) gathers every household with basic aid:
seconds for a county of thousands of households, too slow for a page a caseworker opens
many times a day. A monitoring run already judges every household on its as-of date, so
it also draws the schedule: each household's plan (programme, interval, the month the
reviews count from, how many members have unstable income) is kept on its ``Household``
node with the date it was drawn on. Reading it back needs only those properties: the
next review from the anchor and interval on any as-of date is arithmetic
(:func:`~hub.rules.reviews.next_review`), the same arithmetic the live computation does.
A region no run has drawn yet is computed live.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from graph_schema.queries import verification as q
from hub.rules.reviews import ReviewDue, next_review, review_plans, review_reason
from hub.rules.ruleset import RulesetError
from hub.rules.verify import Verifier

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Households due by a date, earliest first, and the day their plans were drawn on
    (``None``: computed now, no run had drawn the region)."""

    due: list[ReviewDue]
    drawn_on: date | None


def draw_schedule(verifier: Verifier, as_of: date, region: str | None = None) -> int:
    """Keep every household's review plan as of ``as_of`` (one region, or all of them).

    Returns:
        The number of households planned.
    """
    store = verifier.store
    regions = ([region] if region else
               [r["region_code"] for r in store.read(q.REGIONS_WITH_HOUSEHOLDS)])
    planned = 0
    for code in regions:
        try:
            plans = review_plans(verifier, code, as_of)
        except RulesetError as exc:  # no ruleset for the region: nothing to plan there
            log.warning("no review schedule drawn for %s: %s", code, exc)
            continue
        rows = [{"household_id": p.household_id, "programme": p.programme,
                 "interval": p.interval_months, "anchor": p.anchor,
                 "unstable": len(p.unstable_members)} for p in plans]
        store.write(q.STORE_REVIEW_PLANS, plans=rows, drawn_on=as_of)
        store.write(q.CLEAR_STALE_REVIEW_PLANS, region_code=code,
                    planned=[p.household_id for p in plans])
        planned += len(plans)
    return planned


def due_by(verifier: Verifier, region: str, as_of: date, until: date) -> Schedule:
    """The region's households due between as-of's month and ``until``: from the drawn
    plans when a run drew the region, else computed now."""
    rows = verifier.store.read(q.STORED_REVIEW_PLANS, region_code=region)
    if not rows:
        live = [p for p in review_plans(verifier, region, as_of) if p.due_date <= until]
        return Schedule(sorted(live, key=lambda r: (r.due_date, r.household_id)), None)
    due: list[ReviewDue] = []
    for row in rows:
        anchor: date = row["anchor"]
        when = next_review(anchor, int(row["interval"]), as_of)
        if when <= until:
            due.append(ReviewDue(
                row["household_id"], row["programme"], int(row["interval"]), when,
                review_reason(row["programme"], int(row["interval"]), anchor,
                              int(row["unstable"])), anchor=anchor))
    drawn_on: date = min(row["drawn_on"] for row in rows)
    return Schedule(sorted(due, key=lambda r: (r.due_date, r.household_id)), drawn_on)

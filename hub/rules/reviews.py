"""Re-verification schedule (DOMAIN.md 4): who is due for review, and why.

特困 households and 低保 households with stable income are reviewed yearly; 低保
households with unstable income and working-age members every six months (the intervals
live in the ruleset). A review falls on the anniversaries of the current record's first
month; ``reviews_due`` lists those falling between the start of the as-of month and the
ruleset's horizon after as-of. "Unstable income": a working-age member with labour
capacity whose income is not from a regular job on file (灵活就业, 公益性岗位, 登记失业,
or no 人社 job at all, i.e. farm or informal work declared to 民政).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from graph_schema.queries import verification as q
from hub.rules.gather import chunks
from hub.rules.model import AidRow, HouseholdFacts, MemberFacts, Source
from hub.rules.ruleset import Ruleset
from hub.rules.verify import Verifier

TEKUN_PROGRAMME = "特困供养"


@dataclass(frozen=True, slots=True)
class ReviewDue:
    """One household due for re-verification."""

    household_id: str
    programme: str
    interval_months: int
    due_date: date
    reason: str
    working_age_members: tuple[str, ...] = ()
    unstable_members: tuple[str, ...] = ()
    sources: tuple[Source, ...] = field(default=())
    anchor: date | None = None  # the first month of the aid the reviews count from


def add_months(day: date, months: int) -> date:
    """First of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _working_age(m: MemberFacts, as_of: date, ruleset: Ruleset) -> bool:
    rules = ruleset.reviews
    age = m.age(as_of)
    capacity = next((f.labour_capacity for f in m.families if f.labour_capacity), None)
    severe = bool(m.severe_certificates(ruleset.categories.severe_levels))
    return (age is not None and rules.working_age_min <= age < rules.working_age_max
            and capacity not in rules.no_capacity and not severe)


def _unstable(m: MemberFacts, as_of: date, ruleset: Ruleset) -> bool:
    current = [e for e in m.employment
               if e.month and (e.month.year, e.month.month) == (as_of.year, as_of.month)]
    regular = [e for e in current if e.status == "就业"]
    return not regular or any(e.status in ruleset.reviews.unstable_statuses for e in current)


def next_review(anchor: date, interval: int, as_of: date) -> date:
    """The first anniversary (every ``interval`` months) on or after as-of's month."""
    month = as_of.replace(day=1)
    due = add_months(anchor, interval)
    while due < month:
        due = add_months(due, interval)
    return due


def review_reason(programme: str, interval: int, anchor: date, unstable: int) -> str:
    """Why a household is reviewed this often (the same words wherever it is shown)."""
    if programme == TEKUN_PROGRAMME:
        return f"特困供养: 每{interval}个月复核 (自 {anchor:%Y-%m} 起)"
    if unstable:
        return (f"低保: 有劳动年龄成员且收入不稳定 ({unstable} 人), "
                f"每{interval}个月复核 (自 {anchor:%Y-%m} 起)")
    return f"低保: 收入稳定或无劳动年龄成员, 每{interval}个月复核 (自 {anchor:%Y-%m} 起)"


def review_for(facts: HouseholdFacts, as_of: date, ruleset: Ruleset) -> ReviewDue | None:
    """The household's next review (None when no basic aid is current)."""
    living = facts.living
    current: dict[str, AidRow] = {a.source.record_id: a for m in living for a in m.aid
                                  if a.current(as_of) and a.region_code == facts.region_code}
    if not current:
        return None
    tekun = [a for a in current.values() if a.programme == TEKUN_PROGRAMME]
    records = tekun or list(current.values())
    anchor = min((a.start for a in records if a.start), default=as_of.replace(day=1))
    rules = ruleset.reviews
    working = tuple(m.person_id for m in living if _working_age(m, as_of, ruleset))
    unstable = tuple(m.person_id for m in living
                     if m.person_id in working and _unstable(m, as_of, ruleset))
    if tekun:
        programme, interval = TEKUN_PROGRAMME, rules.stable_months
    elif unstable:
        programme, interval = "低保", rules.unstable_months
    else:
        programme, interval = "低保", rules.stable_months
    reason = review_reason(programme, interval, anchor, len(unstable))
    due = next_review(anchor, interval, as_of)
    return ReviewDue(facts.household_id, programme, interval, due, reason, working, unstable,
                     tuple(a.source for a in records), anchor)


def review_plans(verifier: Verifier, region_code: str, as_of: date, *,
                 batch: int = 200) -> list[ReviewDue]:
    """Every household of a region with basic aid current on as-of, with its next review."""
    ruleset = verifier.rulesets.for_region(region_code, as_of)
    ids = [r["household_id"] for r in verifier.store.read(
        q.HOUSEHOLDS_WITH_CURRENT_AID, region_code=region_code, month=as_of.replace(day=1))]
    plans: list[ReviewDue] = []
    for part in chunks(ids, batch):
        for facts in verifier.gather(part).values():
            item = review_for(facts, as_of, ruleset)
            if item is not None:
                plans.append(item)
    return plans


def reviews_due(verifier: Verifier, region_code: str, as_of: date, *,
                horizon_days: int | None = None, batch: int = 200) -> list[ReviewDue]:
    """Households of a region whose re-verification falls due by as-of + horizon.

    Args:
        verifier: the verification service (store, keys, rulesets).
        region_code: 6-digit 行政区划 of the paying office.
        as_of: the date the schedule is drawn up on.
        horizon_days: look-ahead after as-of (the ruleset's ``horizon_days`` by default).
        batch: households gathered per round trip.

    Returns:
        Due reviews, earliest first.
    """
    until = review_until(verifier, region_code, as_of, horizon_days)
    due = [p for p in review_plans(verifier, region_code, as_of, batch=batch)
           if p.due_date <= until]
    return sorted(due, key=lambda r: (r.due_date, r.household_id))


def review_until(verifier: Verifier, region_code: str, as_of: date,
                 horizon_days: int | None) -> date:
    """The last day a listed review may fall on (the ruleset's horizon by default)."""
    ruleset = verifier.rulesets.for_region(region_code, as_of)
    horizon = ruleset.reviews.horizon_days if horizon_days is None else horizon_days
    return as_of + timedelta(days=horizon)

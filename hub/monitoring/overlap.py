"""The answer to a department's pre-grant check: "does this person already get aid?"

DOMAIN.md 3 (one household, one aid chain): before granting, a department asks whether the
person or their household already receives something that overlaps. The answer names
programmes and departments only. Amounts, periods' details and health-revealing programme
names (which 残联 subsidy — it tells the disability level) are never part of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hub.monitoring.household import school_year
from hub.monitoring.routing import EXCLUSIVE_PROGRAMMES, HOUSING_FLAT, HOUSING_SUBSIDY

BASIC_AID = frozenset({"城市低保", "农村低保", "特困供养"})
HOUSING = frozenset({HOUSING_FLAT, HOUSING_SUBSIDY})
# programme names that would reveal a health fact, by department → the name shown instead
_GENERIC_NAME = {"残联": "残疾人两项补贴", "医保": "医疗救助"}
# monthly aid whose dates are year-months (the whole month counts)
_MONTHLY_BY_MONTH = frozenset({"民政", "残联"})


@dataclass(frozen=True, slots=True)
class ProgrammeHit:
    """One programme currently received: by the person themselves or their household."""

    programme: str
    department: str
    via: str  # "self" | "household"


@dataclass(slots=True)
class OverlapAnswer:
    """Whether and which programmes are current, and which conflict with the planned one."""

    person_found: bool
    person_id: str | None = None
    receiving: bool = False
    programmes: list[ProgrammeHit] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def _date(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def is_current(aid: dict[str, Any], as_of: date) -> bool:
    """Whether an aid record (programme, department, period, start, end) runs on ``as_of``.

    One-off payments are never "current": they cannot overlap a new grant.
    """
    period = aid.get("period")
    start, end = _date(aid.get("start")), _date(aid.get("end"))
    if period == "yearly":
        return start == school_year(as_of)
    if period != "monthly" or not isinstance(start, date) or start > as_of:
        return False
    limit = as_of.replace(day=1) if aid.get("department") in _MONTHLY_BY_MONTH else as_of
    return end is None or end >= limit


def _conflicts(planned: str, hits: list[ProgrammeHit]) -> list[str]:
    """The current programmes the planned one may not be combined with."""
    found = set()
    for hit in hits:
        other = hit.programme
        if hit.via == "self" and (other == planned or (
                planned in BASIC_AID and other in BASIC_AID)):
            found.add(other)
        if planned in HOUSING and other in HOUSING:
            found.add(other)
        for a, b in EXCLUSIVE_PROGRAMMES:
            if hit.via == "self" and ((planned in a and other in b) or (
                    planned in b and other in a)):
                found.add(other)
    return sorted(found)


def answer_overlaps(row: dict[str, Any] | None, as_of: date,
                    programme: str | None = None) -> OverlapAnswer:
    """Build the answer from ``PERSON_AID``'s row (None: no such person)."""
    if row is None:
        return OverlapAnswer(person_found=False)
    hits: set[ProgrammeHit] = set()
    for via, items in (("self", row["own"]), ("household", row["household"])):
        for aid in items:
            if aid.get("programme") and is_current(aid, as_of):
                department = aid.get("department") or ""
                name = _GENERIC_NAME.get(department, aid["programme"])
                hits.add(ProgrammeHit(name, department, via))
    ordered = sorted(hits, key=lambda h: (h.via != "self", h.department, h.programme))
    return OverlapAnswer(person_found=True, person_id=row["person_id"],
                         receiving=any(h.via == "self" for h in ordered), programmes=ordered,
                         conflicts=_conflicts(programme, ordered) if programme else [])

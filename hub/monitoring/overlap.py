"""The answer to a department's pre-grant check: "does this person already get aid?"

DOMAIN.md 3 (one household, one aid chain): before granting, a department asks whether the
person or their household already receives something that overlaps. The answer names
programmes and departments only. Amounts, periods' details and health-revealing programme
names (which 残联 subsidy — it tells the disability level) are never part of it.

Across regions (the seeds want duplicates found wherever they were granted) the caller
learns only that something is current, or conflicts, outside its jurisdiction, and is
referred there: :func:`within_jurisdiction` keeps the detail of the caller's own regions
and folds the rest into a :class:`CrossRegionSignal`, using the policy's jurisdiction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
    region_code: str | None = None  # where the aid was granted (decides who sees it)


@dataclass(slots=True)
class OverlapAnswer:
    """Whether and which programmes are current, and which conflict with the planned one."""

    person_found: bool
    person_id: str | None = None
    receiving: bool = False
    programmes: list[ProgrammeHit] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    person_region: str | None = None  # the person's registered region


@dataclass(frozen=True, slots=True)
class CrossRegionSignal:
    """What a check may say about aid outside the caller's jurisdiction: one bit each, no
    person id, programme, department or region (refer the case to the registered region)."""

    receiving: bool = False  # the person receives aid somewhere outside the jurisdiction
    conflict: bool = False  # something current outside conflicts with the planned programme


def is_current(aid: dict[str, Any], as_of: date) -> bool:
    """Whether an aid record (programme, department, period, start, end) runs on ``as_of``.

    One-off payments are never "current": they cannot overlap a new grant.
    """
    period = aid.get("period")
    start, end = aid.get("start"), aid.get("end")
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
                hits.add(ProgrammeHit(name, department, via, aid.get("region_code")))
    ordered = sorted(hits, key=lambda h: (h.via != "self", h.department, h.programme,
                                          h.region_code or ""))
    return OverlapAnswer(person_found=True, person_id=row["person_id"],
                         receiving=any(h.via == "self" for h in ordered), programmes=ordered,
                         conflicts=_conflicts(programme, ordered) if programme else [],
                         person_region=row.get("region_code"))


def within_jurisdiction(answer: OverlapAnswer, covers: Callable[[str | None], bool],
                        programme: str | None = None
                        ) -> tuple[OverlapAnswer, CrossRegionSignal]:
    """Split an answer into what the caller may see in detail and the cross-region signal.

    Args:
        answer: The full answer (:func:`answer_overlaps`).
        covers: Whether a region lies in the caller's jurisdiction
            (``privacy.in_jurisdiction`` bound to the caller).
        programme: The planned programme, for conflicts.

    Returns:
        The answer limited to the caller's regions — the person is "found" only when they
        are registered there or receive aid granted there (``person_region`` is then a
        region of the caller's), otherwise it reads exactly like an unknown person — and
        the signal about everything else.
    """
    if not answer.person_found:
        return answer, CrossRegionSignal()
    inside = [h for h in answer.programmes if covers(h.region_code)]
    outside = [h for h in answer.programmes if not covers(h.region_code)]
    signal = CrossRegionSignal(
        receiving=any(h.via == "self" for h in outside),
        conflict=bool(programme and _conflicts(programme, outside)))
    own_inside = [h for h in inside if h.via == "self"]
    if not covers(answer.person_region) and not own_inside:
        return OverlapAnswer(person_found=False), signal
    # found through aid granted in the caller's regions: the answer is about one of those
    region = (answer.person_region if covers(answer.person_region)
              else own_inside[0].region_code)
    return replace(answer, programmes=inside, receiving=bool(own_inside),
                   conflicts=_conflicts(programme, inside) if programme else [],
                   person_region=region), signal

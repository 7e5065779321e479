"""The vocabulary of charity matching: need categories, programme statuses, household types.

Kept as data so the matching rules read as a table: which government aid already covers a
need (no double funding), and which aid programmes give a recipient a programme status a
donation may ask for. Programme names are those the departments export (see
``hub.ingest.facts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Coverage:
    """Government aid that already meets a need: by paying department or by programme."""

    departments: frozenset[str] = frozenset()
    programmes: frozenset[str] = frozenset()

    def covers(self, department: str | None, programme: str | None) -> bool:
        """True when an aid record of this department / programme meets the need."""
        if department in self.departments:
            return True
        names = set((programme or "").split(";"))
        return bool(names & self.programmes)


NEED_CATEGORIES: Mapping[str, Coverage] = {
    "education": Coverage(departments=frozenset({"教育"})),
    "medical": Coverage(programmes=frozenset({"医疗救助"})),
    "housing_repair": Coverage(departments=frozenset({"住建"}),
                               programmes=frozenset({"倒损住房恢复重建"})),
    "winter_heating": Coverage(programmes=frozenset({"冬春生活救助"})),
    "elderly_care": Coverage(programmes=frozenset({"特困供养"})),
    "disability_aids": Coverage(),
    "daily_living": Coverage(programmes=frozenset({"应急期生活救助", "过渡期生活救助"})),
}
"""Need category → the government aid that already covers it in a period."""

HOUSEHOLD_NEEDS = frozenset({"winter_heating", "housing_repair", "daily_living"})
"""Needs of the whole 户, met once for all its members: a home is heated, repaired, or its
living costs covered (冬春生活救助, 倒损住房恢复重建 and 应急/过渡期生活救助 are household
aid). Funding one member funds the household, so no other member — each with their own
consent — may be funded for the same need in an overlapping period. The other needs
(``education``, ``medical``, ``elderly_care``, ``disability_aids``) belong to one person:
two children of one household may each get a school grant."""

PROGRAMME_STATUSES: Mapping[str, frozenset[str]] = {
    "dibao": frozenset({"城市低保", "农村低保"}),
    "tekun": frozenset({"特困供养"}),
    "disability_subsidy": frozenset({"两项补贴", "困难残疾人生活补贴", "重度残疾人护理补贴"}),
}
"""Programme status a donation may require → aid programmes that confer it. ``monitoring``
(防止返贫监测对象) comes from a rural-revitalisation monitoring case instead."""

STATUS_NAMES: Mapping[str, str] = {
    "dibao": "低保", "tekun": "特困", "disability_subsidy": "残疾人两项补贴",
    "monitoring": "防止返贫监测",
}
KNOWN_STATUSES = frozenset(STATUS_NAMES)
STATUS_PRIORITY: Mapping[str, int] = {"tekun": 3, "dibao": 2, "monitoring": 2,
                                      "disability_subsidy": 1}
"""Ranking weight of each status: the hardest-pressed first."""

HOUSEHOLD_TYPES = frozenset({"urban", "rural", "single_person"})
_URBAN_RURAL = {"城市": "urban", "城镇": "urban", "农村": "rural"}


class UnknownCategoryError(ValueError):
    """A need category, status or household type outside the vocabulary."""


def check_categories(values: Iterable[str]) -> list[str]:
    """Return the categories sorted and de-duplicated.

    Raises:
        UnknownCategoryError: one is not in :data:`NEED_CATEGORIES` (names the known ones).
    """
    chosen = sorted(set(values))
    unknown = [v for v in chosen if v not in NEED_CATEGORIES]
    if unknown:
        raise UnknownCategoryError(
            f"unknown need category; use one of {', '.join(sorted(NEED_CATEGORIES))}")
    return chosen


def check_vocabulary(values: Iterable[str], known: frozenset[str], what: str) -> list[str]:
    """Sorted, de-duplicated ``values``, all in ``known``.

    Raises:
        UnknownCategoryError: a value is not in ``known``.
    """
    chosen = sorted(set(values))
    if any(v not in known for v in chosen):
        raise UnknownCategoryError(f"unknown {what}; use one of {', '.join(sorted(known))}")
    return chosen


def statuses_of(programmes: Iterable[str], monitored: bool) -> set[str]:
    """Programme statuses conferred by these aid programmes (and a monitoring case)."""
    names = {part for p in programmes for part in (p or "").split(";")}
    found = {status for status, progs in PROGRAMME_STATUSES.items() if names & progs}
    if monitored:
        found.add("monitoring")
    return found


def household_types(urban_rural: str | None, size: int) -> set[str]:
    """Household types of a recipient: urban/rural from the hukou, single-person by size."""
    found = set()
    kind = _URBAN_RURAL.get((urban_rural or "").strip())
    if kind:
        found.add(kind)
    if size == 1:
        found.add("single_person")
    return found

"""Does a consenting recipient fit a donation, why, and is the need already funded?

Pure functions over one candidate row (from ``MATCH_CANDIDATES``) and the donation, so the
rules are tested without a database. Reasons name only what a charity may learn: the
county, the household type and size, an age band, a programme status — never a birth
date, a diagnosis or a disability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hub.charity.categories import (
    NEED_CATEGORIES,
    STATUS_NAMES,
    STATUS_PRIORITY,
    household_types,
    statuses_of,
)
from hub.charity.model import DonationSpec

_FAR_FUTURE = date(9999, 12, 31)


@dataclass(frozen=True, slots=True)
class Fit:
    """The verdict on one candidate: fits, covered by government aid, reasons, score."""

    fits: bool
    covered: bool
    reasons: tuple[str, ...]
    score: float


def as_date(value: Any) -> date | None:
    """A date/datetime, an ISO string, or a school year (``2025`` → its 1 September) as
    a ``date``; ``None`` for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return date(value, 9, 1) if 1900 <= value <= 2200 else None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def age_on(birth: date, day: date) -> int:
    """Completed years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def aid_period(aid: Mapping[str, Any]) -> tuple[date, date] | None:
    """The period an aid record covers: its end, or one year for yearly aid, the day itself
    for one-off aid, open-ended for monthly aid without an end."""
    start = as_date(aid.get("start"))
    if start is None:
        return None
    end = as_date(aid.get("end"))
    if end is None:
        period = aid.get("period")
        if period == "yearly":
            end = start + timedelta(days=365)
        elif period == "one_off":
            end = start
        else:
            end = _FAR_FUTURE
    return start, end


def covered_by_government(category: str, aid: Sequence[Mapping[str, Any]],
                          start: date, end: date) -> bool:
    """True when an aid record meeting this need overlaps the donation period."""
    coverage = NEED_CATEGORIES[category]
    for record in aid:
        if not coverage.covers(record.get("department"), record.get("programme")):
            continue
        period = aid_period(record)
        if period is not None and period[0] <= end and period[1] >= start:
            return True
    return False


def _age_band(spec: DonationSpec) -> str:
    low = spec.age_min if spec.age_min is not None else 0
    return f"{low}-{spec.age_max}" if spec.age_max is not None else f"{low}+"


def assess(spec: DonationSpec, row: Mapping[str, Any], ages: Sequence[int],
           today: date) -> Fit:
    """Judge one candidate against a donation's recipient profile.

    Args:
        spec: The donation.
        row: A ``MATCH_CANDIDATES`` row (region, urban_rural, household_size, aid,
            need_aid — the aid that may meet the need, household-wide for a household
            need — and monitored).
        ages: Ages of the recipient (a person) or of the household's members, on ``today``.
        today: The day of the assessment.

    Returns:
        A :class:`Fit`; ``fits`` is False as soon as one profile criterion fails.
    """
    reasons = [f"county {row['region']} lies in donation region {spec.region_prefix}",
               f"consented to charity referral for {spec.category}"]
    score = 1.0
    if spec.age_min is not None or spec.age_max is not None:
        low = spec.age_min if spec.age_min is not None else 0
        high = spec.age_max if spec.age_max is not None else 200
        if not any(low <= age <= high for age in ages):
            return Fit(False, False, (), 0.0)
        reasons.append(f"recipient or a household member aged {_age_band(spec)}")
    size = int(row["household_size"])
    kinds = household_types(row.get("urban_rural"), size)
    if spec.household_types:
        wanted = kinds & set(spec.household_types)
        if not wanted:
            return Fit(False, False, (), 0.0)
        reasons.append(f"household type {', '.join(sorted(wanted))}")
    programmes = [a.get("programme") or "" for a in row.get("aid") or ()
                  if _current(a, spec.period_start, spec.period_end)]
    statuses = statuses_of(programmes, bool(row.get("monitored")))
    if spec.programme_statuses:
        wanted = statuses & set(spec.programme_statuses)
        if not wanted:
            return Fit(False, False, (), 0.0)
        reasons.append("programme status " + ", ".join(STATUS_NAMES[s] for s in sorted(wanted)))
    score += max((STATUS_PRIORITY.get(s, 0) for s in statuses), default=0)
    score += min(size, 6) / 6
    covered = covered_by_government(spec.category, row.get("need_aid") or row.get("aid") or (),
                                    spec.period_start, spec.period_end)
    return Fit(True, covered, tuple(reasons), round(score, 3))


def _current(aid: Mapping[str, Any], start: date, end: date) -> bool:
    period = aid_period(aid)
    return period is None or (period[0] <= end and period[1] >= start)

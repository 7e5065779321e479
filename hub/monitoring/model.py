"""What a detection finds: a typed case about a subject, proven by source records.

A :class:`Finding` carries only identifiers (person and household ids, department record
ids) and non-personal codes, never a decrypted value, so it can be logged, stored on an
``Alert`` node and shown to any department the alert is routed to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# the types of FORMATS.md section 8, then the extra signals of DOMAIN.md "dynamic monitoring"
STILL_RECEIVING_AFTER_DEATH = "still_receiving_after_death"
ASSET_DISQUALIFIES = "asset_disqualifies"
DUPLICATE_BASIC_AID = "duplicate_basic_aid"
EXCLUSIVE_OVERLAP = "exclusive_overlap"
DOUBLE_HOUSING_AID = "double_housing_aid"
MISSED_ELIGIBLE = "missed_eligible"
KIN_OF_STAFF = "kin_of_staff"
UNEMPLOYED_NOT_COVERED = "unemployed_not_covered"
STUDENT_WITHOUT_AID = "student_without_aid"
MONITORED_NOT_COVERED = "monitored_not_covered"

CASE_TYPES: tuple[str, ...] = (
    STILL_RECEIVING_AFTER_DEATH, ASSET_DISQUALIFIES, DUPLICATE_BASIC_AID, EXCLUSIVE_OVERLAP,
    DOUBLE_HOUSING_AID, MISSED_ELIGIBLE, KIN_OF_STAFF,
)
SIGNAL_TYPES: tuple[str, ...] = (
    UNEMPLOYED_NOT_COVERED, STUDENT_WITHOUT_AID, MONITORED_NOT_COVERED,
)
ALL_TYPES: tuple[str, ...] = CASE_TYPES + SIGNAL_TYPES


class Evidence(NamedTuple):
    """One proving source record: its department, export and record id (no values)."""

    department: str
    source: str
    record_id: str
    fact_key: str

    def label(self) -> str:
        """``department|source|record_id``: the form stored on the alert."""
        return f"{self.department}|{self.source}|{self.record_id}"

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Evidence:
        """Build from a query's ``{department, source, record_id, fact_key}`` map."""
        return cls(str(row["department"]), str(row["source"]), str(row["record_id"]),
                   str(row["fact_key"]))


@dataclass(slots=True)
class Finding:
    """One case a detection found.

    Attributes:
        type: one of :data:`ALL_TYPES`.
        subject_kind: ``person``, ``household`` or ``staff_record``.
        subject_id: the person id, household id, or ``<staff person id>|<民政 记录编号>``.
        region_code: the 行政区划 whose office owns the case (scopes runs and closing).
        evidence: the proving records.
        persons: (person id, role) pairs the alert is about.
        household_id: the subject's household, when known.
        region_codes: every 行政区划 involved (the jurisdictions that may see the alert).
        hardship: for eligibility signals, the hardship that routes it (``disability`` …).
        programme: the programme concerned or suggested.
        detail: non-personal reason codes.
    """

    type: str
    subject_kind: str
    subject_id: str
    region_code: str | None
    evidence: list[Evidence]
    persons: list[tuple[str, str]] = field(default_factory=list)
    household_id: str | None = None
    region_codes: list[str] = field(default_factory=list)
    hardship: str | None = None
    programme: str | None = None
    detail: list[str] = field(default_factory=list)

    @property
    def alert_key(self) -> str:
        """Stable key: type + subject + the sorted evidence, hashed (same case, same key)."""
        parts = [self.type, self.subject_id, *sorted({e.label() for e in self.evidence})]
        return "AL" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def evidence_list(rows: list[dict[str, Any]] | None) -> list[Evidence]:
    """Deduplicated evidence from a query's list of fact maps, in a stable order."""
    seen = {Evidence.from_row(r) for r in rows or () if r and r.get("fact_key")}
    return sorted(seen)

"""Run the named detections of ``graph_schema.queries.monitoring`` and turn rows into findings.

The graph-only detections (death, duplicates, exclusive programmes, housing, kin of staff)
are one query each. The eligibility ones (assets, missed eligible and the extra signals)
need decrypted amounts and levels and live in :mod:`hub.monitoring.eligibility`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph_schema.queries import monitoring as q
from hub.monitoring import model, routing
from hub.monitoring.model import Finding, evidence_list
from hub.store import Store

MIN_MONTHS_AFTER_DEATH = 2
"""FORMATS.md 8: paid in the death month or the next is a near miss, 2+ months an alert."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What one monitoring run looks at: the as-of date and optionally one region."""

    as_of: date
    region: str | None = None

    def params(self) -> dict[str, Any]:
        """The ``$as_of`` / ``$as_of_month`` / ``$region`` parameters every detection takes."""
        return {"as_of": self.as_of.isoformat(),
                "as_of_month": self.as_of.replace(day=1).isoformat(),
                "region": self.region}


def _regions(*values: Any) -> list[str]:
    found: set[str] = set()
    for value in values:
        if isinstance(value, list):
            found.update(v for v in value if v)
        elif value:
            found.add(value)
    return sorted(found)


def deceased_still_paid(store: Store, scope: Scope) -> list[Finding]:
    """Basic aid paid two or more months after the recipient's (or a member's) death."""
    rows = store.read(q.DECEASED_STILL_PAID, min_months=MIN_MONTHS_AFTER_DEATH,
                      **scope.params())
    return [Finding(model.STILL_RECEIVING_AFTER_DEATH, "person", r["person_id"],
                    r["region_code"], evidence_list(r["evidence"]),
                    persons=[(r["person_id"], "deceased")], household_id=r["household_id"],
                    region_codes=_regions(r["region_code"], r["region_codes"]),
                    programme="basic_aid", detail=["paid_after_death"])
            for r in rows]


def duplicate_basic_aid(store: Store, scope: Scope) -> list[Finding]:
    """One person covered by two overlapping basic-aid registrations."""
    rows = store.read(q.DUPLICATE_BASIC_AID, **scope.params())
    return [Finding(model.DUPLICATE_BASIC_AID, "person", r["person_id"], r["region_code"],
                    evidence_list(r["evidence"]), persons=[(r["person_id"], "recipient")],
                    household_id=r["household_id"],
                    region_codes=_regions(r["region_code"], r["region_codes"]),
                    programme="basic_aid", detail=["overlapping_registrations"])
            for r in rows]


def exclusive_overlap(store: Store, scope: Scope) -> list[Finding]:
    """One person in two mutually exclusive programmes at the same time."""
    pairs = [{"a": sorted(a), "b": sorted(b)} for a, b in routing.EXCLUSIVE_PROGRAMMES]
    rows = store.read(q.EXCLUSIVE_OVERLAP, pairs=pairs, **scope.params())
    return [Finding(model.EXCLUSIVE_OVERLAP, "person", r["person_id"], r["region_code"],
                    evidence_list(r["evidence"]), persons=[(r["person_id"], "recipient")],
                    household_id=r["household_id"],
                    region_codes=_regions(r["region_code"], r["region_codes"]),
                    programme="+".join(sorted(set(r["programmes"]))),
                    detail=["exclusive_programmes"])
            for r in rows]


def double_housing_aid(store: Store, scope: Scope) -> list[Finding]:
    """A public-rental flat and a rent subsidy overlapping in one household."""
    rows = store.read(q.DOUBLE_HOUSING_AID, flat=routing.HOUSING_FLAT,
                      subsidy=routing.HOUSING_SUBSIDY, **scope.params())
    findings = []
    for r in rows:
        subject = r["household_id"] or r["person_ids"][0]
        findings.append(Finding(
            model.DOUBLE_HOUSING_AID, "household" if r["household_id"] else "person", subject,
            r["region_code"], evidence_list(r["evidence"]),
            persons=[(p, "recipient") for p in sorted(r["person_ids"])],
            household_id=r["household_id"], region_codes=_regions(r["region_code"]),
            programme=f"{routing.HOUSING_FLAT}+{routing.HOUSING_SUBSIDY}",
            detail=["same_person" if len(r["person_ids"]) == 1 else "two_members"]))
    return findings


def kin_of_staff(store: Store, scope: Scope) -> list[Finding]:
    """人情保: the handler of a basic-aid record is close kin of someone it covers."""
    rows = store.read(q.KIN_OF_STAFF, **scope.params())
    return [Finding(model.KIN_OF_STAFF, "staff_record",
                    f"{r['staff_person_id']}|{r['aid_record_id']}", r["region_code"],
                    evidence_list(r["evidence"]),
                    persons=[(r["staff_person_id"], "staff"),
                             *((p, "recipient") for p in sorted(r["person_ids"]))],
                    region_codes=_regions(r["region_code"]), programme="basic_aid",
                    detail=sorted(f"kin:{k}" for k in r["kinds"]))
            for r in rows]


GRAPH_DETECTIONS: dict[str, Callable[[Store, Scope], list[Finding]]] = {
    model.STILL_RECEIVING_AFTER_DEATH: deceased_still_paid,
    model.DUPLICATE_BASIC_AID: duplicate_basic_aid,
    model.EXCLUSIVE_OVERLAP: exclusive_overlap,
    model.DOUBLE_HOUSING_AID: double_housing_aid,
    model.KIN_OF_STAFF: kin_of_staff,
}
"""Detections answered by one named query each, by alert type."""

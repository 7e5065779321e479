"""Compare monitoring findings with a set's ``truth/anomalies.csv`` (evaluation only).

Truth people map to ours through ``person_map.csv`` and the graph's ``RESOLVES_TO``;
truth households through their 户号 (``households.csv``), whose blind index names our
``Household``. Keys per type follow FORMATS.md 8: person, household, or (staff person,
民政 记录编号).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hub.monitoring.model import Finding
from hub.privacy_graph.kit import PrivacyKit
from hub.store import Store

PERSON_TYPES = {"still_receiving_after_death", "duplicate_basic_aid", "exclusive_overlap"}
HOUSEHOLD_TYPES = {"asset_disqualifies", "double_housing_aid", "missed_eligible"}

_MENTIONS = """
MATCH (r:SourceRecord)-[:RESOLVES_TO]->(p:Person)
RETURN r.source AS source, r.record_id AS record_id, r.role AS role, p.person_id AS person_id
"""


@dataclass
class Score:
    """Per-type counts of truth keys found, missed, and extra findings."""

    truth: int
    found: int
    extra: int

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        total = self.found + self.extra
        return self.found / total if total else 1.0


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class TruthMap:
    """Truth uids → our ids for one ingested and linked set."""

    def __init__(self, store: Store, kit: PrivacyKit, truth_dir: Path) -> None:
        ours = {(r["source"], r["record_id"], r["role"]): r["person_id"]
                for r in store.read(_MENTIONS)}
        votes: dict[str, Counter[str]] = {}
        for row in _read(truth_dir / "person_map.csv"):
            key = (row["file"].removesuffix(".csv"), row["record_id"], row["role"])
            if key in ours:
                votes.setdefault(row["person_uid"], Counter())[ours[key]] += 1
        self.person = {uid: c.most_common(1)[0][0] for uid, c in votes.items()}
        self.household = {
            row["household_uid"]: "HH" + kit.indexer.generic(row["hukou_no"],
                                                             purpose="hukou_no")[:16]
            for row in _read(truth_dir / "households.csv")}
        self.dir = truth_dir

    def expected(self, file: str = "anomalies.csv") -> set[tuple[str, str]]:
        """(type, our key) of every truth case (or near miss) in ``file``."""
        keys: set[tuple[str, str]] = set()
        for row in _read(self.dir / file):
            kind = row["type"]
            persons = [p for p in row["person_uids"].split(";") if p]
            households = [h for h in row["household_uids"].split(";") if h]
            if kind in PERSON_TYPES:
                keys |= {(kind, self.person.get(p, p)) for p in persons}
            elif kind in HOUSEHOLD_TYPES:
                keys.add((kind, self.household.get(households[0], households[0])))
            elif kind == "kin_of_staff":
                record = next(r.split(":")[1] for r in row["records"].split(";")
                              if r.startswith("minzheng_aid.csv:"))
                keys.add((kind, f"{self.person.get(persons[0], persons[0])}|{record}"))
            else:
                keys.add((kind, row.get("near_miss_id", kind)))
        return keys

    def near_miss_keys(self) -> set[tuple[str, str]]:
        """Keys that near misses would produce if wrongly alerted, in each detection's form."""
        keys: set[tuple[str, str]] = set()
        for row in _read(self.dir / "near_misses.csv"):
            persons = [self.person.get(p, p) for p in row["person_uids"].split(";") if p]
            households = [self.household.get(h, h)
                          for h in row["household_uids"].split(";") if h]
            kind = row["type"]
            if kind == "death_terminated_in_time":
                keys |= {("still_receiving_after_death", p) for p in persons}
            elif kind == "asset_allowed_or_under_limit":
                keys |= {("asset_disqualifies", h) for h in households}
            elif kind == "housing_sequential_not_overlapping":
                keys |= {("double_housing_aid", h) for h in households}
            elif kind == "same_name_different_person":
                keys |= {(t, p) for p in persons for t in PERSON_TYPES}
        return keys


def finding_key(finding: Finding) -> tuple[str, str]:
    """A finding's key in the truth's form."""
    if finding.type in HOUSEHOLD_TYPES:
        return finding.type, finding.household_id or finding.subject_id
    return finding.type, finding.subject_id


def score(expected: set[tuple[str, str]], findings: list[Finding]) -> dict[str, Score]:
    """Recall and precision per type of the section-8 cases."""
    got = {finding_key(f) for f in findings}
    types = {t for t, _ in expected} | {t for t, _ in got}
    out = {}
    for kind in sorted(types):
        want = {k for k in expected if k[0] == kind}
        have = {k for k in got if k[0] == kind}
        out[kind] = Score(len(want), len(want & have), len(have - want))
    return out

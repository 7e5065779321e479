"""Detections that need the household's economics: no longer eligible, possibly eligible.

* ``asset_disqualifies``: a household covered by a basic-aid record paid in the as-of month
  has a living member who breaks an asset rule (FORMATS.md 8).
* ``missed_eligible``: an uncovered household whose category is 低保 or 低保边缘 with a
  severely disabled (valid level 一/二级) or seriously ill (重特大疾病) member — for 低保边缘
  one whose own income is below the standard. Routed by that hardship (残联 / 医保).
* extra signals (DOMAIN.md 2b) for uncovered low-income households: registered unemployed
  (人社), monitored post-poverty cases (乡村振兴), and students of low-income households
  with no aid this school year (教育), each with the programme they may qualify for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graph_schema.queries import monitoring as q
from hub.monitoring import model
from hub.monitoring.detections import Scope
from hub.monitoring.household import Economics, Household
from hub.monitoring.model import Evidence, Finding, evidence_list
from hub.monitoring.rules_bridge import Verdict, verify
from hub.privacy_graph.kit import PrivacyKit
from hub.store import Store

LOW_INCOME = frozenset({"低保", "低保边缘"})


@dataclass(slots=True)
class Picture:
    """Every household of the scope with its economics and current basic-aid cover.

    ``verdicts`` holds ``hub.rules``' category for the uncovered low-income candidates.
    """

    households: list[Household] = field(default_factory=list)
    covered: dict[str, list[Evidence]] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    def category(self, hh: Household) -> str | None:
        """The rules' category when they decided the household, else the screening one."""
        verdict = self.verdicts.get(hh.household_id)
        return verdict.category if verdict is not None else hh.category()


def load_picture(store: Store, kit: PrivacyKit, scope: Scope, *, use_rules: bool = True
                 ) -> Picture:
    """Load and decrypt (in memory) the economics of every household in scope.

    Args:
        store: the graph.
        kit: keys for the sealed amounts and levels.
        scope: as-of date and region.
        use_rules: confirm uncovered low-income candidates with ``hub.rules``.
    """
    covered = {r["household_id"]: evidence_list(r["evidence"])
               for r in store.read(q.CURRENTLY_COVERED_HOUSEHOLDS, **scope.params())}
    rows = store.read(q.LIVING_HOUSEHOLDS, region=scope.region)
    households = Economics(store, kit, scope.as_of).load(rows, scope.region)
    picture = Picture(households, covered)
    if use_rules:
        candidates = [hh.household_id for hh in households
                      if hh.household_id not in covered and hh.category() in LOW_INCOME
                      and any(m.hardships or m.unemployed or m.monitoring
                              or m.students_without_aid for m in hh.members)]
        picture.verdicts = verify(store, kit, candidates, scope.as_of)
    return picture


def asset_disqualifies(picture: Picture) -> list[Finding]:
    """Covered households that break an asset rule: the aid record plus the asset records."""
    findings = []
    for hh in picture.households:
        aid = picture.covered.get(hh.household_id)
        if not aid or not hh.asset_issues:
            continue
        proof = [e for issue in hh.asset_issues.values() for e in issue]
        findings.append(Finding(
            model.ASSET_DISQUALIFIES, "household", hh.household_id, hh.region_code,
            sorted(set(aid + proof)), persons=[(m.person_id, "member") for m in hh.members],
            household_id=hh.household_id, region_codes=_regions(hh), programme="basic_aid",
            detail=sorted(f"asset:{k}" for k in hh.asset_issues)))
    return findings


def _regions(hh: Household) -> list[str]:
    return [hh.region_code] if hh.region_code else []


def _uncovered(picture: Picture) -> Iterator[tuple[Household, str]]:
    """Uncovered households with their category (低保 / 低保边缘 / 不符合 / above)."""
    for hh in picture.households:
        if hh.household_id in picture.covered:
            continue
        category = picture.category(hh)
        if category is not None:
            yield hh, category


def missed_eligible(picture: Picture) -> list[Finding]:
    """Uncovered 低保 / 低保边缘 households with a severely disabled or seriously ill member."""
    findings = []
    for hh, category in _uncovered(picture):
        if category not in LOW_INCOME or hh.dibao_standard is None:
            continue
        verdict = picture.verdicts.get(hh.household_id)
        needy = [m for m in hh.members if m.hardships and (
            category == "低保" or (m.person_id in verdict.single_person_ids if verdict
                                   else m.income < hh.dibao_standard))]
        if not needy:
            continue
        first = needy[0]
        hardship = "disability" if "disability" in first.hardships else "illness"
        proof = [e for m in needy for items in m.hardships.values() for e in items]
        proof += [e for m in hh.members for e in m.income_sources]
        findings.append(Finding(
            model.MISSED_ELIGIBLE, "household", hh.household_id, hh.region_code,
            sorted(set(proof)), persons=[(m.person_id, "hardship_member") for m in needy],
            household_id=hh.household_id, region_codes=_regions(hh), hardship=hardship,
            programme="低保" if category == "低保" else "低保(单人户)",
            detail=[f"category:{category}", *sorted({f"hardship:{h}" for m in needy
                                                     for h in m.hardships})]))
    return findings


def _signal(kind: str, hh: Household, hardship: str, programme: str,
            members: list[tuple[str, list[Evidence]]], category: str) -> Finding:
    proof = sorted({e for _, items in members for e in items})
    return Finding(kind, "household", hh.household_id, hh.region_code, proof,
                   persons=[(pid, "member") for pid, _ in members],
                   household_id=hh.household_id, region_codes=_regions(hh),
                   hardship=hardship, programme=programme, detail=[f"category:{category}"])


def signals(picture: Picture) -> list[Finding]:
    """Registered unemployed, monitored cases and unaided students of low-income households."""
    findings: list[Finding] = []
    for hh, category in _uncovered(picture):
        if category not in LOW_INCOME:
            continue
        suggested = "低保" if category == "低保" else "低保边缘"
        jobless = [(m.person_id, m.unemployed) for m in hh.members if m.unemployed]
        if jobless:
            findings.append(_signal(model.UNEMPLOYED_NOT_COVERED, hh, "unemployment",
                                    f"就业救助+{suggested}", jobless, category))
        monitored = [(m.person_id, m.monitoring) for m in hh.members if m.monitoring]
        if monitored:
            findings.append(_signal(model.MONITORED_NOT_COVERED, hh, "monitoring", suggested,
                                    monitored, category))
    for hh in picture.households:
        low = hh.household_id in picture.covered or picture.category(hh) in LOW_INCOME or any(
            m.registered_low_income or m.monitoring for m in hh.members)
        pupils = [(m.person_id, m.students_without_aid) for m in hh.members
                  if m.students_without_aid]
        if low and pupils:
            category = ("covered" if hh.household_id in picture.covered
                        else str(picture.category(hh)))
            findings.append(_signal(model.STUDENT_WITHOUT_AID, hh, "student", "教育救助",
                                    pupils, category))
    return findings


def eligibility_findings(store: Store, kit: PrivacyKit, scope: Scope,
                         types: frozenset[str]) -> dict[str, list[Finding]]:
    """Run the economics-based detections among ``types``; findings by type."""
    wanted = types & {model.ASSET_DISQUALIFIES, model.MISSED_ELIGIBLE, *model.SIGNAL_TYPES}
    if not wanted:
        return {}
    picture = load_picture(store, kit, scope)
    out: dict[str, list[Finding]] = {t: [] for t in wanted}
    if model.ASSET_DISQUALIFIES in wanted:
        out[model.ASSET_DISQUALIFIES] = asset_disqualifies(picture)
    if model.MISSED_ELIGIBLE in wanted:
        out[model.MISSED_ELIGIBLE] = missed_eligible(picture)
    for finding in signals(picture) if wanted & set(model.SIGNAL_TYPES) else ():
        if finding.type in wanted:
            out[finding.type].append(finding)
    return out


def summary(findings: dict[str, list[Finding]]) -> dict[str, Any]:
    """Counts by type (for logs and the CLI; no personal values)."""
    return {k: len(v) for k, v in sorted(findings.items())}
